"""The draft's small vocabulary: column and key names, numbers and times as the draft writes them,
and the timing of one segment (``st``/``d`` in ms, or ``start``/``duration``/``end`` in seconds).

Shared by the model, the DataFrame codec, the diff in words and the HTML of :mod:`nemo_jupyter.client.draft`.
"""

from __future__ import annotations

import copy
import json
import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ... import draft_format as fmt
from ..exceptions import DraftError

#: Columns of :meth:`Draft.to_dataframe`, in order.
COLUMNS: tuple[str, ...] = (
    "track", "track_type", "kind", "start", "end", "label", "text", "source", "volume", "extra", "segment_id",
)

_COLUMN_KEYS = {"kind": "k", "label": "n", "text": "txt", "source": "src", "segment_id": "id"}
_START_KEYS = ("st", "start", "s")
_DURATION_KEYS = ("d", "duration", "dur")
_END_KEYS = ("end", "e")
_ALT_TIME_KEYS = ("start", "s", "duration", "dur", "end", "e")

_TRACK_NAMES = {"video": "Video", "audio": "BGM", "text": "Title", "other": "Track"}
_TRACK_TYPE_CODES = {"video": fmt.TRACK_VIDEO, "audio": fmt.TRACK_AUDIO, "text": fmt.TRACK_TEXT}
_KINDS_BY_TYPE = {"video": fmt.VIDEO_KINDS, "audio": fmt.AUDIO_KINDS, "text": fmt.TEXT_KINDS}
_NOUNS = {
    "scene": "video", "video": "video", "image": "image",
    "music": "music", "ambient": "ambient sound", "audio": "audio", "voice": "narration",
    "title": "title", "caption": "caption", "text": "text",
}
_KEY_WORDS = {
    "k": "kind", "scene": "scene", "el": "elements", "cam": "camera", "tr": "transition",
    "trd": "transition length", "fi": "fade-in", "fo": "fade-out", "mood": "mood", "snd": "ambient sound",
    "pos": "text position", "sz": "text size", "col": "text colour", "ss": "in-point",
    "voice": "voice", "rate": "speaking rate",
}
_MS_KEYS = {"trd", "fi", "fo", "ss"}
_COLOURS = {"video": "#dbeafe", "audio": "#dcfce7", "text": "#fef3c7", "other": "#f3f4f6"}
_BAR_COLOURS = {"video": "#3b82f6", "audio": "#22c55e", "text": "#f59e0b", "other": "#9ca3af"}
_TIME_TOL = 1e-7  # seconds; below this two times are the same


# --------------------------------------------------------------------------- small helpers


def _num(value: Any) -> float | None:
    """A finite float from a JSON number (or a numeric string), else None."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, str):
        try:
            value = float(value.strip())
        except ValueError:
            return None
    try:
        out = float(value)
    except (TypeError, ValueError, OverflowError):
        return None
    return out if math.isfinite(out) else None


def _missing(value: Any) -> bool:
    """True for None, NaN and pandas' NA/NaT (never raises, whatever the value)."""
    if value is None:
        return True
    if isinstance(value, float):
        return math.isnan(value)
    name = type(value).__name__
    if name in ("NAType", "NaTType"):
        return True
    if name.startswith("float") and hasattr(value, "item"):  # numpy floats
        try:
            return math.isnan(float(value))
        except (TypeError, ValueError):
            return False
    return False


def _py(value: Any) -> Any:
    """A plain Python value from a DataFrame cell (numpy scalars unwrapped, NaN -> None)."""
    if _missing(value):
        return None
    if hasattr(value, "item") and type(value).__module__ == "numpy":
        try:
            return value.item()
        except (TypeError, ValueError):
            return value
    return value


def _same(a: Any, b: Any) -> bool:
    """Equality that treats NaN/None alike and never raises."""
    if _missing(a) and _missing(b):
        return True
    if _missing(a) or _missing(b):
        return False
    try:
        return bool(a == b)
    except Exception:  # odd objects a user put in a cell
        return False


def _same_time(a: Any, b: Any) -> bool:
    fa, fb = _num(_py(a)), _num(_py(b))
    if fa is None or fb is None:
        return fa is None and fb is None and _missing(a) == _missing(b)
    return math.isclose(fa, fb, rel_tol=0.0, abs_tol=_TIME_TOL)


def _ms_value(seconds: float) -> int | float:
    """Seconds -> ms for the draft: an int when whole, else rounded to 1/1000 ms."""
    ms = round(seconds * 1000.0, 3)
    return round(ms) if abs(ms - round(ms)) < 1e-9 else ms


def _sec_value(seconds: float) -> int | float:
    s = round(seconds, 6)
    return round(s) if abs(s - round(s)) < 1e-12 else s


