"""A lesson pack: one HTML page a teacher hands out, that plays from disk in any browser with no
kernel, no server and no network.

:func:`write_pack` writes ``PATH.html`` and, beside it, ``PATH_files/`` with the MP4s (or, with
``embed``, the videos inside the page when they are small enough together). The page holds, per
video: its title, the row's fields, a poster, a player with its captions (what is heard: the
narrator's lines and the sounds) as a text track (``<track kind="captions">``, on when the video
speaks; WebVTT inlined as a ``data:`` URL: browsers refuse a track file beside a page opened from
``file://``), a transcript of what it shows, says and sounds like whose times jump the player there, what was asked and the brief's checklist; then the votes of a comparison,
and the credits and licences of what the videos show and say.

Made to be read by everyone: landmarks and headings, a skip link, every control a native
button or link (keyboard first, a visible focus ring), marks spelled out for screen readers,
light and dark themes (the system's, or chosen with a button, remembered). Nothing in it loads
from anywhere: its Content-Security-Policy allows no network request at all (images and tracks
are ``data:``, videos are the files beside it), and its one small script is pinned by hash.
Every piece of text from a table or a backend is escaped.
"""

from __future__ import annotations

import base64
import hashlib
import html
import os
import shutil
import time
import urllib.parse
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .._version import __version__
from ..conversation.batch_rows import Checklist, Cue, captions_vtt
from ..conversation.checklist import MARK_NAMES, check_mark
from . import naming
from .display import format_bytes, video_credit
from .widgets._snapshot import poster

__all__ = ["EMBED_LIMIT_MB", "PackVideo", "write_pack"]

EMBED_LIMIT_MB = 50.0        # videos inside the page only when all of them together are under this
POSTER_WIDTH = 640


@dataclass
class PackVideo:
    """One video of the pack and what the page says about it (plain text: escaped when written)."""

    title: str
    file: Path
    name: str = ""                                           # the row's or take's name
    fields: Mapping[str, str] = field(default_factory=dict)  # the row's fields (word: Katze, ...)
    prompt: str = ""
    cues: Sequence[Cue] = ()
    checklist: Checklist = field(default_factory=Checklist)
    duration: float | None = None
    note: str = ""                                           # e.g. a take's star and note


def _e(value: object) -> str:
    return html.escape("" if value is None else str(value), quote=True)


def _clock(seconds: float) -> str:
    s = max(0, int(seconds))
    return f"{s // 60}:{s % 60:02d}"


