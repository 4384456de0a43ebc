"""What a subject word does in its phrase: counted by a counter ("三本の木"), inside a phrase that
names nothing ("the stock market"), the kind of a shop ("a flower shop"), who the video is for ("for my
Year 4 class"), a verb ("building a"), the head of two background words ("a restaurant kitchen"), kin
of an animal ("a mother duck"), part of a time phrase ("at sunset")."""

from __future__ import annotations

import itertools
import re
from dataclasses import replace

from ..brief import Actor
from ..lexicon import lexicon
from .grammar import Tag, grammar

_FOR_WHOM = re.compile(r"(?<![^\W\d_])(?:for|para|pras?|pros?|pour|für|per|给|送给)\s*"
                       r"(?:(?:my|our|your|the|a|all|mi|mis|ma|mon|mes|nos|les|meine[nm]?|meinen|unsere[nm]?|die|as|os|"
                       r"meus|minhas|nossos|nossas|los|las|mis|nuestros|nuestras|i|le|gli|miei|mie|nostri|nostre)\s+)*"
                       r"(?:little\s+|dear\s+|lovely\s+|\d+(?:st|nd|rd|th)\s+)?$")

_OF = re.compile(r"^\s+(?:of|de|del|de la|des|du|di|della|del|da|do|dos|das)\s+(?:the\s+|la\s+|le\s+|l'|el\s+)?$")


#: grammar phrases a subject word inside of which is not a subject ("a boat under the bridge", "咖啡色",
#: "au lever du soleil", "马上", "clouds over the sea")
_NOT_SUBJECT_CATS = frozenset(["place", "weather", "time", "season", "colour", "size", "none", "counter", "mood", "role",
                               "aspect", "upload", "corner", "edit"])


def _counter_after_number(tags: list[Tag], start: int, end: int) -> bool:
    """ "三本の木", "사과 세 개": the counter after a number counts, it names nothing."""
    nums = [t for t in tags if t.cat == "num" and 0 <= start - t.end <= 1]
    return bool(nums) and any(t.cat == "counter" and t.start <= start and end <= t.end for t in tags)


def _in_none(tags: list[Tag], pos: int) -> bool:
    """Inside a phrase that names nothing to draw ("the stock market", "every night", "a fire drill")."""
    return any(t.cat == "none" and t.start <= pos < t.end for t in tags)


def _modifies(tags: list[Tag], end: int, after: str) -> bool:
    """ "a flower shop", "a dinosaur costume": the subject word only says what kind of shop it is."""
    return any(t.cat == "head" and 0 <= t.start - end <= 1 for t in tags) and bool(after[:1].isspace())


_AUDIENCE = re.compile(r"(?<![a-z])(?:for|to|para|pour|für|per|给|送给)\s+(?:my|our|your|the|all|mi|mis|ma|mon|mes|"
                       r"meine[nm]?|meinen|i miei|os meus|as minhas)\s+(?:[\w-]+\s+){0,3}$")


def _audience(before: str) -> bool:
    """ "... for my Year 4 class", "explain to my economics students": who the video is for."""
    return bool(_FOR_WHOM.search(before) or _AUDIENCE.search(before[-60:]))


_VERB_BEFORE_DET = frozenset(["show", "shows", "play", "plays", "race", "races", "match", "matches", "study", "studies"])


def _verb_here(word: str, after: str, lang: str) -> bool:
    """An English -ing background word, or "show", followed by a determiner is a verb ("building a",
    "driving the", "show a cat")."""
    if lang != "en" or not (word.endswith("ing") or word in _VERB_BEFORE_DET):
        return False
    nxt = after.split(None, 1)
    return bool(nxt) and nxt[0] in set(grammar(lang).data.get("determiners", []))


def _compound_heads(mains: list[tuple[str, int, str]], text: str) -> list[tuple[str, int, str]]:
    """ "a restaurant kitchen" is a kitchen, "la cocina del restaurante" too: two background words
    that make one noun phrase give one background, the phrase's head."""
    out = sorted(mains, key=lambda x: x[1])
    i = 0
    while i + 1 < len(out):
        (s1, p1, f1), (s2, p2, f2) = out[i], out[i + 1]
        gap = text[p1 + len(f1):p2]
        if f1 and f2 and s1 != s2 and not gap.strip():
            del out[i]          # head last: "restaurant kitchen", "Restaurantküche"
            continue
        if f1 and f2 and s1 != s2 and _OF.match(gap):
            del out[i + 1]      # head first: "cocina del restaurante"
            continue
        i += 1
    return out


def _kin_of_animals(actors: list[Actor], norm: str, lang: str) -> None:
    """ "a mother duck", "baby elephants": the kin word says who the animal is, not another person."""
    kin = set(grammar(lang).data.get("kin_words", []))
    if not kin:
        return
    lex = lexicon()
    drop = []
    for a, b in itertools.pairwise(actors):
        info = lex.info(b.s)
        if (a.word in kin and info is not None and info.kind.startswith("animal")
                and 0 <= b.start - a.end <= 2 and not norm[a.end:b.start].strip(" -")):
            drop.append(a)
    for a in drop:
        actors.remove(a)
    owners = set(grammar(lang).data.get("kin_possessives", []))
    for i, a in enumerate(actors):
        before = norm[max(0, a.start - 8):a.start].split()
        animals = [x for x in actors[:i] if (info := lex.info(x.s)) is not None and info.kind.startswith("animal")]
        if a.word in kin and before and before[-1] in owners and animals:
            # "a baby elephant and its mother": the mother is an elephant too
            actors[i] = replace(a, s=animals[-1].s, art=animals[-1].art)


def _in_time_phrase(tags: list[Tag], pos: int) -> bool:
    return any(t.cat == "time" and t.start <= pos < t.end and t.end - t.start > len("sunset") for t in tags)
