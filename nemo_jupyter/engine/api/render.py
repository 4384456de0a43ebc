"""Render jobs (submit, status, cancel, download) and the media files served under unguessable paths."""

from __future__ import annotations

import mimetypes
import re
from dataclasses import replace
from pathlib import Path
from typing import Any

import anyio
from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, Response

from ..jobs import CANCELLED_REASON
from ..render.timeline.validate import shape_problems
from .common import (
    _JOB_ID,
    ApiError,
    Engine,
    _engine,
    _json_body,
    _user,
    render_api,
    render_ok,
)
from .limits import check_draft_size, parse_json


def validate_draft(draft: Any) -> str | None:
    """Why ``draft`` cannot be accepted (the first problem the one validator finds), or None."""
    problems = shape_problems(draft)
    return problems[0] if problems else None


def _seconds(draft: dict[str, Any]) -> float:
    """The video's length (for the minutes-of-video quota): ``d``, else the last segment's end."""
    total = draft.get("d")
    if isinstance(total, int | float) and total > 0:
        return float(total) / 1000.0
    ends = [float(sg.get("st", 0)) + float(sg.get("d", 0)) for tr in draft.get("t", []) for sg in tr.get("sg", [])]
    return max(ends, default=0.0) / 1000.0


def _active(eng: Engine, job_id: str) -> bool:
    job = eng.store.get_job(job_id)
    return job is not None and job.status in ("pending", "processing")


def _missing_sources(eng: Engine, draft: dict[str, Any], sid: str | None) -> list[str]:
    missing: list[str] = []
    for tr in draft.get("t", []):
        for sg in tr.get("sg", []):
            src = sg.get("src")
            if src and eng.resolve(str(src), sid) is None:
                missing.append(str(src)[:120])
    return missing


def _job_data(eng: Engine, request: Request, job: Any) -> dict[str, Any]:
    lost = eng.jobs.lost.get(job.id) if job.status in ("pending", "processing") else None
    if lost is not None:   # it ended, but the store could not be told (a full disk): say how it ended
        job = replace(job, status="failed", error=lost)
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
    if job.status in ("pending", "processing"):
        # optional fields (the cloud does not send them): the place in line, and the seconds
        # until the video is ready, waiting included
        position = eng.jobs.position(job.id)
        if position is not None:
            data["queuePosition"] = position
        estimate = eng.jobs.estimate(job.id)
        if estimate is not None:
            data["estimatedSeconds"] = estimate
    if job.status == "completed" and job.output:
        data["reused"] = True  # the same draft, media and settings were rendered before: same file
    if job.status == "failed" and job.error == CANCELLED_REASON:
        data["cancelled"] = True   # the protocol's statuses end in "failed"; say why
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
        raise ApiError(422, 4000, "'id' must be a string of letters, digits, '_', '-', '.', ':' starting with a "
                                  "letter or digit (e.g. render_<ms>), at most 128 characters.")
    sid = body.get("sessionId", body.get("session_id"))
    if sid is not None:
        if eng.store.get_session(str(sid), user) is None:
            raise ApiError(404, 1002, f"Session not found: {sid}")
        sid = str(sid)
    draft = body.get("draft")
    if isinstance(draft, str):
        try:
            draft = parse_json(draft.encode("utf-8"))
        except ApiError as err:
            reason = err.message.removeprefix("The request body must be JSON").lstrip(".: ")
            raise ApiError(422, 4000, f"'draft' is a string that is not JSON{': ' + reason if reason else '.'}") \
                from None
    why = validate_draft(draft)
    if why:
        raise ApiError(422, 4003, why)
    check_draft_size(draft)   # the job keeps it
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
    seconds = _seconds(draft)
    eng.quotas.render(user, job_id, seconds, lambda j: _active(eng, j))
    def add() -> tuple[Any, bool]:
        key = eng.render_key(draft, quality, resolution, sid)
        new = eng.store.add_job(job_id, user, sid, draft, quality, resolution, key)
        return new, new is not None and eng.reuse_render(job_id)

    job, reused = await anyio.to_thread.run_sync(add)
    if job is None:
        eng.quotas.forget_render(user, job_id, seconds)
        raise ApiError(409, 4009, f"A render with id {job_id} exists already: use a new id.")
    if reused:  # rendered before: the same file, at once (and no render counted against the quota)
        eng.quotas.forget_render(user, job_id, seconds)
        return render_ok(_job_data(eng, request, eng.store.get_job(job_id)))
    eng.jobs.submit(job_id, key=job.cache_key)
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
    path = eng.store.job_file(job)
    if job.status != "completed" or not path.is_file():
        why = f" ({job.error})" if job.status == "failed" and job.error else ""
        raise ApiError(409, 4010, f"Render {job.id} is {job.status}, not completed{why}: nothing to download.")
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
            path = eng.store.job_file(job)
    if path is None or not path.is_file():
        return JSONResponse({"detail": "Not found"}, status_code=404)
    mtype = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    return FileResponse(path, media_type=mtype, content_disposition_type="inline", filename=path.name)
