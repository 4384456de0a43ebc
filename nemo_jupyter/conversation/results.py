"""What a turn hands to a front end: :class:`TurnUpdate` while it runs, :class:`TurnResult` at the end."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from ..client.draft import Draft
from ..client.models import Brief, Credits, Event, Reply, UploadedFile, Video
from ..client.secrets import get_logger, swallowed
from .formats import result_markdown, result_plain
from .routing import Intent

__all__ = ["TurnResult", "TurnUpdate", "UpdateCallback"]

log = get_logger("nemo_jupyter.conversation")


@dataclass
class TurnUpdate:
    """One thing that happened during a turn, for a presentation layer to draw.

    ``kind``: ``"text"`` (``text`` is the whole reply so far), ``"tool"`` (``tool`` is a
    compact progress line such as "planning scenes…"), ``"heartbeat"`` (still working;
    see ``elapsed``), ``"state"`` (``draft`` changed; ``changes`` in words), ``"progress"``
    (render ``percent``; ``status`` is the job's "pending" while it waits in the queue,
    with ``queue_position`` when the backend tells it, then "processing"), ``"notice"``
    (``notice`` text), ``"brief"`` (``brief``: what the turn was asked, item by item, when the
    draft did not change), ``"preview"`` (``video``: a quick preview of the render asked for,
    to play while the full-quality file renders), ``"done"`` (``result``). A ``"state"`` update
    carries the turn's ``brief`` too.
    Front ends fold these with :func:`nemo_jupyter.conversation.progress.fold`.
    """

    kind: str
    text: str = ""
    tool: str | None = None
    elapsed: float = 0.0
    draft: Draft | None = None
    percent: float | None = None
    notice: str | None = None
    changes: list[str] = field(default_factory=list)
    result: TurnResult | None = None
    status: str | None = None
    queue_position: int | None = None
    estimate_s: float | None = None  # render: seconds until the video is ready, when the backend says
    brief: Brief | None = None
    video: Video | None = None


@dataclass
class TurnResult:
    """The outcome of :meth:`Conversation.run`: a client ``Reply`` plus what this layer adds.

    ``text`` is the translated reply; ``raw_text`` the backend's own words. ``events`` and
    ``recovered`` come from the ``Reply`` of a chat turn.
    """

    intent: Intent
    text: str = ""
    raw_text: str = ""
    actions: list[str] = field(default_factory=list)
    changes: list[str] = field(default_factory=list)
    draft: Draft | None = None
    draft_before: Draft | None = None
    reply: Reply | None = None
    video: Video | None = None
    credits: Credits | None = None
    uploads: list[UploadedFile] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)
    elapsed: float = 0.0
    backend: str = ""
    session_id: str | None = None
    silent: bool = False
    conversation: str = "default"
    reused: bool = False                 # shown again from an earlier run: nothing sent, nothing spent
    version: int | None = None           # the draft version this turn left in force
    new_video: bool = False              # the prompt started a different video (the old one is a version)
    cost_line: str | None = None         # what the turn could cost, said before sending (charging backends)
    credits_spent: int | None = None
    credits_left: float | None = None
    zh: bool = False                     # the conversation is in Chinese: labels and headers too
    brief: Brief | None = None           # what the backend understood the message to ask, item by item
    preview: Video | None = None         # the quick preview played while the full render ran

    @property
    def events(self) -> list[Event]:
        """The events of the chat turn (empty for commands)."""
        return list(self.reply.events) if self.reply is not None else []

    @property
    def recovered(self) -> bool:
        """True when the stream dropped and the reply was read back from the state."""
        return bool(self.reply is not None and self.reply.recovered)

    @property
    def draft_changed(self) -> bool:
        return bool(self.changes)

    def __str__(self) -> str:
        return self.text

    def __repr__(self) -> str:
        text = self.text if len(self.text) <= 60 else self.text[:57] + "..."
        return (f"TurnResult(intent={self.intent.value!r}, text={text!r}, changes={len(self.changes)}, "
                f"actions={self.actions!r}, backend={self.backend!r})")

    def _repr_mimebundle_(self, include: object = None, exclude: object = None) -> dict[str, str]:
        return {"text/plain": result_plain(self), "text/markdown": result_markdown(self)}


UpdateCallback = Callable[[TurnUpdate], object]


class Emitter:
    """Calls ``on_update`` safely: a broken presentation callback never breaks a turn."""

    def __init__(self, callback: UpdateCallback | None) -> None:
        self.callback = callback

    def __call__(self, update: TurnUpdate) -> None:
        if self.callback is None:
            return
        with swallowed(log, f"drawing a {update.kind!r} update"):  # presentation bugs must not kill the turn
            self.callback(update)

    def done(self, result: TurnResult) -> TurnResult:
        self(TurnUpdate("done", text=result.text, draft=result.draft, changes=result.changes,
                        elapsed=result.elapsed, result=result, brief=result.brief))
        return result
