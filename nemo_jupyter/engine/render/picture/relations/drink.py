"""drink(a, b): the drink at the drinker's mouth, tipping towards it."""

from __future__ import annotations

from typing import ClassVar

from . import relation
from .eat import Eat


@relation
class Drink(Eat):
    kind: ClassVar[str] = "drink"
    pose: ClassVar[str] = "sipped"
