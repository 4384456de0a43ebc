"""An action between two subjects that no relation word names ("a red car overtakes a blue bus", "a
dog fetching the ball"): a relation of kind ``other``, with the verb as written, so that the checklist
says the action is not shown instead of dropping it. Read where a verb stands alone right between the
two subjects' phrases: English verbs by their endings (-s, -es, -ed, -ing); in German, French,
Spanish, Italian and Portuguese one word that no table names, followed by a determiner of the
language ("ein Feuerwehrmann rettet eine Katze", "un pompier sauve un chat")."""

from __future__ import annotations

import re
from collections.abc import Sequence
from itertools import pairwise

from ..brief import Actor, Relation
from .grammar import Tag, grammar

OTHER = "other"  # a relation kind the renderer does not draw (draft_format.RELATIONS_DRAWN)
_VERB_GAP = re.compile(r"\s*(?:(?:is|are|was|were|keeps|starts)\s+)?(?P<verb>[a-z]{3,}(?:s|ed|ing))"
                       r"(?P<particle>\s+(?:up|down|out|over|past|off|after|back|away))?"
                       r"\s+(?:(?:the|a|an|his|her|its|their|my|our|some|another|other)\s+)?\s*")
#: words with a verb's ending that join no action ("a cat and its friends", "with wings")
_NOT_VERBS = frozenset(["has", "was", "does", "goes", "is", "this", "its", "his", "plus", "thus",
                        "bring", "during", "nothing", "something", "everything", "morning", "evening",
                        "ceiling", "building", "painting", "wedding", "pudding", "king", "ring", "wing",
                        "spring", "string", "swing", "thing", "sibling", "seedling", "duckling",
                        "red", "bed", "shed", "sled", "seed", "weed", "bird", "speed", "feed", "need",
                        "glass", "grass", "class", "gas", "bus", "mess", "dress", "press", "boss", "moss"])


_LATIN = ("de", "fr", "es", "it", "pt")


def _gap_pattern(lang: str) -> re.Pattern[str] | None:
    if lang == "en":
        return _VERB_GAP
    if lang not in _LATIN:
        return None
    dets = sorted((d for d in grammar(lang).data.get("determiners", []) if d.isalpha()), key=len, reverse=True)
    return re.compile(r"\s*(?P<verb>[^\W\d_]{4,})(?P<particle>)\s+(?:" + "|".join(map(re.escape, dets)) + r")\s+\s*")


def other_relations(text: str, actors: Sequence[Actor], known: Sequence[Relation], tags: Sequence[Tag],
                    lang: str) -> list[Relation]:
    """The actions between two subjects of ``text`` that ``known`` (the relations read) leaves out."""
    pattern = _gap_pattern(lang)
    if pattern is None:
        return []
    # prepositions and other function words of the language ("durch", "para", "avec") are no verbs
    function_words = {w.lower() for w in grammar(lang).data.get("boundaries", [])}
    placed = sorted((a for a in actors if a.start >= 0 and a.id and a.s), key=lambda a: a.start)
    joined = {frozenset((r.a, r.b or "")) for r in known}
    attrs = [(t.start, t.end) for t in tags if t.cat in ("num", "colour", "size", "plural")]
    out: list[Relation] = []
    for a, b in pairwise(placed):
        if a.id == b.id or frozenset((a.id, b.id)) in joined or b.start <= a.end:
            continue
        gap = list(text[a.end:b.start])
        for x, y in attrs:  # "overtakes a blue bus": the colour is the bus's
            if a.end <= x and y <= b.start:
                gap[x - a.end:y - a.end] = " " * (y - x)
        m = pattern.fullmatch("".join(gap))
        if m is None or m.group("verb") in _NOT_VERBS or m.group("verb") in function_words:
            continue
        start = a.end + m.start("verb")
        if any(t.start < start + len(m.group("verb")) and start < t.end for t in tags):
            continue  # a word of the grammar (a relation, a place, a time) already read
        word = m.group("verb") + (m.group("particle") or "")
        out.append(Relation(kind=OTHER, a=a.id, b=b.id, word=word))
        joined.add(frozenset((a.id, b.id)))
    return out