def fmt_seconds(seconds: float | None) -> str:
    """Compact seconds: ``0``, ``2.5``, ``7``, ``1.25``."""
    if seconds is None or not math.isfinite(seconds):
        return "?"
    text = f"{seconds:.2f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def _volume_fraction(value: Any) -> float | None:
    """A volume as a 0-1 fraction: ``0.35``, ``35`` (a percentage) or ``"35%"``; None when unreadable."""
    if isinstance(value, str) and value.strip().endswith("%"):
        pct = _num(value.strip()[:-1])
        return None if pct is None else pct / 100.0
    v = _num(value)
    if v is None:
        return None
    return v / 100.0 if 1.0 < v <= 100.0 else v


def _pct(fraction: float) -> str:
    return f"{fmt_seconds(fraction * 100.0)}%"


def _short(value: Any, limit: int = 60) -> str:
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, default=str)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _track_type(tt: Any) -> str:
    if isinstance(tt, int) and not isinstance(tt, bool):
        return fmt.TRACK_KINDS.get(tt, "other")
    return "other"


def _hashable(value: Any) -> Any:
    try:
        hash(value)
        return (type(value).__name__, value)
    except TypeError:
        return ("json", json.dumps(value, sort_keys=True, default=str))


def _copy_json(value: Any, what: str) -> Any:
    try:
        return copy.deepcopy(value)
    except RecursionError:
        raise DraftError(f"The {what} is nested too deeply to be a draft.") from None
    except Exception as exc:  # objects that cannot be copied are not JSON
        raise DraftError(f"The {what} holds a value that is not JSON ({type(exc).__name__}).") from None


# --------------------------------------------------------------------------- timing of one segment


@dataclass
class _Timing:
    start_key: str | None
    dur_key: str | None
    end_key: str | None
    scale: float  # raw value * scale = seconds
    start: float | None
    end: float | None


def _alt_scale(raw: Mapping[str, Any]) -> float:
    """Unit of the alternative time keys (``start``, ``dur``, ``end``...) of a whole draft.

    The protocol says ms. Some drafts use seconds: then the segments' furthest end,
    read as seconds, is closer to the outer duration ``d`` (ms) than when read as ms;
    without ``d``, values that all end within 600 are taken as seconds (no real
    timeline ends before 0.6 s).
    """
    ends: list[float] = []
    for track in raw.get("t") or []:
        for seg in track.get("sg", []):
            if any(k in seg for k in ("st", "d")):
                continue
            s = next((_num(seg[k]) for k in ("start", "s") if k in seg), None) or 0.0
            dur = next((_num(seg[k]) for k in ("duration", "dur") if k in seg), None)
            end = next((_num(seg[k]) for k in _END_KEYS if k in seg), None)
            if end is None and dur is not None:
                end = s + dur
            if end is not None:
                ends.append(end)
    if not ends:
        return 0.001
    furthest = max(ends)
    outer = _num(raw.get("d"))
    if outer is not None and outer > 0:
        return 1.0 if abs(furthest * 1000.0 - outer) < abs(furthest - outer) else 0.001
    return 1.0 if furthest <= 600 else 0.001


def _timing(seg: Mapping[str, Any], alt_scale: float) -> _Timing:
    start_key = next((k for k in _START_KEYS if k in seg), None)
    dur_key = next((k for k in _DURATION_KEYS if k in seg), None)
    end_key = None if dur_key is not None else next((k for k in _END_KEYS if k in seg), None)
    uses_standard = start_key == "st" or dur_key == "d" or (start_key is None and dur_key is None)
    scale = 0.001 if uses_standard else alt_scale
    start: float | None = 0.0
    if start_key is not None:
        raw_start = _num(seg[start_key])
        start = None if raw_start is None else raw_start * scale
    end: float | None = None
    if dur_key is not None:
        dur = _num(seg[dur_key])
        if dur is not None and start is not None:
            end = start + dur * scale
    elif end_key is not None:
        raw_end = _num(seg[end_key])
        end = None if raw_end is None else raw_end * scale
    return _Timing(start_key, dur_key, end_key, scale, start, end)


def _set_timing(seg: dict[str, Any], timing: _Timing, start: float, end: float) -> None:
    """Write a new start/end into ``seg`` in the keys and unit it already used (``st``/``d`` in ms by default)."""
    scale = timing.scale
    conv = _ms_value if timing.start_key is None or timing.start_key == "st" or scale == 0.001 else _sec_value
    skey = timing.start_key or ("st" if scale == 0.001 else "start")
    seg[skey] = conv(start)
    if timing.end_key is not None and timing.dur_key is None:
        seg[timing.end_key] = conv(end)
    else:
        seg[timing.dur_key or ("d" if skey == "st" else "duration")] = conv(end - start)
