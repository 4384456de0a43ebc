"""What the renderer reads from a draft: its output size, its segments by track, their kinds and
the total duration; and :func:`validate_draft`, the one draft validator (the shape rules of
:mod:`.validate` first, then the renderer's own)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from .... import draft_format as F
from ..errors import RenderError
from .validate import shape_problems

__all__ = ["DEFAULT_TRD_MS", "FPS", "draft_duration", "output_size", "overlays", "render_size", "segments",
           "validate_draft", "video_kind"]

FPS = F.FPS
DEFAULT_TRD_MS = 800


# -- sizes and segments ----------------------------------------------------------------------------

def output_size(draft: dict[str, Any], resolution: str | None) -> tuple[int, int]:
    m = draft.get("m") or {}
    try:
        w, h = int(m.get("width") or 1920), int(m.get("height") or 1080)
    except (TypeError, ValueError):
        raise RenderError("The draft's m.width/m.height are not numbers.") from None
    if w < 64 or h < 64 or w > 4096 or h > 4096:
        raise RenderError(f"Output size {w}x{h} is out of range (64..4096 pixels per side).")
    if resolution in (None, "", "source"):
        pass
    elif resolution in ("1080p", "720p", "480p", "360p"):
        short = int(resolution[:-1])
        k = short / min(w, h)
        w, h = round(w * k), round(h * k)
    else:
        raise RenderError(f"Unknown resolution {resolution!r}: use '1080p' or '720p'.")
    return w - w % 2, h - h % 2


def render_size(draft: dict[str, Any], resolution: str | None, quality: str = "high") -> tuple[int, int]:
    """The size a render of ``draft`` at ``quality`` has: :func:`output_size` within the quality's cap
    (a preview is at most 640x360, 360 on the short side)."""
    from ..encode.ffmpeg import capped_size

    return capped_size(quality, *output_size(draft, resolution))


def _ms(v: object, default: float = 0.0) -> float:
    try:
        return float(v)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return default


def segments(draft: dict[str, Any], tt: int) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    tracks = draft.get("t")
    for track in tracks if isinstance(tracks, list) else []:
        if isinstance(track, dict) and track.get("tt") == tt and isinstance(track.get("sg"), list):
            out += [sg for sg in track["sg"] if isinstance(sg, dict)]  # (a hand-made draft may hold anything)
    return sorted(out, key=lambda sg: _ms(sg.get("st")))


def overlays(draft: dict[str, Any]) -> list[dict[str, Any]]:
    """The ``overlay`` segments (a logo watermark), drawn over the finished frame."""
    return [sg for sg in segments(draft, F.TRACK_VIDEO) if sg.get("k") == "overlay" and _ms(sg.get("d")) > 0]


def video_kind(seg: dict[str, Any]) -> str:
    k = seg.get("k")
    if k in F.VIDEO_KINDS:
        return str(k)
    if seg.get("src"):
        src = str(seg["src"]).lower().split("?")[0]
        if src.endswith((".png", ".jpg", ".jpeg", ".webp", ".gif", ".bmp")):
            return "image"
        return "video"
    return "scene"


def draft_duration(draft: dict[str, Any]) -> float:
    d = _ms(draft.get("d"), 0.0)
    if d <= 0:
        ends = [_ms(sg.get("st")) + _ms(sg.get("d")) for tt in (F.TRACK_VIDEO, F.TRACK_AUDIO, F.TRACK_TEXT)
                for sg in segments(draft, tt)]
        d = max(ends, default=0.0)
    return d / 1000.0


# -- validation ------------------------------------------------------------------------------------

def validate_draft(draft: dict[str, Any], *, resolve: Callable[[str], Path | None] | None = None) -> list[str]:
    """Problems that make ``draft`` unrenderable; ``[]`` means it can be rendered.

    The shape rules of :func:`.validate.shape_problems` come first (what the API checks at
    submit). Unknown scene families are not problems (they fall back to ``abstract``). With ``resolve``,
    segments whose ``src`` does not map to an existing file are reported by id.
    """
    problems = shape_problems(draft)   # the API's rules first: one validator, one shape
    if not isinstance(draft, dict) or not isinstance(draft.get("t"), list):
        return problems
    try:
        output_size(draft, None)
    except RenderError as exc:
        problems.append(str(exc))
    total = draft_duration(draft)
    if total <= 0:
        problems.append("The draft's duration 'd' is missing or not positive.")
    elif total > 3600:
        problems.append(f"The draft is {total:.0f} s long; the engine renders at most one hour.")
    vids = segments(draft, F.TRACK_VIDEO)
    texts = segments(draft, F.TRACK_TEXT)
    if not vids and not texts:
        problems.append("The draft has nothing to show: add a scene, an image or a video segment.")
    for tt in (F.TRACK_VIDEO, F.TRACK_AUDIO, F.TRACK_TEXT):
        for i, sg in enumerate(segments(draft, tt)):
            name = f"segment {sg.get('id') or i} ({F.TRACK_KINDS[tt]} track)"
            st, d = sg.get("st"), sg.get("d")
            if not isinstance(st, (int, float)) or not isinstance(d, (int, float)):
                problems.append(f"{name}: 'st' and 'd' must be numbers (milliseconds).")
                continue
            if st < 0 or d <= 0:
                problems.append(f"{name}: start {st} ms / duration {d} ms must be >= 0 / > 0.")
            if isinstance(sg.get("ss"), (int, float)) and sg["ss"] < 0:
                problems.append(f"{name}: in-point 'ss' must be >= 0.")
            needs_src = (tt == F.TRACK_VIDEO and video_kind(sg) in ("image", "video", "overlay")) or (
                tt == F.TRACK_AUDIO and sg.get("k") == "audio")
            if needs_src:
                src = sg.get("src")
                if not src:
                    problems.append(f"{name}: a {sg.get('k') or 'media'} segment needs a 'src'.")
                elif resolve is not None:
                    path = resolve(str(src))
                    if path is None or not Path(path).is_file():
                        problems.append(f"{name}: its source {src} is not an uploaded file of this session.")
            if tt == F.TRACK_AUDIO and sg.get("k") == "voice" and not str(sg.get("txt") or "").strip() \
                    and not sg.get("src"):
                problems.append(f"{name}: a voice segment needs 'txt' (the words) or a 'src' recording.")
            if tt == F.TRACK_TEXT and not str(sg.get("txt") or "").strip():
                problems.append(f"{name}: a text segment needs 'txt'.")
    return problems


