"""What the magics say about versions, jobs, interrupts and typos (kept apart from the magics' plumbing).

Pure functions and tiny wrappers: no IPython import, no HTTP. Chinese when the conversation is.
"""

from __future__ import annotations

import difflib
import html
import time
from collections.abc import Sequence
from typing import Any, Protocol

__all__ = ["did_you_mean", "elsewhere_text", "interrupted_text", "jobs_text", "made_current_text", "no_such_text",
           "preview_note", "shown", "versions_html", "versions_text"]


def did_you_mean(word: str, names: list[str]) -> str | None:
    """The subcommand ``word`` was probably meant to be, or None."""
    close = difflib.get_close_matches(word.lower(), names, n=1, cutoff=0.72)
    if close:
        return close[0]
    prefix = [n for n in names if n.startswith(word.lower()) and len(word) >= 2]
    return prefix[0] if len(prefix) == 1 else None


_SHOWN: dict[type, type] = {}


def shown(value: Any) -> Any:
    """``value`` as an object the notebook does not echo as ``Out[]`` the first time (the magic already
    printed it), while ``_`` and ``Out`` still hold it; later displays show it as usual."""
    base = type(value)
    if value is None or base in (bool,) or not isinstance(value, (list, dict, str, int, float)):
        return value
    cls = _SHOWN.get(base)
    if cls is None:
        def _ipython_display_(self: Any) -> None:
            if self.__dict__.get("_skip", True):
                self._skip = False
                return
            from IPython.display import display

            display(base(self))  # type: ignore[no-untyped-call]

        cls = type(f"Shown{base.__name__.capitalize()}", (base,), {"_ipython_display_": _ipython_display_})
        _SHOWN[base] = cls
    return cls(value)


def interrupted_text(*, rendering: bool, job_id: str | None, zh: bool = False) -> str:
    """An interrupted cell in plain words: what stopped, what still runs, the one command that resumes."""
    if rendering and job_id:
        if zh:
            return (f"已中断：停止了等待渲染。渲染仍在后台进行（任务 {job_id}）。"
                    f"运行 %nemo jobs --resume {job_id} 取回视频（%nemo jobs --cancel {job_id} 可停止它）。")
        return (f"Interrupted: stopped waiting for the render. The render is still running on the backend "
                f"(job {job_id}). Run %nemo jobs --resume {job_id} to get the video "
                f"(or %nemo jobs --cancel {job_id} to stop it).")
    if rendering:
        if zh:
            return "已中断：渲染还没有提交。运行 %nemo export 重新开始。"
        return "Interrupted before the render was submitted: nothing is running. Run %nemo export to start it."
    if zh:
        return ("已中断：停止了等待回复。消息只发送了一次，不会重发；后端可能仍会完成这次修改。"
                "运行 %nemo status 查看时间线。")
    return ("Interrupted: stopped waiting for the reply. The message was sent once and is not re-sent; the "
            "backend may still finish this change. Run %nemo status to see the timeline.")


def versions_text(rows: list[dict[str, str]]) -> str:
    if not rows:
        return ""
    keys = list(rows[0])
    cells = [keys] + [[r[k] for k in keys] for r in rows]
    widths = [max(len(c[i]) for c in cells) for i in range(len(keys))]
    return "\n".join("  ".join(c[i].ljust(widths[i]) for i in range(len(keys))).rstrip() for c in cells)


def versions_html(rows: list[dict[str, str]]) -> str:
    if not rows:
        return ""
    keys = list(rows[0])
    th = "".join(f'<th style="text-align:left;padding:3px 8px">{html.escape(k)}</th>' for k in keys)
    body = "".join(
        "<tr" + (' style="font-weight:bold"' if r.get("") else "") + ">"
        + "".join(f'<td style="padding:3px 8px">{html.escape(r[k])}</td>' for k in keys) + "</tr>"
        for r in rows)
    return f'<table class="nemo-versions" style="border-collapse:collapse;font-size:13px"><thead><tr>{th}</tr></thead><tbody>{body}</tbody></table>'


