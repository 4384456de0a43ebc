"""near(a, b): close to the other, a little apart."""

from __future__ import annotations

from typing import ClassVar

from . import relation
from .beside import Beside


@relation
class Near(Beside):
    kind: ClassVar[str] = "near"
    gap: ClassVar[float] = 0.07
