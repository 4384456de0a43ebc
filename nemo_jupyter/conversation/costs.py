"""What a turn costs on a charging backend: said before it is sent, refused over a limit, counted after.

:class:`CostKeeper` is held by a :class:`~nemo_jupyter.conversation.orchestrator.Conversation`.
The embedded engine charges nothing, and a backend whose balance says ``free`` is taken at its
word: no costs are shown for either.
"""

from __future__ import annotations

from ..client.exceptions import NemoError
from ..client.models import Credits
from .protocols import ChatClient
from .words import Hints, memory_text

__all__ = ["EDIT_COST", "GENERATION_COST", "CostKeeper"]

GENERATION_COST = 100   # PROTOCOL.md: about 100 credits per generated clip
EDIT_COST = 50          # about 50 per editing turn; export is free


class CostKeeper:
    """Credits before and after a turn, and what a conversation spent in this kernel (``spent``)."""

    def __init__(self, nemo: ChatClient, hints: Hints | None = None) -> None:
        self.nemo = nemo
        self.hints = hints
        self.spent = 0        # credits spent by this conversation in this kernel
        self.free = False     # the backend said it charges nothing

    @property
    def charges(self) -> bool:
        """Whether the backend spends credits (the embedded engine never does)."""
        return self.nemo.backend != "local" and not self.free

    async def balance(self) -> Credits | None:
        """The balance now, or None when it cannot be read or the backend charges nothing."""
        return await self._balance() if self.charges else None

    async def _balance(self) -> Credits | None:
        """The balance now, or None when it cannot be read (or the backend says it is free)."""
        try:
            credits = await self.nemo.credits()
        except NemoError:
            return None
        if credits.free is True:
            self.free = True     # a backend that says it charges nothing: no costs to show
            return None
        return credits

    async def before(self, *, limit: float | None, has_draft: bool,
                     zh: bool) -> tuple[Credits | None, str | None]:
        """(credits before, a line saying what the turn may cost); raises beyond ``limit``."""
        if not self.charges:
            return None, None
        credits = await self._balance()
        if not self.charges:
            return None, None
        cost = EDIT_COST if has_draft else GENERATION_COST
        what = memory_text(zh, "an_edit" if has_draft else "a_new_video")
        if limit is not None and cost > limit:
            raise NemoError(memory_text(zh, "over_budget", cost=cost, what=what, limit=f"{limit:g}"),
                            hint=memory_text(zh, "budget_hint", self.hints))
        if credits is None:
            return None, None
        return credits, memory_text(zh, "cost", available=credits.available, what=what, cost=cost)

    async def export_cost(self, *, zh: bool) -> tuple[Credits | None, str | None]:
        """Before a render on a charging backend: the credits available, and that an export is free."""
        if not self.charges:
            return None, None
        credits = await self._balance()
        if credits is None:
            return None, None
        return credits, memory_text(zh, "cost_export", available=credits.available)

    async def after(self, before: Credits | None) -> tuple[int | None, float | None]:
        """(credits spent by the turn, credits left), from the balance before it."""
        if before is None:
            return None, None
        try:
            after = await self.nemo.credits()
        except NemoError:
            return None, None
        a, b = after.available, before.available
        if not isinstance(a, (int, float)) or not isinstance(b, (int, float)):
            return None, a if isinstance(a, (int, float)) else None
        spent = max(0, int(b - a))
        self.spent += spent
        return spent, a
