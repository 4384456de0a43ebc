"""Render jobs: poll, wait, cancel, download; and the local list of unfinished job ids.

A job is only known by its id, so the id is written to ``jobs.json`` in the
config dir (atomically) the moment it is submitted and removed when the job
ends; ``nemo.jobs()`` and :meth:`RenderJob.attach` pick them up after a kernel
restart.
"""

from __future__ import annotations

import asyncio
import os
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .exceptions import (
    APIError,
    RenderCancelled,
    RenderError,
    RenderFailed,
    RenderTimeout,
    ServerError,
    TransportError,
)
from .loop import Forward
from .models import Video, _num
from .secrets import get_logger
from .settings import JsonStore, atomic_write_json

if TYPE_CHECKING:
    from .nemo import AsyncNemo
    from .sync import Nemo

__all__ = ["AsyncRenderJob", "JobStore", "PollResult", "RenderJob", "normalize_poll"]

ProgressCallback = Callable[[float, str], None]
log = get_logger("nemo_jupyter.jobs")

FINISHED = {"completed", "failed", "cancelled", "canceled"}
_STATUS_ALIASES = {
    "succeeded": "completed", "success": "completed", "done": "completed", "complete": "completed",
    "error": "failed", "failure": "failed", "canceled": "cancelled",
    "queued": "pending", "running": "processing", "rendering": "processing",
}


# -- job-id store --------------------------------------------------------------------------------
class JobStore(JsonStore):
    """``jobs.json``: ``{job_id: {"backend", "session_id", "submitted_at"}}``, atomic writes.

    Updates are serialised across threads and across processes
    (several kernels may share one config dir), so no submitted id is lost to a race.
    """

    def add(self, job_id: str, *, backend: str, session_id: str | None, **meta: Any) -> None:
        """Record a submitted id; ``meta`` (plain JSON values: what the render is of, for whom)
        lets a later kernel list it in words and pick it up for the same draft."""
        with self._locked():
            data = self._read()
            data[job_id] = {**meta, "backend": backend, "session_id": session_id, "submitted_at": time.time()}
            atomic_write_json(self.path, data)

    def find(self, backend: str, **match: Any) -> str | None:
        """The newest job id of ``backend`` whose entry has every ``match`` value, or None."""
        for job_id, entry in reversed(self.for_backend(backend)):
            if all(entry.get(k) == v for k, v in match.items()):
                return str(job_id)
        return None

    def remove(self, job_id: str) -> None:
        with self._locked():
            data = self._read()
            if data.pop(job_id, None) is not None:
                atomic_write_json(self.path, data)

    def get(self, job_id: str) -> dict[str, Any] | None:
        return self._read().get(job_id)

    def for_backend(self, backend: str) -> list[tuple[str, dict[str, Any]]]:
        items = [(k, v) for k, v in self._read().items() if v.get("backend") == backend]
        return sorted(items, key=lambda kv: float(kv[1].get("submitted_at") or 0))


# -- poll answers --------------------------------------------------------------------------------
@dataclass(frozen=True)
class PollResult:
    status: str
    progress: float
    url: str | None = None
    duration: float | None = None
    size: int | None = None
    error: str | None = None
    queue_position: int | None = None       # optional (our engine): 1 = next to start
    estimated_seconds: float | None = None  # optional (our engine): until the video is ready
    reused: bool = False                    # the backend had rendered exactly this before
    cancelled: bool = False   # a "failed" job the backend says was cancelled (``"cancelled": true``)


