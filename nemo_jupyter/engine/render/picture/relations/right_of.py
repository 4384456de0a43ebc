"""right_of(a, b): on the other's right, same ground line."""

from __future__ import annotations

from typing import ClassVar

from . import relation
from .beside import Beside


@relation
class RightOf(Beside):
    kind: ClassVar[str] = "right_of"
    gap: ClassVar[float] = 0.05
    side: ClassVar[int] = 1
