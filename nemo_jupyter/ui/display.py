"""Rendering helpers shared by the magics and the command line.

Pure functions from conversation results to strings (Markdown, HTML, plain text).
Nothing here imports IPython; backend text is always escaped, never live HTML.
"""

from __future__ import annotations

import base64
import functools
import html
import re
import urllib.parse
from pathlib import Path

from ..client.draft import Draft
from ..client.models import Brief
from ..conversation.checklist import MARK_NAMES, check_mark, checklist_summary
from ..conversation.formats import checklist_plain, escape_markdown, result_markdown, result_plain

__all__ = [
    "checklist_html",
    "checklist_text",
    "escape_html",
    "escape_markdown",
    "format_bytes",
    "format_elapsed",
    "html_attr",
    "live_markdown",
    "live_plain",
    "probe_duration",
    "progress_html",
    "progress_text",
    "result_markdown",
    "result_plain",
    "timeline_summary",
    "video_credit",
    "video_html",
    "video_info",
]

def escape_html(text: str) -> str:
    """Backend text inside our own HTML: escaped, line breaks kept."""
    return html.escape(text or "", quote=True).replace("\n", "<br>")


def format_elapsed(seconds: float) -> str:
    """``80`` -> ``"1m20s"``."""
    seconds = max(0, int(seconds))
    if seconds < 60:
        return f"{seconds}s"
    minutes, sec = divmod(seconds, 60)
    if minutes < 60:
        return f"{minutes}m{sec:02d}s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours}h{minutes:02d}m"


def format_bytes(size: float | None) -> str:
    if size is None:
        return "?"
    value = float(size)
    for unit in ("B", "KB", "MB", "GB"):
        if value < 1024 or unit == "GB":
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1024
    return f"{value:.1f} GB"  # pragma: no cover


def _badge(backend: str) -> str:
    return f"`{backend}`" if backend else ""


# -- live (while a turn runs) -------------------------------------------------------------------


def live_markdown(text: str, *, tool: str | None = None, elapsed: float = 0.0, heartbeat: bool = False,
                  backend: str = "", percent: float | None = None) -> str:
    """The Markdown redrawn in the cell while a turn streams."""
    lines: list[str] = []
    if text:
        lines.append(escape_markdown(text))
    status = []
    if tool:
        status.append(escape_markdown(tool))
    if heartbeat or elapsed >= 5:
        status.append(f"still working ({format_elapsed(elapsed)})")
    if percent is not None:
        status.append(f"{percent:.0f}%")
    if status or not lines:
        lines.append("*⏳ " + " · ".join(status or ["thinking…"]) + "*")
    if backend:
        lines.append(f"<sub>{html.escape(backend)}</sub>")
    return "\n\n".join(lines)


def live_plain(text: str, *, tool: str | None = None, elapsed: float = 0.0, heartbeat: bool = False,
               percent: float | None = None) -> str:
    status = []
    if tool:
        status.append(tool)
    if heartbeat or elapsed >= 5:
        status.append(f"still working ({format_elapsed(elapsed)})")
    if percent is not None:
        status.append(f"{percent:.0f}%")
    tail = ("[" + " · ".join(status) + "]") if status else ""
    return "\n".join(x for x in (text, tail) if x) or "thinking…"


def progress_html(percent: float | None, label: str = "rendering") -> str:
    pct = 0.0 if percent is None else max(0.0, min(100.0, float(percent)))
    return (
        '<div class="nemo-progress" style="font-family:sans-serif;font-size:13px">'
        f'<span>{html.escape(label)} {pct:.0f}%</span>'
        f'<progress max="100" value="{pct:.0f}" style="width:60%;margin-left:8px"></progress></div>'
    )


def progress_text(percent: float | None, label: str = "rendering", width: int = 30) -> str:
    pct = 0.0 if percent is None else max(0.0, min(100.0, float(percent)))
    filled = round(width * pct / 100)
    return f"{label} [{'#' * filled}{'.' * (width - filled)}] {pct:3.0f}%"


# -- results ------------------------------------------------------------------------------------


def checklist_html(brief: Brief | None) -> str:
    """The brief's checklist under a turn: one line (its summary) that opens on the items; open
    already when an item was not done or done differently. Every label and note is escaped text."""
    if brief is None or not brief.checklist:
        return ""
    items = []
    for item in brief.checklist:
        note = (f' <span class="nemo-check-note" style="opacity:.85">— {html.escape(item.note)}</span>'
                if item.note else "")
        items.append(f'<li class="nemo-check" data-status="{html.escape(item.status)}" style="margin:1px 0">'
                     f'<span class="nemo-check-mark" title="{html.escape(MARK_NAMES.get(item.status, ""))}"'
                     f' style="display:inline-block;width:1.3em;font-weight:700">{check_mark(item.status)}</span>'
                     f'{html.escape(item.label)}{note}</li>')
    state = "true" if brief.all_done else "false"
    opened = "" if brief.all_done else " open"
    return (f'<details class="nemo-checklist" data-all-done="{state}"{opened} '
            'style="font-family:var(--jp-ui-font-family,sans-serif);font-size:13px;margin:4px 0">'
            f'<summary style="cursor:pointer">{html.escape(checklist_summary(brief))}</summary>'
            f'<ul style="list-style:none;margin:2px 0 0 0;padding:0 0 0 4px">{"".join(items)}</ul></details>')


