"""Static copies of the widgets: what a saved notebook shows without a kernel.

A live widget needs its kernel; a notebook reopened later (or turned into HTML by nbconvert)
only has the outputs saved in it. Each widget is therefore displayed followed by one small
``text/html`` output made here: the chat transcript as text, the comparison with posters,
the table and links to the files. The front end keeps that output up to date
(``nemoSnapshotKeeper`` in ``static/_common.js``) and hides it while the live widget draws.

Everything here is plain strings: every piece of backend text goes through
:func:`html.escape`; images are small JPEG posters inlined as ``data:`` URIs so the copy
and the exported comparison page are self-contained; links to videos are relative paths.
The exported CSV goes through :func:`spreadsheet_safe`: no cell of it runs as a formula.
"""

from __future__ import annotations

import base64
import html
import os
import re
import subprocess
import urllib.parse
from collections.abc import Mapping, Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any

#: the width of a poster, in pixels (about 8-20 kB each as JPEG)
POSTER_WIDTH = 320

# Colours follow JupyterLab's theme when there is one (the notebook, nbconvert's lab
# template), with light fallbacks otherwise. The first rule hides the copy while the live
# widget of the same output area draws; the second hides "Error displaying widget" when
# there is no kernel and the copy is shown instead.
STATIC_CSS = """
.jp-OutputArea:has(.nemo-root) > .jp-OutputArea-child:has(.nemo-static) { display: none; }
.jp-OutputArea:has(.nemo-static) > .jp-OutputArea-child:has(.jupyter-widgets):not(:has(.nemo-root)) { display: none; }
.nemo-static { font-family: var(--jp-ui-font-family, system-ui, sans-serif); font-size: 13px; line-height: 1.4;
  color: var(--jp-ui-font-color1, #1f2328); background: var(--jp-layout-color1, #fff);
  border: 1px solid var(--jp-border-color2, #d0d7de); border-radius: 8px; padding: 8px; max-width: 100%; }
.nemo-static h4 { margin: 0 0 6px 0; font-size: 14px; }
.nemo-static .nemo-s-note { font-size: 12px; margin: 0 0 6px 0; }
.nemo-static .nemo-s-check { font-size: 12px; margin: 4px 0 0 0; white-space: normal; }
.nemo-static .nemo-s-msg { padding: 4px 8px; margin: 4px 0; border-radius: 6px; white-space: pre-wrap;
  overflow-wrap: anywhere; background: var(--jp-layout-color2, #eee); }
.nemo-static .nemo-s-user { border-left: 3px solid var(--jp-brand-color1, #1976d2); }
.nemo-static .nemo-s-role { font-weight: 600; margin-right: 6px; }
.nemo-static .nemo-s-grid { display: grid; gap: 8px; grid-template-columns: repeat(auto-fill, minmax(200px, 1fr)); }
.nemo-static .nemo-s-col { border: 1px solid var(--jp-border-color2, #d0d7de); border-radius: 6px; padding: 6px; }
.nemo-static .nemo-s-col.nemo-s-star { border: 2px solid #f5b301; }
.nemo-static img { max-width: 100%; height: auto; display: block; border-radius: 4px; background: #000; }
.nemo-static a { color: var(--jp-content-link-color, #0d47a1); }
.nemo-static table { border-collapse: collapse; margin-top: 8px; font-size: 12px; }
.nemo-static th, .nemo-static td { border: 1px solid var(--jp-border-color2, #d0d7de); padding: 2px 6px;
  text-align: left; vertical-align: top; }
"""

PAGE_CSS = """
body { margin: 16px; background: #fff; color: #1f2328; }
@media (prefers-color-scheme: dark) {
  body { background: #161b22; color: #e6edf3; }
  .nemo-static { --jp-ui-font-color1: #e6edf3; --jp-layout-color1: #0d1117; --jp-layout-color2: #21262d;
    --jp-border-color2: #30363d; --jp-content-link-color: #79c0ff; }
}
"""


FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n")


def spreadsheet_safe(frame: Any) -> Any:
    """A copy of the DataFrame ``frame`` whose text cells cannot run as spreadsheet formulas: a text
    that begins (after spaces) with ``=``, ``+``, ``-``, ``@``, a tab or a line break (a title, a
    caption, a note, a prompt) gets a leading apostrophe, which spreadsheets show as text (OWASP's
    advice on CSV injection). Numbers stay numbers."""
    def cell(value: Any) -> Any:
        if isinstance(value, str) and value.lstrip(" ").startswith(FORMULA_START):
            return "'" + value
        return value

    return frame.apply(lambda column: column.map(cell))


def esc(value: Any) -> str:
    return html.escape("" if value is None else str(value))


def _ffmpeg() -> str:
    import imageio_ffmpeg

    return str(imageio_ffmpeg.get_ffmpeg_exe())


