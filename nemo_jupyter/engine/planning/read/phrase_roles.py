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
                       r"(?:little\s+|dear\s+|lovely\s+|\d+(?:st|nd|rd|th)\s+)?$"
                       # (Chinese: "给初二学生讲…", "给我们班的同学": a few characters may say which; at the start
                       # of a clause: "扔给儿子" is thrown to him)
                       r"|(?:^|(?<=[\s,，。.!?！？:：]))(?:给|送给|为|教)[\u4e00-\u9fff]{0,3}$")

_OF = re.compile(r"^\s+(?:of|de|del|de la|des|du|di|della|del|da|do|dos|das)\s+(?:the\s+|la\s+|le\s+|l'|el\s+)?$")


#: grammar phrases a subject word inside of which is not a subject ("a boat under the bridge", "咖啡色",
#: "au lever du soleil", "马上", "clouds over the sea")
_NOT_SUBJECT_CATS = frozenset(["place", "weather", "time", "season", "colour", "size", "none", "mood", "role", "corner",
                               "upload", "norel", "aspect", "edit"])  # (norel: "马上" at once holds no horse; edit:
#                                                                        an edit's own words, read/edit_words.py)


def _counter_after_number(tags: list[Tag], start: int, end: int) -> bool:
    """ "三本の木", "사과 세 개", "몇 개": the counter after a number counts, it names nothing (but "本が三冊",
    "개가 고양이를": a book, a dog)."""
    if any(t.cat == "num" and t.start <= start and end <= t.end for t in tags):
        return True  # a number word with its counter ("三本")
    nums = [t for t in tags if t.cat in ("num", "plural") and 0 <= start - t.end <= 1]
    return bool(nums) and any(t.cat == "counter" and t.start <= start and end <= t.end for t in tags)


def _inside_verb(tags: list[Tag], start: int, end: int) -> bool:
    """ "肩車" (carry on one's shoulders), "밥을 주는" (feed): a subject word inside a longer verb phrase is that verb."""
    return any(t.cat == "rel" and t.start <= start and end <= t.end and t.end - t.start > end - start for t in tags)


def _in_none(tags: list[Tag], pos: int) -> bool:
    """Inside a phrase that names nothing to draw ("the stock market", "every night", "a fire drill")."""
    return any(t.cat == "none" and t.start <= pos < t.end for t in tags)


def _modifies(tags: list[Tag], end: int, after: str) -> bool:
    """ "a flower shop", "a dinosaur costume": the subject word only says what kind of shop it is."""
    return any(t.cat == "head" and 0 <= t.start - end <= 1 for t in tags) and bool(after[:1].isspace())


# (not a place phrase: "to the left of the girl", "next to the girl" say where, not for whom)
_AUDIENCE = re.compile(r"(?<![a-z])(?<!next )(?<!close )(?:for|to|para|pour|für|per|给|送给)\s+(?:my|our|your|the|all|mi|mis|"
                       r"ma|mon|mes|meine[nm]?|meinen|i miei|os meus|as minhas)\s+"
                       r"(?:(?!(?:of|de|di|do|da|du|von)\s)[\w-]+\s+){0,3}$")


# "I am a teacher", "sono una maestra": who asks; "to thank my son's teacher", "remercier la maîtresse":
# whom the video thanks. Neither is drawn unless the prompt also shows them.
_SPEAKER_OR_THANKED = re.compile(
    r"(?<![^\W_])(?:i am|i'm|soy|sono|je suis|ich bin|eu sou|sou|thank|thanks to|to thank|merci à|remercier|"
    r"danke|bedanken bei|grazie a|ringraziare|agradecer a|agradecer|gracias a|obrigad[oa] a|agradecer à)\s+"
    r"(?:(?:a|an|the|my|our|una|uno|un|une|la|le|les|el|los|las|mi|mis|ma|mon|mes|nos|notre|meine[nm]?|unsere[nm]?|"
    r"eine|ein|einen|die|den|uma|um|o|a|os|as|meu|minha|il|lo|i|gli|mia|mio|nostra|nostro)\s+)*$")


