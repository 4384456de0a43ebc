"""follow(a, b): both walk the same way, the follower a step behind (ducklings after their mother)."""

from __future__ import annotations

from typing import ClassVar

from . import relation
from .chase import Chase


@relation
class Follow(Chase):
    kind: ClassVar[str] = "follow"
    pace: ClassVar[str] = "walk"
    closing: ClassVar[bool] = False
