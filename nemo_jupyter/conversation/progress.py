"""The one progress reducer: a :class:`Progress` state and a pure :func:`fold` of :class:`TurnUpdate`\\ s.

Every front end draws the same state: the notebook's live cell (:mod:`nemo_jupyter.ui.live`),
the terminal printer (:mod:`nemo_jupyter.ui.terminal`) and the widgets. None of them folds
updates on its own, so "what is the reply so far", "what is it doing", "how far is the render"
mean the same thing everywhere::

    state = Progress()
    for update in updates:
        state = fold(state, update)
    state.text, state.activity, state.percent, state.draft
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Iterable
from dataclasses import dataclass

from ..client.draft import Draft
from ..client.models import Brief, Video
from . import words
from .results import TurnResult, TurnUpdate

__all__ = ["Progress", "fold", "fold_all"]


@dataclass(frozen=True)
class Progress:
    """What a turn has shown so far. Immutable: :func:`fold` returns a new one.

    - ``text``: the reply so far (the latest whole text, never a piece);
    - ``kind``: the kind of the last update (``"text"``, ``"tool"``, ``"heartbeat"``, ...);
    - ``tool``: the latest activity line of a tool (started or finished, ``"… ✓"``);
    - ``tools``: the activities started so far, in order, each once (for printers that list them);
    - ``notice``: the latest notice; ``activity``: the latest tool, notice or render line;
    - ``heartbeat``: the backend said "still working"; ``beat``: ``elapsed`` at the last one;
    - ``rendering`` / ``percent``: a render (or an upload) runs, and how far (None: unknown);
      ``status`` is the render job's (``"pending"`` while it waits in the queue, at
      ``queue_position`` when the backend tells it; then ``"processing"``), ``estimate_s`` the
      seconds until the video is ready when the backend tells it, ``render_line`` all that in words
      (``"queued · 2nd · ~12 s"``, ``"rendering · ~8 s left"``);
    - ``draft`` / ``changes``: the timeline after the last change, and the change in words;
    - ``brief``: what the turn was asked, item by item, with each item's outcome (None when the
      backend sent none);
    - ``preview``: a quick preview of the render asked for, playable while the full file renders;
    - ``result``: the turn's result once it is done.
    """

    text: str = ""
    kind: str = ""
    tool: str | None = None
    tools: tuple[str, ...] = ()
    notice: str | None = None
    activity: str | None = None
    heartbeat: bool = False
    beat: float = 0.0
    elapsed: float = 0.0
    rendering: bool = False
    percent: float | None = None
    status: str | None = None
    queue_position: int | None = None
    estimate_s: float | None = None
    draft: Draft | None = None
    changes: tuple[str, ...] = ()
    notices: tuple[str, ...] = ()
    brief: Brief | None = None
    preview: Video | None = None
    result: TurnResult | None = None
    updates: int = 0

    @property
    def done(self) -> bool:
        return self.result is not None

    @property
    def waiting(self) -> bool:
        """The render waits in the backend's queue."""
        return self.status == "pending"

    @property
    def eta(self) -> str:
        """While the render waits or runs, its place in the queue and the time left in words
        ("2nd · ~12 s", "~8 s left"), when the backend told them; ``""`` otherwise."""
        if self.status not in ("pending", "processing"):
            return ""
        return words.render_eta_text(self.waiting, self.queue_position, self.estimate_s)

    @property
    def render_line(self) -> str:
        """The render job's status in words while it waits or runs, when the backend told its place in
        the queue or an estimate (``""`` otherwise: then ``tool`` says "rendering…")."""
        if not self.eta:
            return ""
        return words.render_status_text(self.waiting, self.queue_position, self.estimate_s)


def _clamp(percent: float | None) -> float | None:
    """0..100, or None when unknown (None, NaN, not a number)."""
    try:
        value = float(percent) if percent is not None else math.nan
    except (TypeError, ValueError):
        return None
    return None if math.isnan(value) else max(0.0, min(100.0, value))


def fold(state: Progress, update: TurnUpdate) -> Progress:
    """The state after ``update``: a pure function (``state`` is not changed)."""
    change: dict[str, object] = {"kind": update.kind, "updates": state.updates + 1,
                                 "elapsed": max(state.elapsed, update.elapsed)}
    if update.kind in ("text", "tool", "heartbeat", "state", "notice", "brief", "done") and update.text:
        change["text"] = update.text
    if update.kind == "tool" and update.tool:
        change["tool"] = change["activity"] = update.tool
        if not update.tool.endswith("✓") and update.tool not in state.tools:
            change["tools"] = (*state.tools, update.tool)
    elif update.kind == "heartbeat":
        change["heartbeat"] = True
        change["beat"] = update.elapsed
    elif update.kind == "progress":
        change["rendering"] = True
        change["status"] = update.status
        change["queue_position"] = update.queue_position if update.status == "pending" else None
        change["estimate_s"] = update.estimate_s
        pct = _clamp(update.percent)
        if pct is not None:
            change["percent"] = pct
        if update.tool:
            change["activity"] = update.tool
            change["tool"] = update.tool
    elif update.kind == "notice" and update.notice:
        change["notice"] = change["activity"] = update.notice
        change["notices"] = (*state.notices, update.notice)
    if update.kind in ("state", "done") and update.draft is not None:
        change["draft"] = update.draft
    if update.kind in ("state", "done") and update.changes:
        change["changes"] = tuple(update.changes)
    if update.kind in ("state", "brief", "done") and update.brief is not None:
        change["brief"] = update.brief
    if update.kind == "preview" and update.video is not None:
        change["preview"] = update.video
    if update.kind == "done" and update.result is not None:
        change["result"] = update.result
    return dataclasses.replace(state, **change)  # type: ignore[arg-type]


def fold_all(updates: Iterable[TurnUpdate], state: Progress | None = None) -> Progress:
    """All of ``updates`` folded into ``state`` (default: a fresh :class:`Progress`)."""
    state = state or Progress()
    for update in updates:
        state = fold(state, update)
    return state