def normalize_poll(body: Any) -> PollResult:
    """Both documented poll shapes → one record.

    ``{"success": true, "data": {"id", "status", "progress", "outputUrl", ...}}`` or
    ``{"status", "progress", "output": {"url", "duration", "size"}}``.
    """
    d = body if isinstance(body, dict) else {}
    if isinstance(d.get("data"), dict):
        d = d["data"]
    raw_status = str(d.get("status") or "pending").strip().lower()
    status = _STATUS_ALIASES.get(raw_status, raw_status)
    raw_output = d.get("output")
    output: dict[str, Any] = raw_output if isinstance(raw_output, dict) else {}
    url = d.get("outputUrl") or d.get("output_url") or output.get("url") or output.get("outputUrl")
    progress = _num(d.get("progress"))
    if progress is None:
        progress = 100.0 if status == "completed" else 0.0
    duration = _num(output.get("duration") if output else None)
    if duration is None:
        duration = _num(d.get("duration"))
    size = _num(output.get("size") if output else None)
    if size is None:
        size = _num(d.get("size"))
    err = d.get("error") or d.get("errorMessage") or d.get("message") if status == "failed" else None
    if isinstance(err, dict):
        err = err.get("message") or str(err)
    position = _num(d.get("queuePosition", d.get("queue_position")))
    estimate = _num(d.get("estimatedSeconds", d.get("estimated_seconds")))
    return PollResult(status=status, progress=float(max(0.0, min(100.0, progress))),
                      url=str(url) if url else None, duration=duration,
                      size=int(size) if size is not None else None, error=str(err) if err else None,
                      queue_position=int(position) if position is not None and position >= 1 else None,
                      estimated_seconds=float(estimate) if estimate is not None and estimate >= 0 else None,
                      reused=d.get("reused") is True,
                      cancelled=status == "cancelled" or d.get("cancelled") is True)


# -- async job -----------------------------------------------------------------------------------
class AsyncRenderJob:
    """A render on the backend, known by its id."""

    def __init__(self, nemo: AsyncNemo, job_id: str, *, session_id: str | None = None,
                 status: str = "pending", progress: float = 0.0) -> None:
        self._nemo = nemo
        self.id = job_id
        self.session_id = session_id
        self.status = status
        self.progress = progress
        self.last: PollResult | None = None
        self.meta: dict[str, Any] = {}  # what the local job list says about it (label, conversation, ...)
        self.pauses: list[float] = []   # the waits between polls, in seconds (for inspection)
        self.max_poll_failures = 5
        self.cache_key: str | None = None   # content address of the export (see render_cache)
        self._reused: Video | None = None   # an identical export's file, already here
        self._cancelled = False          # cancel() was called: a "failed" answer means cancelled

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.id} {self.status} {self.progress:.0f}%>"

    @classmethod
    def reused(cls, nemo: AsyncNemo, entry: dict[str, Any], *, session_id: str | None = None) -> AsyncRenderJob:
        """A finished job for an export whose file is already here (see :mod:`.render_cache`)."""
        path = Path(entry["path"])
        job = cls(nemo, str(entry.get("job_id") or "cached"), session_id=session_id, status="completed",
                  progress=100.0)
        job.last = PollResult("completed", 100.0, url=entry.get("url"), duration=_num(entry.get("duration")),
                              size=path.stat().st_size, reused=True)

        async def copy(target: Path) -> Path:
            import shutil

            if Path(target).resolve() != path.resolve():
                Path(target).parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(path, target)
            return Path(target)

        job._reused = Video(url=job.last.url, path=path, job_id=job.id, duration=job.last.duration,
                            size=job.last.size, cached=True, _fetch=copy)
        return job

    @classmethod
    def attach(cls, nemo: AsyncNemo, job_id: str) -> AsyncRenderJob:
        """A job from its id (e.g. after a kernel restart); poll or wait to use it."""
        entry = nemo._job_store.get(job_id) or {}
        job = cls(nemo, job_id, session_id=entry.get("session_id"), status="unknown")
        job.meta = dict(entry)
        return job

    @property
    def done(self) -> bool:
        return self.status in FINISHED

    async def poll(self) -> PollResult:
        """One status read. A job the backend does not know raises RenderError (and is forgotten)."""
        try:
            body = await self._nemo._render_poll(self.id)
        except APIError as exc:
            if exc.status != 404:
                raise
            self._nemo._job_store.remove(self.id)
            self.status = "unknown"
            raise RenderError(f"The backend does not know the render {self.id}.", job_id=self.id,
                              hint="It may have expired; export again (%nemo export).") from None
        result = normalize_poll(body)
        self.last = result
        self.status, self.progress = result.status, result.progress
        return result

    async def wait(self, timeout: float | None = 600, on_progress: ProgressCallback | None = None) -> Video:
        """Poll until the job ends; the Video, or RenderFailed / RenderCancelled / RenderTimeout."""
        nemo = self._nemo
        if self._reused is not None:  # an identical export: its file is here already
            if on_progress is not None:
                on_progress(100.0, "completed")
            return self._reused
        deadline = None if timeout is None else time.monotonic() + timeout
        interval = nemo.polling.interval
        failures = 0
        while True:
            try:
                result = await self.poll()
                failures = 0
            except (TransportError, ServerError) as exc:
                # A render outlives short outages: keep polling until the deadline (GETs already
                # retried with backoff inside), give up after several failed polls in a row.
                failures += 1
                if failures >= self.max_poll_failures or (deadline is not None and time.monotonic() >= deadline):
                    raise
                log.info("polling render %s failed (%s); will try again", self.id, exc)
                await asyncio.sleep(interval)
                interval = min(interval * nemo.polling.backoff, nemo.polling.max_interval)
                continue
            if on_progress is not None:
                on_progress(result.progress, result.status)
            if result.status == "completed":
                nemo._job_store.remove(self.id)
                return self._video(result)
            if result.status == "failed" and (self._cancelled or result.cancelled):
                nemo._job_store.remove(self.id)
                raise RenderCancelled(f"The render {self.id} was cancelled.", job_id=self.id)
            if result.status == "failed":
                nemo._job_store.remove(self.id)
                raise RenderFailed(f"The render {self.id} failed: {result.error or 'no reason given'}.",
                                   job_id=self.id, reason=result.error or "")
            if result.status == "cancelled":
                nemo._job_store.remove(self.id)
                raise RenderCancelled(f"The render {self.id} was cancelled.", job_id=self.id)
            now = time.monotonic()
            if deadline is not None and now >= deadline:
                raise RenderTimeout(f"The render {self.id} did not finish within {timeout:g} s "
                                    f"(last status: {result.status}, {result.progress:.0f}%).", job_id=self.id)
            pause = interval
            if result.estimated_seconds is not None:  # a short render: look again when it should be done
                pause = min(pause, max(0.25, result.estimated_seconds * 0.6))
            pause = pause if deadline is None else min(pause, max(0.0, deadline - now))
            self.pauses.append(pause)
            await asyncio.sleep(pause)
            interval = min(interval * nemo.polling.backoff, nemo.polling.max_interval)

    async def cancel(self) -> None:
        await self._nemo._render_cancel(self.id)
        self._cancelled = True
        self.status = "cancelled"
        self._nemo._job_store.remove(self.id)

    async def download(self, path: str | os.PathLike[str] | None = None) -> Path:
        """Wait for the job if needed, then download its MP4 to ``path``."""
        result = self.last if self.last is not None and self.status == "completed" else None
        video = self._video(result) if result is not None else await self.wait()
        return await video.adownload(path)

    def _video(self, result: PollResult) -> Video:
        nemo, job_id, url = self._nemo, self.id, result.url

        key = self.cache_key

        async def fetch(target: Path) -> Path:
            path = await nemo._download_render(job_id, url, target)
            if key:  # the next identical export returns this file at once
                nemo._render_cache.put(key, path, job_id=job_id, url=url, duration=result.duration)
            return path

        return Video(url=nemo._absolute(url) if url else None, job_id=self.id, duration=result.duration,
                     size=result.size, _fetch=fetch, private=nemo.is_private_engine)


