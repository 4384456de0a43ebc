"""Where a prompt's clauses start and end, what is negated in them ("no birds", "sin música",
"犬を消して") and the language whose words name its subjects."""

from __future__ import annotations

import re
from functools import cache

from ..lexicon import lexicon
from ..vocabulary import _NEG_BEFORE, scene_words_of
from .grammar import grammar

__all__ = ["LATIN", "clauses", "content_language", "negated"]


def negated(norm: str, start: int, lang: str = "en", end: int = -1) -> bool:
    """A negation just before ``start`` ("no birds", "sin música", "不要鸟"): English and Chinese
    words, and the language's own (``negations``: Portuguese "no" is "in the", not "no"). In
    verb-final languages it follows the noun and its particle ("犬を消して", "개를 빼고": ``end``)."""
    if end >= 0 and grammar(lang).order == "sov" and grammar(lang).data.get("negations"):
        return bool(_negations_after(lang).match(norm, end))
    before = norm[max(0, start - 24):start]
    if lang in ("en", "zh") or not grammar(lang).data.get("negations"):
        return bool(_NEG_BEFORE.search(before))
    return bool(_negations(lang).search(before))


@cache
def _negations_after(lang: str) -> re.Pattern[str]:
    words = sorted(grammar(lang).data.get("negations", []), key=len, reverse=True)
    particles = sorted({p for ps in grammar(lang).data.get("particles", {}).values() for p in ps}, key=len, reverse=True)
    return re.compile(r"\s*(?:(?:" + "|".join(re.escape(p) for p in particles) + r")\s*)?(?:"
                      + "|".join(re.escape(w) for w in words) + ")")


@cache
def _negations(lang: str) -> re.Pattern[str]:
    words = sorted(grammar(lang).data.get("negations", []), key=len, reverse=True)
    body = "|".join(re.escape(w) for w in words)
    return re.compile(r"(?<![^\W_])(?:" + body + r")\s+(?:\w+\s+)?$")


_CLAUSE_SPLIT = re.compile(r"[,;.!?:\n，；。！？：、]|(?<![a-z])(?:then|followed by|after that|afterwards|next(?!\s+to\b)|"
                           r"and finally|finally|ending with|ends with|before|transitioning to|into)(?![a-z])|"
                           r"然后|接着|之后|再到|最后|随后|再是")



_LIST_SEP = frozenset([",", "，", "、"])
_HAN = re.compile(r"[\u4e00-\u9fff]")
_KANA = re.compile(r"[\u3040-\u30ff]")
_HANGUL = re.compile(r"[\uac00-\ud7af]")


LATIN = ("en", "es", "fr", "de", "pt", "it")


def content_language(norm: str, hint: str | None = None) -> str:
    """The language whose words name the subjects: ja / zh by script, the detected language
    ``hint`` when detection was sure, else the Latin language whose subject words the text uses most."""
    if _KANA.search(norm):
        return "ja"
    if _HANGUL.search(norm):
        return "ko"
    if _HAN.search(norm):
        return "zh"
    if hint in LATIN:
        return hint
    extra = {lang: sum(1 for _h in scene_words_of(lang).finditer(norm)) for lang in ("es", "fr", "de", "pt", "it")}
    return lexicon().latin_language(norm, hint or "en", extra)


def clauses(norm: str) -> list[tuple[int, int, bool]]:
    """(start, end, follows_a_list_separator) of each clause."""
    out: list[tuple[int, int, bool]] = []
    pos, listed = 0, False
    for m in _CLAUSE_SPLIT.finditer(norm):
        out.append((pos, m.start(), listed))
        pos, listed = m.end(), m.group(0) in _LIST_SEP
    out.append((pos, len(norm), listed))
    return out
