"""The streamed multipart receiver: each file goes to a temp file, hashed and counted as it comes.

Part headers are kept as the bytes that came: file names are UTF-8 (what browsers and httpx
send, RFC 7578), a ``filename*=UTF-8''...`` parameter (RFC 5987) wins when a client sends one,
and bytes that are not UTF-8 are read as Latin-1 rather than refused. A garbled body, a part
header block larger than :data:`MAX_PART_HEADER_BYTES`, more than :data:`MAX_FILES` files or
a full disk are clear 4xx answers, and nothing of the upload is kept.
"""

from __future__ import annotations

import errno
import hashlib
import shutil
import uuid
from pathlib import Path
from typing import Any
from urllib.parse import unquote_to_bytes

from starlette.requests import Request

from .common import (
    _EXT_TYPE,
    MAX_SCRIPT_BYTES,
    ApiError,
    _ext,
    safe_filename,
)

MAX_FILES = 50                  # files in one upload request
MAX_PART_HEADER_BYTES = 16 * 1024
DISK_RESERVE_BYTES = 64 * 1024 * 1024   # an upload never fills the engine's disk to the last byte


def _decode_name(raw: bytes) -> str:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode("latin-1")


def part_file(disposition: bytes) -> tuple[str, str | None]:
    """(field name, file name or None) of a part's raw ``Content-Disposition`` header."""
    from python_multipart.multipart import parse_options_header

    _, opts = parse_options_header(disposition)   # bytes in, bytes out: nothing re-encoded
    field_name = _decode_name(opts.get(b"name", b""))
    fname = opts.get(b"filename")
    name = _decode_name(fname) if fname is not None else None
    for segment in disposition.split(b";"):       # RFC 5987: filename*=UTF-8''%E6%B5%B7.png
        key, _, value = segment.strip().partition(b"=")
        if key.strip().lower() == b"filename*":
            charset, _, rest = value.strip().strip(b'"').partition(b"'")
            _lang, _, encoded = rest.partition(b"'")
            data = unquote_to_bytes(encoded)
            try:
                name = data.decode(charset.decode("ascii", "replace") or "utf-8")
            except (LookupError, UnicodeDecodeError):
                name = _decode_name(data)
    return field_name, name


def disk_full(name: str, free: int | None = None) -> ApiError:
    free_mb = f"{free / (1024 * 1024):.0f} MB" if free is not None else "too little space"
    return ApiError(413, 4002, f"The engine's disk has {free_mb} free, not enough for {name}: free some space "
                               "on the engine's machine (or delete old renders) and upload again.",
                    {"filename": name, "reason": "disk_full"})


def check_free_space(where: Path, incoming: int, name: str = "this upload") -> None:
    """Refuse (413) an upload of ``incoming`` bytes that would leave less than the reserve free."""
    try:
        free = shutil.disk_usage(where).free
    except OSError:
        return
    if incoming + DISK_RESERVE_BYTES > free:
        raise disk_full(name, free)


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
        try:
            self.fh.write(data)
        except OSError as exc:
            if exc.errno in (errno.ENOSPC, errno.EDQUOT):
                raise disk_full(safe_filename(self.raw_name) or "the file") from None
            raise

    def close(self) -> None:
        if not self.fh.closed:
            self.fh.close()


async def _receive_multipart(request: Request, tmp_dir: Path, limit: int) -> list[_Incoming]:
    from python_multipart.exceptions import MultipartParseError
    from python_multipart.multipart import MultipartParser, parse_options_header

    _ctype, params = parse_options_header(request.headers.get("content-type", ""))
    boundary = params.get(b"boundary")
    if not boundary:
        raise ApiError(422, 4000, "multipart/form-data needs a boundary.")
    length = request.headers.get("content-length", "")
    if length.isdigit():
        check_free_space(tmp_dir, int(length))
    files: list[_Incoming] = []
    state: dict[str, Any] = {"headers": {}, "field": b"", "value": b"", "size": 0}
    events: list[tuple[str, Any]] = []

    def on_part_begin() -> None:
        events.append(("begin", b""))
        state["size"] = 0

    def on_part_data(data: bytes, start: int, end: int) -> None:
        events.append(("data", bytes(data[start:end])))

    def on_part_end() -> None:
        events.append(("end", b""))

    def grow(n: int) -> None:
        state["size"] += n
        if state["size"] > MAX_PART_HEADER_BYTES:
            raise ApiError(422, 4000, f"A part's headers are larger than {MAX_PART_HEADER_BYTES // 1024} KB: "
                                      "the multipart body is malformed.")

    def on_header_field(data: bytes, start: int, end: int) -> None:
        grow(end - start)
        state["field"] += data[start:end]

    def on_header_value(data: bytes, start: int, end: int) -> None:
        grow(end - start)
        state["value"] += data[start:end]

    def on_header_end() -> None:
        state["headers"][bytes(state["field"]).lower()] = bytes(state["value"])
        state["field"], state["value"] = b"", b""

    def on_headers_finished() -> None:
        events.append(("headers", state["headers"]))
        state["headers"] = {}

    parser = MultipartParser(boundary, {
        "on_part_begin": on_part_begin, "on_part_data": on_part_data, "on_part_end": on_part_end,
        "on_header_field": on_header_field, "on_header_value": on_header_value,
        "on_header_end": on_header_end, "on_headers_finished": on_headers_finished,
    })
    current: _Incoming | None = None
    ended = False
    try:
        try:
            async for chunk in request.stream():
                parser.write(chunk)
                for kind, payload in events:
                    if kind == "headers":
                        field_name, fname = part_file(payload.get(b"content-disposition", b""))
                        if fname is not None and field_name in ("files", "file", "files[]"):
                            if len(files) >= MAX_FILES:
                                raise ApiError(413, 4002, f"More than {MAX_FILES} files in one upload: "
                                                          "send them in several uploads.", {"limit": MAX_FILES})
                            current = _Incoming(tmp_dir, fname, limit)
                            files.append(current)
                        else:
                            current = None
                    elif kind == "data" and current is not None:
                        current.write(payload)
                    elif kind == "end":
                        ended = True
                        if current is not None:
                            current.close()
                            current = None
                events.clear()
            parser.finalize()
        except MultipartParseError as exc:
            raise ApiError(422, 4000, f"The multipart body is malformed ({str(exc)[:120]}): send the files "
                                      "again as multipart/form-data in the field 'files'.") from None
        if files and (not ended or any(not f.fh.closed for f in files)):
            raise ApiError(422, 4000, "The multipart body ended in the middle of a file (no closing boundary): "
                                      "send the files again.")
    except BaseException:
        for f in files:
            f.close()
            f.path.unlink(missing_ok=True)
        raise
    for f in files:
        f.close()
    return files
