"""left_of(a, b): on the other's left, same ground line (the pair moves into the frame if needed)."""

from __future__ import annotations

from typing import ClassVar

from . import relation
from .beside import Beside


@relation
class LeftOf(Beside):
    kind: ClassVar[str] = "left_of"
    gap: ClassVar[float] = 0.05
    side: ClassVar[int] = -1
