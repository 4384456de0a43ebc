"""Render jobs: poll, wait, cancel, download; and the local list of unfinished job ids.

A job is only known by its id, so the id is written to ``jobs.json`` in the
config dir (atomically) the moment it is submitted and removed when the job
ends; ``nemo.jobs()`` and :meth:`AsyncRenderJob.attach` pick them up after a kernel
restart. A job speaks to the backend through the client's render endpoints
(:class:`~.render_api.RenderEndpoints`, as the :class:`RenderService` it needs); the sync
twin :class:`~.sync.RenderJob` is in :mod:`.sync`.
"""

from __future__ import annotations

import asyncio
import os
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from .exceptions import (
    APIError,
    ConfigError,
    RenderCancelled,
    RenderError,
    RenderFailed,
    RenderTimeout,
    ServerError,
    TransportError,
)
from .models import Video, _num, _place
from .render_cache import RenderCache
from .secrets import get_logger
from .settings import JsonStore, Polling, atomic_write_json

__all__ = ["AsyncRenderJob", "JobStore", "PollResult", "RenderService", "normalize_poll"]

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
        """Forget a finished id. Best effort: a config dir that cannot be written now (a full disk)
        keeps the id, and the job is simply listed again (and forgotten) later."""
        try:
            with self._locked():
                data = self._read()
                if data.pop(job_id, None) is not None:
                    atomic_write_json(self.path, data)
        except ConfigError as exc:
            log.warning("could not forget the finished render %s: %s", job_id, exc.message)

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
    if not _web_address(url):
        url = None   # a javascript:, data: or garbled address never reaches a link or a player
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


def _web_address(url: Any) -> bool:
    """An http(s) URL, or a path on the backend (``/...``), without spaces or control characters."""
    if not isinstance(url, str) or not url or len(url) > 4096 or any(c <= " " or c == "\x7f" for c in url):
        return False
    return url.lower().startswith(("http://", "https://")) or (url.startswith("/") and not url.startswith("//"))


# -- async job -----------------------------------------------------------------------------------
class RenderService(Protocol):
    """What a job needs from the client: its render endpoints (:class:`~.render_api.RenderEndpoints`)."""

    polling: Polling
    store: JobStore
    cache: RenderCache

    @property
    def is_private_engine(self) -> bool: ...

    def absolute(self, url: str) -> str: ...

    async def poll(self, job_id: str) -> Any: ...

    async def cancel(self, job_id: str) -> None: ...

    async def download(self, job_id: str, url: str | None, target: Path) -> Path: ...


class HasRenders(Protocol):
    """A client that holds its render endpoints (``AsyncNemo``)."""

    @property
    def renders(self) -> RenderService: ...


