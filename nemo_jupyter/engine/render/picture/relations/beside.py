"""beside(a, b): side by side on the same ground line, on the side with more room."""

from __future__ import annotations

from typing import ClassVar

from ..placed import Frame, Placed
from . import relation
from .base import Template, beside


@relation
class Beside(Template):
    kind: ClassVar[str] = "beside"
    spatial: ClassVar[bool] = True
    gap: ClassVar[float] = 0.03   # frame widths between them
    side: ClassVar[int] = 0       # 0: the side with more room; -1 left; +1 right

    def arrange(self, a: Placed, b: Placed, c: Placed | None, f: Frame) -> None:
        side = self.side or (1 if b.cx < f.W / 2 else -1)
        if self.side:
            bx0, _y0, bx1, _y1 = b.box()
            half = a.box_w / 2
            a.cx = bx1 + self.gap * f.W + half if side > 0 else bx0 - self.gap * f.W - half
            if not a.lifted and a.motion not in ("fly", "float"):
                a.fy, a.z = b.fy, b.z
        else:
            beside(a, b, f, side, self.gap * f.W)
