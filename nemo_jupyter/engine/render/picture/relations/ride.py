"""ride(a, b): the rider sits on the mount's back (a horse, a bicycle, an elephant) and moves with it."""

from __future__ import annotations

from typing import ClassVar

from ..placed import MOVERS, Frame, Placed
from . import relation
from .base import Path, Template, look, offset, seat


@relation
class Ride(Template):
    kind: ClassVar[str] = "ride"

    def prepare(self, a: Placed, b: Placed, c: Placed | None) -> None:
        if b.motion not in MOVERS:
            b.motion = "walk" if b.animal else "drive"
        a.motion, a.lifted, a.pose = "still", True, "sit"

    def arrange(self, a: Placed, b: Placed, c: Placed | None, f: Frame) -> None:
        most = b.height * (0.7 if b.animal else 0.85)
        if a.height > most:
            a.resize(most / a.height)
        look(a, b.direction)
        sx, sy = seat(b)
        a.cx, a.fy, a.z = sx, sy + a.height * 0.22, b.z
        a.order = b.order + 0.5

    def path(self, dep: Placed, anchor: Placed, anchor_path: Path, f: Frame, L: float) -> Path:
        return offset(anchor_path, dep.cx - anchor.cx, dep.fy - anchor.fy)
