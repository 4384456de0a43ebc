"""talk_to(a, b): face to face, speech bubbles in turn over each."""

from __future__ import annotations

from typing import ClassVar

from ..elements import Sprite, one_frame
from ..placed import Frame, Placed
from . import relation
from .base import Path, Template, beside, f3, look, settle, towards
from .props import bubble


@relation
class TalkTo(Template):
    kind: ClassVar[str] = "talk_to"
    period: ClassVar[float] = 3.0

    def prepare(self, a: Placed, b: Placed, c: Placed | None) -> None:
        settle(a)  # a conversation stands still: bubbles over two walkers would part
        settle(b)

    def arrange(self, a: Placed, b: Placed, c: Placed | None, f: Frame) -> None:
        beside(a, b, f, -1 if b.cx > f.W / 2 else 1, 0.06 * f.W)
        look(a, towards(a, b))
        look(b, towards(b, a))

    def props(self, a: Placed, b: Placed, pa: Path, pb: Path, f: Frame, L: float, key: str) -> list[Sprite]:
        out = []
        for k, (p, path) in enumerate(((a, pa), (b, pb))):
            img = bubble(max(24, round(min(f.short * 0.14, p.width * 0.9))), p.direction > 0)
            x = f"({path.x})+{f3(p.direction * p.width * 0.25 - img.width / 2)}"
            y = f"max(4,({path.y})-{f3(p.height * 1.04 + img.height)})"
            half = self.period / 2
            on = f"lt(mod(t,{f3(self.period)}),{f3(half)})" if k == 0 else f"gte(mod(t,{f3(self.period)}),{f3(half)})"
            out.append(Sprite(f"{key}bubble{k}", one_frame(img), x, y, enable=on))
        return out
