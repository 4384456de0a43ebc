"""above(a, b): over the other, with a little air between (its bottom above the other's top)."""

from __future__ import annotations

from typing import ClassVar

from ..placed import Frame, Placed
from . import relation
from .base import Template


@relation
class Above(Template):
    kind: ClassVar[str] = "above"
    spatial: ClassVar[bool] = True

    def prepare(self, a: Placed, b: Placed, c: Placed | None) -> None:
        super().prepare(a, b, c)
        a.lifted = True
        if a.motion in ("still", "bounce", "sway", "bloom"):
            a.motion = "float"

    def arrange(self, a: Placed, b: Placed, c: Placed | None, f: Frame) -> None:
        _x0, y0, _x1, _y1 = b.box()
        gap = 0.04 * f.H
        room = y0 - gap - f.ceiling - 0.01 * f.H
        if a.box_h > room:  # lower what is below (not under the floor), then shrink
            drop = min(a.box_h - room, max(0.0, f.floor - b.box()[3]))
            b.shift(0, drop)
            room += drop
            if a.box_h > room:
                a.resize(max(0.25, room / a.box_h))
        a.cx = b.cx
        a.fy = b.box()[1] - gap
        a.z = b.z
