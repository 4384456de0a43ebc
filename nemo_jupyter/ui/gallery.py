"""A batch drawn: its progress while it runs, and the gallery of its rows once it has.

Pure functions from the batch's state (:class:`~nemo_jupyter.conversation.batch.BatchSummary`
and its rows) or its result DataFrame to MIME bundles (``text/html`` and ``text/plain``), so a
notebook, a terminal and nbconvert all show something readable. Every piece of row and backend
text is escaped; posters are small JPEG ``data:`` URIs, players link the MP4 beside the notebook
(or embed it) with the row's WebVTT as a captions track.
"""

from __future__ import annotations

import base64
import html
import math
import urllib.parse
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from ..conversation.batch import COLUMNS, BatchSummary
from ..conversation.batch_rows import Checklist, RowRun
from .display import checklist_html, format_bytes, format_elapsed
from .widgets._snapshot import poster

__all__ = ["GALLERY_CSS", "PROGRESS_CSS", "Gallery", "final_bundle", "gallery_html", "gallery_text", "progress_bundle"]

POSTER_WIDTH = 240

PROGRESS_CSS = """
.nemo-batch { font-family: var(--jp-ui-font-family, system-ui, sans-serif); font-size: 13px; line-height: 1.4;
  color: var(--jp-ui-font-color1, #1f2328); }
.nemo-batch progress { width: 60%; vertical-align: middle; }
.nemo-batch .nemo-b-rows { margin: 4px 0 0 0; padding-left: 18px; }
.nemo-batch .nemo-b-fail { color: var(--jp-error-color1, #b3261e); }
"""

GALLERY_CSS = """
.nemo-gallery { border-collapse: collapse; font-size: 12px; }
.nemo-gallery th, .nemo-gallery td { border: 1px solid var(--jp-border-color2, #d0d7de); padding: 4px 6px;
  text-align: left; vertical-align: top; }
.nemo-gallery video { display: block; max-width: 240px; background: #000; border-radius: 4px; }
.nemo-gallery ul { margin: 0; padding-left: 0; list-style: none; }
.nemo-gallery .nemo-g-failed { color: var(--jp-error-color1, #b3261e); }
.nemo-gallery .nemo-g-note { opacity: .8; }
"""


def _esc(value: Any) -> str:
    return html.escape("" if value is None else str(value))


def _eta(seconds: float | None) -> str:
    if seconds is None:
        return ""
    return f"~{format_elapsed(seconds)} left" if seconds >= 1 else "almost done"


def summary_text(name: str, s: BatchSummary, *, at_once: int = 0) -> str:
    """``words: 5 of 12 done (3 reused) · 2 running · 4 queued · 1 failed · ~30s left``."""
    parts = [f"{s.done} of {s.total} done" + (f" ({s.reused} reused)" if s.reused else "")]
    if s.running:
        parts.append(f"{s.running} running" + (f" (up to {at_once} at once)" if at_once else ""))
    if s.queued:
        parts.append(f"{s.queued} queued")
    for count, word in ((s.failed, "failed"), (s.skipped, "skipped"), (s.cancelled, "stopped")):
        if count:
            parts.append(f"{count} {word}")
    tail = _eta(s.eta_s) if not s.finished else f"in {format_elapsed(s.elapsed_s)}"
    return f"{name}: " + " · ".join(parts) + (f" · {tail}" if tail else "")


def _row_line(run: RowRun) -> str:
    pct = f" {run.percent:.0f}%" if run.percent is not None and run.status == "rendering" else ""
    activity = f" ({run.activity})" if run.activity and run.activity not in ("rendering…",) else ""
    return f"{run.row.name}: {run.status}{pct}{activity}"


