"""throw(a, b): the thrown thing rests in the thrower's hand (raised, for a whole person), then flies
off in an arc as the thrower swings forward, again and again."""

from __future__ import annotations

from typing import ClassVar

from ..placed import Frame, Placed
from . import relation
from .base import Path, Template, arc, hand, look, pose_arms, settle, swing


@relation
class Throw(Template):
    kind: ClassVar[str] = "throw"
    dependent: ClassVar[str] = "b"
    reach: ClassVar[float] = 0.36    # how far it goes, in frame widths
    lift: ClassVar[float] = 0.22     # how high it flies above the straight line, in frame heights
    period: ClassVar[float] = 1.8
    #: the shares of the period the thing rests at the start and at the end of its flight
    rest: ClassVar[tuple[float, float]] = (0.22, 0.0)
    #: the thrower's tilts (degrees forward) through one period, in equal beats: wind up, let go
    beats: ClassVar[tuple[float, ...]] = (-3.0, -7.0, 9.0, 5.0, 2.0, 0.0, 0.0, 0.0)
    arms: ClassVar[str] = "up"

    def prepare(self, a: Placed, b: Placed, c: Placed | None) -> None:
        settle(a)
        b.motion, b.lifted = "still", True

    def start(self, a: Placed, b: Placed) -> tuple[float, float]:
        """Where the thing's middle is when it leaves (or arrives)."""
        return hand(a)

    def arrange(self, a: Placed, b: Placed, c: Placed | None, f: Frame) -> None:
        most = a.height * 0.3
        if b.box_h > most:
            b.resize(most / b.box_h)
        room_right = f.W - a.cx > a.cx
        look(a, 1 if room_right else -1)
        pose_arms(a, self.arms)
        swing(a, self.period, self.beats)
        x0, y0 = self.start(a, b)
        b.cx, b.fy, b.z = x0 + a.direction * self.reach * f.W * 0.5, y0 - self.lift * f.H * 0.6, a.z
        b.order = a.order + 0.5

    def ends(self, a: Placed, b: Placed, f: Frame) -> tuple[float, float, float, float]:
        """Where its flight starts (its feet: under its middle) and lands, px."""
        x0, y0 = self.start(a, b)
        x1 = min(f.W - f.margin - b.width / 2, max(f.margin + b.width / 2, x0 + a.direction * self.reach * f.W))
        return x0, y0 + b.height / 2, x1, f.ground(a.z)

    def path(self, dep: Placed, anchor: Placed, anchor_path: Path, f: Frame, L: float) -> Path:
        x0, y0, x1, y1 = self.ends(anchor, dep, f)
        return arc(x0, y0, x1, y1, self.lift * f.H, self.period, rest=self.rest)
