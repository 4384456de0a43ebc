"""look_at(a, b): the looker turns to what it looks at, close enough to see it, and leans in."""

from __future__ import annotations

from typing import ClassVar

from ..placed import Frame, Placed
from . import relation
from .base import Template, beside, look, settle, towards


@relation
class LookAt(Template):
    kind: ClassVar[str] = "look_at"

    def prepare(self, a: Placed, b: Placed, c: Placed | None) -> None:
        settle(a)  # the looker stays to look, and what it looks at stays where it can be seen (a bird hovers)
        settle(b)

    def arrange(self, a: Placed, b: Placed, c: Placed | None, f: Frame) -> None:
        if b.lifted or b.motion in ("fly", "float", "orbit"):
            a.cx = b.cx + (-1 if b.cx > f.W / 2 else 1) * (a.box_w / 2 + 0.1 * f.W)
        else:
            beside(a, b, f, -1 if b.cx > f.W / 2 else 1, 0.08 * f.W)
        look(a, towards(a, b))
        a.pose = "lean"
