"""What a Dask worker runs: one chunk of a render, with its media handed over as bytes.

Dask pickles :func:`render_chunk` by reference, so a worker needs only this package installed.
Progress goes to the scheduler as worker events (topic :func:`progress_topic`); cancel is a
:class:`distributed.Event` that the engine sets and a small thread here watches, so FFmpeg is
stopped within a fraction of a second even though Dask cannot interrupt a running task.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

__all__ = ["cancel_event_name", "progress_topic", "render_chunk"]

_POLL_S = 0.2
_PROGRESS_EVERY_S = 0.5


def progress_topic(job: str) -> str:
    return f"nemo-progress-{job}"


def cancel_event_name(job: str) -> str:
    return f"nemo-cancel-{job}"


def _media_dir() -> Path:
    """A per-worker cache of media by content hash (a photo used by many chunks is written once)."""
    global _private
    d = Path(tempfile.gettempdir()) / "nemo-worker-media"
    d.mkdir(mode=0o700, parents=True, exist_ok=True)
    st = d.stat()
    if hasattr(os, "getuid") and (st.st_uid != os.getuid() or st.st_mode & 0o077):
        # someone else's folder (a shared /tmp): a private one for this process instead
        if _private is None:
            _private = Path(tempfile.mkdtemp(prefix="nemo-worker-media-"))
        return _private
    return d


_private: Path | None = None


def _materialise(media: dict[str, tuple[str, bytes]]) -> dict[str, Path]:
    paths: dict[str, Path] = {}
    root = _media_dir()
    for src, (name, data) in media.items():
        digest = hashlib.sha256(data).hexdigest()[:32]
        suffix = Path(name).suffix[:10]
        path = root / f"{digest}{suffix}"
        if not path.is_file() or path.stat().st_size != len(data):
            tmp = path.with_name(f".{path.name}.{threading.get_ident()}.part")
            tmp.write_bytes(data)
            tmp.replace(path)
        paths[src] = path
    return paths


def render_chunk(draft: dict[str, Any], window: tuple[int, int], media: dict[str, tuple[str, bytes]],
                 quality: str, resolution: str | None, job: str, chunk: int) -> bytes:
    """Render frames ``window`` of ``draft`` (no audio) and return the MP4 chunk's bytes."""
    from distributed import Event, get_worker

    from ..render import RenderCancelled, render_draft

    worker = get_worker()
    cancel = threading.Event()
    done = threading.Event()
    remote_cancel = Event(cancel_event_name(job))
    if remote_cancel.is_set():  # also binds the event to this worker (it is used from a thread)
        raise RenderCancelled("The render was cancelled.")

    def watch() -> None:
        failures = 0
        while not done.wait(_POLL_S):
            try:
                if remote_cancel.is_set():
                    cancel.set()
                    return
                failures = 0
            except Exception:  # the scheduler is unreachable for a moment: keep rendering
                failures += 1
                if failures > 50:
                    return

    last = [0.0]

    def on_progress(pct: float) -> None:
        now = time.monotonic()
        if now - last[0] >= _PROGRESS_EVERY_S:
            last[0] = now
            worker.log_event(progress_topic(job), {"chunk": chunk, "pct": float(pct)})

    watcher = threading.Thread(target=watch, name=f"nemo-cancel-watch-{job}-{chunk}", daemon=True)
    watcher.start()
    tmp = Path(tempfile.mkdtemp(prefix="nemo-chunk-"))
    try:
        paths = _materialise(media)
        out = tmp / f"chunk{chunk}.mp4"
        render_draft(draft, out, resolve=paths.get, quality=quality, resolution=resolution,
                     progress=on_progress, cancel=cancel, workdir=tmp, window=(int(window[0]), int(window[1])))
        worker.log_event(progress_topic(job), {"chunk": chunk, "pct": 100.0})
        return out.read_bytes()
    finally:
        done.set()
        shutil.rmtree(tmp, ignore_errors=True)
