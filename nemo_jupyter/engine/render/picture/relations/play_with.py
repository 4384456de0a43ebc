"""play_with(a, b): a toy or ball bounces in front of the player; two animals or children hop
facing each other, in turn."""

from __future__ import annotations

from typing import ClassVar

from ..placed import Frame, Placed
from . import relation
from .base import Path, Template, beside, look, towards


def alive(p: Placed) -> bool:
    return p.person or p.animal


@relation
class PlayWith(Template):
    kind: ClassVar[str] = "play_with"

    def prepare(self, a: Placed, b: Placed, c: Placed | None) -> None:
        a.motion = "bounce"
        b.motion = "bounce"
        if not alive(b):
            b.lifted = True

    def arrange(self, a: Placed, b: Placed, c: Placed | None, f: Frame) -> None:
        if not alive(b):
            most = a.height * 0.45
            if b.box_h > most:
                b.resize(most / b.box_h)
        # the player beside the other, facing it
        side = -1 if b.cx > f.W / 2 else 1
        beside(a, b, f, side, 0.03 * f.W)
        look(a, towards(a, b))
        if alive(b):
            look(b, towards(b, a))

    def path(self, dep: Placed, anchor: Placed, anchor_path: Path, f: Frame, L: float) -> Path | None:
        return None
