"""grow(a, b): a plant grows beside the one who grows it (a gardener, a farmer)."""

from __future__ import annotations

from typing import ClassVar

from . import relation
from .build import Build


@relation
class Grow(Build):
    kind: ClassVar[str] = "grow"
    work: ClassVar[str] = "tend"
