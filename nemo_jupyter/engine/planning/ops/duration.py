""""Make it 15 seconds", "10 seconds longer", "50% longer": scenes and sound rescaled, texts keep their length."""

from __future__ import annotations

from typing import Any, ClassVar

from ..catalogue import seconds
from ..common import MAX_MS, MIN_MS, _int
from ..draftops import _seg_kind, _segments, _tracks
from .base import EditContext, EditOp


def _scale(value: int, new: int, old: int) -> int:
    return (value * new + old // 2) // old


_TEXT_KINDS = ("title", "caption", "text")


def _rescale(draft: dict[str, Any], old: int, new: int, *,
             keep_texts: bool = True) -> tuple[int, list[tuple[str, int, int]]]:
    """Every segment fitted to the new length: pictures and sound scaled; a text (a title "for the
    first 3 seconds", a caption) keeps the length it was given, its start following the video (a
    title at 0 stays at 0), and a text over the whole video stays over the whole video. Returns the
    count, and the texts that could not keep their length (the video is shorter): (text, old ms, new ms).
    ``keep_texts=False`` scales the texts too (a narration's captions follow its sentences)."""
    changed = 0
    cut: list[tuple[str, int, int]] = []
    for track in _tracks(draft):
        for seg in _segments(track):
            st, d = _int(seg.get("st")), _int(seg.get("d"))
            end = st + d
            n_st, n_end = _scale(st, new, old), _scale(end, new, old)
            whole = st == 0 and end >= old
            if keep_texts and _seg_kind(track, seg) in _TEXT_KINDS and not whole and d > 0:
                n_st = min(n_st, max(0, new - d)) if d <= new else 0
                n_end = min(n_st + d, new)
                if n_end - n_st < d:
                    cut.append((str(seg.get("txt") or seg.get("n") or ""), d, n_end - n_st))
            if n_end <= n_st:
                n_end = n_st + 1
            seg["st"], seg["d"] = n_st, n_end - n_st
            for key in ("fi", "fo", "trd"):
                if key in seg and isinstance(seg[key], (int, float)) and not isinstance(seg[key], bool):
                    seg[key] = max(0, min(_int(seg[key]), (n_end - n_st) // 2))
            changed += 1
    draft["d"] = new
    return changed, cut


class EditDuration(EditOp):
    name: ClassVar[str] = "edit_duration"

    def _target(self, ctx: EditContext) -> int | None:
        length = ctx.brief.length
        if ctx.resize_scene:
            return None
        if length.duration_ms is not None:
            return length.duration_ms
        if length.percent_change is not None:
            return round(ctx.total * length.percent_change)
        if length.duration_delta is not None:
            return ctx.total + length.duration_delta
        if (length.longer or length.shorter) and not ctx.brief.edit.add_scene:
            return round(ctx.total * (1.5 if length.longer else 2 / 3) / 1000) * 1000
        return None

    def wants(self, ctx: EditContext) -> bool:
        return self._target(ctx) is not None and ctx.total > 0

    def apply(self, ctx: EditContext) -> None:
        target = self._target(ctx)
        assert target is not None
        total = ctx.total
        new_total = max(MIN_MS, min(MAX_MS, target))
        if ctx.brief.length.duration_note or new_total in (MIN_MS, MAX_MS):
            ctx.note("ed_length_limits")
        if new_total == total:
            ctx.say("ed_length_kept", s=seconds(total, ctx.lang))
            return
        n, cut = _rescale(ctx.draft, total, new_total)
        ctx.step(self.name, {"from_s": total / 1000, "to_s": new_total / 1000}, {"segments": n})
        ctx.say("ed_length_changed", a=seconds(total, ctx.lang), b=seconds(new_total, ctx.lang))
        for text, was, now in cut:   # a time asked for that no longer fits: said, never silently shrunk
            ctx.note("ed_text_cut", text=text, was=seconds(was, ctx.lang), now=seconds(now, ctx.lang))
        ctx.total = new_total
