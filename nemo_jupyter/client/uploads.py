"""Upload checks and a multipart body streamed from disk.

Every file is checked (exists, accepted format, size within the limit) before a
single byte is sent. The body is produced chunk by chunk from the open files,
with an exact ``Content-Length`` computed up front, so a 500 MB upload never sits
in memory; ``on_progress(bytes_sent, total)`` is called as chunks leave.
"""

from __future__ import annotations

import mimetypes
import os
import uuid
from collections.abc import AsyncIterator, Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from ..draft_format import UPLOAD_FORMATS
from .exceptions import FileTooLarge, UnsupportedFileType, UploadError
from .models import file_type_of

__all__ = ["ACCEPTED_FORMATS", "CHUNK_SIZE", "MultipartBody", "PreparedFile", "accepted_text", "check_files"]

ACCEPTED_FORMATS = UPLOAD_FORMATS
CHUNK_SIZE = 256 * 1024

ProgressCallback = Callable[[int, int], None]


def accepted_text() -> str:
    return "; ".join(f"{kind} {' '.join(exts)}" for kind, exts in ACCEPTED_FORMATS.items())


def accepted_list() -> list[str]:
    return [ext for exts in ACCEPTED_FORMATS.values() for ext in exts]


@dataclass(frozen=True)
class PreparedFile:
    path: Path
    filename: str
    file_type: str
    size: int
    content_type: str


def _safe_filename(name: str) -> str:
    """The name sent in the part header: UTF-8 (RFC 7578); bytes of a file name that are not
    UTF-8 (Linux hands them over as surrogates) become '_', never a UnicodeEncodeError."""
    text = name.encode("utf-8", "surrogateescape").decode("utf-8", "replace").replace("\ufffd", "_")
    cleaned = "".join(ch for ch in text if ch >= " " and ch not in '"\\/\x7f')
    return cleaned or "upload"


def check_files(paths: Sequence[str | os.PathLike[str]], *, max_bytes: int) -> list[PreparedFile]:
    """Validate every path before anything is sent; raises a typed UploadError."""
    out: list[PreparedFile] = []
    for raw in paths:
        try:
            path = Path(raw).expanduser()
            is_file = path.is_file()
        except (OSError, ValueError, TypeError) as exc:   # a NUL in the path, a name too long, not a path
            raise UploadError(f"Cannot use {str(raw)[:80]!r} as a file path ({type(exc).__name__}).",
                              hint="Pass the path of a file, relative to the notebook's folder.") from None
        if not is_file:
            what = "a folder, not a file" if path.is_dir() else "no such file"
            raise UploadError(f"No file at {_safe_filename(path.name)!r} ({what}).",
                              hint="Check the path (relative to the notebook's folder) and try again.",
                              path=str(raw))
        if not os.access(path, os.R_OK):
            raise UploadError(f"{_safe_filename(path.name)!r} cannot be read (permission denied).",
                              hint="Check the file's permissions, or copy it somewhere you can read it.")
        ext = path.suffix.lower().lstrip(".")
        ftype = file_type_of(path.name)
        if ftype is None or ext not in accepted_list():
            raise UnsupportedFileType(
                f"{_safe_filename(path.name)!r} is not a format the backend accepts.",
                hint=f"Accepted formats: {accepted_text()}. Convert the file to one of these and upload again.",
                accepted=accepted_list(), code=4001,
            )
        size = path.stat().st_size
        if size > max_bytes:
            raise FileTooLarge(
                f"{_safe_filename(path.name)!r} is {size / 1048576:.1f} MB, over the {max_bytes / 1048576:.0f} MB upload limit.",
                limit=max_bytes, size=size, code=4002,
            )
        ctype = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        out.append(PreparedFile(path=path, filename=_safe_filename(path.name), file_type=ftype, size=size, content_type=ctype))
    return out


class MultipartBody:
    """A ``multipart/form-data`` body (field ``files`` repeated), streamed from disk.

    Iterate it (async) to get the bytes; every iteration starts from the top, so
    the same object can be sent again after a token refresh or a 429 wait.
    """

    def __init__(self, files: Sequence[PreparedFile], *, field: str = "files",
                 on_progress: ProgressCallback | None = None, chunk_size: int = CHUNK_SIZE) -> None:
        self.files = list(files)
        self.field = field
        self.on_progress = on_progress
        self.chunk_size = chunk_size
        self.boundary = uuid.uuid4().hex
        self._heads = [self._head(f) for f in self.files]
        self._tail = f"--{self.boundary}--\r\n".encode()
        self.content_length = sum(len(h) + f.size + 2 for h, f in zip(self._heads, self.files, strict=True)) + len(self._tail)

    @property
    def content_type(self) -> str:
        return f"multipart/form-data; boundary={self.boundary}"

    @property
    def headers(self) -> dict[str, str]:
        return {"Content-Type": self.content_type, "Content-Length": str(self.content_length)}

    def _head(self, f: PreparedFile) -> bytes:
        name = f.filename.replace('"', "%22")
        return (
            f"--{self.boundary}\r\n"
            f'Content-Disposition: form-data; name="{self.field}"; filename="{name}"\r\n'
            f"Content-Type: {f.content_type}\r\n\r\n"
        ).encode()

    async def __aiter__(self) -> AsyncIterator[bytes]:
        sent = 0
        total = self.content_length
        self._report(0, total)
        for head, f in zip(self._heads, self.files, strict=True):
            yield head
            sent += len(head)
            remaining = f.size
            try:
                fh = open(f.path, "rb")  # noqa: SIM115 - closed by the with below
            except OSError as exc:
                raise UploadError(f"{f.filename!r} cannot be read any more ({exc.strerror or exc}).",
                                  hint="Upload it again once it is back.") from None
            with fh:
                while remaining > 0:
                    chunk = fh.read(min(self.chunk_size, remaining))
                    if not chunk:
                        raise UploadError(f"{f.filename!r} shrank while it was being uploaded.",
                                          hint="Upload it again once nothing else is writing to it.")
                    remaining -= len(chunk)
                    sent += len(chunk)
                    yield chunk
                    self._report(sent, total)
            yield b"\r\n"
            sent += 2
        yield self._tail
        sent += len(self._tail)
        self._report(sent, total)

    def _report(self, sent: int, total: int) -> None:
        if self.on_progress is not None:
            self.on_progress(sent, total)
