"""The embedded engine's HTTP API: every endpoint of the NemoVideo protocol, on loopback.

JSON endpoints answer the envelope ``{"code": 0, "message": "ok", "data": ...}``;
render endpoints answer ``{"success": true, "data": ...}``. Errors:

======================  ======  ==========================================================
case                    HTTP    body
======================  ======  ==========================================================
no/bad/expired token    401     envelope code 1001 (render endpoints: ``success: false`` too)
missing X-Client-Id     400     bare ``{"detail": ...}``
unknown session         404     envelope code 1002; ``/run_sse``: ``{"detail": "Session not found: <id>"}``
unsupported/corrupt     415     envelope code 4001, ``data.accepted``
too large               413     envelope code 4002, ``data.limit`` (bytes; .txt scripts: 1 MB)
malformed body          422     envelope code 4000 / ``success: false``
duplicate render id     409     ``success: false``
======================  ======  ==========================================================

Media (uploads and finished renders) is served without auth under unguessable
paths ``/media/<32 hex>/<name>`` with HTTP range support, so a ``<video>`` tag can
play it.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import json
import mimetypes
import re
import shutil
import threading
import time
import unicodedata
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote, urlparse

import anyio
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, Response, StreamingResponse
from starlette.routing import Route
from starlette.types import ASGIApp, Receive, Scope, Send

from .. import draft_format as df
from .jobs import RenderQueue
from .launcher import home_id
from .store import Store, Upload

__all__ = ["ACCEPTED", "LOOPBACK_HOSTS", "MAX_PROMPT_CHARS", "MAX_SCRIPT_BYTES", "Engine", "create_app"]

MAX_PROMPT_CHARS = 20_000
MAX_SCRIPT_BYTES = 1024 * 1024  # a .txt script is read into memory and the database: keep it small
TEXT_PREVIEW_CHARS = 200  # /state and upload answers carry only this much of a script
KEEPALIVE_SECONDS = 3.0
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
_JOB_ID = re.compile(r"^[A-Za-z0-9_.:-]{1,128}$")
_MEDIA_KEY = re.compile(r"/media/([0-9a-f]{32})(?:/|$)")
SANDBOX_PREFIX = "/mnt/userdata/"
MAX_URL_REDIRECTS = 3  # a URL upload follows at most this many redirects, to http(s) only
LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "::1")  # the Host names a loopback-bound engine answers


# --------------------------------------------------------------------------- helpers
class ApiError(Exception):
    """An error answered as an envelope (or ``success: false`` on render endpoints)."""

    def __init__(self, status: int, code: int, message: str, data: Any = None) -> None:
        super().__init__(message)
        self.status, self.code, self.message, self.data = status, code, message, data


def ok(data: Any) -> JSONResponse:
    return JSONResponse({"code": 0, "message": "ok", "data": data})


def env_error(err: ApiError) -> JSONResponse:
    return JSONResponse({"code": err.code, "message": err.message, "data": err.data}, status_code=err.status)


def render_ok(data: Any) -> JSONResponse:
    return JSONResponse({"success": True, "data": data})


def render_error(err: ApiError) -> JSONResponse:
    body: dict[str, Any] = {"success": False, "error": err.message, "message": err.message}
    if err.code in (1001, 1002):  # protocol codes a client acts on; the others are ours alone
        body["code"] = err.code
    return JSONResponse(body, status_code=err.status)


def safe_filename(raw: str) -> str:
    """The last path component, without NULs, control or reserved characters; never empty."""
    name = unicodedata.normalize("NFC", raw.replace("\x00", ""))
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    name = re.sub(r'[\x00-\x1f\x7f<>:"|?*]', "_", name).strip().lstrip(".").strip()
    if len(name) > 150:
        stem, dot, ext = name.rpartition(".")
        name = (stem[: 150 - len(ext) - 1] + "." + ext) if dot and len(ext) <= 10 else name[:150]
    return name


def _ext(name: str) -> str:
    return name.rpartition(".")[2].lower() if "." in name else ""


class Engine:
    """What the app holds: the store, the render queue and the activity clock."""

    def __init__(self, home: Path, *, public_url: str | None, max_upload_mb: int) -> None:
        self.home = Path(home)
        self.store = Store(self.home)
        self.public_url = public_url.rstrip("/") if public_url else None
        self.max_upload = int(max_upload_mb) * 1024 * 1024
        self.jobs = RenderQueue(self.store, self.resolve)
        self.last_activity = time.monotonic()
        self.open_requests = 0
        self.turns_running: set[asyncio.Future[Any]] = set()  # chat turns, finished even if the client left
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
            path = self.store.render_path(job.id)
            return path if path.is_file() else None
        return None

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


class _Activity:
    """ASGI middleware: counts open requests and stamps the last one (for the idle timeout)."""

    def __init__(self, app: ASGIApp, engine: Engine) -> None:
        self.app, self.engine = app, engine

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        self.engine.open_requests += 1
        self.engine.last_activity = time.monotonic()
        try:
            await self.app(scope, receive, send)
        finally:
            self.engine.open_requests -= 1
            self.engine.last_activity = time.monotonic()


def host_name(header: str) -> str:
    """The name in a ``Host`` header, without the port: ``[::1]:80`` → ``::1``, ``LocalHost:1`` → ``localhost``."""
    header = header.strip().lower()
    if header.startswith("["):
        end = header.find("]")
        return header[1:end] if end > 0 else header
    return header.rpartition(":")[0] if header.count(":") == 1 else header


class _TrustedHost:
    """ASGI middleware: answer only requests addressed to one of ``hosts`` (any port).

    A loopback engine uses it against DNS rebinding: a web page the user visits could
    otherwise point its own domain at 127.0.0.1 and drive the engine from the browser.
    """

    def __init__(self, app: ASGIApp, hosts: tuple[str, ...]) -> None:
        self.app, self.hosts = app, hosts

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        raw = dict(scope.get("headers") or []).get(b"host", b"").decode("latin-1")
        if host_name(raw) in self.hosts:
            await self.app(scope, receive, send)
            return
        names = ", ".join(f"[{h}]" if ":" in h else h for h in self.hosts)
        message = (f"Host {raw[:100]!r} is not allowed: this engine listens on loopback and answers only "
                   f"requests addressed to {names} (to serve other names, start it with --host).")
        if scope["type"] == "websocket":
            await send({"type": "websocket.close", "code": 1008})
            return
        await JSONResponse({"code": 400, "message": message, "data": None, "detail": message},
                           status_code=400)(scope, receive, send)


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
    try:
        body = await request.json()
    except (ValueError, UnicodeDecodeError):
        raise ApiError(422, 4000, "The request body must be JSON.") from None
    if not isinstance(body, dict):
        raise ApiError(422, 4000, "The request body must be a JSON object.")
    return body


def _session(request: Request, user: str, sid: str) -> Any:
    sess = _engine(request).store.get_session(sid, user)
    if sess is None:
        raise ApiError(404, 1002, f"Session not found: {sid}. Start a new session.")
    return sess


# --------------------------------------------------------------------------- health, auth, session
async def health(request: Request) -> Response:
    from .._version import __version__

    eng = _engine(request)
    return JSONResponse({"ok": True, "engine": "nemo_jupyter", "version": __version__,
                         "home": home_id(eng.home), "renders_running": eng.jobs.active()})


async def anonymous_token(request: Request) -> Response:
    client_id = request.headers.get("x-client-id", "").strip()
    if not client_id:
        return JSONResponse({"detail": "X-Client-Id header required"}, status_code=400)
    if len(client_id) > 200:
        return JSONResponse({"detail": "X-Client-Id is too long (at most 200 characters)"}, status_code=400)
    token, user_id, expires = await anyio.to_thread.run_sync(_engine(request).store.issue_token, client_id)
    expires_at = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(expires))
    return ok({"token": token, "user_id": user_id, "expires_at": expires_at, "credits": LOCAL_CREDITS})


@envelope
async def create_session(request: Request) -> Response:
    user = _user(request)
    body: dict[str, Any] = {}
    if await request.body():
        body = await _json_body(request)
    name = body.get("task_name") or "project"
    lang = body.get("language")
    if not isinstance(name, str) or not (lang is None or isinstance(lang, str)):
        raise ApiError(422, 4000, "task_name and language must be strings.")
    # A write waits for SQLite's lock (BEGIN IMMEDIATE): in a thread, never on the event loop.
    sess = await anyio.to_thread.run_sync(_engine(request).store.create_session, user, name[:200],
                                          (lang or None) and lang[:20])
    return ok({"task_id": sess.task_id, "session_id": sess.session_id, "user_id": user})


@envelope
async def claim_token(request: Request) -> Response:
    """A claim token for a session (the cloud links it to a web workspace; the local engine has none)."""
    user = _user(request)
    body = await _json_body(request)
    sid = body.get("session_id")
    if not isinstance(sid, str | int):
        raise ApiError(422, 4000, "session_id is required.")
    sess = _session(request, user, str(sid))
    task = body.get("task_id")
    if task is not None and task != sess.task_id:
        raise ApiError(404, 1002, f"Session not found: {sid} (task {str(task)[:40]} does not match).")
    expires = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() + 7 * 86400))
    return ok({"claim_token": "clm_" + uuid.uuid4().hex, "expires_at": expires,
               "note": "the local engine has no web workspace: the video stays on this machine"})


@envelope
async def credits(request: Request) -> Response:
    _user(request)
    return ok({"available": LOCAL_CREDITS, "frozen": 0, "total": LOCAL_CREDITS,
               "note": "the local engine charges nothing"})


def _canvas(draft: dict[str, Any] | None) -> dict[str, Any]:
    m = draft.get("m") if isinstance(draft, dict) else None
    m = m if isinstance(m, dict) else {}
    w, h = m.get("width"), m.get("height")
    if not (isinstance(w, int) and isinstance(h, int) and w > 0 and h > 0):
        w, h = df.SIZES_1080["16:9"]
    aspect = m.get("aspect")
    if not isinstance(aspect, str):
        aspect = next((a for a, size in df.SIZES_1080.items() if size[0] * h == size[1] * w), f"{w}:{h}")
    return {"width": w, "height": h, "aspect_ratio": aspect}


@envelope
async def state(request: Request) -> Response:
    user = _user(request)
    eng = _engine(request)
    sess = _session(request, user, request.path_params["sid"])
    uploads = eng.store.uploads(sess.session_id)
    generated = []
    for job in eng.store.session_jobs(sess.session_id):
        if job.status == "completed" and job.media_key:
            generated.append({"id": job.id, "type": "video",
                              "url": eng.media_url(request, job.media_key, f"{job.id}.mp4"),
                              "duration": job.duration, "width": job.width, "height": job.height,
                              "size": job.size, "created_at": job.created_ms})
    return ok({
        "session_id": sess.session_id, "task_id": sess.task_id, "task_name": sess.task_name,
        "state": {
            "draft": sess.draft,
            "video_infos": [eng.upload_info(request, u) for u in uploads],
            "canvas_config": _canvas(sess.draft),
            "video_analyses": [],
            "generated_media": generated,
            "language": sess.language,
        },
    })


# --------------------------------------------------------------------------- chat
def _event(invocation: str, parts: list[dict[str, Any]], *, role: str = "model", partial: bool = False,
           state_delta: dict[str, Any] | None = None) -> bytes:
    ev: dict[str, Any] = {"content": {"parts": parts, "role": role}}
    if partial:
        ev["partial"] = True
    ev.update({
        "invocationId": invocation, "author": "nemo_agent",
        "actions": {"stateDelta": state_delta or {}, "artifactDelta": {}, "requestedAuthConfigs": {},
                    "requestedToolConfirmations": {}},
        "id": str(uuid.uuid4()), "timestamp": time.time(),
    })
    return b"data: " + json.dumps(ev, ensure_ascii=False, separators=(",", ":")).encode("utf-8") + b"\n\n"


def _error_event(code: str, message: str) -> bytes:
    body = {"error": message, "errorCode": code, "errorMessage": message, "author": "nemo_agent",
            "id": str(uuid.uuid4()), "timestamp": time.time()}
    return b"data: " + json.dumps(body, ensure_ascii=False).encode("utf-8") + b"\n\n"


def _chunks(text: str, n: int = 4) -> list[str]:
    """Split a reply into about ``n`` streaming chunks, at spaces where there are some."""
    if len(text) < 12:
        return [text]
    size = max(4, -(-len(text) // n))
    tokens = re.findall(r"\S+\s*|\s+", text)
    out: list[str] = []
    cur = ""
    for tok in tokens:
        while len(tok) > size:  # long runs without spaces (CJK): cut
            room = size - len(cur)
            cur += tok[:room]
            tok = tok[room:]
            out.append(cur)
            cur = ""
        cur += tok
        if len(cur) >= size:
            out.append(cur)
            cur = ""
    if cur:
        out.append(cur)
    return out


def _message_text(body: dict[str, Any]) -> str:
    msg = body.get("new_message", body.get("newMessage"))
    if not isinstance(msg, dict) or not isinstance(msg.get("parts"), list):
        raise ApiError(422, 4000, "new_message.parts is required: {\"parts\": [{\"text\": \"...\"}]}")
    texts = [p["text"] for p in msg["parts"] if isinstance(p, dict) and isinstance(p.get("text"), str)]
    return "".join(texts)


async def run_sse(request: Request) -> Response:
    try:
        user = _user(request)
        body = await _json_body(request)
        sid = body.get("session_id", body.get("sessionId"))
        if not isinstance(sid, str | int) or str(sid) == "":
            raise ApiError(422, 4000, "session_id is required.")
        text = _message_text(body)
    except ApiError as err:
        if err.status == 401:
            return env_error(err)
        return JSONResponse({"detail": err.message}, status_code=err.status)
    eng = _engine(request)
    sess = eng.store.get_session(str(sid), user)
    if sess is None:
        return JSONResponse({"detail": f"Session not found: {sid}"}, status_code=404)
    invocation = "e-" + str(uuid.uuid4())
    stripped = text.strip()
    base = eng.base_url(request)

    async def stream() -> AsyncIterator[bytes]:
        if not stripped:
            yield _error_event("EMPTY_MESSAGE", "The message is empty: say what video to make or what to change.")
            return
        if len(text) > MAX_PROMPT_CHARS:
            yield _error_event(
                "MESSAGE_TOO_LONG",
                f"The message has {len(text)} characters; the limit is {MAX_PROMPT_CHARS}. "
                "Shorten it, or upload a long script as a .txt file and refer to it.")
            return

        def work() -> Any:
            from .planner import plan

            current = eng.store.get_session(sess.session_id)
            assets = [_asset(u, base) for u in eng.store.uploads(sess.session_id)]
            draft = current.draft if current else None
            result = plan(stripped, draft, assets, language=(current.language if current else None))
            new_draft = result.draft if result.understood else None
            eng.store.record_turn(sess.session_id, stripped, result.reply, draft=new_draft,
                                  language=getattr(result, "language", None))
            return result

        # The turn is the engine's from here on: a client that goes away (a closed stream, a
        # kernel that died) does not stop it; it is recorded, and the next state read shows it.
        fut = asyncio.ensure_future(anyio.to_thread.run_sync(work))
        eng.turns_running.add(fut)
        fut.add_done_callback(eng.turns_running.discard)
        while True:
            done, _ = await asyncio.wait({fut}, timeout=KEEPALIVE_SECONDS)
            if done:
                break
            yield b"data: \n\n"
        try:
            result = fut.result()
        except Exception as exc:
            yield _error_event("PLANNER_ERROR", f"The engine could not plan this ({type(exc).__name__}: {exc}); "
                                                "the draft was left as it was.")
            return
        reply = str(result.reply or "")
        if reply:
            for piece in _chunks(reply):
                yield _event(invocation, [{"text": piece}], partial=True)
                await asyncio.sleep(0.01)
            yield _event(invocation, [{"text": reply}])
        new_draft = result.draft if result.understood else None
        steps = list(result.steps or []) if result.understood else []
        for i, step in enumerate(steps, 1):
            call_id = f"call-{invocation[2:10]}-{i}"
            yield _event(invocation, [{"functionCall": {"id": call_id, "name": step.name, "args": step.args}}])
            delta = {"draft": new_draft} if (new_draft is not None and i == len(steps)) else None
            yield _event(invocation, [{"functionResponse": {"id": call_id, "name": step.name,
                                                            "response": step.result}}],
                         role="user", state_delta=delta)
            await asyncio.sleep(0)
        if new_draft is not None and not steps:
            yield _event(invocation, [{"functionResponse": {"id": f"call-{invocation[2:10]}-0",
                                                            "name": "update_draft", "response": {"status": "ok"}}}],
                         role="user", state_delta={"draft": new_draft})

    return StreamingResponse(stream(), media_type="text/event-stream",
                             headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"})


def _asset(up: Upload, base: str) -> dict[str, Any]:
    return {"filename": up.filename, "file_type": up.file_type, "cdn_url": f"{base}/media/{up.key}/{quote(up.filename)}",
            "duration": up.duration, "width": up.width, "height": up.height, "fps": up.fps,
            "text": up.text, "sandbox_path": SANDBOX_PREFIX + up.filename}


# --------------------------------------------------------------------------- uploads
class _Incoming:
    """One file being received: streamed to a temp file, hashed and counted as it comes."""

    def __init__(self, tmp_dir: Path, raw_name: str, limit: int) -> None:
        self.raw_name = raw_name
        ext = _ext(safe_filename(raw_name))
        self.script = _EXT_TYPE.get(ext) == "text"
        self.limit = min(limit, MAX_SCRIPT_BYTES) if self.script else limit
        # Keep the extension: the prober compares it with the content.
        self.path = tmp_dir / (uuid.uuid4().hex + (f".{ext}" if ext.isalnum() and len(ext) <= 10 else ""))
        self.fh = self.path.open("wb")
        self.size = 0
        self.sha = hashlib.sha256()

    def write(self, data: bytes) -> None:
        self.size += len(data)
        if self.size > self.limit:
            name = safe_filename(self.raw_name) or "the file"
            if self.script and self.limit == MAX_SCRIPT_BYTES:
                message = (f"{name} is larger than the {MAX_SCRIPT_BYTES // (1024 * 1024)} MB limit for text "
                           "scripts: shorten it or split it into several .txt files and upload again.")
            else:
                message = (f"{name} is larger than the {self.limit // (1024 * 1024)} MB limit: "
                           "compress or trim it and upload again.")
            raise ApiError(413, 4002, message, {"filename": safe_filename(self.raw_name), "limit": self.limit})
        self.sha.update(data)
        self.fh.write(data)

    def close(self) -> None:
        if not self.fh.closed:
            self.fh.close()


async def _receive_multipart(request: Request, tmp_dir: Path, limit: int) -> list[_Incoming]:
    from python_multipart.multipart import MultipartParser, parse_options_header

    _ctype, params = parse_options_header(request.headers.get("content-type", ""))
    boundary = params.get(b"boundary")
    if not boundary:
        raise ApiError(422, 4000, "multipart/form-data needs a boundary.")
    files: list[_Incoming] = []
    state: dict[str, Any] = {"headers": {}, "field": b"", "value": b"", "current": None, "skip": False}
    events: list[tuple[str, bytes]] = []

    def on_part_begin() -> None:
        events.append(("begin", b""))

    def on_part_data(data: bytes, start: int, end: int) -> None:
        events.append(("data", bytes(data[start:end])))

    def on_part_end() -> None:
        events.append(("end", b""))

    def on_header_field(data: bytes, start: int, end: int) -> None:
        state["field"] += data[start:end]

    def on_header_value(data: bytes, start: int, end: int) -> None:
        state["value"] += data[start:end]

    def on_header_end() -> None:
        state["headers"][state["field"].lower()] = state["value"]
        state["field"], state["value"] = b"", b""

    def on_headers_finished() -> None:
        events.append(("headers", json.dumps({k.decode("latin-1"): v.decode("utf-8", "replace")
                                              for k, v in state["headers"].items()}).encode()))
        state["headers"] = {}

    parser = MultipartParser(boundary, {
        "on_part_begin": on_part_begin, "on_part_data": on_part_data, "on_part_end": on_part_end,
        "on_header_field": on_header_field, "on_header_value": on_header_value,
        "on_header_end": on_header_end, "on_headers_finished": on_headers_finished,
    })
    current: _Incoming | None = None
    try:
        async for chunk in request.stream():
            parser.write(chunk)
            for kind, payload in events:
                if kind == "headers":
                    headers = json.loads(payload)
                    _, opts = parse_options_header(headers.get("content-disposition", ""))
                    fname = opts.get(b"filename")
                    field_name = opts.get(b"name", b"").decode("utf-8", "replace")
                    if fname is not None and field_name in ("files", "file", "files[]"):
                        current = _Incoming(tmp_dir, fname.decode("utf-8", "replace"), limit)
                        files.append(current)
                    else:
                        current = None
                elif kind == "data" and current is not None:
                    current.write(payload)
                elif kind == "end" and current is not None:
                    current.close()
                    current = None
            events.clear()
        parser.finalize()
    except BaseException:
        for f in files:
            f.close()
            f.path.unlink(missing_ok=True)
        raise
    for f in files:
        f.close()
    return files


async def _fetch_urls(urls: list[Any], tmp_dir: Path, limit: int) -> list[_Incoming]:
    import httpx

    async def check_redirect(resp: httpx.Response) -> None:
        """Before a redirect is followed: refuse one to anything but http(s) (file:, ftp:, ...)."""
        if not resp.has_redirect_location:
            return
        try:
            scheme = resp.request.url.join(resp.headers["location"]).scheme
        except (httpx.InvalidURL, ValueError):
            return  # httpx refuses it itself when it follows the redirect
        if scheme not in ("http", "https"):
            raise ApiError(415, 4001, f"{str(resp.request.url)[:200]} redirects to a {scheme or 'schemeless'} "
                                      "URL: only http and https URLs can be uploaded.",
                           {"accepted": _ACCEPTED_LIST})

    files: list[_Incoming] = []
    try:
        async with httpx.AsyncClient(follow_redirects=True, max_redirects=MAX_URL_REDIRECTS,
                                     timeout=httpx.Timeout(60, connect=10), trust_env=False,
                                     event_hooks={"response": [check_redirect]}) as client:
            for url in urls:
                if not isinstance(url, str) or urlparse(url).scheme not in ("http", "https"):
                    raise ApiError(415, 4001, f"Only http and https URLs can be uploaded, not {str(url)[:100]!r}.",
                                   {"accepted": _ACCEPTED_LIST})
                try:
                    async with client.stream("GET", url) as resp:
                        if urlparse(str(resp.url)).scheme not in ("http", "https"):
                            raise ApiError(415, 4001, "The URL redirected to something that is not http(s).",
                                           {"accepted": _ACCEPTED_LIST})
                        if resp.status_code != 200:
                            raise ApiError(422, 4000, f"Could not fetch {url[:200]}: HTTP {resp.status_code}.")
                        name = _name_from_response(resp, url)
                        inc = _Incoming(tmp_dir, name, limit)
                        files.append(inc)
                        length = resp.headers.get("content-length")
                        if length and length.isdigit() and int(length) > inc.limit:
                            inc.size = int(length)
                            inc.write(b"")  # raises 4002 before anything is downloaded
                        async for chunk in resp.aiter_bytes(1 << 16):
                            inc.write(chunk)
                        inc.close()
                except httpx.TooManyRedirects:
                    raise ApiError(422, 4000, f"Could not fetch {url[:200]}: more than {MAX_URL_REDIRECTS} "
                                              "redirects; upload the file's final URL instead.") from None
                except httpx.HTTPError as exc:
                    raise ApiError(422, 4000, f"Could not fetch {url[:200]}: {type(exc).__name__}.") from None
    except BaseException:
        for f in files:
            f.close()
            f.path.unlink(missing_ok=True)
        raise
    return files


def _name_from_response(resp: Any, url: str) -> str:
    cd = resp.headers.get("content-disposition", "")
    m = re.search(r"filename\*?=(?:UTF-8'')?\"?([^\";]+)\"?", cd)
    name = unquote(m.group(1)) if m else unquote(urlparse(url).path.rsplit("/", 1)[-1])
    if not _ext(name) or _ext(name) not in _EXT_TYPE:
        ctype = resp.headers.get("content-type", "").split(";")[0].strip().lower()
        ext = _CONTENT_TYPE_EXT.get(ctype)
        if ext and _ext(name) not in _EXT_TYPE:
            name = f"{name or 'download'}.{ext}"
    return name or "download"


def _check_file(inc: _Incoming) -> dict[str, Any]:
    """Type by extension AND content. Raises ApiError 4001 with the reason."""
    name = safe_filename(inc.raw_name)
    if not name:
        raise ApiError(415, 4001, "A file has no usable name; rename it (for example photo.jpg) and upload again.",
                       {"accepted": _ACCEPTED_LIST})
    ext = _ext(name)
    kind = _EXT_TYPE.get(ext)
    if kind is None:
        hint = " Save documents as .txt first." if ext in ("docx", "doc", "pdf", "rtf", "odt") else ""
        raise ApiError(415, 4001, f"{name}: .{ext or '(no extension)'} files are not supported.{hint} "
                                  f"Accepted: {', '.join(_ACCEPTED_LIST)}.",
                       {"filename": name, "accepted": _ACCEPTED_LIST})
    if inc.size == 0:
        raise ApiError(415, 4001, f"{name} is empty.", {"filename": name, "accepted": _ACCEPTED_LIST})
    info: dict[str, Any] = {"filename": name, "file_type": kind, "duration": None, "width": None,
                            "height": None, "fps": None, "text": None}
    if kind == "text":
        if inc.size > MAX_SCRIPT_BYTES:  # _Incoming stops earlier; this guards the read below
            raise ApiError(413, 4002, f"{name} is larger than the 1 MB limit for text scripts: shorten it "
                                      "or split it into several .txt files and upload again.",
                           {"filename": name, "limit": MAX_SCRIPT_BYTES})
        try:
            info["text"] = inc.path.read_bytes().decode("utf-8-sig")
        except UnicodeDecodeError:
            raise ApiError(415, 4001, f"{name} is not UTF-8 text; save it as UTF-8 and upload again.",
                           {"filename": name, "accepted": _ACCEPTED_LIST}) from None
        if "\x00" in info["text"]:
            raise ApiError(415, 4001, f"{name} is not a text file (it contains binary data).",
                           {"filename": name, "accepted": _ACCEPTED_LIST})
        return info
    from .render import MediaError, probe_media

    try:
        probed = probe_media(inc.path)
    except MediaError as exc:
        reason = str(exc).replace(inc.path.name, name).replace(str(inc.path.parent), "")
        raise ApiError(415, 4001, f"{name} cannot be used as {kind}: {reason}",
                       {"filename": name, "accepted": _ACCEPTED_LIST}) from None
    found = probed.get("file_type")
    if kind == "video" and found == "audio" and ext in ("mp4", "webm", "mkv"):
        kind = info["file_type"] = "audio"  # an audio-only container: usable as audio
    fits = found == kind or (kind == "image" and ext == "gif" and found == "video")
    if not fits:
        raise ApiError(415, 4001, f"{name} is named like {kind} but contains {found or 'something else'}; "
                                  "rename it with the right extension or export it again.",
                       {"filename": name, "accepted": _ACCEPTED_LIST})
    for key in ("duration", "width", "height", "fps"):
        info[key] = probed.get(key)
    return info


@envelope
async def upload(request: Request) -> Response:
    user = _user(request)
    eng = _engine(request)
    sess = _session(request, user, request.path_params["sid"])
    ctype = request.headers.get("content-type", "").lower()
    tmp_dir = eng.store.tmp_dir / f"upload-{uuid.uuid4().hex}"
    tmp_dir.mkdir(parents=True)
    try:
        if ctype.startswith("multipart/form-data"):
            files = await _receive_multipart(request, tmp_dir, eng.max_upload)
        elif ctype.startswith("application/json"):
            body = await _json_body(request)
            urls = body.get("urls")
            if not isinstance(urls, list) or not urls:
                raise ApiError(422, 4000, 'Send {"urls": ["https://..."], "source_type": "url"}.')
            files = await _fetch_urls(urls, tmp_dir, eng.max_upload)
        else:
            raise ApiError(422, 4000, "Upload as multipart/form-data (field 'files') or JSON {\"urls\": [...]}.")
        if not files:
            raise ApiError(422, 4000, "No files in the upload: send them in the multipart field 'files'.")
        checked = [await anyio.to_thread.run_sync(_check_file, f) for f in files]
        records: list[tuple[Upload, Path]] = []
        used = {u.filename for u in eng.store.uploads(sess.session_id)}
        for inc, info in zip(files, checked, strict=True):
            name = _unique(info["filename"], used)
            used.add(name)
            up = Upload(eng.store.new_key(), sess.session_id, name, info["file_type"], info["duration"],
                        info["width"], info["height"], info["fps"], inc.sha.hexdigest(), inc.size, info["text"])
            records.append((up, inc.path))
        await anyio.to_thread.run_sync(eng.store.add_uploads, records)
        return ok({"files": [eng.upload_info(request, up) for up, _ in records]})
    finally:
        shutil.rmtree(tmp_dir, ignore_errors=True)


def _unique(name: str, used: set[str]) -> str:
    if name not in used:
        return name
    stem, dot, ext = name.rpartition(".")
    if not dot:
        stem, ext = name, ""
    i = 2
    while True:
        cand = f"{stem}-{i}.{ext}" if ext else f"{stem}-{i}"
        if cand not in used:
            return cand
        i += 1


# --------------------------------------------------------------------------- render
def validate_draft(draft: Any) -> str | None:
    """Why ``draft`` cannot be rendered, or None when it can."""
    if not isinstance(draft, dict):
        return "The draft must be a JSON object with tracks under 't'."
    tracks = draft.get("t")
    if not isinstance(tracks, list):
        return "The draft has no track list 't'."
    any_segment = False
    for i, tr in enumerate(tracks):
        if not isinstance(tr, dict):
            return f"Track {i} is not an object."
        segs = tr.get("sg", [])
        if not isinstance(segs, list):
            return f"Track {i}: 'sg' must be a list of segments."
        for j, sg in enumerate(segs):
            if not isinstance(sg, dict):
                return f"Track {i}, segment {j} is not an object."
            st, d = sg.get("st", 0), sg.get("d")
            if not isinstance(st, int | float) or isinstance(st, bool) or st < 0:
                return f"Track {i}, segment {j}: start 'st' must be a number of ms >= 0."
            if not isinstance(d, int | float) or isinstance(d, bool) or d <= 0:
                return f"Track {i}, segment {j}: duration 'd' must be a number of ms > 0."
            any_segment = True
    if not any_segment:
        return "Nothing on the timeline yet: describe a video first, then export."
    total = draft.get("d")
    if total is not None and (not isinstance(total, int | float) or total <= 0 or total > 3_600_000):
        return "The draft duration 'd' must be between 1 ms and 1 hour."
    return None


def _missing_sources(eng: Engine, draft: dict[str, Any], sid: str | None) -> list[str]:
    missing: list[str] = []
    for tr in draft.get("t", []):
        for sg in tr.get("sg", []):
            src = sg.get("src")
            if src and eng.resolve(str(src), sid) is None:
                missing.append(str(src)[:120])
    return missing


def _job_data(eng: Engine, request: Request, job: Any) -> dict[str, Any]:
    progress = job.progress
    if job.status in ("pending", "processing"):
        live = eng.jobs.progress(job.id)
        if live is not None:
            progress = max(progress, live)
    out_url = (eng.media_url(request, job.media_key, f"{job.id}.mp4")
               if job.status == "completed" and job.media_key else None)
    data: dict[str, Any] = {
        "id": job.id, "status": job.status, "progress": round(float(progress), 1), "outputUrl": out_url,
        "createdAt": job.created_ms, "completedAt": job.completed_ms, "error": job.error,
    }
    if job.status == "completed":
        data["output"] = {"url": out_url, "duration": job.duration, "size": job.size,
                          "width": job.width, "height": job.height}
    return data


@render_api
async def render_submit(request: Request) -> Response:
    user = _user(request)
    eng = _engine(request)
    body = await _json_body(request)
    job_id = body.get("id")
    if not isinstance(job_id, str) or not _JOB_ID.match(job_id):
        raise ApiError(422, 4000, "'id' must be a string of letters, digits, '_', '-', '.' (e.g. render_<ms>).")
    sid = body.get("sessionId", body.get("session_id"))
    if sid is not None:
        if eng.store.get_session(str(sid), user) is None:
            raise ApiError(404, 1002, f"Session not found: {sid}")
        sid = str(sid)
    draft = body.get("draft")
    if isinstance(draft, str):
        try:
            draft = json.loads(draft)
        except ValueError:
            raise ApiError(422, 4000, "'draft' is a string that is not JSON.") from None
    why = validate_draft(draft)
    if why:
        raise ApiError(422, 4003, why)
    output = body.get("output") or {}
    if not isinstance(output, dict):
        raise ApiError(422, 4000, "'output' must be an object like {\"format\": \"mp4\", \"quality\": \"high\"}.")
    fmt = output.get("format", "mp4")
    if fmt != "mp4":
        raise ApiError(422, 4000, f"Only mp4 output is supported, not {str(fmt)[:20]!r}.")
    quality = output.get("quality", "high")
    if quality not in ("high", "medium", "low", "preview"):
        raise ApiError(422, 4000, "'quality' must be high, medium, low or preview.")
    resolution = output.get("resolution")
    if resolution is not None and resolution not in ("1080p", "720p"):
        raise ApiError(422, 4000, "'resolution' must be 1080p or 720p.")
    assert isinstance(draft, dict)
    missing = _missing_sources(eng, draft, sid)
    if missing:
        raise ApiError(422, 4003, f"These media sources are not uploads known to this engine: {', '.join(missing[:5])}. "
                                  "Upload the files to this session, or remove those segments.")
    job = await anyio.to_thread.run_sync(eng.store.add_job, job_id, user, sid, draft, quality, resolution)
    if job is None:
        raise ApiError(409, 4009, f"A render with id {job_id} exists already: use a new id.")
    eng.jobs.submit(job_id)
    return render_ok({"id": job.id, "status": "pending", "progress": 0, "createdAt": job.created_ms})


def _own_job(request: Request, user: str) -> Any:
    job = _engine(request).store.get_job(request.path_params["job_id"])
    if job is None or job.user_id != user:
        raise ApiError(404, 4004, f"No render job {request.path_params['job_id']}.")
    return job


@render_api
async def render_status(request: Request) -> Response:
    user = _user(request)
    job = _own_job(request, user)
    return render_ok(_job_data(_engine(request), request, job))


@render_api
async def render_cancel(request: Request) -> Response:
    user = _user(request)
    eng = _engine(request)
    job = _own_job(request, user)
    if job.status in ("pending", "processing"):
        await anyio.to_thread.run_sync(eng.jobs.cancel, job.id)
        job = eng.store.get_job(job.id)
    return render_ok(_job_data(eng, request, job))


@render_api
async def render_download(request: Request) -> Response:
    user = _user(request)
    eng = _engine(request)
    job = _own_job(request, user)
    path = eng.store.render_path(job.id)
    if job.status != "completed" or not path.is_file():
        raise ApiError(409, 4010, f"Render {job.id} is {job.status}, not completed: nothing to download yet.")
    return FileResponse(path, media_type="video/mp4", filename=f"{job.id}.mp4")


async def media(request: Request) -> Response:
    eng = _engine(request)
    key = request.path_params["key"]
    if not re.fullmatch(r"[0-9a-f]{32}", key):
        return JSONResponse({"detail": "Not found"}, status_code=404)
    path: Path | None = None
    up = eng.store.upload_by_key(key)
    if up is not None:
        path = up.path
    else:
        job = eng.store.job_by_media_key(key)
        if job is not None:
            path = eng.store.render_path(job.id)
    if path is None or not path.is_file():
        return JSONResponse({"detail": "Not found"}, status_code=404)
    mtype = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    return FileResponse(path, media_type=mtype, content_disposition_type="inline", filename=path.name)


async def not_found(request: Request, exc: Exception) -> Response:
    return JSONResponse({"code": 404, "message": f"No endpoint {request.method} {request.url.path}", "data": None},
                        status_code=404)


# --------------------------------------------------------------------------- app
def _version_routes() -> list[Route]:
    from .versions import routes  # versions.py imports this module's helpers

    return list(routes)


def create_app(home: Path, *, public_url: str | None = None, max_upload_mb: int = 500,
               trusted_hosts: list[str] | tuple[str, ...] | None = None) -> Starlette:
    """The engine's ASGI app for the data dir ``home``.

    ``trusted_hosts``: the only names (``Host`` header, any port) the app answers, others get
    400; ``None`` answers any Host (an engine the user exposed with an explicit ``--host``).
    """
    eng = Engine(Path(home), public_url=public_url, max_upload_mb=max_upload_mb)

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        eng.store.recover()
        eng.jobs.start()
        try:
            yield
        finally:
            await anyio.to_thread.run_sync(eng.jobs.shutdown)
            eng.store.close()

    routes = [
        Route("/health", health, methods=["GET"]),
        Route("/api/auth/anonymous-token", anonymous_token, methods=["POST"]),
        Route("/api/auth/claim-token", claim_token, methods=["POST"]),
        Route("/api/tasks/me/with-session/nemo_agent", create_session, methods=["POST"]),
        Route("/run_sse", run_sse, methods=["POST"]),
        Route("/api/upload-video/nemo_agent/me/{sid}", upload, methods=["POST"]),
        Route("/api/credits/balance/simple", credits, methods=["GET"]),
        Route("/api/state/nemo_agent/me/{sid}/latest", state, methods=["GET"]),
        Route("/api/render/proxy/lambda", render_submit, methods=["POST"]),
        Route("/api/render/proxy/lambda/{job_id}", render_status, methods=["GET"]),
        Route("/api/render/proxy/lambda/{job_id}/cancel", render_cancel, methods=["POST"]),
        Route("/api/render/proxy/{job_id}/download", render_download, methods=["GET"]),
        Route("/media/{key}/{name:path}", media, methods=["GET", "HEAD"]),
        *_version_routes(),
    ]
    app = Starlette(routes=routes, lifespan=lifespan, exception_handlers={404: not_found})
    app.state.engine = eng
    app.add_middleware(_Activity, engine=eng)
    if trusted_hosts is not None:  # added last: outermost, so refused requests are not activity
        app.add_middleware(_TrustedHost, hosts=tuple(h.strip("[]").lower() for h in trusted_hosts))
    return app
