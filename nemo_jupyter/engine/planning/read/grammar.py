"""The words of a request that are not subjects: numbers, colours, sizes, relations, time, weather,
text and upload roles, intent cues; one data file per language (``data/grammar/<lang>.json``).

:func:`tags` finds them in a normalised prompt, in linear time (one :class:`~..phrases.PhraseMatcher`
per group of tables, longest phrase first), as :class:`Tag` values: ``cat`` says which table
(``num``, ``colour``, ``rel``, ``time``...; ``edit`` for the words of an edit, ``edit_words``), ``value``
what it says (``5``, ``"yellow"``, ``"chase"``...). A new language is one data file; a new word is one entry in it.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

from ..phrases import PhraseMatcher

LANGS = ("en", "zh", "ja", "ko", "es", "fr", "de", "pt", "it")
#: tables read as {value: [words]} and the tag category they give
_VALUE_TABLES = {"time_events": "timeev", "colours": "colour", "sizes": "size", "relations": "rel", "passive": "prel", "spatial": "spatial",
                 "verb_objects": "relo",  # a verb written with its object ("放风筝", "in bici"): that object is drawn
                 "times": "time", "weathers": "weather", "seasons": "season", "places": "place",
                 "text_roles": "role", "templates": "template", "upload_roles": "upload", "corners": "corner",
                 "particles": "particle", "moods": "mood", "aspects": "aspect"}
#: tables read as [words] and their category (the value is the word's table)
_WORD_TABLES = {"plural_words": "plural", "not_sizes_before": "nsize", "and": "and", "sound_nouns": "sound",
                "greeting_texts": "greeting_text", "question_starts": "question", "request_verbs": "request",
                "video_words": "video", "outside": "outside", "when": "when", "at_start": "at_start",
                "at_end": "at_end", "counters": "counter", "negations": "neg", "possessive": "of",
                "none": "none", "modifier_heads": "head", "not_relations": "norel", "help_starts": "help",
                "not_templates": "notemplate", "music_words": "musicword", "middle": "middle",
                "export_words": "export"}
#: which categories share a matcher (a phrase is matched once per group, the longest first)
_GROUPS = (
    ("num", "plural", "colour", "size", "nsize", "counter"),
    ("rel", "prel", "spatial", "norel", "relo"),
    ("time", "timeev", "weather", "season", "place", "sound", "none"),
    ("role", "greeting_text", "template", "notemplate", "upload", "corner"),
    ("question", "request", "video", "outside", "help", "export"),
    ("when", "at_start", "at_end", "middle", "and", "neg", "of", "particle", "head"),
    ("mood", "musicword", "aspect"),
    ("edit",),
)
_GERMAN_ENDINGS = ("", "e", "en", "er", "es", "em")
_SETTING_CATS = frozenset(["place", "time", "weather", "season"])


@dataclass(frozen=True)
class Tag:
    start: int
    end: int
    cat: str
    value: Any
    text: str


@dataclass(frozen=True)
class Grammar:
    lang: str
    order: str                    # "svo" | "sov": where a verb's object is
    adjectives: str               # "before" | "after" | "both": where colour and size words stand
    numbers_after: bool           # a count may follow its noun (ko, ja: "오리 다섯 마리")
    matchers: tuple[PhraseMatcher[tuple[tuple[str, Any], ...]], ...]
    data: dict[str, Any]


@cache
def _load(lang: str) -> dict[str, Any]:
    path = resources.files("nemo_jupyter.engine.planning").joinpath("data").joinpath("lang").joinpath(f"{lang}.json")
    data: dict[str, Any] = json.loads(path.read_text("utf-8"))
    return data


def _entries(lang: str, data: dict[str, Any]) -> dict[str, list[tuple[str, Any]]]:
    """phrase -> [(category, value)] for one language's tables."""
    out: dict[str, list[tuple[str, Any]]] = {}
    # a preposition and its forms joined with an article ("dà da mangiare a" is also "... ai", "... alle")
    joined = {w: group for group in data.get("contractions", []) for w in group}
    written = {w.lower() for table in ("relations", "passive", "spatial") for ws in data.get(table, {}).values() for w in ws}

    def add(word: str, cat: str, value: Any) -> None:
        forms = [word]
        if lang == "de" and cat in ("colour", "size") and " " not in word:
            forms = [word + e for e in _GERMAN_ENDINGS]
        head, _, last = word.rpartition(" ")
        if head and cat in ("rel", "prel", "spatial") and last.lower() in joined:
            # (a form written in a table keeps its own meaning: "fait du" rides, "fait des" builds)
            forms = [word] + [f"{head} {form}" for form in joined[last.lower()] if f"{head} {form}".lower() not in written]
        for form in forms:
            pairs = out.setdefault(form.lower(), [])
            if (cat, value) not in pairs:
                pairs.append((cat, value))

    for value, words in data.get("numbers", {}).items():
        for word in words:
            add(word, "num", int(value))
    for table, cat in _VALUE_TABLES.items():
        for value, words in data.get(table, {}).items():
            for word in words:
                add(word, cat, value)
    for table, cat in _WORD_TABLES.items():
        for word in data.get(table, []):
            add(word, cat, word)
    for table, words in data.get("edit_words", {}).items():  # read/edit_words.py: never a subject
        for word in words:
            add(word, "edit", table.removesuffix("_end"))
    return out


