""""Make the forest scene longer": stretch that scene, move everything after it."""

from __future__ import annotations

from typing import ClassVar

from nemo_jupyter.draft_format import TRACK_VIDEO

from ..common import MAX_MS, _int, _secs
from ..draftops import _find_track, _segments, _tracks
from ..labels import _subject_label
from .base import EditContext, EditOp
from .swap_scene import present_scenes


def _map_time(t: int, old: list[int], new: list[int]) -> int:
    """Where time ``t`` of the old video track lands once its boundaries moved from ``old`` to ``new``."""
    if t <= old[0]:
        return new[0] + (t - old[0])
    for i in range(len(old) - 1):
        if old[i] <= t <= old[i + 1]:
            span = old[i + 1] - old[i]
            if span <= 0:
                return new[i]
            return new[i] + ((t - old[i]) * (new[i + 1] - new[i]) + span // 2) // span
    return new[-1] + (t - old[-1])


class ResizeScene(EditOp):
    name: ClassVar[str] = "resize_scene"

    @staticmethod
    def asked(ctx: EditContext) -> bool:
        brief, length = ctx.brief, ctx.brief.length
        return bool(brief.what.scenes and brief.what.scenes[0].scene in present_scenes(ctx) and ctx.total > 0
                    and (length.longer or length.shorter or length.duration_delta or length.percent_change
                         or (length.duration_ms is not None and ctx.brief.edit.scene_word))
                    and not ctx.brief.edit.add_scene)

    def wants(self, ctx: EditContext) -> bool:
        return ctx.resize_scene

    def apply(self, ctx: EditContext) -> None:
        draft, total, length = ctx.draft, ctx.total, ctx.brief.length
        subj = ctx.brief.what.scenes[0]
        scene = subj.scene
        video = _find_track(draft, TRACK_VIDEO, "Video")
        if video is None:
            return
        segs = sorted(_segments(video), key=lambda s: _int(s.get("st")))
        chosen = [s for s in segs if s.get("scene") == scene]
        old_len = sum(max(0, _int(s.get("d"))) for s in chosen)
        if not chosen or old_len <= 0:
            return
        if length.duration_ms is not None:
            target = length.duration_ms
        elif length.duration_delta is not None:
            target = old_len + length.duration_delta
        elif length.percent_change is not None:
            target = round(old_len * length.percent_change)
        else:
            target = round(old_len * (1.5 if length.longer else 2 / 3))
        target = max(1_000 * len(chosen), min(target, MAX_MS - (total - old_len)))
        name_en, name_zh = _subject_label(subj, "en"), _subject_label(subj, "zh")
        if target == old_len:
            ctx.say(f"the {name_en} scenes stay {_secs(old_len)} s long (videos are 1 s to 10 minutes)",
                    f"{name_zh}场景保持{_secs(old_len)}秒（视频时长为1秒到10分钟）")
            return
        old_bounds = [0]
        new_bounds = [0]
        acc_new = 0
        assigned = 0
        for seg in segs:
            st, d = _int(seg.get("st")), max(0, _int(seg.get("d")))
            if seg.get("scene") == scene:
                # Share ``target`` among the chosen segments in proportion to their lengths.
                share = (target * (assigned + d)) // old_len - (target * assigned) // old_len
                assigned += d
                nd = max(1, share)
            else:
                nd = d
            old_bounds.append(st + d)
            seg["st"], seg["d"] = acc_new, nd
            acc_new += nd
            new_bounds.append(acc_new)
            for key in ("trd", "fi", "fo"):
                if isinstance(seg.get(key), int) and not isinstance(seg.get(key), bool):
                    seg[key] = min(seg[key], nd // 2)
        new_total = acc_new
        for track in _tracks(draft):
            if track is video:
                continue
            for seg in _segments(track):
                st, end = _int(seg.get("st")), _int(seg.get("st")) + _int(seg.get("d"))
                n_st = max(0, min(_map_time(st, old_bounds, new_bounds), new_total - 1))
                n_end = max(n_st + 1, min(_map_time(end, old_bounds, new_bounds), new_total))
                seg["st"], seg["d"] = n_st, n_end - n_st
        draft["d"] = new_total
        ctx.step(self.name, {"scene": scene, "from_s": old_len / 1000, "to_s": target / 1000},
                 {"segments": len(chosen), "duration_s": new_total / 1000})
        ctx.say(f"made the {name_en} scenes {_secs(target)} s long instead of {_secs(old_len)} s; "
                f"the video is now {_secs(new_total)} s",
                f"把{name_zh}场景从{_secs(old_len)}秒改成了{_secs(target)}秒，视频现在{_secs(new_total)}秒")
        if new_total >= MAX_MS:
            ctx.notes.append("视频最长10分钟。" if ctx.zh else "Videos are at most 10 minutes long.")
        ctx.total = new_total
