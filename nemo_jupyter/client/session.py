"""``AsyncSession``: one conversation (task + session) on the backend: state, uploads, exports
and chat turns.

A session holds the client's :class:`~.pipeline.Pipeline` and render endpoints
(:class:`~.render_api.RenderEndpoints`), and its :class:`~.chat.ChatTurns` (sent once,
recovered after a drop, never re-sent), which speak for it through the small
:class:`~.chat.ChatHost` it is.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator, Callable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from ..draft_format import SANDBOX_PREFIX
from .chat import APP_NAME, ChatTurns, DraftMemo, Turn
from .draft import Draft
from .draft_versions import put_draft
from .encoding import segment
from .exceptions import (
    APIError,
    NotExportable,
    ServerError,
    SessionNotFound,
    StreamError,
    UploadError,
)
from .jobs import AsyncRenderJob
from .loop import Forward
from .models import Event, RenderOptions, Reply, State, UploadedFile
from .pipeline import Pipeline
from .render_api import RenderEndpoints
from .render_cache import render_key
from .settings import Recovery
from .storyboard import Storyboard, parse_storyboard
from .uploads import MultipartBody, ProgressCallback, check_files

__all__ = ["APP_NAME", "AsyncSession", "ExportOrder", "SessionClient", "detect_language"]


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


class SessionClient(Protocol):
    """What a session is made from: the client's request pipeline, its render endpoints and the
    recovery policy of its chat turns (an :class:`~nemo_jupyter.AsyncNemo`)."""

    @property
    def pipeline(self) -> Pipeline: ...

    @property
    def renders(self) -> RenderEndpoints: ...

    @property
    def recovery(self) -> Recovery: ...


@dataclass(frozen=True)
class ExportOrder:
    """An export made ready: the draft as it will be sent (sandbox sources mapped to their
    uploads), the options, its content address and, when this very export was downloaded
    before, the render cache's entry of that file."""

    session_id: str
    draft: Draft
    options: RenderOptions
    key: str
    cached: dict[str, Any] | None


