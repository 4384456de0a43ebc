"""Shared plumbing for the widgets: ES module assembly, draft compaction, throttling, redaction.

Widgets never speak HTTP: they call :mod:`nemo_jupyter.conversation` and render what it
returns. Long work (a chat turn, a render) runs on the client's background loop
(:mod:`nemo_jupyter._loop`), so the kernel's main thread stays free to receive the
front end's messages (Cancel, Export) while a turn streams. Trait updates made from that
thread are sent through the kernel's comm like any other (ipykernel's IOPub socket is
thread safe), at a few Hz: :class:`Throttle` coalesces streamed text.

Front-end code lives in ``static/``: ``_common.js`` holds helpers shared by several widgets
(timeline drawing, video source resolution, formatting) and is prepended to each widget's
own module, because an ES module handed to anywidget cannot import its siblings without a
build step.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from ...client.draft import Draft
from ...client.models import Brief
from ...client.secrets import redact as _client_redact
from ...conversation.checklist import MARK_NAMES, check_mark, checklist_summary
from ...conversation.zh import segment_label_zh

STATIC = Path(__file__).parent / "static"

def esm(name: str) -> str:
    """The ES module of a widget: the shared helpers followed by ``static/<name>.js``."""
    common = (STATIC / "_common.js").read_text(encoding="utf-8")
    own = (STATIC / f"{name}.js").read_text(encoding="utf-8")
    return common + "\n" + own


def css(*names: str) -> str:
    """The style sheets ``static/<name>.css`` joined (every class is prefixed ``nemo-``)."""
    return "\n".join((STATIC / f"{n}.css").read_text(encoding="utf-8") for n in names)


def redact(text: str, *secrets: str | None) -> str:
    """``text`` with every token-like string and every given secret masked."""
    for secret in secrets:
        if secret:
            text = text.replace(secret, "***")
    return _client_redact(text)


DraftLike = Draft | Mapping[str, Any] | str | None
"""What a widget takes as a draft: a :class:`~nemo_jupyter.Draft`, its JSON as a dict or text, or None."""


def as_draft(draft: DraftLike) -> Draft | None:
    """``draft`` as a :class:`~nemo_jupyter.Draft` (None stays None); TypeError for anything else."""
    if draft is None or isinstance(draft, Draft):
        return draft
    if isinstance(draft, (Mapping, str)):
        return Draft.from_json(draft)
    raise TypeError(f"cannot read a draft from {type(draft).__name__}: pass a Draft, a dict or None")


def compact_timeline(draft: DraftLike, *, zh: bool = False) -> dict[str, Any]:
    """The draft's tracks as the small JSON the timeline front end draws.

    ``{"duration": ms, "title": str, "tracks": [{"type": "video"|"audio"|"text"|"other",
    "name": str, "segments": [{"id", "row", "label", "kind", "start", "end", "text", "src",
    "volume"}]}]}``. ``row`` is the segment's row in ``Draft.to_dataframe()`` (what an edit names);
    ``label`` what a person reads on the bar: a text segment's own words (a title says its text, not
    "Title"), else its name, in Chinese for a Chinese conversation when the backend named it in
    English. Only display fields are kept: no tokens, no unknown keys. The draft is walked with
    :meth:`Draft.segments` (the one reader of draft keys: lenient timing).
    """
    parsed = as_draft(draft)
    if parsed is None:
        return {"duration": 0, "title": "", "tracks": []}
    tracks_out: list[dict[str, Any]] = [
        {"type": t.type, "name": str(t.name or t.type.title()), "segments": []} for t in parsed.tracks
    ]
    end_max = 0.0
    for row, seg in enumerate(parsed.segments()):
        track = tracks_out[seg.track]
        start, end = 1000 * (seg.start or 0.0), 1000 * (seg.end or 0.0)
        end_max = max(end_max, end)
        words = seg.text if seg.kind in ("title", "caption", "text") and seg.text else None
        label = words or (segment_label_zh(seg) if zh else None) or seg.label or seg.scene or seg.mood \
            or seg.kind or track["type"]
        out: dict[str, Any] = {
            "id": seg.id or f"{seg.track}-{len(track['segments'])}",
            "row": row,
            "label": str(label)[:80],
            "kind": str(seg.kind or track["type"]),
            "start": start,
            "end": end,
        }
        if seg.text:
            out["text"] = seg.text[:200]
        if seg.source:
            out["src"] = redact(seg.source)[:300]
        if seg.volume is not None:
            out["volume"] = seg.volume
        track["segments"].append(out)
    return {"duration": max(1000 * parsed.duration, end_max), "title": str(parsed.title or ""),
            "tracks": tracks_out}


def checklist_state(brief: Brief | None) -> dict[str, Any] | None:
    """The brief's checklist as the plain JSON a widget draws (None: no brief, or nothing on it):
    ``{"summary", "all_done", "items": [{"key", "mark", "status", "meaning", "label", "note"}]}``.
    ``key`` tells the same item apart across takes (what it is and its label). Text only: the
    front end places every string with ``textContent``."""
    if brief is None or not brief.checklist:
        return None
    items = [{"key": f"{item.what}|{item.label}", "mark": check_mark(item.status), "status": item.status,
              "meaning": MARK_NAMES.get(item.status, ""), "label": redact(item.label)[:200],
              "note": redact(item.note)[:300]} for item in brief.checklist]
    return {"summary": checklist_summary(brief), "all_done": brief.all_done, "items": items}


class Throttle:
    """Coalesce a stream of values into at most ``hz`` calls of ``push`` per second.

    Used on the background loop: ``offer`` is called at every streamed event; the latest
    value is pushed at once when the last push is old enough, otherwise a timer pushes it
    a little later. ``flush`` pushes whatever is pending (end of a turn).
    """

    def __init__(self, push: Callable[[Any], None], *, hz: float = 4.0) -> None:
        self._push = push
        self._interval = 1.0 / hz
        self._last = 0.0
        self._pending: Any = None
        self._has_pending = False
        self._timer: asyncio.TimerHandle | None = None
        self._lock = threading.Lock()

    def offer(self, value: Any) -> None:
        with self._lock:
            self._pending, self._has_pending = value, True
            wait = self._last + self._interval - time.monotonic()
            if wait <= 0:
                self._do_push_locked()
                return
            if self._timer is None:
                try:
                    loop = asyncio.get_running_loop()
                except RuntimeError:
                    return  # no loop here: the next offer or flush pushes it
                self._timer = loop.call_later(wait, self.flush)

    def flush(self) -> None:
        with self._lock:
            if self._timer is not None:
                self._timer.cancel()
                self._timer = None
            if self._has_pending:
                self._do_push_locked()

    def _do_push_locked(self) -> None:
        value, self._pending, self._has_pending = self._pending, None, False
        self._last = time.monotonic()
        self._push(value)
