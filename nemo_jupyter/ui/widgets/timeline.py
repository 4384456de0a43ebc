"""``TimelineWidget``: the draft's tracks over a time ruler, redrawn when the draft changes, and
edited by hand when it is bound to a conversation.

Bound to a :class:`~nemo_jupyter.conversation.Conversation` (``TimelineWidget(conversation=conv)``,
``%nemo timeline --edit``, the chat's timeline), a user drags a segment or its edges (the keyboard
does the same: see :data:`KEYS`), moves a caption or the title in time, types a caption's new text
in place and deletes a segment. Each edit is written through the timeline's DataFrame
(``Draft.to_dataframe`` / ``Draft.from_dataframe``, so an edit and a notebook's own frame edit
agree) and handed to :meth:`Conversation.edit`: a new draft version ("undo" brings the one before
back), its change said in words under the timeline. The widget redraws itself whenever the
conversation's draft changes, from whatever surface (``%nemo undo`` in another cell).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import anywidget
import traitlets

from ...client.draft import Draft
from ...client.exceptions import NemoError
from ...client.secrets import get_logger
from ...conversation import Conversation, TurnResult, Undo
from ._base import DraftLike, as_draft, compact_timeline, css, esm, redact
from ._snapshot import StaticCopy, esc, table

log = get_logger("nemo_jupyter.ui")

#: the keys a focused segment answers to (shown under an editable timeline)
KEYS = ("Drag a bar to move it, its edges to change when it starts or ends. Keys on a focused bar: "
        "← → move it (Shift: 1 s), Alt+← → its start, Shift+Alt+← → its end, Enter edits a text, "
        "Delete removes it, Ctrl+Z undoes.")
KEYS_ZH = ("拖动色块可移动它，拖动两端可改变开始或结束时间。选中色块后：← → 移动（按住 Shift：1 秒），Alt+← → 改开始，"
           "Shift+Alt+← → 改结束，Enter 编辑文字，Delete 删除，Ctrl+Z 撤销。")

EDIT_OPS = ("time", "text", "delete")
MAX_TEXT = 500


def apply_edits(draft: Draft, ops: Sequence[Mapping[str, Any]]) -> Draft:
    """``draft`` with the front end's edits, written through its DataFrame (rows in the order of
    ``Draft.segments()``): ``{"op": "time", "row", "start", "end"}`` (seconds), ``{"op": "text",
    "row", "text"}``, ``{"op": "delete", "row"}``. Raises ValueError for an edit that does not fit
    the draft (a row that is not there, times out of order)."""
    df = draft.to_dataframe()
    rows = len(df)
    deleted: set[int] = set()
    for op in ops:
        kind = op.get("op")
        row = op.get("row")
        if kind not in EDIT_OPS or not isinstance(row, int) or isinstance(row, bool) or not 0 <= row < rows:
            raise ValueError(f"That edit does not fit this timeline ({str(kind)[:20]} of segment {row!r}).")
        if row in deleted:
            continue
        label = df.index[row]
        if kind == "delete":
            deleted.add(row)
        elif kind == "time":
            start, end = _seconds(op.get("start")), _seconds(op.get("end"))
            if start is None or end is None or end - start < 0.05:
                raise ValueError("A segment needs a start before its end (at least 0.05 s long).")
            df.loc[label, "start"], df.loc[label, "end"] = round(start, 3), round(end, 3)
        else:
            text = str(op.get("text") or "").strip()[:MAX_TEXT]
            if not text:
                raise ValueError("A text cannot be empty: delete the segment instead.")
            old = df.loc[label, "text"]
            if isinstance(df.loc[label, "label"], str) and df.loc[label, "label"] == old:
                df.loc[label, "label"] = text   # a caption named after its words keeps being so
            df.loc[label, "text"] = text
    if deleted:
        df = df.drop(index=[df.index[r] for r in sorted(deleted)])
    return Draft.from_dataframe(df, base=draft)


def _seconds(value: Any) -> float | None:
    try:
        out = float(value)
    except (TypeError, ValueError):
        return None
    return out if math.isfinite(out) and out >= 0 else None


class TimelineWidget(StaticCopy, anywidget.AnyWidget):
    """Tracks (video / audio / text in distinct colours) over a time ruler.

    Set ``.draft`` (a :class:`~nemo_jupyter.Draft`, a draft dict, or None) to redraw.
    The synced ``timeline`` trait is a compact JSON of the tracks (labels, times, kinds,
    texts, volumes, sources): no tokens, no unknown keys. ``conversation=`` makes it editable
    (``editable=False`` keeps it read-only): see the module's docstring.
    """

    _esm = esm("timeline")
    _css = css("nemo")

    timeline = traitlets.Dict({"duration": 0, "title": "", "tracks": []}).tag(sync=True)
    editable = traitlets.Bool(False).tag(sync=True)
    change = traitlets.Unicode("").tag(sync=True)     # the last edit in words ("Moved caption 'Hi' 0-3 s → 1-4 s")
    error = traitlets.Unicode("").tag(sync=True)
    busy = traitlets.Bool(False).tag(sync=True)
    how = traitlets.Unicode("").tag(sync=True)        # how to edit, for the hint line

    static_title = "Timeline"

    def __init__(self, draft: DraftLike = None, *, conversation: Conversation | None = None,
                 editable: bool | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._draft: Draft | None = None
        self.conversation = conversation
        self.zh = bool(conversation is not None and conversation.zh)
        self.last_result: TurnResult | None = None
        self._stop: Callable[[], None] | None = None
        self.draft = draft
        self.editable = conversation is not None if editable is None else bool(editable and conversation)
        if conversation is not None:
            self._stop = conversation.watch(self._follow)
            if draft is None and conversation.started:
                self._submit(self._reload())
        self.how = (KEYS_ZH if self.zh else KEYS) if self.editable else ""
        self.on_msg(self._on_front_msg)

    def close(self) -> None:
        stop = getattr(self, "_stop", None)   # (a widget that failed in __init__ is closed too)
        if stop is not None:
            stop()
            self._stop = None
        super().close()

    # -- the draft shown ---------------------------------------------------------------------
    def static_body(self) -> str:
        rows = [{"track": t["name"], "segment": s["label"], "start_s": s["start"] / 1000, "end_s": s["end"] / 1000,
                 "text": s.get("text", "")} for t in self._tracks() for s in t["segments"]]
        if not rows:
            return "<p class='nemo-s-note'>Timeline: empty</p>"
        head = f"<p class='nemo-s-note'>{esc(repr(self))}</p>"
        change = f"<p class='nemo-s-note'>{esc(self.change)}</p>" if self.change else ""
        return head + table(rows, ["track", "segment", "start_s", "end_s", "text"]) + change

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
        self.timeline = compact_timeline(draft, zh=self.zh)
        self.push_static()

    def _follow(self, draft: Draft | None) -> None:
        """The conversation stands on another draft (a turn, an undo, an edit anywhere): show it (the
        last edit's words go: they no longer describe what is shown)."""
        if draft is not None and draft != self._draft:
            self.draft = draft
            self.change = ""

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

    # -- editing ---------------------------------------------------------------------------------
    def edit(self, ops: Sequence[Mapping[str, Any]]) -> TurnResult | None:
        """Apply ``ops`` (see :func:`apply_edits`) to the draft shown and make it the conversation's
        new version; blocks until it is done (the front end's edits go the same way, in the
        background). The result says the change in words."""
        from ...client.loop import run_sync

        return run_sync(self._edit(list(ops)))

    def undo(self) -> TurnResult | None:
        """Back to the version before (as ``%nemo undo``)."""
        from ...client.loop import run_sync

        return run_sync(self._undo())

    async def _edit(self, ops: list[Mapping[str, Any]]) -> TurnResult | None:
        conv, draft = self.conversation, self._draft
        if conv is None or draft is None or not self.editable:
            self.error = "This timeline is read-only: make it with a conversation to edit it."
            return None
        self.busy, self.error = True, ""
        try:
            result = await conv.edit(apply_edits(draft, ops))
        except (ValueError, NemoError) as exc:
            self.error = redact(str(exc))[:300]
            self.draft = draft   # the bars go back to where the draft has them
            return None
        finally:
            self.busy = False
        self._shown(result)
        return result

    async def _undo(self) -> TurnResult | None:
        if self.conversation is None:
            return None
        self.busy, self.error = True, ""
        try:
            result = await self.conversation.run(Undo())
        except NemoError as exc:
            self.error = redact(str(exc))[:300]
            return None
        finally:
            self.busy = False
        self._shown(result)
        return result

    async def _reload(self) -> None:
        if self.conversation is not None:
            try:
                self._follow(await self.conversation.timeline())
            except NemoError as exc:
                self.error = redact(str(exc))[:300]

    def _shown(self, result: TurnResult) -> None:
        self.last_result = result
        if result.draft is not None:
            self.draft = result.draft
        self.change = redact("; ".join(result.changes) or result.text)[:500]
        self.push_static()

    def _submit(self, coro: Any) -> None:
        from ...client.loop import submit

        submit(coro)

    def _on_front_msg(self, _widget: Any, content: Any, _buffers: Any) -> None:
        if not isinstance(content, dict):
            return
        kind = content.get("type")
        if kind == "snapshot?":
            self.push_static()
        elif kind == "edit":
            ops = content.get("ops")
            if isinstance(ops, list) and ops:
                self._submit(self._edit([op for op in ops[:50] if isinstance(op, dict)]))
        elif kind == "undo":
            self._submit(self._undo())