@cache
def grammar(lang: str) -> Grammar:
    """The grammar of ``lang`` (one of :data:`LANGS`; others read as English)."""
    lang = lang if lang in LANGS else "en"
    data = _load(lang)
    entries = _entries(lang, data)
    matchers = []
    for group in _GROUPS:
        pairs = [(phrase, tuple(p for p in values if p[0] in group)) for phrase, values in entries.items()]
        matchers.append(PhraseMatcher((phrase, vals) for phrase, vals in pairs if vals))
    return Grammar(lang=lang, order=str(data.get("order", "svo")), adjectives=str(data.get("adjectives", "before")),
                   numbers_after=bool(data.get("numbers_after", False)), matchers=tuple(matchers), data=data)


_DIGITS = re.compile(r"(?<![0-9A-Za-z\u00c0-\u024f.,:])(\d{1,3})(?![\d.,:%]|\s*-?\s*(?:%|s\b|sec|second|min|h\b|hour|p\b|x\b|秒|분|초|分|"
                     r"segund|second|sekund|minut|st\b|nd\b|rd\b|th\b|年|歳|살|세|岁|year|ans|jahr|años|anni|anos|"
                     # (a grade, a date, an hour, a floor, an anniversary: no count of things)
                     r"학년|주년|년|월|일|시|층|번째|번|등|회|月|日|号|点|层|楼|周年|回|階|番|位|级|級|%))")


@cache
def _determiners(lang: str) -> frozenset[str]:
    return frozenset(w.lower() for w in _load(lang if lang in LANGS else "en").get("determiners", []))


_FIRST_WORD = re.compile(r"\S+\s+")


def _past_determiners(matcher: PhraseMatcher[Any], norm: str, dets: frozenset[str]) -> list[Any]:
    """The matcher's hits, where a phrase led by a determiner ("as fotos") never hides a longer one that
    starts at its next word ("fotos dos produtos": product photos, not any photos)."""
    hits = list(matcher.finditer(norm))
    out: list[Any] = []
    for hit in hits:
        if out and hit.start < out[-1].end:
            continue  # covered by a longer phrase found past a determiner
        first = _FIRST_WORD.match(hit.text)
        if first and first.group(0).strip() in dets:
            pos = hit.start + first.end()
            longer = next((h for h in matcher.finditer(norm[pos:hit.end + 80]) if h.start == 0), None)
            if longer is not None and pos + longer.end > hit.end:
                out.append(type(hit)(pos, pos + longer.end, longer.text, longer.value))
                continue
        out.append(hit)
    return out


def tags(norm: str, lang: str) -> list[Tag]:
    """Every grammar word of ``norm`` (lower-cased, quotes replaced by placeholders), in order."""
    g = grammar(lang)
    out: list[Tag] = []
    dets = _determiners(lang)
    for matcher in g.matchers:
        for hit in _past_determiners(matcher, norm, dets):
            for cat, value in hit.value:
                out.append(Tag(hit.start, hit.end, cat, value, hit.text))
    for m in _DIGITS.finditer(norm):
        out.append(Tag(m.start(), m.end(), "num", int(m.group(1)), m.group(0)))
    # a text's cue names nothing else: "voce fuori campo" is a voice-over, not a field
    cues = [(t.start, t.end) for t in out if t.cat == "role" and t.value == "voiceover"]  # (a bakery called X is one)
    out = [t for t in out if t.cat not in _SETTING_CATS or not any(a <= t.start and t.end <= b and b - a > t.end - t.start
                                                                     for a, b in cues)]
    # a counter counts only after a number ("三つ", "두 마리"): the "つ" of "こたつ" is no counter
    counted = [t.end for t in out if t.cat in ("num", "plural")]
    out = [t for t in out if t.cat != "counter" or any(0 <= t.start - e <= 1 for e in counted)]
    ofs = [t.end for t in out if t.cat == "of"]
    out = [t for t in out if not (t.cat == "colour" and any(0 <= t.start - e <= 1 for e in ofs)
                                  and _names_a_thing(t.text.strip(), lang))]
    out.sort(key=lambda t: (t.start, -t.end))
    return out


