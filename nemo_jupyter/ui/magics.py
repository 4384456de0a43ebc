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
from ..conversation import Conversation, Conversations, Intent, TurnCancelled, TurnResult, TurnUpdate
from . import display as view
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
    },
    "zh": {
        "export": "运行 %nemo export 导出（或在 %%nemo 行加 -x）",
        "timeline": "运行 %nemo status 查看时间线",
        "edit": "在下一个 %%nemo 单元格里用文字描述修改",
        "send": "在下一个 %%nemo 单元格里说「{label}」",
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

    def __init__(self, shell: Any = None, **kwargs: Any) -> None:
        super().__init__(shell=shell, **kwargs)  # type: ignore[no-untyped-call]
        self.conversations = Conversations(self.backend or None, hints=MAGIC_HINTS)

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
        result = self._turn(conv, prompt, export=args.export, render=args.render)
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
        return handler(args)

    # -- one turn -------------------------------------------------------------------------------
    def _ns(self) -> dict[str, Any]:
        ns = getattr(self.shell, "user_ns", None)
        return ns if isinstance(ns, dict) else {}

    def _live(self, conv: Conversation) -> Live:
        """A redrawn display handle in a notebook front end; plain streamed text in a terminal."""
        pub = getattr(self.shell, "display_pub", None)
        if pub is None or type(pub) is DisplayPublisher:
            return TerminalLive(sys.stdout, bar=False)
        return NotebookLive(self.refresh_hz, conv.badge, display)

    def _render_opts(self, render: RenderOptions | None) -> dict[str, Any]:
        render = render or RenderOptions()
        quality = render.quality or self.quality or "high"
        resolution = render.resolution or self.resolution or None
        timeout = render.timeout or self.render_timeout or None
        return {"quality": quality, "resolution": resolution, "timeout": timeout}

    def _video_path(self, prompt: str) -> Path:
        return view.output_path(prompt, self.output_dir or "nemo_outputs")

    def _drive(self, conv: Conversation, make_coro: Callable[[Callable[[TurnUpdate], None]], Any],
               live: Live) -> Any:
        """Run a conversation coroutine on the background loop; redraw ``live`` from this thread."""
        updates: queue.Queue[TurnUpdate] = queue.Queue()
        future = submit(make_coro(updates.put))
        try:
            while True:
                try:
                    live.feed(updates.get(timeout=min(live.interval, 0.25)))
                    while True:
                        live.feed(updates.get_nowait())
                except queue.Empty:
                    pass
                if future.done() and updates.empty():
                    break
                live.tick()
        except KeyboardInterrupt:
            conv.cancel()
            with swallowed(log, "waiting for the cancelled turn"):
                future.result(timeout=15)
            raise TurnCancelled("Interrupted: the turn was cancelled.") from None
        live.tick(force=True)
        return future.result()

    def _turn(self, conv: Conversation, prompt: str, *, export: bool, render: RenderOptions | None) -> Any:
        opts = self._render_opts(render)
        intent = conv.route(prompt)
        wants_video = export or intent is Intent.EXPORT
        path = self._video_path(self._last_prompt(conv, prompt) if intent is Intent.EXPORT else prompt) \
            if wants_video else None
        live = self._live(conv)
        try:
            result = self._drive(conv, lambda cb: conv.run(prompt, on_update=cb, export=export, path=path, **opts),
                                 live)
        except NemoError:
            live.final(self._failed_bundle(live))
            raise
        return self._show(result, live, path, render, conv)

    @staticmethod
    def _last_prompt(conv: Conversation, fallback: str) -> str:
        """What to name an exported file after: the video's title, else the last prompt."""
        for turn in reversed(conv.history):
            title = getattr(turn.draft, "title", None)
            if isinstance(title, str) and title.strip():
                return title
        return conv.last_prompt or "nemo-video"

    def _failed_bundle(self, live: Live) -> dict[str, str]:
        text = live.text or ""
        md = (view.escape_markdown(text) + "\n\n" if text else "") + "*The turn failed (see the error below).*"
        return {"text/markdown": md, "text/plain": (text + "\n" if text else "") + "The turn failed."}

    def _show(self, result: TurnResult, live: Live, path: Path | None, render: RenderOptions | None,
              conv: Conversation | None = None) -> NemoReply:
        md = view.result_markdown(result)
        live.final({"text/markdown": md, "text/plain": view.result_plain(result)})
        if result.intent in (Intent.CHAT, Intent.STATUS) and result.draft is not None and (
                result.changes or result.intent is Intent.STATUS):
            self._show_timeline(result.draft)
            if conv is not None and result.video is None and result.changes:
                self._show_storyboard(conv)
        video_path = None
        if result.video is not None:
            video_path = self._show_video(result.video, path, render)
        reply = NemoReply.of(result, video_path=video_path)
        return reply

    def _show_timeline(self, draft: Any) -> None:
        summary = view.timeline_summary(draft)
        table = view.timeline_html(draft)
        plain = summary
        with swallowed(log, "the timeline as text"):
            plain = summary + "\n" + draft.to_dataframe().to_string()
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
        self._show_timeline(draft)
        return None  # shown above; the Draft itself is on the last reply (.draft) and via %nemo -o

    _cmd_timeline = _cmd_status

    def _cmd_upload(self, args: LineArgs) -> Any:
        if not args.items:
            raise UsageError("%nemo upload: name at least one file or URL, e.g. %nemo upload logo.png clip.mp4")
        urls = [i for i in args.items if re.match(r"(?i)https?://", i)]
        paths = [i for i in args.items if i not in urls]
        conv = self.conversations.get(args.session)
        live = self._live(conv)
        uploads = self._drive(conv, lambda cb: conv.upload(paths, urls, on_update=cb), live)
        lines = [f"- {getattr(u, 'filename', u)} ({getattr(u, 'file_type', '?')})" for u in uploads]
        text = f"Uploaded {len(uploads)} file(s):\n" + "\n".join(lines)
        live.final({"text/markdown": view.escape_markdown(text), "text/plain": text})
        return uploads

    def _cmd_new(self, args: LineArgs) -> None:
        conv = self.conversations.get(args.session)
        conv.new()
        print(f"Conversation {conv.name!r} starts afresh: the next %%nemo cell opens a new session.")

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
        job_id = args.resume
        if job_id:
            path = self._video_path(f"job-{job_id}")
            opts = self._render_opts(args.render)
            live = self._live(conv)
            video = self._drive(conv, lambda cb: conv.resume(job_id, on_update=cb, path=path,
                                                             timeout=opts["timeout"]), live)
            live.final({"text/plain": f"Job {job_id} finished.", "text/markdown": "Render finished."})
            self._show_video(video, path, args.render)
            return video
        jobs = run_sync(conv.jobs())
        if not jobs:
            print("No unfinished renders.")
            return []
        for job in jobs:
            print(f"- {getattr(job, 'id', job)}  {getattr(job, 'status', '')}  "
                  f"(resume: %nemo jobs --resume {getattr(job, 'id', job)})")
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


def _cannot_serve_files() -> bool:
    """Front ends that do not serve files beside the notebook by relative URL: Colab and VS Code."""
    return "google.colab" in sys.modules or bool(os.environ.get("VSCODE_PID") or os.environ.get("VSCODE_CWD"))


def load_ipython_extension(ipython: Any) -> None:
    """``%load_ext nemo_jupyter``: register ``%%nemo`` / ``%nemo``."""
    ipython.register_magics(NemoMagics(ipython))


def unload_ipython_extension(ipython: Any) -> None:  # pragma: no cover - IPython cannot unregister magics
    pass
