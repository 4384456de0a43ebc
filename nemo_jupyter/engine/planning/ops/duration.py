""""Make it 15 seconds", "10 seconds longer", "50% longer": every segment rescaled."""

from __future__ import annotations

from typing import Any, ClassVar

from ..common import MAX_MS, MIN_MS, _int, _secs
from ..draftops import _segments, _tracks
from .base import EditContext, EditOp


def _scale(value: int, new: int, old: int) -> int:
    return (value * new + old // 2) // old


def _rescale(draft: dict[str, Any], old: int, new: int) -> int:
    changed = 0
    for track in _tracks(draft):
        for seg in _segments(track):
            st, d = _int(seg.get("st")), _int(seg.get("d"))
            end = st + d
            n_st, n_end = _scale(st, new, old), _scale(end, new, old)
            if n_end <= n_st:
                n_end = n_st + 1
            seg["st"], seg["d"] = n_st, n_end - n_st
            for key in ("fi", "fo", "trd"):
                if key in seg and isinstance(seg[key], (int, float)) and not isinstance(seg[key], bool):
                    seg[key] = max(0, min(_int(seg[key]), (n_end - n_st) // 2))
            changed += 1
    draft["d"] = new
    return changed


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
        n = _rescale(ctx.draft, total, new_total)
        ctx.step(self.name, {"from_s": total / 1000, "to_s": new_total / 1000}, {"segments": n})
        ctx.say(f"changed the length from {_secs(total)} s to {_secs(new_total)} s (every segment scaled)",
                f"把时长从{_secs(total)}秒改成了{_secs(new_total)}秒（所有片段按比例缩放）")
        ctx.total = new_total
