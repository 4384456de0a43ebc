"""build(a, b): what is built rises beside the builder, growing through the shot, while the builder
works at it."""

from __future__ import annotations

from typing import ClassVar

from ..placed import Frame, Placed
from . import relation
from .base import Template, beside, look, settle, towards


@relation
class Build(Template):
    kind: ClassVar[str] = "build"
    dependent: ClassVar[str] = "b"
    work: ClassVar[str] = "work"

    def prepare(self, a: Placed, b: Placed, c: Placed | None) -> None:
        settle(a)
        settle(b)
        a.pose, b.pose = self.work, "grow"

    def arrange(self, a: Placed, b: Placed, c: Placed | None, f: Frame) -> None:
        side = 1 if a.cx < f.W / 2 else -1
        beside(b, a, f, side, 0.01 * f.W)
        look(a, towards(a, b))
