"""Chat turns of a session: sent once over ``/run_sse``, read as typed events.

:class:`ChatTurns` holds the client's :class:`~.pipeline.Pipeline` and the session it speaks
for (as the small :class:`ChatHost` it needs). The message is sent once and its events are
yielded as they arrive; a dropped stream is followed by the protocol's recovery (wait, read the
state, compare with the draft before the turn, check again a few times), never by a re-send.
The stream goes through the pipeline's attempts and token refresh like every request. How the
turn went is said as :class:`~.models.Notice` codes (the conversation layer words them).

A turn is bounded whatever the backend sends (:class:`~.settings.Timeouts`, :class:`~.settings.Limits`):
only keep-alives for ``turn`` seconds or a turn longer than ``turn_total`` is a :class:`TurnTimeout`;
more events, reply text or bytes than the limits is a :class:`StreamTooLarge` (one event's size and
the turn's bytes are counted by the pipeline). The events a turn keeps (:attr:`Turn.events`, the
reply's ``events``) hold each text event's whole text; past :data:`KEPT_TEXT_CHARS` of them, only
the newest text event is kept, so a long stream of small chunks never costs memory without end.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

import httpx

from .draft import Draft
from .events import EventAssembler
from .exceptions import (
    DraftError,
    EventParseError,
    NemoError,
    SessionNotFound,
    StreamDropped,
    StreamError,
    StreamTooLarge,
    TurnTimeout,
)
from .models import Brief, Event, Heartbeat, Notice, Reply, State, TextEvent
from .pipeline import Pipeline
from .secrets import get_logger, redact
from .settings import Recovery

__all__ = ["APP_NAME", "ChatHost", "ChatTurns", "DraftMemo", "Turn"]

log = get_logger("nemo_jupyter.client")

APP_NAME = "nemo_agent"
TEMPORARY_ISSUE = "I encountered a temporary issue"
KEPT_TEXT_CHARS = 8_000_000   # the text the kept text events of a turn may hold together


@dataclass
class Turn:
    """What one chat turn gathered, for ask() and the conversation layer."""

    text: str = ""
    events: list[Event] = field(default_factory=list)
    state_delta: dict[str, Any] = field(default_factory=dict)
    draft_before: Draft | None = None
    recovered: bool = False
    recovered_state: State | None = None
    finished: bool = False
    skipped: int = 0
    kept_text: int = 0   # characters held by the text events in ``events``

    def keep(self, event: Event) -> None:
        """Add ``event`` to :attr:`events`; once the text events hold :data:`KEPT_TEXT_CHARS`, the older
        text events give way to the newest (its text is the whole reply so far)."""
        if isinstance(event, TextEvent):
            if self.kept_text + len(event.text) > KEPT_TEXT_CHARS:
                self.events = [e for e in self.events if not isinstance(e, TextEvent)]
                self.kept_text = 0
            self.kept_text += len(event.text)
        self.events.append(event)


@dataclass
class DraftMemo:
    """The last draft a session saw, and whether it is still the backend's (a turn that did not
    end normally may have changed it since). The session and its chat turns share this one record."""

    draft: Draft | None = None
    known: bool = False

    def set(self, draft: Draft | None) -> None:
        self.draft = draft
        self.known = True

    def forget(self) -> None:
        self.draft = None
        self.known = False


class ChatHost(Protocol):
    """What a chat turn needs from its session (:class:`~.session.AsyncSession`)."""

    id: str | None
    memo: DraftMemo

    async def open(self, text: str | None = None) -> str: ...

    async def state(self) -> State: ...

    def forget(self) -> None: ...


class ChatTurns:
    """``stream`` and ``ask`` for one session, through the client's pipeline."""

    def __init__(self, pipeline: Pipeline, host: ChatHost, recovery: Recovery) -> None:
        self.pipeline = pipeline
        self.host = host
        self.recovery = recovery
        self.last_turn: Turn | None = None

    async def stream(self, text: str) -> AsyncIterator[Event]:
        """Send ``text`` once and yield typed events as they arrive (EOF ends the turn)."""
        if not isinstance(text, str) or not text.strip():
            raise StreamError("Nothing to send: the message is empty.", hint="Type what the video should be.")
        host, memo = self.host, self.host.memo
        existed = host.id is not None
        sid = await host.open(text)
        turn = Turn()
        self.last_turn = turn
        if existed and not memo.known:
            with contextlib.suppress(NemoError):
                await host.state()
        turn.draft_before = memo.draft
        # Until this turn completes normally the draft is unknown: a cancelled or timed-out
        # turn may still change it, so the next turn reads the state before diffing.
        memo.known = False
        assembler = EventAssembler()
        body = {"app_name": APP_NAME, "user_id": "me", "session_id": sid,
                "new_message": {"role": "user", "parts": [{"text": text}]}, "streaming": True}
        try:
            async with self.pipeline.events("/run_sse", json_body=body) as source:
                async for event in self._events(source, assembler, turn):
                    yield event
        except SessionNotFound as exc:
            host.forget()
            raise SessionNotFound(f"The session {sid} is gone on the backend; its draft is lost.", code=1002,
                                  status=exc.status) from None
        except (httpx.TransportError, httpx_sse_errors()) as exc:
            log.warning("the chat stream dropped (%s); reading the state instead of re-sending", type(exc).__name__)
            await self._recover(turn, reason=type(exc).__name__)
        turn.text = assembler.text
        turn.state_delta = dict(assembler.state_delta)
        turn.finished = True
        if turn.recovered_state is None:
            # The turn may have changed the draft: take it from the stream's state delta when
            # there is one, else mark it unknown so the next turn reads the state first.
            delta_draft = _draft_from_delta(turn.state_delta, None) if "draft" in turn.state_delta else None
            if delta_draft is not None:
                memo.set(delta_draft)
            else:
                memo.known = False

    async def _events(self, source: Any, assembler: EventAssembler, turn: Turn) -> AsyncIterator[Event]:
        timeout, total = self.pipeline.timeouts.turn, self.pipeline.timeouts.turn_total
        limits = self.pipeline.limits
        started = last_real = time.monotonic()
        count = 0
        iterator = source.aiter_sse().__aiter__()

        def expired() -> TurnTimeout:
            now = time.monotonic()
            if now - started >= total:
                return TurnTimeout(f"The turn went on for {total:g} s, longer than a turn may last; the client "
                                   "stopped reading (the backend may still finish it).", total=True)
            return TurnTimeout(f"The backend sent only keep-alives for {timeout:g} s; the turn was stopped.")

        try:
            while True:
                now = time.monotonic()
                remaining = min(timeout - (now - last_real), total - (now - started))
                if remaining <= 0:
                    raise expired()
                try:
                    sse = await asyncio.wait_for(iterator.__anext__(), remaining)
                except StopAsyncIteration:
                    return
                except asyncio.TimeoutError:
                    raise expired() from None
                count += 1
                if count > limits.turn_events:
                    raise StreamTooLarge(f"The backend sent more than {limits.turn_events} events in one turn; "
                                         "the client stopped reading.", limit=limits.turn_events)
                if sse.event == "error":
                    raise StreamError(f"The backend reported an error during the turn: {redact(sse.data) or 'no details'}")
                try:
                    events = assembler.feed(sse.data)
                except EventParseError as exc:
                    # one unreadable frame must not throw away a long turn: note it and go on
                    turn.skipped += 1
                    log.warning("skipped an unreadable event in the chat stream: %s", exc.message)
                    continue
                if assembler.size > limits.reply_chars:
                    raise StreamTooLarge(f"The reply grew past {limits.reply_chars} characters; the client "
                                         "stopped reading.", limit=limits.reply_chars)
                for event in events:
                    if not isinstance(event, Heartbeat):
                        last_real = time.monotonic()
                    turn.keep(event)
                    turn.text = assembler.text
                    yield event
        finally:
            with contextlib.suppress(Exception):
                await iterator.aclose()

    async def _recover(self, turn: Turn, *, reason: str) -> None:
        """Protocol recovery after a dropped stream: never re-send; watch the state instead."""
        before = _draft_json(turn.draft_before)
        policy = self.recovery
        await asyncio.sleep(policy.wait)
        for check in range(max(1, policy.checks)):
            if check:
                await asyncio.sleep(policy.interval)
            try:
                st = await self.host.state()
            except NemoError as exc:
                log.info("state read %d after the drop failed: %s", check + 1, exc)
                continue
            if _draft_json(st.draft) != before:
                turn.recovered = True
                turn.recovered_state = st
                return
        raise StreamDropped(
            f"The connection broke mid-turn ({reason}) and the draft did not change in "
            f"{max(1, policy.checks)} checks.", changed=False)

    async def ask(self, text: str, *, on_event: Callable[[Event], None] | None = None) -> Reply:
        """One whole turn: the reply text, the events, and what changed in the draft.

        ``on_event`` is called with every event as it arrives (for live display).
        """
        async for event in self.stream(text):
            if on_event is not None:
                on_event(event)
        turn = self.last_turn or Turn()
        events = list(turn.events)
        before = turn.draft_before
        after: Draft | None
        state: State | None = turn.recovered_state
        if state is not None:
            after = state.draft
        else:
            try:
                state = await self.host.state()
                after = state.draft
            except NemoError as exc:
                log.info("could not read the state after the turn: %s", exc)
                after = _draft_from_delta(turn.state_delta, before)
                self.host.memo.set(after)
        # the turn's own brief (its state delta), else the one the state keeps
        brief = Brief.from_json(turn.state_delta.get("brief")) or (state.brief if state is not None else None)
        changes = _diff(before, after)
        reply_text = _strip_temporary_issue(turn.text)
        notices: list[Notice] = []
        if turn.recovered:
            notices.append(Notice("recovered"))
        if turn.skipped:
            notices.append(Notice("skipped_events", count=turn.skipped))
        if reply_text != turn.text:
            notices.append(Notice("temporary_issue_dropped"))
        return Reply(text=reply_text, events=events, changes=changes, draft=after, draft_before=before,
                     session_id=self.host.id, silent=not reply_text.strip(), recovered=turn.recovered, notices=notices,
                     brief=brief)


def httpx_sse_errors() -> type[Exception]:
    from httpx_sse import SSEError

    return SSEError


def _draft_json(draft: Draft | None) -> str | None:
    if draft is None:
        return None
    return json.dumps(draft.to_json(), sort_keys=True, ensure_ascii=False)


def _draft_from_delta(delta: dict[str, Any], before: Draft | None) -> Draft | None:
    raw = delta.get("draft")
    if raw is None:
        return before
    try:
        return Draft.from_json(raw)
    except DraftError:
        return before


def _diff(before: Draft | None, after: Draft | None) -> list[str]:
    if after is None:
        return [] if before is None else ["The draft was cleared."]
    base = before if before is not None else Draft.from_json(None)
    try:
        return list(base.diff(after))
    except Exception as exc:  # a diff must never lose the reply
        log.warning("could not diff the drafts: %s", exc)
        return []


def _strip_temporary_issue(text: str) -> str:
    """Drop a trailing "I encountered a temporary issue" after otherwise normal output."""
    idx = text.rfind(TEMPORARY_ISSUE)
    if idx > 0 and text[:idx].strip():
        return text[:idx].rstrip()
    return text
