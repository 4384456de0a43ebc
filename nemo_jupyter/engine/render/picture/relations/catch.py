"""catch(a, b): the thing comes flying in an arc from afar into the catcher's hand (raised, for a
whole person) or mouth, and stays there a beat as the catcher rears up to it."""

from __future__ import annotations

from typing import ClassVar

from ..placed import Frame, Placed
from . import relation
from .base import Path, arc
from .throw import Throw


@relation
class Catch(Throw):
    kind: ClassVar[str] = "catch"
    reach: ClassVar[float] = 0.42
    lift: ClassVar[float] = 0.2
    rest: ClassVar[tuple[float, float]] = (0.0, 0.35)
    #: still while it comes, rearing up to it as it arrives, holding it
    beats: ClassVar[tuple[float, ...]] = (0.0, 0.0, 0.0, -2.0, -4.0, -5.0, -4.0, -2.0)

    def path(self, dep: Placed, anchor: Placed, anchor_path: Path, f: Frame, L: float) -> Path:
        x0, y0, x1, _y1 = self.ends(anchor, dep, f)
        # from far away and high up, into the hand: the throw's arc run backwards
        return arc(x1, f.H * 0.3, x0, y0, self.lift * f.H * 0.6, self.period, rest=self.rest)
