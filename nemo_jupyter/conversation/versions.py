"""Numbered versions of a conversation's draft, and the words that ask for one back.

Every change of the draft is a :class:`Version` (a new video, an edit, a timeline pushed from a
DataFrame). ``head`` is the version in force; ``parent`` is the version that was in force when a
version was made, so "undo" goes to the parent and an edit after an undo builds on the version
restored. Restoring asks the backend nothing (the draft is kept here), so it costs nothing.

::

    parse_restore("undo")                  -> Restore(version=None)       # the parent
    parse_restore("go back to version 2")  -> Restore(version=2)
    parse_restore("撤销")                   -> Restore(version=None)
    parse_restore("回到第 2 版")             -> Restore(version=2)
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from dataclasses import dataclass, field

from ..client.draft import Draft
from ..client.exceptions import NemoError

__all__ = ["Restore", "Version", "Versions", "parse_restore"]


@dataclass(frozen=True)
class Restore:
    """A request for an earlier version: ``version`` None means "the one before" (undo)."""

    version: int | None = None


_NUM_ZH = {"一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9, "十": 10}
_EN_UNDO = re.compile(
    r"^(?:please\s+|pls\s+|ok\s+|now\s+)?(?:undo|revert|roll\s*back)(?:\s+(?:that|this|it|the\s+last\s+(?:change|edit|one)|"
    r"last\s+(?:change|edit)|the\s+change|my\s+last\s+(?:change|edit)))?(?:\s+please)?$", re.IGNORECASE)
_EN_VERSION = re.compile(
    r"^(?:please\s+)?(?:(?:go|switch|roll|revert)\s+back\s+to|back\s+to|restore|revert\s+to|return\s+to|use|undo\s+to)"
    r"\s+(?:the\s+)?(?:version|v\.?)\s*#?(\d{1,4})(?:\s+please)?$", re.IGNORECASE)
_ZH_UNDO = re.compile(r"^(?:请|帮我)?(?:撤销|撤回|还原|恢复)(?:上一步|上一次|刚才的)?(?:修改|操作|更改)?(?:吧)?$")
_ZH_VERSION = re.compile(r"^(?:请|帮我)?(?:回到|退回到?|恢复到?|还原到?|切换到|用)(?:第)?\s*(\d{1,4}|[一二两三四五六七八九十])\s*(?:个)?(?:版本?|版)$")


def parse_restore(text: str) -> Restore | None:
    """A :class:`Restore` when ``text`` asks for an earlier version, else None (it is chat)."""
    norm = re.sub(r"\s+", " ", (text or "").strip().strip(" .!?。！？~")).strip()
    if not norm or len(norm) > 60:
        return None
    if _EN_UNDO.fullmatch(norm) or _ZH_UNDO.fullmatch(norm.replace(" ", "")):
        return Restore()
    m = _EN_VERSION.fullmatch(norm)
    if m:
        return Restore(int(m.group(1)))
    m = _ZH_VERSION.fullmatch(norm.replace(" ", ""))
    if m:
        raw = m.group(1)
        return Restore(int(raw) if raw.isdigit() else _NUM_ZH[raw])
    return None


@dataclass
class Version:
    number: int
    draft: Draft | None         # None for an empty timeline
    prompt: str                 # the words that made it
    change: str                 # the change in words (one line)
    cell: str | None = None     # where it was made: "[3]" (execution count) or None
    parent: int | None = None
    when: float = field(default_factory=time.time)
    kind: str = "turn"          # turn | new (a different video started) | set
    key: str | None = None      # the replay key of the turn that made it

    def row(self, *, zh: bool, current: bool) -> dict[str, str]:
        when = time.strftime("%H:%M:%S", time.localtime(self.when))
        mark = ("← 当前" if zh else "← current") if current else ""
        if zh:
            return {"版本": str(self.number), "单元格": self.cell or "", "改动": self.change, "时间": when, "": mark}
        return {"version": str(self.number), "cell": self.cell or "", "change": self.change, "when": when, "": mark}


class Versions:
    """The versions of one conversation, oldest first, and the one in force (``head``)."""

    def __init__(self) -> None:
        self.items: list[Version] = []
        self.head: int | None = None

    def __len__(self) -> int:
        return len(self.items)

    def __iter__(self) -> Iterator[Version]:
        return iter(self.items)

    def get(self, number: int) -> Version:
        for v in self.items:
            if v.number == number:
                return v
        known = ", ".join(str(v.number) for v in self.items) or "none yet"
        raise NemoError(f"There is no version {number} in this conversation (versions: {known}).",
                        hint="%nemo versions lists them.")

    @property
    def current(self) -> Version | None:
        return self.get(self.head) if self.head is not None else None

    def add(self, draft: Draft | None, *, prompt: str, change: str, cell: str | None = None, kind: str = "turn",
            when: float | None = None) -> Version:
        v = Version(number=len(self.items) + 1, draft=draft, prompt=prompt, change=change, cell=cell,
                    parent=self.head, kind=kind, when=time.time() if when is None else when)
        self.items.append(v)
        self.head = v.number
        return v

    def target(self, request: Restore) -> Version:
        """The version a :class:`Restore` asks for (typed errors when there is none)."""
        if not self.items:
            raise NemoError("There is nothing to undo yet: this conversation has no draft.",
                            hint="Describe a video in a %%nemo cell first.")
        if request.version is not None:
            return self.get(request.version)
        cur = self.current
        if cur is None or cur.parent is None:
            raise NemoError(f"Nothing to undo: version {cur.number if cur else 1} is the first one.",
                            hint="%nemo versions lists the versions; %nemo new starts another video.")
        return self.get(cur.parent)

    def move(self, number: int) -> Version:
        v = self.get(number)
        self.head = v.number
        return v

    def rows(self, *, zh: bool = False) -> list[dict[str, str]]:
        return [v.row(zh=zh, current=v.number == self.head) for v in self.items]
