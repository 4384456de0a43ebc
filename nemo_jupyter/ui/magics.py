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

import dataclasses
import os
import queue
import re
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from IPython.core.displaypub import DisplayPublisher
from IPython.core.error import UsageError
from IPython.core.magic import Magics, line_cell_magic, magics_class
from IPython.display import display as _ipy_display
from traitlets import Bool, CFloat, Unicode, observe

from ..client.exceptions import ConfigError, NemoError
from ..client.loop import run_sync, submit
from ..client.secrets import get_logger, swallowed
from ..conversation import Conversation, Conversations, Intent, TurnCancelled, TurnResult, TurnUpdate, words
from ..conversation.memory import words as memory_words
from . import display as view
from . import naming, timeline_table
from .arguments import (
    SUBCOMMANDS,
    ArgumentsError,
    HelpShown,
    LineArgs,
    RenderOptions,
    parse_cell,
    parse_line,
    split_line,
    sub_parser,
)
from .interpolate import interpolate
from .live import Live, NotebookLive, TerminalLive
from .notebook_words import did_you_mean, interrupted_text, jobs_text, shown, versions_html, versions_text

log = get_logger("nemo_jupyter.ui")

display: Callable[..., Any] = _ipy_display  # IPython's display() is untyped

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

# ----------------------------------------------------------------------------------------------
# Results shown by the magic
# ----------------------------------------------------------------------------------------------


@dataclasses.dataclass(repr=False)
class NemoReply(TurnResult):
    """A :class:`~nemo_jupyter.conversation.TurnResult` returned by the magic.

    The magic already drew it in the cell, so its first display as the cell's value
    is skipped (``_`` and ``Out`` still hold it); later displays show it in full.
    """

    video_path: str | None = None

    def __post_init__(self) -> None:
        self._skip_display = True

    def _ipython_display_(self) -> None:
        if self.__dict__.get("_skip_display"):
            self._skip_display = False
            return
        display(self._repr_mimebundle_(), raw=True)

    @classmethod
    def of(cls, result: TurnResult, **extra: Any) -> NemoReply:
        fields = {f.name: getattr(result, f.name) for f in dataclasses.fields(TurnResult)}
        return cls(**fields, **extra)


