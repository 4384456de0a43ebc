"""``TimelineWidget``: the draft's tracks over a time ruler, redrawn when the draft changes."""

from __future__ import annotations

from typing import Any

import anywidget
import traitlets

from ...client.draft import Draft
from ._base import DraftLike, as_draft, compact_timeline, css, esm
from ._snapshot import StaticCopy, esc, table


class TimelineWidget(StaticCopy, anywidget.AnyWidget):
    """Tracks (video / audio / text in distinct colours) over a time ruler.

    Set ``.draft`` (a :class:`~nemo_jupyter.Draft`, a draft dict, or None) to redraw.
    The synced ``timeline`` trait is a compact JSON of the tracks (labels, times, kinds,
    texts, volumes, sources): no tokens, no unknown keys.
    """

    _esm = esm("timeline")
    _css = css("nemo")

    timeline = traitlets.Dict({"duration": 0, "title": "", "tracks": []}).tag(sync=True)

    static_title = "Timeline"

    def __init__(self, draft: DraftLike = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._draft: Draft | None = None
        self.draft = draft
        self.on_msg(lambda _w, content, _b: self.push_static()
                    if isinstance(content, dict) and content.get("type") == "snapshot?" else None)

    def static_body(self) -> str:
        rows = [{"track": t["name"], "segment": s["label"], "start_s": s["start"] / 1000, "end_s": s["end"] / 1000,
                 "text": s.get("text", "")} for t in self._tracks() for s in t["segments"]]
        if not rows:
            return "<p class='nemo-s-note'>Timeline: empty</p>"
        head = f"<p class='nemo-s-note'>{esc(repr(self))}</p>"
        return head + table(rows, ["track", "segment", "start_s", "end_s", "text"])

    def static_text(self) -> str:
        return repr(self)

    @property
    def draft(self) -> Draft | None:
        """The draft shown (a dict or JSON text set is read into a :class:`~nemo_jupyter.Draft`)."""
        return self._draft

    @draft.setter
    def draft(self, value: DraftLike) -> None:
        draft = as_draft(value)  # raises TypeError early on something that is not a draft
        self._draft = draft
        self.timeline = compact_timeline(draft)
        self.push_static()

    @property
    def title(self) -> str:
        """The title of the draft shown ("" when it has none)."""
        return str(self.timeline.get("title") or "")

    @property
    def track_count(self) -> int:
        return len(self._tracks())

    def _tracks(self) -> list[dict[str, Any]]:
        tracks = self.timeline.get("tracks", [])
        return list(tracks) if isinstance(tracks, list) else []

    def __repr__(self) -> str:
        data: dict[str, Any] = dict(self.timeline)
        tracks = self._tracks()
        if not tracks:
            return "TimelineWidget(empty)"
        parts = []
        for t in tracks:
            segs = ", ".join(f"{s['label']} {s['start'] / 1000:g}-{s['end'] / 1000:g}s" for s in t["segments"][:4])
            more = f" +{len(t['segments']) - 4}" if len(t["segments"]) > 4 else ""
            parts.append(f"{t['name']}: {segs}{more}")
        seconds = float(data.get("duration", 0) or 0) / 1000
        return f"TimelineWidget({len(tracks)} tracks, {seconds:g} s; " + "; ".join(parts) + ")"
