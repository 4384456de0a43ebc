"""Renders already downloaded, by content address: an identical export costs nothing.

This is the client's one render-reuse cache (the engine keeps its own, on its side of the
HTTP boundary). :func:`render_key` addresses an export the way the engine addresses a render
(``engine/render_key.py``): the draft as canonical JSON, the content hash of every source it
uses (as the backend reported them; None when unknown), the settings that change the output
(quality, resolution), and the backend. ``renders.json`` in the config dir maps keys to the
MP4 downloaded for them; an export whose key is there, with its file still in place and of the
same size, returns that file at once: no request, no new file. Any backend works (the cloud
too), since the file is local.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from .encoding import canonical_json
from .models import RenderOptions
from .settings import JsonStore, atomic_write_json

__all__ = ["RenderCache", "render_key"]

MAX_ENTRIES = 500


def render_key(backend: str, draft: Mapping[str, Any], options: RenderOptions,
               media: Mapping[str, str | None]) -> str:
    """The content address of exporting ``draft`` with ``options`` on ``backend``; ``media`` maps
    each source the draft uses to its content hash."""
    material = canonical_json({"backend": backend, "draft": draft, "media": dict(media),
                               "quality": options.quality or "high", "resolution": options.resolution})
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

    def by_job(self, job_id: str) -> tuple[str, dict[str, Any]] | None:
        """The key and entry of the file a render ``job_id`` was downloaded to, if it is still there,
        unchanged (a job resumed again is that file: no second download, no second copy)."""
        for key, entry in self._read().items():
            if isinstance(entry, dict) and entry.get("job_id") == job_id:
                found = self.get(key)
                if found is not None:
                    return key, found
        return None

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
