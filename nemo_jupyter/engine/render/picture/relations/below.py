"""below(a, b): lower in the picture than the other, its top under the other's bottom (the other
raised when both stand on the ground)."""

from __future__ import annotations

from typing import ClassVar

from ..placed import Frame, Placed
from . import relation
from .base import Template


@relation
class Below(Template):
    kind: ClassVar[str] = "below"
    spatial: ClassVar[bool] = True

    def arrange(self, a: Placed, b: Placed, c: Placed | None, f: Frame) -> None:
        gap = 0.03 * f.H
        a.cx = b.cx
        a.fy = min(f.floor, f.ground(0.0))
        if a.box_h > 0.45 * f.H:
            a.resize(0.45 * f.H / a.box_h)
        limit = a.fy - a.box_h - gap  # the other's bottom goes no lower than this
        y1 = b.box()[3]
        if y1 > limit:
            b.shift(0, limit - y1)
            b.lifted = True
            if b.box()[1] < f.ceiling:
                b.resize(max(0.3, (limit - f.ceiling) / max(1.0, b.box_h)))
                b.fy = limit
        a.z = max(0.0, b.z - 0.2)
