"""The storyboard strip of a draft: one small still per scene, before any video is encoded.

Our engine paints it from the draft alone (``/api/storyboard/...``, not part of the cloud
protocol); a backend without it (the cloud) gives ``None``. The stills are JPEG bytes with
their place on the timeline; :class:`Storyboard` shows itself as a row of images.

What the backend sends is checked before it can reach HTML: a still is kept only as a
``data:`` URL of :data:`IMAGE_TYPES` with valid base64 (at most :data:`MAX_FRAMES` stills of
:data:`MAX_IMAGE_BYTES`), its media type is ours, not the backend's text, and labels, credit and
sizes are escaped or numbers. A tampered backend gets no markup into a cell's output or a widget.
"""

from __future__ import annotations

import base64
import html
import re
from dataclasses import dataclass, field
from typing import Any

__all__ = ["IMAGE_TYPES", "StoryFrame", "Storyboard", "attribution_html", "parse_storyboard"]

_URL = re.compile(r"https?://[^\s()<>\"']+")
IMAGE_TYPES = ("image/jpeg", "image/png", "image/webp")   # the only media types a still may have
MAX_FRAMES = 200
MAX_IMAGE_BYTES = 2 * 1024 * 1024


def attribution_html(text: str | None) -> str:
    """A backend's credit for the art it drew (OpenMoji's CC BY-SA line) as a small HTML line,
    escaped, its web addresses made links; "" for none. One look for every output that shows
    the art: storyboards, players, posters, exported pages."""
    if not text:
        return ""
    out, last = [], 0
    for m in _URL.finditer(text):
        out.append(html.escape(text[last:m.start()]))
        url = html.escape(m.group(0), quote=True)
        out.append(f'<a href="{url}" target="_blank" rel="noopener">{url}</a>')
        last = m.end()
    out.append(html.escape(text[last:]))
    return f'<div class="nemo-credit" style="font-size:11px;opacity:.75">{"".join(out)}</div>'


@dataclass(frozen=True)
class StoryFrame:
    t: float                 # seconds on the timeline
    start_ms: int            # the shot's start and length
    duration_ms: int
    segment: str | None      # the shot's segment id
    label: str
    image: bytes = field(repr=False)  # JPEG
    mime: str = "image/jpeg"

    @property
    def data_url(self) -> str:
        mime = self.mime if self.mime in IMAGE_TYPES else "image/jpeg"
        return f"data:{mime};base64," + base64.b64encode(self.image).decode("ascii")


@dataclass(frozen=True)
class Storyboard:
    frames: tuple[StoryFrame, ...]
    width: int
    height: int
    key: str | None = None
    credit: str | None = None  # the art's credit (OpenMoji, CC BY-SA), shown with the strip

    def __len__(self) -> int:
        return len(self.frames)

    def __repr__(self) -> str:
        return f"<Storyboard {len(self.frames)} frames {self.width}x{self.height}>"

    def __str__(self) -> str:
        return "Storyboard: " + " | ".join(f"{int(f.t) // 60}:{int(f.t) % 60:02d} {f.label}".strip()
                                           for f in self.frames) + (f"\n{self.credit}" if self.credit else "")

    def _repr_html_(self) -> str:
        cells = []
        for f in self.frames:
            m, s = divmod(int(f.t), 60)
            cap = html.escape(f"{m}:{s:02d} {f.label}".strip())
            cells.append(
                f'<figure style="margin:0;flex:0 0 auto;max-width:{int(self.width)}px">'
                f'<img src="{html.escape(f.data_url, quote=True)}" width="{int(self.width)}" '
                f'height="{int(self.height)}" alt="{cap}" '
                f'style="display:block;border-radius:4px;max-width:100%;height:auto">'
                f'<figcaption style="font-size:12px;opacity:.8;overflow:hidden;text-overflow:ellipsis;'
                f'white-space:nowrap">{cap}</figcaption></figure>')
        return ('<div class="nemo-storyboard" style="display:flex;gap:6px;overflow-x:auto;padding:2px 0">'
                + "".join(cells) + "</div>" + attribution_html(self.credit))


def parse_storyboard(data: Any) -> Storyboard | None:
    """The engine's answer → a :class:`Storyboard`; None when it is not one."""
    if not isinstance(data, dict) or not isinstance(data.get("frames"), list):
        return None
    frames = []
    for f in data["frames"][:MAX_FRAMES]:
        if not isinstance(f, dict):
            continue
        url = f.get("image")
        if not isinstance(url, str) or len(url) > MAX_IMAGE_BYTES * 4 // 3 + 100:
            continue
        head, _, b64 = url.partition(",")
        mime = head[5:].split(";")[0].strip().lower() if head.startswith("data:") else ""
        if mime not in IMAGE_TYPES or head.lower() != f"data:{mime};base64":
            continue   # only data:image/jpeg|png|webp;base64 (nothing else reaches <img src>)
        try:
            raw = base64.b64decode(b64, validate=True)
        except ValueError:
            continue
        frames.append(StoryFrame(t=_number(f.get("t")), start_ms=int(_number(f.get("st"))),
                                 duration_ms=int(_number(f.get("d"))), segment=_text(f.get("segment"), 200) or None,
                                 label=_text(f.get("label"), 300), image=raw, mime=mime))
    if not frames:
        return None
    credit = data.get("credit")
    return Storyboard(tuple(frames), int(min(4096, _number(data.get("width")))),
                      int(min(4096, _number(data.get("height")))), _text(data.get("key"), 128) or None,
                      credit=str(credit)[:500] if isinstance(credit, str) and credit.strip() else None)


def _number(value: Any) -> float:
    """A finite number >= 0 from the backend's JSON (anything else: 0)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return 0.0
    number = float(value)
    return number if 0 <= number < 1e12 else 0.0


def _text(value: Any, limit: int) -> str:
    return value[:limit] if isinstance(value, str) else ""
