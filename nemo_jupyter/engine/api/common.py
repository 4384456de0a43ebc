"""What every resource of the engine API shares: limits, the error answered as an envelope, the
response shapes, the :class:`Engine` state held by the app, and the request helpers (token, body,
session)."""

from __future__ import annotations

import asyncio
import re
import threading
import time
import unicodedata
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote, urlparse

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from ... import draft_format as df
from ..disk import Pruner, Retention
from ..jobs import RenderQueue
from ..store import Store, Upload
from .writers import SessionWriters

__all__ = ["ACCEPTED", "MAX_PROMPT_CHARS", "MAX_SCRIPT_BYTES", "ApiError", "Engine"]

MAX_PROMPT_CHARS = 20_000
MAX_SCRIPT_BYTES = 1024 * 1024  # a .txt script is read into memory and the database: keep it small
TEXT_PREVIEW_CHARS = 200  # /state and upload answers carry only this much of a script
LOCAL_CREDITS = 100_000  # the local engine charges nothing; this number never goes down

ACCEPTED = df.UPLOAD_FORMATS
_EXT_TYPE = {ext: kind for kind, exts in ACCEPTED.items() for ext in exts}
_ACCEPTED_LIST = [f".{e}" for exts in ACCEPTED.values() for e in exts]
_CONTENT_TYPE_EXT = {
    "video/mp4": "mp4", "video/quicktime": "mov", "video/webm": "webm", "video/x-matroska": "mkv",
    "image/jpeg": "jpg", "image/png": "png", "image/gif": "gif", "image/webp": "webp",
    "audio/mpeg": "mp3", "audio/wav": "wav", "audio/x-wav": "wav", "audio/mp4": "m4a", "audio/aac": "aac",
    "text/plain": "txt",
}
# A job id starts with a letter or digit: "." and ".." could be submitted but never polled.
_JOB_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.:-]{0,127}$")
_MEDIA_KEY = re.compile(r"/media/([0-9a-f]{32})(?:/|$)")
SANDBOX_PREFIX = df.SANDBOX_PREFIX
MAX_URL_REDIRECTS = 3  # a URL upload follows at most this many redirects, to http(s) only


# --------------------------------------------------------------------------- helpers
class ApiError(Exception):
    """An error answered as an envelope (or ``success: false`` on render endpoints)."""

    def __init__(self, status: int, code: int, message: str, data: Any = None) -> None:
        super().__init__(message)
        self.status, self.code, self.message, self.data = status, code, message, data
        self.headers: dict[str, str] | None = None   # e.g. Retry-After on a 429


def ok(data: Any) -> JSONResponse:
    return JSONResponse({"code": 0, "message": "ok", "data": data})


def env_error(err: ApiError) -> JSONResponse:
    return JSONResponse({"code": err.code, "message": err.message, "data": err.data}, status_code=err.status,
                        headers=err.headers)


def render_ok(data: Any) -> JSONResponse:
    return JSONResponse({"success": True, "data": data})


def render_error(err: ApiError) -> JSONResponse:
    body: dict[str, Any] = {"success": False, "error": err.message, "message": err.message}
    if err.code in (1001, 1002, 507):  # codes a client acts on (507: the engine's disk is full)
        body["code"] = err.code
    return JSONResponse(body, status_code=err.status, headers=err.headers)


MAX_NAME_CHARS = 150
MAX_NAME_BYTES = 200   # in UTF-8: file systems allow 255 bytes a name (90 CJK characters are 270)


def _cut_utf8(text: str, limit: int) -> str:
    """The longest start of ``text`` of at most ``limit`` UTF-8 bytes, not ending inside a
    character or between a character and the marks that combine with it."""
    out = text.encode("utf-8")[:max(0, limit)].decode("utf-8", "ignore")
    while out and unicodedata.combining(text[len(out)] if len(out) < len(text) else "a"):
        out = out[:-1]   # a base letter cut from its accent: drop both
    while out and ("\ud800" <= out[-1] <= "\udfff" or unicodedata.category(out[-1]) in ("Mn", "Me", "Cf")
                   or out[-1] == "\u200d"):
        out = out[:-1]   # no dangling joiner or variation selector
    return out


