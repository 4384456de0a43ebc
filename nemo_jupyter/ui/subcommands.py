"""``%nemo SUBCOMMAND``: one handler per subcommand, ``handle_<name>(magics, args)``.

:class:`~nemo_jupyter.ui.magics.NemoMagics` parses the line into typed
:class:`~nemo_jupyter.ui.arguments.LineArgs` and dispatches here (jupyter-ai's ``handle_<type>``);
a handler calls the conversation's typed methods and commands (nothing it knows is turned back
into words to be routed again), prints or displays what it shows and returns the value
``-o VAR`` keeps. Turns, live displays and videos go through the magics (as the :class:`Magics`
a handler needs), so every subcommand shows them the same way a ``%%nemo`` cell does.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Any, Protocol

from IPython.core.error import UsageError

from ..client.exceptions import ConfigError, NemoError
from ..client.loop import run_sync
from ..client.models import RenderOptions
from ..conversation import SCENES, Balance, Command, Conversation, Conversations, Export, TurnUpdate, Undo
from .arguments import SUBCOMMANDS, LineArgs, sub_parser
from .cell_output import NemoReply, display, show_timeline, show_video
from .display import escape_markdown
from .interpolate import interpolate
from .live import Live
from .notebook_words import elsewhere_text, jobs_text, no_such_text, versions_html, versions_text

__all__ = ["HANDLERS", "Magics", "handle_help"]


class Magics(Protocol):
    """What a handler needs from the magics (:class:`~nemo_jupyter.ui.magics.NemoMagics`)."""

    conversations: Conversations
    backend: str
    interpolate: bool

    @property
    def cell_id(self) -> str | None: ...

    def turn(self, conv: Conversation, command: Command, *, export: bool = ..., render: RenderOptions | None = ...,
             embed: bool | None = ..., fresh: bool = ..., max_credits: float | None = ...) -> NemoReply: ...

    def live(self, conv: Conversation) -> Live: ...

    def drive(self, conv: Conversation,
              make_coro: Callable[[Callable[[TurnUpdate], None]], Coroutine[Any, Any, Any]],
              live: Live, observe: Callable[[TurnUpdate], None] | None = ...) -> Any: ...

    def render_options(self, render: RenderOptions | None) -> RenderOptions: ...

    def embed_for(self, embed: bool | None) -> bool: ...

    def video_path(self, label: str, *, titled: bool = ...) -> Path: ...

    def ns(self) -> dict[str, Any]: ...

    def trait_names(self, **metadata: Any) -> list[str]: ...


def handle_help(m: Magics, args: LineArgs) -> Any:
    topic = args.topic
    if topic == "scenes":
        # The backend answers in its own words (the embedded engine lists its backgrounds,
        # subjects and topics); the draft is not changed.
        return m.turn(m.conversations.get(None), SCENES)
    if topic:
        if topic not in SUBCOMMANDS:
            raise UsageError(f"%nemo help: no subcommand {topic!r}. Run %nemo help for the list.")
        print(sub_parser(topic).format_help())
        return None
    width = max(len(k) for k in SUBCOMMANDS)
    lines = ["%%nemo [-x] [-s NAME] [-o VAR] [--embed] [--no-interpolate]   the cell is the prompt",
             "%nemo SUBCOMMAND [--help]:"]
    lines += [f"  {name.ljust(width)}  {text}" for name, text in SUBCOMMANDS.items()]
    print("\n".join(lines))
    return None


def handle_credits(m: Magics, args: LineArgs) -> Any:
    return m.turn(m.conversations.get(args.session), Balance())


def handle_status(m: Magics, args: LineArgs) -> Any:
    conv = m.conversations.get(args.session)
    draft = run_sync(conv.timeline())
    if draft is None or draft.is_empty:
        elsewhere = elsewhere_text(m.conversations.with_drafts(but=conv.name))
        print(f"No timeline yet in conversation {conv.name!r}: "
              + (elsewhere or "describe a video in a %%nemo cell first."))
        return None
    if args.edit:
        return _widgets("timeline").TimelineWidget(draft, conversation=conv)
    show_timeline(draft, zh=conv.zh)
    return None  # shown above; the Draft itself is on the last reply (.draft) and via %nemo -o


def handle_upload(m: Magics, args: LineArgs) -> Any:
    if not args.items:
        raise UsageError("%nemo upload: name at least one file or URL, e.g. %nemo upload logo.png clip.mp4")
    urls = [i for i in args.items if re.match(r"(?i)https?://", i)]
    paths = [i for i in args.items if i not in urls]
    conv = m.conversations.get(args.session)
    live = m.live(conv)
    uploads = m.drive(conv, lambda cb: conv.upload(paths, urls, on_update=cb, cell=m.cell_id), live)
    lines = [f"- {u.filename} ({u.file_type or '?'})" for u in uploads]
    text = f"Uploaded {len(uploads)} file(s):\n" + "\n".join(lines)
    if conv.last_upload_refused:
        text += f"\nNot uploaded ({len(conv.last_upload_refused)}):\n" + "\n".join(
            f"- {r}" for r in conv.last_upload_refused)
    if conv.last_upload_reused:
        text += "\n(already uploaded from this cell: not sent again)"
    live.final({"text/markdown": escape_markdown(text), "text/plain": text})
    return uploads


def handle_new(m: Magics, args: LineArgs) -> None:
    name = args.name or args.session
    conv = m.conversations.use(name) if name else m.conversations.get()
    conv.new()
    others = [n for n in m.conversations.names() if n != conv.name]
    keep = f" The others ({', '.join(others)}) are kept: %nemo use NAME goes back." if others else ""
    print(f"Conversation {conv.name!r} is current and empty: the next %%nemo cell starts a new video.{keep}")


def handle_undo(m: Magics, args: LineArgs) -> Any:
    return m.turn(m.conversations.get(args.session), Undo(args.version))


def handle_versions(m: Magics, args: LineArgs) -> list[dict[str, str]]:
    conv = m.conversations.get(args.session)
    rows = conv.versions.rows(zh=conv.zh)
    if not rows:
        elsewhere = elsewhere_text(m.conversations.with_drafts(but=conv.name))
        print(f"No versions yet in conversation {conv.name!r}: "
              + (elsewhere or "describe a video in a %%nemo cell first."))
        return rows
    display({"text/html": versions_html(rows), "text/plain": versions_text(rows)}, raw=True)
    return rows


def handle_sessions(m: Magics, args: LineArgs) -> list[str]:
    names = m.conversations.names()
    for name in names:
        conv = m.conversations.get(name)
        mark = "*" if name == m.conversations.current else " "
        print(f"{mark} {name}: {len(conv.history)} turn(s), session {conv.session_id or '(not started)'}, "
              f"{conv.badge}")
    return names


def handle_use(m: Magics, args: LineArgs) -> None:
    assert args.name is not None  # a required argument of the grammar
    if not m.conversations.exists(args.name):
        raise UsageError(no_such_text(args.name, m.conversations.names()))
    m.conversations.use(args.name)
    print(f"Current conversation: {args.name!r}")


def handle_backend(m: Magics, args: LineArgs) -> str:
    if args.spec:
        spec = args.spec.strip()
        if spec not in ("local", "cloud") and not re.match(r"(?i)https?://[^\s/]+", spec):
            raise ConfigError(f"Unknown backend {spec!r}.", hint="Use local, cloud or a URL like http://127.0.0.1:8000.")
        m.backend = spec  # the observer switches the conversations
    badge = m.conversations.backend
    print(f"Backend: {badge}" + (f" ({m.backend})" if m.backend and m.backend not in badge else ""))
    return badge


def handle_jobs(m: Magics, args: LineArgs) -> Any:
    conv = m.conversations.get(args.session)
    if args.cancel:
        run_sync(conv.attach(args.cancel).cancel())
        print(f"Render {args.cancel} is stopped.")
        return None
    job_id = args.resume
    if job_id:
        meta = conv.attach(job_id).meta
        path = None if meta.get("path") else m.video_path(str(meta.get("label") or f"job-{job_id}"))
        timeout = m.render_options(args.render).timeout
        live = m.live(conv)
        video = m.drive(conv, lambda cb: conv.resume(job_id, on_update=cb, path=path, timeout=timeout), live)
        live.final({"text/plain": f"Render {job_id} finished.", "text/markdown": "Render finished."})
        show_video(video, path, embed=m.embed_for(args.embed))
        if args.output:
            m.ns()[args.output] = video
        return None  # shown above (the video is in -o VAR)
    jobs = run_sync(conv.jobs())
    if not jobs:
        print("No unfinished renders.")
        return []
    place = m.conversations.place
    print(jobs_text(jobs, notebook=place() if callable(place) else place))
    return jobs


def handle_export(m: Magics, args: LineArgs) -> Any:
    conv = m.conversations.get(args.session)
    result = m.turn(conv, Export(), render=args.render, embed=args.embed)
    if args.output:
        m.ns()[args.output] = result
    return result


def handle_config(m: Magics, args: LineArgs) -> dict[str, Any]:
    values = {name: getattr(m, name) for name in sorted(m.trait_names(config=True))}
    for name, value in values.items():
        print(f"NemoMagics.{name} = {value!r}")
    print("Change one with: %config NemoMagics.<name> = <value>")
    return values


def _widgets(what: str) -> Any:
    try:
        from . import widgets
    except ImportError as exc:
        raise NemoError(f"The {what} widget is not available.",
                        hint=f"Install the widget dependencies (anywidget, ipywidgets): {exc}") from None
    return widgets


def handle_chat(m: Magics, args: LineArgs) -> Any:
    return _widgets("chat").ChatWidget(conversation=m.conversations.get(args.session))


def handle_compare(m: Magics, args: LineArgs, cell: str | None = None) -> Any:
    prompts = list(args.prompts)
    if cell:
        prompts += [p.strip() for p in cell.splitlines() if p.strip()]
    if m.interpolate:
        prompts = [interpolate(p, m.ns()) for p in prompts]
    compare_widget = _widgets("compare").CompareWidget
    kwargs: dict[str, Any] = {"prompts": prompts}
    if args.backends:
        kwargs["backends"] = list(args.backends)
    try:
        return compare_widget(**kwargs)
    except ValueError as exc:
        raise UsageError(f"%nemo compare: {exc}") from None


def handle_pack(m: Magics, args: LineArgs) -> Any:
    from .pack_sources import pack

    assert args.path is not None  # a required argument of the grammar
    source = None
    if args.source:
        if args.source not in m.ns():
            raise UsageError(f"%nemo pack: there is no variable {args.source!r} in the notebook (a batch's -o VAR, "
                             "or a comparison); leave it out to pack every video of the notebook.")
        source = m.ns()[args.source]
    try:
        return pack(args.path, source, title=args.title, embed=bool(args.embed))
    except (TypeError, ValueError) as exc:
        raise UsageError(f"%nemo pack: {exc}") from None


HANDLERS: dict[str, Callable[..., Any]] = {
    "help": handle_help, "credits": handle_credits, "status": handle_status, "timeline": handle_status,
    "upload": handle_upload, "new": handle_new, "undo": handle_undo, "versions": handle_versions,
    "sessions": handle_sessions, "use": handle_use, "backend": handle_backend, "jobs": handle_jobs,
    "export": handle_export, "config": handle_config, "chat": handle_chat, "compare": handle_compare,
    "pack": handle_pack,
}
"""Every subcommand of :data:`~nemo_jupyter.ui.arguments.SUBCOMMANDS` and its handler."""
