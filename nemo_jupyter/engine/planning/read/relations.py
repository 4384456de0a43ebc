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
from .grammar import Grammar, Tag, grammar

_SENTENCE = re.compile(r"[.!?;\n。！？；]")
_COMMA = re.compile(r"[,，、]")
_BOTH = re.compile(r"(?<![^\W_])(?:both|all of them|all|ambos|ambas|los dos|las dos|todos|tous les deux|toutes les deux|"
                   r"tous|beide|alle|entrambi|entrambe|tutti e due|tutti|os dois|as duas|todos)(?![^\W_])|两个都|都|どちらも|둘 다")
_PRONOUN = re.compile(r"\s*(?:one|it|them|some|ones)\b")
_GROUND_GAP = re.compile(r"^[\s的のに에의]*$")  # between a ground and its place word ("桌子的上面", "테이블 위")
_GAP = re.compile(r"^[\s的のに에의가이은는을를有在が、,]*$")
_OBJECT_PARTICLES = ("を", "に", "へ", "를", "을", "에게", "한테", "에")
_SUBJECT_PARTICLES = ("が", "は", "も", "이", "가", "은", "는", "도")
_PASSIVE_MARKERS = ("被", "让", "叫", "に追われ", "에게 쫓기")
_POSTPOSITION_LANGS = ("zh", "ja", "ko")
_MAX_GAP = 60  # characters between a relation word and a subject it joins
#: things one is "in" by lying or sitting on them ("in bed", "im Bett", "in the armchair")
_LIE_ON = frozenset(["bed", "couch_and_lamp", "chair", "seat"])
#: relations two subjects can do together ("A and B play"): the first does it with the second
_RECIPROCAL = ("play_with", "hug", "talk_to")


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
    rel_tags = [t for t in tags if t.cat in ("rel", "prel", "spatial", "relo")]
    figure_of: dict[str, Actor] = {}  # ground -> figure of the place words read so far
    last_ground: Actor | None = None
    last_object: Actor | None = None  # the object of the last verb (Chinese leaves it out after)
    partner_of: dict[str, Actor] = {}  # the object of a relation done together -> its doer
    np_words = [(t.start, t.end) for t in tags if t.cat in ("num", "counter", "plural", "colour", "size")]
    # a place word right before a subject is said of it ("on the kitchen table", "near the park bench")
    said_of = [(p, q) for p, q in places if any(a.start - q in (1, 2) and not text[q:a.start].strip() for a in placed)]
    np_words += said_of
    places = [x for x in places if x not in said_of]
    setting_words = [(o.start, o.end) for o in tags if o.cat in ("weather", "time", "season", "none")]
    for t in rel_tags:
        both: list[Actor] = []
        inner = [a for a in placed if t.start <= a.start and a.end <= t.end] if t.cat == "relo" else []
        if not inner and any(a.start <= t.start < a.end for a in placed):
            continue  # inside a subject's own words ("hot dog", "riding boots")
        if any(a <= t.start and t.end <= b and b - a > t.end - t.start for a, b in setting_words):
            continue  # inside a weather or time phrase ("下着雨": it rains, nothing is under)
        s0, s1 = _sentence_of(text, t.start)
        before = [a for a in placed if s0 <= a.start and a.end <= t.start and t.start - a.end <= _MAX_GAP]
        after = [a for a in placed if t.end <= a.start and a.end <= s1 and a.start - t.end <= _MAX_GAP]
        commas = list(_COMMA.finditer(text, before[-1].end, t.start)) if before else []
        if commas and _BOTH.search(text, commas[-1].end(), t.start):
            both = list(before)  # "..., both standing in front of a whiteboard": each of them
        if t.cat == "spatial":  # a place word's figure and ground stand in its own clause
            after = [a for a in after if not _COMMA.search(text, t.end, a.start)]
        elif before and _COMMA.search(text, before[-1].end, t.start):
            # "a squirrel on a bench, chased by two crows": a phrase after a comma is said of the
            # sentence's first subject; "..., both standing in front of a whiteboard": of each
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
        # (a place word's figure may stand past a relative clause's own verb: "木の下でお弁当を食べる家族")
        figures = after if t.cat == "spatial" and lang in _POSTPOSITION_LANGS else (after_here or after)
        pair = _pair(text, t, kind, before, figures, g.order, lang, np_words) if not inner else None
        if inner:  # a verb written with its object ("放风筝", "in bici", "凧揚げをする男の子"): the doer
            doer = before[-1] if before else next((a for a in after if a not in inner), None)  # (or after it)
            pair = (doer, inner[0], None) if doer is not None else None
        if pair is None and t.cat == "spatial" and lang in _POSTPOSITION_LANGS and last_ground is not None \
                and figures and not text[max(_clause_start(text, t.start), text.rfind("、", 0, t.start) + 1):t.start
                                         ].strip(" 在にへ에"):
            # "房子左边有一棵树，右边有一辆车", "家の左に木、右に車": a place word opening its clause keeps the
            # ground of the one before
            gap = _np_words_out(text, t.end, figures[0].start, np_words)
            if _GAP.match(gap) or _relative_clause(gap, g):
                pair = (figures[0], last_ground, None)
        if pair is None and t.cat == "rel" and lang == "zh" and before and not after_here and last_object is not None \
                and before[-1].id != last_object.id:
            pair = (before[-1], last_object, None)  # "爸爸把球扔给儿子，儿子接住了": the object said before is meant
        if pair is None:
            continue
        a, b, c = pair
        if kind == "inside" and b.s in _LIE_ON:
            kind = "on"  # "im Bett", "in bed", "nel letto": on it
        if t.cat != "spatial":
            last_object = b
            if kind in _RECIPROCAL:
                partner_of.setdefault(b.id, a)
        if t.cat == "spatial" and kind != "between":
            last_ground = b
        if t.cat == "spatial" and a.id in figure_of and a in before:
            a = figure_of[a.id]  # "a cat on the sofa next to a dog": the cat is next to the dog
        doers = [a]
        if t.cat == "spatial" and a in before:
            doers = _coordinated(text, before, a, tags)
        elif t.cat == "spatial" and lang in _POSTPOSITION_LANGS and a in after:
            doers = _coordinated_after(text, after, a, g, np_words)  # "テーブルの上に本が三冊とりんごが一つ"
        if both and a in both:
            doers = list(both)
        if t.cat == "spatial" and a.id in partner_of and partner_of[a.id] not in doers:
            # "a grandfather hugging his granddaughter on the sofa": both are on it
            doers = [partner_of[a.id], *doers]
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