def safe_filename(raw: str) -> str:
    """The last path component, without NULs, control or reserved characters; at most
    :data:`MAX_NAME_CHARS` characters and :data:`MAX_NAME_BYTES` bytes of UTF-8 (the extension
    kept); never empty unless nothing usable was given."""
    name = unicodedata.normalize("NFC", raw.replace("\x00", ""))
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    name = re.sub(r'[\x00-\x1f\x7f<>:"|?*]', "_", name).strip().lstrip(".").strip()
    if len(name) > MAX_NAME_CHARS or len(name.encode("utf-8")) > MAX_NAME_BYTES:
        stem, dot, ext = name.rpartition(".")
        if dot and stem and len(ext) <= 10 and ext.isascii():
            room = MAX_NAME_BYTES - len(ext) - 1
            name = _cut_utf8(stem[: MAX_NAME_CHARS - len(ext) - 1], room).rstrip() + "." + ext
        else:
            name = _cut_utf8(name[:MAX_NAME_CHARS], MAX_NAME_BYTES).rstrip()
    return name


def _ext(name: str) -> str:
    return name.rpartition(".")[2].lower() if "." in name else ""


class Engine:
    """What the app holds: the store, the render queue and the activity clock."""

    def __init__(self, home: Path, *, public_url: str | None, max_upload_mb: int,
                 allow_url_hosts: tuple[str, ...] = (), quotas: Any = None, retention: Retention | None = None) -> None:
        from .egress import EgressPolicy
        from .quotas import Quotas

        self.home = Path(home)
        self.egress = EgressPolicy(allow_url_hosts)
        self.quotas: Quotas = quotas if quotas is not None else Quotas()
        self.retention = retention if retention is not None else Retention()
        self.store = Store(self.home, keep_versions=self.retention.versions)
        self.public_url = public_url.rstrip("/") if public_url else None
        self.max_upload = int(max_upload_mb) * 1024 * 1024
        self.jobs = RenderQueue(self.store, self.resolve, reuse=self.reuse_render)
        self.pruner = Pruner(self.store, self.retention, also=self.jobs.record_lost)
        self.jobs.on_done = self.pruner.poke   # a finished render may take the renders over their limit
        from ..render.sound import voice

        voice.configure(self.home / "cache" / "voice")  # spoken sentences, shared by planner and renderer
        self.last_activity = time.monotonic()
        self.open_requests = 0
        self.turns_running: set[asyncio.Future[Any]] = set()  # chat turns, finished even if the client left
        self.writers = SessionWriters()   # one writer per session at a time (turns, draft saves, restores)
        self._lock = threading.Lock()

    # -- activity (idle timeout) -------------------------------------------
    def idle_for(self) -> float:
        if self.open_requests > 0 or self.jobs.active() > 0 or self.turns_running:
            return 0.0
        return time.monotonic() - self.last_activity

    # -- sources -------------------------------------------------------------
    def resolve(self, src: str, session_id: str | None) -> Path | None:
        """A draft segment's ``src`` → a local file, or None."""
        if not isinstance(src, str) or not src:
            return None
        if src.startswith(SANDBOX_PREFIX) or "/" not in src:
            name = unquote(src[len(SANDBOX_PREFIX):] if src.startswith(SANDBOX_PREFIX) else src)
            if session_id is None:
                return None
            candidates = [u for u in self.store.uploads(session_id)
                          if u.filename in (name, safe_filename(name))]
            return candidates[-1].path if candidates else None
        m = _MEDIA_KEY.search(urlparse(src).path)
        if not m:
            return None
        key = m.group(1)
        up = self.store.upload_by_key(key)
        if up is not None:
            return up.path if up.path.is_file() else None
        job = self.store.job_by_media_key(key)
        if job is not None:
            path = self.store.job_file(job)
            return path if path.is_file() else None
        return None

    # -- content-addressed renders ---------------------------------------------
    def media_hash(self, src: str, session_id: str | None) -> str | None:
        """The content hash of the file a segment's ``src`` names (uploads keep theirs)."""
        from ..render_key import file_sha256

        if src.startswith(SANDBOX_PREFIX) or "/" not in src:
            path = self.resolve(src, session_id)
        else:
            m = _MEDIA_KEY.search(urlparse(src).path)
            up = self.store.upload_by_key(m.group(1)) if m else None
            if up is not None:
                return up.hash
            path = self.resolve(src, session_id)
        if path is None:
            return None
        try:
            return file_sha256(path)
        except OSError:
            return None

    def render_key(self, draft: dict[str, Any], quality: str, resolution: str | None,
                   session_id: str | None) -> str:
        """The content address of a render (see :mod:`..render_key`); blocking (hashes files)."""
        from ..render_key import render_key

        return render_key(draft, quality=quality, resolution=resolution,
                          media_hash=lambda src: self.media_hash(src, session_id))

    def reuse_render(self, job_id: str) -> bool:
        """Complete a pending job with a finished render of the same key, if one exists."""
        job = self.store.get_job(job_id)
        if job is None or not job.cache_key:
            return False
        source = self.store.finished_render(job.cache_key)
        if source is None or source.id == job_id:
            return False
        return self.store.reuse_render(job_id, source)

    def base_url(self, request: Request) -> str:
        return self.public_url or str(request.base_url).rstrip("/")

    def media_url(self, request: Request, key: str, name: str) -> str:
        return f"{self.base_url(request)}/media/{key}/{quote(name)}"

    def upload_info(self, request: Request, up: Upload) -> dict[str, Any]:
        info: dict[str, Any] = {
            "filename": up.filename, "file_type": up.file_type,
            "cdn_url": self.media_url(request, up.key, up.filename),
            "duration": up.duration, "width": up.width, "height": up.height, "fps": up.fps,
            "hash": up.hash, "size": up.size, "sandbox_path": SANDBOX_PREFIX + up.filename,
        }
        if up.text is not None:  # the full script stays in the store (the planner reads it there)
            info["text_preview"] = up.text[:TEXT_PREVIEW_CHARS]
            info["text_chars"] = len(up.text)
        return info


