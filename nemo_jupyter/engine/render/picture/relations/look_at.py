"""look_at(a, b): the looker turns to what it looks at, close enough to see it, and its head goes
the way it looks: raised to what is above it (a cat rearing up to a parrot), bent to what is before
it. What flies or floats hovers a little above the looker, near enough for the gaze to read; art
seen from the front (an owl) leans towards it."""

from __future__ import annotations

import math
from typing import ClassVar

from ..placed import Frame, Placed
from . import relation
from .base import Template, beside, frontal, lean, look, mouth, settle, towards

#: the most a looker's head is raised, degrees
RAISE = 24.0


@relation
class LookAt(Template):
    kind: ClassVar[str] = "look_at"

    def prepare(self, a: Placed, b: Placed, c: Placed | None) -> None:
        settle(a)  # the looker stays to look, and what it looks at stays where it can be seen (a bird hovers)
        settle(b)

    def arrange(self, a: Placed, b: Placed, c: Placed | None, f: Frame) -> None:
        side = -1 if b.cx > f.W / 2 else 1
        if b.lifted or b.motion in ("fly", "float", "orbit"):
            if b.animal and b.motion != "orbit":  # a bird comes down within sight, above the looker
                b.fy = max(b.fy, a.fy - a.height - max(a.height * 0.9, 0.1 * f.H))
            rise = max(0.0, (a.fy - a.height * 0.7) - (b.fy - b.height / 2))
            a.cx = b.cx + side * (a.box_w / 2 + b.box_w / 2 + max(0.04 * f.W, rise * 0.5))
        else:
            beside(a, b, f, side, (0.04 if frontal(a.art) else 0.08) * f.W)
        look(a, towards(a, b))
        # the angle from the looker's eyes up to the middle of what it looks at
        ex, ey = mouth(a)
        _x0, by0, _x1, by1 = b.box()
        up = math.degrees(math.atan2(ey - (by0 + by1) / 2, max(1.0, abs(b.cx - ex))))
        if frontal(a.art) or a.person:
            lean(a, 10)           # it cannot turn its head: the whole of it leans towards it
        elif up > 12:
            lean(a, -min(RAISE, up * 0.6))  # its front raised
        else:
            lean(a, 8)
