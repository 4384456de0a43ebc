"""Renders of a conversation: export the draft it stands on, pick up a render already running,
reuse the file of an identical render, follow a job to the end and download it.

:class:`Renders` is mixed into :class:`~nemo_jupyter.conversation.orchestrator.Conversation`;
progress goes out as ``TurnUpdate("progress", ...)`` like every other step of a turn.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from ..client.draft import Draft
from ..client.exceptions import NemoError, RenderCancelled
from ..client.models import Video
from . import words
from .memory import UNSET, NotebookMemory
from .protocols import ChatSession, RenderJobLike
from .results import Emitter, TurnUpdate, UpdateCallback

__all__ = ["PathSpec", "Renders"]

T = TypeVar("T")

PathSpec = str | Path | Callable[[Draft | None], Path] | None
"""Where a video goes; a function of the draft names the file after it."""


class Renders(NotebookMemory):
    """Exports and resumed renders (mixed into ``Conversation``)."""

    last_video: Video | None
    last_job: RenderJobLike | None
    _job: RenderJobLike | None
    _lock: threading.Lock

    if TYPE_CHECKING:  # provided by Conversation
        @property
        def session(self) -> ChatSession: ...
        @property
        def started(self) -> bool: ...
        async def _guarded(self, coro: Coroutine[object, object, T], cancelled: NemoError) -> T: ...

    async def export(self, *, quality: str = "high", resolution: str | None = None,
                     on_update: UpdateCallback | None = None, timeout: float | None = None,
                     path: PathSpec = None) -> Video:
        """Render the current draft; returns the client's ``Video`` (downloaded to ``path`` if given).

        The same draft already rendered with the same settings reuses that file (``video.reused``);
        a render of it still running (say, from before a kernel restart) is picked up, not resubmitted.
        """
        emit = Emitter(on_update)
        return await self._guarded(self._export(emit, quality, resolution, timeout, path),
                                   RenderCancelled(words.RENDER_CANCELLED))

    async def _export(self, emit: Emitter, quality: str, resolution: str | None, timeout: float | None,
                      path: PathSpec) -> Video:
        start = time.monotonic()
        session = self.session
        expected = self._expected
        draft: Draft | None = expected if expected is not UNSET else (
            (await session.state()).draft if self.started else None)
        if draft is None or draft.is_empty:
            emit(TurnUpdate("progress", percent=0.0, tool="submitting the render…"))
            job = await session.export(quality, resolution)   # the client says why there is nothing
            return await self._follow(job, emit, timeout, None if callable(path) else path, start)
        rkey = await self.render_key_for(draft, quality, resolution)
        cached = self.cached_render(rkey)
        target = path(draft) if callable(path) else path
        if cached is not None:
            video = cached
            video.reused = True  # type: ignore[attr-defined]
            if target is not None:
                await video.adownload(str(target))  # in this notebook's folder: linked, not fetched
            emit(TurnUpdate("progress", percent=100.0, tool="already rendered", elapsed=0.0))
            self.last_video = video
            return video
        finder = getattr(self.nemo, "find_job", None)
        running = await finder(render_key=rkey) if callable(finder) else None
        if running:
            emit(TurnUpdate("progress", percent=None, tool="picking up the render already running…"))
            job = self.nemo.attach(str(running))
            stored = (getattr(job, "meta", None) or {}).get("path")
            target = target or (Path(stored) if stored else None)
        else:
            self._export_credits = await self.export_cost()
            if self._export_credits[1]:
                emit(TurnUpdate("tool", tool=self._export_credits[1]))
            emit(TurnUpdate("progress", percent=0.0, tool="submitting the render…"))
            meta: dict[str, object] = {"render_key": rkey, "conversation": self.name, "label": self.video_label(draft),
                                       "path": str(Path(target).resolve()) if target is not None else None}
            job = await session.export(quality, resolution, draft=draft if expected is not UNSET else None,
                                       meta=meta)
        video = await self._follow(job, emit, timeout, target, start)
        self.remember_render(rkey, video)
        return video

    async def resume(self, job_id: str, *, on_update: UpdateCallback | None = None,
                     timeout: float | None = None, path: str | Path | None = None) -> Video:
        """Re-attach an unfinished render by id (e.g. after a kernel restart) and wait for it.

        Without ``path`` the file goes where the render was first meant to go (the job list keeps it)."""
        job = self.nemo.attach(job_id)
        meta = getattr(job, "meta", None) or {}
        if path is None and meta.get("path"):
            path = Path(str(meta["path"]))
        emit = Emitter(on_update)
        video = await self._guarded(self._follow(job, emit, timeout, path, time.monotonic()),
                                    RenderCancelled(words.RENDER_CANCELLED))
        if meta.get("render_key"):
            self.remember_render(str(meta["render_key"]), video)
        return video

    async def _follow(self, job: RenderJobLike, emit: Emitter, timeout: float | None, path: str | Path | None,
                      start: float) -> Video:
        with self._lock:
            self._job = job
        self.last_job = job

        def on_progress(value: float, status: str = "") -> None:
            try:
                pct: float | None = float(value)
            except (TypeError, ValueError):
                pct = None
            state = str(status) if status else None
            waiting = state == "pending"
            position = job.last.queue_position if waiting and job.last is not None else None
            estimate = job.last.estimated_seconds if job.last is not None else None
            emit(TurnUpdate("progress", percent=pct, tool="waiting in the queue…" if waiting else "rendering…",
                            elapsed=time.monotonic() - start, status=state,
                            queue_position=position if isinstance(position, int) else None,
                            estimate_s=estimate))

        if timeout is not None:
            video = await job.wait(timeout, on_progress=on_progress)
        else:
            video = await job.wait(on_progress=on_progress)
        emit(TurnUpdate("progress", percent=100.0, tool="rendered", elapsed=time.monotonic() - start))
        if path is not None:  # an identical export's file is linked there, not fetched again
            if not video.cached:
                emit(TurnUpdate("progress", percent=100.0, tool="downloading…", elapsed=time.monotonic() - start))
            Path(path).parent.mkdir(parents=True, exist_ok=True)
            await video.adownload(str(path))
        self.last_video = video
        return video
