"""``AsyncSession``: one conversation (task + session) on the backend: chat turns, state, uploads, exports.

A chat turn is sent once (``/run_sse``) and its events are yielded as they arrive; a dropped
stream is followed by the protocol's recovery (wait, read the state, compare with the draft
before the turn, check again a few times), never by a re-send. The stream goes through the
same retry policy (:mod:`.transport`) and token refresh (:mod:`.auth`) as every request.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import time
from collections.abc import AsyncIterator, Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import httpx
from httpx_sse import aconnect_sse

from ..draft_format import SANDBOX_PREFIX
from .auth import envelope_code
from .encoding import encode_json, segment
from .errors import is_session_missing
from .events import EventAssembler
from .exceptions import (
    APIError,
    EventParseError,
    NemoError,
    NotExportable,
    ServerError,
    SessionNotFound,
    StreamDropped,
    StreamError,
    TransportError,
    TurnTimeout,
    UploadError,
)
from .jobs import AsyncRenderJob
from .models import Event, Heartbeat, Reply, State, UploadedFile
from .secrets import get_logger, redact
from .storyboard import Storyboard, parse_storyboard
from .transport import origin
from .uploads import MultipartBody, ProgressCallback, check_files

if TYPE_CHECKING:
    from .draft import Draft
    from .nemo import AsyncNemo

__all__ = ["APP_NAME", "AsyncSession", "detect_language"]

log = get_logger("nemo_jupyter.client")

APP_NAME = "nemo_agent"
TEMPORARY_ISSUE = "I encountered a temporary issue"


def detect_language(text: str | None) -> str:
    """Script-based guess: kana → ja, hangul → ko, CJK ideographs → zh-CN, else en."""
    if not text:
        return "en"
    han = kana = hangul = 0
    for ch in text:
        o = ord(ch)
        if 0x3040 <= o <= 0x30FF or 0x31F0 <= o <= 0x31FF or 0xFF66 <= o <= 0xFF9D:
            kana += 1
        elif 0xAC00 <= o <= 0xD7AF or 0x1100 <= o <= 0x11FF or 0x3130 <= o <= 0x318F:
            hangul += 1
        elif 0x4E00 <= o <= 0x9FFF or 0x3400 <= o <= 0x4DBF or 0xF900 <= o <= 0xFAFF or 0x20000 <= o <= 0x2FA1F:
            han += 1
    if kana:
        return "ja"
    if hangul:
        return "ko"
    if han:
        return "zh-CN"
    return "en"


@dataclass
class _Turn:
    """What one chat turn gathered, for ask() and the conversation layer."""

    text: str = ""
    events: list[Event] = field(default_factory=list)
    state_delta: dict[str, Any] = field(default_factory=dict)
    draft_before: Draft | None = None
    recovered: bool = False
    recovered_state: State | None = None
    finished: bool = False
    skipped: int = 0


class AsyncSession:
    """One conversation (task + session on the backend), created at first use."""

    def __init__(self, nemo: AsyncNemo, name: str | None = None, session_id: str | None = None) -> None:
        self._nemo = nemo
        self.name = name or "default"
        self.id: str | None = session_id
        self.task_id: str | None = None
        self.language: str | None = None
        self._draft: Draft | None = None
        self._draft_known = False
        self.last_turn: _Turn | None = None
        self._create_lock: asyncio.Lock | None = None

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.name!r} id={self.id!r}>"

    @property
    def nemo(self) -> AsyncNemo:
        return self._nemo

    @property
    def draft(self) -> Draft | None:
        """The last draft seen (after a turn, a state read or an export), or None."""
        return self._draft

    def _set_draft(self, draft: Draft | None) -> None:
        self._draft = draft
        self._draft_known = True

    async def _ensure(self, text: str | None = None) -> str:
        if self.id:
            return self.id
        if self._create_lock is None:
            self._create_lock = asyncio.Lock()
        async with self._create_lock:
            if self.id:
                return self.id
            language = detect_language(text)
            data = await self._nemo._api("POST", f"/api/tasks/me/with-session/{APP_NAME}",
                                         json_body={"task_name": self.name if self.name != "default" else "project",
                                                    "language": language})
            d = data if isinstance(data, dict) else {}
            sid = d.get("session_id") or d.get("sessionId")
            if not sid:
                raise ServerError("The backend did not return a session id for the new session.")
            self.id = str(sid)
            self.task_id = str(d.get("task_id") or d.get("taskId") or "") or None
            self.language = language
            if d.get("user_id") and not self._nemo.user_id:
                self._nemo.user_id = str(d["user_id"])
            self._set_draft(None)
            return self.id

    def _forget(self) -> None:
        """The backend lost the session: start a new one at next use."""
        self.id = None
        self.task_id = None
        self._draft = None
        self._draft_known = False

    # -- state ---------------------------------------------------------------------------------
    async def state(self) -> State:
        if not self.id:
            return State(draft=None)
        try:
            data = await self._nemo._api("GET", f"/api/state/{APP_NAME}/me/{segment(self.id)}/latest")
        except SessionNotFound:
            self._forget()
            raise
        st = State.from_json(data)
        if isinstance(data, dict) and data.get("task_id") and not self.task_id:
            self.task_id = str(data["task_id"])
        self._set_draft(st.draft)
        return st

    # -- chat ----------------------------------------------------------------------------------
    async def stream(self, text: str) -> AsyncIterator[Event]:
        """Send ``text`` once and yield typed events as they arrive (EOF ends the turn)."""
        if not isinstance(text, str) or not text.strip():
            raise StreamError("Nothing to send: the message is empty.", hint="Type what the video should be.")
        nemo = self._nemo
        existed = self.id is not None
        sid = await self._ensure(text)
        turn = _Turn()
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
                        payload = _json_or_none(response)
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

    async def _events(self, source: Any, assembler: EventAssembler, turn: _Turn) -> AsyncIterator[Event]:
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

    async def _recover(self, turn: _Turn, *, reason: str) -> None:
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
        turn = self.last_turn or _Turn()
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
        notices: list[str] = []
        if turn.recovered:
            notices.append("The connection dropped mid-turn; the message was not re-sent, and the result "
                           "was read from the timeline.")
        if turn.skipped:
            notices.append(f"{turn.skipped} unreadable event(s) from the backend were skipped.")
        if reply_text != turn.text:
            notices.append("A trailing 'temporary issue' message after a normal reply was left out.")
        return Reply(text=reply_text, events=events, changes=changes, draft=after, draft_before=before,
                     session_id=self.id, silent=not reply_text.strip(), recovered=turn.recovered, notices=notices)

    # -- uploads -------------------------------------------------------------------------------
    async def upload(self, *paths: str | os.PathLike[str], urls: Sequence[str] | None = None,
                     on_progress: ProgressCallback | None = None) -> list[UploadedFile]:
        """Upload local files (streamed, checked first) and/or URLs; returns what the backend stored."""
        if not paths and not urls:
            raise UploadError("Nothing to upload.", hint="Give file paths, or urls=[...].")
        prepared = check_files(paths, max_bytes=self._nemo.settings.max_upload_bytes) if paths else []
        url_list = [str(u) for u in (urls or [])]
        for u in url_list:
            if not u.startswith(("http://", "https://")):
                raise UploadError(f"{u!r} is not an http(s) URL.", hint="Give a full https://... link.")
        sid = await self._ensure(None)
        path = f"/api/upload-video/{APP_NAME}/me/{segment(sid)}"
        out: list[UploadedFile] = []
        try:
            if prepared:
                body = MultipartBody(prepared, on_progress=on_progress)
                data = await self._nemo._api("POST", path, body=body)
                out.extend(_uploaded(data))
            if url_list:
                data = await self._nemo._api("POST", path, json_body={"urls": url_list, "source_type": "url"})
                out.extend(_uploaded(data))
        except SessionNotFound:
            self._forget()
            raise
        return out

    # -- claim link ----------------------------------------------------------------------------
    async def claim_url(self) -> str:
        """A browser link that lets a registered account take over this anonymous session.

        (``POST /api/auth/claim-token``, newer backends.) The link holds a claim token: share
        it only with yourself; it is masked in logs and error texts.
        """
        if not self.id:
            raise StreamError("There is nothing to claim yet: this session has not been used.",
                              hint="Send a first message, then ask for the link.")
        data = await self._nemo._api("POST", "/api/auth/claim-token",
                                     json_body={"task_id": self.task_id, "session_id": self.id})
        token = data.get("claim_token") if isinstance(data, dict) else None
        if not isinstance(token, str) or not token:
            raise ServerError("The backend did not return a claim token.")
        return f"{self._nemo.web_url}/workspace/claim?ct={token}"

    # -- storyboard ----------------------------------------------------------------------------
    async def storyboard(self, *, draft: Draft | dict[str, Any] | None = None, width: int = 240) -> Storyboard | None:
        """The storyboard strip of the draft (one still per scene), painted from the draft alone
        in well under a second; ``None`` before the first message, for an empty timeline, and on
        a backend that has no storyboard (the cloud)."""
        if not self.id:
            return None
        body: dict[str, Any] = {"width": int(width)}
        if draft is not None:
            body["draft"] = draft if isinstance(draft, dict) else draft.to_json()
        try:
            data = await self._nemo._api("POST", f"/api/storyboard/{APP_NAME}/me/{self.id}", json_body=body)
        except SessionNotFound:
            raise
        except APIError as exc:
            if exc.status in (404, 405, 422, 501) or exc.status is None:
                return None  # not this backend's feature, or nothing to draw yet
            raise
        return parse_storyboard(data)

    # -- export --------------------------------------------------------------------------------
    async def export(self, quality: str = "high", resolution: str | None = None, *,
                     draft: Draft | dict[str, Any] | None = None,
                     meta: dict[str, Any] | None = None) -> AsyncRenderJob:
        """Submit the session's draft for rendering; the job id is kept locally at once.

        ``draft`` renders an edited draft instead (for example one rebuilt with
        ``Draft.from_dataframe``): the protocol's render call carries the draft, so the
        session's own draft is left as it was.
        """
        if not self.id:
            raise NotExportable("There is no draft yet: this session has not been used.")
        st = await self.state()
        if draft is not None:
            from .draft import Draft

            draft = draft if isinstance(draft, Draft) else Draft.from_json(draft)
        else:
            draft = st.draft
        if draft is None or not draft.is_exportable:
            raise NotExportable("The timeline is empty: there is nothing to export yet.")
        mapping: dict[str, str] = {}
        for asset in st.assets:
            if asset.filename and asset.cdn_url:
                mapping[SANDBOX_PREFIX + asset.filename] = asset.cdn_url
                mapping[asset.filename] = asset.cdn_url
        if mapping:
            draft = draft.with_sources_mapped(mapping)
        from .render_cache import export_key

        body = draft.to_json()
        backend = self._nemo._jobs_key(await self._nemo._base())
        key = export_key(backend, body, quality=quality, resolution=resolution,
                         media={a.cdn_url: a.hash for a in st.assets if a.cdn_url})
        entry = self._nemo._render_cache.get(key)
        if entry is not None:  # exported exactly like this before: that file, at once
            return AsyncRenderJob.reused(self._nemo, entry, session_id=self.id)
        try:
            job = await self._nemo._submit_render(self.id, body, quality=quality, resolution=resolution, meta=meta)
            job.cache_key = key
            return job
        except SessionNotFound:
            self._forget()
            raise


# -- helpers -------------------------------------------------------------------------------------
def _json_or_none(response: httpx.Response) -> Any:
    try:
        return response.json()
    except (ValueError, UnicodeDecodeError):
        return None


def httpx_sse_errors() -> type[Exception]:
    from httpx_sse import SSEError

    return SSEError


def _uploaded(data: Any) -> list[UploadedFile]:
    d = data if isinstance(data, dict) else {}
    files = d.get("files")
    if not isinstance(files, list):
        files = d.get("uploaded_files") or d.get("uploadedFiles") or []
    return [UploadedFile.from_json(f) for f in files if isinstance(f, dict)]


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
