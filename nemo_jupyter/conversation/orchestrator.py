"""The conversation: one named backend session and the turns run in it.

It knows no IPython, no widgets and no HTTP: it calls a client (anything shaped like
:class:`~nemo_jupyter.conversation.protocols.ChatClient`, such as
:class:`~nemo_jupyter.AsyncNemo`) and turns what comes back into things a presentation
layer can draw. A :class:`Conversation` is made of three parts it holds: a
:class:`~.memory.NotebookMemory` (where it stands: session, versions, replay), a
:class:`~.costs.CostKeeper` and a :class:`~.rendering.Renderer`.

::

    conv = Conversation(AsyncNemo())
    result = await conv.run("make a 15-second ocean video", on_update=print)
    result.text        # the reply, GUI words translated ("click Export" -> how to export here)
    result.actions     # ["export"], ["timeline"], ["send:Add music"], ...
    result.changes     # the draft diff in words
    video = await conv.export(quality="preview")
    await conv.run(Export())   # a typed command: nothing to route

Everything is async and runs on the client's loop; sync callers use
:func:`nemo_jupyter.client.loop.run_sync` / :func:`nemo_jupyter.client.loop.submit`.
``on_update`` receives a :class:`TurnUpdate` at every event (it is called on the
loop's thread; front ends fold them with :func:`~nemo_jupyter.conversation.progress.fold`
and throttle their own redraws).
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections.abc import Callable, Coroutine, Iterable, Sequence
from pathlib import Path
from typing import TypeVar, cast

from ..client.draft import Draft
from ..client.exceptions import NemoError, RenderCancelled, TurnCancelled, UploadError
from ..client.loop import Forward
from ..client.models import Credits, RenderOptions, State, UploadedFile, Video
from ..client.secrets import get_logger, swallowed
from ..client.storyboard import Storyboard
from ..client.uploads import check_files
from . import words
from .chat_turn import chat_turn
from .costs import CostKeeper
from .memory import UNSET, NotebookMemory, upload_fingerprint
from .protocols import ChatClient, ChatSession, RenderJobLike
from .rendering import PathSpec, Renderer
from .replay import ReplayStore, chain
from .results import Emitter, TurnResult, TurnUpdate, UpdateCallback
from .routing import Balance, Chat, Command, Export, Intent, Status, Undo, Upload, parse_command
from .versions import Restore, Versions
from .words import Hints, backend_badge, is_zh

__all__ = ["Conversation"]

log = get_logger("nemo_jupyter.conversation")

T = TypeVar("T")


class Conversation:
    """One named conversation (one backend session) over a client such as :class:`~nemo_jupyter.AsyncNemo`.

    ``hints`` replaces the words used when translating the backend's GUI instructions
    (see :func:`~nemo_jupyter.conversation.translate_gui`). ``store`` keeps what each turn
    produced, so an unchanged turn is shown again instead of re-sent (see :mod:`.replay`);
    ``place`` names where the conversation lives (the notebook), part of every replay key.
    """

    def __init__(self, nemo: ChatClient, name: str = "default", *, hints: Hints | None = None,
                 store: ReplayStore | None = None, place: str = "") -> None:
        self.nemo = nemo
        self.name = name
        self.memory = NotebookMemory(nemo, name, store=store, place=place, hints=hints)
        self.costs = CostKeeper(nemo, hints)
        self.renderer = Renderer(nemo, self.costs)
        self._hints = hints
        self.history: list[TurnResult] = []
        self.last_prompt: str | None = None
        self.last_upload_reused = False
        self.last_upload_refused: list[str] = []   # the files the last upload left out, each with why
        self._task: asyncio.Future[object] | None = None
        self._task_loop: asyncio.AbstractEventLoop | None = None
        self._cancel_requested = False
        self._lock = threading.Lock()
        self._watchers: list[Callable[[Draft | None], object]] = []

    # -- basics ---------------------------------------------------------------------------
    def __repr__(self) -> str:
        return (f"Conversation(name={self.name!r}, backend={self.badge!r}, session_id={self.session_id!r}, "
                f"turns={len(self.history)})")

    @property
    def hints(self) -> Hints | None:
        """This surface's words for the backend's GUI instructions and the notebook's sentences."""
        return self._hints

    @hints.setter
    def hints(self, value: Hints | None) -> None:
        self._hints = self.memory.hints = self.costs.hints = value

    @property
    def badge(self) -> str:
        return backend_badge(self.nemo.backend)

    zh = Forward[bool]("memory")                  # the conversation is in Chinese (its first prompt was)
    versions = Forward[Versions]("memory")
    session_id = Forward["str | None"]("memory")
    last_video = Forward["Video | None"]("renderer")
    last_job = Forward["RenderJobLike | None"]("renderer")
    current_job = Forward["RenderJobLike | None"]("renderer")   # the render waited for right now

    @property
    def session(self) -> ChatSession:
        """The client session, created lazily (on the server at its first use)."""
        return self.memory.current_session()

    @property
    def started(self) -> bool:
        return self.memory.session_id is not None

    @property
    def running(self) -> bool:
        return self._task is not None and not self._task.done()

    @staticmethod
    def route(text: str) -> Intent:
        return parse_command(text).intent

    @staticmethod
    def parse(text: str) -> Command:
        """What ``text`` asks for, as the typed command :meth:`run` carries out."""
        return parse_command(text)

    def video_label(self, draft: Draft | None) -> str:
        """What the video is called: its title, else the prompt that started it."""
        return self.memory.video_label(draft, self.last_prompt)

    def new(self) -> None:
        """Start afresh: the next message opens a new session (the old draft stays on the server).

        It is a step of the conversation's chain, so a notebook run again repeats it."""
        self.cancel()
        self.memory.drop_session()
        self.history.clear()
        self.renderer.last_video = None
        self.memory.new_pending = True

    def cancel(self, *, render: bool = True) -> bool:
        """Cancel the running turn or render, from any thread. True if something was running.

        ``render=False`` only stops waiting: a render keeps going on the backend (its id stays in
        the job list, ``%nemo jobs --resume`` picks it up); an interrupted kernel does this."""
        with self._lock:
            task, loop = self._task, self._task_loop
        job = self.renderer.current_job
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
                    self.renderer.release()

    # -- the one entry point -------------------------------------------------------------------
    async def run(self, command: str | Command, *, on_update: UpdateCallback | None = None, export: bool = False,
                  options: RenderOptions | None = None, path: PathSpec = None, cell: str | None = None,
                  cell_label: str | None = None, fresh: bool = False, max_credits: float | None = None,
                  invite_export: bool = True, quality: str | None = None, resolution: str | None = None,
                  timeout: float | None = None, preview_first: bool = False,
                  hints: Hints | None = None) -> TurnResult:
        """Carry out ``command`` (words are read once into a typed command, :func:`parse_command`);
        ``export=True`` renders after a chat turn.

        ``options`` say how to render (``quality=``, ``resolution=`` and ``timeout=`` set the
        matching field). ``cell`` identifies where the text comes from (a notebook cell id):
        running the same cell again continues from just before its last run. A turn whose chain
        (backend, notebook, conversation, every prompt up to it) is unchanged is shown again from
        the replay store, sending and spending nothing, unless ``fresh``. ``max_credits``
        refuses a turn that typically costs more. ``path`` may be a function of the draft (the
        file is named after it). ``invite_export=False``: the caller renders next, so the reply
        does not invite an export. ``preview_first``: a render plays a quick preview first (see
        :meth:`export`). ``hints``: the words of the surface this turn comes from (its own controls:
        "the Export button", "%nemo export"), when they are not the conversation's own.
        """
        command = parse_command(command) if isinstance(command, str) else command
        render = _options(options, quality, resolution, timeout)
        emit = Emitter(on_update)
        if isinstance(command, Undo):
            undone = await self._undo(Restore(command.version), cell)
            self._notify(undone.draft)
            return emit.done(undone)
        if isinstance(command, Export):
            return emit.done(await self._export_turn(emit, render, path, preview_first))
        if isinstance(command, Balance):
            credits = await self.credits()
            return emit.done(self._result(Intent.CREDITS, text=words.credits_text(credits, zh=command.zh),
                                          credits=credits))
        if isinstance(command, Status):
            draft = await self.timeline()
            return emit.done(self._result(Intent.STATUS, text=words.status_text(draft, zh=command.zh), draft=draft))
        if isinstance(command, Upload):
            return emit.done(await self._upload_turn(command, on_update, cell))
        result = await self._chat(command, emit, cell=cell, cell_label=cell_label, fresh=fresh,
                                  max_credits=max_credits, invite=invite_export and not export,
                                  hints=hints or self.hints)
        if export:
            result.video = await self.export(options=render, on_update=on_update, path=path,
                                             preview_first=preview_first)
            result.preview = self.renderer.last_preview
            result.actions = [a for a in result.actions if a != "export"]
        if result.draft is not None and (result.changes or result.reused):
            self._notify(result.draft)
        return emit.done(result)

    def _result(self, intent: Intent, *, text: str, draft: Draft | None = None, video: Video | None = None,
                credits: Credits | None = None, uploads: list[UploadedFile] | None = None) -> TurnResult:
        return TurnResult(intent=intent, text=text, draft=draft, video=video, credits=credits,
                          uploads=uploads or [], backend=self.badge, session_id=self.session_id,
                          conversation=self.name, zh=self.zh)

    async def _undo(self, request: Restore, cell: str | None) -> TurnResult:
        parent = await self.memory.parent_for(cell)
        version, notices = await self.memory.restore(request, parent=parent, cell=cell, charges=self.costs.charges)
        result = self._result(Intent.UNDO, text=words.memory_text(self.zh, "restored", self.hints, n=version.number,
                                                                  change=version.change), draft=version.draft)
        result.notices, result.version = notices, version.number
        self.history.append(result)
        return result

    async def _export_turn(self, emit: Emitter, options: RenderOptions, path: PathSpec,
                           preview_first: bool) -> TurnResult:
        video = await self.export(options=options, on_update=emit.callback, path=path, preview_first=preview_first)
        result = self._result(Intent.EXPORT, text=words.video_text(video, zh=self.zh), video=video)
        result.preview = self.renderer.last_preview
        result.reused = video.cached
        (before, line), self.renderer.last_cost = self.renderer.last_cost, (None, None)
        if before is not None:
            result.cost_line = line
            result.credits_spent, result.credits_left = await self.costs.after(before)
        return result

    async def _upload_turn(self, command: Upload, on_update: UpdateCallback | None, cell: str | None) -> TurnResult:
        if not command.paths and not command.urls:
            message, hint = words.NOTHING_TO_UPLOAD
            raise NemoError(message, hint=hint)
        uploads = await self.upload(command.paths, command.urls, on_update=on_update, cell=cell)
        result = self._result(Intent.UPLOAD, text=words.uploaded_text([u.filename for u in uploads],
                                                                      self.last_upload_refused),
                              uploads=list(uploads))
        result.reused = self.last_upload_reused
        return result

    async def _chat(self, command: Chat, emit: Emitter, *, cell: str | None, cell_label: str | None, fresh: bool,
                    max_credits: float | None, invite: bool, hints: Hints | None) -> TurnResult:
        """A chat turn: shown again from the replay store when its chain is unchanged, else sent."""
        text, memory = command.text, self.memory
        if memory.language is None:
            memory.language = "zh" if is_zh(text) else "en"   # the first prompt sets the labels' language
        self.last_prompt = text
        parent = await memory.parent_for(cell)
        key = chain(parent, "chat", text)
        entry = None if fresh else memory.entry(key)
        if entry is not None and entry.get("kind") == "chat":
            result = memory.replayed(entry, key, parent, cell, cell_label, text, backend=self.badge,
                                     charges=self.costs.charges)
            emit(TurnUpdate("state", text=result.text, draft=result.draft, changes=result.changes, brief=result.brief))
        else:
            notices: list[str] = []
            await memory.reconcile(notices)
            current = memory.versions.current
            before, cost_line = await self.costs.before(
                limit=max_credits, has_draft=current is not None and not _empty(current.draft), zh=self.zh)
            if cost_line:
                emit(TurnUpdate("tool", tool=cost_line))
            result = await self._guarded(
                chat_turn(self.session, text, emit, hints=hints, invite=invite, lang_zh=self.zh),
                TurnCancelled(words.TURN_CANCELLED))
            result.backend, result.conversation = self.badge, self.name
            result.notices[:0] = notices
            result.cost_line = cost_line
            result.credits_spent, result.credits_left = await self.costs.after(before)
            memory.record_turn(result, key, parent, cell_label, text)
            memory.step(key, parent, cell)
        self.history.append(result)
        result.zh = self.zh
        result.text = words.export_invite(result.text, hints, zh=self.zh, drop=not invite)
        return result

    async def edit(self, draft: Draft, *, cell: str | None = None) -> TurnResult:
        """Stand on ``draft``, edited by hand (the timeline widget, a DataFrame read back with
        ``Draft.from_dataframe``): nothing is generated or charged; the backend's draft is set to it
        (on the cloud the notebook keeps it: an export renders it), it is a new version ("undo"
        brings the one before back) and its change is said in words (``result.changes``)."""
        before = await self.timeline()
        changes = list(before.diff(draft)) if before is not None else []
        if self.zh:
            changes = [words.zh_change(c) for c in changes]
        if before is not None and not changes:
            return self._result(Intent.EDIT, text=words.memory_text(self.zh, "unchanged"), draft=draft)
        parent = await self.memory.parent_for(cell)
        version = await self.memory.edit(draft, changes, parent=parent, cell=cell)
        result = self._result(Intent.EDIT, text=words.memory_text(self.zh, "edited", n=version.number),
                              draft=draft)
        result.changes, result.version, result.draft_before = changes, version.number, before
        self.history.append(result)
        self._notify(draft)
        return result

    def watch(self, callback: Callable[[Draft | None], object]) -> Callable[[], None]:
        """Call ``callback(draft)`` whenever the draft this conversation stands on changes (a turn, an
        undo, an edit; from any surface, on the client's loop). Returns the function that stops it."""
        self._watchers.append(callback)

        def stop() -> None:
            with contextlib.suppress(ValueError):
                self._watchers.remove(callback)
        return stop

    def _notify(self, draft: Draft | None) -> None:
        for callback in list(self._watchers):
            with swallowed(log, "telling a surface about the new draft"):   # one surface never breaks a turn
                callback(draft)

    # -- renders -------------------------------------------------------------------------------
    async def export(self, *, options: RenderOptions | None = None, on_update: UpdateCallback | None = None,
                     path: PathSpec = None, quality: str | None = None, resolution: str | None = None,
                     timeout: float | None = None, preview_first: bool = False) -> Video:
        """Render the current draft; returns the client's ``Video`` (downloaded to ``path`` if given).

        The same draft already rendered with the same settings reuses that file (``video.cached``);
        a render of it still running (say, from before a kernel restart) is picked up, not resubmitted.
        ``preview_first``: a quick preview is rendered beside a full-quality render and sent as a
        ``"preview"`` update (``TurnUpdate.video``) as soon as it is there, to play meanwhile.
        """
        expected = self.memory.expected
        stands_on = expected if isinstance(expected, Draft) and not expected.is_empty else None
        return await self._guarded(
            self.renderer.export(self.session, stands_on, _options(options, quality, resolution, timeout),
                                 Emitter(on_update), path, meta=self._job_meta, zh=self.zh,
                                 preview_first=preview_first),
            RenderCancelled(words.RENDER_CANCELLED))

    def _job_meta(self, draft: Draft) -> dict[str, object]:
        """What the job list keeps about a render: its conversation, its name and the notebook it came from."""
        return {"conversation": self.name, "label": self.video_label(draft), "notebook": self.memory.place}

    async def resume(self, job_id: str, *, on_update: UpdateCallback | None = None,
                     timeout: float | None = None, path: str | Path | None = None) -> Video:
        """Re-attach an unfinished render by id (e.g. after a kernel restart) and wait for it.

        Without ``path`` the file goes where the render was first meant to go (the job list keeps it)."""
        return await self._guarded(self.renderer.resume(job_id, Emitter(on_update), timeout=timeout, path=path),
                                   RenderCancelled(words.RENDER_CANCELLED))

    def attach(self, job_id: str) -> RenderJobLike:
        """The render ``job_id`` of this backend, with what the local job list says about it."""
        return self.nemo.attach(job_id)

    # -- reading ------------------------------------------------------------------------------
    async def storyboard(self, width: int = 240) -> Storyboard | None:
        """The storyboard strip of the current draft (one still per scene, painted from the draft
        alone, before any video), or ``None``: no draft yet, or a backend without one (the cloud)."""
        if not self.started:
            return None
        try:
            return await self.session.storyboard(width=width)
        except NemoError:
            return None  # a strip is a nicety: never fail a turn for it

    async def timeline(self) -> Draft | None:
        """The current draft, or ``None`` before the first message.

        After an undo or a replayed turn that is the draft this conversation stands on."""
        expected = self.memory.expected
        if expected is not UNSET:
            return expected
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

    def _checked(self, paths: list[str], more: bool) -> tuple[list[str], list[str]]:
        """The files that can be sent, and each refused one with why (a format the backend does not
        take, too large, missing): the good files of several go, the others are named. When none
        can go (and no URL either), the refusal is the error."""
        good: list[str] = []
        refused: list[str] = []
        first: UploadError | None = None
        for path in paths:
            try:
                check_files([path], max_bytes=self.nemo.settings.max_upload_bytes)
                good.append(path)
            except UploadError as exc:
                first = first or exc
                refused.append(_refusal(path, exc))
        if first is not None and not good and not more:
            if len(refused) > 1:
                raise UploadError("None of the files can be uploaded: " + "; ".join(refused) + ".",
                                  hint=first.hint) from None
            raise first
        return good, refused

    async def upload(self, paths: Iterable[str | Path] = (), urls: Sequence[str] = (), *,
                     on_update: UpdateCallback | None = None, cell: str | None = None) -> list[UploadedFile]:
        """Upload local files and/or URLs to this conversation's session.

        An upload is a step of the conversation's chain: the same files (same size and time)
        uploaded again at the same place (Run All, a restarted kernel) are not sent again. Of several
        files, those the backend cannot take are left out and named in ``last_upload_refused`` (with
        why); the others are uploaded."""
        emit = Emitter(on_update)
        local, self.last_upload_refused = self._checked([str(Path(p).expanduser()) for p in paths], bool(urls))
        memory = self.memory
        parent = await memory.parent_for(cell)
        key = chain(parent, "upload", upload_fingerprint(local, list(urls)))
        known = memory.replayed_upload(memory.entry(key), key, parent, cell)
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
        memory.record_upload(key, parent, cell, out)
        return out


def _refusal(path: str, exc: UploadError) -> str:
    return f"{Path(path).name} ({exc.message.rstrip('.')})"


def _options(options: RenderOptions | None, quality: str | None, resolution: str | None,
             timeout: float | None) -> RenderOptions:
    """``options`` with what the keyword options say (the keywords win)."""
    return RenderOptions(quality=quality, resolution=resolution, timeout=timeout).or_(options or RenderOptions())


def _empty(draft: Draft | None) -> bool:
    return draft is None or draft.is_empty
