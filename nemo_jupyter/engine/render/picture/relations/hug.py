"""hug(a, b): the hugged one held against the hugger's chest, in front of it, its face to the
viewer, the hugger's arms around it; a heart rising over them.

A whole person hugs with its arms: they are drawn over what it hugs (shoulders, elbows out, the
hands meeting in front of it), which stands against its chest (a dog's head at its middle) or, when
small (a teddy, a cat), is lifted there. Others that hug (a bear, a cat) lean together, one
overlapping the other.
"""

from __future__ import annotations

from typing import ClassVar

from .. import people as P
from ..elements import Sprite, one_frame
from ..placed import Frame, Placed
from . import relation
from .base import (
    Path,
    Template,
    f3,
    figure_point,
    frontal,
    lean,
    look,
    mouth,
    pose_arms,
    settle,
    towards,
    whole,
)
from .props import heart


def head(p: Placed) -> tuple[float, float]:
    """The middle of ``p``'s head, px (by its mouth: a little behind it)."""
    mx, my = mouth(p)
    if frontal(p.art) or p.person:
        return p.cx, my
    return mx - p.direction * p.width * 0.1, my

SMALL = 0.5     # what is smaller than this share of the hugger is lifted to its chest


@relation
class Hug(Template):
    kind: ClassVar[str] = "hug"

    def prepare(self, a: Placed, b: Placed, c: Placed | None) -> None:
        settle(a)
        settle(b)

    def arrange(self, a: Placed, b: Placed, c: Placed | None, f: Frame) -> None:
        side = -1 if b.cx > f.W / 2 else 1
        if not whole(a):  # lean together, overlapping
            a.cx = b.cx + side * (a.width + b.width) / 2 * 0.45
            a.fy, a.z = b.fy, b.z
            look(a, towards(a, b))
            look(b, towards(b, a))
            lean(a, 6)
            if b.animal or b.person:
                lean(b, 6)
            a.order = b.order + 0.5
            return
        pose_arms(a, "none")
        if not (b.animal or b.person) and b.height > SMALL * a.height:
            b.resize(SMALL * a.height / b.height)
        # the hugger turned to where the hugged one's body goes, the hugged one back to it, its head
        # at the hugger's chest
        look(a, side)
        look(b, -side)
        chest = a.fy - a.height * 0.62  # the shoulders' line
        b.fy = min(a.fy, chest + b.height * (1.0 if frontal(b.art) or b.height < SMALL * a.height else 0.85))
        b.lifted = b.fy < a.fy - 2
        # its head at the hugger's chest; cheek to cheek when it reaches up to the hugger's face
        _mx, my = mouth(a)
        cheek = b.fy - b.height < my and not frontal(b.art)
        b.cx += a.cx + side * a.width * (0.4 if cheek else 0.05) - head(b)[0]
        b.z = a.z
        # in front of the hugger, its face to the viewer (what is much taller is hugged at its neck,
        # the hugger in front)
        if b.height <= 1.1 * a.height:
            b.order = a.order + 0.5
        else:
            a.order = b.order + 0.5

    def arms(self, a: Placed, b: Placed) -> tuple[list[list[tuple[float, float]]], float, float] | None:
        """The hugger's arms around the hugged one (its neck, under its face): joints (frame px) of
        each, the sleeve's width and its outline's."""
        at = figure_point(a, "shoulder")
        if at is None:
            return None
        pts = P.points(a.art, a.height, a.drawn, a.colour)
        arm, lw = pts["arm"]
        sx, sy = at
        hx, hy = head(b)
        _x0, by0, _x1, by1 = b.box()
        if frontal(b.art):
            gx, gy = hx, by0 + (by1 - by0) * 0.62
        else:  # the neck: behind and under the head
            gx, gy = hx - b.direction * b.width * 0.1, hy + b.height * 0.14
        gx = min(max(gx, a.cx - a.width * 0.55), a.cx + a.width * 0.55)
        gy = min(max(gy, sy + a.height * 0.08), sy + a.height * 0.34)
        out = []
        for s in (-1, 1):
            reach = abs(sx - a.cx)
            shoulder = (a.cx + s * reach, sy)
            elbow = (max(a.cx + s * (reach + arm * 0.8), gx + s * (arm * 2.2)) if s > 0
                     else min(a.cx + s * (reach + arm * 0.8), gx + s * (arm * 2.2)), (sy + gy) / 2 + arm * 0.4)
            out.append([shoulder, elbow, (gx + s * arm * 0.7, gy)])
        return out, arm, lw

    def props(self, a: Placed, b: Placed, pa: Path, pb: Path, f: Frame, L: float, key: str) -> list[Sprite]:
        out = []
        drawn = self.arms(a, b)
        if drawn is not None:
            joints, arm, lw = drawn
            xs = [x for j in joints for x, _y in j]
            ys = [y for j in joints for _x, y in j]
            pad = arm * 1.5 + 4
            left, topy = min(xs) - pad, min(ys) - pad
            size = (round(max(xs) - left + pad) // 2 * 2 + 2, round(max(ys) - topy + pad) // 2 * 2 + 2)
            img = P.arms_over(arm, lw, P.shirt_of(a.art, a.height, a.colour),
                              [[(x - left, y - topy) for x, y in j] for j in joints], size)
            out.append(Sprite(f"{key}arms", one_frame(img), f"({pa.x})+{f3(left - a.cx)}",
                              f"({pa.y})+{f3(topy - a.fy)}"))
        img = heart(max(16, round(min(a.height, b.height) * 0.3)))
        cx = (a.cx + b.cx) / 2
        top = min(a.fy - a.height, b.fy - b.height)
        y = f"{f3(top - img.height * 1.1)}-{f3(f.H * 0.03)}*sin(2*PI*t/1.4)"
        out.append(Sprite(f"{key}heart", one_frame(img), f3(cx - img.width / 2), f"max(2,{y})"))
        return out
