"""``ChatWidget``: a prompt box whose reply streams in, with Cancel, actions, timeline and player.

The widget only talks to a :class:`~nemo_jupyter.conversation.Conversation`. A turn runs
on the client's background loop (``nemo_jupyter._loop.submit``), so the kernel's main
thread stays idle and keeps receiving the front end's clicks: Cancel calls
``conversation.cancel()`` while the turn streams. Reply text reaches the ``reply`` trait
at a few Hz (:class:`~nemo_jupyter.widgets._base.Throttle`), never once per token.
"""

from __future__ import annotations

import concurrent.futures
import threading
from collections.abc import Coroutine, Sequence
from pathlib import Path
from typing import Any

import anywidget
import ipywidgets
import traitlets

from ...client.draft import Draft
from ...client.exceptions import NemoError, RenderCancelled
from ...client.models import UploadedFile, Video
from ...client.secrets import get_logger, swallowed
from ...conversation import (
    Conversation,
    Conversations,
    Progress,
    TurnCancelled,
    TurnResult,
    TurnUpdate,
    UpdateCallback,
    fold,
)
from ...conversation.words import credits_badge
from ..naming import output_path
from ..notebook_words import preview_note
from ._base import Throttle, checklist_state, css, esm, redact
from ._receive import ChunkReceiver
from ._snapshot import StaticCopy, esc, plain_transcript, transcript, video_block
from .timeline import TimelineWidget
from .video import VideoWidget

log = get_logger("nemo_jupyter.ui")

#: how the backend's GUI words are rewritten for a widget user
WIDGET_HINTS: dict[str, dict[str, str]] = {
    # worded so that no translation rule matches its own output again
    "en": {
        "export": "find the Export video button below",
        "timeline": "see the timeline below",
        "send": 'choose "{label}" below',
        "export_invite": "Press the Export video button below to render it.",
        "undo": 'say "undo"',
    },
    "zh": {
        "export": "用下方的「Export video」按钮渲染",
        "timeline": "看下方的时间线",
        "send": "选择下方的「{label}」",
        "export_invite": "点下方的「Export video」按钮即可渲染。",
    },
}

MAX_MESSAGES = 60
MAX_TEXT = 20_000

def _submit(coro: Coroutine[Any, Any, Any]) -> concurrent.futures.Future[Any]:
    from ...client.loop import submit

    return submit(coro)


def make_conversation(backend: str | None = None, session: str | None = None) -> Conversation:
    """A conversation of its own for a widget (``backend``: local, cloud or a URL)."""
    return Conversations(backend, hints=WIDGET_HINTS).get(session or "chat")


