"""Finding known phrases in text in linear time (no giant regular expressions).

Latin-script text is read word by word: at each word the longest known phrase of up to
``max_words`` words wins (a plural "s"/"es" on its last word allowed); Chinese and Japanese runs
are read character by character, the longest known word first. Hyphens and spaces inside a
phrase are the same ("t-rex" = "t rex").
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Generic, TypeVar

V = TypeVar("V")

# "l'espace" is "l" + "espace", "t-rex" is "t rex", "把logo放在" is "把" + "logo" + "放在" (scripts apart)
_TOKEN = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+|[^\W_\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")
_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")


def is_cjk(text: str) -> bool:
    return any("\u3040" <= ch <= "\u9fff" or "\uf900" <= ch <= "\ufaff" for ch in text)


def key(phrase: str) -> str:
    """The lookup form of a phrase: lower case, words joined by single spaces."""
    return " ".join(_TOKEN.findall(phrase.lower())) if not is_cjk(phrase) else phrase


@dataclass(frozen=True)
class Hit(Generic[V]):
    start: int
    end: int
    text: str
    value: V


class PhraseMatcher(Generic[V]):
    """Phrases -> values; :meth:`finditer` yields non-overlapping hits, longest first, in order."""

    def __init__(self, phrases: Iterable[tuple[str, V]]) -> None:
        self.latin: dict[str, V] = {}
        self.cjk: dict[str, V] = {}
        for phrase, value in phrases:
            k = key(phrase)
            if not k:
                continue
            (self.cjk if is_cjk(k) else self.latin).setdefault(k, value)
        self.max_words = max((k.count(" ") + 1 for k in self.latin), default=1)
        self.starts = {k.split(" ", 1)[0] for k in self.latin if " " in k}  # first words of longer phrases
        self.max_chars = max((len(k) for k in self.cjk), default=1)

    def _latin_get(self, words: list[str]) -> V | None:
        phrase = " ".join(words)
        got = self.latin.get(phrase)
        if got is None and len(words[-1]) > 3:
            for cut in (1, 2):  # "volcanoes", "dunes", "birds"
                got = self.latin.get(phrase[:-cut])
                if got is not None and phrase[-cut:] in ("s", "es"):
                    break
                got = None
        return got

    def finditer(self, text: str) -> Iterator[Hit[V]]:
        hits: list[Hit[V]] = []
        if self.latin:
            tokens = [(m.start(), m.end(), m.group(0)) for m in _TOKEN.finditer(text) if not is_cjk(m.group(0))]
            i = 0
            while i < len(tokens):
                longest = min(self.max_words, len(tokens) - i) if tokens[i][2].lower() in self.starts else 1
                for n in range(longest, 0, -1):
                    window = tokens[i:i + n]
                    if n > 1 and any(window[j + 1][0] - window[j][1] > 3 for j in range(n - 1)):
                        continue  # words of a phrase are next to each other
                    got = self._latin_get([t[2] for t in window])
                    if got is not None:
                        a, b = window[0][0], window[-1][1]
                        hits.append(Hit(a, b, text[a:b], got))
                        i += n
                        break
                else:
                    i += 1
        if self.cjk:
            for run in _CJK.finditer(text):
                pos, end = run.start(), run.end()
                while pos < end:
                    for n in range(min(self.max_chars, end - pos), 0, -1):
                        got = self.cjk.get(text[pos:pos + n])
                        if got is not None:
                            hits.append(Hit(pos, pos + n, text[pos:pos + n], got))
                            pos += n
                            break
                    else:
                        pos += 1
        hits.sort(key=lambda h: h.start)
        return iter(hits)
