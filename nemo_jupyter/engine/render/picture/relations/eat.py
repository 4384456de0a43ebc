"""eat(a, b): the food at the eater's mouth, getting smaller bite by bite (and coming back).

Its near edge is in the mouth and it stays below the eyes: a whole person holds it up in the hand
at its chin, beside the mouth, never over the face; an animal has it at its snout, in front."""

from __future__ import annotations

from typing import ClassVar

from ..placed import Frame, Placed
from . import relation
from .base import Path, Template, figure_point, hand, mouth, offset, pose_arms, settle


@relation
class Eat(Template):
    kind: ClassVar[str] = "eat"
    dependent: ClassVar[str] = "b"
    pose: ClassVar[str] = "bitten"

    def prepare(self, a: Placed, b: Placed, c: Placed | None) -> None:
        settle(a)
        b.motion, b.lifted, b.pose = "still", True, self.pose

    def arrange(self, a: Placed, b: Placed, c: Placed | None, f: Frame) -> None:
        most = a.height * (0.3 if a.person else 0.34)
        if b.box_h > most:
            b.resize(most / b.box_h)
        mx, my = mouth(a)
        if pose_arms(a, "mouth"):
            # held at its lower third in the hand at the chin, its top under the eyes, its near edge
            # at the mouth
            _ex, ey = figure_point(a, "eyes") or (mx, my - a.height * 0.1)
            _hx, hy = hand(a)
            room = (hy - (ey + a.height * 0.03)) / 0.65
            if b.box_h > room > 4:
                b.resize(room / b.box_h)
            b.fy = hy + b.height * 0.35
            b.cx = mx + a.direction * b.width * 0.4
        else:  # at the snout, in front of it, as high as the mouth
            b.cx, b.fy = mx + a.direction * b.width * 0.35, my + b.height * 0.5
        b.z = a.z
        b.order = a.order + 0.5

    def path(self, dep: Placed, anchor: Placed, anchor_path: Path, f: Frame, L: float) -> Path:
        return offset(anchor_path, dep.cx - anchor.cx, dep.fy - anchor.fy)
