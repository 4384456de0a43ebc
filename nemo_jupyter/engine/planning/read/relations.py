"""Relations between the subjects of a prompt: "a dog chasing a squirrel" is chase(dog, squirrel).

A relation word (a verb, a passive, a preposition; ``rel``, ``prel`` and ``spatial`` in the
grammar files) joins the subject nearest before it to the one nearest after it, in one sentence:

* verb-object languages (English, Spanish, French, German, Portuguese, Italian, Chinese): the doer
  before the verb, the object after it; a passive ("chased by", "被") swaps them;
* Chinese, Japanese and Korean place words come after their ground ("桌子下面", "テーブルの下",
  "테이블 아래"): the ground is the subject before the word, the figure the one after it ("桌子下面的猫")
  or, failing that, the one before the ground ("猫在桌子下面");
* verb-final languages (Japanese, Korean): the object is the subject marked by an object particle
  (を, に, 를, 을, 에게) before the verb, the doer the one marked by a subject particle (が, は, 이,
  가, 은, 는), or the subject right after the verb ("リスを追いかける犬": the dog that chases).
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from ..brief import Actor, Relation
from .grammar import Tag, grammar

_SENTENCE = re.compile(r"[.!?;\n。！？；]")
_COMMA = re.compile(r"[,，、]")
_PRONOUN = re.compile(r"\s*(?:one|it|them|some|ones)\b")
_GAP = re.compile(r"^[\s的のに에의가이은는을를有在が、,]*$")
_OBJECT_PARTICLES = ("を", "に", "へ", "를", "을", "에게", "한테", "에")
_SUBJECT_PARTICLES = ("が", "は", "も", "이", "가", "은", "는", "도")
_PASSIVE_MARKERS = ("被", "让", "叫", "に追われ", "에게 쫓기")
_POSTPOSITION_LANGS = ("zh", "ja", "ko")
_MAX_GAP = 60  # characters between a relation word and a subject it joins


def _sentence_of(text: str, pos: int) -> tuple[int, int]:
    start = 0
    for m in _SENTENCE.finditer(text, 0, pos):
        start = m.end()
    m2 = _SENTENCE.search(text, pos)
    return start, (m2.start() if m2 else len(text))


def _particle_after(text: str, actor: Actor) -> str:
    return text[actor.end:actor.end + 4].strip()


def _marked(text: str, actor: Actor, particles: Sequence[str]) -> bool:
    after = _particle_after(text, actor)
    return any(after.startswith(p) for p in particles)


def find_relations(text: str, actors: Sequence[Actor], tags: Sequence[Tag], lang: str,
                   places: Sequence[tuple[int, int]] = ()) -> list[Relation]:
    """The relations ``text`` asks for between ``actors`` (each with its position in ``text``);
    ``places``: spans of background and place words (a relation never joins a subject to a place)."""
    spans = [(a.start, a.end) for a in actors if a.start >= 0]
    # (a background word inside a subject's words is that subject: "a Christmas tree", "the kitchen table")
    places = [(p, q) for p, q in list(places) + [(t.start, t.end) for t in tags if t.cat == "place"]
              if not any(x <= p and q <= y for x, y in spans)]
    g = grammar(lang)
    # (a group's illustrating members and a topic's extras are not what the words speak of)
    placed = sorted((a for a in actors if a.start >= 0 and not a.extra), key=lambda a: a.start)
    placed = [a for i, a in enumerate(placed) if not (i and placed[i - 1].start == a.start)]
    out: list[Relation] = []
    seen: set[tuple[str, str, str | None]] = set()
    rel_tags = [t for t in tags if t.cat in ("rel", "prel", "spatial")]
    figure_of: dict[str, Actor] = {}  # ground -> figure of the place words read so far
    for t in rel_tags:
        if any(a.start <= t.start < a.end for a in placed):
            continue  # inside a subject's own words ("hot dog", "riding boots")
        s0, s1 = _sentence_of(text, t.start)
        before = [a for a in placed if s0 <= a.start and a.end <= t.start and t.start - a.end <= _MAX_GAP]
        after = [a for a in placed if t.end <= a.start and a.end <= s1 and a.start - t.end <= _MAX_GAP]
        if t.cat == "spatial":  # a place word's figure and ground stand in its own clause
            after = [a for a in after if not _COMMA.search(text, t.end, a.start)]
        elif before and _COMMA.search(text, before[-1].end, t.start):
            # "a squirrel on a bench, chased by two crows": a phrase after a comma is said of the
            # sentence's first subject
            before = [before[0]]
        # a subject after a later relation word belongs to that word ("a cat watching a dog chasing a ball")
        nxt = next((u.start for u in rel_tags if u.start >= t.end), s1)
        after_here = [a for a in after if a.start < nxt]
        # "a cat in a garden with a piano": the cat is in the garden (a place), not in the piano
        first_place = min((p for p, _q in places if p >= t.end), default=len(text))
        if t.cat == "spatial" and lang not in _POSTPOSITION_LANGS:
            after_here = [a for a in after_here if a.start < first_place]
            after = [a for a in after if a.start < first_place]
        kind = str(t.value)
        pair = _pair(text, t, kind, before, after_here or after, g.order, lang)
        if pair is None:
            continue
        a, b, c = pair
        if t.cat == "spatial" and a.id in figure_of and a in before:
            a = figure_of[a.id]  # "a cat on the sofa next to a dog": the cat is next to the dog
        doers = [a]
        if t.cat == "spatial" and a in before:
            doers = _coordinated(text, before, a, tags)
        for doer in doers:
            if doer.id == b.id or (c is not None and c.id in (doer.id, b.id) and kind != "between"):
                continue
            key = (kind, doer.id, b.id)
            if key in seen:
                continue
            seen.add(key)
            out.append(Relation(kind=kind, a=doer.id, b=b.id, c=c.id if c else None, word=t.text.strip()))
            if t.cat == "spatial" and kind != "inside":  # ("a fish in a bowl on the table": the bowl is)
                figure_of.setdefault(b.id, doer)
    return out


def _coordinated(text: str, before: list[Actor], last: Actor, tags: Sequence[Tag]) -> list[Actor]:
    """ "two cats and a dog on a sofa": every subject joined by "and" to the one before the place word."""
    ands = [(t.start, t.end) for t in tags if t.cat == "and"]
    chain = [last]
    i = before.index(last)
    while i > 0:
        prev = before[i - 1]
        gap = text[prev.end:chain[0].start]
        joined = any(prev.end <= a and b <= chain[0].start for a, b in ands) or gap.strip() in (",", "、", "，")
        if not joined or len(gap) > 24 or any(ch in gap for ch in ".;!?。"):
            break
        chain.insert(0, prev)
        i -= 1
    return chain


def _pair(text: str, t: Tag, kind: str, before: list[Actor], after: list[Actor], order: str,
          lang: str) -> tuple[Actor, Actor, Actor | None] | None:
    if t.cat == "spatial" and lang in _POSTPOSITION_LANGS:
        # "桌子下面的猫" / "猫在桌子下面" / "テーブルの下の猫" / "고양이가 테이블 아래에"
        if not before:
            return None
        ground = before[-1]
        if after and _GAP.match(text[t.end:after[0].start]):
            return after[0], ground, None
        if len(before) >= 2:
            return before[-2], ground, None
        return (after[0], ground, None) if after else None
    if kind == "between":
        if before and len(after) >= 2:
            return before[-1], after[0], after[1]
        if before and after and (after[0].count or 0) >= 2:
            return before[-1], after[0], after[0]  # "between two dogs"
        return None
    if order == "sov" and t.cat == "rel":
        objs = [a for a in before if _marked(text, a, _OBJECT_PARTICLES)]
        obj = objs[-1] if objs else (before[-1] if before else None)
        if obj is None:
            return None
        subs = [a for a in before if a is not obj and _marked(text, a, _SUBJECT_PARTICLES)]
        if subs:
            doer = subs[-1]
        elif (after and text[t.end:after[0].start].strip() == "") or (after and len(text[t.end:after[0].start]) <= 2):
            doer = after[0]  # a relative clause: "リスを追いかける犬"
        else:
            rest = [a for a in before if a is not obj]
            if not rest:
                return None
            doer = rest[-1]
        passive = any(m in text[max(0, t.start - 8):t.end + 4] for m in ("られ", "れる", "당하", "기는", "받는"))
        return (obj, doer, None) if passive else (doer, obj, None)
    if t.cat == "spatial" and before and not after and re.search(r"\b(?:its|their|his|her)\b", t.text):
        # "a snowman ..., and a reindeer on its right": its = the subject before
        return (before[-1], before[-2], None) if len(before) >= 2 else None
    if before and not after and _PRONOUN.match(text[t.end:t.end + 12]) and len(before) >= 2:
        # "a runner eating one", "... and eats it": the thing named before
        return before[-1], before[-2], None
    if not before or not after:
        return None
    a, b = before[-1], after[0]
    passive = t.cat == "prel" or any(m in text[a.end:t.start] for m in _PASSIVE_MARKERS)
    return (b, a, None) if passive else (a, b, None)
