"""throw(a, b): the thrown thing flies in an arc from the thrower's hand, again and again."""

from __future__ import annotations

from typing import ClassVar

from ..placed import Frame, Placed
from . import relation
from .base import Path, Template, arc, hand, look, settle


@relation
class Throw(Template):
    kind: ClassVar[str] = "throw"
    dependent: ClassVar[str] = "b"
    reach: ClassVar[float] = 0.36    # how far it goes, in frame widths
    lift: ClassVar[float] = 0.22     # how high it flies above the straight line, in frame heights
    period: ClassVar[float] = 1.8

    def prepare(self, a: Placed, b: Placed, c: Placed | None) -> None:
        settle(a)
        b.motion, b.lifted = "still", True

    def start(self, a: Placed) -> tuple[float, float]:
        return hand(a)

    def arrange(self, a: Placed, b: Placed, c: Placed | None, f: Frame) -> None:
        most = a.height * 0.3
        if b.box_h > most:
            b.resize(most / b.box_h)
        room_right = f.W - a.cx > a.cx
        look(a, 1 if room_right else -1)
        x0, y0 = self.start(a)
        b.cx, b.fy, b.z = x0 + a.direction * self.reach * f.W * 0.5, y0 - self.lift * f.H * 0.6, a.z
        b.order = a.order + 0.5

    def ends(self, a: Placed, b: Placed, f: Frame) -> tuple[float, float, float, float]:
        x0, y0 = self.start(a)
        x1 = min(f.W - f.margin - b.width / 2, max(f.margin + b.width / 2, x0 + a.direction * self.reach * f.W))
        return x0, y0 + b.height / 2, x1, f.ground(a.z)

    def path(self, dep: Placed, anchor: Placed, anchor_path: Path, f: Frame, L: float) -> Path:
        x0, y0, x1, y1 = self.ends(anchor, dep, f)
        return arc(x0, y0, x1, y1, self.lift * f.H, self.period)