CSS = """
:root { color-scheme: light dark; --bg: #ffffff; --fg: #1f2328; --muted: #57606a; --card: #f6f8fa;
  --line: #d0d7de; --link: #0a58ca; --focus: #9a4d00; --ok: #1a7f37; --bad: #b3261e; --mid: #7d4e00; }
@media (prefers-color-scheme: dark) {
  :root:not([data-theme="light"]) { --bg: #0d1117; --fg: #e6edf3; --muted: #9da7b3; --card: #161b22;
    --line: #30363d; --link: #79c0ff; --focus: #ffb454; --ok: #56d364; --bad: #ff7b72; --mid: #e3b341; }
}
:root[data-theme="dark"] { color-scheme: dark; --bg: #0d1117; --fg: #e6edf3; --muted: #9da7b3; --card: #161b22;
  --line: #30363d; --link: #79c0ff; --focus: #ffb454; --ok: #56d364; --bad: #ff7b72; --mid: #e3b341; }
:root[data-theme="light"] { color-scheme: light; }
* { box-sizing: border-box; }
body { margin: 0; background: var(--bg); color: var(--fg); font: 16px/1.5 system-ui, -apple-system, "Segoe UI",
  "Noto Sans", "Noto Sans CJK SC", sans-serif; }
a { color: var(--link); }
:focus-visible { outline: 3px solid var(--focus); outline-offset: 2px; }
.skip { position: absolute; left: -9999px; top: 0; background: var(--bg); padding: 8px; }
.skip:focus { left: 8px; }
header, main, footer { max-width: 1100px; margin: 0 auto; padding: 16px 20px; }
header { display: flex; flex-wrap: wrap; gap: 12px; align-items: baseline; justify-content: space-between;
  border-bottom: 1px solid var(--line); }
h1 { margin: 0; font-size: 1.7rem; }
.sub { color: var(--muted); margin: 4px 0 0 0; }
button { font: inherit; color: var(--fg); background: var(--card); border: 1px solid var(--line);
  border-radius: 6px; padding: 4px 10px; cursor: pointer; }
nav ol { columns: 16rem; margin: 0; padding-left: 1.4rem; }
section.video { border: 1px solid var(--line); border-radius: 10px; background: var(--card); margin: 20px 0;
  padding: 16px; display: grid; gap: 16px; grid-template-columns: minmax(280px, 1.2fr) minmax(240px, 1fr); }
@media (max-width: 760px) { section.video { grid-template-columns: 1fr; } }
section.video h2 { grid-column: 1 / -1; margin: 0; font-size: 1.3rem; }
video { width: 100%; height: auto; background: #000; border-radius: 6px; display: block; }
figure { margin: 0; }
figcaption { color: var(--muted); font-size: .9rem; margin-top: 4px; }
dl.fields { display: grid; grid-template-columns: max-content 1fr; gap: 2px 12px; margin: 0 0 8px 0; }
dl.fields dt { color: var(--muted); }
dl.fields dd { margin: 0; }
h3 { font-size: 1rem; margin: 12px 0 4px 0; }
blockquote { margin: 0; padding: 4px 10px; border-left: 3px solid var(--line); white-space: pre-wrap; }
ul.checks, ol.transcript { margin: 0; padding-left: 0; list-style: none; }
ul.checks li, ol.transcript li { margin: 2px 0; }
.mark-done { color: var(--ok); font-weight: 700; }
.mark-substituted { color: var(--mid); font-weight: 700; }
.mark-not_done, .mark-pending { color: var(--bad); font-weight: 700; }
.note { color: var(--muted); }
ol.transcript button { padding: 0 6px; margin-right: 6px; font-variant-numeric: tabular-nums; }
.speaker { font-style: italic; color: var(--muted); }
.credit { font-size: .85rem; color: var(--muted); }
table { border-collapse: collapse; }
th, td { border: 1px solid var(--line); padding: 4px 8px; text-align: left; }
.sr { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }
"""

# the theme button (auto -> light -> dark, remembered) and the transcript's times (jump the player there)
SCRIPT = """
(function () {
  var root = document.documentElement, button = document.getElementById("theme");
  var names = {auto: "Theme: as the system", light: "Theme: light", dark: "Theme: dark"};
  function set(mode) {
    if (mode === "auto") { root.removeAttribute("data-theme"); } else { root.setAttribute("data-theme", mode); }
    button.textContent = names[mode]; button.setAttribute("data-mode", mode);
    try { localStorage.setItem("nemo-pack-theme", mode); } catch (e) {}
  }
  var saved = "auto";
  try { saved = localStorage.getItem("nemo-pack-theme") || "auto"; } catch (e) {}
  set(names[saved] ? saved : "auto");
  button.addEventListener("click", function () {
    var order = ["auto", "light", "dark"], now = button.getAttribute("data-mode");
    set(order[(order.indexOf(now) + 1) % 3]);
  });
  document.addEventListener("click", function (event) {
    var b = event.target.closest("button[data-t]");
    if (!b) { return; }
    var v = document.getElementById(b.getAttribute("data-video"));
    v.currentTime = parseFloat(b.getAttribute("data-t")); v.focus(); v.play();
  });
})();
"""


