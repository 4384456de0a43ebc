"""feed(a, b): the fed (ducks, a baby, a goat) in front of the feeder, facing it, pecking; crumbs fly
from the feeder's hand to them."""

from __future__ import annotations

from typing import ClassVar

from ..elements import Sprite, one_frame
from ..placed import Frame, Placed
from . import relation
from .base import Path, Template, arc, beside, hand, look, settle, towards
from .props import crumb


@relation
class Feed(Template):
    kind: ClassVar[str] = "feed"
    dependent: ClassVar[str] = "b"

    def prepare(self, a: Placed, b: Placed, c: Placed | None) -> None:
        settle(a)
        settle(b)
        b.pose = "peck"

    def arrange(self, a: Placed, b: Placed, c: Placed | None, f: Frame) -> None:
        side = 1 if a.cx < f.W / 2 else -1
        beside(b, a, f, side, 0.04 * f.W)
        look(a, towards(a, b))
        look(b, towards(b, a))

    def props(self, a: Placed, b: Placed, pa: Path, pb: Path, f: Frame, L: float, key: str) -> list[Sprite]:
        hx, hy = hand(a)
        img = crumb(max(8, round(f.short * 0.045)))
        out = []
        for k in range(3):
            tx = b.cx - b.direction * b.box_w * 0.15 + (k - 1) * b.box_w * 0.18
            p = arc(hx, hy, tx, b.fy - 2, f.H * 0.13, 1.5, phase=k * 0.5)
            out.append(Sprite(f"{key}crumb", one_frame(img), f"({p.x})-{img.width // 2}", f"({p.y})-{img.height}"))
        return out
