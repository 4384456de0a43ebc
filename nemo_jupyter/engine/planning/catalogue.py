"""The planner's words in the user's language: one message catalogue per language
(``data/messages/<lang>.json``, the same keys in each), and the names of what is drawn.

:func:`say` fills a message; a language without a catalogue falls back to English. Names of
subjects and backgrounds come from the vocabulary (the Unicode CLDR names of ``subjects.json``
and the words of ``scenes.json``), so that a reply names a drawn thing in the prompt's language.
"""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from typing import Any

from nemo_jupyter.draft_format import MOODS

from .lexicon import lexicon
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
    return text.format(**params)


def quote(language: str | None, text: str) -> str:
    return say(language, "quote", text=text)


def join(language: str | None, items: list[str]) -> str:
    return say(language, "list_sep").join(items)


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
    info = lexicon().info(sid)
    if lang == "zh" and info is not None:
        return info.zh
    if lang == "en" or info is None:
        return sid.replace("_", " ")
    return _names(lang).get(sid) or sid.replace("_", " ")


def scene_name(family: str, language: str | None) -> str:
    lang = lang_of(language)
    if lang in ("en", "zh"):
        pair = _SCENE_NAMES.get(family, (family, family))
        return pair[1] if lang == "zh" else pair[0]
    words = _SCENE_TERMS_BY_LANG.get(lang, {}).get(family, ())
    return words[0] if words else family.replace("_", " ")


def mood_name(mood: str, language: str | None) -> str:
    return say(language, f"mood_{mood}") if mood in MOODS else mood