def checklist_text(brief: Brief | None) -> str:
    """The same checklist as plain text (its summary, then the items unless all were done)."""
    return "\n".join(checklist_plain(brief))



def timeline_summary(draft: Draft | None) -> str:
    """The draft's one-line summary ("" without a draft)."""
    return draft.summary() if draft is not None else ""


EMBED_LIMIT = 50 * 1024 * 1024  # bytes: a larger MP4 is linked, not embedded


def video_html(path: str | Path, *, rel_url: str | None = None, embed: bool = False, width: int = 640,
               embed_limit: int = EMBED_LIMIT) -> str:
    """A ``<video>`` for a rendered MP4: by relative URL (small notebook) or base64-embedded.

    An embedded video is written once (the player's own menu downloads it); a file over
    ``embed_limit`` bytes is linked instead, with a note, so a notebook never balloons.
    """
    path = Path(path)
    name = html.escape(path.name)
    url = rel_url if rel_url is not None else path.as_posix()
    quoted = html.escape(urllib.parse.quote(url, safe="/:._-~"), quote=True)
    note = ""
    if embed and path.stat().st_size > embed_limit:
        embed = False
        note = (f"<br><small>{name} is {path.stat().st_size / 1e6:.0f} MB: too large to embed in the "
                f"notebook; it is saved at {html.escape(url)}.</small>")
    if embed:
        data = base64.b64encode(path.read_bytes()).decode("ascii")
        src = f"data:video/mp4;base64,{data}"
        link = f"<small>{name} (embedded; use the player's menu to download it)</small>"
    else:
        src = quoted
        link = f'<a href="{quoted}" download="{name}" target="_blank">download {name}</a>'
    return (
        f'<div class="nemo-video"><video src="{src}" controls playsinline '
        f'style="max-width:100%" width="{int(width)}"></video><br>{link}{note}</div>'
    )


def html_attr(value: str) -> str:
    return html.escape(value or "", quote=True)


@functools.lru_cache(maxsize=64)
def _ffmpeg_i(path: str, _mtime: float, _size: int) -> str:
    """What ``ffmpeg -i`` says about a media file (there is no ffprobe); "" when it cannot run."""
    import subprocess

    try:
        import imageio_ffmpeg

        exe = imageio_ffmpeg.get_ffmpeg_exe()
    except Exception:
        return ""
    try:
        proc = subprocess.run([exe, "-hide_banner", "-i", path], capture_output=True, text=True,
                              encoding="utf-8", errors="replace", timeout=30, check=False)
    except (OSError, subprocess.SubprocessError):
        return ""
    return proc.stderr


def _media_header(path: str | Path) -> str:
    try:
        st = Path(path).stat()
    except OSError:
        return ""
    return _ffmpeg_i(str(Path(path).resolve()), st.st_mtime, st.st_size)


def probe_duration(path: str | Path) -> float | None:
    """Duration of a media file in seconds, from ``ffmpeg -i`` (there is no ffprobe)."""
    m = re.search(r"Duration:\s*(\d+):(\d+):(\d+(?:\.\d+)?)", _media_header(path))
    if not m:
        return None
    h, mnt, s = m.groups()
    return int(h) * 3600 + int(mnt) * 60 + float(s)


def video_credit(path: str | Path) -> str | None:
    """The credit a video carries for the art in it (its ``comment`` metadata, written by the
    engine when the video shows OpenMoji art), or None: a player or poster of it shows it."""
    m = re.search(r"^\s*comment\s*:\s*(.*(?:OpenMoji|CC BY).*)$", _media_header(path), re.MULTILINE)
    return m.group(1).strip() if m else None


def video_info(path: str | Path, *, duration: float | None = None) -> str:
    """``"12.0 s, 1.4 MB"`` for a rendered MP4; FFmpeg is asked for the duration only when the backend
    did not give one (the embedded engine always does)."""
    path = Path(path)
    if duration is None:
        duration = probe_duration(path)
    size = path.stat().st_size if path.exists() else None
    dur = f"{duration:.1f} s" if isinstance(duration, (int, float)) else "? s"
    return f"{dur}, {format_bytes(size)}"
