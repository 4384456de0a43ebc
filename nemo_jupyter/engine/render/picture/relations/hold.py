"""hold(a, b): the held thing at the holder's hand (an animal's mouth), moving with it; a balloon
floats above the hand on its string. A whole person reaches out with the hand that holds (raises
it, for a string), so the hand shows beside the body, and the thing or its string ends in it."""

from __future__ import annotations

from typing import ClassVar

from ..elements import Sprite
from ..placed import Frame, Placed
from . import relation
from .base import Path, Template, f3, hand, knot, look, offset, pose_arms, settle
from .props import string_frames


def floats(p: Placed) -> bool:
    return p.motion in ("float", "fly") or (p.kind in ("event",) and p.art.startswith("1F388"))


@relation
class Hold(Template):
    kind: ClassVar[str] = "hold"
    dependent: ClassVar[str] = "b"
    walking: ClassVar[bool] = False

    def prepare(self, a: Placed, b: Placed, c: Placed | None) -> None:
        b.floating = floats(b)
        b.motion, b.lifted = "still", True
        if self.walking and a.motion not in ("fly", "swim"):
            a.motion = "walk"
        elif not self.walking:
            settle(a)

    def arrange(self, a: Placed, b: Placed, c: Placed | None, f: Frame) -> None:
        most = a.height * (0.5 if b.floating else 0.42)
        if b.box_h > most:
            b.resize(most / b.box_h)
        pose_arms(a, "up" if b.floating else "out")
        hx, hy = hand(a)
        if b.animal:
            look(b, a.direction)
        if b.floating:  # above the raised hand, a string's length up: never over the face
            b.cx = hx + a.direction * b.width * 0.2
            b.cx += b.cx - knot(b)[0]  # its knot right over the hand
            b.fy = hy - max(a.height * 0.22, b.height * 0.3)
        else:  # in the hand, hanging from it
            b.cx, b.fy = hx + a.direction * b.width * 0.2, hy + b.height * 0.55
        b.z = a.z
        b.order = a.order + 0.5

    def path(self, dep: Placed, anchor: Placed, anchor_path: Path, f: Frame, L: float) -> Path:
        return offset(anchor_path, dep.cx - anchor.cx, dep.fy - anchor.fy)

    def props(self, a: Placed, b: Placed, pa: Path, pb: Path, f: Frame, L: float, key: str) -> list[Sprite]:
        if not b.floating:
            return []
        hx, hy = hand(a)
        kx, ky = knot(b)
        frames, left, topy = string_frames([(hx, hy, kx, ky - 1)], max(2, f.short // 250))
        # the string moves with the hand (the anchor's path, offset to the canvas' corner)
        return [Sprite(f"{key}string", frames, f"({pa.x})+{f3(left - a.cx)}", f"({pa.y})+{f3(topy - a.fy)}")]
