"""hug(a, b): face to face, arms' length closed, a heart rising over them."""

from __future__ import annotations

from typing import ClassVar

from ..elements import Sprite, one_frame
from ..placed import Frame, Placed
from . import relation
from .base import Path, Template, f3, look, settle, towards
from .props import heart


@relation
class Hug(Template):
    kind: ClassVar[str] = "hug"

    def prepare(self, a: Placed, b: Placed, c: Placed | None) -> None:
        settle(a)
        settle(b)

    def arrange(self, a: Placed, b: Placed, c: Placed | None, f: Frame) -> None:
        side = -1 if b.cx > f.W / 2 else 1
        a.cx = b.cx + side * (a.width + b.width) / 2 * 0.62
        a.fy, a.z = b.fy, b.z
        look(a, towards(a, b))
        look(b, towards(b, a))
        a.order = b.order + 0.5

    def props(self, a: Placed, b: Placed, pa: Path, pb: Path, f: Frame, L: float, key: str) -> list[Sprite]:
        img = heart(max(16, round(min(a.height, b.height) * 0.3)))
        cx = (a.cx + b.cx) / 2
        top = min(a.fy - a.height, b.fy - b.height)
        y = f"{f3(top - img.height * 1.1)}-{f3(f.H * 0.03)}*sin(2*PI*t/1.4)"
        return [Sprite(f"{key}heart", one_frame(img), f3(cx - img.width / 2), f"max(2,{y})")]