def _names_a_thing(word: str, lang: str) -> bool:
    """A colour word after "of" that names a flower, a fruit or an animal is that thing: "un ramo de
    *rosas*" (roses, not pink), "une corbeille d'*oranges*" (but "vestida de rojo" stays red)."""
    from ..lexicon import lexicon  # (the lexicon reads the grammar's tables: imported when first needed)

    lex = lexicon()
    sid = lex.subject_of(word, lang)
    info = lex.info(sid) if sid else None
    return info is not None and info.kind.startswith(("plant", "food", "animal"))


# -- Korean: particles written onto their noun ---------------------------------------------------
_KO_PARTICLES = ("에서부터", "에게서", "에서", "에게", "한테", "으로", "이랑", "하고", "처럼", "보다", "까지", "부터",
                 "에", "의", "이", "가", "은", "는", "을", "를", "와", "과", "도", "로", "만", "랑", "들")
#: the space put between a Korean word and its particle (a thin space: read as any space, and taken out
#: again where the prompt's own words are shown: an item, an event)
PARTICLE_SPACE = "\u2009"
_KO_HADA = ("해요", "해서", "해줘", "하는", "하면", "하기", "했어", "했다", "합니다", "해")
_HANGUL_WORD = re.compile(r"[\uac00-\ud7af]+")


def split_korean_particles(norm: str, known: frozenset[str], verbal: frozenset[str] = frozenset()) -> str:
    """ "고양이가 테이블 아래에" -> "고양이 가 테이블 아래 에": a particle after a known word (a subject,
    a background or a grammar word) is split off, so that the word is found and the particle read; so is
    the 하다 of a grammar word made a verb (``verbal``: "홍보해 줘" -> "홍보 해 줘")."""
    def split(m: re.Match[str]) -> str:
        word = m.group(0)
        tail: list[str] = []
        for _ in range(3):
            if word in known:
                break
            for p in _KO_PARTICLES:
                if word.endswith(p) and len(word) > len(p) and (word[:-len(p)] in known or any(
                        word[:-len(p)].endswith(q) for q in _KO_PARTICLES)):
                    tail.insert(0, p)
                    word = word[:-len(p)]
                    break
            else:
                # a known noun made a verb with 하다 ("홍보해 줘", "설명하는"): the noun is read
                hada = next((h for h in _KO_HADA if word.endswith(h) and word[:-len(h)] in verbal), None)
                if hada is None:
                    break
                tail.insert(0, hada)
                word = word[:-len(hada)]
        return PARTICLE_SPACE.join([word, *tail]) if tail and word in known else m.group(0)

    return _HANGUL_WORD.sub(split, norm)


_NOT_SUBJECT_TABLES = ("colours", "sizes", "times", "weathers", "seasons")


@cache
def grammar_words(lang: str) -> frozenset[str]:
    """Words of ``lang`` that say a colour, size, number, time, weather or season (never a subject alone)."""
    if lang not in LANGS:
        return frozenset()
    data = _load(lang)
    words = {w.lower() for table in _NOT_SUBJECT_TABLES for ws in data.get(table, {}).values() for w in ws}
    words |= {w.lower() for ws in data.get("numbers", {}).values() for w in ws}
    return frozenset(words)


def words_of(lang: str, table: str) -> Any:
    """A lexicon table of ``lang`` (``synonyms``, ``substitutes``, ``stop``, ``groups``, ``themes``, ``verbs``)."""
    if lang not in LANGS:
        return {} if table != "stop" else []
    return _load(lang).get("lexicon", {}).get(table, {} if table != "stop" else [])
