"""The render queue: fair between users, previews first, cancel within a second.

Lanes. ``max(1, cpu_count // 2)`` general workers run any render (FFmpeg uses threads of its
own, so a 2-core machine is not oversubscribed), plus one *preview* worker that runs only
previews. A preview therefore never waits for a full render: it starts beside it, and while it
runs the full render's FFmpeg yields the CPU (nice 10), so a 3 s preview finishes in seconds
even behind someone's hour-long export.

Order. Among pending jobs, previews go first; within a lane, users take turns (round robin:
the user served longest ago goes next), and each user's jobs keep their order. So one user's
long jobs never hold another user's job back by more than the one job already running.

Status. :meth:`RenderQueue.position` and :meth:`RenderQueue.estimate` give a pending job's
place in line and the seconds until it is done (a small simulation of the lanes with a cost
model per quality, learned from the renders this engine has finished).

Cancel sets the render's ``threading.Event``: the renderer checks it between painting steps
and kills FFmpeg; the job is final at once, whatever the worker is still unwinding.

Content addressing. Each job may carry a render key (:mod:`.render_key`): before running a
job the worker asks ``reuse(job_id)`` whether a finished render with that key exists (then the
job completes at once with the same file), and a job whose key is being rendered right now
waits for that render instead of doing the same work twice.

Output goes to ``<home>/renders/<id>.mp4``; the job's temp dir is always removed. A render that
fails on a full disk ends ``failed`` with a reason that says what to free; when even that cannot
be written, the ending is kept in memory (:attr:`RenderQueue.lost`, answered by the status
endpoint) and written once the disk has room again (:meth:`RenderQueue.record_lost`).
"""

from __future__ import annotations

import contextlib
import itertools
import os
import shutil
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar

from .disk import disk_full_message, is_disk_full
from .store import STOPPED_REASON, Store

__all__ = ["CANCELLED_REASON", "CostModel", "RenderQueue", "max_workers"]

CANCELLED_REASON = "cancelled by the user"
Resolver = Callable[[str, str | None], Path | None]
Reuser = Callable[[str], bool]


