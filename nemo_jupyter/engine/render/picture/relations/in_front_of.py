"""in_front_of(a, b): nearer than the other (lower in the picture, drawn over it), a little to one side
so both show."""

from __future__ import annotations

from typing import ClassVar

from ..placed import Frame, Placed
from . import relation
from .base import Template


@relation
class InFrontOf(Template):
    kind: ClassVar[str] = "in_front_of"
    spatial: ClassVar[bool] = True

    def arrange(self, a: Placed, b: Placed, c: Placed | None, f: Frame) -> None:
        side = -1 if b.cx > f.W / 2 else 1
        a.z = max(0.0, b.z - 0.3)
        a.cx = b.cx + side * b.box_w * 0.3
        a.fy = min(f.floor, b.fy + max(0.05 * f.H, b.height * 0.1))
        a.order = b.order + 1