class AsyncSession:
    """One conversation (task + session on the backend), created at first use."""

    def __init__(self, nemo: SessionClient, name: str | None = None, session_id: str | None = None) -> None:
        self._nemo = nemo
        self.pipeline = nemo.pipeline
        self.renders = nemo.renders
        self.name = name or "default"
        self.id: str | None = session_id
        self.task_id: str | None = None
        self.language: str | None = None
        self.memo = DraftMemo()
        self.chat = ChatTurns(self.pipeline, self, nemo.recovery)
        self._create_lock: asyncio.Lock | None = None

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.name!r} id={self.id!r}>"

    @property
    def nemo(self) -> SessionClient:
        """The client this session belongs to."""
        return self._nemo

    draft = Forward[Draft | None]("memo")     # the last draft seen (a turn, a state read, an export)
    last_turn = Forward[Turn | None]("chat")

    async def open(self, text: str | None = None) -> str:
        """The session's id, the session created on the backend at first use (``text``, the first
        message, sets its language)."""
        if self.id:
            return self.id
        if self._create_lock is None:
            self._create_lock = asyncio.Lock()
        async with self._create_lock:
            if self.id:
                return self.id
            language = detect_language(text)
            data = await self.pipeline.api("POST", f"/api/tasks/me/with-session/{APP_NAME}",
                                           json_body={"task_name": self.name if self.name != "default" else "project",
                                                      "language": language})
            d = data if isinstance(data, dict) else {}
            sid = d.get("session_id") or d.get("sessionId")
            if not sid:
                raise ServerError("The backend did not return a session id for the new session.")
            self.id = str(sid)
            self.task_id = str(d.get("task_id") or d.get("taskId") or "") or None
            self.language = language
            tokens = self.pipeline.tokens
            if d.get("user_id") and not tokens.user_id:
                tokens.user_id = str(d["user_id"])
            self.memo.set(None)
            return self.id

    _ensure = open

    def forget(self) -> None:
        """The backend lost the session: start a new one at next use."""
        self.id = None
        self.task_id = None
        self.memo.forget()

    # -- chat ----------------------------------------------------------------------------------
    def stream(self, text: str) -> AsyncIterator[Event]:
        """Send ``text`` once and yield typed events as they arrive (EOF ends the turn)."""
        return self.chat.stream(text)

    async def ask(self, text: str, *, on_event: Callable[[Event], None] | None = None) -> Reply:
        """One whole turn: the reply text, the events, and what changed in the draft.

        ``on_event`` is called with every event as it arrives (for live display).
        """
        return await self.chat.ask(text, on_event=on_event)

    # -- state ---------------------------------------------------------------------------------
    async def state(self) -> State:
        if not self.id:
            return State(draft=None)
        try:
            data = await self.pipeline.api("GET", f"/api/state/{APP_NAME}/me/{segment(self.id)}/latest")
        except SessionNotFound:
            self.forget()
            raise
        st = State.from_json(data)
        if isinstance(data, dict) and data.get("task_id") and not self.task_id:
            self.task_id = str(data["task_id"])
        self.memo.set(st.draft)
        return st

    async def push_draft(self, draft: Draft | None, *, note: str = "", base: int | None = None) -> int | None:
        """Make ``draft`` this session's draft on the backend (the engine keeps versions); its
        version number there, or None when the backend cannot be told (the cloud: nothing changed).
        ``base``: the version (``State.version``) the draft was edited from: when another client
        changed the draft since, :class:`~.exceptions.DraftMoved` and nothing is saved."""
        if not self.id:
            return None
        version = await put_draft(self.pipeline, self.id, draft.to_json() if draft is not None else None, note=note,
                                  base=base)
        if version is not None:
            self.memo.set(draft)
        return version

    # -- uploads -------------------------------------------------------------------------------
    async def upload(self, *paths: str | os.PathLike[str], urls: Sequence[str] | None = None,
                     on_progress: ProgressCallback | None = None) -> list[UploadedFile]:
        """Upload local files (streamed, checked first) and/or URLs; returns what the backend stored."""
        if not paths and not urls:
            raise UploadError("Nothing to upload.", hint="Give file paths, or urls=[...].")
        prepared = check_files(paths, max_bytes=self.pipeline.settings.max_upload_bytes) if paths else []
        url_list = [str(u) for u in (urls or [])]
        for u in url_list:
            if not u.startswith(("http://", "https://")):
                raise UploadError(f"{u!r} is not an http(s) URL.", hint="Give a full https://... link.")
        sid = await self.open(None)
        path = f"/api/upload-video/{APP_NAME}/me/{segment(sid)}"
        out: list[UploadedFile] = []
        try:
            if prepared:
                body = MultipartBody(prepared, on_progress=on_progress)
                data = await self.pipeline.api("POST", path, body=body)
                out.extend(_uploaded(data))
            if url_list:
                data = await self.pipeline.api("POST", path, json_body={"urls": url_list, "source_type": "url"})
                out.extend(_uploaded(data))
        except SessionNotFound:
            self.forget()
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
        data = await self.pipeline.api("POST", "/api/auth/claim-token",
                                       json_body={"task_id": self.task_id, "session_id": self.id})
        token = data.get("claim_token") if isinstance(data, dict) else None
        if not isinstance(token, str) or not token:
            raise ServerError("The backend did not return a claim token.")
        return f"{self.pipeline.settings.web_url}/workspace/claim?ct={token}"

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
            data = await self.pipeline.api("POST", f"/api/storyboard/{APP_NAME}/me/{segment(self.id)}",
                                           json_body=body)
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
        session's own draft is left as it was. The same export downloaded before is that file
        at once (a finished job, nothing sent).
        """
        order = await self.order_export(RenderOptions(quality=quality, resolution=resolution), draft=draft)
        return await self.start_export(order, meta=meta)

    async def order_export(self, options: RenderOptions, *,
                           draft: Draft | dict[str, Any] | None = None) -> ExportOrder:
        """An export made ready (see :class:`ExportOrder`), the state read once at most: for the
        session's own draft, or for the uploads that ``draft``'s sources name."""
        if not self.id:
            raise NotExportable("There is no draft yet: this session has not been used.")
        given = None if draft is None else draft if isinstance(draft, Draft) else Draft.from_json(draft)
        st = await self.state() if given is None or given.sources() else None
        chosen = given if given is not None else (st.draft if st is not None else None)
        if chosen is None or not chosen.is_exportable:
            raise NotExportable("The timeline is empty: there is nothing to export yet.")
        hashes: dict[str, str | None] = {}
        if st is not None:
            mapping: dict[str, str] = {}
            for asset in st.assets:
                if asset.filename and asset.cdn_url:
                    mapping[SANDBOX_PREFIX + asset.filename] = asset.cdn_url
                    mapping[asset.filename] = asset.cdn_url
                if asset.cdn_url:
                    hashes[asset.cdn_url] = asset.hash
            if mapping:
                chosen = chosen.with_sources_mapped(mapping)
        body = chosen.to_json()
        key = render_key(await self.pipeline.backend_key(), body, options,
                         {src: hashes.get(src) for src in chosen.sources()})
        return ExportOrder(self.id, chosen, options, key, self.renders.cache.get(key))

    async def start_export(self, order: ExportOrder, *, meta: dict[str, Any] | None = None) -> AsyncRenderJob:
        """The job of an export made ready: the file of the same export downloaded before, at once
        (a finished job, nothing sent), else a render sent (see :meth:`RenderEndpoints.submit`)."""
        if order.cached is not None:
            return self.renders.reused(order.cached, session_id=order.session_id, key=order.key)
        try:
            return await self.renders.submit(order.session_id, order.draft.to_json(), order.options, meta=meta,
                                             key=order.key)
        except SessionNotFound:
            self.forget()
            raise


# -- helpers -------------------------------------------------------------------------------------
def _uploaded(data: Any) -> list[UploadedFile]:
    d = data if isinstance(data, dict) else {}
    files = d.get("files")
    if not isinstance(files, list):
        files = d.get("uploaded_files") or d.get("uploadedFiles") or []
    return [UploadedFile.from_json(f) for f in files if isinstance(f, dict)]