#: relations two subjects do to each other ("hugging", "talking", "playing")
_MUTUAL = frozenset(["hug", "talk_to", "play_with", "look_at"])
_AND_GAP = re.compile(r"\s*(?:,|and|y|e|et|und|ed|和|与|跟|と|과|와|하고)?\s*(?:(?:his|her|their|its|my|our|su|sus|sa|son|"
                      r"ses|seine?|ihre?|seu|sua|suo|sua|la|il)\s+)?")
_CLAUSE_START = re.compile(r"[,;:.!?\n，。；：！？]|(?<![^\W_])(?:and|y|e|et|und|ed)(?![^\W_])")


def _clause_start(text: str, pos: int) -> int:
    start = 0
    for m in _CLAUSE_START.finditer(text, max(0, pos - 80), pos):
        start = m.end()
    return start


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


def _joined(text: str, a: Actor, b: Actor, g: Grammar) -> bool:
    """ "A和B", "AとB", "A와 B": two subjects joined by "and" (or "with": 跟, 하고)."""
    gap = text[a.end:b.start].strip()
    words = set(g.data.get("and", ())) | set(g.data.get("with", ()))
    # (an adverb may come first: "老师正在跟学生说话")
    return any(gap.endswith(w) and len(gap) - len(w) <= 3 for w in words)


def _np_words_out(text: str, a: int, b: int, np: Sequence[tuple[int, int]]) -> str:
    """``text[a:b]`` without the words of a noun phrase (its count, colour, size: "강아지 두 마리 사이")."""
    out = text[a:b]
    for x, y in np:
        if a <= x and y <= b:
            out = out.replace(text[x:y], " ")
    return out


