"""Renders of a conversation: export the draft it stands on, pick up a render already running,
reuse the file of an identical export, follow a job to the end and download it.

:class:`Renderer` is held by a :class:`~nemo_jupyter.conversation.orchestrator.Conversation`;
the session and the draft come from where the conversation stands. Reusing a file is the
client's (its render cache, keyed as the engine keys its own); progress goes out as
``TurnUpdate("progress", ...)`` like every other step of a turn.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ..client.draft import Draft
from ..client.models import Credits, RenderOptions, Video
from .costs import CostKeeper
from .protocols import ChatClient, ChatSession, RenderJobLike
from .results import Emitter, TurnUpdate

__all__ = ["PathSpec", "Renderer"]

PathSpec = str | Path | Callable[[Draft | None], Path] | None
"""Where a video goes; a function of the draft names the file after it."""


class Renderer:
    """The renders of one conversation: the one running now (``current_job``), the last video,
    and what the balance was before the last export (``last_cost``, on a charging backend)."""

    def __init__(self, nemo: ChatClient, costs: CostKeeper) -> None:
        self.nemo = nemo
        self.costs = costs
        self.last_video: Video | None = None
        self.last_job: RenderJobLike | None = None
        self.last_cost: tuple[Credits | None, str | None] = (None, None)
        self._job: RenderJobLike | None = None
        self._lock = threading.Lock()

    @property
    def current_job(self) -> RenderJobLike | None:
        """The render of the step running now, or None."""
        with self._lock:
            return self._job

    def release(self) -> None:
        """The step is over: no render is current any more."""
        with self._lock:
            self._job = None

    async def export(self, session: ChatSession, draft: Draft | None, options: RenderOptions, emit: Emitter,
                     path: PathSpec, *, meta: Callable[[Draft], dict[str, Any]], zh: bool) -> Video:
        """Render ``draft`` (None: the session's own); the client's ``Video``, downloaded to ``path``
        if given. The same export downloaded before is that file (``video.cached``); a render of it
        still running (say, from before a kernel restart) is picked up, not sent again."""
        start = time.monotonic()
        self.last_cost = (None, None)
        order = await session.order_export(options, draft=draft)   # the client says when there is nothing
        target = path(order.draft) if callable(path) else path
        if order.cached is not None:
            video = await (await session.start_export(order)).wait()
            if target is not None:
                await video.adownload(str(target))  # in this notebook's folder: linked, not fetched
            emit(TurnUpdate("progress", percent=100.0, tool="already rendered", elapsed=0.0, status="completed"))
            self.last_video = video
            return video
        running = await self.nemo.find_job(render_key=order.key)
        if running:
            emit(TurnUpdate("progress", percent=None, tool="picking up the render already running…"))
            job = self.nemo.attach(running)
            stored = job.meta.get("path")
            target = target or (Path(str(stored)) if stored else None)
        else:
            self.last_cost = await self.costs.export_cost(zh=zh)
            if self.last_cost[1]:
                emit(TurnUpdate("tool", tool=self.last_cost[1]))
            emit(TurnUpdate("progress", percent=0.0, tool="submitting the render…"))
            job = await session.start_export(order, meta={
                **meta(order.draft), "path": str(Path(target).resolve()) if target is not None else None})
        return await self.follow(job, emit, options.timeout, target, start)

    async def resume(self, job_id: str, emit: Emitter, *, timeout: float | None,
                     path: str | Path | None) -> Video:
        """Re-attach an unfinished render by id (e.g. after a kernel restart) and wait for it.

        Without ``path`` the file goes where the render was first meant to go (the job list keeps it)."""
        job = self.nemo.attach(job_id)
        if path is None and job.meta.get("path"):
            path = Path(str(job.meta["path"]))
        return await self.follow(job, emit, timeout, path, time.monotonic())

    async def follow(self, job: RenderJobLike, emit: Emitter, timeout: float | None, path: str | Path | None,
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
