"""``%%nemo`` and ``%nemo ...``: a prompt in a cell, a video under it.

::

    %load_ext nemo_jupyter
    %%nemo -x
    generate a 30-second video of a forest with birds and soft background music

The magics only present: every turn goes through :mod:`nemo_jupyter.conversation`
(no HTTP here). The turn runs on the client's background loop; this module waits
for it on the kernel's thread and redraws one display handle at most
``refresh_hz`` times a second.
"""

from __future__ import annotations

import os
import queue
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from IPython.core.displaypub import DisplayPublisher
from IPython.core.error import UsageError
from IPython.core.magic import Magics, line_cell_magic, magics_class
from traitlets import Bool, CFloat, Unicode, observe

from ..client.draft import Draft
from ..client.exceptions import NemoError, NotExportable
from ..client.loop import run_sync, submit
from ..client.models import RenderOptions
from ..client.secrets import get_logger, swallowed
from ..conversation import Command, Conversation, Conversations, Export, TurnCancelled, TurnUpdate
from . import batching, naming
from . import display as view
from .arguments import SUBCOMMANDS, ArgumentsError, HelpShown, parse_cell, parse_line, split_line
from .cell_output import (
    NemoReply,
    Player,
    cannot_serve_files,
    display,
    failed_bundle,
    show_checklist,
    show_player,
    show_result,
    show_timeline,
)
from .interpolate import interpolate
from .live import Live, NotebookLive, TerminalLive
from .notebook_words import (
    did_you_mean,
    elsewhere_text,
    interrupted_text,
    made_current_text,
    preview_note,
    shown,
)
from .subcommands import HANDLERS, handle_help

log = get_logger("nemo_jupyter.ui")

__all__ = [
    "SUBCOMMANDS",
    "NemoMagics",
    "NemoReply",
    "interpolate",
    "load_ipython_extension",
    "unload_ipython_extension",
]

MAGIC_HINTS: dict[str, dict[str, str]] = {
    "en": {
        "export": "run %nemo export (or add -x to the %%nemo line)",
        "timeline": "run %nemo status to see the timeline",
        "edit": "describe the change in your next %%nemo cell",
        "send": 'ask for "{label}" in your next %%nemo cell',
        "export_invite": "Run %nemo export to render it (or add -x to the %%nemo line).",
        "undo": "%nemo undo",
        "reused": "(reused, no credits spent; --fresh asks again)",
    },
    "zh": {
        "export": "运行 %nemo export 导出（或在 %%nemo 行加 -x）",
        "timeline": "运行 %nemo status 查看时间线",
        "edit": "在下一个 %%nemo 单元格里用文字描述修改",
        "send": "在下一个 %%nemo 单元格里说「{label}」",
        "export_invite": "运行 %nemo export 即可渲染（或在 %%nemo 行加 -x）。",
        "undo": "%nemo undo ",
        "reused": "（沿用上次的结果，未花费积分；--fresh 重新请求）",
    },
}

class _Interrupted(TurnCancelled):
    """The user interrupted the cell (or the kernel is restarting): the cell already says what stopped."""

    def _render_traceback_(self) -> list[str]:
        """The sentence alone: it starts with "Interrupted" already (no class name before it, no hint
        about re-sending that the sentence does not need)."""
        return [f"\x1b[1;33m{self.message}\x1b[0m"]


# ----------------------------------------------------------------------------------------------
# The magics
# ----------------------------------------------------------------------------------------------


