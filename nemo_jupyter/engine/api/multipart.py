"""The streamed multipart receiver: each file goes to a temp file, hashed and counted as it comes."""

from __future__ import annotations

import hashlib
import json
import uuid
from pathlib import Path
from typing import Any

from starlette.requests import Request

from .common import (
    _EXT_TYPE,
    MAX_SCRIPT_BYTES,
    ApiError,
    _ext,
    safe_filename,
)


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
