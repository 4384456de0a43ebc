"""Health, auth (anonymous and claim tokens), sessions, credits and the session state."""

from __future__ import annotations

import time
import uuid
from typing import Any

import anyio
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from ... import draft_format as df
from ..launcher import home_id
from .common import (
    LOCAL_CREDITS,
    ApiError,
    _engine,
    _json_body,
    _session,
    _user,
    env_error,
    envelope,
    ok,
)
from .guard import proof_for
from .quotas import CLASS_CODE_HEADER


async def health(request: Request) -> Response:
    from ..._version import __version__

    eng = _engine(request)
    body: dict[str, Any] = {"ok": True, "engine": "nemo_jupyter", "version": __version__,
                            "home": home_id(eng.home), "renders_running": eng.jobs.active(),
                            # how many renders run at once (its lanes, or the Dask cluster's slots):
                            # a client sizing a batch keeps about this many busy
                            "render_slots": eng.jobs.workers + eng.jobs.preview_workers}
    proof = proof_for(request.app.state.secret, request.query_params.get("nonce"))
    if proof:
        body["proof"] = proof  # proves this is the engine whose engine.json holds the secret
    return JSONResponse(body)


def _remote(request: Request) -> str | None:
    """The peer's address for the per-address quota; None for this machine (loopback, a Unix socket)."""
    import ipaddress

    host = request.client.host if request.client else None
    try:
        return None if not host or ipaddress.ip_address(host).is_loopback else host
    except ValueError:
        return None


async def anonymous_token(request: Request) -> Response:
    client_id = request.headers.get("x-client-id", "").strip()
    if not client_id:
        return JSONResponse({"detail": "X-Client-Id header required"}, status_code=400)
    if len(client_id) > 200:
        return JSONResponse({"detail": "X-Client-Id is too long (at most 200 characters)"}, status_code=400)
    eng = _engine(request)
    try:
        peer = request.client.host if request.client else None
        eng.quotas.check_class_code(request.headers.get(CLASS_CODE_HEADER), peer)
        eng.quotas.token(client_id, _remote(request))
    except ApiError as err:
        return env_error(err)
    token, user_id, expires = await anyio.to_thread.run_sync(eng.store.issue_token, client_id)
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
    _engine(request).quotas.session(user)
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
    return ok({"available": LOCAL_CREDITS, "frozen": 0, "total": LOCAL_CREDITS, "free": True,
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
            "brief": sess.brief,
            "version": eng.store.head_version(sess.session_id),   # the engine's draft version (see versions.py)
        },
    })
