"""Things a Chinese, Japanese or Korean prompt asks to show that the vocabulary does not know
("一排路灯", "テーブルの上に本", "아들에게 공을 던져").

These languages write no space between words (Chinese, Japanese) or write particles onto their
nouns (Korean), so a noun phrase is read only in the slots where the grammar makes one a thing:

* after a count or a group word ("一排*路灯*", "三冊の*ノート*"), or, where counts follow their noun,
  right before it ("*ノート*が三冊", "*테이블* 두 개");
* right before a place word, as its ground ("*桌子*上", "*テーブル*の上", "*테이블* 위");
* a verb's object or partner: after the verb in Chinese ("扔给*儿子*"), marked by its particle before
  the verb in Japanese and Korean ("*孫*を肩車", "*아들*에게 던져").

The noun is the run of characters of its class (Han; kanji and katakana; a Hangul word without its
particle) that ends at a boundary: a function character or common verb (``boundaries`` in the grammar
file, and the language's motion verbs), a grammar word, a known subject or background. It has two to
five characters and is never a general word or a part of a body (``not_things``). Such an actor has
no subject id: the brief lists it, and the checklist says it could not be drawn. (Things the
vocabulary knows it cannot draw, "斑马线" or "テーブル", are ``undrawable`` in the lexicon tables.)
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from ..brief import Actor
from ..lexicon import lexicon
from .grammar import Tag, grammar

_HAN = re.compile(r"[\u4e00-\u9fff]")
_JA_NOUN = re.compile(r"[\u4e00-\u9fff\u30a0-\u30ff\u3005]")  # kanji, katakana (and ー), 々
_PUNCT = re.compile(r"[,;.:!?，。；：！？、\n()\"]")
_ATTR_CATS = ("num", "plural", "counter", "colour", "size", "nsize", "of")
_SLOT_CATS = ("rel", "prel", "spatial")
_MIN, _MAX = 2, 5  # characters of a noun (Hangul: syllables)
_KO_OBJECT = ("를", "을", "에게", "한테", "께")


def find_unknown_cjk(norm: str, lang: str, actors: Sequence[Actor], tags: Sequence[Tag],
                     known_spans: Sequence[tuple[int, int]], verbs: Sequence[str] = ()) -> list[Actor]:
    """The things ``norm`` (in Chinese, Japanese or Korean) asks to show that no subject names;
    ``verbs``: the language's motion verbs (boundaries of a noun)."""
    g = grammar(lang)
    bounds = set(g.data.get("boundaries", [])) | {v for v in verbs if len(v) <= 2}
    nothing = set(g.data.get("not_things", []))
    taken = [(a.start, a.end) for a in actors if a.start >= 0] + list(known_spans)
    tagged = [(t.start, t.end) for t in tags if t.cat not in ("and", "of", "particle")]
    blocked = taken + tagged

    def free(a: int, b: int) -> bool:
        return not any(x < b and a < y for x, y in blocked)

    lex = lexicon()

    def good(a: int, b: int) -> bool:
        word = norm[a:b]
        if lex._get(word, lang) is not None or lex.words.get(lang, {}).get(word):
            return False  # a known word (named elsewhere, or removed: "고양이를 빼고")
        # (a Japanese noun may be one kanji: 箱, 皿)
        least = 1 if lang == "ja" and _HAN.fullmatch(word) else _MIN
        return least <= len(word) <= _MAX and word not in nothing and free(a, b) and not _PUNCT.search(word)

    reader = {"zh": _Chinese, "ja": _Japanese, "ko": _Korean}.get(lang)
    if reader is None:
        return []
    found = reader(norm, tags, bounds).spans()
    out: list[Actor] = []
    seen: list[tuple[int, int]] = []
    for a, b in sorted(set(found)):
        if not good(a, b) or any(x < b and a < y for x, y in seen):
            continue
        seen.append((a, b))
        word = norm[a:b]
        out.append(Actor(s="", art="", word=word, asked=word, start=a, end=b))
    return out


class _Reader:
    def __init__(self, norm: str, tags: Sequence[Tag], bounds: set[str]) -> None:
        self.norm, self.tags, self.bounds = norm, list(tags), bounds
        self.tag_at: dict[int, Tag] = {}  # position -> the tag covering it (the first one)
        for t in self.tags:
            for p in range(t.start, t.end):
                self.tag_at.setdefault(p, t)

    def spans(self) -> list[tuple[int, int]]:
        raise NotImplementedError

    def skip_attrs(self, pos: int) -> int:
        """Past the words of a noun phrase before its noun (a count, a colour, 的/の)."""
        while pos < len(self.norm):
            t = self.tag_at.get(pos)
            if t is not None and t.cat in _ATTR_CATS:
                pos = t.end
            elif self.norm[pos] in " 的の":
                pos += 1
            else:
                break
        return pos


