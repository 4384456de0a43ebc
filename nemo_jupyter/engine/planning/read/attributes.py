"""What a prompt says about each subject: how many, what colour, what size ("five yellow ducklings").

The words are read around the subject's noun, within its noun phrase: before it (English, German,
Chinese, Japanese, Korean: "two blue cars", "三只黄色的小鸭子"), after it where adjectives follow
the noun (Spanish, French, Portuguese, Italian: "un elefante morado") and, for counts, after it
where counters do (Korean and Japanese: "오리 다섯 마리", "アヒル5羽"). A noun phrase ends at the
previous or next subject, at a relation word ("chasing", "under"), at "and"/"with", or at
punctuation.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace

from ..brief import Actor, Scene
from ..lexicon import lexicon
from .grammar import Grammar, Tag, grammar

_PUNCT = re.compile(r"[,;.:!?，。；：！？、\n()]")
_BOUNDARY_CATS = frozenset(["rel", "prel", "spatial", "and", "when", "request", "question"])
_NP_CATS = frozenset(["num", "plural", "colour", "size", "nsize", "counter"])
#: how far a modifier may stand from its noun, in characters (CJK words are short)
_REACH = {"latin": 48, "cjk": 14}
_MAX_COUNT = 99


def _reach(g: Grammar) -> int:
    return _REACH["cjk" if g.lang in ("zh", "ja") else "latin"]


def _np_window(text: str, start: int, end: int, spans: Sequence[tuple[int, int]], tags: Sequence[Tag],
               g: Grammar) -> tuple[int, int]:
    """The span of the noun phrase around the noun at ``start:end`` (before, after)."""
    reach = _reach(g)
    left = max(0, start - reach)
    right = min(len(text), end + reach)
    for a, b in spans:
        if b <= start:
            left = max(left, b)
        elif a >= end:
            right = min(right, a)
    for t in tags:
        if t.cat in _BOUNDARY_CATS:
            if t.end <= start:
                left = max(left, t.end)
            elif t.start >= end:
                right = min(right, t.start)
    last = None
    for last in _PUNCT.finditer(text, left, start):  # noqa: B007 - the last punctuation before the noun
        pass
    if last is not None:
        left = max(left, last.end())
    m2 = _PUNCT.search(text, end, right)
    if m2 is not None:
        right = m2.start()
    return left, right


def describe(actor: Actor, text: str, tags: Sequence[Tag], spans: Sequence[tuple[int, int]], lang: str) -> None:
    """Set ``actor.count``, ``colour``, ``size`` and ``plural`` from the words around it in ``text``
    (the tags of ``text``, the spans of every subject named in it)."""
    if actor.start < 0:
        return
    g = grammar(lang)
    start, end = actor.start, actor.end
    left, right = _np_window(text, start, end, [s for s in spans if s != (start, end)], tags, g)
    before = [t for t in tags if left <= t.start and t.end <= start and t.cat in _NP_CATS]
    after = [t for t in tags if end <= t.start and t.end <= right and t.cat in _NP_CATS]
    not_size = [t for t in tags if t.cat == "nsize" and t.start <= start < t.end + 1]
    # nearest first
    before.sort(key=lambda t: -t.end)
    after.sort(key=lambda t: t.start)
    post_adj = g.adjectives in ("after", "both")
    others = [s for s in spans if s != (start, end)]
    # "make the car red", "make the dog giant", "把车改成黄色", "고양이를 검은색으로": a colour or a size after
    # the noun (past the words of ``predicative``), said of no noun after it
    predicative = [t for t in tags if t.cat in ("colour", "size") and 0 <= t.start - end <= 8 and _predicative(text[end:t.start], g)
                   and not any(0 <= a - t.end <= 1 for a, _b in others)]
    if g.lang in _NO_SPACES_OR_PARTICLES:
        # "穿红色雨衣的小女孩", "빨간 우비를 입은 소녀", "赤い屋根の家": a colour or a size before another
        # noun is that noun's; only the words of this noun's own phrase may stand between
        before = [t for t in before if t.cat not in ("colour", "size") or _own_phrase(text, t.end, start, tags, g)]
    candidates = list(before) + (list(after) if post_adj else predicative)
    if g.numbers_after:
        # "오리 다섯 마리와 거위", "本が三冊とりんご": a count right after a noun is that noun's, not the next one's
        # (an upload's or a video's count is theirs too: "제품 사진 두 장으로 립밤 광고")
        nouns = others + [(t.start, t.end) for t in tags if t.cat in ("upload", "video")]
        before = [t for t in before if t.cat != "num" or not _counts_noun_before(text, t, nouns, g)]
        after = [t for t in after if t.cat != "num" or _counts_noun_before(text, t, [(start, end)], g)]
    counts = before + (after if g.numbers_after or post_adj else [])
    for t in counts:
        if t.cat == "num" and actor.count is None and 0 < int(t.value) <= _MAX_COUNT:
            if int(t.value) == 1 and _article(text, t, g):
                continue  # Chinese 一只猫, 一个女孩: "a cat", "a girl"
            actor.count = int(t.value)
        elif t.cat == "plural":
            actor.plural = True
    for t in candidates:
        if t.cat == "colour" and actor.colour is None:
            actor.colour = str(t.value)
        elif (t.cat == "size" and actor.size is None and not any(n.start <= t.start < n.end for n in not_size)
              and not (t.text.strip() in _little(lang) and _young(actor, lang))):
            actor.size = str(t.value)
    if actor.colour is None:
        actor.colour = _colour_inside(actor, text, tags, lang)
    if actor.count is not None and actor.count > 1:
        actor.plural = True
    used = [t for t in before if t.cat in ("num", "colour", "size", "plural")]
    used_after = [t for t in after if t.cat in ("num", "colour", "size", "counter")] if (post_adj or g.numbers_after) else []
    a = min([t.start for t in used] + [start])
    b = max([t.end for t in used_after] + [end])
    actor.phrase = text[a:b].strip()


def _colour_inside(actor: Actor, text: str, tags: Sequence[Tag], lang: str) -> str | None:
    """A colour inside the subject's own words that does not make it another thing: "rose rosse" are
    roses (red ones), but a "poisson rouge" is a goldfish, not a red fish (``colour_kinds`` of the
    grammar file: names of a kind that hold a colour word)."""
    if lang in _NO_SPACES_OR_PARTICLES or text[actor.start:actor.end].strip() in grammar(lang).data.get("colour_kinds", ()):
        return None  # ("白鹭", "黒猫": one word, a kind's name)
    for t in tags:
        if t.cat == "colour" and actor.start <= t.start and t.end <= actor.end and actor.s:
            rest = " ".join((text[actor.start:t.start] + " " + text[t.end:actor.end]).split())
            if rest and lexicon().subject_of(rest, lang) == actor.s:
                return str(t.value)
    return None


#: languages whose modifiers stand right before their noun with no article to open its phrase
_NO_SPACES_OR_PARTICLES = ("zh", "ja", "ko")


def _own_phrase(text: str, a: int, b: int, tags: Sequence[Tag], g: Grammar) -> bool:
    """Only words of one noun phrase (counts, colours, sizes, 的/の/의, spaces) stand between ``a`` and ``b``."""
    gap = list(text[a:b])
    for t in tags:
        if a <= t.start and t.end <= b and t.cat in _NP_CATS | {"of"}:
            gap[t.start - a:t.end - a] = " " * (t.end - t.start)
    rest = "".join(gap).strip()
    return not rest.strip(" " + "".join(g.data.get("possessive", [])))


def _predicative(gap: str, g: Grammar) -> bool:
    """Only the words that join a noun to the colour it is made ("把车改成黄色", "猫を黒に") stand between them."""
    gap = gap.strip()
    return not gap or gap in g.data.get("predicative", ())


def _counts_noun_before(text: str, t: Tag, spans: Sequence[tuple[int, int]], g: Grammar) -> bool:
    """ "오리 다섯 마리", "本が三冊", "アヒル5羽": the number follows a noun (past its subject particle) and
    is not a count said before the next noun ("三羽の鳥", "세 마리의 새": the genitive)."""
    of = tuple(g.data.get("possessive", ()))
    after = text[t.end:t.end + 6].lstrip()
    counters = g.data.get("counters", ())
    for c in sorted(counters, key=len, reverse=True):
        if after.startswith(c):
            after = after[len(c):].lstrip()
            break
    if of and after.startswith(of):
        return False
    particles = {p for ps in g.data.get("particles", {}).values() for p in ps if len(p) <= 2}
    for _a, b in spans:
        if b <= t.start and t.start - b <= 6:
            gap = text[b:t.start].strip()
            if not gap or gap in particles:
                return True
    return False


def _article(text: str, t: Tag, g: Grammar) -> bool:
    """ "一只猫" is "a cat" (``indefinite`` in the grammar file), unless "only" is said ("只有一只猫")."""
    if t.text.strip() not in g.data.get("indefinite", ()):
        return False
    before = text[max(0, t.start - 3):t.start]
    return not any(before.endswith(w) for w in g.data.get("only", ()))


def _little(lang: str) -> frozenset[str]:
    """The words for "little" that say an age or a fondness more than a size ("little", "petit")."""
    return frozenset(w.lower() for w in grammar(lang).data.get("little_words", ["little"]))


def _young(actor: Actor, lang: str = "en") -> bool:
    """ "a little girl", "a little puppy": little of a child or a young animal is its age, not a size."""
    if lang != "en":  # ("petits cochons", "petite fille": a child or an animal)
        info = lexicon().info(actor.s)
        return info is not None and info.kind.startswith(("animal", "person"))
    word = (actor.word or "").lower()
    return actor.s in ("baby", "child", "girl", "boy", "baby_chick") or word.endswith(
        ("puppy", "puppies", "kitten", "kittens", "duckling", "ducklings", "cub", "cubs", "lamb", "lambs", "chick",
         "chicks", "foal", "calf", "bunny"))


def describe_topic_subjects(scenes: Sequence[Scene], text: str, tags: Sequence[Tag], lang: str) -> None:
    """A topic's subject the prompt names with the topic's own word ("ein riesiger Dinosaurier": the
    dinosaurs topic, with its T. rex asked by name) is described as any subject named (its size here)."""
    actors = [a for s in scenes for a in s.actors]
    spans = [(a.start, a.end) for a in actors if a.start >= 0]
    for actor in (a for s in scenes if s.topic for a in s.actors):
        if actor.start >= 0 and not actor.extra and not actor.details and actor.count is None \
                and actor.colour is None and actor.size is None:
            describe(actor, text, tags, spans, lang)


def release_attributes(thing: Actor, actors: Sequence[Actor], text: str, tags: Sequence[Tag], lang: str) -> None:
    """A thing read after the subjects (one no picture names) takes back the count, colour or size said
    of it that a subject after it had taken ("dos zorzales cantando en un árbol": two thrushes, one tree)."""
    for actor in actors:
        if actor.start < thing.end or actor.start - thing.end > 60 or actor is thing:
            continue
        probe = replace(actor, count=None, colour=None, size=None, plural=False, details={})
        describe(probe, text, tags, [(a.start, a.end) for a in actors] + [(thing.start, thing.end)], lang)
        for name in ("count", "colour", "size"):
            if getattr(actor, name) is not None and getattr(probe, name) is None:
                setattr(actor, name, None)
                actor.details.pop(name, None)
        if actor.plural and not probe.plural and actor.count is None:
            actor.plural = False
