"""A fake NemoVideo cloud: every endpoint and documented quirk, over real HTTP on loopback.

``FakeCloud`` is a Starlette app served by uvicorn in a background thread on a free
loopback port. By default it behaves like a healthy cloud (anonymous tokens, sessions,
chat in the ADK or the typed shape, uploads, credits, state, renders). Each test can
script answers per route, for a number of times::

    cloud.script("POST /run_sse", sse([...frames...], drop=True))
    cloud.script("GET /api/credits/balance/simple", envelope(code=1001), times=1)

Scripted answers are consumed in order; when none is left the default behaviour answers.
Every request is recorded in ``cloud.requests`` (method, path, headers, JSON body);
``cloud.chat_turns``, ``cloud.render_submits`` and ``cloud.credits_spent`` count what a
notebook run cost (a turn that creates a draft costs ``generation_cost``, an edit ``edit_cost``).
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import re
import socket
import threading
import time
import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import Route

FIXTURES = Path(__file__).resolve().parents[1].parent / "shared" / "fixtures"

# A tiny valid-looking MP4 payload is not needed: the client only streams bytes to disk.
FAKE_MP4 = b"\x00\x00\x00\x18ftypmp42" + bytes(range(256)) * 64

Handler = Callable[[Request], Any]


# -- scripted answers ----------------------------------------------------------------------------
def envelope(data: Any = None, *, code: int = 0, message: str = "success", status: int = 200,
             headers: dict[str, str] | None = None) -> Handler:
    """A ``{"code", "message", "data"}`` answer."""
    return lambda request: JSONResponse({"code": code, "message": message, "data": data}, status_code=status,
                                        headers=headers)


def status(code: int, body: Any = None, *, headers: dict[str, str] | None = None) -> Handler:
    """A bare HTTP status (JSON body when given, else empty)."""
    if body is None:
        return lambda request: Response(b"", status_code=code, headers=headers)
    return lambda request: JSONResponse(body, status_code=code, headers=headers)


def sse(frames: list[Any], *, drop: bool = False, delay: float = 0.0) -> Handler:
    """An event stream. Items: dict (a ``data:`` JSON frame), str (a raw ``data:`` payload),
    bytes (sent as they are), float (a pause in seconds). ``drop``: break the connection at the end."""

    def handler(request: Request) -> Response:
        async def gen() -> AsyncIterator[bytes]:
            for item in frames:
                if isinstance(item, float):
                    await asyncio.sleep(item)
                    continue
                if isinstance(item, bytes):
                    yield item
                elif isinstance(item, str):
                    yield f"data: {item}\n\n".encode()
                else:
                    yield f"data: {json.dumps(item)}\n\n".encode()
                if delay:
                    await asyncio.sleep(delay)
            if drop:
                raise ConnectionAbortedError("fake cloud: stream dropped on purpose")

        return StreamingResponse(gen(), media_type="text/event-stream")

    return handler


def replay_http(path: Path) -> Handler:
    """Replay a captured HTTP response (status line, headers, blank line, body) byte for byte."""
    raw = path.read_bytes()
    head, _, body = raw.partition(b"\r\n\r\n") if b"\r\n\r\n" in raw else raw.partition(b"\n\n")
    lines = head.decode().splitlines()
    code = int(lines[0].split()[1])
    headers = dict(line.split(": ", 1) for line in lines[1:] if ": " in line)
    ctype = headers.pop("content-type", headers.pop("Content-Type", "application/json"))
    return lambda request: Response(body, status_code=code, media_type=ctype, headers=headers)


def replay_sse_file(path: Path, chunk: int = 97) -> Handler:
    """Replay a captured SSE body byte for byte, in odd-sized chunks (frames split across reads)."""
    raw = path.read_bytes()

    def handler(request: Request) -> Response:
        async def gen() -> AsyncIterator[bytes]:
            for i in range(0, len(raw), chunk):
                yield raw[i:i + chunk]

        return StreamingResponse(gen(), media_type="text/event-stream")

    return handler


# -- the fake ------------------------------------------------------------------------------------
@dataclass
class Recorded:
    method: str
    path: str
    headers: dict[str, str]
    json: Any = None
    size: int = 0


@dataclass
class Job:
    id: str
    session_id: str
    draft: Any
    output: Any
    polls: int = 0
    status: str = "pending"
    cancelled: bool = False
    submitted: float = field(default_factory=time.monotonic)


@dataclass
class FakeSession:
    id: str
    task_id: str
    user_id: str
    language: str
    draft: dict[str, Any] | None = None
    assets: list[dict[str, Any]] = field(default_factory=list)


class FakeCloud:
    def __init__(self) -> None:
        self.url = ""
        self.reset()
        self.app = Starlette(routes=[
            Route("/api/auth/anonymous-token", self._token, methods=["POST"]),
            Route("/api/auth/claim-token", self._claim, methods=["POST"]),
            Route("/api/tasks/me/with-session/nemo_agent", self._new_session, methods=["POST"]),
            Route("/run_sse", self._run_sse, methods=["POST"]),
            Route("/api/upload-video/nemo_agent/me/{sid}", self._upload, methods=["POST"]),
            Route("/api/credits/balance/simple", self._credits, methods=["GET"]),
            Route("/api/state/nemo_agent/me/{sid}/latest", self._state, methods=["GET"]),
            Route("/api/render/proxy/lambda", self._render_submit, methods=["POST"]),
            Route("/api/render/proxy/lambda/{jid}", self._render_poll, methods=["GET"]),
            Route("/api/render/proxy/lambda/{jid}/cancel", self._render_cancel, methods=["POST"]),
            Route("/api/render/proxy/{jid}/download", self._render_download, methods=["GET"]),
            Route("/cdn/{name}", self._cdn, methods=["GET"]),
            # not a cloud endpoint (the engine's): answered 404 unless a test scripts it
            Route("/api/storyboard/nemo_agent/me/{sid}", self._no_such_endpoint, methods=["POST"]),
        ])

    # -- configuration ----------------------------------------------------------------------------
    def reset(self) -> None:
        self.requests: list[Recorded] = []
        self.scripts: dict[str, list[Handler]] = {}
        self.tokens: dict[str, dict[str, Any]] = {}     # token -> {"client_id", "user_id"}
        self.sessions: dict[str, FakeSession] = {}
        self.jobs: dict[str, Job] = {}
        self.chat_shape = "adk"        # "adk" | "typed"
        self.poll_shape = "success"    # "success" | "bare"
        self.polls_to_finish = 2
        self.render_seconds: float | None = None   # when set, a render takes this long (not a poll count)
        self.fail_render: str | None = None
        self.output_url_broken = False
        self.credits = {"available": 25000, "frozen": 40, "total": 25040}
        self.generation_cost = 100   # PROTOCOL.md: about 100 per generated clip,
        self.edit_cost = 50          # about 50 per editing turn; export is free
        self.credits_spent = 0
        self.upload_bytes = 0
        self.brief: dict[str, Any] | None = None   # a brief the turns carry (the cloud may send none)
        self.brief_in_state = False                # ... in the state only, not in the turn's stateDelta
        self._ids = itertools.count(1000)

    def script(self, route: str, handler: Handler, times: int = 1) -> None:
        """``route`` like ``"POST /run_sse"`` or a regex on the path (``"GET /api/render/.*"``)."""
        self.scripts.setdefault(route, []).extend([handler] * times)

    def calls(self, method: str, path_regex: str) -> list[Recorded]:
        return [r for r in self.requests if r.method == method and re.fullmatch(path_regex, r.path)]

    @property
    def chat_turns(self) -> int:
        """``POST /run_sse`` requests received (each may spend credits)."""
        return len(self.calls("POST", "/run_sse"))

    @property
    def render_submits(self) -> int:
        """``POST /api/render/proxy/lambda`` requests received."""
        return len(self.calls("POST", "/api/render/proxy/lambda"))

    def _charge(self, amount: int) -> None:
        self.credits_spent += amount
        self.credits = {**self.credits, "available": self.credits["available"] - amount,
                        "total": self.credits["total"] - amount}

    def expire_all_tokens(self) -> None:
        self.tokens.clear()

    # -- plumbing ---------------------------------------------------------------------------------
    async def _record(self, request: Request) -> Recorded:
        rec = Recorded(request.method, request.url.path, {k.lower(): v for k, v in request.headers.items()})
        self.requests.append(rec)
        return rec

    def _scripted(self, request: Request) -> Handler | None:
        for route, queue in self.scripts.items():
            method, _, pattern = route.partition(" ")
            if method == request.method and re.fullmatch(pattern, request.url.path) and queue:
                return queue.pop(0)
        return None

    async def _prelude(self, request: Request, *, auth: bool = True) -> tuple[Recorded, Response | None]:
        rec = await self._record(request)
        if request.headers.get("content-type", "").startswith("application/json"):
            with contextlib.suppress(ValueError):
                rec.json = json.loads(await request.body())
        handler = self._scripted(request)
        if handler is not None:
            result = handler(request)
            if asyncio.iscoroutine(result):
                result = await result
            if result is not None:
                return rec, result
        if auth:
            bearer = request.headers.get("authorization", "")
            token = bearer[7:] if bearer.startswith("Bearer ") else ""
            if token not in self.tokens:
                return rec, JSONResponse({"code": 1001, "message": "token invalid or expired", "data": None})
        return rec, None

    def _user(self, request: Request) -> str:
        token = request.headers.get("authorization", "")[7:]
        return str(self.tokens.get(token, {}).get("user_id", "anon_unknown"))

    @staticmethod
    def ok(data: Any) -> JSONResponse:
        return JSONResponse({"code": 0, "message": "success", "data": data})

    async def _session_prelude(self, request: Request) -> tuple[Recorded, FakeSession] | Response:
        """The prelude, then the session named in the path; or the early answer (``1002``: no such session)."""
        rec, early = await self._prelude(request)
        if early is not None:
            return early
        sess = self.sessions.get(request.path_params["sid"])
        if sess is None:
            return JSONResponse({"code": 1002, "message": "session not found", "data": None})
        return rec, sess

    async def _job_prelude(self, request: Request) -> Job | Response:
        """The prelude, then the render job named in the path; or the early answer (404: no such job)."""
        _rec, early = await self._prelude(request)
        if early is not None:
            return early
        return self.jobs.get(request.path_params["jid"]) or JSONResponse(
            {"success": False, "error": "not found"}, status_code=404)

    # -- endpoints --------------------------------------------------------------------------------
    async def _token(self, request: Request) -> Response:
        _rec, early = await self._prelude(request, auth=False)
        if early is not None:
            return early
        client_id = request.headers.get("x-client-id")
        if not client_id:
            return Response(b"missing X-Client-Id", status_code=400)
        token = f"nmv_usr_{uuid.uuid4().hex}"
        user = f"anon_{client_id[:8]}"
        self.tokens[token] = {"client_id": client_id, "user_id": user}
        return self.ok({"token": token, "user_id": user, "expires_at": "2099-01-01T00:00:00Z", "credits": 100})

    async def _claim(self, request: Request) -> Response:
        rec, early = await self._prelude(request)
        if early is not None:
            return early
        body = rec.json or {}
        sess = self.sessions.get(str(body.get("session_id")))
        if sess is None or body.get("task_id") != sess.task_id:
            return JSONResponse({"code": 1002, "message": "session not found", "data": None})
        return self.ok({"claim_token": f"clm_{uuid.uuid4().hex}"})

    async def _new_session(self, request: Request) -> Response:
        rec, early = await self._prelude(request)
        if early is not None:
            return early
        body = rec.json or {}
        sid = str(next(self._ids))
        sess = FakeSession(id=sid, task_id=f"task_{sid}", user_id=self._user(request),
                           language=str(body.get("language")))
        self.sessions[sid] = sess
        return self.ok({"task_id": sess.task_id, "session_id": sid, "user_id": sess.user_id})

    async def _run_sse(self, request: Request) -> Response:
        rec, early = await self._prelude(request)
        if early is not None:
            return early
        body = rec.json or {}
        sid = str(body.get("session_id"))
        sess = self.sessions.get(sid)
        if sess is None:
            return JSONResponse({"detail": f"Session not found: {sid}"}, status_code=404)
        text = body["new_message"]["parts"][0]["text"]
        self._charge(self.generation_cost if sess.draft is None else self.edit_cost)
        quoted = re.search(r'"([^"]+)"', text)
        kept = (sess.draft or {}).get("m", {}).get("title") if sess.draft else None
        title = quoted.group(1) if quoted else (kept or text[:20])   # a title stays until a new one is given
        draft = {"t": [{"tt": 0, "n": "Video", "sg": [{"id": "s1", "n": text[:20], "st": 0, "d": 10000, "k": "scene"}]}],
                 "d": 10000, "m": {"title": title}}
        sess.draft = draft
        if self.chat_shape == "typed":
            frames: list[Any] = [
                {"type": "heartbeat"},
                {"type": "text", "content": "Working on "},
                {"type": "text", "content": "it."},
                {"type": "tool_call", "name": "plan", "args": {"prompt": text}},
                {"type": "tool_result", "name": "plan", "result": {"ok": True}},
                "",
            ]
        else:
            frames = [
                {"content": {"role": "model", "parts": [{"text": "Working "}]}, "partial": True, "id": "e1"},
                {"content": {"role": "model", "parts": [{"text": "on it."}]}, "partial": True, "id": "e2"},
                {"content": {"role": "model", "parts": [{"text": "Working on it."}]}, "partial": False, "id": "e3"},
                {"content": {"role": "model", "parts": [{"functionCall": {"id": "c1", "name": "plan", "args": {}}}]},
                 "id": "e4"},
                {"content": {"role": "user", "parts": [{"functionResponse": {"id": "c1", "name": "plan",
                                                                             "response": {"ok": True}}}]},
                 "actions": {"stateDelta": {"draft": draft, **({"brief": self.brief}
                                                                if self.brief and not self.brief_in_state else {})}},
                 "id": "e5"},
            ]
        return sse(frames)(request)

    async def _upload(self, request: Request) -> Response:
        got = await self._session_prelude(request)
        if isinstance(got, Response):
            return got
        rec, sess = got
        files: list[dict[str, Any]] = []
        if rec.json is not None:
            for url in rec.json.get("urls", []):
                name = url.rsplit("/", 1)[-1]
                files.append({"filename": name, "file_type": "image", "cdn_url": f"{self.url}/cdn/{name}",
                              "duration": None, "width": 64, "height": 64, "fps": None, "hash": "h"})
        else:
            form = await request.form(max_part_size=1 << 40)
            for _, item in form.multi_items():
                if hasattr(item, "read"):
                    size = 0
                    while chunk := await item.read(1 << 20):
                        size += len(chunk)
                    self.upload_bytes += size
                    rec.size += size
                    files.append({"filename": item.filename, "file_type": "video", "cdn_url": f"{self.url}/cdn/{item.filename}",
                                  "duration": 1.0, "width": 320, "height": 240, "fps": 30, "hash": f"sha-{size}"})
        sess.assets.extend(files)
        return self.ok({"files": files})

    async def _credits(self, request: Request) -> Response:
        _rec, early = await self._prelude(request)
        return early or self.ok(self.credits)

    async def _state(self, request: Request) -> Response:
        got = await self._session_prelude(request)
        if isinstance(got, Response):
            return got
        _rec, sess = got
        return self.ok({"session_id": sess.id, "task_id": sess.task_id, "task_name": "project",
                        "state": {"draft": sess.draft, "video_infos": sess.assets,
                                  "canvas_config": {"width": 1920, "height": 1080}, "video_analyses": [],
                                  "generated_media": [], **({"brief": self.brief} if self.brief_in_state else {})}})

    async def _render_submit(self, request: Request) -> Response:
        rec, early = await self._prelude(request)
        if early is not None:
            return early
        body = rec.json or {}
        jid = str(body.get("id"))
        if jid in self.jobs:
            return JSONResponse({"success": False, "error": "duplicate id"}, status_code=409)
        self.jobs[jid] = Job(jid, str(body.get("sessionId")), body.get("draft"), body.get("output"))
        return JSONResponse({"success": True, "data": {"id": jid, "status": "pending", "progress": 5}})

    async def _render_poll(self, request: Request) -> Response:
        job = await self._job_prelude(request)
        if isinstance(job, Response):
            return job
        job.polls += 1
        age = time.monotonic() - job.submitted
        finished = age >= self.render_seconds if self.render_seconds is not None else job.polls >= self.polls_to_finish
        if job.cancelled:
            job.status = "cancelled"
        elif finished:
            job.status = "failed" if self.fail_render else "completed"
        else:
            job.status = "processing"
        progress = 100 if job.status == "completed" else min(95, 5 + 40 * job.polls)
        if self.render_seconds and job.status == "processing":
            progress = min(95, int(5 + 90 * age / self.render_seconds))
        url = f"{self.url}/cdn/{job.id}.mp4" if not self.output_url_broken else f"{self.url}/cdn/missing-{job.id}"
        if self.poll_shape == "bare":
            out: dict[str, Any] = {"status": job.status, "progress": progress}
            if job.status == "completed":
                out["output"] = {"url": url, "duration": 10.0, "size": len(FAKE_MP4)}
            if job.status == "failed":
                out["error"] = self.fail_render
            return JSONResponse(out)
        data: dict[str, Any] = {"id": job.id, "status": job.status, "progress": progress,
                                "createdAt": int(time.time() * 1000)}
        if job.status == "completed":
            data["outputUrl"] = url
            data["completedAt"] = int(time.time() * 1000)
        if job.status == "failed":
            data["error"] = self.fail_render
        return JSONResponse({"success": True, "data": data})

    async def _render_cancel(self, request: Request) -> Response:
        job = await self._job_prelude(request)
        if isinstance(job, Response):
            return job
        job.cancelled = True
        return JSONResponse({"success": True, "data": {"id": job.id, "status": "cancelled"}})

    async def _render_download(self, request: Request) -> Response:
        _rec, early = await self._prelude(request)
        if early is not None:
            return early
        if request.path_params["jid"] not in self.jobs:
            return Response(b"", status_code=404)
        return Response(FAKE_MP4, media_type="video/mp4")

    async def _no_such_endpoint(self, request: Request) -> Response:
        _rec, early = await self._prelude(request)
        if early is not None:
            return early
        return JSONResponse({"detail": "Not Found"}, status_code=404)

    async def _cdn(self, request: Request) -> Response:
        _rec, early = await self._prelude(request, auth=False)
        if early is not None:
            return early
        name = request.path_params["name"]
        if name.startswith("missing-"):
            return Response(b"", status_code=404)
        return Response(FAKE_MP4, media_type="video/mp4")


# -- server --------------------------------------------------------------------------------------
class _Server(uvicorn.Server):
    def install_signal_handlers(self) -> None:  # running in a thread
        pass


@contextlib.contextmanager
def serve(app: Any, *, lifespan: str = "off") -> Iterator[str]:
    """Serve ``app`` on a free loopback port in a background thread; yields the base URL.

    ``lifespan="on"`` for an app that starts things at startup (the engine's app)."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    server = _Server(uvicorn.Config(app, log_level="error", lifespan=lifespan, timeout_keep_alive=5))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.01)
    assert server.started, "the app did not start within 10 s"
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=5)
        sock.close()


