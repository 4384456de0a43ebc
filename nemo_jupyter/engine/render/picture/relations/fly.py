"""fly(a, b): a kite (or a toy plane) high above the flyer, dancing on a string held in its hand."""

from __future__ import annotations

import math
from typing import ClassVar

from ..elements import Sprite
from ..placed import Frame, Placed
from . import relation
from .base import Path, Template, f3, hand, look, pose_arms, settle
from .props import string_frames

PERIOD = 2.4
FRAMES = 12


@relation
class Fly(Template):
    kind: ClassVar[str] = "fly"
    dependent: ClassVar[str] = "b"

    def prepare(self, a: Placed, b: Placed, c: Placed | None) -> None:
        settle(a)
        b.motion, b.lifted = "still", True

    def arrange(self, a: Placed, b: Placed, c: Placed | None, f: Frame) -> None:
        most = a.height * 0.55
        if b.box_h > most:
            b.resize(most / b.box_h)
        side = 1 if a.cx < f.W / 2 else -1
        look(a, side)
        pose_arms(a, "up")  # the string in the raised hand
        b.cx = min(f.W - f.margin - b.width / 2, max(f.margin + b.width / 2, a.cx + side * 0.22 * f.W))
        b.fy = max(f.ceiling + b.height + 0.02 * f.H, min(a.fy - a.height - 0.12 * f.H, 0.42 * f.H))
        b.z = a.z

    def _sway(self, f: Frame) -> tuple[float, float]:
        return 0.035 * f.W, 0.025 * f.H

    def path(self, dep: Placed, anchor: Placed, anchor_path: Path, f: Frame, L: float) -> Path:
        ax, ay = self._sway(f)
        # stepped like the string's frames, so the string always ends at the kite
        k = f"floor(mod(t,{PERIOD})*{FRAMES / PERIOD:.4f})*{2 * math.pi / FRAMES:.5f}"
        return Path(f"{f3(dep.cx)}+{f3(ax)}*sin({k})", f"{f3(dep.fy)}+{f3(ay)}*sin(2*({k})+0.7)")

    def props(self, a: Placed, b: Placed, pa: Path, pb: Path, f: Frame, L: float, key: str) -> list[Sprite]:
        ax, ay = self._sway(f)
        hx, hy = hand(a)
        ends = []
        for k in range(FRAMES):
            ph = 2 * math.pi * k / FRAMES
            ends.append((hx, hy, b.cx + ax * math.sin(ph), b.fy + ay * math.sin(2 * ph + 0.7) - b.height * 0.1))
        frames, left, topy = string_frames(ends, max(2, f.short // 300))
        return [Sprite(f"{key}string", frames, f3(left), f3(topy), fps=FRAMES / PERIOD)]