def _sha(text: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode("ascii") + "'"


def _policy() -> str:
    """No request leaves the page: images and tracks are data, videos the files beside it (or data)."""
    return ("default-src 'none'; img-src data:; media-src 'self' data: file:; "
            f"style-src {_sha(CSS)}; script-src {_sha(SCRIPT)}; base-uri 'none'; form-action 'none'")


def _data(path: Path, mime: str) -> str:
    return f"data:{mime};base64," + base64.b64encode(path.read_bytes()).decode("ascii")


def _checks(checklist: Checklist) -> str:
    if not checklist:
        return ""
    items = []
    for i in checklist.items:
        words = MARK_NAMES.get(i.status, i.status)
        note = f' <span class="note">— {_e(i.note)}</span>' if i.note else ""
        items.append(f'<li><span class="mark-{_e(i.status)}" aria-hidden="true">{_e(check_mark(i.status))}</span>'
                     f'<span class="sr">{_e(words)}:</span> {_e(i.label)}{note}</li>')
    return f'<h3>The brief, item by item</h3><ul class="checks">{"".join(items)}</ul>'


def _transcript(video_id: str, cues: Sequence[Cue]) -> str:
    if not cues:
        return ""
    lines = []
    for c in cues:
        who = f'<span class="speaker">{_e(c.who.capitalize())}:</span> '
        lines.append(f'<li><button type="button" data-t="{c.start:.2f}" data-video="{video_id}" '
                     f'aria-label="Play from {_clock(c.start)}">{_clock(c.start)}</button>{who}{_e(c.text)}</li>')
    return (f'<h3 id="{video_id}-tr">Transcript</h3>'
            f'<ol class="transcript" aria-labelledby="{video_id}-tr">{"".join(lines)}</ol>')


def _section(n: int, v: PackVideo, src: str) -> str:
    vid = f"v{n}"
    title = v.title or v.name or f"Video {n}"
    fields = "".join(f"<dt>{_e(k)}</dt><dd>{_e(val)}</dd>" for k, val in v.fields.items() if str(val).strip())
    img = poster(v.file, v.duration, width=POSTER_WIDTH)
    track = ""
    vtt = captions_vtt(v.cues)
    if vtt:
        on = " default" if any(c.spoken for c in v.cues) else ""
        track = (f'<track kind="captions" label="Captions"{on} '
                 f'src="data:text/vtt;base64,{base64.b64encode(vtt.encode("utf-8")).decode("ascii")}">')
    size = v.file.stat().st_size
    info = " · ".join(x for x in (f"{v.duration:.1f} s" if v.duration else "", format_bytes(size)) if x)
    download = "" if src.startswith("data:") else f' · <a href="{_e(src)}" download>download the video</a>'
    credit = video_credit(v.file)
    return (f'<section class="video" id="{vid}-section" aria-labelledby="{vid}-title">'
            f'<h2 id="{vid}-title">{n}. {_e(title)}</h2>'
            f'<figure><video id="{vid}" controls preload="metadata" playsinline'
            + (f' poster="{img}"' if img else "")
            + f' aria-describedby="{vid}-info"><source src="{_e(src)}" type="video/mp4">{track}'
            f'<p>This browser cannot play the video here: <a href="{_e(src)}">open it</a>.</p></video>'
            f'<figcaption id="{vid}-info">{_e(info)}{download}</figcaption>'
            + (f'<p class="credit">{_e(credit)}</p>' if credit else "") + "</figure>"
            f'<div>{f"<dl class=fields>{fields}</dl>" if fields else ""}'
            + (f"<h3>What was asked</h3><blockquote>{_e(v.prompt)}</blockquote>" if v.prompt else "")
            + _checks(v.checklist) + (f'<p class="note">{_e(v.note)}</p>' if v.note else "")
            + _transcript(vid, v.cues) + "</div></section>")


def _table(caption: str, rows: Sequence[Mapping[str, Any]], columns: Sequence[str]) -> str:
    head = "".join(f'<th scope="col">{_e(c)}</th>' for c in columns)
    body = "".join("<tr>" + "".join(f"<td>{_e(r.get(c, ''))}</td>" for c in columns) + "</tr>" for r in rows)
    return (f"<section aria-labelledby='votes'><h2 id='votes'>{_e(caption)}</h2><table><thead><tr>{head}</tr>"
            f"</thead><tbody>{body}</tbody></table></section>")


def _credits(videos: Sequence[PackVideo]) -> str:
    shows_art = any(video_credit(v.file) for v in videos)
    speaks = any(c.spoken for v in videos for c in v.cues)
    items = []
    if shows_art:
        items.append("<li>The illustrations are <a href='https://openmoji.org'>OpenMoji</a>, adapted (scaled, "
                     "turned, animated, set into painted scenes), licensed <a href='https://creativecommons.org/"
                     "licenses/by-sa/4.0/'>CC BY-SA 4.0</a>: share these videos under the same licence, with "
                     "this credit.</li>")
    if speaks:
        items.append("<li>The narration is spoken by Piper (the English voice Joe: recordings released CC0) or "
                     "eSpeak NG; neither program's licence applies to the speech they produce.</li>")
    items.append(f"<li>Made with nemo_jupyter {_e(__version__)} (MIT licence): the videos were drawn and encoded "
                 "by its local engine with FFmpeg (GPL), offline.</li>")
    return f"<h2 id='credits'>Credits and licences</h2><ul>{''.join(items)}</ul>"


def _place(videos: Sequence[PackVideo], page: Path, *, embed: bool, limit_mb: float) -> tuple[list[str], str]:
    """Each video's ``src`` (the files copied beside the page, or inlined), and a note when ``embed``
    was asked but the videos are too large together."""
    total = sum(v.file.stat().st_size for v in videos)
    if embed and total <= limit_mb * 1024 * 1024:
        return [_data(v.file, "video/mp4") for v in videos], ""
    note = (f"The videos are {format_bytes(total)} together, over the {limit_mb:g} MB a page holds inside "
            f"itself: they are in {page.stem}_files/ beside it.") if embed else ""
    folder = page.with_name(f"{page.stem}_files")
    folder.mkdir(parents=True, exist_ok=True)
    out = []
    for n, v in enumerate(videos, 1):
        target = folder / f"{n:02d}-{naming.slug(v.title or v.name or v.file.stem)}.mp4"
        if not (target.exists() and os.path.samefile(target, v.file)):
            target.unlink(missing_ok=True)
            try:
                os.link(v.file, target)          # the same bytes, no copy, when the disk allows it
            except OSError:
                shutil.copyfile(v.file, target)
        out.append(f"{urllib.parse.quote(folder.name)}/{urllib.parse.quote(target.name)}")
    return out, note


def write_pack(path: str | os.PathLike[str], videos: Sequence[PackVideo], *, title: str = "Our videos",
               votes: Sequence[Mapping[str, Any]] | None = None, vote_columns: Sequence[str] = (),
               embed: bool = False, embed_limit_mb: float = EMBED_LIMIT_MB, lang: str = "en") -> tuple[Path, bool]:
    """Write the page (see the module's docstring); returns its path and whether the videos are inside
    it. ``videos`` without a file on disk are left out (the caller says which and why); ``votes`` are
    a comparison's tally."""
    page = Path(path)
    if page.suffix.lower() not in (".html", ".htm"):
        page = page.with_suffix(".html")
    page.parent.mkdir(parents=True, exist_ok=True)
    kept = [v for v in videos if v.file.is_file()]
    srcs, note = _place(kept, page, embed=embed, limit_mb=embed_limit_mb)
    sections = "".join(_section(n, v, src) for n, (v, src) in enumerate(zip(kept, srcs, strict=True), 1))
    toc = "".join(f'<li><a href="#v{n}-section">{_e(v.title or v.name or f"Video {n}")}</a></li>'
                  for n, v in enumerate(kept, 1))
    when = time.strftime("%Y-%m-%d")
    body = (f'<a class="skip" href="#videos">Skip to the videos</a>'
            f'<header><div><h1>{_e(title)}</h1><p class="sub">{len(kept)} video{"s" if len(kept) != 1 else ""} · '
            f'{when} · plays from this folder, no internet needed</p></div>'
            f'<button type="button" id="theme" data-mode="auto">Theme: as the system</button></header>'
            f'<main id="videos" tabindex="-1">'
            + (f'<p class="note">{_e(note)}</p>' if note else "")
            + (f'<nav aria-label="Videos"><h2 class="sr">Videos</h2><ol>{toc}</ol></nav>' if len(kept) > 1 else "")
            + sections
            + (_table("Votes", votes, vote_columns) if votes else "")
            + f"</main><footer>{_credits(kept)}</footer>")
    text = (f'<!DOCTYPE html>\n<html lang="{_e(lang)}"><head><meta charset="utf-8">'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">'
            f'<meta http-equiv="Content-Security-Policy" content="{_e(_policy())}">'
            f'<meta name="generator" content="nemo_jupyter {_e(__version__)}">'
            f"<title>{_e(title)}</title><style>{CSS}</style></head><body>{body}<script>{SCRIPT}</script>"
            "</body></html>\n")
    tmp = page.with_name(f".{page.name}.{os.getpid()}.part")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, page)
    return page, not note and embed
