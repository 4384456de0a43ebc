"""Korean particles written onto their nouns ("고양이가"), split off before the prompt is read."""

from __future__ import annotations

from functools import lru_cache

from ..lexicon import lexicon
from ..vocabulary import _SCENE_TERMS_BY_LANG
from .grammar import _entries, _load, split_korean_particles


@lru_cache(maxsize=1)
def _known() -> frozenset[str]:
    words = set(lexicon().words.get("ko", {})) | set(lexicon().subs.get("ko", {}))
    words |= {t for ts in _SCENE_TERMS_BY_LANG.get("ko", {}).values() for t in ts}
    words |= {w for w in _entries("ko", _load("ko")) if " " not in w}
    return frozenset(words)


def split_particles(text: str) -> str:
    """``text`` with the particles after known Korean words split off ("고양이 가 테이블 아래 에")."""
    if not any("\uac00" <= ch <= "\ud7af" for ch in text):
        return text
    return split_korean_particles(text, _known())