def max_workers() -> int:
    return max(1, (os.cpu_count() or 1) // 2)


def _is_preview(quality: str) -> bool:
    from .render.encode.ffmpeg import PREVIEW_QUALITIES

    return quality in PREVIEW_QUALITIES


@dataclass
class _Entry:
    id: str
    user: str
    preview: bool
    seq: int
    cost: float                     # estimated render seconds (model)
    seconds: float                  # video length
    pixels: float                   # output megapixels
    quality: str
    key: str | None = None
    started: float | None = None    # monotonic
    progress: float = 0.0
    cancel: threading.Event = field(default_factory=threading.Event)
    background: threading.Event = field(default_factory=threading.Event)
    yielded: bool = False           # ran in the background at some point (its time says little)


class CostModel:
    """Seconds a render takes: ``fixed + rate * video seconds * megapixels``, per quality.

    The rates start from measurements on a 2-core machine and follow the renders this engine
    finishes (an exponential average), so the estimates fit the machine they run on.
    """

    FIXED: ClassVar[dict[str, float]] = {"preview": 1.0, "low": 1.5, "medium": 2.0, "high": 2.0}
    RATE: ClassVar[dict[str, float]] = {"preview": 0.25, "low": 0.2, "medium": 0.3, "high": 0.35}

    def __init__(self) -> None:
        self.rate = dict(self.RATE)
        self._lock = threading.Lock()

    def cost(self, quality: str, seconds: float, pixels: float) -> float:
        with self._lock:
            rate = self.rate.get(quality, self.RATE["high"])
        return self.FIXED.get(quality, 2.0) + rate * max(0.0, seconds) * max(0.01, pixels)

    def learn(self, quality: str, seconds: float, pixels: float, wall: float) -> None:
        work = max(0.1, seconds) * max(0.01, pixels)
        observed = max(0.0, wall - self.FIXED.get(quality, 2.0)) / work
        with self._lock:
            old = self.rate.get(quality, self.RATE["high"])
            self.rate[quality] = 0.6 * old + 0.4 * observed


def _size_and_length(draft: dict[str, Any], quality: str, resolution: str | None) -> tuple[float, float]:
    """(video seconds, output megapixels) of a draft, for the cost model; rough on bad drafts."""
    from .render.pipeline import draft_duration, render_size

    try:
        w, h = render_size(draft, resolution, quality)
    except Exception:
        w, h = 1920, 1080
    try:
        seconds = draft_duration(draft)
    except Exception:
        seconds = 30.0
    return seconds, w * h / 1e6


class RenderQueue:
    def __init__(self, store: Store, resolve: Resolver, *, workers: int | None = None,
                 preview_workers: int = 1, reuse: Reuser | None = None,
                 renderer: Callable[..., Any] | None = None) -> None:
        self.store = store
        self.resolve = resolve
        self.reuse = reuse
        if renderer is None:
            from .cluster import from_env  # a Dask cluster only when NEMO_DASK_SCHEDULER says so

            renderer = from_env()
        self.renderer = renderer
        slots = getattr(renderer, "slots", None)
        self.workers = workers or (slots() if callable(slots) else max_workers())
        self.preview_workers = max(0, preview_workers)
        self.model = CostModel()
        self._pending: dict[str, _Entry] = {}
        self._running: dict[str, _Entry] = {}
        self._served: dict[str, int] = {}     # user -> tick of the last job started (round robin)
        self._tick = itertools.count(1)
        self._seq = itertools.count(1)
        self._cv = threading.Condition()
        self._threads: list[threading.Thread] = []
        self._stopping = False
        self.on_done: Callable[[], None] | None = None   # called after each render that completed
        self.lost: dict[str, str] = {}   # job id -> the failure that could not be written (a full disk)

    def start(self) -> None:
        lanes = ["any"] * self.workers + ["preview"] * self.preview_workers
        for i, lane in enumerate(lanes):
            t = threading.Thread(target=self._work, args=(lane,), name=f"nemo-render-{lane}-{i}", daemon=True)
            t.start()
            self._threads.append(t)

    # -- public ------------------------------------------------------------
    def submit(self, job_id: str, *, key: str | None = None) -> None:
        job = self.store.get_job(job_id)
        if job is None:
            return
        seconds, pixels = _size_and_length(job.draft, job.quality, job.resolution)
        entry = _Entry(job_id, job.user_id, _is_preview(job.quality), next(self._seq),
                       self.model.cost(job.quality, seconds, pixels), seconds, pixels, job.quality, key)
        with self._cv:
            self._pending[job_id] = entry
            self._cv.notify_all()

    def cancel(self, job_id: str) -> None:
        """Cancel a pending or running job: final at once; a running render stops within a second."""
        with self._cv:
            entry = self._pending.pop(job_id, None) or self._running.get(job_id)
            if entry is not None:
                entry.cancel.set()
            self._cv.notify_all()
        self.store.finish_job(job_id, "failed", error=CANCELLED_REASON)

    def progress(self, job_id: str) -> float | None:
        with self._cv:
            entry = self._running.get(job_id) or self._pending.get(job_id)
            return entry.progress if entry is not None else None

    def active(self) -> int:
        """Jobs queued or running in this process."""
        with self._cv:
            return len(self._pending) + len(self._running)

    def position(self, job_id: str) -> int | None:
        """1 for the next pending job to start, 2 for the one after, ...; None when not pending."""
        with self._cv:
            if job_id not in self._pending:
                return None
            order = self._order()
            mine = self._pending[job_id]
            ahead = [e for e in order[: order.index(mine)] if e.preview or not mine.preview]
            return len(ahead) + 1

    def estimate(self, job_id: str) -> float | None:
        """Seconds until the job is done (waiting included), or None when it is not queued here."""
        with self._cv:
            if job_id in self._running:
                return round(self._remaining(self._running[job_id], time.monotonic()), 1)
            if job_id not in self._pending:
                return None
            return round(self._simulate().get(job_id, 0.0), 1)

    def shutdown(self, timeout: float = 10.0) -> None:
        """Stop every render; unfinished jobs end failed with a reason saying why."""
        with self._cv:
            self._stopping = True
            entries = list(self._pending.values()) + list(self._running.values())
            self._pending.clear()
            self._cv.notify_all()
        for e in entries:
            e.cancel.set()
            self.store.finish_job(e.id, "failed", error=STOPPED_REASON)
        deadline = time.monotonic() + timeout
        for t in self._threads:
            t.join(max(0.0, deadline - time.monotonic()))
        close = getattr(self.renderer, "close", None)
        if callable(close):
            close()

    # -- scheduling (call with self._cv held) ---------------------------------
    def _order(self) -> list[_Entry]:
        """Pending jobs in the order they would start: previews first, users in turn."""
        served = dict(self._served)
        tick = max(served.values(), default=0)
        waiting = sorted(self._pending.values(), key=lambda e: e.seq)
        busy_keys = {e.key for e in self._running.values() if e.key}
        out: list[_Entry] = []
        while waiting:
            best = min(waiting, key=lambda e: (not e.preview, e.key in busy_keys,
                                               served.get(e.user, 0), e.seq))
            waiting.remove(best)
            tick += 1
            served[best.user] = tick
            out.append(best)
        return out

    def _pick(self, lane: str) -> _Entry | None:
        busy_keys = {e.key for e in self._running.values() if e.key}
        for e in self._order():
            if lane == "preview" and not e.preview:
                continue
            if e.key and e.key in busy_keys:
                continue  # the same render is running: wait for it, then reuse its file
            return e
        return None

    def _remaining(self, e: _Entry, now: float) -> float:
        elapsed = now - (e.started or now)
        guess = max(0.5, e.cost - elapsed)
        if e.progress >= 5.0 and elapsed > 0.5:
            by_progress = elapsed * (100.0 - e.progress) / e.progress
            weight = min(1.0, e.progress / 30.0)
            guess = weight * by_progress + (1 - weight) * guess
        return max(0.2, guess)

    def _simulate(self) -> dict[str, float]:
        """Seconds until each pending job is done, placing jobs on the lanes in start order."""
        now = time.monotonic()
        running = sorted(self._running.values(), key=lambda e: e.started or now)
        full_free = [0.0] * self.workers
        prev_free = [0.0] * self.preview_workers
        for e in running:
            rem = self._remaining(e, now)
            lanes = prev_free if (e.preview and prev_free and min(prev_free) == 0.0) else full_free
            if not lanes:
                lanes = full_free
            i = lanes.index(min(lanes))
            lanes[i] = max(lanes[i], rem)
        out: dict[str, float] = {}
        for e in self._order():
            if e.preview and prev_free:
                slots = [(t, "p", i) for i, t in enumerate(prev_free)] + [(t, "f", i) for i, t in enumerate(full_free)]
            else:
                slots = [(t, "f", i) for i, t in enumerate(full_free)]
            start, lane, i = min(slots)
            done = start + e.cost
            (prev_free if lane == "p" else full_free)[i] = done
            out[e.id] = done
        return out

    # -- worker ------------------------------------------------------------
    def _work(self, lane: str) -> None:
        while True:
            with self._cv:
                entry = None
                while not self._stopping:
                    entry = self._pick(lane)
                    if entry is not None:
                        break
                    self._cv.wait(0.5)
                if self._stopping or entry is None:
                    return
                del self._pending[entry.id]
                entry.started = time.monotonic()
                self._running[entry.id] = entry
                self._served[entry.user] = next(self._tick)
                self._set_background()
            try:
                self._run(entry)
            except Exception as exc:  # never let a worker die
                reason = (disk_full_message(self.store.home, "the video") if is_disk_full(exc)
                          else f"internal error: {type(exc).__name__}: {exc}")
                self._fail(entry.id, reason)
            finally:
                with self._cv:
                    self._running.pop(entry.id, None)
                    self._set_background()
                    self._cv.notify_all()

    def _fail(self, job_id: str, reason: str) -> None:
        """End ``job_id`` failed; when the store cannot be written, keep the ending in :attr:`lost`."""
        try:
            self.store.finish_job(job_id, "failed", error=reason)
            self.lost.pop(job_id, None)
        except Exception:
            self.lost[job_id] = reason

    def record_lost(self) -> None:
        """Write the endings kept in :attr:`lost` (the disk has room again)."""
        for job_id, reason in list(self.lost.items()):
            self._fail(job_id, reason)

    def _set_background(self) -> None:
        """While a preview runs, full renders yield the CPU; once none runs, they take it back."""
        preview_running = any(e.preview for e in self._running.values())
        for e in self._running.values():
            if e.preview or not preview_running:
                e.background.clear()
            else:
                e.background.set()
                e.yielded = True

    def _run(self, entry: _Entry) -> None:
        job_id, cancel = entry.id, entry.cancel
        job = self.store.get_job(job_id)
        if job is None or job.status != "pending" or cancel.is_set() or self._stopping:
            return
        if entry.key and self.reuse is not None and self.reuse(job_id):
            return  # the same render finished meanwhile: the job now points at its file
        self.store.update_job(job_id, status="processing", progress=1.0)
        entry.progress = 1.0
        from .render import RenderCancelled, RenderError, render_draft

        workdir = self.store.tmp_dir / f"render-{job_id}"
        workdir.mkdir(parents=True, exist_ok=True)
        tmp_out = workdir / "out.mp4"
        last_write = [0.0]

        def on_progress(p: float) -> None:
            p = max(1.0, min(99.0, float(p)))
            entry.progress = p
            now = time.monotonic()
            if now - last_write[0] >= 1.0:
                last_write[0] = now
                with contextlib.suppress(Exception):
                    self.store.update_job(job_id, progress=p)

        def resolve(src: str) -> Path | None:
            return self.resolve(src, job.session_id)

        t0 = time.monotonic()
        # the local renderer yields the CPU to a preview running beside it; a cluster orders the
        # chunks itself (previews first, a user with several renders running behind the others)
        extra: dict[str, Any] = ({"background": entry.background} if self.renderer is None
                                 else {"owner": entry.user})
        try:
            result: Any = (self.renderer or render_draft)(
                job.draft, tmp_out, resolve=resolve, quality=job.quality, resolution=job.resolution,
                progress=on_progress, cancel=cancel, workdir=workdir, **extra,
            )
            if cancel.is_set():
                raise RenderCancelled("cancelled")
            final = self.store.render_path(job_id)
            Path(result.path).replace(final)
            key = self.store.new_key()
            try:
                done = self.store.finish_job(job_id, "completed", media_key=key, duration=float(result.duration),
                                             width=int(result.width), height=int(result.height),
                                             size=final.stat().st_size)
            except Exception:   # not recorded (a full disk): keep no file nobody knows of
                final.unlink(missing_ok=True)
                raise
            if not done:  # cancelled at the last moment: the job is final already, keep no file
                final.unlink(missing_ok=True)
            else:
                if not entry.yielded:  # a render that yielded to a preview says little about speed
                    self.model.learn(job.quality, entry.seconds, entry.pixels, time.monotonic() - t0)
                if self.on_done is not None:
                    self.on_done()
        except RenderCancelled:
            reason = STOPPED_REASON if self._stopping else CANCELLED_REASON
            self._fail(job_id, reason)
        except RenderError as exc:
            self._fail(job_id, disk_full_message(self.store.home, "the video") if is_disk_full(exc)
                       else str(exc) or type(exc).__name__)
        finally:
            shutil.rmtree(workdir, ignore_errors=True)