@lru_cache(maxsize=64)
def _poster_cached(path: str, _mtime: float, _size: int, at: float, width: int) -> str:
    cmd = [_ffmpeg(), "-hide_banner", "-loglevel", "error", "-ss", f"{max(at, 0.0):.2f}", "-i", path,
           "-frames:v", "1", "-vf", f"scale={width}:-2", "-q:v", "6", "-f", "image2pipe", "-vcodec", "mjpeg", "-"]
    try:
        done = subprocess.run(cmd, capture_output=True, timeout=30, check=False)
    except (OSError, subprocess.SubprocessError):
        return ""
    if done.returncode != 0 or not done.stdout:
        return ""
    return "data:image/jpeg;base64," + base64.b64encode(done.stdout).decode("ascii")


def poster(path: str | os.PathLike[str] | None, duration: float | None = None, *, width: int = POSTER_WIDTH) -> str:
    """A ``data:image/jpeg`` URI of one frame from the middle of the video, or "" when there is none."""
    if not path:
        return ""
    p = Path(path)
    try:
        st = p.stat()
    except OSError:
        return ""
    at = (duration or 0.0) / 2 if duration else 0.5
    return _poster_cached(str(p.resolve()), st.st_mtime, st.st_size, at, width)


def relative_link(path: str | os.PathLike[str] | None, base: str | os.PathLike[str] | None = None) -> str:
    """``path`` relative to ``base`` (the notebook's folder by default), with ``/``; "" when unknown."""
    if not path:
        return ""
    target = Path(path).resolve()
    start = Path(base).resolve() if base is not None else Path.cwd().resolve()
    try:
        return Path(os.path.relpath(target, start)).as_posix()
    except ValueError:  # another drive on Windows
        return ""


def wrap(model_id: str, body: str, *, title: str) -> str:
    """The output's HTML: a marked ``div`` the front end finds again to update it."""
    return (f'<div class="nemo-static" data-nemo-static="{esc(model_id)}"><style>{STATIC_CSS}</style>'
            f"<h4>{esc(title)}</h4>{body}</div>")


def page(title: str, body: str) -> str:
    """A whole, self-contained HTML page (the exported comparison)."""
    return ("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
            f"<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><title>{esc(title)}</title>"
            f"<style>{STATIC_CSS}{PAGE_CSS}</style></head><body>"
            f"<div class=\"nemo-static\"><h4>{esc(title)}</h4>{body}</div></body></html>\n")


def file_href(link: str) -> str:
    """A relative path as an ``href``: each segment percent-encoded (spaces, ``#``, ``?``, CJK)."""
    return "/".join(urllib.parse.quote(part) for part in link.split("/"))


def video_block(path: str | os.PathLike[str] | None, url: str | None, duration: float | None, *,
                base: str | os.PathLike[str] | None = None, label: str = "", page: bool = False) -> str:
    """A poster linked to the video file (or the backend URL), with its name under it, and the
    art's credit when the video carries one.

    The link is relative (to ``base``, the notebook's folder by default), so it works from disk
    and wherever the folder moves. In a notebook output (``page`` False) it carries ``download``:
    JupyterLab and Notebook 7 then resolve it to the file server's ``/files/`` URL and let the
    browser fetch the file, instead of opening it as a document (Notebook 7 would show its app
    shell). In a stand-alone page (``page``, the exported comparison: served sandboxed, where
    downloads are refused) it is a plain link that plays the video."""
    link = file_href(relative_link(path, base)) if path else ""
    href = link or (url if url and url.startswith(("http://", "https://")) else "")
    img = poster(path, duration)
    name = label or (Path(path).name if path else (href.rsplit("/", 1)[-1] if href else ""))
    extra = f' download="{esc(name)}"' if link and not page else ""
    out = []
    if img:
        pic = f'<img src="{img}" alt="{esc(name or "poster")}" width="{POSTER_WIDTH}">'
        out.append(f'<a href="{esc(href)}"{extra}>{pic}</a>' if href else pic)
    if href:
        out.append(f'<div><a href="{esc(href)}"{extra}>{esc(name or href)}</a></div>')
    if path and (img or href):
        from ...client.storyboard import attribution_html
        from ..display import video_credit

        out.append(attribution_html(video_credit(Path(path))))  # OpenMoji's CC BY-SA credit, when it shows the art
    return "".join(out)


def transcript(messages: Sequence[Mapping[str, Any]], *, limit: int = 60) -> str:
    """The chat messages as escaped text blocks (``user``, ``assistant``, ``note``)."""
    names = {"user": "You", "assistant": "Nemo", "note": "Note"}
    out = []
    for m in list(messages)[-limit:]:
        role = str(m.get("role") or "assistant")
        cls = "nemo-s-msg nemo-s-user" if role == "user" else "nemo-s-msg"
        text = re.sub(r"\*\*(.+?)\*\*", r"<strong>\1</strong>", esc(m.get("text") or ""))
        out.append(f'<div class="{cls}"><span class="nemo-s-role">{esc(names.get(role, role))}:</span>'
                   f"{text}{checklist_block(m.get('checklist'))}</div>")
    return "".join(out) or '<p class="nemo-s-note">No messages yet.</p>'