class ChatWidget(StaticCopy, anywidget.AnyWidget):
    """Chat with the video agent: prompt box, streaming reply, Cancel, actions, timeline, player.

    ``ChatWidget()`` opens a conversation of its own on the default backend;
    ``ChatWidget(conversation)`` reuses one (``%nemo chat`` passes the magics' current one);
    ``backend=`` ("local", "cloud" or a URL) and ``session=`` (a name) choose another.
    ``send(text)``, ``export()`` and ``upload(paths)`` start work from Python and return a
    :class:`concurrent.futures.Future`; ``wait()`` blocks until the current work is done.
    ``new_conversation()`` starts again with an empty draft; ``clear()`` empties the transcript.
    The Upload button sends the picked files' bytes to the kernel as binary buffers.
    """

    static_title = "Nemo chat"

    _esm = esm("chat")
    _css = css("nemo")

    messages = traitlets.List(traitlets.Dict()).tag(sync=True)
    reply = traitlets.Unicode("").tag(sync=True)
    activity = traitlets.Unicode("").tag(sync=True)
    status = traitlets.Unicode("idle").tag(sync=True)  # idle | working | exporting | cancelled | error
    actions = traitlets.List(traitlets.Unicode()).tag(sync=True)
    backend = traitlets.Unicode("").tag(sync=True)
    credits = traitlets.Unicode("").tag(sync=True)   # the badge's words: "2,400 credits", "free: nothing is charged"
    progress = traitlets.Float(-1.0).tag(sync=True)
    error = traitlets.Unicode("").tag(sync=True)
    uploads = traitlets.List(traitlets.Unicode()).tag(sync=True)  # file names in this conversation
    placeholder = traitlets.Unicode("Describe a video, or an edit… (Enter sends, Shift+Enter: new line)").tag(sync=True)

    def __init__(self, conversation: Conversation | None = None, *, backend: str | None = None,
                 session: str | None = None,
                 quality: str = "high", outputs: str | Path = "nemo_outputs", reply_hz: float = 4.0,
                 **kwargs: Any) -> None:
        super().__init__(**kwargs)
        if conversation is None:
            conversation = make_conversation(backend, session)
        elif conversation.hints is None:
            conversation.hints = WIDGET_HINTS
        self.conversation = conversation
        self.quality = quality
        self.outputs = Path(outputs)
        self.timeline = TimelineWidget(conversation=conversation)   # editable: drag, retext, delete, undo
        self.timeline.observe(self._timeline_edited, names="change")
        self.video = VideoWidget()
        self.video.layout.display = "none"
        # the draft's storyboard strip (one still per scene), shown the moment a draft exists
        self.storyboard = ipywidgets.HTML(layout=ipywidgets.Layout(display="none"))
        self.last_result: TurnResult | None = None
        self.last_video: Video | None = None
        self._future: concurrent.futures.Future[Any] | None = None
        self._lock = threading.RLock()
        self._reply_hz = reply_hz
        self._box: ipywidgets.VBox | None = None
        self._receiver = ChunkReceiver()
        self.backend = redact(conversation.badge or "nemo")
        self.on_msg(self._on_front_msg)
        if conversation.started:  # e.g. %nemo chat after some %%nemo cells
            self.refresh()

    # -- display: the chat panel, then the timeline and the player under it ------------------
    @property
    def box(self) -> ipywidgets.VBox:
        if self._box is None:
            self._box = ipywidgets.VBox([self, self.timeline, self.storyboard, self.video])
        return self._box

    def _repr_mimebundle_(self, **kwargs: Any) -> Any:
        bundle = self.box._repr_mimebundle_(**kwargs)
        if isinstance(bundle, dict):
            bundle["text/plain"] = repr(self)
        return bundle

    def __repr__(self) -> str:
        turns = sum(1 for m in self.messages if m.get("role") == "user")
        return f"ChatWidget(backend={self.backend!r}, status={self.status!r}, turns={turns})"

    # -- public API --------------------------------------------------------------------------
    @property
    def busy(self) -> bool:
        return self._future is not None and not self._future.done()

    def send(self, text: str) -> concurrent.futures.Future[Any]:
        """Send ``text`` (routed like ``%%nemo``: chat, export, credits, status, upload)."""
        text = (text or "").strip()
        if not text:
            raise ValueError("Type a message first.")
        return self._start(self._turn(text))

    def export(self) -> concurrent.futures.Future[Any]:
        """Render the current draft and show the video under the chat."""
        return self._start(self._export())

    def cancel(self) -> bool:
        """Stop the running turn or render. True if something was running."""
        stopped = bool(self.conversation.cancel())
        if not stopped and self._future is not None and not self._future.done():
            stopped = self._future.cancel()
        return stopped

    def wait(self, timeout: float | None = None) -> Any:
        """Block until the current turn or render is done; returns its result (None if cancelled)."""
        future = self._future
        if future is None:
            return None
        try:
            return future.result(timeout)
        except concurrent.futures.CancelledError:
            return None

    def refresh(self) -> concurrent.futures.Future[Any]:
        """Re-read the timeline and the credits."""
        return _submit(self._refresh(timeline=True))

    def upload(self, paths: str | Path | Sequence[str | Path]) -> concurrent.futures.Future[Any]:
        """Upload local files to this conversation (what the Upload button does after the transfer)."""
        if isinstance(paths, (str, Path)):
            paths = [paths]
        return self._start(self._upload([Path(p) for p in paths], keep=True))

    def new_conversation(self) -> None:
        """Start again: an empty draft in a new backend session (the old one stays there)."""
        if self.busy:
            raise NemoError("The chat is still working.", hint="Wait for it, or press Cancel first.")
        self.conversation.new()
        self.timeline.draft = None
        self.video.clear()
        self.video.layout.display = "none"
        self.last_result = self.last_video = None
        self._set(messages=[], reply="", activity="", actions=[], error="", uploads=[], progress=-1.0,
                  status="idle")
        self._append("note", "New conversation: describe a video to start.")
        self.push_static()

    def clear(self) -> None:
        """Empty the transcript shown here; the draft, timeline and video stay."""
        self._set(messages=[], error="")
        self.push_static()

    # -- the static copy kept in the notebook ---------------------------------------------------
    def static_body(self) -> str:
        parts = [transcript(self.messages)]
        draft = self.timeline.draft
        if isinstance(draft, Draft):
            parts.append(f'<p class="nemo-s-note">{esc(redact(draft.summary()))}</p>')
        video = self.last_video
        if video is not None:
            parts.append(video_block(video.path, video.url, video.duration))
        return "".join(parts)

    def static_text(self) -> str:
        return "Nemo chat (static copy)\n" + plain_transcript(self.messages)

    # -- internals ---------------------------------------------------------------------------
    def _set(self, **values: Any) -> None:
        with self._lock, self.hold_sync():
            for key, value in values.items():
                setattr(self, key, value)

    def _start(self, coro: Any) -> concurrent.futures.Future[Any]:
        with self._lock:
            if self.busy:
                coro.close()
                raise NemoError("The chat is still working on the last message.",
                                hint="Wait for it, or press Cancel.")
            self._future = _submit(coro)
            return self._future

    def _append(self, role: str, text: str, *, checklist: dict[str, Any] | None = None) -> None:
        message: dict[str, Any] = {"role": role, "text": redact(text)[:MAX_TEXT]}
        if checklist is not None:
            message["checklist"] = checklist   # what the message asked, item by item (✓ ≈ ✗)
        msgs = [*self.messages, message]
        self.messages = msgs[-MAX_MESSAGES:]

    def _on_front_msg(self, _widget: Any, content: Any, _buffers: Any) -> None:
        if not isinstance(content, dict):
            return
        kind = content.get("type")
        try:
            if kind == "upload_chunk":
                ipywidgets.Widget.send(self, self._receiver.chunk(content, list(_buffers or [])))
                return
            if kind == "snapshot?":
                self.push_static()
            elif kind == "upload_abort":
                self._receiver.abort(content.get("id"))
            elif kind == "upload_done":
                ids = content.get("ids")
                paths = self._receiver.take(list(ids) if isinstance(ids, list) else [])
                given = content.get("refused")
                refused = [redact(str(r))[:300] for r in given[:20]] if isinstance(given, list) else []
                if paths:
                    self._start(self._upload(paths, keep=False, refused=refused))
                elif refused:   # nothing could go: say which and why, in the transcript and the error line
                    self._append("note", f"Not uploaded ({len(refused)}): " + "; ".join(refused))
                    self._set(error="Nothing was uploaded: " + "; ".join(refused))
            elif kind == "new":
                self.new_conversation()
            elif kind == "clear":
                self.clear()
            elif kind == "send":
                self.send(str(content.get("text", "")))
            elif kind == "cancel":
                self.cancel()
            elif kind == "action":
                self._action(str(content.get("name", "")))
        except (NemoError, ValueError) as exc:
            self._set(error=redact(str(exc)))

    def _action(self, name: str) -> None:
        if name == "export":
            self.export()
        elif name == "timeline":
            self.refresh()
        elif name.startswith("send:"):
            self.send(name[5:])

    def _on_update(self, throttle: Throttle | _Noop) -> UpdateCallback:
        """Fold the turn's updates (the conversation layer's one reducer) and draw each state."""
        state = Progress()

        def on_update(update: TurnUpdate) -> None:
            nonlocal state
            before, state = state, fold(state, update)
            self._draw(before, state, throttle)

        return on_update

    def _draw(self, before: Progress, state: Progress, throttle: Throttle | _Noop) -> None:
        """Map the turn's state to traits: the reply (throttled), the activity, the progress, the draft."""
        if state.kind == "text":
            throttle.offer(state.text)
        values: dict[str, Any] = {}
        if state.activity and (state.activity != before.activity or state.kind in ("tool", "notice", "progress")):
            values["activity"] = redact(state.activity)
        if state.kind == "progress" and state.percent is not None:
            values["progress"] = state.percent
        if values:
            self._set(**values)
        if state.draft is not None and state.draft is not before.draft and state.kind == "state":
            self._show_draft(state.draft)
        if state.kind == "preview" and state.preview is not None:
            self._show_video(state.preview, stage="preview")   # plays while the full-quality file renders

    def _show_draft(self, draft: Draft) -> None:
        self.timeline.draft = draft

    def _timeline_edited(self, change: dict[str, Any]) -> None:
        """An edit made on the timeline under the chat: said in the transcript too."""
        if change.get("new"):
            self._append("note", str(change["new"]))
            self.push_static()

    async def _show_storyboard(self) -> None:
        board = None
        with swallowed(log, "drawing the storyboard strip"):  # a nicety: never fail a turn for it
            board = await self.conversation.storyboard(width=160)
        if board is not None:
            self.storyboard.value = board._repr_html_()
            self.storyboard.layout.display = ""

    async def _turn(self, text: str) -> TurnResult | None:
        self._append("user", text)
        self._set(status="working", reply="", activity="sending…", actions=[], error="")
        throttle = Throttle(lambda value: self._set(reply=redact(str(value))[:MAX_TEXT]), hz=self._reply_hz)
        try:
            result = await self.conversation.run(
                text, on_update=self._on_update(throttle), quality=self.quality, path=self._video_path(),
                preview_first=True, hints=WIDGET_HINTS)
        except (TurnCancelled, RenderCancelled):
            self._preview_only()
            throttle.flush()
            partial = self.reply
            if partial:
                self._append("assistant", partial)
            self._append("note", "Cancelled. Nothing was re-sent; the backend may still finish that turn.")
            self._set(status="cancelled", reply="", activity="cancelled: nothing was re-sent",
                      progress=-1.0)
            return None
        except NemoError as exc:
            self._preview_only()
            throttle.flush()
            if self.reply:
                self._append("assistant", self.reply)
            self._set(status="error", reply="", activity="", error=redact(str(exc)), progress=-1.0)
            return None
        throttle.flush()
        self.last_result = result
        actions = [a for a in result.actions if a not in ("edit", "export")]
        if result.draft is not None:
            self._show_draft(result.draft)
            if result.changes:
                await self._show_storyboard()
        if result.video is not None:
            self._show_video(result.video)
        if result.uploads:
            self._note_uploads(result.uploads)
        self._append("assistant", result.text or self.reply, checklist=checklist_state(result.brief))
        self._set(status="idle", reply="", activity="", actions=self._with_export(actions), progress=-1.0)
        await self._refresh(credits=True)
        self.push_static()
        return result

    def _exportable(self) -> bool:
        """True while the draft shown has something to render."""
        tracks: Any = self.timeline.timeline.get("tracks") or []
        return any(t.get("segments") for t in tracks if isinstance(t, dict))

    def _with_export(self, actions: list[str]) -> list[str]:
        """``actions`` with Export first while the draft is exportable (whatever the reply said)."""
        rest = [a for a in actions if a != "export"]
        return ["export", *rest] if self._exportable() else rest

    def _video_path(self) -> Path:
        """The next video's file, named after the draft's title (or the conversation's name)."""
        return output_path(self.timeline.title or self.conversation.name, self.outputs)

    def _note_uploads(self, uploads: Sequence[UploadedFile]) -> None:
        names = [redact(u.filename)[:120] for u in uploads]
        self._set(uploads=[*self.uploads, *names][-50:])

    async def _upload(self, paths: list[Path], *, keep: bool, refused: Sequence[str] = ()) -> list[UploadedFile] | None:
        names = ", ".join(p.name for p in paths)
        self._set(status="uploading", activity=f"uploading {names}…", progress=0.0, error="")
        throttle = _Noop()
        try:
            uploads = await self.conversation.upload(paths, on_update=self._on_update(throttle))
        except NemoError as exc:
            self._set(status="error", error=redact(str(exc)), progress=-1.0, activity="")
            return None
        finally:
            if not keep:
                ChunkReceiver.discard(paths)
        self._note_uploads(uploads)
        left_out = [*refused, *self.conversation.last_upload_refused]
        if uploads:
            got = ", ".join(redact(u.filename) for u in uploads)
            self._append("note", f"Uploaded {got}. Say what to do with it, e.g. \"use it as the background\".")
        if left_out:   # the good files went; the others are named, each with why
            self._append("note", f"Not uploaded ({len(left_out)}): " + "; ".join(left_out))
        self._set(status="idle", activity="", progress=-1.0, actions=self._with_export(list(self.actions)))
        self.push_static()
        return uploads

    async def _refresh(self, *, timeline: bool = False, credits: bool = True) -> None:
        if timeline:
            try:
                draft = await self.conversation.timeline()
                if draft is not None:
                    self._show_draft(draft)
            except NemoError as exc:
                self._set(error=redact(str(exc)))
        if credits:
            try:
                value = await self.conversation.credits()
                self._set(credits=credits_badge(value, self.conversation.zh))
            except Exception as exc:  # a badge must never fail a turn
                log.debug("reading the credits badge failed: %s: %s", type(exc).__name__, exc)

    async def _export(self) -> Video | None:
        self._set(status="exporting", activity="submitting the render…", progress=0.0, error="", actions=[])
        throttle = _Noop()
        try:
            video = await self.conversation.export(
                quality=self.quality, on_update=self._on_update(throttle), path=self._video_path(),
                preview_first=True)
        except RenderCancelled:
            self._preview_only()
            self._append("note", "Render cancelled.")
            self._set(status="cancelled", activity="render cancelled", progress=-1.0, actions=["export"])
            return None
        except NemoError as exc:
            self._preview_only()
            self._set(status="error", error=redact(str(exc)), progress=-1.0, activity="", actions=["export"])
            return None
        self._show_video(video)
        self._set(status="idle", activity="", progress=-1.0, actions=self._with_export([]))
        self.push_static()
        return video

    def _preview_only(self) -> None:
        """A render that stopped or failed after its preview: the preview no longer promises more."""
        if self.video.stage == "preview":
            self.video.note = preview_note(self.conversation.zh, final=False)

    def _show_video(self, video: Video, *, stage: str = "final") -> None:
        if stage == "final":
            self.last_video = video
        try:
            self.video.show(video, stage=stage,
                            note=preview_note(self.conversation.zh) if stage == "preview" else "")
        except (FileNotFoundError, ValueError) as exc:
            self._set(error=redact(str(exc)))
            return
        self.video.layout.display = None


class _Noop:
    def offer(self, _value: Any) -> None:
        pass

    def flush(self) -> None:
        pass