def progress_bundle(name: str, s: BatchSummary, runs: Sequence[RowRun], *, cost_line: str | None = None,
                    at_once: int = 0) -> dict[str, str]:
    """The live display while the batch runs: the counts, a bar, each running row, the cost said first."""
    head = summary_text(name, s, at_once=at_once)
    running = [r for r in runs if r.running]
    failed = [r for r in runs if r.status == "failed"]
    lines = [head]
    if cost_line:
        lines.insert(0, cost_line)
    lines += ["  " + _row_line(r) for r in running]
    lines += [f"  ✗ {r.row.name}: {r.reason}" for r in failed]
    items = "".join(f"<li>{_esc(_row_line(r))}</li>" for r in running)
    items += "".join(f'<li class="nemo-b-fail">✗ {_esc(r.row.name)}: {_esc(r.reason)}</li>' for r in failed)
    body = (f"<style>{PROGRESS_CSS}</style>"
            + (f"<div>{_esc(cost_line)}</div>" if cost_line else "")
            + f'<div><b>{_esc(head)}</b></div><progress max="{max(s.total, 1)}" value="{s.done + s.failed}" '
            f'aria-label="rows finished"></progress>'
            + (f'<ul class="nemo-b-rows">{items}</ul>' if items else ""))
    return {"text/html": f'<div class="nemo-batch" role="status">{body}</div>', "text/plain": "\n".join(lines)}


def final_bundle(name: str, s: BatchSummary, runs: Sequence[RowRun], *, cost_line: str | None = None,
                 at_once: int = 0, credits_total: float | None = None, output: str | None = None) -> dict[str, str]:
    """The last word of the live display: the counts, the credits spent, and each row that did not
    make its video, with why."""
    head = summary_text(name, s, at_once=at_once)
    if at_once and s.total > s.reused:
        head += f" ({at_once} rows at once)"
    notes = []
    if cost_line:
        notes.append(cost_line)
    if credits_total is not None and credits_total > 0:
        notes.append(f"Credits spent by this batch: {credits_total:g}.")
    if output:
        notes.append(f"The table is in {output} (a DataFrame); %nemo pack PAGE.html {output} makes a lesson pack.")
    bad = [r for r in runs if r.status in ("failed", "skipped", "cancelled")]
    plain = [head, *notes] + [f"✗ {r.row.name}: {r.status}: {r.reason}" for r in bad]
    items = "".join(f'<li class="nemo-b-fail">✗ <b>{_esc(r.row.name)}</b> ({_esc(r.status)}): {_esc(r.reason)}</li>'
                    for r in bad)
    body = (f"<style>{PROGRESS_CSS}</style><div><b>{_esc(head)}</b></div>"
            + "".join(f"<div>{_esc(n)}</div>" for n in notes)
            + (f'<ul class="nemo-b-rows" aria-label="rows without a video">{items}</ul>' if items else ""))
    return {"text/html": f'<div class="nemo-batch">{body}</div>', "text/plain": "\n".join(plain)}


# -- the gallery ------------------------------------------------------------------------------------------
def field_columns(frame: Any) -> list[str]:
    """The row's own columns of a batch's DataFrame (the ones the batch did not add)."""
    return [str(c) for c in frame.columns if c not in COLUMNS]


def _href(path: str) -> str:
    return "/".join(urllib.parse.quote(part) for part in path.split("/"))


def _number(value: Any) -> float | None:
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(number) else number


def player_html(file: str, *, captions_file: str = "", duration: float | None = None, label: str = "",
                embed: bool = False, width: int = POSTER_WIDTH) -> str:
    """A player of the row's MP4 (poster first, nothing loaded until played), with its captions."""
    path = Path(file)
    if not file or not path.is_file():
        return ""
    img = poster(path, duration, width=width)
    if embed:
        src = "data:video/mp4;base64," + base64.b64encode(path.read_bytes()).decode("ascii")
    else:
        src = _href(file)
    track = ""
    vtt = Path(captions_file) if captions_file else None
    if vtt is not None and vtt.is_file():
        track_src = ("data:text/vtt;base64," + base64.b64encode(vtt.read_bytes()).decode("ascii")) if embed \
            else _href(captions_file)
        track = f'<track kind="captions" label="Captions" src="{_esc(track_src)}">'
    return (f'<video controls preload="none" width="{int(width)}" aria-label="{_esc(label or path.stem)}"'
            + (f' poster="{img}"' if img else "") + f'><source src="{_esc(src)}" type="video/mp4">{track}</video>'
            f'<a href="{_esc(_href(file))}" download="{_esc(path.name)}">{_esc(path.name)}</a>')