def checklist_lines(state: Any) -> list[str]:
    """A widget's checklist state (``_base.checklist_state``) as lines: the summary, then each item
    unless all were done."""
    if not isinstance(state, Mapping):
        return []
    lines = [str(state.get("summary") or "")]
    items = state.get("items")
    if not state.get("all_done") and isinstance(items, list):
        lines += [f"{i.get('mark', '')} {i.get('label', '')}" + (f" — {i['note']}" if i.get("note") else "")
                  for i in items if isinstance(i, Mapping)]
    return [line for line in lines if line]


def checklist_block(state: Any) -> str:
    """The checklist in a static copy: escaped lines under the message or the take."""
    lines = checklist_lines(state)
    if not lines:
        return ""
    return "<div class='nemo-s-check'>" + "<br>".join(esc(line) for line in lines) + "</div>"


def table(rows: Sequence[Mapping[str, Any]], columns: Sequence[str], *, wide: Sequence[str] = ()) -> str:
    """A plain HTML table of ``rows`` (escaped cells; floats shortened). The ``wide`` columns (free
    text: a prompt, a note) keep a readable width and wrap, so a narrow notebook never squeezes them
    to one word a line; the table scrolls sideways instead."""
    def cell(v: Any) -> str:
        if isinstance(v, float):
            return "" if v != v else f"{v:.2f}".rstrip("0").rstrip(".")  # NaN → blank
        if isinstance(v, bool):
            return "★" if v else ""
        return esc(v)

    def attrs(c: str) -> str:
        if not wide:
            return ""
        return ' style="min-width:14em;max-width:28em;white-space:normal;overflow-wrap:anywhere"' if c in wide \
            else ' style="white-space:nowrap"'

    head = "".join(f"<th{attrs(c)}>{esc(c)}</th>" for c in columns)
    body = "".join("<tr>" + "".join(f"<td{attrs(c)}>{cell(r.get(c))}</td>" for c in columns) + "</tr>" for r in rows)
    return (f'<div style="overflow-x:auto"><table><thead><tr>{head}</tr></thead>'
            f"<tbody>{body}</tbody></table></div>")


def plain_transcript(messages: Sequence[Mapping[str, Any]], *, limit: int = 20) -> str:
    names = {"user": "You", "assistant": "Nemo", "note": "Note"}
    return "\n".join(f"{names.get(str(m.get('role')), m.get('role'))}: {m.get('text') or ''}"
                     + "".join(f"\n  {line}" for line in checklist_lines(m.get("checklist")))
                     for m in list(messages)[-limit:])


class StaticCopy:
    """Mixin for a widget shown with its static copy after it (see the module docstring).

    A subclass defines :meth:`static_body` (HTML), :meth:`static_text` and ``static_title``;
    it calls :meth:`push_static` when its state changed in a way worth keeping, and routes
    the front end's ``{"type": "snapshot?"}`` to :meth:`push_static` too.
    """

    static_title = "Nemo"

    def static_body(self) -> str:
        raise NotImplementedError

    def static_text(self) -> str:
        return self.static_title

    def static_html(self) -> str:
        return wrap(str(getattr(self, "model_id", "")), self.static_body(), title=self.static_title)

    def _display_bundle(self) -> dict[str, Any]:
        bundle = self._repr_mimebundle_()  # type: ignore[attr-defined]
        if isinstance(bundle, tuple):
            bundle = bundle[0]
        return dict(bundle or {})

    def _ipython_display_(self) -> None:
        from IPython.display import display

        self._static_shown = True
        display(self._display_bundle(), raw=True)  # type: ignore[no-untyped-call]
        display({"text/html": self.static_html(), "text/plain": self.static_text()},  # type: ignore[no-untyped-call]
                raw=True)

    def push_static(self) -> None:
        """Send the current copy to the front end, which writes it into the notebook."""
        if not getattr(self, "_static_shown", False):
            return  # shown inside another widget (the chat's timeline and player): that one keeps the copy
        try:
            msg = {"type": "snapshot", "model_id": str(getattr(self, "model_id", "")),
                   "html": self.static_html(), "text": self.static_text()}
            import ipywidgets

            # Widget.send itself: ChatWidget.send(text) means "send a chat message"
            ipywidgets.Widget.send(self, msg)  # type: ignore[arg-type]
        except Exception:  # a copy must never break the widget (e.g. no comm after close)
            import logging

            logging.getLogger(__name__).debug("static copy not sent", exc_info=True)
