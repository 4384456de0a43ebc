"""chase(a, b): both run the same way, the chaser behind, closing in and falling back."""

from __future__ import annotations

from typing import ClassVar

from ..placed import Frame, Placed
from . import relation
from .base import Path, Template, bob, f3, look


@relation
class Chase(Template):
    kind: ClassVar[str] = "chase"
    pace: ClassVar[str] = "run"
    closing: ClassVar[bool] = True

    def prepare(self, a: Placed, b: Placed, c: Placed | None) -> None:
        for p in (a, b):
            if p.motion not in ("fly", "swim"):
                p.motion = self.pace

    def _gaps(self, a: Placed, b: Placed, f: Frame) -> tuple[float, float]:
        near = (a.box_w + b.box_w) / 2 + 0.02 * f.W
        if not self.closing:
            return near, near
        # the chaser closes in and falls back, by as much as leaves the whole chase inside the frame
        free = f.W - 2 * f.margin - (near + a.box_w / 2 + b.box_w * 1.5) - 0.06 * f.W
        return near, near + max(0.0, min(0.2 * f.W, free))

    def arrange(self, a: Placed, b: Placed, c: Placed | None, f: Frame) -> None:
        look(a, b.direction)
        a.cx = b.cx - b.direction * self._gaps(a, b, f)[1]
        if a.motion == b.motion or (a.motion not in ("fly", "swim") and b.motion not in ("fly", "swim")):
            a.fy, a.z = b.fy, b.z
        a.order = b.order - 0.5

    def path(self, dep: Placed, anchor: Placed, anchor_path: Path, f: Frame, L: float) -> Path:
        near, far = self._gaps(dep, anchor, f)
        gap = f"({f3(near)}+{f3(far - near)}*(0.5+0.5*cos(2*PI*t/3.2)))" if far > near else f3(near)
        sign = "-" if anchor.direction > 0 else "+"
        return Path(f"({anchor_path.x}){sign}{gap}", bob(dep, f.H))

    def trail(self, dep: Placed, anchor: Placed, f: Frame) -> float:
        return self._gaps(dep, anchor, f)[1] + dep.box_w / 2