def _audience(before: str) -> bool:
    """ "... for my Year 4 class", "explain to my economics students": who the video is for (and who
    asks or is thanked: "sono una maestra", "remercier la maîtresse")."""
    tail = before[-60:]
    return bool(_FOR_WHOM.search(before) or _AUDIENCE.search(tail) or _SPEAKER_OR_THANKED.search(tail))


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
    # "鸭子的妈妈", "カルガモのお母さん", "오리의 엄마": the kin of an animal joined by the genitive is that
    # animal's kin, an animal of its kind (and the animal word only says whose)
    of = set(grammar(lang).data.get("possessive", [])) if lang in ("zh", "ja", "ko") else set()
    for a, b in itertools.pairwise(actors):
        info = lex.info(a.s)
        if (b.word in kin and of and info is not None and info.kind.startswith("animal")
                and (norm[a.end:b.start].strip() in of or a.end == b.start) and a not in drop):  # ("熊猫宝宝")
            drop.append(a)
            actors[actors.index(b)] = replace(b, s=a.s, art=a.art, start=a.start)  # (its phrase: "小猫的妈妈")
    for a in drop:
        actors.remove(a)
    # "ペンギンの親子", "熊猫母子": a word that names an animal's parent and young is two of its kind
    pairs = sorted(grammar(lang).data.get("kin_pairs", []), key=len, reverse=True)
    for a in list(actors):
        info = lex.info(a.s)
        after = norm[a.end:a.end + 6].lstrip()
        after = after[1:].lstrip() if of and after[:1] in of else after
        pair = next((p for p in pairs if after.startswith(p)), None)
        if pair and info is not None and info.kind.startswith("animal"):
            at = norm.index(pair, a.end)
            for x in [x for x in actors if x.start == at]:
                actors.remove(x)  # ("펭귄 가족": not a family of people)
            actors.insert(actors.index(a) + 1, replace(a, word=pair, start=at, end=at + len(pair), count=None))
    owners = set(grammar(lang).data.get("kin_possessives", []))
    for i, a in enumerate(actors):
        before = norm[max(0, a.start - 8):a.start].split()
        animals = [x for x in actors[:i] if (info := lex.info(x.s)) is not None and info.kind.startswith("animal")]
        if a.word in kin and before and before[-1] in owners and animals:
            # "a baby elephant and its mother": the mother is an elephant too
            actors[i] = replace(a, s=animals[-1].s, art=animals[-1].art)


def _in_time_phrase(tags: list[Tag], pos: int) -> bool:
    return any(t.cat == "time" and t.start <= pos < t.end and t.end - t.start > len("sunset") for t in tags)


_GAP = re.compile(r"[,;.!?:，。；！？：\n]")


_FIGURE_PLACES = frozenset(["on", "under", "inside", "beside", "behind", "in_front_of", "left_of", "right_of", "above", "below", "near"])


def _article_before(norm: str, start: int, lang: str) -> bool:
    """A singular article right before ("*a* bird", "*un* oiseau", "*ein* Vogel"): one thing, not a kind."""
    words = norm[max(0, start - 8):start].split()
    return bool(words) and words[-1] in _ONE


_ONE = frozenset(["a", "an", "one", "un", "une", "una", "uno", "um", "uma", "ein", "eine", "einen", "einem"])


