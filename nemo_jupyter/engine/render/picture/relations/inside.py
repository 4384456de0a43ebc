"""inside(a, b): in a container (a box, a basket, a cup, a car) with its top showing over the rim,
the container drawn over its lower part; in a building, at its door."""

from __future__ import annotations

from typing import ClassVar

from ..placed import Frame, Placed
from . import relation
from .base import SURFACE, Template, top


@relation
class Inside(Template):
    kind: ClassVar[str] = "inside"
    spatial: ClassVar[bool] = True

    def arrange(self, a: Placed, b: Placed, c: Placed | None, f: Frame) -> None:
        a.cx, a.z = b.cx, b.z
        if b.kind.startswith("place") or b.box_h > 2.5 * a.box_h:
            most = b.box_h * 0.38
            if a.box_h > most:
                a.resize(most / a.box_h)
            a.fy = b.fy
            a.order = b.order + 0.5
            return
        most = b.box_h * 0.9
        if a.box_h > most:
            a.resize(most / a.box_h)
        if a.box_w > b.box_w * 0.95:
            a.resize(b.box_w * 0.95 / a.box_w)
        a.lifted = True
        # its lower part in the container (hidden by the container's front), its top out over the rim
        rim = top(b) if b.art in SURFACE else b.box()[1] + b.box_h * 0.12  # (a basket's under its handle)
        a.fy = min(b.fy - b.box_h * 0.1, rim + a.box_h * 0.4)
        a.order = b.order - 0.5