class AsyncRenderJob:
    """A render on the backend, known by its id."""

    def __init__(self, renders: RenderService, job_id: str, *, session_id: str | None = None,
                 status: str = "pending", progress: float = 0.0) -> None:
        self._renders = renders
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
    def reused(cls, renders: RenderService, entry: dict[str, Any], *, session_id: str | None = None,
               key: str | None = None) -> AsyncRenderJob:
        """A finished job for an export whose file is already here (see :mod:`.render_cache`)."""
        path = Path(entry["path"])
        job = cls(renders, str(entry.get("job_id") or "cached"), session_id=session_id, status="completed",
                  progress=100.0)
        job.cache_key = key
        job.last = PollResult("completed", 100.0, url=entry.get("url"), duration=_num(entry.get("duration")),
                              size=path.stat().st_size, reused=True)

        async def copy(target: Path) -> Path:
            return _place(path, Path(target), job.id)

        job._reused = Video(url=job.last.url, path=path, job_id=job.id, duration=job.last.duration,
                            size=job.last.size, cached=True, _fetch=copy)
        return job

    @classmethod
    def attach(cls, client: HasRenders, job_id: str) -> AsyncRenderJob:
        """A job from its id (e.g. after a kernel restart); poll or wait to use it. ``client`` is
        an ``AsyncNemo``."""
        return cls.known(client.renders, job_id)

    @classmethod
    def known(cls, renders: RenderService, job_id: str) -> AsyncRenderJob:
        """The job ``job_id`` with what the local job list says about it (its status unknown yet)."""
        entry = renders.store.get(job_id) or {}
        done = renders.cache.by_job(job_id) if not entry else None
        if done is not None:   # finished and downloaded before: that file (resumed again, no second copy)
            job = cls.reused(renders, done[1], key=done[0])
            job.meta = {"path": str(done[1]["path"])}   # where it is: a resume puts it nowhere else
            return job
        job = cls(renders, job_id, session_id=entry.get("session_id"), status="unknown")
        job.meta = dict(entry)
        key = entry.get("render_key")
        job.cache_key = str(key) if key else None   # its file is kept for the next identical export
        return job

    @property
    def done(self) -> bool:
        return self.status in FINISHED

    async def poll(self) -> PollResult:
        """One status read. A job the backend does not know raises RenderError (and is forgotten)."""
        try:
            body = await self._renders.poll(self.id)
        except APIError as exc:
            if exc.status != 404:
                raise
            self._renders.store.remove(self.id)
            self.status = "unknown"
            raise RenderError(f"The backend does not know the render {self.id}.", job_id=self.id,
                              hint="It may have expired; export again (%nemo export).") from None
        result = normalize_poll(body)
        self.last = result
        self.status, self.progress = result.status, result.progress
        return result

    async def wait(self, timeout: float | None = 600, on_progress: ProgressCallback | None = None) -> Video:
        """Poll until the job ends; the Video, or RenderFailed / RenderCancelled / RenderTimeout."""
        if self._reused is not None:  # an identical export: its file is here already
            if on_progress is not None:
                on_progress(100.0, "completed")
            return self._reused
        polling, store = self._renders.polling, self._renders.store
        deadline = None if timeout is None else time.monotonic() + timeout
        interval = polling.interval
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
                interval = min(interval * polling.backoff, polling.max_interval)
                continue
            if on_progress is not None:
                on_progress(result.progress, result.status)
            if result.status == "completed":
                store.remove(self.id)
                return self._video(result)
            if result.status == "failed" and (self._cancelled or result.cancelled):
                store.remove(self.id)
                raise RenderCancelled(f"The render {self.id} was cancelled.", job_id=self.id)
            if result.status == "failed":
                store.remove(self.id)
                raise RenderFailed(f"The render {self.id} failed: {result.error or 'no reason given'}.",
                                   job_id=self.id, reason=result.error or "")
            if result.status == "cancelled":
                store.remove(self.id)
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
            interval = min(interval * polling.backoff, polling.max_interval)

    async def cancel(self) -> None:
        await self._renders.cancel(self.id)
        self._cancelled = True
        self.status = "cancelled"
        self._renders.store.remove(self.id)

    async def download(self, path: str | os.PathLike[str] | None = None) -> Path:
        """Wait for the job if needed, then download its MP4 to ``path``."""
        result = self.last if self.last is not None and self.status == "completed" else None
        video = self._video(result) if result is not None else await self.wait()
        return await video.adownload(path)

    def _video(self, result: PollResult) -> Video:
        renders, job_id, url, key = self._renders, self.id, result.url, self.cache_key

        async def fetch(target: Path) -> Path:
            path = await renders.download(job_id, url, target)
            if key:  # the next identical export returns this file at once (when the cache can be written)
                try:
                    renders.cache.put(key, path, job_id=job_id, url=url, duration=result.duration)
                except ConfigError as exc:
                    log.warning("the video was saved, but not noted for reuse: %s", exc.message)
            return path

        return Video(url=renders.absolute(url) if url else None, job_id=self.id, duration=result.duration,
                     size=result.size, _fetch=fetch, private=renders.is_private_engine)