def _engine(request: Request) -> Engine:
    eng: Engine = request.app.state.engine
    return eng


def _bearer(request: Request) -> str | None:
    auth = request.headers.get("authorization", "")
    scheme, _, token = auth.partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else None


def _user(request: Request) -> str:
    token = _bearer(request)
    user = _engine(request).store.user_for_token(token) if token else None
    if user is None:
        raise ApiError(401, 1001, "Token missing, invalid or expired: get a new one from "
                                  "POST /api/auth/anonymous-token with your X-Client-Id.")
    return user


Handler = Callable[[Request], Awaitable[Response]]


def envelope(fn: Handler) -> Handler:
    async def wrapper(request: Request) -> Response:
        try:
            return await fn(request)
        except ApiError as err:
            return env_error(err)
    wrapper.__name__ = fn.__name__
    return wrapper


def render_api(fn: Handler) -> Handler:
    async def wrapper(request: Request) -> Response:
        try:
            return await fn(request)
        except ApiError as err:
            return render_error(err)
    wrapper.__name__ = fn.__name__
    return wrapper


async def _json_body(request: Request) -> dict[str, Any]:
    """The JSON object of the body: size-capped, no NaN/Infinity, depth-limited, no lone
    surrogates (see :mod:`.limits`)."""
    from .limits import read_json

    body = await read_json(request)
    if not isinstance(body, dict):
        raise ApiError(422, 4000, "The request body must be a JSON object.")
    return body


def _session(request: Request, user: str, sid: str) -> Any:
    sess = _engine(request).store.get_session(sid, user)
    if sess is None:
        raise ApiError(404, 1002, f"Session not found: {sid}. Start a new session.")
    return sess