def slow_engine_planner(monkeypatch: pytest.MonkeyPatch, seconds: float, keepalive: float) -> threading.Event:
    """Slow the real engine's planner down by ``seconds`` and send keep-alives every ``keepalive`` s
    (for an engine app served in-process with :func:`serve`); the event is set when planning starts."""
    from nemo_jupyter.engine import planner
    from nemo_jupyter.engine.api import chat

    real_plan = planner.plan
    started = threading.Event()

    def slow_plan(*args: Any, **kwargs: Any) -> Any:
        started.set()
        time.sleep(seconds)
        return real_plan(*args, **kwargs)

    monkeypatch.setattr(planner, "plan", slow_plan)
    monkeypatch.setattr(chat, "KEEPALIVE_SECONDS", keepalive)
    return started


@contextlib.contextmanager
def running_cloud() -> Iterator[FakeCloud]:
    """A FakeCloud served on loopback (use from a module-scoped fixture)."""
    cloud = FakeCloud()
    with serve(cloud.app) as url:
        cloud.url = url
        yield cloud


def prepare(cloud: FakeCloud, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> FakeCloud:
    """Reset the fake and give the test a private config dir (per-test fixture body)."""
    cloud.reset()
    monkeypatch.setenv("NEMO_CONFIG_DIR", str(tmp_path / "config"))
    for name in ("NEMO_TOKEN", "NEMO_CLIENT_ID", "NEMO_BACKEND", "NEMO_MAX_UPLOAD_MB", "NEMO_PLATFORM"):
        monkeypatch.delenv(name, raising=False)
    return cloud


FAST = {"rate_limit_wait": 0.2, "retries": 2, "retry_backoff": 0.01, "recovery_wait": 0.05,
        "recovery_interval": 0.05, "recovery_checks": 3, "poll_interval": 0.02, "poll_max_interval": 0.05}
