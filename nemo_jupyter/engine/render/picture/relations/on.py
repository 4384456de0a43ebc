"""on(a, b): standing (or lying) on the other's top, no wider than it, drawn in front of it."""

from __future__ import annotations

from typing import ClassVar

from ..placed import Frame, Placed
from . import relation
from .base import Template, top


@relation
class On(Template):
    kind: ClassVar[str] = "on"
    spatial: ClassVar[bool] = True

    def prepare(self, a: Placed, b: Placed, c: Placed | None) -> None:
        super().prepare(a, b, c)
        a.lifted = True

    def arrange(self, a: Placed, b: Placed, c: Placed | None, f: Frame) -> None:
        if a.box_w > b.box_w * 0.9:
            a.resize(b.box_w * 0.9 / a.box_w)
        if a.box_h > b.box_h * 1.4:
            a.resize(b.box_h * 1.4 / a.box_h)
        a.cx, a.fy, a.z = b.cx, top(b), b.z
        a.order = b.order + 0.5