def _relative_clause(gap: str, g: Grammar) -> bool:
    """The words between a place word and a noun are a relative clause said of that noun ("上放着的",
    "の上で寝ている", "위에 놓인"): they end in the language's adnominal form (``adnominal`` in the grammar
    file; Korean: a verb whose last syllable ends in ㄴ or ㄹ)."""
    gap = gap.strip()
    if not gap or len(gap) > 12 or _SENTENCE.search(gap) or _COMMA.search(gap):
        return False
    if g.lang == "ko":
        last = gap[-1]
        return "\uac00" <= last <= "\ud7a3" and (ord(last) - 0xAC00) % 28 in (4, 8)
    return gap.endswith(tuple(g.data.get("adnominal", ())))


def _postposition(text: str, t: Tag, kind: str, before: list[Actor], after: list[Actor],
                  g: Grammar, np: Sequence[tuple[int, int]]) -> tuple[Actor, Actor, Actor | None] | None:
    """Place words after their ground ("桌子下面的猫", "猫在桌子下面", "テーブルの下の猫", "고양이가 테이블
    아래에"): the ground is the subject right before the place word (in "狗在公园里" the park is a place,
    so there is no ground); the figure the subject right after ("...的猫"), else the one before the ground."""
    if not before or not _GROUND_GAP.match(_np_words_out(text, before[-1].end, t.start, np)):
        return None
    ground, c = before[-1], None
    rest = before[:-1]
    if kind == "between":
        if rest and _joined(text, rest[-1], ground, g):  # "A和B之间的C"
            c, ground, rest = ground, rest[-1], rest[:-1]
        elif ground.count == 2 or ground.plural:  # "两只狗中间的猫", "二匹の猫の間に"
            c = ground
        else:
            return None
    for figure in after[:3]:  # "桌子上的猫", "テーブルの上で寝ている猫", "테이블 위에 놓인 라떼", "木の下でお弁当を食べる家族"
        gap = _np_words_out(text, t.end, figure.start, np)
        if _GAP.match(gap) or _relative_clause(gap, g):
            return figure, ground, c
    of = tuple(g.data.get("possessive", ()))
    if rest and not (of and text[rest[-1].end:ground.start].strip() in of):  # ("桜の木の下": the cherry's tree)
        return rest[-1], ground, c
    return (after[0], ground, c) if after else None


def _coordinated_after(text: str, after: list[Actor], first: Actor, g: Grammar,
                       np: Sequence[tuple[int, int]]) -> list[Actor]:
    """ "桌子上的书和苹果", "テーブルの上に本が三冊とりんごが一つ": the figures after a place word joined by "and"."""
    chain = [first]
    for nxt in after[after.index(first) + 1:]:
        gap = _np_words_out(text, chain[-1].end, nxt.start, np).strip()
        gap = gap.lstrip("".join(p for ps in g.data.get("particles", {}).values() for p in ps if len(p) == 1) + " ")
        words = set(g.data.get("and", ())) | set(g.data.get("with", ()))
        if len(gap) > 8 or _SENTENCE.search(gap) or not any(gap.endswith(w) for w in words):
            break
        chain.append(nxt)
    return chain


_WORDS = re.compile(r"[^\W\d_]+")
_AND = re.compile(r"(?<![^\W_])(?:and|y|e|et|und|ed)(?![^\W_])")


def _pronoun(text: str, t: Tag, g: Grammar) -> bool:
    """An object pronoun right before the verb ("qui *en* mange", "che *lo* mangia") or right after it
    ("mange *une*"): ``object_pronouns`` of the grammar file, ``before`` and ``after`` the verb."""
    if t.cat != "rel":
        return False
    table = g.data.get("object_pronouns") or {}
    prev = _WORDS.findall(text[max(0, t.start - 12):t.start])
    if prev and prev[-1] in table.get("before", ()):
        return True
    after = _WORDS.findall(text[t.end:t.end + 30])
    # (after the verb, a pronoun that is also an article stands alone: "mange une au sommet", not "une pomme")
    stops = set(g.data.get("boundaries", ())) | set(g.data.get("determiners", ()))
    return bool(after) and after[0] in table.get("after", ()) and (
        len(after) == 1 or after[1] in stops or after[0] not in g.data.get("determiners", ()))