class _Interrupted(TurnCancelled):
    """The user interrupted the cell (or the kernel is restarting): the cell already says what stopped."""


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
        if args.interpolate if args.interpolate is not None else self.interpolate:
            prompt = interpolate(prompt, self._ns())
        conv = self.conversations.get(args.session)
        result = self._turn(conv, prompt, export=args.export, render=args.render, fresh=args.fresh,
                            max_credits=args.max_credits)
        if args.output:
            self._ns()[args.output] = result
        return result

    def _line(self, line: str, cell: str | None = None) -> Any:
        argv = split_line(line)
        if not argv:
            return self._help(parse_line("help", []))
        name, rest = argv[0], argv[1:]
        if name in ("-h", "--help"):
            return self._help(parse_line("help", []))
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
                prompt = interpolate(prompt, self._ns())
            return self._turn(self.conversations.get(), prompt, export=False, render=None)
        args = parse_line(name, rest)
        handler: Callable[..., Any] = getattr(self, f"_cmd_{name}")
        if name == "compare":
            return handler(args, cell)
        value = handler(args)
        if args.output and name != "export":
            self._ns()[args.output] = value
        return shown(value)  # printed above already: no second echo as Out[]

    # -- one turn -------------------------------------------------------------------------------
    def _ns(self) -> dict[str, Any]:
        ns = getattr(self.shell, "user_ns", None)
        return ns if isinstance(ns, dict) else {}

    def _badge(self, conv: Conversation) -> str:
        """The backend, and the conversation's name when there is more than one."""
        names = self.conversations.names()
        return f"{conv.name} · {conv.badge}" if len(names) > 1 or conv.name != "default" else conv.badge

    def _live(self, conv: Conversation) -> Live:
        """A redrawn display handle in a notebook front end; plain streamed text in a terminal."""
        pub = getattr(self.shell, "display_pub", None)
        if pub is None or type(pub) is DisplayPublisher:
            return TerminalLive(sys.stdout, bar=False)
        return NotebookLive(self.refresh_hz, self._badge(conv), display)

    def _render_opts(self, render: RenderOptions | None) -> dict[str, Any]:
        render = render or RenderOptions()
        quality = render.quality or self.quality or "high"
        resolution = render.resolution or self.resolution or None
        timeout = render.timeout or self.render_timeout or None
        return {"quality": quality, "resolution": resolution, "timeout": timeout}

    def _video_path(self, label: str, *, titled: bool = True) -> Path:
        """``nemo_outputs/<slug of the title>.mp4`` (``-2``, ``-3`` ... for another render of that name)."""
        return naming.video_path(self.output_dir or "nemo_outputs", naming.slug(label, prompt=not titled))

    def _path_for(self, conv: Conversation) -> Callable[[Any], Path]:
        def name(draft: Any) -> Path:
            title = getattr(draft, "title", None)
            if isinstance(title, str) and title.strip():
                return self._video_path(title)
            return self._video_path(conv.video_label(draft), titled=False)
        return name

    def _drive(self, conv: Conversation, make_coro: Callable[[Callable[[TurnUpdate], None]], Any],
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
        return future.result()

    def _turn(self, conv: Conversation, prompt: str, *, export: bool, render: RenderOptions | None,
              fresh: bool = False, max_credits: float | None = None) -> Any:
        opts = self._render_opts(render)
        intent = conv.route(prompt)
        wants_video = export or intent is Intent.EXPORT
        path = self._path_for(conv) if wants_video else None
        limit = max_credits or (self.max_credits or None)
        live = self._live(conv)
        shown_draft: list[Any] = []

        def observe(update: TurnUpdate) -> None:
            if live.state.text:  # the backend's 'say "export"' in this surface's words (gone once rendering)
                text = words.export_invite(live.state.text, MAGIC_HINTS, zh=conv.zh, drop=export or live.state.rendering)
                if text != live.state.text:
                    live.state = dataclasses.replace(live.state, text=text)
            # the timeline as soon as the draft exists, above a render still running
            if update.kind == "state" and update.draft is not None and not shown_draft:
                shown_draft.append(update.draft)
                self._show_timeline(update.draft, zh=conv.zh)

        try:
            result = self._drive(conv, lambda cb: conv.run(
                prompt, on_update=cb, export=export, path=path, cell=self._cell_id, cell_label=self._cell_label,
                fresh=fresh or not self.replay, max_credits=limit, **opts), live, observe)
        except _Interrupted:
            raise
        except NemoError:
            live.final(self._failed_bundle(live))
            raise
        return self._show(result, live, None, render, conv, timeline_shown=bool(shown_draft))

    @staticmethod
    def _last_prompt(conv: Conversation, fallback: str) -> str:
        """What to name an exported file after: the video's title, else the prompt that started it."""
        for turn in reversed(conv.history):
            title = getattr(turn.draft, "title", None)
            if isinstance(title, str) and title.strip():
                return title
        return conv.origin_prompt() or conv.last_prompt or "nemo-video"

    def _failed_bundle(self, live: Live) -> dict[str, str]:
        text = live.text or ""
        md = (view.escape_markdown(text) + "\n\n" if text else "") + "*The turn failed (see the error below).*"
        return {"text/markdown": md, "text/plain": (text + "\n" if text else "") + "The turn failed."}

    def _show(self, result: TurnResult, live: Live, path: Path | None, render: RenderOptions | None,
              conv: Conversation | None = None, *, timeline_shown: bool = False) -> NemoReply:
        md = view.result_markdown(result)
        plain = view.result_plain(result)
        spent = self._credits_line(result)
        if spent:
            md, plain = md + "\n\n" + view.escape_markdown(spent), plain + "\n" + spent
        live.final({"text/markdown": md, "text/plain": plain})
        wants = result.intent in (Intent.STATUS, Intent.UNDO) or (
            result.intent is Intent.CHAT and bool(result.changes or result.reused))
        if wants and result.draft is not None:
            if not timeline_shown:
                self._show_timeline(result.draft, zh=result.zh)
            if conv is not None and result.video is None and result.changes and not result.reused:
                self._show_storyboard(conv)
        video_path = None
        if result.video is not None:
            video_path = self._show_video(result.video, path, render)
        reply = NemoReply.of(result, video_path=video_path)
        return reply

    @staticmethod
    def _credits_line(result: TurnResult) -> str | None:
        if result.credits_spent is None or result.reused:
            return None
        spent = memory_words(result.zh, "spent", spent=result.credits_spent, available=result.credits_left)
        return f"{result.cost_line}. {spent}" if result.cost_line else spent

    def _show_timeline(self, draft: Any, *, zh: bool = False) -> None:
        summary = timeline_table.summary(draft, zh=zh)
        table = timeline_table.table_html(draft, zh=zh)
        plain = summary + ("\n" + timeline_table.table_text(draft, zh=zh) if table else "")
        import html as _html

        display({"text/html": f"<p><b>{_html.escape(summary)}</b></p>{table}", "text/plain": plain}, raw=True)

    def _show_storyboard(self, conv: Conversation) -> None:
        """The draft's storyboard strip, the moment the draft exists (small: it is kept in the notebook)."""
        board = run_sync(conv.storyboard(width=160))
        if board is not None:
            display({"text/html": board._repr_html_(), "text/plain": str(board)}, raw=True)

    def _show_video(self, video: Any, path: Path | None, render: RenderOptions | None) -> str | None:
        local = getattr(video, "path", None) or path
        if local is None or not Path(local).exists():
            url = getattr(video, "url", None)
            display({"text/plain": f"Video: {url}",
                     "text/html": f'<a href="{view.html_attr(url or "")}">video</a>'}, raw=True)
            return None
        local = Path(local)
        embed = render.embed if render is not None else None
        embed = (self.embed or _cannot_serve_files()) if embed is None else embed
        rel = None
        try:
            rel = Path(os.path.abspath(local)).relative_to(Path.cwd().resolve()).as_posix()
        except ValueError:
            embed = True  # outside the notebook's folder: the front end cannot serve it
        info = view.video_info(local, duration=getattr(video, "duration", None))
        plain = f"Video saved to {rel or local} ({info})"
        display({"text/html": view.video_html(local, rel_url=rel, embed=embed) + f"<div><small>{info}</small></div>",
                 "text/plain": plain}, raw=True)
        return str(rel or local)

    # -- subcommands ----------------------------------------------------------------------------
    def _help(self, args: LineArgs) -> Any:
        topic = args.topic
        if topic == "scenes":
            # The backend answers in its own words (the embedded engine lists its backgrounds,
            # subjects and topics); the draft is not changed.
            return self._turn(self.conversations.get(None), "help scenes", export=False, render=None)
        if topic:
            if topic not in SUBCOMMANDS:
                raise UsageError(f"%nemo help: no subcommand {topic!r}. Run %nemo help for the list.")
            print(sub_parser(topic).format_help())
            return
        width = max(len(k) for k in SUBCOMMANDS)
        lines = ["%%nemo [-x] [-s NAME] [-o VAR] [--embed] [--no-interpolate]   the cell is the prompt",
                 "%nemo SUBCOMMAND [--help]:"]
        lines += [f"  {name.ljust(width)}  {text}" for name, text in SUBCOMMANDS.items()]
        print("\n".join(lines))

    _cmd_help = _help

    def _cmd_credits(self, args: LineArgs) -> Any:
        return self._turn(self.conversations.get(args.session), "credits", export=False, render=None)

    def _cmd_status(self, args: LineArgs) -> Any:
        conv = self.conversations.get(args.session)
        draft = run_sync(conv.timeline())
        if draft is None:
            print(f"No timeline yet in conversation {conv.name!r}: describe a video in a %%nemo cell first.")
            return None
        self._show_timeline(draft, zh=conv.zh)
        return None  # shown above; the Draft itself is on the last reply (.draft) and via %nemo -o

    _cmd_timeline = _cmd_status

    def _cmd_upload(self, args: LineArgs) -> Any:
        if not args.items:
            raise UsageError("%nemo upload: name at least one file or URL, e.g. %nemo upload logo.png clip.mp4")
        urls = [i for i in args.items if re.match(r"(?i)https?://", i)]
        paths = [i for i in args.items if i not in urls]
        conv = self.conversations.get(args.session)
        live = self._live(conv)
        uploads = self._drive(conv, lambda cb: conv.upload(paths, urls, on_update=cb, cell=self._cell_id), live)
        lines = [f"- {getattr(u, 'filename', u)} ({getattr(u, 'file_type', '?')})" for u in uploads]
        text = f"Uploaded {len(uploads)} file(s):\n" + "\n".join(lines)
        if conv.last_upload_reused:
            text += "\n(already uploaded from this cell: not sent again)"
        live.final({"text/markdown": view.escape_markdown(text), "text/plain": text})
        return uploads

    def _cmd_new(self, args: LineArgs) -> None:
        name = args.name or args.session
        conv = self.conversations.use(name) if name else self.conversations.get()
        conv.new()
        others = [n for n in self.conversations.names() if n != conv.name]
        keep = f" The others ({', '.join(others)}) are kept: %nemo use NAME goes back." if others else ""
        print(f"Conversation {conv.name!r} is current and empty: the next %%nemo cell starts a new video.{keep}")

    def _cmd_undo(self, args: LineArgs) -> Any:
        conv = self.conversations.get(args.session)
        text = "undo" if args.version is None else f"go back to version {args.version}"
        return self._turn(conv, text, export=False, render=None)

    def _cmd_versions(self, args: LineArgs) -> list[dict[str, str]]:
        conv = self.conversations.get(args.session)
        rows = conv.versions.rows(zh=conv.zh)
        if not rows:
            print(f"No versions yet in conversation {conv.name!r}: describe a video in a %%nemo cell first.")
            return rows
        display({"text/html": versions_html(rows), "text/plain": versions_text(rows)}, raw=True)
        return rows

    def _cmd_sessions(self, args: LineArgs) -> list[str]:
        names = self.conversations.names()
        for name in names:
            conv = self.conversations.get(name)
            mark = "*" if name == self.conversations.current else " "
            print(f"{mark} {name}: {len(conv.history)} turn(s), session {conv.session_id or '(not started)'}, "
                  f"{conv.badge}")
        return names

    def _cmd_use(self, args: LineArgs) -> None:
        assert args.name is not None  # a required argument of the grammar
        self.conversations.use(args.name)
        print(f"Current conversation: {args.name!r}")

    def _cmd_backend(self, args: LineArgs) -> str:
        if args.spec:
            spec = args.spec.strip()
            if spec not in ("local", "cloud") and not re.match(r"(?i)https?://[^\s/]+", spec):
                raise ConfigError(f"Unknown backend {spec!r}.", hint="Use local, cloud or a URL like http://127.0.0.1:8000.")
            self.backend = spec  # the observer switches the conversations
        badge = self.conversations.backend
        print(f"Backend: {badge}" + (f" ({self.backend})" if self.backend and self.backend not in badge else ""))
        return badge

    def _cmd_jobs(self, args: LineArgs) -> Any:
        conv = self.conversations.get(args.session)
        if args.cancel:
            run_sync(conv.nemo.attach(args.cancel).cancel())
            print(f"Render {args.cancel} is stopped.")
            return None
        job_id = args.resume
        if job_id:
            meta = getattr(conv.nemo.attach(job_id), "meta", None) or {}
            path = None if meta.get("path") else self._video_path(str(meta.get("label") or f"job-{job_id}"))
            opts = self._render_opts(args.render)
            live = self._live(conv)
            video = self._drive(conv, lambda cb: conv.resume(job_id, on_update=cb, path=path,
                                                             timeout=opts["timeout"]), live)
            live.final({"text/plain": f"Render {job_id} finished.", "text/markdown": "Render finished."})
            self._show_video(video, path, args.render)
            if args.output:
                self._ns()[args.output] = video
            return None  # shown above (the video is in -o VAR)
        jobs = run_sync(conv.jobs())
        if not jobs:
            print("No unfinished renders.")
            return []
        print(jobs_text(jobs))
        return jobs

    def _cmd_export(self, args: LineArgs) -> Any:
        conv = self.conversations.get(args.session)
        result = self._turn(conv, "export", export=False, render=args.render)
        if args.output:
            self._ns()[args.output] = result
        return result

    def _cmd_config(self, args: LineArgs) -> dict[str, Any]:
        values = {name: getattr(self, name) for name in sorted(self.trait_names(config=True))}
        for name, value in values.items():
            print(f"NemoMagics.{name} = {value!r}")
        print("Change one with: %config NemoMagics.<name> = <value>")
        return values

    def _cmd_chat(self, args: LineArgs) -> Any:
        try:
            from .widgets import ChatWidget
        except ImportError as exc:
            raise NemoError("The chat widget is not available.",
                            hint=f"Install the widget dependencies (anywidget, ipywidgets): {exc}") from None
        return ChatWidget(conversation=self.conversations.get(args.session))

    def _cmd_compare(self, args: LineArgs, cell: str | None = None) -> Any:
        prompts = list(args.prompts)
        if cell:
            prompts += [p.strip() for p in cell.splitlines() if p.strip()]
        if self.interpolate:
            prompts = [interpolate(p, self._ns()) for p in prompts]
        try:
            from .widgets import CompareWidget
        except ImportError as exc:
            raise NemoError("The compare widget is not available.",
                            hint=f"Install the widget dependencies (anywidget, ipywidgets): {exc}") from None
        kwargs: dict[str, Any] = {"prompts": prompts}
        if args.backends:
            kwargs["backends"] = list(args.backends)
        try:
            return CompareWidget(**kwargs)
        except ValueError as exc:
            raise UsageError(f"%nemo compare: {exc}") from None


def _place() -> str:
    """Where the conversations live, for the replay keys: the notebook's path when the server says it."""
    return os.environ.get("JPY_SESSION_NAME") or os.getcwd()


def _cannot_serve_files() -> bool:
    """Front ends that do not serve files beside the notebook by relative URL: Colab and VS Code."""
    return "google.colab" in sys.modules or bool(os.environ.get("VSCODE_PID") or os.environ.get("VSCODE_CWD"))


def load_ipython_extension(ipython: Any) -> None:
    """``%load_ext nemo_jupyter``: register ``%%nemo`` / ``%nemo``."""
    ipython.register_magics(NemoMagics(ipython))


def unload_ipython_extension(ipython: Any) -> None:  # pragma: no cover - IPython cannot unregister magics
    pass
