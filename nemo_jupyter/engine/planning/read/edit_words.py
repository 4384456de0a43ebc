"""The words of an edit in each language: ``edit_words`` of the grammar files (``data/lang/<lang>.json``).

Each table names one kind of cue: verbs that ``add``, ``remove`` or ``change`` something, ``use`` an
upload, ``create`` a ``new`` ``video``; what makes the music ``quieter`` or ``louder`` (and the
complaints ``too_loud`` / ``too_quiet``), the video ``longer`` or ``shorter`` (by ``more`` seconds,
a ``percent`` of the music); the things an edit acts on (``title``, ``caption``, ``music``,
``scene``, ``sound``, ``volume``, ``voice``, ``script``, ``uploads``); ``instead`` (the scenes
replaced), ``begin`` ("start with a beach scene"), ``every`` (scene), ``mute``; and the voice's
``slower``, ``faster``, ``other_voice`` / ``female_voice`` / ``male_voice``, ``narrate``.

A table whose name ends in ``_end`` holds particles that say their cue only at the end of a clause
(German "mach die Musik *aus*", "dreh die Musik *auf*": "aus" and "auf" are prepositions elsewhere).

Words are matched as the language writes them: Chinese and Japanese inside runs of characters
(longest first), Korean as the start of a word (the endings and particles written onto it:
"추가해줘", "자막을"), German nouns also inside compounds ("Strand*szene*", "Hintergrund*musik*",
"*Musik*lautstärke"), the other languages word by word. :class:`EditVerbs` tells, for a word of the
prompt, whether the verb that governs it removes it ("entferne die Vögel", "鳥を消して").
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass
from functools import cache

from ..phrases import is_cjk, key
from .grammar import grammar

# (as planning/phrases.py: scripts apart, hyphens and apostrophes split words)
_TOKEN = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+|"
                    r"[^\W_\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")
_HANGUL = re.compile(r"[\uac00-\ud7af]")
_CLAUSE = re.compile(r"[,;.!?:\n，；。！？：、]")
#: German tables whose words are nouns, found inside compounds too
_NOUN_TABLES = frozenset(["title", "caption", "music", "scene", "sound", "volume", "voice", "script", "video"])
_MIN_PART = 4  # a compound's part is at least this long ("Ton" is no part of "Karton")


@dataclass(frozen=True)
class Cue:
    start: int
    end: int
    table: str
    text: str


@dataclass(frozen=True)
class _Phrase:
    words: tuple[str, ...]
    tables: tuple[str, ...]


class EditWords:
    """The ``edit_words`` of one language, and :meth:`find` to read them in a prompt."""

    def __init__(self, lang: str) -> None:
        self.lang = lang
        data: dict[str, list[str]] = grammar(lang).data.get("edit_words", {})
        self.data = data
        by_phrase: dict[str, list[str]] = {}
        for table, phrases in data.items():
            for phrase in phrases:
                tables = by_phrase.setdefault(key(phrase), [])
                if table not in tables:
                    tables.append(table)
        self.cjk = {p: tuple(t) for p, t in by_phrase.items() if is_cjk(p)}
        self.max_cjk = max((len(p) for p in self.cjk), default=0)
        self.latin: dict[str, list[_Phrase]] = {}
        for p, t in by_phrase.items():
            if not is_cjk(p) and p:
                words = tuple(p.split(" "))
                self.latin.setdefault(words[0], []).append(_Phrase(words, tuple(t)))
        for same_start in self.latin.values():
            same_start.sort(key=lambda x: -len(x.words))
        self.prefixes = sorted((w for w in self.latin if _HANGUL.search(w) and len(w) >= 2), key=len, reverse=True)
        self.parts = sorted(((p.words[0], p.tables) for ps in self.latin.values() for p in ps
                             if len(p.words) == 1 and len(p.words[0]) >= _MIN_PART and set(p.tables) & _NOUN_TABLES),
                            key=lambda x: -len(x[0]))

    def table(self, name: str) -> list[str]:
        """The words of one table, as written in the data."""
        return [str(w).lower() for w in self.data.get(name, [])]

    @property
    def empty(self) -> bool:
        return not self.data

    def _word_is(self, token: str, word: str, last: bool) -> bool:
        if token == word:
            return True
        if self.lang == "ko" and last and len(word) >= 2 and _HANGUL.search(word):
            return token.startswith(word)  # "추가해줘", "자막을" (a one-syllable word only as written)
        return False

    def _latin_hits(self, norm: str) -> list[Cue]:
        tokens = [(m.start(), m.end(), m.group(0).lower()) for m in _TOKEN.finditer(norm) if not is_cjk(m.group(0))]
        out: list[Cue] = []
        i = 0
        while i < len(tokens):
            tok = tokens[i][2]
            firsts = [tok] if tok in self.latin else []
            if self.lang == "ko" and not firsts:
                firsts = [w for w in self.prefixes if tok.startswith(w)][:1]
            matched = 0
            for first in firsts:
                for phrase in self.latin[first]:
                    n = len(phrase.words)
                    window = tokens[i:i + n]
                    if len(window) < n or any(window[j + 1][0] - window[j][1] > 3 for j in range(n - 1)):
                        continue
                    if all(self._word_is(window[j][2], phrase.words[j], j == n - 1) for j in range(n)):
                        a, b = window[0][0], window[-1][1]
                        out.extend(Cue(a, b, t, norm[a:b]) for t in phrase.tables)
                        matched = n
                        break
                if matched:
                    break
            if not matched and self.lang == "de":
                for part, tables in self.parts:  # "strandszene", "hintergrundmusik", "musiklautstärke"
                    if len(tok) > len(part) and (tok.endswith(part) or tok.startswith(part)):
                        a = tokens[i][0] + (len(tok) - len(part) if tok.endswith(part) else 0)
                        out.extend(Cue(a, a + len(part), t, part) for t in tables)
            i += matched or 1
        return out

    def _cjk_hits(self, norm: str) -> list[Cue]:
        out: list[Cue] = []
        if not self.cjk:
            return out
        for run in _TOKEN.finditer(norm):
            if not is_cjk(run.group(0)):
                continue
            pos, end = run.start(), run.end()
            while pos < end:
                for n in range(min(self.max_cjk, end - pos), 0, -1):
                    tables = self.cjk.get(norm[pos:pos + n])
                    if tables is not None:
                        out.extend(Cue(pos, pos + n, t, norm[pos:pos + n]) for t in tables)
                        pos += n
                        break
                else:
                    pos += 1
        return out

    def find(self, norm: str) -> list[Cue]:
        """Every cue of ``norm`` (lower-cased), in order; a ``*_end`` word only at the end of its clause,
        under its table's name without ``_end``."""
        out: list[Cue] = []
        for cue in sorted(self._latin_hits(norm) + self._cjk_hits(norm), key=lambda c: (c.start, c.table)):
            if cue.table.endswith("_end"):
                rest = _CLAUSE.split(norm[cue.end:], maxsplit=1)[0]
                if _TOKEN.search(rest):
                    continue
                cue = Cue(cue.start, cue.end, cue.table[:-4], cue.text)
            out.append(cue)
        return out


