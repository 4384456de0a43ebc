"""Renders already downloaded, by content address: an identical export costs nothing.

The key of an export is the backend, the draft as canonical JSON (sorted keys), the content
hashes of the uploads it uses (as the backend reported them) and the settings (quality,
resolution). ``renders.json`` in the config dir maps keys to the MP4 downloaded for them; an
export whose key is there, with its file still in place and of the same size, returns that
file at once: no request, no new file. Any backend works (the cloud too), since the file is
local; the embedded engine also reuses its own renders (same key, same file).
"""

from __future__ import annotations

import hashlib
import json
import time
from pathlib import Path
from typing import Any

from .settings import JsonStore, atomic_write_json

__all__ = ["RenderCache", "export_key"]

MAX_ENTRIES = 500


def export_key(backend: str, draft: dict[str, Any], *, quality: str, resolution: str | None,
               media: dict[str, str | None] | None = None) -> str:
    material = json.dumps({"backend": backend, "draft": draft, "quality": quality, "resolution": resolution,
                           "media": media or {}}, sort_keys=True, separators=(",", ":"), ensure_ascii=False,
                          default=str)
    return hashlib.sha256(material.encode("utf-8")).hexdigest()


class RenderCache(JsonStore):
    """``renders.json``: ``{key: {"path", "size", "job_id", "url", "duration", "at"}}`` (atomic writes)."""

    def get(self, key: str) -> dict[str, Any] | None:
        """The entry of ``key`` if its file is still there, unchanged in size; else None."""
        entry = self._read().get(key)
        if not entry:
            return None
        path = Path(str(entry.get("path") or ""))
        try:
            if not path.is_file() or path.stat().st_size != int(entry.get("size") or -1):
                return None
        except (OSError, ValueError):
            return None
        return {**entry, "path": path}

    def put(self, key: str, path: Path, *, job_id: str | None, url: str | None,
            duration: float | None) -> None:
        try:
            size = Path(path).stat().st_size
        except OSError:
            return
        with self._locked():
            data = self._read()
            data[key] = {"path": str(Path(path).resolve()), "size": size, "job_id": job_id, "url": url,
                         "duration": duration, "at": time.time()}
            if len(data) > MAX_ENTRIES:  # keep the newest
                data = dict(sorted(data.items(), key=lambda kv: float(kv[1].get("at") or 0))[-MAX_ENTRIES:])
            atomic_write_json(self.path, data)
