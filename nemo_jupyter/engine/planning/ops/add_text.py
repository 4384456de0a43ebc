""""Add a title "Hello"", "change the title to X", "add a caption "Hi" at 5s"."""

from __future__ import annotations

from typing import ClassVar

from nemo_jupyter.draft_format import TRACK_TEXT

from ..common import TITLE_MS, _int, _short, _span
from ..draftops import _meta, _seg_kind, _segments, _tracks, _tt
from ..tracks import _add_text, _text_timing, clear_span
from .base import EditContext, EditOp


class AddText(EditOp):
    name: ClassVar[str] = "add_title"

    def wants(self, ctx: EditContext) -> bool:
        return bool(ctx.brief.shown_texts())

    def apply(self, ctx: EditContext) -> None:
        change_title = ctx.brief.edit.change_title
        m = _meta(ctx.draft)
        for q in ctx.brief.shown_texts():
            existing = [(t, s) for t in _tracks(ctx.draft) if _tt(t) == TRACK_TEXT for s in _segments(t)
                        if _seg_kind(t, s) == "title"]
            if q.kind == "title" and existing and (change_title or (q.st is None and q.end_ms is None
                                                                    and not q.at_end and not q.middle)):
                _track, seg = existing[0]
                seg["txt"] = q.text
                if q.st is not None or q.at_end or q.middle or q.length is not None:
                    st, d = _text_timing(q, ctx.total, TITLE_MS)
                    seg["st"], seg["d"] = st, d
                    clear_span(_track, seg)
                m["title"] = _short(q.text, 80)
                ctx.step("change_title", {"text": _short(q.text)}, {"id": seg.get("id")})
                ctx.say(f"changed the title to \"{_short(q.text, 40)}\"", f"把标题改成了「{_short(q.text, 40)}」")
                continue
            if ctx.total <= 0:
                continue
            seg, replaced = _add_text(ctx.draft, q, ctx.total, ctx.ids)
            if q.kind == "title":
                m["title"] = _short(q.text, 80)
            name = "add_caption" if q.kind == "caption" else ("change_title" if replaced else "add_title")
            st, d = _int(seg.get("st")), _int(seg.get("d"))
            ctx.step(name, {"text": _short(q.text), "start_s": st / 1000, "end_s": (st + d) / 1000},
                     {"id": seg.get("id")})
            what_en = "caption" if q.kind == "caption" else "title"
            what_zh = "字幕" if q.kind == "caption" else "标题"
            ctx.say(f"added the {what_en} \"{_short(q.text, 40)}\" ({_span(st, d, 'en')})",
                    f"加了{what_zh}「{_short(q.text, 40)}」（{_span(st, d, 'zh')}）")
