"""eat(a, b): the food at the eater's mouth, getting smaller bite by bite (and coming back)."""

from __future__ import annotations

from typing import ClassVar

from ..placed import Frame, Placed
from . import relation
from .base import Path, Template, mouth, offset, settle


@relation
class Eat(Template):
    kind: ClassVar[str] = "eat"
    dependent: ClassVar[str] = "b"
    pose: ClassVar[str] = "bitten"

    def prepare(self, a: Placed, b: Placed, c: Placed | None) -> None:
        settle(a)
        b.motion, b.lifted, b.pose = "still", True, self.pose

    def arrange(self, a: Placed, b: Placed, c: Placed | None, f: Frame) -> None:
        most = a.height * (0.3 if a.person else 0.4)
        if b.box_h > most:
            b.resize(most / b.box_h)
        mx, my = mouth(a)
        # at the mouth, its near edge in it (a bite): touching, never over the whole face
        side = a.width * (0.1 if a.person else 0.0)
        b.cx, b.fy, b.z = mx + a.direction * (side + b.width * 0.2), my + b.height * 0.5, a.z
        b.order = a.order + 0.5

    def path(self, dep: Placed, anchor: Placed, anchor_path: Path, f: Frame, L: float) -> Path:
        return offset(anchor_path, dep.cx - anchor.cx, dep.fy - anchor.fy)
