"""A slow stand-in for the NemoVideo cloud: turns and renders that wait on the network.

It speaks the protocol of ``PROTOCOL.md`` (anonymous token, session, ADK-shaped
``/run_sse`` with partial text chunks and keep-alives, state, credits, render submit /
poll / cancel, media) and spends its time in ``asyncio.sleep``, like the real cloud
whose work happens on other machines: the client sees seconds of latency while this
process uses almost no CPU. The "rendered" video is one small real MP4 made once with
FFmpeg.

Latency per prompt: ``think`` seconds of keep-alives, then the reply streamed over
``stream`` seconds, then a render of ``render`` seconds. Defaults come from the server's
options, scaled by a factor 1.0-1.4 derived from the prompt (so prompts differ, always the
same way). A prompt may override them: ``[[think=0.5;stream=2;render=1;reply=...]]``.

Used by ``benchmarks/compare.py`` and by the widget tests (slow streaming, cancel).
Run alone: ``python benchmarks/slowcloud.py --port 8765``.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import re
import socket
import subprocess
import tempfile
import threading
import time
import uuid
import zlib
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, Response, StreamingResponse
from starlette.routing import Route

_OVERRIDE = re.compile(r"\[\[(.*?)\]\]", re.S)


@dataclass
class Options:
    think: float = 2.0          # seconds of keep-alives before the reply starts
    stream: float = 1.5         # seconds over which the reply text is streamed
    render: float = 3.0         # seconds a render takes
    chunks: int = 12            # partial text chunks per reply
    keepalive: float = 0.5      # seconds between keep-alives while thinking
    video_seconds: float = 2.0  # duration of the MP4 every render returns
    vary: bool = True           # scale latencies by a per-prompt factor (1.0-1.4)


@dataclass
class _Session:
    sid: str
    user: str
    draft: dict[str, Any] | None = None
    turns: int = 0
    render_seconds: float = 0.0


@dataclass
class _Job:
    id: str
    started: float
    seconds: float
    cancelled: bool = False


@dataclass
class SlowCloud:
    options: Options = field(default_factory=Options)
    sessions: dict[str, _Session] = field(default_factory=dict)
    jobs: dict[str, _Job] = field(default_factory=dict)
    credits: dict[str, float] = field(default_factory=dict)
    tokens: dict[str, str] = field(default_factory=dict)
    video_path: Path | None = None
    requests: int = 0

    # -- latency ---------------------------------------------------------------------------
    def plan(self, prompt: str) -> dict[str, Any]:
        o = self.options
        factor = 1.0 + (zlib.crc32(prompt.encode()) % 5) / 10 if o.vary else 1.0
        out: dict[str, Any] = {"think": o.think * factor, "stream": o.stream * factor,
                               "render": o.render * factor, "reply": None}
        m = _OVERRIDE.search(prompt)
        if m:
            for item in m.group(1).split(";"):
                key, _, value = item.partition("=")
                key = key.strip()
                if key in ("think", "stream", "render"):
                    out[key] = float(value)
                elif key == "reply":
                    out["reply"] = value
        return out

    def video(self) -> Path:
        if self.video_path is None:
            import imageio_ffmpeg

            out = Path(tempfile.mkdtemp(prefix="slowcloud-")) / "render.mp4"
            seconds = self.options.video_seconds
            subprocess.run(
                [imageio_ffmpeg.get_ffmpeg_exe(), "-hide_banner", "-loglevel", "error", "-y",
                 "-f", "lavfi", "-i", f"testsrc2=s=320x180:r=25:d={seconds}",
                 "-f", "lavfi", "-i", f"sine=frequency=440:duration={seconds}",
                 "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p",
                 "-c:a", "aac", "-shortest", "-movflags", "+faststart", str(out)],
                check=True, capture_output=True, timeout=120)
            self.video_path = out
        return self.video_path


def _ok(data: Any) -> JSONResponse:
    return JSONResponse({"code": 0, "message": "success", "data": data})


def _user(cloud: SlowCloud, request: Request) -> str | None:
    auth = request.headers.get("authorization", "")
    token = auth[7:] if auth.lower().startswith("bearer ") else ""
    return cloud.tokens.get(token)


def _draft_for(prompt: str, seconds: float) -> dict[str, Any]:
    words = re.sub(_OVERRIDE, "", prompt).strip()
    title = (words[:24] or "Untitled").title()
    ms = int(seconds * 1000)
    return {
        "t": [
            {"tt": 0, "n": "Video", "sg": [{"id": "v1", "n": title, "st": 0, "d": ms, "k": "scene",
                                             "scene": "abstract"}]},
            {"tt": 1, "n": "BGM", "sg": [{"id": "a1", "n": "Lo-fi", "st": 0, "d": ms, "k": "music",
                                           "mood": "lofi", "v": 0.35}]},
            {"tt": 7, "n": "Title", "sg": [{"id": "t1", "n": "Title", "st": 0, "d": min(ms, 1500), "k": "title",
                                             "txt": title}]},
        ],
        "d": ms,
        "m": {"title": title, "width": 320, "height": 180},
    }


def _event(parts: list[dict[str, Any]], *, partial: bool = False, role: str = "model",
           delta: dict[str, Any] | None = None) -> bytes:
    ev = {"content": {"role": role, "parts": parts}, "author": "nemo_agent", "invocationId": "e-slow",
          "id": uuid.uuid4().hex, "timestamp": time.time(), "partial": partial,
          "actions": {"stateDelta": delta or {}, "artifactDelta": {}}}
    return b"data: " + json.dumps(ev).encode() + b"\n\n"


def create_app(cloud: SlowCloud | None = None) -> Starlette:
    cloud = cloud or SlowCloud()

    async def token(request: Request) -> Response:
        if not request.headers.get("x-client-id"):
            return JSONResponse({"detail": "X-Client-Id required"}, status_code=400)
        tok = "nmv_usr_slow" + uuid.uuid4().hex
        user = "anon_" + uuid.uuid4().hex[:8]
        cloud.tokens[tok] = user
        cloud.credits[user] = 1000.0
        return _ok({"token": tok, "user_id": user, "expires_at": "2099-01-01T00:00:00Z", "credits": 1000})

    async def new_session(request: Request) -> Response:
        user = _user(cloud, request)
        if user is None:
            return JSONResponse({"code": 1001, "message": "token invalid"}, status_code=401)
        sid = str(len(cloud.sessions) + 100001)
        cloud.sessions[sid] = _Session(sid, user)
        return _ok({"task_id": "task-" + sid, "session_id": sid, "user_id": user})

    async def run_sse(request: Request) -> Response:
        user = _user(cloud, request)
        body = await request.json()
        sid = str(body.get("session_id"))
        sess = cloud.sessions.get(sid)
        if user is None or sess is None or sess.user != user:
            return JSONResponse({"detail": f"Session not found: {sid}"}, status_code=404)
        prompt = "".join(p.get("text", "") for p in body["new_message"]["parts"])
        plan = cloud.plan(prompt)

        async def stream() -> AsyncIterator[bytes]:
            end = time.monotonic() + plan["think"]
            while time.monotonic() < end:
                await asyncio.sleep(min(cloud.options.keepalive, max(0.0, end - time.monotonic())))
                yield b"data: \n\n"
            reply = plan["reply"] or (
                f"Here is a first draft for “{re.sub(_OVERRIDE, '', prompt).strip()[:60]}”: one scene, "
                "lo-fi music at 35% and a title. Tell me what to change, or click Export to render it.")
            n = max(1, cloud.options.chunks)
            size = max(1, -(-len(reply) // n))
            pieces = [reply[i:i + size] for i in range(0, len(reply), size)]
            for piece in pieces:
                yield _event([{"text": piece}], partial=True)
                await asyncio.sleep(plan["stream"] / len(pieces))
            yield _event([{"text": reply}])
            draft = _draft_for(prompt, cloud.options.video_seconds)
            sess.draft, sess.turns, sess.render_seconds = draft, sess.turns + 1, plan["render"]
            cloud.credits[user] = cloud.credits.get(user, 0) - 50
            yield _event([{"functionCall": {"id": "c1", "name": "plan_scenes", "args": {}}}])
            yield _event([{"functionResponse": {"id": "c1", "name": "plan_scenes", "response": {"ok": True}}}],
                         role="user", delta={"draft": draft})

        return StreamingResponse(stream(), media_type="text/event-stream")

    async def state(request: Request) -> Response:
        sess = cloud.sessions.get(request.path_params["sid"])
        if sess is None:
            return JSONResponse({"code": 1002, "message": "session not found"})
        return _ok({"session_id": sess.sid, "task_id": "task-" + sess.sid, "task_name": "project",
                    "state": {"draft": sess.draft, "video_infos": [], "canvas_config": {},
                              "video_analyses": [], "generated_media": []}})

    async def credits(request: Request) -> Response:
        user = _user(cloud, request)
        available = cloud.credits.get(user or "", 0)
        return _ok({"available": available, "frozen": 0, "total": available})

    async def render_submit(request: Request) -> Response:
        body = await request.json()
        job_id = str(body.get("id") or f"render_{int(time.time() * 1000)}")
        sess = cloud.sessions.get(str(body.get("sessionId")))
        seconds = sess.render_seconds if sess and sess.render_seconds else cloud.options.render
        cloud.jobs[job_id] = _Job(job_id, time.monotonic(), seconds)
        cloud.video()  # made once, outside the timed render
        return JSONResponse({"success": True, "data": {"id": job_id, "status": "pending", "progress": 5}})

    async def render_status(request: Request) -> Response:
        job = cloud.jobs.get(request.path_params["job_id"])
        if job is None:
            return JSONResponse({"success": False, "message": "no such job"}, status_code=404)
        elapsed = time.monotonic() - job.started
        data: dict[str, Any] = {"id": job.id, "createdAt": 0}
        if job.cancelled:
            data.update(status="failed", progress=0, error="cancelled")
        elif elapsed >= job.seconds:
            base = str(request.base_url).rstrip("/")
            data.update(status="completed", progress=100, outputUrl=f"{base}/media/{job.id}.mp4",
                        completedAt=int(time.time() * 1000))
        else:
            data.update(status="processing", progress=round(5 + 90 * elapsed / job.seconds, 1))
        return JSONResponse({"success": True, "data": data})

    async def render_cancel(request: Request) -> Response:
        job = cloud.jobs.get(request.path_params["job_id"])
        if job is not None:
            job.cancelled = True
        return JSONResponse({"success": True, "data": {"id": request.path_params["job_id"]}})

    async def media(request: Request) -> Response:
        return FileResponse(cloud.video(), media_type="video/mp4")

    app = Starlette(routes=[
        Route("/api/auth/anonymous-token", token, methods=["POST"]),
        Route("/api/tasks/me/with-session/nemo_agent", new_session, methods=["POST"]),
        Route("/run_sse", run_sse, methods=["POST"]),
        Route("/api/state/nemo_agent/me/{sid}/latest", state, methods=["GET"]),
        Route("/api/credits/balance/simple", credits, methods=["GET"]),
        Route("/api/render/proxy/lambda", render_submit, methods=["POST"]),
        Route("/api/render/proxy/lambda/{job_id}", render_status, methods=["GET"]),
        Route("/api/render/proxy/lambda/{job_id}/cancel", render_cancel, methods=["POST"]),
        Route("/api/render/proxy/{job_id}/download", media, methods=["GET"]),
        Route("/media/{name}", media, methods=["GET", "HEAD"]),
    ])
    app.state.cloud = cloud
    return app


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextlib.contextmanager
def serve(options: Options | None = None, port: int = 0) -> Iterator[tuple[str, SlowCloud]]:
    """Run the slow cloud with uvicorn on a loopback port in a daemon thread: ``(url, cloud)``."""
    import uvicorn

    cloud = SlowCloud(options or Options())
    port = port or free_port()
    config = uvicorn.Config(create_app(cloud), host="127.0.0.1", port=port, log_level="warning",
                            lifespan="off")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, name="slowcloud", daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the slow cloud did not start")
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}", cloud
    finally:
        server.should_exit = True
        thread.join(timeout=10)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--think", type=float, default=Options.think)
    parser.add_argument("--stream", type=float, default=Options.stream)
    parser.add_argument("--render", type=float, default=Options.render)
    args = parser.parse_args()
    with serve(Options(think=args.think, stream=args.stream, render=args.render), port=args.port) as (url, _):
        print(f"slow cloud on {url} (Ctrl+C to stop)", flush=True)
        with contextlib.suppress(KeyboardInterrupt):
            while True:
                time.sleep(3600)


if __name__ == "__main__":
    main()