class _Chinese(_Reader):
    def run_right(self, pos: int) -> tuple[int, int] | None:
        start = self.skip_attrs(pos)
        end = start
        while end < len(self.norm) and end - start < _MAX and _HAN.match(self.norm[end]) \
                and end not in self.tag_at and not self._bound(end):
            end += 1
        if self.norm[end:end + 1] == "的":
            return None  # a modifier of the noun after it: "抱着刚出生的小宝宝"
        return (start, end) if end > start else None

    def run_left(self, pos: int) -> tuple[int, int] | None:
        start = pos
        while start > 0 and pos - start < _MAX and _HAN.match(self.norm[start - 1]) \
                and start - 1 not in self.tag_at and not self._bound(start - 1):
            start -= 1
        return (start, pos) if start < pos else None

    def _bound(self, pos: int) -> bool:
        return any(self.norm.startswith(w, pos) for w in self.bounds if w and w[0] == self.norm[pos])

    def spans(self) -> list[tuple[int, int]]:
        out = []
        for t in self.tags:
            if t.cat in ("plural",) or (t.cat == "counter" and any(
                    n.cat == "num" and n.end == t.start for n in self.tags)):
                got = self.run_right(t.end)  # "一排路灯", "两张桌子"
            elif t.cat == "spatial":
                got = self.run_left(t.start)  # "桌子上", "在沙发后面"
            elif t.cat in ("rel", "prel"):
                pos = t.end + (1 if self.norm[t.end:t.end + 1] in ("给", "着", "了", "向") else 0)
                got = self.run_right(pos) if self.norm[pos:pos + 1] not in ("一", "两") else None  # "扔给儿子"
            else:
                continue
            if got:
                out.append(got)
        return out


class _Japanese(_Reader):
    def noun_before(self, pos: int) -> tuple[int, int] | None:
        start = pos
        while start > 0 and pos - start < _MAX + 3 and _JA_NOUN.match(self.norm[start - 1]) \
                and start - 1 not in self.tag_at:
            start -= 1
        return (start, pos) if start < pos and pos - start <= _MAX else None

    def spans(self) -> list[tuple[int, int]]:
        out = []
        norm = self.norm
        for t in self.tags:
            got = None
            if t.cat == "spatial" and norm.startswith("の", t.start):
                got = self.noun_before(t.start)  # "テーブルの上"
            elif t.cat in ("rel", "prel"):
                # the object or partner marked before the verb: "孫を肩車", "猫に追いかけられる"
                m = re.search(r"([をにへ])[\u3040-\u309f]{0,6}$", norm[max(0, t.start - 8):t.start])
                if m:
                    got = self.noun_before(t.start - len(m.group(0)))
            elif t.cat == "num":
                before = norm[max(0, t.start - 1):t.start]
                if before in ("が", "は", "を"):
                    got = self.noun_before(t.start - 1)  # "ノートが三冊"
                elif norm.startswith("の", t.end) or norm.startswith("の", t.end + 1):
                    a = norm.index("の", t.end) + 1
                    end = a
                    while end < len(norm) and _JA_NOUN.match(norm[end]) and end not in self.tag_at:
                        end += 1
                    got = (a, end) if end > a else None  # "三冊のノート"
            if got:
                out.append(got)
        # a word in katakana (a loanword: a noun) marked as the one that does or undergoes the verb:
        # "カモメが飛んでいる", "ペリカンを見ている"
        for m in _KATAKANA_NOUN.finditer(norm):
            if not any(p in self.tag_at for p in range(m.start(1), m.end(1))):
                out.append((m.start(1), m.end(1)))
        return out


_KATAKANA_NOUN = re.compile(r"(?<![\u30a0-\u30ff])([\u30a1-\u30fa][\u30a0-\u30ff]{1,7})(?=[がをはも])")


class _Korean(_Reader):
    _WORD = re.compile(r"[\uac00-\ud7af]+")

    def word_before(self, pos: int) -> tuple[int, int] | None:
        m = None
        for m in self._WORD.finditer(self.norm, max(0, pos - 16), pos):  # noqa: B007 - the last word before pos
            pass
        if m is None or self.norm[m.end():pos].strip():
            return None
        return m.start(), m.end()

    def strip_particle(self, span: tuple[int, int]) -> tuple[int, int]:
        a, b = span
        word = self.norm[a:b]
        for p in sorted((*_KO_OBJECT, "의", "이", "가", "은", "는", "에", "에서"), key=len, reverse=True):
            if word.endswith(p) and len(word) - len(p) >= _MIN:
                return a, b - len(p)
        return span

    def spans(self) -> list[tuple[int, int]]:
        out = []
        norm = self.norm
        for t in self.tags:
            got = None
            if t.cat == "spatial":
                got = self.word_before(t.start)  # "테이블 위"
            elif t.cat in ("rel", "prel"):
                # the object marked before the verb: "아들에게 공을 던져", "연어를 잡는"
                for m in self._WORD.finditer(norm, max(0, t.start - 24), t.start):
                    if m.group(0).endswith(_KO_OBJECT) and len(m.group(0)) > _MIN:
                        out.append(self.strip_particle((m.start(), m.end())))
                continue
            elif t.cat == "num":
                got = self.word_before(t.start)  # "테이블 두 개"
                if got is not None:
                    got = self.strip_particle(got)
            if got:
                out.append(got)
        return out
