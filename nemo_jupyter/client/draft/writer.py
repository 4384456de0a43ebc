"""Writing a draft back: a segment's new times in the keys and unit it used, and a draft's tracks
rebuilt from edited segments (the DataFrame codec's). Every key written is one the reader
(:mod:`.reader`) names.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ... import draft_format as fmt
from .reader import Timing
from .values import _TRACK_NAMES

__all__ = ["assemble", "empty_json", "set_timing"]


def _ms_value(seconds: float) -> int | float:
    """Seconds -> ms for the draft: an int when whole, else rounded to 1/1000 ms."""
    ms = round(seconds * 1000.0, 3)
    return round(ms) if abs(ms - round(ms)) < 1e-9 else ms


def _sec_value(seconds: float) -> int | float:
    s = round(seconds, 6)
    return round(s) if abs(s - round(s)) < 1e-12 else s


def set_timing(seg: dict[str, Any], when: Timing, start: float, end: float) -> None:
    """Write a new start/end into ``seg`` in the keys and unit it already used (``st``/``d`` in ms by default)."""
    scale = when.scale
    conv = _ms_value if when.start_key is None or when.start_key == "st" or scale == 0.001 else _sec_value
    skey = when.start_key or ("st" if scale == 0.001 else "start")
    seg[skey] = conv(start)
    if when.end_key is not None and when.dur_key is None:
        seg[when.end_key] = conv(end)
    else:
        seg[when.dur_key or ("d" if skey == "st" else "duration")] = conv(end - start)


def empty_json() -> dict[str, Any]:
    """The JSON of an empty draft."""
    return {"t": []}


def assemble(outer: dict[str, Any], segments: Mapping[int, list[dict[str, Any]]], *,
             new_types: list[str] | None = None, end: float | None = None) -> dict[str, Any]:
    """``outer`` (a draft's JSON, changed in place and returned) with ``segments[i]`` as the
    segments of track ``i``; ``new_types`` makes the tracks first (one per type word, named as
    the type is); ``end`` (seconds) becomes its duration."""
    tracks: list[dict[str, Any]] = outer["t"] if isinstance(outer.get("t"), list) else []
    if new_types is not None:
        codes = {kind: code for code, kind in fmt.TRACK_KINDS.items()}
        tracks = [{"tt": codes.get(t, 0), "n": _TRACK_NAMES[t], "sg": []} for t in new_types]
    for ti, track in enumerate(tracks):
        track["sg"] = segments.get(ti, [])
    if tracks or isinstance(outer.get("t"), list):
        outer["t"] = tracks
    if end is not None:
        outer["d"] = _ms_value(end)
    return outer