@magics_class
class NemoMagics(Magics):
    """``%%nemo`` (the cell is the prompt) and ``%nemo SUBCOMMAND`` (see ``%nemo help``)."""

    embed = Bool(False, help="Embed rendered MP4s in the notebook (base64) instead of linking the file.").tag(config=True)
    output_dir = Unicode("nemo_outputs", help="Folder (relative to the kernel's working directory) for MP4s.").tag(
        config=True)
    backend = Unicode("", help="Backend: local, cloud or a URL; empty means NEMO_BACKEND / the default.").tag(
        config=True)
    quality = Unicode("high", help="Render quality: high, medium or preview.").tag(config=True)
    resolution = Unicode("", help="Render resolution: 1080p, 720p, or empty for the backend's default.").tag(
        config=True)
    refresh_hz = CFloat(4.0, help="Redraws per second while a reply streams (at most).").tag(config=True)
    interpolate = Bool(True, help="Replace {name} in prompts with variables from the notebook.").tag(config=True)
    render_timeout = CFloat(900.0, help="Seconds to wait for a render before giving up (the job id is kept).").tag(
        config=True)
    max_credits = CFloat(0.0, help="Refuse a turn that typically costs more credits than this (0: no limit; "
                                   "the local engine costs nothing).").tag(config=True)
    replay = Bool(True, help="Show a cell that ran before unchanged again instead of re-sending it "
                             "(no credits spent); %%nemo --fresh asks again.").tag(config=True)

    def __init__(self, shell: Any = None, **kwargs: Any) -> None:
        super().__init__(shell=shell, **kwargs)  # type: ignore[no-untyped-call]
        self.conversations = Conversations(self.backend or None, hints=MAGIC_HINTS, replay=self.replay,
                                           place=_place)
        self._cell_id: str | None = None
        self._cell_label: str | None = None
        events = getattr(shell, "events", None)
        if events is not None:
            events.register("pre_run_cell", self._pre_run_cell)

    def _pre_run_cell(self, info: Any = None) -> None:
        """Which notebook cell is running (JupyterLab sends its id), so a re-run replaces, not appends."""
        cell_id = getattr(info, "cell_id", None)
        self._cell_id = str(cell_id) if cell_id else None
        count = getattr(self.shell, "execution_count", None)
        self._cell_label = f"[{count}]" if isinstance(count, int) else None

    @observe("backend")
    def _backend_changed(self, change: dict[str, Any]) -> None:
        if "conversations" not in self.__dict__:
            return  # set from config before __init__ finished: used when the registry is made
        run_sync(self.conversations.switch_backend(change["new"] or None))

    # -- entry point ----------------------------------------------------------------------------
    @line_cell_magic
    def nemo(self, line: str = "", cell: str | None = None) -> Any:
        """Send a prompt to NemoVideo (cell), or run a subcommand (line). ``%nemo help`` lists them."""
        try:
            if cell is None:
                return self._line(line)
            return self._cell(line, cell)
        except HelpShown:
            return None
        except ArgumentsError as exc:
            raise UsageError(str(exc)) from None

    # -- cell ---------------------------------------------------------------------------------
    def _cell(self, line: str, cell: str) -> Any:
        argv = split_line(line)
        if argv and argv[0] in ("compare", "chat"):
            return self._line(line, cell=cell)
        args = parse_cell(argv)
        prompt = cell.strip()
        if not prompt:
            raise UsageError("%%nemo: the cell is empty. Write a prompt under the %%nemo line, "
                             "for example: make a 15-second video of the ocean")
        if args.each:   # one video per row: the cell is a template (ui/batching.py)
            return batching.run_cell(self, args, prompt)
        if args.interpolate if args.interpolate is not None else self.interpolate:
            prompt = interpolate(prompt, self.ns())
        if args.session and args.session != self.conversations.current:
            before = self.conversations.current   # -s NAME makes NAME current: said once, when it changes
            self.conversations.use(args.session)
            print(made_current_text(args.session, before))
        conv = self.conversations.get(args.session)
        result = self.turn(conv, conv.parse(prompt), export=args.export, render=args.render, embed=args.embed,
                           fresh=args.fresh, max_credits=args.max_credits)
        if args.output:
            self.ns()[args.output] = result
        return result

    def _line(self, line: str, cell: str | None = None) -> Any:
        argv = split_line(line)
        if not argv:
            return handle_help(self, parse_line("help", []))
        name, rest = argv[0], argv[1:]
        if name in ("-h", "--help"):
            return handle_help(self, parse_line("help", []))
        guess = did_you_mean(name, list(SUBCOMMANDS)) if name not in SUBCOMMANDS else None
        options = any(a.startswith("-") for a in argv)
        if name not in SUBCOMMANDS and (not rest or options or (guess and len(rest) <= 1)):
            # a word that is no subcommand (alone, with options, or a near miss): a typo, never sent
            hint = f" — did you mean {guess}?" if guess else ""
            raise UsageError(f"%nemo: unknown subcommand {name!r}{hint} Run %nemo help for the list "
                             "(a prompt goes in a %%nemo cell, or %nemo followed by a sentence).")
        if name not in SUBCOMMANDS:
            # a one-line prompt: %nemo make a 10-second video of rain
            prompt = line.strip()
            if self.interpolate:
                prompt = interpolate(prompt, self.ns())
            conv = self.conversations.get()
            return self.turn(conv, conv.parse(prompt))
        args = parse_line(name, rest)
        handler = HANDLERS[name]
        if name == "compare":
            return handler(self, args, cell)
        value = handler(self, args)
        if args.output and name != "export":
            self.ns()[args.output] = value
        return shown(value)  # printed above already: no second echo as Out[]

    # -- one turn -------------------------------------------------------------------------------
    @property
    def cell_id(self) -> str | None:
        """The id of the notebook cell running now (JupyterLab sends it), or None."""
        return self._cell_id

    def embed_for(self, embed: bool | None) -> bool:
        """Embed the MP4 (``--embed``, else the config), always where files are not served."""
        return (self.embed or cannot_serve_files()) if embed is None else embed

    def ns(self) -> dict[str, Any]:
        ns = getattr(self.shell, "user_ns", None)
        return ns if isinstance(ns, dict) else {}

    def _badge(self, conv: Conversation) -> str:
        """The backend, and the conversation's name when there is more than one."""
        names = self.conversations.names()
        return f"{conv.name} · {conv.badge}" if len(names) > 1 or conv.name != "default" else conv.badge

    def live(self, conv: Conversation) -> Live:
        """A redrawn display handle in a notebook front end; plain streamed text in a terminal."""
        pub = getattr(self.shell, "display_pub", None)
        if pub is None or type(pub) is DisplayPublisher:
            return TerminalLive(sys.stdout, bar=False)
        return NotebookLive(self.refresh_hz, self._badge(conv), display)

    def render_options(self, render: RenderOptions | None) -> RenderOptions:
        """``render`` (what a line said), the rest from the settings (``NemoMagics.quality``, ...)."""
        settings = RenderOptions(quality=self.quality or "high", resolution=self.resolution or None,
                                 timeout=self.render_timeout or None)
        return (render or RenderOptions()).or_(settings)

    def video_path(self, label: str, *, titled: bool = True) -> Path:
        """``nemo_outputs/<slug of the title>.mp4`` (``-2``, ``-3`` ... for another render of that name)."""
        return naming.output_path(label, self.output_dir, prompt=not titled)

    def _path_for(self, conv: Conversation) -> Callable[[Draft | None], Path]:
        def name(draft: Draft | None) -> Path:
            title = draft.title if draft is not None else None
            if title and title.strip():
                return self.video_path(title)
            return self.video_path(conv.video_label(draft), titled=False)
        return name

    def drive(self, conv: Conversation, make_coro: Callable[[Callable[[TurnUpdate], None]], Any],
               live: Live, observe: Callable[[TurnUpdate], None] | None = None) -> Any:
        """Run a conversation coroutine on the background loop; redraw ``live`` from this thread."""
        updates: queue.Queue[TurnUpdate] = queue.Queue()
        future = submit(make_coro(updates.put))

        def feed(update: TurnUpdate) -> None:
            live.feed(update)
            if observe is not None:
                observe(update)

        try:
            while True:
                try:
                    feed(updates.get(timeout=min(live.interval, 0.25)))
                    while True:
                        feed(updates.get_nowait())
                except queue.Empty:
                    pass
                if future.done() and updates.empty():
                    break
                live.tick()
        except KeyboardInterrupt:
            # Stop waiting, nothing more: a render keeps going on the backend (a kernel restart
            # interrupts first, and must not cost the user the render), a sent message is not re-sent.
            job = conv.current_job
            conv.cancel(render=False)
            with swallowed(log, "waiting for the interrupted turn"):
                future.result(timeout=3)   # a restart interrupts, then shuts down: answer quickly
            job_id = job.id if job is not None and job.status not in ("completed", "failed", "cancelled") else None
            message = interrupted_text(rendering=live.state.rendering, job_id=job_id, zh=conv.zh)
            text = live.text or ""
            live.final({"text/markdown": (view.escape_markdown(text) + "\n\n" if text else "")
                        + f"*{view.escape_markdown(message)}*",
                        "text/plain": (text + "\n" if text else "") + message})
            raise _Interrupted(message) from None
        live.tick(force=True)
        try:
            return future.result()
        except NemoError:
            live.final(failed_bundle(live))   # no "⏳ thinking…" left standing above the error
            raise

    def turn(self, conv: Conversation, command: Command, *, export: bool = False,
             render: RenderOptions | None = None, embed: bool | None = None, fresh: bool = False,
             max_credits: float | None = None) -> NemoReply:
        """Carry out ``command`` in ``conv`` under a live display; what the cell shows after it."""
        wants_video = export or isinstance(command, Export)
        path = self._path_for(conv) if wants_video else None
        limit = max_credits or (self.max_credits or None)
        live = self.live(conv)
        shown_draft: list[Draft] = []
        shown_brief: list[bool] = []
        player: list[Player] = []
        # a notebook plays a preview within seconds while the full-quality file renders
        preview_first = wants_video and isinstance(live, NotebookLive) and not self.embed_for(embed)

        def observe(update: TurnUpdate) -> None:   # after live folded it: read the state, not the update
            state = live.state
            # the checklist and the timeline as soon as they exist, above a render still running
            if state.kind in ("state", "brief") and state.brief is not None and not shown_brief:
                shown_brief.append(True)
                show_checklist(state.brief)
            if state.kind == "state" and state.draft is not None and not shown_draft:
                shown_draft.append(state.draft)
                show_timeline(state.draft, zh=conv.zh)
            if state.kind == "preview" and state.preview is not None and not player:
                shown = show_player(state.preview, zh=conv.zh)
                if shown is not None:
                    player.append(shown)

        try:
            result = self.drive(conv, lambda cb: conv.run(
                command, on_update=cb, export=export, options=self.render_options(render), path=path,
                cell=self.cell_id, cell_label=self._cell_label, fresh=fresh or not self.replay,
                max_credits=limit, preview_first=preview_first, hints=MAGIC_HINTS), live, observe)
        except NemoError as exc:
            if player:   # the preview stays, and no longer promises a file that is not coming here
                player[0].note = preview_note(conv.zh, final=False)
            # nothing to export or undo here: say where the drafts are (another conversation may have one)
            empty = conv.versions.current is None or conv.versions.current.draft is None
            elsewhere = elsewhere_text(self.conversations.with_drafts(but=conv.name)) if empty else ""
            if not elsewhere or type(exc) not in (NemoError, NotExportable):
                raise
            raise type(exc)(f"{exc.message} (conversation {conv.name!r})", hint=elsewhere) from None
        return show_result(result, live, conv, embed=self.embed_for(embed), timeline_shown=bool(shown_draft),
                           checklist_shown=bool(shown_brief), player=player[0] if player else None)


def _place() -> str:
    """Where the conversations live, for the replay keys: the notebook's path when the server says it."""
    return os.environ.get("JPY_SESSION_NAME") or os.getcwd()


def load_ipython_extension(ipython: Any) -> None:
    """``%load_ext nemo_jupyter``: register ``%%nemo`` / ``%nemo``."""
    ipython.register_magics(NemoMagics(ipython))


def unload_ipython_extension(ipython: Any) -> None:  # pragma: no cover - IPython cannot unregister magics
    pass
