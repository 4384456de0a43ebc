"""carry(a, b): like hold, walking with it."""

from __future__ import annotations

from typing import ClassVar

from . import relation
from .hold import Hold


@relation
class Carry(Hold):
    kind: ClassVar[str] = "carry"
    walking: ClassVar[bool] = True
