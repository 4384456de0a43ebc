"""The render queue: a few worker threads, each running one render at a time.

At most ``max(1, cpu_count // 2)`` renders run at once, so a 2-core machine is
never oversubscribed (FFmpeg uses threads of its own). Progress comes from the
renderer's callback (kept in memory, written to SQLite at most once a second),
cancel sets the render's ``threading.Event`` (the renderer kills FFmpeg), output
goes to ``<home>/renders/<id>.mp4`` and the job's temp dir is always removed.
"""

from __future__ import annotations

import contextlib
import os
import queue
import shutil
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from .store import STOPPED_REASON, Store

__all__ = ["CANCELLED_REASON", "RenderQueue", "max_workers"]

CANCELLED_REASON = "cancelled by the user"
Resolver = Callable[[str, str | None], Path | None]


def max_workers() -> int:
    return max(1, (os.cpu_count() or 1) // 2)


class RenderQueue:
    def __init__(self, store: Store, resolve: Resolver, *, workers: int | None = None,
                 renderer: Callable[..., Any] | None = None) -> None:
        self.store = store
        self.resolve = resolve
        if renderer is None:
            from .cluster import from_env  # a Dask cluster only when NEMO_DASK_SCHEDULER says so

            renderer = from_env()
        self.renderer = renderer
        slots = getattr(renderer, "slots", None)
        self.workers = workers or (slots() if callable(slots) else max_workers())
        self._queue: queue.Queue[str | None] = queue.Queue()
        self._cancel: dict[str, threading.Event] = {}
        self._progress: dict[str, float] = {}
        self._running: set[str] = set()
        self._lock = threading.Lock()
        self._threads: list[threading.Thread] = []
        self._stopping = False

    def start(self) -> None:
        for i in range(self.workers):
            t = threading.Thread(target=self._work, name=f"nemo-render-{i}", daemon=True)
            t.start()
            self._threads.append(t)

    # -- public ------------------------------------------------------------
    def submit(self, job_id: str) -> None:
        with self._lock:
            self._cancel[job_id] = threading.Event()
            self._progress[job_id] = 0.0
        self._queue.put(job_id)

    def cancel(self, job_id: str) -> None:
        with self._lock:
            ev = self._cancel.get(job_id)
            running = job_id in self._running
        if ev is not None:
            ev.set()
        if not running:
            # Pending (or unknown to this process): final at once; the worker skips it.
            self.store.finish_job(job_id, "failed", error=CANCELLED_REASON)

    def progress(self, job_id: str) -> float | None:
        with self._lock:
            return self._progress.get(job_id)

    def active(self) -> int:
        """Jobs queued or running in this process."""
        with self._lock:
            return len(self._cancel)

    def shutdown(self, timeout: float = 10.0) -> None:
        """Stop every render; unfinished jobs end failed with a reason saying why."""
        self._stopping = True
        with self._lock:
            ids = list(self._cancel)
            events = list(self._cancel.values())
        for ev in events:
            ev.set()
        for job_id in ids:
            self.store.finish_job(job_id, "failed", error=STOPPED_REASON)
        for _ in self._threads:
            self._queue.put(None)
        deadline = time.monotonic() + timeout
        for t in self._threads:
            t.join(max(0.0, deadline - time.monotonic()))
        close = getattr(self.renderer, "close", None)
        if callable(close):
            close()

    # -- worker ------------------------------------------------------------
    def _work(self) -> None:
        while True:
            job_id = self._queue.get()
            if job_id is None:
                return
            try:
                self._run(job_id)
            except Exception as exc:  # never let a worker die
                self.store.finish_job(job_id, "failed", error=f"internal error: {type(exc).__name__}: {exc}")
            finally:
                with self._lock:
                    self._cancel.pop(job_id, None)
                    self._progress.pop(job_id, None)
                    self._running.discard(job_id)

    def _run(self, job_id: str) -> None:
        with self._lock:
            cancel = self._cancel.get(job_id)
        job = self.store.get_job(job_id)
        if job is None or cancel is None or job.status != "pending" or cancel.is_set() or self._stopping:
            return
        with self._lock:
            self._running.add(job_id)
        self.store.update_job(job_id, status="processing", progress=1.0)
        self._progress[job_id] = 1.0
        from .render import RenderCancelled, RenderError, render_draft

        workdir = self.store.tmp_dir / f"render-{job_id}"
        workdir.mkdir(parents=True, exist_ok=True)
        tmp_out = workdir / "out.mp4"
        last_write = [0.0]

        def on_progress(p: float) -> None:
            p = max(1.0, min(99.0, float(p)))
            with self._lock:
                self._progress[job_id] = p
            now = time.monotonic()
            if now - last_write[0] >= 1.0:
                last_write[0] = now
                with contextlib.suppress(Exception):
                    self.store.update_job(job_id, progress=p)

        def resolve(src: str) -> Path | None:
            return self.resolve(src, job.session_id)

        try:
            result: Any = (self.renderer or render_draft)(
                job.draft, tmp_out, resolve=resolve, quality=job.quality, resolution=job.resolution,
                progress=on_progress, cancel=cancel, workdir=workdir,
            )
            if cancel.is_set():
                raise RenderCancelled("cancelled")
            final = self.store.render_path(job_id)
            Path(result.path).replace(final)
            key = self.store.new_key()
            self.store.finish_job(job_id, "completed", media_key=key, duration=float(result.duration),
                                  width=int(result.width), height=int(result.height), size=final.stat().st_size)
        except RenderCancelled:
            reason = STOPPED_REASON if self._stopping else CANCELLED_REASON
            self.store.finish_job(job_id, "failed", error=reason)
        except RenderError as exc:
            self.store.finish_job(job_id, "failed", error=str(exc) or type(exc).__name__)
        finally:
            shutil.rmtree(workdir, ignore_errors=True)
