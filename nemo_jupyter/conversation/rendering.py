"""Renders of a conversation: export the draft it stands on, pick up a render already running,
reuse the file of an identical export, follow a job to the end and download it.

:class:`Renderer` is held by a :class:`~nemo_jupyter.conversation.orchestrator.Conversation`;
the session and the draft come from where the conversation stands. Reusing a file is the
client's (its render cache, keyed as the engine keys its own); progress goes out as
``TurnUpdate("progress", ...)`` like every other step of a turn.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ..client.draft import Draft
from ..client.exceptions import NemoError
from ..client.models import Credits, RenderOptions, Video
from ..client.secrets import get_logger
from .costs import CostKeeper
from .protocols import ChatClient, ChatSession, RenderJobLike
from .results import Emitter, TurnUpdate

__all__ = ["PathSpec", "Renderer"]

PathSpec = str | Path | Callable[[Draft | None], Path] | None
"""Where a video goes; a function of the draft names the file after it."""

#: qualities that are previews already (no preview is made before them)
PREVIEW_QUALITIES = ("preview", "low")
#: how long a preview may take before the full render is waited for without it
PREVIEW_TIMEOUT_S = 120.0

log = get_logger("nemo_jupyter.conversation")


class Renderer:
    """The renders of one conversation: the one running now (``current_job``), the last video,
    and what the balance was before the last export (``last_cost``, on a charging backend)."""

    def __init__(self, nemo: ChatClient, costs: CostKeeper) -> None:
        self.nemo = nemo
        self.costs = costs
        self.last_video: Video | None = None
        self.last_job: RenderJobLike | None = None
        self.last_preview: Video | None = None   # the preview of the last export, when one was played
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
                     path: PathSpec, *, meta: Callable[[Draft], dict[str, Any]], zh: bool,
                     preview_first: bool = False) -> Video:
        """Render ``draft`` (None: the session's own); the client's ``Video``, downloaded to ``path``
        if given. The same export downloaded before is that file (``video.cached``); a render of it
        still running (say, from before a kernel restart) is picked up, not sent again.

        ``preview_first`` (a front end that plays videos, with ``path`` given): when a render of
        another quality than a preview has to be made on a backend that charges nothing (the
        engine; the cloud is sent only the render asked for), a preview of the same draft is rendered
        beside it (the engine runs previews in a lane of their own, in seconds), downloaded to
        ``previews/`` beside the file and sent as a ``"preview"`` update, to play until the
        full-quality file is there."""
        start = time.monotonic()
        self.last_cost = (None, None)
        self.last_preview = None
        order = await session.order_export(options, draft=draft)   # the client says when there is nothing
        target = path(order.draft) if callable(path) else path
        if order.cached is not None:
            video = await (await session.start_export(order)).wait()
            if target is not None and not _beside(video.path, Path(target)):
                # another folder (another notebook's): linked there, not fetched; in this one the
                # file already made is the video (no second name for it)
                await video.adownload(str(target))
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
            preview = None
            # a charging backend (the cloud) is sent the one render asked for, never a second one
            if preview_first and target is not None and not self.costs.charges \
                    and (options.quality or "high") not in PREVIEW_QUALITIES:
                preview = await self._start_preview(session, order.draft, options, emit)
            emit(TurnUpdate("progress", percent=0.0, tool="submitting the render…"))
            job = await session.start_export(order, meta={
                **meta(order.draft), "path": str(Path(target).resolve()) if target is not None else None})
            if preview is not None and target is not None:
                with self._lock:
                    self._job = job   # a cancel meanwhile stops the full render
                await self._show_preview(preview, emit, Path(target), start)
        return await self.follow(job, emit, options.timeout, target, start)

    async def _start_preview(self, session: ChatSession, draft: Draft, options: RenderOptions,
                             emit: Emitter) -> RenderJobLike | None:
        """The preview's job (an identical preview downloaded before is that file at once), or None
        when the backend would not make one: the full render goes on all the same."""
        try:
            order = await session.order_export(RenderOptions(quality="preview", timeout=options.timeout), draft=draft)
            emit(TurnUpdate("progress", percent=0.0, tool="rendering a preview…"))
            return await session.start_export(order, meta={"label": "preview", "preview": True})
        except NemoError as exc:   # a preview is a convenience: the render asked for is what counts
            log.info("no preview before the render (%s); the full render goes on", exc)
            return None

    async def _show_preview(self, job: RenderJobLike, emit: Emitter, target: Path, start: float) -> None:
        """Wait for the preview (seconds), download it to ``previews/`` beside ``target`` and send it
        as a ``"preview"`` update; a preview that fails says so in the log and nothing more."""
        try:
            video = await job.wait(PREVIEW_TIMEOUT_S)
            await video.adownload(str(target.parent / "previews" / target.name))
        except asyncio.CancelledError:
            with contextlib.suppress(NemoError):
                await asyncio.shield(job.cancel())
            raise
        except NemoError as exc:
            log.info("the preview did not come (%s); the full render goes on", exc)
            return
        self.last_preview = video
        emit(TurnUpdate("preview", video=video, tool="preview ready: the full-quality video follows…",
                        elapsed=time.monotonic() - start))

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


def _beside(path: str | Path | None, target: Path) -> bool:
    """``path`` is a file in ``target``'s folder."""
    if path is None:
        return False
    try:
        return Path(path).parent.resolve() == target.parent.resolve()
    except OSError:
        return False
