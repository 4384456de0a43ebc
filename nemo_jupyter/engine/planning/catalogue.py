"""The planner's words in the user's language: one message catalogue per language
(``data/messages/<lang>.json``, the same keys in each), and the names of what is drawn.

:func:`say` fills a message; a language without a catalogue falls back to English. Names of
subjects and backgrounds come from the vocabulary (the Unicode CLDR names of ``subjects.json``
and the words of ``scenes.json``), so that a reply names a drawn thing in the prompt's language.
"""

from __future__ import annotations

import json
import re
from functools import cache
from importlib import resources
from typing import Any

from nemo_jupyter.draft_format import MOODS

from .lexicon import lexicon
from .read.grammar import grammar
from .vocabulary import _SCENE_NAMES, _SCENE_TERMS_BY_LANG

LANGS = ("en", "zh", "ja", "ko", "es", "fr", "de", "pt", "it")


def lang_of(language: str | None) -> str:
    """The catalogue of a reply language code ("zh-CN" -> "zh", "pt-BR" -> "pt", "ru" -> "en")."""
    base = (language or "en").split("-")[0].lower()
    return base if base in LANGS else "en"


@cache
def catalogue(lang: str) -> dict[str, str]:
    path = resources.files("nemo_jupyter.engine.planning").joinpath("data").joinpath("messages").joinpath(f"{lang}.json")
    data: dict[str, str] = json.loads(path.read_text("utf-8"))
    return data


def say(language: str | None, key: str, **params: Any) -> str:
    """The message ``key`` in ``language``, its ``{fields}`` filled from ``params``."""
    lang = lang_of(language)
    text = catalogue(lang).get(key) or catalogue("en")[key]
    text = text.format(**params)
    return _ko_particles(text) if lang == "ko" and params else text


# Korean particles by the sound before them: 을/를, 이/가, 은/는, 과/와, 으로/로 ("강아지를", "숲을", "물로")
_KO_PARTICLE = re.compile(r"(을\(를\)|이\(가\)|은\(는\)|와\(과\)|\(으\)로)")
#: digits said with a final consonant (영, 일, 삼, 육, 칠, 팔, 십: "3을", "2를")
_KO_DIGIT_BATCHIM = frozenset("0136780")
_KO_FORMS = {"을(를)": ("을", "를"), "이(가)": ("이", "가"), "은(는)": ("은", "는"), "와(과)": ("과", "와"),
             "(으)로": ("으로", "로")}


def _ko_particles(text: str) -> str:
    def pick(m: re.Match[str]) -> str:
        form = m.group(1)
        before = text[:m.start()].rstrip("”\"'」)］] ")  # (the word inside a quote or brackets)
        if not before:
            return form
        last = before[-1]
        code = ord(last) - 0xAC00
        if 0 <= code < 11172:
            final = code % 28  # the syllable's last consonant (0: none)
            batchim = final != 0 and not (form == "(으)로" and final == 8)  # (ㄹ takes 로)
        else:  # a digit as said; a Latin word as most are said, without a final consonant
            batchim = (last in _KO_DIGIT_BATCHIM and form != "(으)로") or (last in "036" and form == "(으)로")
        return _KO_FORMS[form][0 if batchim else 1]

    return _KO_PARTICLE.sub(pick, text)


def decimal(language: str | None, number: str) -> str:
    """A number as the language writes it ("0.85" -> "0,85")."""
    return number.replace(".", say(language, "decimal"))


def quote(language: str | None, text: str) -> str:
    return say(language, "quote", text=text)


def join(language: str | None, items: list[str]) -> str:
    return say(language, "list_sep").join(items)


def and_join(language: str | None, items: list[str]) -> str:
    """ "a, b and c", "a、b和c", "a, b und c"."""
    if len(items) < 2:
        return "".join(items)
    return join(language, items[:-1]) + say(language, "and") + items[-1]


def sentences(language: str | None, parts: list[str]) -> str:
    """Sentences one after the other: a space between them, none in Chinese and Japanese."""
    sep = "" if lang_of(language) in ("zh", "ja") else " "
    return sep.join(p.strip() for p in parts if p and p.strip())


def count(language: str | None, key: str, n: int) -> str:
    """A counted phrase: ``key`` + "_one" for one ("1 scene"), else ``key`` ("3 scenes")."""
    lang = lang_of(language)
    if n == 1 and (key + "_one") in catalogue(lang):
        return say(lang, key + "_one", n=n)
    return say(lang, key, n=n)


def span(language: str | None, st_ms: int, d_ms: int) -> str:
    """A time span of the video: "0-3 s", "0-3秒"."""
    return say(language, "span", a=seconds(st_ms, language), b=seconds(st_ms + d_ms, language))


def seconds(ms: int | float, language: str | None = None) -> str:
    """Milliseconds as seconds, whole where they are ("3", "6.7"; "6,7" where the language writes a comma)."""
    s = ms / 1000.0
    text = str(round(s)) if abs(s - round(s)) < 0.05 else f"{s:.1f}"
    return text.replace(".", say(language, "decimal")) if language else text


def capital(language: str | None, text: str) -> str:
    """The first letter of a reply in upper case (in the languages that have cases)."""
    return text[:1].upper() + text[1:] if lang_of(language) not in ("zh", "ja", "ko") else text


@cache
def _names(lang: str) -> dict[str, str]:
    """subject id -> its shortest name in ``lang``."""
    out: dict[str, str] = {}
    for word, sid in lexicon().words.get(lang, {}).items():
        if sid not in out or len(word) < len(out[sid]):
            out[sid] = word
    return out


def subject_name(sid: str, language: str | None) -> str:
    lang = lang_of(language)
    named = grammar(lang).data.get("subject_names", {}).get(sid)  # ("person": not its shortest synonym, "amigo")
    if named:
        return str(named)
    info = lexicon().info(sid)
    if lang == "zh" and info is not None:
        return info.zh
    if lang == "en" or info is None:
        return sid.replace("_", " ")
    return _noun(lang, _names(lang).get(sid) or sid.replace("_", " "))


def _noun(lang: str, word: str) -> str:
    """A noun as the language writes it on its own (German nouns with a capital)."""
    return word[:1].upper() + word[1:] if lang == "de" else word


def scene_name(family: str, language: str | None) -> str:
    lang = lang_of(language)
    if lang in ("en", "zh"):
        pair = _SCENE_NAMES.get(family, (family, family))
        return pair[1] if lang == "zh" else pair[0]
    words = _SCENE_TERMS_BY_LANG.get(lang, {}).get(family, ())
    return _noun(lang, words[0]) if words else family.replace("_", " ")


def mood_name(mood: str, language: str | None) -> str:
    return say(language, f"mood_{mood}") if mood in MOODS else mood