class ListedJob(Protocol):
    """A render as the job list shows it (a client's render job)."""

    id: str
    status: str
    progress: float
    meta: dict[str, Any]


def _where(place: str) -> str:
    """A notebook (or the folder a kernel ran in) as a short name."""
    name = place.replace("\\", "/").rstrip("/").rsplit("/", 1)[-1]
    return name or place


def jobs_text(jobs: Sequence[ListedJob], *, notebook: str | None = None) -> str:
    """The unfinished (or finished, not yet fetched) renders, each with the command that picks it up.

    ``notebook`` is where the list is asked from: renders from other notebooks (the job list is the
    user's, shared by every notebook) are listed after this one's, each saying which it came from."""
    if notebook is None:
        return _job_lines(jobs)
    here = [j for j in jobs if j.meta.get("notebook") == notebook]
    elsewhere = [j for j in jobs if j.meta.get("notebook") != notebook]
    parts = []
    if here:
        parts.append(f"From this notebook ({_where(notebook)}):\n" + _job_lines(here))
    if elsewhere:
        parts.append("From other notebooks:\n" + _job_lines(elsewhere, say_notebook=True))
    return "\n".join(parts)


def _job_lines(jobs: Sequence[ListedJob], *, say_notebook: bool = False) -> str:
    lines = []
    for job in jobs:
        meta = job.meta
        job_id = job.id
        status = job.status or "unknown"
        pct = job.progress
        state = f"{status} {pct:.0f}%" if isinstance(pct, (int, float)) and status == "processing" else status
        label = meta.get("label") or "a video"
        conv = meta.get("conversation")
        when = meta.get("submitted_at")
        ago = ""
        if isinstance(when, (int, float)):
            minutes = max(0, int((time.time() - when) // 60))
            ago = f", submitted {minutes} min ago" if minutes else ", submitted just now"
        where = f" (conversation {conv})" if conv and conv != "default" else ""
        if say_notebook:
            origin = meta.get("notebook")
            where += f" [from {_where(str(origin))}]" if isinstance(origin, str) and origin else " [notebook unknown]"
        verb = "get it" if status == "completed" else "wait for it"
        lines.append(f"- {job_id}: {label}{where}, {state}{ago}. To {verb}: %nemo jobs --resume {job_id}")
    return "\n".join(lines)


def preview_note(zh: bool = False, *, final: bool = True) -> str:
    """Under a preview that plays while the full-quality file renders (``final=False``: the render
    stopped or failed here, see the message under the cell: the preview is all this cell has)."""
    if not final:
        return ("仅为预览：高清渲染没有在这里完成（见下方的说明）。" if zh else
                "Preview only: the full-quality render did not finish here (see the message below the cell).")
    if zh:
        return "预览：高清视频渲染好后会在这个播放器里替换它（从同一时刻继续播放）。"
    return "Preview: the full-quality video replaces it in this player when it is ready (at the same moment)."


def elsewhere_text(others: Sequence[str]) -> str:
    """Where the drafts are, when the current conversation has none: the conversations that have one
    and the command that switches ("" when no other has one)."""
    if not others:
        return ""
    names = [repr(n) for n in others]
    if len(others) == 1:
        return f"Conversation {names[0]} has one: %nemo use {others[0]} switches to it."
    listed = ", ".join(names[:-1]) + " and " + names[-1]
    return f"Conversations {listed} have one: %nemo use NAME switches (e.g. %nemo use {others[0]})."


def made_current_text(name: str, before: str) -> str:
    """Said once, when ``%%nemo -s NAME`` makes NAME the current conversation."""
    return (f"Conversation {name!r} is now current: plain %%nemo cells and %nemo commands continue it "
            f"(%nemo use {before} goes back).")


def no_such_text(name: str, names: Sequence[str]) -> str:
    """``%nemo use NAME`` for a conversation that does not exist: nothing is made without asking."""
    known = ", ".join(repr(n) for n in names) or "'default'"
    return (f"There is no conversation {name!r} (there are: {known}). To start it, run %nemo new {name} "
            f"(it then becomes current).")