def _pair(text: str, t: Tag, kind: str, before: list[Actor], after: list[Actor], order: str,
          lang: str, np: Sequence[tuple[int, int]] = ()) -> tuple[Actor, Actor, Actor | None] | None:
    g = grammar(lang)
    if t.cat == "spatial" and lang in _POSTPOSITION_LANGS:
        return _postposition(text, t, kind, before, after, g, np)
    if kind == "between":
        if before and len(after) >= 2:
            return before[-1], after[0], after[1]
        if before and after and (after[0].count or 0) >= 2:
            return before[-1], after[0], after[0]  # "between two dogs"
        return None
    if order == "sov" and t.cat in ("rel", "prel"):
        objs = [a for a in before if _marked(text, a, _OBJECT_PARTICLES)]
        obj = objs[-1] if objs else (before[-1] if before else None)
        if obj is None:
            return None
        subs = [a for a in before if a is not obj and _marked(text, a, _SUBJECT_PARTICLES)]
        if subs:
            doer = subs[-1]
        elif after and len(_np_words_out(text, t.end, after[0].start, np).strip()) <= 2:
            doer = after[0]  # a relative clause: "リスを追いかける犬", "リスを追いかける大きな犬", "다람쥐를 쫓는 큰 개"
        else:
            rest = [a for a in before if a is not obj]
            if not rest:
                return None
            doer = rest[-1]
        passive = t.cat == "prel" or any(m in text[max(0, t.start - 8):t.end + 4]
                                         for m in grammar(lang).data.get("passive_markers", ()))
        return (obj, doer, None) if passive else (doer, obj, None)
    if t.cat == "spatial" and before and not after and re.search(r"\b(?:its|their|his|her)\b", t.text):
        # "a snowman ..., and a reindeer on its right": its = the subject before
        return (before[-1], before[-2], None) if len(before) >= 2 else None
    if before and not after and len(before) >= 2 and (_PRONOUN.match(text[t.end:t.end + 12]) or _pronoun(text, t, g)):
        # "a runner eating one", "qui en mange une", "che lo mangia": the thing named before; "a dog sees a
        # ball and catches it", "y la atrapa": a second verb of the sentence's subject, said of the last thing
        if _AND.search(text, before[-1].end, t.start):
            return before[-2], before[-1], None
        return before[-1], before[-2], None
    if not after and len(before) >= 2 and any(m in text[before[-2].end:before[-1].start] for m in _PASSIVE_MARKERS):
        return before[-1], before[-2], None  # "松鼠被狗追": the squirrel is chased by the dog
    if t.cat == "rel" and kind in _MUTUAL and len(before) >= 2 and not after \
            and _AND_GAP.fullmatch(text[before[-2].end:before[-1].start]):
        # "a father and his daughter hugging", "Pai e filha abraçados": each does it to the other
        return before[-2], before[-1], None
    if t.cat == "spatial" and len(after) >= 2 and not any(a.start >= _clause_start(text, t.start) for a in before):
        # a place said first: "und links neben dem Auto ein Fahrrad", "under the table, a sleeping cat"
        return after[1], after[0], None
    if not after and len(before) >= 2 and kind in _RECIPROCAL and _joined(text, before[-2], before[-1], g):
        return before[-2], before[-1], None  # "小女孩和小狗一起玩", "老师正在跟学生们说话"
    final = g.data.get("verb_final")
    if final and (not after or _COMMA.search(text, t.end, after[0].start)) and len(before) >= 2 and t.cat in ("rel", "prel") \
            and not _COMMA.search(text, before[-1].end, t.start) and t.start - before[-1].end <= 16:
        # the verb last in its clause, after both ("ein Bär, der Honig nascht"; "das von einem Fuchs gejagt
        # wird"): the one its agent word marks ("von") or a passive form names does it to the other
        agent = any(re.search(r"(?<![^\W_])" + re.escape(m) + r"\s*$", text[before[-2].end:before[-1].start])
                    for m in final.get("agents", ()))
        return (before[-1], before[-2], None) if agent or t.cat == "prel" else (before[-2], before[-1], None)
    if not before or not after:
        return None
    if len(before) >= 2 and any(text[:before[-1].start].rstrip().endswith(m)
                                for m in g.data.get("object_before_verb", ())):
        # "爸爸把球扔给儿子": 把 brings the object before the verb
        return before[-2], before[-1], None
    a, b = before[-1], after[0]
    passive = t.cat == "prel" or any(m in text[a.end:t.start] for m in _PASSIVE_MARKERS)
    return (b, a, None) if passive else (a, b, None)
