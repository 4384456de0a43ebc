"""The conversation: one named backend session and the turns run in it.

It knows no IPython, no widgets and no HTTP: it calls a client (anything shaped like
:class:`~nemo_jupyter.conversation.protocols.ChatClient`, such as
:class:`~nemo_jupyter.AsyncNemo`) and turns what comes back into things a presentation
layer can draw.

::

    conv = Conversation(AsyncNemo())
    result = await conv.run("make a 15-second ocean video", on_update=print)
    result.text        # the reply, GUI words translated ("click Export" -> how to export here)
    result.actions     # ["export"], ["timeline"], ["send:Add music"], ...
    result.changes     # the draft diff in words
    video = await conv.export(quality="preview")

Everything is async and runs on the client's loop; sync callers use
:func:`nemo_jupyter.client.loop.run_sync` / :func:`nemo_jupyter.client.loop.submit`.
``on_update`` receives a :class:`TurnUpdate` at every event (it is called on the
loop's thread; front ends fold them with :func:`~nemo_jupyter.conversation.progress.fold`
and throttle their own redraws).
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Coroutine, Iterable, Sequence
from pathlib import Path
from typing import TypeVar, cast

from ..client import models
from ..client.draft import Draft
from ..client.exceptions import NemoError, TurnCancelled
from ..client.models import Credits, Reply, State, UploadedFile, Video
from ..client.secrets import get_logger, swallowed
from ..client.storyboard import Storyboard
from . import words
from .memory import UNSET, upload_fingerprint
from .protocols import ChatClient, ChatSession, RenderJobLike
from .rendering import PathSpec, Renders
from .replay import ReplayStore, chain
from .results import Emitter, TurnResult, TurnUpdate, UpdateCallback
from .routing import Intent, parse_upload, route
from .versions import parse_restore
from .words import Hints, backend_badge, humanize_tool, is_zh, translate_gui

__all__ = ["Conversation"]

log = get_logger("nemo_jupyter.conversation")

T = TypeVar("T")


def _diff(before: Draft | None, after: Draft | None) -> list[str]:
    if after is None:
        return []
    if before is None:
        return [] if after.is_empty else [words.created_draft_line(after)]
    try:
        return list(after.diff(before))
    except Exception as exc:  # a diff must never fail a turn
        log.debug("the draft diff failed: %s: %s", type(exc).__name__, exc)
        return []


def _empty(draft: Draft | None) -> bool:
    return draft is None or draft.is_empty


class Conversation(Renders):
    """One named conversation (one backend session) over a client such as :class:`~nemo_jupyter.AsyncNemo`.

    ``hints`` replaces the words used when translating the backend's GUI instructions
    (see :func:`~nemo_jupyter.conversation.translate_gui`). ``store`` keeps what each turn
    produced, so an unchanged turn is shown again instead of re-sent (see :mod:`.replay`);
    ``place`` names where the conversation lives (the notebook), part of every replay key.
    Versions, undo, replay and costs live in :class:`~.memory.NotebookMemory`.
    """

    def __init__(self, nemo: ChatClient, name: str = "default", *, hints: Hints | None = None,
                 store: ReplayStore | None = None, place: str = "") -> None:
        self._memory_setup(store, place)
        self.nemo = nemo
        self.name = name
        self.hints = hints
        self.history: list[TurnResult] = []
        self.last_video: Video | None = None
        self.last_job: RenderJobLike | None = None
        self.last_prompt: str | None = None
        self._session: ChatSession | None = None
        self._task: asyncio.Future[object] | None = None
        self._task_loop: asyncio.AbstractEventLoop | None = None
        self._job: RenderJobLike | None = None
        self._cancel_requested = False
        self._lock = threading.Lock()

    # -- basics ---------------------------------------------------------------------------
    def __repr__(self) -> str:
        return (f"Conversation(name={self.name!r}, backend={self.badge!r}, session_id={self.session_id!r}, "
                f"turns={len(self.history)})")

    @property
    def badge(self) -> str:
        return backend_badge(self.nemo.backend)

    @property
    def session(self) -> ChatSession:
        """The client session, created lazily (on the server at its first use)."""
        if self._session is None:
            self._session = self.nemo.session()
        return self._session

    @property
    def started(self) -> bool:
        return self._session is not None and bool(self.session_id)

    @property
    def session_id(self) -> str | None:
        sid = self._session.id if self._session is not None else None
        return str(sid) if sid else None

    @staticmethod
    def route(text: str) -> Intent:
        return route(text)

    def new(self) -> None:
        """Start afresh: the next message opens a new session (the old draft stays on the server).

        It is a step of the conversation's chain, so a notebook run again repeats it."""
        self.cancel()
        self._session = None
        self.history.clear()
        self.last_video = None
        self._new_pending = True

    @property
    def current_job(self) -> RenderJobLike | None:
        """The render this conversation is waiting for right now, or None."""
        with self._lock:
            return self._job

    @property
    def running(self) -> bool:
        return self._task is not None and not self._task.done()

    def cancel(self, *, render: bool = True) -> bool:
        """Cancel the running turn or render, from any thread. True if something was running.

        ``render=False`` only stops waiting: a render keeps going on the backend (its id stays in
        the job list, ``%nemo jobs --resume`` picks it up); an interrupted kernel does this."""
        with self._lock:
            task, loop, job = self._task, self._task_loop, self._job
        if task is None or task.done() or loop is None:
            return False
        self._cancel_requested = True
        if render and job is not None:
            async def _cancel_job() -> None:
                with swallowed(log, "cancelling the render job"):
                    await job.cancel()

            asyncio.run_coroutine_threadsafe(_cancel_job(), loop)
        loop.call_soon_threadsafe(task.cancel)
        return True

    async def _guarded(self, coro: Coroutine[object, object, T], cancelled: NemoError) -> T:
        """Run ``coro`` as the conversation's cancellable task."""
        loop = asyncio.get_running_loop()
        task = asyncio.ensure_future(coro)
        with self._lock:
            if self._task is not None and not self._task.done():
                task.cancel()
                message, hint = words.STILL_RUNNING
                raise NemoError(message, hint=hint)
            self._task, self._task_loop = cast("asyncio.Future[object]", task), loop
            self._cancel_requested = False
        try:
            return await task
        except asyncio.CancelledError:
            if not self._cancel_requested:
                raise  # our caller was cancelled (e.g. its future): let the cancellation through
            raise cancelled from None
        finally:
            with self._lock:
                if self._task is task:
                    self._task = None
                    self._job = None

    # -- the one entry point -------------------------------------------------------------------
    async def run(self, text: str, *, on_update: UpdateCallback | None = None, export: bool = False,
                  quality: str = "high", resolution: str | None = None, timeout: float | None = None,
                  path: PathSpec = None, cell: str | None = None, cell_label: str | None = None,
                  fresh: bool = False, max_credits: float | None = None) -> TurnResult:
        """Route ``text`` and carry it out; ``export=True`` renders after a chat turn.

        ``cell`` identifies where the text comes from (a notebook cell id): running the same cell
        again continues from just before its last run. A turn whose chain (backend, notebook,
        conversation, every prompt up to it) is unchanged is shown again from the replay store,
        sending and spending nothing, unless ``fresh``. ``max_credits`` refuses a turn that
        typically costs more. ``path`` may be a function of the draft (the file is named after it).
        """
        intent = route(text)
        emit = Emitter(on_update)
        if intent is Intent.UNDO:
            return emit.done(await self._undo(text, cell))
        if intent is Intent.EXPORT:
            video = await self.export(on_update=emit.callback, quality=quality, resolution=resolution,
                                      timeout=timeout, path=path)
            result = self._result(intent, text=words.video_text(video, zh=self.zh), video=video)
            result.reused, result.zh = bool(getattr(video, "reused", False)), self.zh
            (before, line), self._export_credits = self._export_credits, (None, None)
            if before is not None:
                result.cost_line = line
                result.credits_spent, result.credits_left = await self.cost_after(before)
            return emit.done(result)
        if intent is Intent.CREDITS:
            credits = await self.credits()
            return emit.done(self._result(intent, text=words.credits_text(credits, zh=is_zh(text)), credits=credits))
        if intent is Intent.STATUS:
            draft = await self.timeline()
            return emit.done(self._result(intent, text=words.status_text(draft, zh=is_zh(text)), draft=draft))
        if intent is Intent.UPLOAD:
            paths, urls = parse_upload(text) or ([], [])
            if not paths and not urls:
                message, hint = words.NOTHING_TO_UPLOAD
                raise NemoError(message, hint=hint)
            uploads = await self.upload(paths, urls, on_update=on_update, cell=cell)
            text = words.uploaded_text([u.filename for u in uploads])
            result = self._result(intent, text=text, uploads=list(uploads))
            result.reused = self.last_upload_reused
            return emit.done(result)
        if self.language is None:
            self.language = "zh" if is_zh(text) else "en"   # the first prompt sets the labels' language
        parent = await self.parent_for(cell)
        key = chain(parent, "chat", text)
        entry = None if fresh else self.entry(key)
        if entry is not None and entry.get("kind") == "chat":
            result = self.replayed(entry, key, parent, cell, cell_label, text, backend=self.badge)
            self.history.append(result)
            emit(TurnUpdate("state", text=result.text, draft=result.draft, changes=result.changes))
        else:
            notices: list[str] = []
            await self.reconcile(notices)
            current = self.versions.current
            before, cost_line = await self.cost_before(
                limit=max_credits, has_draft=current is not None and not _empty(current.draft))
            if cost_line:
                emit(TurnUpdate("tool", tool=cost_line))
            result = await self._guarded(self._chat(text, emit), TurnCancelled(words.TURN_CANCELLED))
            result.notices[:0] = notices
            result.cost_line = cost_line
            result.credits_spent, result.credits_left = await self.cost_after(before)
            self.record_turn(result, key, parent, cell_label, text)
            self.step(key, parent, cell)
        result.zh = self.zh
        result.text = words.export_invite(result.text, self.hints, zh=self.zh, drop=export)
        if export:
            result.video = await self.export(quality=quality, resolution=resolution, on_update=on_update,
                                             timeout=timeout, path=path)
            result.actions = [a for a in result.actions if a != "export"]
        return emit.done(result)

    async def _undo(self, text: str, cell: str | None) -> TurnResult:
        request = parse_restore(text)
        assert request is not None
        parent = await self.parent_for(cell)
        version, notices = await self.restore(request, parent=parent, cell=cell)
        result = self._result(Intent.UNDO, text=words.memory_text(self.zh, "restored", self.hints, n=version.number,
                                                              change=version.change), draft=version.draft)
        result.notices, result.version, result.zh = notices, version.number, self.zh
        self.history.append(result)
        return result

    def _result(self, intent: Intent, *, text: str, draft: Draft | None = None, video: Video | None = None,
                credits: Credits | None = None, uploads: list[UploadedFile] | None = None) -> TurnResult:
        return TurnResult(intent=intent, text=text, draft=draft, video=video, credits=credits,
                          uploads=uploads or [], backend=self.badge, session_id=self.session_id,
                          conversation=self.name)

    # -- chat ---------------------------------------------------------------------------------
    async def _chat(self, text: str, emit: Emitter) -> TurnResult:
        session = self.session
        self.last_prompt = text
        start = time.monotonic()
        reply_text = ""
        zh = is_zh(text)

        def on_event(event: models.Event) -> None:
            nonlocal reply_text
            elapsed = time.monotonic() - start
            if isinstance(event, models.TextEvent):
                reply_text = event.text or ""
                emit(TurnUpdate("text", text=reply_text, elapsed=elapsed))
            elif isinstance(event, models.ToolCall):
                emit(TurnUpdate("tool", text=reply_text, tool=humanize_tool(event.name), elapsed=elapsed))
            elif isinstance(event, models.ToolResult):
                emit(TurnUpdate("tool", text=reply_text, tool=humanize_tool(event.name, finished=True),
                                elapsed=elapsed))
            elif isinstance(event, models.Heartbeat):
                emit(TurnUpdate("heartbeat", text=reply_text, elapsed=elapsed))

        reply: Reply = await session.ask(text, on_event=on_event)
        raw_text = reply.text
        draft, before = reply.draft, reply.draft_before
        changes = list(reply.changes or [])
        if (not changes and draft is None) or (not raw_text.strip() and draft is None):
            # the client did not read the state: do it here
            try:
                draft = (await session.state()).draft
            except NemoError:
                draft = None
            changes = _diff(before, draft)
        elif not changes and draft is not None and before is not None:
            changes = _diff(before, draft)
        silent = not raw_text.strip()
        if changes and _empty(before) and not _empty(draft):
            # a new timeline: one line, not every key that went from nothing to something;
            # a silent turn has no other words, so there the line carries the whole summary
            changes = [words.created_line(draft, zh, full=silent)]
        translated, actions = translate_gui(raw_text, self.hints)
        notices: list[str] = []
        if silent:
            translated = words.silent_turn_text(changes, zh)
            notices.append(words.SILENT_NOTICE)
        notices.extend(words.notice_text(n, zh) for n in reply.notices or [])
        elapsed = time.monotonic() - start
        if changes:
            emit(TurnUpdate("state", text=translated, draft=draft, changes=changes, elapsed=elapsed))
        for n in notices:
            emit(TurnUpdate("notice", text=translated, notice=n, elapsed=elapsed))
        result = TurnResult(intent=Intent.CHAT, text=translated, raw_text=raw_text, actions=actions,
                            changes=changes, draft=draft, draft_before=before, reply=reply, notices=notices,
                            elapsed=elapsed, silent=silent, backend=self.badge, session_id=self.session_id,
                            conversation=self.name)
        self.history.append(result)
        return result

    # -- reading ------------------------------------------------------------------------------
    async def storyboard(self, width: int = 240) -> Storyboard | None:
        """The storyboard strip of the current draft (one still per scene, painted from the draft
        alone, before any video), or ``None``: no draft yet, or a backend without one (the cloud)."""
        fn = getattr(self.session, "storyboard", None) if self.started else None
        if fn is None:
            return None
        try:
            board = await fn(width=width)
        except NemoError:
            return None  # a strip is a nicety: never fail a turn for it
        return board if isinstance(board, Storyboard) else None

    async def timeline(self) -> Draft | None:
        """The current draft, or ``None`` before the first message.

        After an undo or a replayed turn that is the draft this conversation stands on."""
        if self._expected is not UNSET:
            return self._expected
        if not self.started:
            return None
        return (await self.session.state()).draft

    async def state(self) -> State | None:
        if not self.started:
            return None
        return await self.session.state()

    async def credits(self) -> Credits:
        return await self.nemo.credits()

    async def jobs(self) -> list[RenderJobLike]:
        return list(await self.nemo.jobs())

    async def upload(self, paths: Iterable[str | Path] = (), urls: Sequence[str] = (), *,
                     on_update: UpdateCallback | None = None, cell: str | None = None) -> list[UploadedFile]:
        """Upload local files and/or URLs to this conversation's session.

        An upload is a step of the conversation's chain: the same files (same size and time)
        uploaded again at the same place (Run All, a restarted kernel) are not sent again."""
        emit = Emitter(on_update)
        local = [str(Path(p).expanduser()) for p in paths]
        parent = await self.parent_for(cell)
        key = chain(parent, "upload", upload_fingerprint(local, list(urls)))
        known = self.replayed_upload(self.entry(key), key, parent, cell)
        self.last_upload_reused = known is not None
        if known is not None:
            return known
        session = self.session
        out: list[UploadedFile] = []

        def on_progress(done: int, total: int) -> None:
            try:
                pct: float | None = 100.0 * float(done) / float(total) if total else float(done)
            except (TypeError, ValueError):
                pct = None
            emit(TurnUpdate("progress", percent=pct, tool="uploading…"))

        if local:
            # never retried here: a second call could upload the files twice
            out.extend(await session.upload(*local, on_progress=on_progress) or [])
        if urls:
            out.extend(await session.upload(urls=list(urls)) or [])
        self.record_upload(key, parent, cell, out)
        return out
