"""behind(a, b): farther away than the other, partly hidden by it (drawn before it, smaller, a little
to one side so it can still be seen)."""

from __future__ import annotations

from typing import ClassVar

from ..placed import Frame, Placed
from . import relation
from .base import Template, solid_width


@relation
class Behind(Template):
    kind: ClassVar[str] = "behind"
    spatial: ClassVar[bool] = True

    def arrange(self, a: Placed, b: Placed, c: Placed | None, f: Frame) -> None:
        side = 1 if b.cx < f.W / 2 else -1
        a.z = min(1.0, b.z + 0.3)
        a.resize(0.85)
        low = solid_width(b, 0.0, min(0.3, a.height / max(1, b.height)))  # where it stands
        if low < a.width and not b.kind.startswith(("animal", "person")):  # a tree's trunk crosses what is behind it
            a.cx = b.cx + side * a.width * 0.4
        else:  # a house, a car, a dog: what is behind peeks out at one side, most of it seen
            a.cx = b.cx + side * max(b.box_w * 0.42, b.box_w * 0.5 + a.box_w * 0.15)
        if a.lifted or a.motion in ("fly", "float", "swim"):
            a.fy = b.fy - 0.06 * f.H
        else:
            a.fy = b.fy - max(0.05 * f.H, b.height * 0.12)
        a.order = b.order - 1
