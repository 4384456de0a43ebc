"""Files picked in a widget's file input, received by the kernel chunk by chunk.

The front end sends each file as a series of comm messages ``{type: "upload_chunk", id,
name, size, offset, last}`` with one binary buffer each (never base64, never in widget
state) and waits for the kernel's ``{type: "upload_ack", id, received}`` before the next,
so a large file neither floods the comm nor sits in memory. Chunks are appended to a file
in a private temporary folder under the file's own (sanitised) name; the finished paths
then go through the conversation's ordinary upload (format and size checks included).
"""

from __future__ import annotations

import shutil
import tempfile
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ...draft_format import UPLOAD_FORMATS

#: the largest file a widget accepts from the browser (the backend has its own limit too)
MAX_BYTES = 2 * 1024 * 1024 * 1024
_ACCEPTED = {ext for exts in UPLOAD_FORMATS.values() for ext in exts}


def safe_name(name: str) -> str:
    """A file name without folders, control characters or a leading dot."""
    base = str(name).replace("\\", "/").rsplit("/", 1)[-1]
    cleaned = "".join(ch for ch in base if ch >= " " and ch not in '"<>:|?*\x7f').strip().lstrip(".")
    return cleaned[:120] or "upload"


@dataclass
class _Incoming:
    path: Path
    size: int
    received: int = 0
    done: bool = False


class ChunkReceiver:
    """Collects the chunks of files sent from the front end; ``take(ids)`` returns finished paths."""

    def __init__(self, *, max_bytes: int = MAX_BYTES) -> None:
        self.max_bytes = max_bytes
        self._dir: Path | None = None
        self._files: dict[str, _Incoming] = {}
        self._lock = threading.Lock()

    def _folder(self) -> Path:
        if self._dir is None:
            self._dir = Path(tempfile.mkdtemp(prefix="nemo-upload-"))
        return self._dir

    def chunk(self, content: dict[str, Any], buffers: list[Any] | None) -> dict[str, Any]:
        """Append one chunk; returns the acknowledgement to send back (``error`` when refused)."""
        fid = str(content.get("id") or "")[:64]
        ack: dict[str, Any] = {"type": "upload_ack", "id": fid}
        name = safe_name(str(content.get("name") or ""))
        try:
            size = int(content.get("size") or 0)
            offset = int(content.get("offset") or 0)
        except (TypeError, ValueError):
            return {**ack, "error": "The upload message was malformed; try again."}
        ext = name.rsplit(".", 1)[-1].lower() if "." in name else ""
        if ext not in _ACCEPTED:
            kinds = "; ".join(f"{k} {' '.join(v)}" for k, v in UPLOAD_FORMATS.items())
            return {**ack, "error": f"{name}: this file type is not accepted. Accepted: {kinds}."}
        if size > self.max_bytes:
            return {**ack, "error": f"{name} is {size / 1e6:.0f} MB: the limit is {self.max_bytes / 1e6:.0f} MB."}
        data = b"".join(bytes(b) for b in (buffers or []))
        with self._lock:
            item = self._files.get(fid)
            if item is None:
                if offset != 0:
                    return {**ack, "error": "The upload started in the middle; pick the file again."}
                folder = self._folder() / fid.replace("/", "_")
                folder.mkdir(parents=True, exist_ok=True)
                item = self._files[fid] = _Incoming(folder / name, size)
                item.path.write_bytes(b"")
            if offset != item.received:
                return {**ack, "error": "A chunk of the upload went missing; pick the file again."}
            if item.received + len(data) > item.size:
                return {**ack, "error": f"{name} is larger than announced; pick the file again."}
            with item.path.open("ab") as fh:
                fh.write(data)
            item.received += len(data)
            item.done = bool(content.get("last")) and item.received == item.size
            return {**ack, "received": item.received}

    def take(self, ids: list[Any]) -> list[Path]:
        """The finished files among ``ids`` (forgotten here; the caller deletes them with ``discard``)."""
        out = []
        with self._lock:
            for fid in ids:
                item = self._files.pop(str(fid), None)
                if item is not None and item.done:
                    out.append(item.path)
        return out

    def abort(self, fid: Any) -> None:
        with self._lock:
            item = self._files.pop(str(fid), None)
        if item is not None:
            shutil.rmtree(item.path.parent, ignore_errors=True)

    @staticmethod
    def discard(paths: list[Path]) -> None:
        for p in paths:
            shutil.rmtree(p.parent, ignore_errors=True)

    def close(self) -> None:
        if self._dir is not None:
            shutil.rmtree(self._dir, ignore_errors=True)
            self._dir = None
