""""Make it 15 seconds", "10 seconds longer", "50% longer": scenes and sound rescaled, texts keep their length."""

from __future__ import annotations

from typing import Any, ClassVar

from ..common import MAX_MS, MIN_MS, _int, _secs
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
            ctx.notes.append("视频时长为1秒到10分钟。" if ctx.zh else "Videos are 1 s to 10 minutes long.")
        if new_total == total:
            ctx.say(f"kept the length at {_secs(total)} s", f"时长保持{_secs(total)}秒")
            return
        n, cut = _rescale(ctx.draft, total, new_total)
        ctx.step(self.name, {"from_s": total / 1000, "to_s": new_total / 1000}, {"segments": n})
        ctx.say(f"changed the length from {_secs(total)} s to {_secs(new_total)} s (scenes and sound scaled; "
                "titles and captions keep their own length)",
                f"把时长从{_secs(total)}秒改成了{_secs(new_total)}秒（场景和声音按比例缩放，标题和字幕保持原来的时长）")
        for text, was, now in cut:   # a time asked for that no longer fits: said, never silently shrunk
            ctx.notes.append(f"「{text}」原来显示{_secs(was)}秒，视频变短后只能显示{_secs(now)}秒。" if ctx.zh else
                             f"'{text}' was shown for {_secs(was)} s; the shorter video leaves it {_secs(now)} s.")
        ctx.total = new_total
