"""The interface of an edit operation, and the context every operation works on.

An operation is a small class in its own module (MoviePy's effect-per-file): ``wants(ctx)``
says whether the prompt asks for it, ``apply(ctx)`` changes ``ctx.draft`` (a copy: the
user's draft is never mutated), records a :class:`~..common.Step` and says what it did with
``ctx.say(english, chinese)``. The order of operations lives in :mod:`.registry`.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from typing import Any, ClassVar

from ..brief import Brief
from ..common import Step
from ..draftops import _Ids


@dataclass
class EditContext:
    """Everything an operation reads and writes during one edit turn."""

    brief: Brief
    draft: dict[str, Any]          # the working copy
    assets: list[dict[str, Any]]   # the session's uploads
    lang: str                      # reply language key: "en" | "zh"
    ids: _Ids
    total: int                     # the video's length now, ms
    steps: list[Step] = field(default_factory=list)
    done: list[str] = field(default_factory=list)   # what was done, in the reply's language
    notes: list[str] = field(default_factory=list)  # extra sentences for the reply
    resize_scene: bool = False     # the prompt resizes one scene (the length op then stays out)

    @property
    def zh(self) -> bool:
        return self.lang == "zh"

    def say(self, en: str, cn: str) -> None:
        self.done.append(cn if self.zh else en)

    def step(self, name: str, args: dict[str, Any], result: dict[str, Any]) -> None:
        self.steps.append(Step(name, args, result))

    def stepped(self, *names: str) -> bool:
        return any(s.name in names for s in self.steps)


class EditOp(ABC):
    """One edit operation."""

    name: ClassVar[str]

    @abstractmethod
    def wants(self, ctx: EditContext) -> bool:
        """Whether the prompt asks for this operation on this draft."""

    @abstractmethod
    def apply(self, ctx: EditContext) -> None:
        """Change ``ctx.draft``; record steps and say what was done."""
