"""between(a, b, c): in the middle of the two others, on their ground line, with room on each side."""

from __future__ import annotations

from typing import ClassVar

from ..placed import Frame, Placed
from . import relation
from .base import Template


@relation
class Between(Template):
    kind: ClassVar[str] = "between"
    spatial: ClassVar[bool] = True

    def arrange(self, a: Placed, b: Placed, c: Placed | None, f: Frame) -> None:
        if c is None:
            return
        left, right = (b, c) if b.cx <= c.cx else (c, b)
        need = a.box_w + 0.08 * f.W
        room = right.box()[0] - left.box()[2]
        if room < need:  # spread the two apart, around the middle
            more = need - room
            left.shift(-more / 2)
            right.shift(more / 2)
        a.cx = (left.box()[2] + right.box()[0]) / 2
        if not a.lifted and a.motion not in ("fly", "float"):
            a.fy, a.z = (left.fy + right.fy) / 2, (left.z + right.z) / 2
