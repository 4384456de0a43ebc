"""under(a, b): below the other. Under a thing on the ground (a table, a tree, an umbrella held low)
``a`` stands at its foot, smaller than it, seen between its legs; under a thing up in the air or on the water (a boat, a
bird, a lamp) ``a`` is below it, its top under the other's bottom."""

from __future__ import annotations

from typing import ClassVar

from ..placed import Frame, Placed
from . import relation
from .base import Template, open_below


@relation
class Under(Template):
    kind: ClassVar[str] = "under"
    spatial: ClassVar[bool] = True

    def arrange(self, a: Placed, b: Placed, c: Placed | None, f: Frame) -> None:
        _bx0, by0, _bx1, by1 = b.box()
        on_ground = (by1 >= min(f.ground(b.z) - 0.04 * f.H, 0.6 * f.H) and not b.lifted
                     and b.motion not in ("fly", "float", "swim", "orbit", "launch"))
        a.cx = b.cx
        if on_ground:
            most = b.box_h * 0.5
            if a.box_h > most:
                a.resize(most / a.box_h)
            a.fy, a.z = b.fy, b.z
            # between a chair's legs (they cross it), in front of a thing closed to the ground
            a.order = b.order + (-0.5 if open_below(b, 0.35) else 0.5)
            return
        gap = 0.02 * f.H
        room = f.floor - by1 - gap
        if a.box_h > room:  # raise what is above (not into the title), then shrink what is under
            lift = min(a.box_h - room, max(0.0, by0 - f.ceiling - 0.01 * f.H))
            b.shift(0, -lift)
            room += lift
            if a.box_h > room:
                a.resize(max(0.3, room / a.box_h))
        a.fy = b.box()[3] + gap + a.box_h
        a.z = b.z
