"""The video track as clips: each scene, image or video segment (and the gaps between them) with
its frames, its lead and tail under the cross-fades; and the frames where a chunk may start."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .... import draft_format as F
from ..errors import RenderError
from .reading import DEFAULT_TRD_MS, FPS, _ms, draft_duration, segments, video_kind
from .window import boundaries

__all__ = ["Clip", "chunk_boundaries", "plan_clips"]


@dataclass
class Clip:
    kind: str                 # scene | image | video | blank
    seg: dict[str, Any]
    index: int
    frames: int = 0           # total frames of this clip stream (with lead/tail)
    lead: int = 0             # frames shown before the segment's start (under the fade in)
    tail: int = 0             # frames after its end (under the next fade)
    fade_in: int = 0          # xfade length into this clip, frames (0 = cut)
    path: Path | None = None  # media file for image/video


# -- clips -----------------------------------------------------------------------------------------

def plan_clips(draft: dict[str, Any], total_frames: int, resolve: Callable[[str], Path | None]) -> list[Clip]:
    segs = [sg for sg in segments(draft, F.TRACK_VIDEO) if _ms(sg.get("d")) > 0 and sg.get("k") != "overlay"]
    spans: list[tuple[int, int, Clip]] = []
    cursor = 0
    for i, sg in enumerate(segs):
        a = max(0, round(_ms(sg.get("st")) / 1000 * FPS))
        end = min(total_frames, round((_ms(sg.get("st")) + _ms(sg.get("d"))) / 1000 * FPS))
        a = max(a, cursor)
        if i + 1 < len(segs):
            nxt = max(a, round(_ms(segs[i + 1].get("st")) / 1000 * FPS))
            end = min(end, nxt) if end > a else nxt
        if end - a < 1:
            continue
        if a > cursor:
            spans.append((cursor, a, Clip("blank", {}, -1)))
        kind = video_kind(sg)
        clip = Clip(kind, sg, i)
        if kind in ("image", "video"):
            p = resolve(str(sg.get("src")))
            if p is None or not Path(p).is_file():
                raise RenderError(f"Segment {sg.get('id') or i}: its source {sg.get('src')} cannot be found.")
            clip.path = Path(p)
        spans.append((a, end, clip))
        cursor = end
    if cursor < total_frames:
        if spans and spans[-1][2].kind != "blank" and total_frames - cursor <= FPS // 2:
            a, _, c = spans[-1]
            spans[-1] = (a, total_frames, c)  # stretch the last clip over a tiny rounding gap
        else:
            spans.append((cursor, total_frames, Clip("blank", {}, -1)))
    clips = []
    for j, (a, b, clip) in enumerate(spans):
        clip.frames = b - a
        if j > 0 and clip.kind != "blank" and clip.seg.get("tr", "fade") == "fade" and spans[j - 1][2].kind != "blank":
            td = round(_ms(clip.seg.get("trd"), DEFAULT_TRD_MS) / 1000 * FPS)
            td = min(td, b - a, spans[j - 1][1] - spans[j - 1][0])
            if td >= 2:
                clip.fade_in = td
        clips.append(clip)
    for j, clip in enumerate(clips):
        if clip.fade_in:
            clip.lead = clip.fade_in // 2
            clips[j - 1].tail = clip.fade_in - clip.lead
    for clip in clips:
        clip.frames += clip.lead + clip.tail
    return clips


def chunk_boundaries(draft: dict[str, Any], resolve: Callable[[str], Path | None]) -> tuple[int, list[int]]:
    """The draft's length in frames and the frames where a chunk may start (scene boundaries)."""
    n_total = max(1, round(draft_duration(draft) * FPS))
    return n_total, boundaries(plan_clips(draft, n_total, resolve), n_total)


