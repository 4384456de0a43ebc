"""``POST /api/upload-video/...``: receive (multipart or URLs), check type by extension and content, store."""

from __future__ import annotations

import shutil
import uuid
from pathlib import Path
from typing import Any

import anyio
from starlette.requests import Request
from starlette.responses import Response

from ..store import Upload
from .common import (
    _ACCEPTED_LIST,
    _EXT_TYPE,
    MAX_SCRIPT_BYTES,
    ApiError,
    _engine,
    _ext,
    _json_body,
    _session,
    _user,
    envelope,
    ok,
    safe_filename,
)
from .fetch import _fetch_urls
from .multipart import _Incoming, _receive_multipart

MAX_VIDEO_PIXELS = 4096 * 4096


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
    from ..render import MediaError, probe_media

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
    w, h = info["width"], info["height"]
    if kind == "video" and isinstance(w, int) and isinstance(h, int) and w * h > MAX_VIDEO_PIXELS:
        raise ApiError(415, 4001, f"{name} is {w}x{h}; the largest video frame accepted is "
                                  f"{MAX_VIDEO_PIXELS // 1_000_000} megapixels (4K is 8). Export it at 4K or less "
                                  "and upload again.", {"filename": name, "accepted": _ACCEPTED_LIST})
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
            files = await _fetch_urls(urls, tmp_dir, eng.max_upload, eng.egress)
        else:
            raise ApiError(422, 4000, "Upload as multipart/form-data (field 'files') or JSON {\"urls\": [...]}.")
        if not files:
            raise ApiError(422, 4000, "No files in the upload: send them in the multipart field 'files'.")
        eng.quotas.upload(user, sum(f.size for f in files))
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
