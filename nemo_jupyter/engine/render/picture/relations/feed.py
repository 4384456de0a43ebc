"""feed(a, b): the fed (ducks, a baby, a goat) in front of the feeder, facing it, pecking; food flies
low from the feeder's hand (reaching out, for a whole person) into their mouths, and stays there a
beat (never over their heads)."""

from __future__ import annotations

from typing import ClassVar

from ..elements import Sprite, one_frame
from ..placed import Frame, Placed
from . import relation
from .base import Path, Template, arc, beside, hand, look, mouth, pose_arms, settle, towards
from .props import crumb

PERIOD = 1.5


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
        look(a, side)
        pose_arms(a, "out")
        beside(b, a, f, side, 0.04 * f.W)
        look(a, towards(a, b))
        look(b, towards(b, a))
        pose_arms(a, "out")

    def props(self, a: Placed, b: Placed, pa: Path, pb: Path, f: Frame, L: float, key: str) -> list[Sprite]:
        hx, hy = hand(a)
        mx, my = mouth(b)
        img = crumb(max(6, round(f.short * 0.03)))
        # the copies nearest the feeder first, up to three
        copies = sorted(b.copies, key=lambda c: abs(b.cx + c.dx - a.cx))[:3]
        out = []
        for k, c in enumerate(copies):
            tx, ty = b.cx + c.dx + (mx - b.cx) * c.scale, b.fy + c.dy + (my - b.fy) * c.scale
            p = arc(hx, hy, tx, ty, f.H * 0.04, PERIOD, phase=k * 0.5, rest=(0.0, 0.3))
            out.append(Sprite(f"{key}crumb", one_frame(img), f"({p.x})-{img.width // 2}",
                              f"({p.y})-{img.height // 2}"))
        return out