def _one_thing(word: str, start: int, end: int, norm: str, tags: list[Tag], lang: str) -> str | None:
    """The subject a background word ("bird", "stars", "pájaro") names when the prompt makes it one
    thing of the picture: a colour, size or count of its own ("a blue bird", "three stars"), or a
    part in a relation ("a bird sitting on a fence", "looking at the stars", "guarda le stelle");
    None when it is the backdrop ("a forest with birds", "the night sky")."""
    sid = lexicon().background_subject(word, lang)
    if sid is None or any(t.cat in ("time", "weather", "season", "place", "none") and t.start <= start < t.end
                          for t in tags):
        return None  # "di notte" is when, not a bridge at night
    dets = {w.lower() for w in grammar(lang).data.get("determiners", [])}
    attrs = [(t.start, t.end) for t in tags if t.cat in ("colour", "size", "num")]

    def only_articles(a: int, b: int) -> bool:
        return all(w in dets or any(x <= a + m.start() < y for x, y in attrs)
                   for m in re.finditer(r"[^\s]+", norm[a:b]) for w in [m.group(0)])

    for t in tags:
        if t.cat in ("colour", "size", "num") and 0 <= start - t.end <= 2:
            return sid
        if t.cat in ("colour", "size") and 0 <= t.start - end <= 1 and grammar(lang).adjectives in ("after", "both"):
            return sid  # "un pájaro azul"
        if t.cat in ("rel", "prel") and 0 <= t.start - end <= 14 and _DOER_GAP.fullmatch(norm[end:t.start]):
            return sid  # the doer: "a bird sitting on", "birds chasing", "les oiseaux qui volent"
        if t.cat == "spatial" and t.value in _FIGURE_PLACES and 0 <= t.start - end <= 2 and _article_before(norm, start, lang):
            return sid  # one thing somewhere: "a bird on a branch", "un oiseau sur le toit" (not "birds over the sea")
        if t.cat == "rel" and 0 <= start - t.end <= 12 and only_articles(t.end, start):
            return sid  # the other: "looking at the stars", "guarda le stelle" (not "eating one on a mountain")
    return None


_DOER_GAP = re.compile(r"\s*(?:(?:is|are|that|who|which|che|qui|que|der|die|das|é|está|estão|sta|stanno|è|est|sont|"
                       r"ist|sind)\s+)?")


_MY = r"(?:my|our|your|his|her|their|mon|ma|mes|notre|nos|mi|mis|nuestro|nuestra|tu|su|mio|mia|mie|miei|nostro|nostra|" \
      r"meu|minha|meus|minhas|nosso|nossa|mein|meine|meinem|meiner|meines|unser|unserem|unserer)"
_OF_MY = re.compile(r"(?<![^\W_])(?:de|di|do|da|del|della|von|of)\s+(?:il\s+|la\s+|o\s+|a\s+)?" + _MY + r"\s+$")
_MY_BEFORE = re.compile(r"(?<![^\W_])" + _MY + r"\s+$")


def _possessor(norm: str, actor: Actor, others: list[Actor]) -> bool:
    """ "my son's teacher", "la maîtresse de mon fils", "la maestra di mio figlio": the son only says
    whose teacher it is (mentioned, not drawn)."""
    after = norm[actor.end:actor.end + 20]
    if re.match(r"'s\s+[^\W\d_]", after) and _MY_BEFORE.search(norm[max(0, actor.start - 12):actor.start]):
        return any(o is not actor and 0 <= o.start - actor.end <= 16 for o in others)
    m = _OF_MY.search(norm[max(0, actor.start - 24):actor.start])
    if m is None:
        return False
    of_at = actor.start - (len(norm[max(0, actor.start - 24):actor.start]) - m.start())
    return any(o is not actor and 0 <= of_at - o.end <= 2 for o in others)


def same_word(a: str, b: str, kin: frozenset[str] = frozenset()) -> bool:
    """ "the cows" after "three cows" are those cows; "the mother duck" (a kin word) is another duck."""
    a, b = a.lower().rstrip("s"), b.lower().rstrip("s")
    if has_kin(a, kin) != has_kin(b, kin):
        return False
    return a == b or a.endswith(b) or b.endswith(a)


def has_kin(word: str, kin: frozenset[str]) -> bool:
    return bool(kin_of(word, kin))


def kin_of(word: str, kin: frozenset[str]) -> str:
    """The kin word inside ``word`` ("mother" of "mother duck", "새끼" of "새끼 오리"), or ""."""
    words = set(word.split())
    return next((k for k in sorted(kin) if k in words or (not k.isascii() and k in word)), "")
