"""``AsyncSession``: one conversation (task + session) on the backend: state, uploads, exports,
and chat turns (:mod:`.chat`, mixed in: sent once, recovered after a drop, never re-sent).
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from ..draft_format import SANDBOX_PREFIX
from .chat import APP_NAME, ChatTurns, Turn
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
from .models import State, UploadedFile
from .storyboard import Storyboard, parse_storyboard
from .uploads import MultipartBody, ProgressCallback, check_files

if TYPE_CHECKING:
    from .draft import Draft
    from .nemo import AsyncNemo

__all__ = ["APP_NAME", "AsyncSession", "detect_language"]

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


class AsyncSession(ChatTurns):
    """One conversation (task + session on the backend), created at first use."""

    def __init__(self, nemo: AsyncNemo, name: str | None = None, session_id: str | None = None) -> None:
        self._nemo = nemo
        self.name = name or "default"
        self.id: str | None = session_id
        self.task_id: str | None = None
        self.language: str | None = None
        self._draft: Draft | None = None
        self._draft_known = False
        self.last_turn: Turn | None = None
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
def _uploaded(data: Any) -> list[UploadedFile]:
    d = data if isinstance(data, dict) else {}
    files = d.get("files")
    if not isinstance(files, list):
        files = d.get("uploaded_files") or d.get("uploadedFiles") or []
    return [UploadedFile.from_json(f) for f in files if isinstance(f, dict)]
