"""kick(a, b): the ball leaves the kicker's foot in a low, long arc."""

from __future__ import annotations

from typing import ClassVar

from ..placed import Placed
from . import relation
from .throw import Throw


@relation
class Kick(Throw):
    kind: ClassVar[str] = "kick"
    reach: ClassVar[float] = 0.5
    lift: ClassVar[float] = 0.14
    period: ClassVar[float] = 1.5

    def start(self, a: Placed) -> tuple[float, float]:
        return a.cx + a.direction * a.width * 0.45, a.fy - a.height * 0.05
