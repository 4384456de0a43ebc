"""The draft's small vocabulary: column names, nouns and colours, and numbers and times as people read
them. The keys of the format and the timing of a segment are the reader's (:mod:`.reader`).

Shared by the reader, the model, the DataFrame codec, the diff in words and the HTML of
:mod:`nemo_jupyter.client.draft`.
"""

from __future__ import annotations

import copy
import json
import math
from typing import Any

from ... import draft_format as fmt
from ..exceptions import DraftError

#: Columns of :meth:`Draft.to_dataframe`, in order.
COLUMNS: tuple[str, ...] = (
    "track", "track_type", "kind", "start", "end", "label", "text", "source", "volume", "actors", "extra",
    "segment_id",
)


def composition(act: Any) -> list[dict[str, Any]] | None:
    """A scene's actors as the composition states them (``actors`` column, read only: the ``act``
    entries stay in ``extra``): subject, and when asked count, colour, size factor and relation
    ("under chair"), one dict per actor; None for a segment without actors."""
    if not isinstance(act, list) or not act:
        return None
    entries = [a for a in act if isinstance(a, dict)]
    out: list[dict[str, Any]] = []
    for a in entries:
        row: dict[str, Any] = {"subject": a.get("s")}
        for key, name in (("n", "count"), ("col", "colour"), ("sc", "size")):
            if a.get(key) is not None:
                row[name] = a[key]
        rel = a.get("rel")
        if isinstance(rel, dict) and isinstance(rel.get("k"), str):
            o = rel.get("o")
            other = entries[o].get("s") if isinstance(o, int) and 0 <= o < len(entries) else None
            row["relation"] = f"{rel['k']} {other}" if other else str(rel["k"])
        out.append(row)
    return out

_TRACK_NAMES = {"video": "Video", "audio": "BGM", "text": "Title", "other": "Track"}
_KINDS_BY_TYPE = {"video": fmt.VIDEO_KINDS, "audio": fmt.AUDIO_KINDS, "text": fmt.TEXT_KINDS}
_NOUNS = {
    "scene": "video", "video": "video", "image": "image",
    "music": "music", "ambient": "ambient sound", "audio": "audio", "voice": "narration",
    "title": "title", "caption": "caption", "text": "text",
}
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


def fmt_seconds(seconds: float | None) -> str:
    """Compact seconds: ``0``, ``2.5``, ``7``, ``1.25``."""
    if seconds is None or not math.isfinite(seconds):
        return "?"
    text = f"{seconds:.2f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def _pct(fraction: float) -> str:
    return f"{fmt_seconds(fraction * 100.0)}%"


def _short(value: Any, limit: int = 60) -> str:
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, default=str)
    return text if len(text) <= limit else text[: limit - 1] + "…"


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