@cache
def edit_words(lang: str) -> EditWords:
    return EditWords(lang)


def cues(norm: str, lang: str) -> list[Cue]:
    """The edit cues of a normalised prompt in ``lang``."""
    return edit_words(lang).find(norm)


# -- which verb governs a word ---------------------------------------------------------------------
_VERB_RE = re.compile(
    r"(?P<rem>(?<![a-z])(?:remove|delete|drop|without|no|get rid of|take out|take away|lose|stop|minus)(?![a-z])|"
    r"(?<![a-z])take(?=\s+(?:[\w'-]+\s+){1,3}(?:out|away)(?![a-z]))|"
    r"去掉|删除|删掉|移除|不要|拿掉|去除)|"
    r"(?P<add>(?<![a-z])(?:add|put|include|insert|with|plus|make|create|generate|show|want|use)(?![a-z])|"
    r"加上|添加|增加|加|生成|做|制作|来点|要)")


class EditVerbs:
    """The add and remove verbs of a prompt, to ask whether a word is removed ("remove the birds and
    rain, add snow": the last verb before a word decides). English and Chinese verbs from the
    patterns above; the other languages' from ``edit_words`` (``add``, ``remove``), read in the
    word's clause: before the word first, else after it ("die Vögel entfernen"); in a language that
    puts the verb last (``order: sov``), after it first ("鳥を消して", "새를 없애 줘")."""

    def __init__(self, norm: str, lang: str = "en") -> None:
        self.lang = lang
        self.norm = norm
        if lang in ("en", "zh"):
            found = [(m.start(), m.end(), bool(m.group("rem"))) for m in _VERB_RE.finditer(norm)]
        else:
            found = [(c.start, c.end, c.table == "remove") for c in cues(norm, lang) if c.table in ("add", "remove")]
        self.starts = [s for s, _e, _r in found]
        self.ends = [e for _s, e, _r in found]
        self.removes = [r for _s, _e, r in found]
        self.sov = grammar(lang).order == "sov"

    def _clause(self, pos: int) -> tuple[int, int]:
        a = max((m.end() for m in _CLAUSE.finditer(self.norm, 0, pos)), default=0)
        m = _CLAUSE.search(self.norm, pos)
        return a, m.start() if m else len(self.norm)

    def removing(self, pos: int) -> bool:
        """Whether the verb that governs the word at ``pos`` removes it."""
        before = bisect.bisect_right(self.ends, pos) - 1
        if self.lang == "en":
            return before >= 0 and self.removes[before]
        a, b = self._clause(pos)
        after = bisect.bisect_left(self.starts, pos)
        prev = before if before >= 0 and self.starts[before] >= a else None
        nxt = after if after < len(self.starts) and self.starts[after] < b else None
        first, second = (nxt, prev) if self.sov else (prev, nxt)
        pick = first if first is not None else second
        return pick is not None and self.removes[pick]