# -- sync twin -----------------------------------------------------------------------------------
class RenderJob:
    """Sync twin of :class:`AsyncRenderJob` (runs on the background loop; fine inside Jupyter)."""

    def __init__(self, nemo: Nemo, job: AsyncRenderJob) -> None:
        self._nemo = nemo
        self._job = job

    def __repr__(self) -> str:
        return f"<RenderJob {self.id} {self.status} {self.progress:.0f}%>"

    id = Forward[str]("_job")
    session_id = Forward["str | None"]("_job")
    status = Forward[str]("_job")
    progress = Forward[float]("_job")
    done = Forward[bool]("_job")
    meta = Forward["dict[str, Any]"]("_job")

    @classmethod
    def attach(cls, nemo: Nemo, job_id: str) -> RenderJob:
        return cls(nemo, AsyncRenderJob.attach(nemo._async, job_id))

    def poll(self) -> PollResult:
        from .loop import run_sync

        return run_sync(self._job.poll())

    def wait(self, timeout: float | None = 600, on_progress: ProgressCallback | None = None) -> Video:
        from .loop import run_sync

        return run_sync(self._job.wait(timeout=timeout, on_progress=on_progress))

    def cancel(self) -> None:
        from .loop import run_sync

        run_sync(self._job.cancel())

    def download(self, path: str | os.PathLike[str] | None = None) -> Path:
        from .loop import run_sync

        return run_sync(self._job.download(path))
