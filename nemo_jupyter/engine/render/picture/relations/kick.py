"""kick(a, b): the ball rests against the kicker's front foot while it winds up, then leaves it in a
low, long arc as the kicker swings through."""

from __future__ import annotations

from typing import ClassVar

from ..placed import Placed
from . import relation
from .base import whole
from .throw import Throw


@relation
class Kick(Throw):
    kind: ClassVar[str] = "kick"
    reach: ClassVar[float] = 0.5
    lift: ClassVar[float] = 0.14
    period: ClassVar[float] = 1.5
    rest: ClassVar[tuple[float, float]] = (0.3, 0.0)
    beats: ClassVar[tuple[float, ...]] = (-2.0, -5.0, -7.0, 8.0, 5.0, 2.0, 0.0, 0.0, 0.0, 0.0)
    arms: ClassVar[str] = ""

    def start(self, a: Placed, b: Placed) -> tuple[float, float]:
        # touching the front foot (a whole person's legs are narrow: its feet near its middle)
        foot = a.cx + a.direction * a.width * (0.12 if whole(a) else 0.4)
        return foot + a.direction * b.width * 0.45, a.fy - b.height / 2
