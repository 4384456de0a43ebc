"""A chat turn of :class:`~.session.AsyncSession`: sent once over ``/run_sse``, read as typed events.

The message is sent once and its events are yielded as they arrive; a dropped stream is
followed by the protocol's recovery (wait, read the state, compare with the draft before the
turn, check again a few times), never by a re-send. The stream goes through the same retry
policy (:mod:`.transport`) and token refresh (:mod:`.auth`) as every request. How the turn
went is said as :class:`~.models.Notice` codes (the conversation layer words them).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import httpx
from httpx_sse import aconnect_sse

from .auth import envelope_code
from .encoding import encode_json
from .errors import is_session_missing, json_or_none
from .events import EventAssembler
from .exceptions import (
    EventParseError,
    NemoError,
    SessionNotFound,
    StreamDropped,
    StreamError,
    TransportError,
    TurnTimeout,
)
from .models import Event, Heartbeat, Notice, Reply, State
from .secrets import get_logger, redact
from .transport import origin

if TYPE_CHECKING:
    from .draft import Draft
    from .nemo import AsyncNemo

__all__ = ["APP_NAME", "ChatTurns", "Turn"]

log = get_logger("nemo_jupyter.client")

APP_NAME = "nemo_agent"
TEMPORARY_ISSUE = "I encountered a temporary issue"


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


class ChatTurns:
    """The chat half of :class:`~.session.AsyncSession` (mixed into it): ``stream`` and ``ask``."""

    _nemo: AsyncNemo
    id: str | None
    _draft: Draft | None
    _draft_known: bool
    last_turn: Turn | None

    if TYPE_CHECKING:  # provided by AsyncSession
        async def _ensure(self, text: str | None = None) -> str: ...
        async def state(self) -> State: ...
        def _set_draft(self, draft: Draft | None) -> None: ...
        def _forget(self) -> None: ...

    async def stream(self, text: str) -> AsyncIterator[Event]:
        """Send ``text`` once and yield typed events as they arrive (EOF ends the turn)."""
        if not isinstance(text, str) or not text.strip():
            raise StreamError("Nothing to send: the message is empty.", hint="Type what the video should be.")
        nemo = self._nemo
        existed = self.id is not None
        sid = await self._ensure(text)
        turn = Turn()
        self.last_turn = turn
        if existed and not self._draft_known:
            with contextlib.suppress(NemoError):
                await self.state()
        turn.draft_before = self._draft
        # Until this turn completes normally the draft is unknown: a cancelled or timed-out
        # turn may still change it, so the next turn reads the state before diffing.
        self._draft_known = False
        assembler = EventAssembler()
        body = {"app_name": APP_NAME, "user_id": "me", "session_id": sid,
                "new_message": {"role": "user", "parts": [{"text": text}]}, "streaming": True}
        attempts = nemo.attempts(idempotent=False, label="/run_sse")   # a chat message is never re-sent
        sent = False
        while True:
            base = await nemo._base()
            url = base + "/run_sse"
            try:
                async with aconnect_sse(nemo._http(), "POST", url, content=encode_json(body), auth=nemo.auth,
                                        headers={"Content-Type": "application/json"},
                                        timeout=httpx.Timeout(30.0, read=None)) as source:
                    response = source.response
                    sent = True
                    if response.status_code != 200 or "text/event-stream" not in response.headers.get("content-type", ""):
                        await response.aread()
                        if await attempts.after_response(response):
                            sent = False   # refused (429), not taken: the same message once more
                            continue
                        payload = json_or_none(response)
                        code = envelope_code(payload)
                        if (response.status_code == 404 and is_session_missing(payload)) or code == 1002:
                            self._forget()
                            raise SessionNotFound(
                                f"The session {sid} is gone on the backend; its draft is lost.",
                                code=1002, status=response.status_code)
                        if response.status_code < 400 and code in (None, 0):
                            raise EventParseError(
                                f"/run_sse answered {response.headers.get('content-type') or 'no content type'} "
                                "instead of an event stream.")
                        nemo.raise_for(response, payload, path="/run_sse")
                    async for event in self._events(source, assembler, turn):
                        yield event
                break
            except httpx.ConnectError as exc:
                if not sent and await attempts.after_error(exc, base):
                    continue   # the message never left: send it to the engine running now (not a re-send)
                if not sent:
                    raise TransportError(f"Could not reach the backend at {origin(url)}: {type(exc).__name__}.",
                                         hint="Nothing was sent. Check the backend, then send the message again.") from None
                raise
            except (httpx.TransportError, httpx_sse_errors()) as exc:
                log.warning("the chat stream dropped (%s); reading the state instead of re-sending", type(exc).__name__)
                await self._recover(turn, reason=type(exc).__name__)
                break
        turn.text = assembler.text
        turn.state_delta = dict(assembler.state_delta)
        turn.finished = True
        if turn.recovered_state is None:
            # The turn may have changed the draft: take it from the stream's state delta when
            # there is one, else mark it unknown so the next turn reads the state first.
            delta_draft = _draft_from_delta(turn.state_delta, None) if "draft" in turn.state_delta else None
            if delta_draft is not None:
                self._set_draft(delta_draft)
            else:
                self._draft_known = False

    async def _events(self, source: Any, assembler: EventAssembler, turn: Turn) -> AsyncIterator[Event]:
        timeout = self._nemo.timeouts.turn
        last_real = time.monotonic()
        iterator = source.aiter_sse().__aiter__()
        try:
            while True:
                remaining = timeout - (time.monotonic() - last_real)
                if remaining <= 0:
                    raise TurnTimeout(f"The backend sent only keep-alives for {timeout:g} s; the turn was stopped.")
                try:
                    sse = await asyncio.wait_for(iterator.__anext__(), remaining)
                except StopAsyncIteration:
                    return
                except asyncio.TimeoutError:
                    raise TurnTimeout(f"The backend sent only keep-alives for {timeout:g} s; "
                                      "the turn was stopped.") from None
                if sse.event == "error":
                    raise StreamError(f"The backend reported an error during the turn: {redact(sse.data) or 'no details'}")
                try:
                    events = assembler.feed(sse.data)
                except EventParseError as exc:
                    # one unreadable frame must not throw away a long turn: note it and go on
                    turn.skipped += 1
                    log.warning("skipped an unreadable event in the chat stream: %s", exc.message)
                    continue
                for event in events:
                    if not isinstance(event, Heartbeat):
                        last_real = time.monotonic()
                    turn.events.append(event)
                    turn.text = assembler.text
                    yield event
        finally:
            with contextlib.suppress(Exception):
                await iterator.aclose()

    async def _recover(self, turn: Turn, *, reason: str) -> None:
        """Protocol recovery after a dropped stream: never re-send; watch the state instead."""
        nemo = self._nemo
        before = _draft_json(turn.draft_before)
        policy = nemo.recovery
        await asyncio.sleep(policy.wait)
        for check in range(max(1, policy.checks)):
            if check:
                await asyncio.sleep(policy.interval)
            try:
                st = await self.state()
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
        events: list[Event] = []
        async for event in self.stream(text):
            events.append(event)
            if on_event is not None:
                on_event(event)
        turn = self.last_turn or Turn()
        before = turn.draft_before
        after: Draft | None
        if turn.recovered_state is not None:
            after = turn.recovered_state.draft
        else:
            try:
                after = (await self.state()).draft
            except NemoError as exc:
                log.info("could not read the state after the turn: %s", exc)
                after = _draft_from_delta(turn.state_delta, before)
                self._set_draft(after)
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
                     session_id=self.id, silent=not reply_text.strip(), recovered=turn.recovered, notices=notices)


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
    from .draft import Draft
    from .exceptions import DraftError

    try:
        return Draft.from_json(raw)
    except DraftError:
        return before


def _diff(before: Draft | None, after: Draft | None) -> list[str]:
    if after is None:
        return [] if before is None else ["The draft was cleared."]
    from .draft import Draft

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