def gallery_html(frame: Any, *, embed: bool = False) -> str:
    """The batch's rows as a table: the row's fields, its player, duration, checklist, credits, file."""
    fields = field_columns(frame)
    head = "".join(f"<th>{_esc(c)}</th>" for c in ["row", *fields, "video", "duration", "checklist", "credits"])
    body = []
    for name, row in frame.iterrows():
        cells = [f"<th scope='row'>{_esc(name)}</th>"] + [f"<td>{_esc(_cell(row.get(c)))}</td>" for c in fields]
        status = str(row.get("status") or "")
        duration = _number(row.get("duration_s"))
        if status == "done" and row.get("file"):
            video = player_html(str(row["file"]), captions_file=str(row.get("captions_file") or ""),
                                duration=duration, label=str(row.get("title") or name), embed=embed)
            title = str(row.get("title") or "")
            video = (f"<div><b>{_esc(title)}</b></div>" if title else "") + (video or "<em>file missing</em>")
            if row.get("reused"):
                video += "<div class='nemo-g-note'>reused: nothing sent</div>"
        elif status == "done":
            video = f"<b>{_esc(row.get('title') or '')}</b><div class='nemo-g-note'>drafted (no -x: not rendered)</div>"
        else:
            video = f"<span class='nemo-g-failed'>✗ {_esc(status)}: {_esc(row.get('reason') or '')}</span>"
        credits = _number(row.get("credits"))
        cells += [f"<td>{video}</td>", f"<td>{f'{duration:.1f} s' if duration is not None else ''}</td>",
                  f"<td>{_checks(row.get('checklist'))}</td>",
                  f"<td>{'' if credits is None else f'{credits:g}'}</td>"]
        body.append(f"<tr>{''.join(cells)}</tr>")
    name = frame.attrs.get("nemo_batch") or "batch"
    return (f"<style>{GALLERY_CSS}</style><div style='overflow-x:auto'><table class='nemo-gallery'>"
            f"<caption style='text-align:left'><b>{_esc(name)}</b>: one video per row</caption>"
            f"<thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table></div>")


def _cell(value: Any) -> str:
    return "" if value is None or (isinstance(value, float) and math.isnan(value)) else str(value)


def _checks(checklist: Any) -> str:
    """The row's checklist as a cell's output shows a turn's (its summary, open when something was not done)."""
    return checklist_html(checklist.brief) if isinstance(checklist, Checklist) else ""


def gallery_text(frame: Any) -> str:
    """The gallery as lines of text (a terminal, nbconvert's text)."""
    out = []
    for name, row in frame.iterrows():
        status = str(row.get("status") or "")
        if status == "done":
            duration = _number(row.get("duration_s"))
            size = ""
            file = str(row.get("file") or "")
            if file and Path(file).is_file():
                size = f", {format_bytes(Path(file).stat().st_size)}"
            dur = f"{duration:.1f} s" if duration is not None else "? s"
            reused = " (reused)" if row.get("reused") else ""
            out.append(f"{name}: {row.get('title') or ''} · {dur}{size} · {file or 'not rendered'}{reused}")
            checklist = row.get("checklist")
            if isinstance(checklist, Checklist) and checklist:
                out.append(f"    {checklist}")
        else:
            out.append(f"{name}: ✗ {status}: {row.get('reason') or ''}")
    return "\n".join(out)


class Gallery:
    """A batch's DataFrame shown as its gallery (``Gallery(frame)`` shows it again)."""

    def __init__(self, frame: Any, *, embed: bool = False) -> None:
        self.frame = frame
        self.embed = embed

    def _repr_mimebundle_(self, include: object = None, exclude: object = None) -> dict[str, str]:
        return {"text/html": gallery_html(self.frame, embed=self.embed), "text/plain": gallery_text(self.frame)}
