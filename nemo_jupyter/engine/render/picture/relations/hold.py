"""hold(a, b): the held thing at the holder's hand (an animal's mouth), moving with it; a balloon
floats above the hand on its string."""

from __future__ import annotations

from typing import ClassVar

from ..elements import Sprite
from ..placed import Frame, Placed
from . import relation
from .base import Path, Template, f3, hand, look, offset, settle
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
        hx, hy = hand(a)
        if b.animal:
            look(b, a.direction)
        if b.floating:  # above the head, to the side of the hand: never over the face
            b.cx = hx + a.direction * (b.width * 0.35)
            b.fy = min(a.fy - a.height * 0.92, hy - a.height * 0.3)
        else:
            b.cx, b.fy = hx + a.direction * b.width * 0.25, hy + b.height * 0.5
        b.z = a.z
        b.order = a.order + 0.5

    def path(self, dep: Placed, anchor: Placed, anchor_path: Path, f: Frame, L: float) -> Path:
        return offset(anchor_path, dep.cx - anchor.cx, dep.fy - anchor.fy)

    def props(self, a: Placed, b: Placed, pa: Path, pb: Path, f: Frame, L: float, key: str) -> list[Sprite]:
        if not b.floating:
            return []
        hx, hy = hand(a)
        frames, left, topy = string_frames([(hx, hy, b.cx, b.fy - b.height * 0.05)], max(2, f.short // 300))
        # the string moves with the hand (the anchor's path, offset to the canvas' corner)
        return [Sprite(f"{key}string", frames, f"({pa.x})+{f3(left - a.cx)}", f"({pa.y})+{f3(topy - a.fy)}")]
