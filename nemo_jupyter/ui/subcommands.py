"""``%nemo SUBCOMMAND``: one handler per subcommand, ``handle_<name>(magics, args)``.

:class:`~nemo_jupyter.ui.magics.NemoMagics` parses the line into typed
:class:`~nemo_jupyter.ui.arguments.LineArgs` and dispatches here (jupyter-ai's ``handle_<type>``);
a handler prints or displays what it shows and returns the value ``-o VAR`` keeps.
Turns, live displays and videos go through the magics object, so every subcommand
shows them the same way a ``%%nemo`` cell does.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from IPython.core.error import UsageError

from ..client.exceptions import ConfigError, NemoError
from ..client.loop import run_sync
from .arguments import SUBCOMMANDS, LineArgs, sub_parser
from .cell_output import display, show_timeline, show_video
from .display import escape_markdown
from .interpolate import interpolate
from .notebook_words import jobs_text, versions_html, versions_text

if TYPE_CHECKING:
    from .magics import NemoMagics

__all__ = ["HANDLERS", "handle_help"]


def handle_help(m: NemoMagics, args: LineArgs) -> Any:
    topic = args.topic
    if topic == "scenes":
        # The backend answers in its own words (the embedded engine lists its backgrounds,
        # subjects and topics); the draft is not changed.
        return m.turn(m.conversations.get(None), "help scenes", export=False, render=None)
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


def handle_credits(m: NemoMagics, args: LineArgs) -> Any:
    return m.turn(m.conversations.get(args.session), "credits", export=False, render=None)


def handle_status(m: NemoMagics, args: LineArgs) -> None:
    conv = m.conversations.get(args.session)
    draft = run_sync(conv.timeline())
    if draft is None:
        print(f"No timeline yet in conversation {conv.name!r}: describe a video in a %%nemo cell first.")
        return None
    show_timeline(draft, zh=conv.zh)
    return None  # shown above; the Draft itself is on the last reply (.draft) and via %nemo -o


def handle_upload(m: NemoMagics, args: LineArgs) -> Any:
    if not args.items:
        raise UsageError("%nemo upload: name at least one file or URL, e.g. %nemo upload logo.png clip.mp4")
    urls = [i for i in args.items if re.match(r"(?i)https?://", i)]
    paths = [i for i in args.items if i not in urls]
    conv = m.conversations.get(args.session)
    live = m.live(conv)
    uploads = m.drive(conv, lambda cb: conv.upload(paths, urls, on_update=cb, cell=m.cell_id), live)
    lines = [f"- {getattr(u, 'filename', u)} ({getattr(u, 'file_type', '?')})" for u in uploads]
    text = f"Uploaded {len(uploads)} file(s):\n" + "\n".join(lines)
    if conv.last_upload_reused:
        text += "\n(already uploaded from this cell: not sent again)"
    live.final({"text/markdown": escape_markdown(text), "text/plain": text})
    return uploads


def handle_new(m: NemoMagics, args: LineArgs) -> None:
    name = args.name or args.session
    conv = m.conversations.use(name) if name else m.conversations.get()
    conv.new()
    others = [n for n in m.conversations.names() if n != conv.name]
    keep = f" The others ({', '.join(others)}) are kept: %nemo use NAME goes back." if others else ""
    print(f"Conversation {conv.name!r} is current and empty: the next %%nemo cell starts a new video.{keep}")


def handle_undo(m: NemoMagics, args: LineArgs) -> Any:
    conv = m.conversations.get(args.session)
    text = "undo" if args.version is None else f"go back to version {args.version}"
    return m.turn(conv, text, export=False, render=None)


def handle_versions(m: NemoMagics, args: LineArgs) -> list[dict[str, str]]:
    conv = m.conversations.get(args.session)
    rows = conv.versions.rows(zh=conv.zh)
    if not rows:
        print(f"No versions yet in conversation {conv.name!r}: describe a video in a %%nemo cell first.")
        return rows
    display({"text/html": versions_html(rows), "text/plain": versions_text(rows)}, raw=True)
    return rows


def handle_sessions(m: NemoMagics, args: LineArgs) -> list[str]:
    names = m.conversations.names()
    for name in names:
        conv = m.conversations.get(name)
        mark = "*" if name == m.conversations.current else " "
        print(f"{mark} {name}: {len(conv.history)} turn(s), session {conv.session_id or '(not started)'}, "
              f"{conv.badge}")
    return names


def handle_use(m: NemoMagics, args: LineArgs) -> None:
    assert args.name is not None  # a required argument of the grammar
    m.conversations.use(args.name)
    print(f"Current conversation: {args.name!r}")


def handle_backend(m: NemoMagics, args: LineArgs) -> str:
    if args.spec:
        spec = args.spec.strip()
        if spec not in ("local", "cloud") and not re.match(r"(?i)https?://[^\s/]+", spec):
            raise ConfigError(f"Unknown backend {spec!r}.", hint="Use local, cloud or a URL like http://127.0.0.1:8000.")
        m.backend = spec  # the observer switches the conversations
    badge = m.conversations.backend
    print(f"Backend: {badge}" + (f" ({m.backend})" if m.backend and m.backend not in badge else ""))
    return badge


def handle_jobs(m: NemoMagics, args: LineArgs) -> Any:
    conv = m.conversations.get(args.session)
    if args.cancel:
        run_sync(conv.nemo.attach(args.cancel).cancel())
        print(f"Render {args.cancel} is stopped.")
        return None
    job_id = args.resume
    if job_id:
        meta = getattr(conv.nemo.attach(job_id), "meta", None) or {}
        path = None if meta.get("path") else m.video_path(str(meta.get("label") or f"job-{job_id}"))
        opts = m.render_opts(args.render)
        live = m.live(conv)
        video = m.drive(conv, lambda cb: conv.resume(job_id, on_update=cb, path=path, timeout=opts["timeout"]),
                        live)
        live.final({"text/plain": f"Render {job_id} finished.", "text/markdown": "Render finished."})
        show_video(video, path, embed=m.embed_for(args.render))
        if args.output:
            m.ns()[args.output] = video
        return None  # shown above (the video is in -o VAR)
    jobs = run_sync(conv.jobs())
    if not jobs:
        print("No unfinished renders.")
        return []
    print(jobs_text(jobs))
    return jobs


def handle_export(m: NemoMagics, args: LineArgs) -> Any:
    conv = m.conversations.get(args.session)
    result = m.turn(conv, "export", export=False, render=args.render)
    if args.output:
        m.ns()[args.output] = result
    return result


def handle_config(m: NemoMagics, args: LineArgs) -> dict[str, Any]:
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


def handle_chat(m: NemoMagics, args: LineArgs) -> Any:
    return _widgets("chat").ChatWidget(conversation=m.conversations.get(args.session))


def handle_compare(m: NemoMagics, args: LineArgs, cell: str | None = None) -> Any:
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


HANDLERS: dict[str, Callable[..., Any]] = {
    "help": handle_help, "credits": handle_credits, "status": handle_status, "timeline": handle_status,
    "upload": handle_upload, "new": handle_new, "undo": handle_undo, "versions": handle_versions,
    "sessions": handle_sessions, "use": handle_use, "backend": handle_backend, "jobs": handle_jobs,
    "export": handle_export, "config": handle_config, "chat": handle_chat, "compare": handle_compare,
}
"""Every subcommand of :data:`~nemo_jupyter.ui.arguments.SUBCOMMANDS` and its handler."""
