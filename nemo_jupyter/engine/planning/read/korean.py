"""Korean particles written onto their nouns ("고양이가"), split off before the prompt is read."""

from __future__ import annotations

from functools import lru_cache

from ..lexicon import lexicon
from ..vocabulary import _SCENE_TERMS_BY_LANG
from .grammar import _entries, _load, split_korean_particles

#: grammar phrases that end in a noun (which takes the particle), not in a verb ("문자 보내": "보내는" is a verb)
_NOUN_PHRASES = frozenset(["time", "weather", "season", "place", "sound", "none", "upload", "corner", "role"])


@lru_cache(maxsize=1)
def _known() -> frozenset[str]:
    words = set(lexicon().words.get("ko", {})) | set(lexicon().subs.get("ko", {}))
    words |= {t for ts in _SCENE_TERMS_BY_LANG.get("ko", {}).values() for t in ts}
    words |= {w for w in _entries("ko", _load("ko")) if " " not in w}
    # (and the last word of a noun phrase of the grammar, which takes the particle: "해 질 녘의" -> "해 질
    # 녘 의"; one syllable alone is too often the start of another word: 사 of 사과)
    words |= {w.split()[-1] for w, cats in _entries("ko", _load("ko")).items() if " " in w and len(w.split()[-1]) >= 2
              and any(c in _NOUN_PHRASES for c, _v in cats)}
    words.add("녘")
    words |= set(_load("ko").get("whole_words", []))  # ("새로" is "newly", not 새 + 로)
    return frozenset(words)


@lru_cache(maxsize=1)
def _verbal() -> frozenset[str]:
    """Grammar words a prompt makes verbs with 하다 ("홍보해", "설명하는"); not backgrounds ("공부하는" is studying)."""
    scenes = {t for ts in _SCENE_TERMS_BY_LANG.get("ko", {}).values() for t in ts}
    return frozenset(w for w in _entries("ko", _load("ko")) if " " not in w and w not in scenes)


def split_particles(text: str) -> str:
    """``text`` with the particles after known Korean words split off ("고양이 가 테이블 아래 에")."""
    if not any("\uac00" <= ch <= "\ud7af" for ch in text):
        return text
    return split_korean_particles(text, _known(), _verbal())
