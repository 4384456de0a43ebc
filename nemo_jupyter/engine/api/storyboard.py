"""The storyboard strip of a draft: one small still per scene, painted from the draft alone.

``GET  /api/storyboard/nemo_agent/me/<sid>/latest``  the session's current draft
``POST /api/storyboard/nemo_agent/me/<sid>``         body ``{"draft": {...}?, "width": 240?}``

Answer (envelope ``data``)::

    {"frames": [{"t": 3.75, "st": 0, "d": 7500, "segment": "v1", "label": "Forest with birds",
                 "image": "data:image/jpeg;base64,..."}, ...],
     "width": 240, "height": 136, "key": "<content address>", "ms": 180,
     "credit": "Illustrations adapted from OpenMoji ... CC BY-SA 4.0 (...)" | null}

Not part of the cloud protocol (a client treats 404 as "no storyboard here"). The strip is
kept by content address (draft, media hashes, width, renderer), so asking again is free.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import io
import json
import threading
import time
from collections import OrderedDict
from typing import Any

import anyio
from starlette.requests import Request
from starlette.responses import Response

from .common import ApiError, Engine, _engine, _json_body, _session, _user, envelope, ok

__all__ = ["storyboard_latest", "storyboard_post", "warm"]

MAX_WIDTH = 480
_cache: OrderedDict[str, dict[str, Any]] = OrderedDict()
_cache_lock = threading.Lock()
_CACHE_SIZE = 64


def _key(eng: Engine, draft: dict[str, Any], width: int, sid: str | None) -> str:
    from ..render_key import canonical_json, draft_sources, renderer_fingerprint

    media = {src: eng.media_hash(src, sid) for src in draft_sources(draft)}
    material = canonical_json({"draft": draft, "media": media, "width": width, "renderer": renderer_fingerprint()})
    return hashlib.sha256(material.encode("utf-8")).hexdigest()


def build(eng: Engine, draft: dict[str, Any], width: int, sid: str | None) -> dict[str, Any]:
    """The strip of ``draft`` (blocking: paints); cached by content address."""
    from ..render import RenderError, validate_draft
    from ..render.storyboard import storyboard

    key = _key(eng, draft, width, sid)
    with _cache_lock:
        hit = _cache.get(key)
        if hit is not None:
            _cache.move_to_end(key)
            return hit
    problems = validate_draft(draft, resolve=lambda src: eng.resolve(src, sid))
    if problems:
        raise ApiError(422, 4003, "The draft cannot be drawn: " + "; ".join(problems[:3]))
    t0 = time.perf_counter()
    try:
        frames = storyboard(draft, resolve=lambda src: eng.resolve(src, sid), width=width)
    except RenderError as exc:
        raise ApiError(422, 4003, str(exc)) from None
    from ..render.picture.art import ATTRIBUTION
    from ..render.picture.layout import uses_art

    credit = ATTRIBUTION if uses_art(draft) else None  # OpenMoji art is CC BY-SA: the strip says so
    out = []
    for f in frames:
        buf = io.BytesIO()
        f.image.save(buf, "JPEG", quality=72, optimize=True, **({"comment": credit} if credit else {}))
        out.append({"t": f.t, "st": f.st, "d": f.d, "segment": f.segment, "label": f.label,
                    "image": "data:image/jpeg;base64," + base64.b64encode(buf.getvalue()).decode("ascii")})
    w, h = (frames[0].image.size if frames else (width, 0))
    data = {"frames": out, "width": w, "height": h, "key": key, "credit": credit,
            "ms": round((time.perf_counter() - t0) * 1000)}
    with _cache_lock:
        _cache[key] = data
        while len(_cache) > _CACHE_SIZE:
            _cache.popitem(last=False)
    return data


def warm(eng: Engine, draft: dict[str, Any] | None, sid: str | None, width: int = 240) -> None:
    """Paint the strip of a new draft in the background, so the client's request finds it ready;
    then, when this engine renders nothing else and renders here (not on a cluster), synthesise the
    draft's music and ambient sound, so its first preview finds them made (one maker per sound: a
    render that asks meanwhile waits for it, the work is not done twice)."""
    if not isinstance(draft, dict):
        return

    def run() -> None:
        with contextlib.suppress(Exception):  # a draft that cannot be drawn: the request will say why
            build(eng, draft, width, sid)
            if eng.jobs.active() == 0 and eng.jobs.renderer is None:
                from ..render.sound.audio import warm_stems
                from ..render.timeline.reading import draft_duration

                warm_stems(draft, draft_duration(draft))

    threading.Thread(target=run, name="nemo-storyboard", daemon=True).start()


def _width(raw: Any) -> int:
    try:
        w = int(raw) if raw is not None else 240
    except (TypeError, ValueError):
        raise ApiError(422, 4000, "'width' must be a number of pixels (e.g. 240).") from None
    if not 32 <= w <= MAX_WIDTH:
        raise ApiError(422, 4000, f"'width' must be between 32 and {MAX_WIDTH} pixels.")
    return w


async def _answer(request: Request, draft: Any, width: int, sid: str) -> Response:
    if not isinstance(draft, dict) or not draft.get("t"):
        raise ApiError(422, 4003, "Nothing on the timeline yet: describe a video first.")
    eng = _engine(request)
    data = await anyio.to_thread.run_sync(build, eng, draft, width, sid)
    return ok(data)


@envelope
async def storyboard_latest(request: Request) -> Response:
    user = _user(request)
    sid = request.path_params["sid"]
    session = _session(request, user, sid)
    return await _answer(request, session.draft, _width(request.query_params.get("width")), sid)


@envelope
async def storyboard_post(request: Request) -> Response:
    user = _user(request)
    sid = request.path_params["sid"]
    session = _session(request, user, sid)
    body = await _json_body(request)
    draft = body.get("draft", session.draft)
    if isinstance(draft, str):
        try:
            draft = json.loads(draft)
        except ValueError:
            raise ApiError(422, 4000, "'draft' is a string that is not JSON.") from None
    return await _answer(request, draft, _width(body.get("width")), sid)
