"""The DataFrame codec: a draft as one row per segment, and an edited frame back into a draft
without losing anything (unknown keys and the original key spelling of unchanged rows included).

pandas is imported only here, when a frame is made or read.
"""

from __future__ import annotations

import copy
import math
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from ... import draft_format as fmt
from ..exceptions import DraftError
from .model import Draft, _Seg
from .values import (
    _COLUMN_KEYS,
    _KINDS_BY_TYPE,
    _TRACK_NAMES,
    _TRACK_TYPE_CODES,
    COLUMNS,
    _copy_json,
    _hashable,
    _ms_value,
    _num,
    _py,
    _same,
    _same_time,
    _set_timing,
    _short,
    _Timing,
    _track_type,
    _volume_fraction,
    fmt_seconds,
)

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

__all__ = ["FrameReader", "to_dataframe"]


def to_dataframe(draft: Draft) -> pd.DataFrame:
    """One row per segment (columns :data:`COLUMNS`); ``df.attrs`` keeps the rest of the draft.

    Times are float seconds. ``extra`` holds every other segment key verbatim.
    Edit the frame and read it back with :meth:`Draft.from_dataframe`.
    """
    import pandas as pd

    rows: dict[str, list[Any]] = {c: [] for c in COLUMNS}
    positions: list[list[int]] = []
    for s in draft._segments():
        seg, timing = s.seg, s.timing
        used = {k for k in (timing.start_key, timing.dur_key, timing.end_key) if k}
        rows["track"].append(s.track)
        rows["track_type"].append(s.type)
        rows["start"].append(math.nan if timing.start is None else timing.start)
        rows["end"].append(math.nan if timing.end is None else timing.end)
        vol = _volume_fraction(seg["v"]) if "v" in seg else None
        rows["volume"].append(math.nan if vol is None else vol)
        for column, key in _COLUMN_KEYS.items():
            rows[column].append(copy.deepcopy(seg.get(key)))
        mapped = used | set(_COLUMN_KEYS.values()) | {"v"}
        rows["extra"].append({k: copy.deepcopy(v) for k, v in seg.items() if k not in mapped})
        positions.append([s.track, s.index])
    data = {
        "track": pd.Series(rows["track"], dtype="int64"),
        "track_type": pd.Series(rows["track_type"], dtype=object),
        "start": pd.Series(rows["start"], dtype="float64"),
        "end": pd.Series(rows["end"], dtype="float64"),
        "volume": pd.Series(rows["volume"], dtype="float64"),
    }
    for column in ("kind", "label", "text", "source", "extra", "segment_id"):
        data[column] = pd.Series(rows[column], dtype=object)
    df = pd.DataFrame({c: data[c] for c in COLUMNS})
    df.attrs["nemo_draft"] = draft.to_json()
    df.attrs["nemo_rows"] = positions
    df.attrs["tracks"] = [
        {"index": t.index, "tt": t.tt, "type": t.type, "name": t.name, "segments": len(t.segments)}
        for t in draft.tracks
    ]
    return df


class FrameReader:
    """Reads a (possibly edited) timeline DataFrame back into a draft."""

    hint = "Fix that cell of the DataFrame and call Draft.from_dataframe again; nothing was changed."

    def __init__(self, df: Any, base: Draft | None) -> None:
        import pandas as pd

        if not isinstance(df, pd.DataFrame):
            raise DraftError(f"from_dataframe() needs a pandas DataFrame, not {type(df).__name__}.")
        if base is not None and not isinstance(base, Draft):
            raise DraftError(f"base must be a Draft, not {type(base).__name__}.")
        missing = [c for c in ("track", "start", "end") if c not in df.columns]
        if missing:
            raise DraftError(f"The DataFrame lacks the column(s) {', '.join(missing)}.",
                             hint="Start from Draft.to_dataframe() and keep its columns.")
        self.df = df
        attrs_raw = df.attrs.get("nemo_draft")
        self.source: Draft | None = None
        if isinstance(attrs_raw, dict):
            try:
                self.source = Draft(attrs_raw)
            except DraftError:
                self.source = None
        positions = df.attrs.get("nemo_rows") if self.source is not None else None
        if self.source is None and base is not None:
            self.source = base
            positions = [[s.track, s.index] for s in base._segments()]
        self.outer = (base or self.source or Draft()).to_json()
        self.originals: dict[Any, _Seg] = {}
        self.by_id: dict[Any, list[_Seg]] = {}
        if self.source is not None and isinstance(positions, list):
            segs = {(s.track, s.index): s for s in self.source._segments()}
            for label, pos in enumerate(positions):
                if isinstance(pos, (list, tuple)) and len(pos) == 2:
                    found = segs.get((pos[0], pos[1]))
                    if found is not None:
                        self.originals[label] = found
            for s in segs.values():
                if "id" in s.seg:
                    self.by_id.setdefault(_hashable(s.seg["id"]), []).append(s)
        self.alt = self.source._alt if self.source is not None else 0.001

    def _cell(self, row: Mapping[str, Any], column: str) -> Any:
        return _py(row[column]) if column in row else None

    def _original(self, label: Any, row: Mapping[str, Any]) -> _Seg | None:
        seg_id = self._cell(row, "segment_id")
        candidate = self.originals.get(label) if _hashable_ok(label) else None
        if seg_id is not None:
            if candidate is not None and _same(candidate.seg.get("id"), seg_id):
                return candidate
            matches = self.by_id.get(_hashable(seg_id), [])
            return matches[0] if len(matches) == 1 else None
        if candidate is not None and candidate.seg.get("id") is None:
            if "extra" not in row:
                return candidate
            extra = self._cell(row, "extra")
            if _same(_extras(candidate), extra if extra is not None else {}):
                return candidate
        return None

    def _error(self, label: Any, what: str) -> DraftError:
        return DraftError(f"Row {label!r} of the timeline DataFrame: {what}.", hint=self.hint)

    def draft(self) -> Draft:
        outer = self.outer
        tracks: list[dict[str, Any]] = outer["t"] if isinstance(outer.get("t"), list) else []
        new_tracks = not tracks and self.source is None
        rebuilt: dict[int, list[dict[str, Any]]] = {}
        inferred_types: dict[int, str] = {}
        furthest = furthest_changed = 0.0
        for label, row in self.df.iterrows():
            row_map = {c: row[c] for c in self.df.columns}
            ti = self._track_index(label, row_map, len(tracks), new_tracks)
            if new_tracks:
                ttype = self._cell(row_map, "track_type")
                ttype = ttype if isinstance(ttype, str) and ttype in _TRACK_NAMES else "other"
                if inferred_types.setdefault(ti, ttype) != ttype:
                    raise self._error(label, f"track {ti} is both {inferred_types[ti]} and {ttype}; "
                                             "give each track one track_type")
                target_type = ttype
            else:
                target_type = _track_type(tracks[ti].get("tt"))
            seg, end, changed = self._segment(label, row_map, ti, target_type)
            if end is not None:
                furthest = max(furthest, end)
                if changed:
                    furthest_changed = max(furthest_changed, end)
            rebuilt.setdefault(ti, []).append(seg)
        if new_tracks:
            if rebuilt and sorted(rebuilt) != list(range(max(rebuilt) + 1)):
                raise DraftError("Without a base draft the DataFrame's track numbers must run 0, 1, 2... "
                                 f"with no gap; got {sorted(rebuilt)}.",
                                 hint="Pass base=draft to Draft.from_dataframe, or renumber the tracks.")
            tracks = [{"tt": _TRACK_TYPE_CODES.get(inferred_types[i], 0),
                       "n": _TRACK_NAMES[inferred_types[i]], "sg": []} for i in sorted(rebuilt)]
        for ti, track in enumerate(tracks):
            track["sg"] = rebuilt.get(ti, [])
        if tracks or isinstance(outer.get("t"), list):
            outer["t"] = tracks
        d = _num(outer.get("d"))
        if d is not None and furthest_changed * 1000.0 > d + 1e-6:  # an edited row ends beyond d
            outer["d"] = _ms_value(furthest)
        return Draft(outer)

    def _track_index(self, label: Any, row: Mapping[str, Any], count: int, free: bool) -> int:
        value = self._cell(row, "track")
        number = _num(value) if not isinstance(value, str) else None
        if number is None or number != int(number) or number < 0:
            known = f"one of {', '.join(str(i) for i in range(count))}" if count else "0"
            raise self._error(label, f"track must be a track number ({known}), got {_short(value, 30)}")
        ti = int(number)
        if not free and ti >= count:
            known = ", ".join(str(i) for i in range(count)) or "none: the base draft has no tracks"
            raise self._error(label, f"there is no track {ti}; known tracks are {known}")
        return ti

    def _segment(self, label: Any, row: Mapping[str, Any], ti: int,
                 target_type: str) -> tuple[dict[str, Any], float | None, bool]:
        """The segment of one row, its end in seconds, and whether its times are new or changed."""
        original = self._original(label, row)
        extra = self._cell(row, "extra")
        if "extra" not in row and original is not None:
            extra = _extras(original)
        if extra is not None and not isinstance(extra, dict):
            raise self._error(label, f"extra must be a dict of other segment keys (or empty), got "
                                     f"{type(extra).__name__}")
        if original is not None:
            seg = {k: v for k, v in copy.deepcopy(original.seg).items()
                   if k not in _extras(original) or k in (extra or {})}
            timing = original.timing
        else:
            seg = {}
            timing = _Timing(None, None, None, 0.001, None, None)
        for key, value in (extra or {}).items():
            seg[key] = _copy_json(value, f"extra value {key!r} of row {label!r}")
        # Columns holding one key each.
        for column, key in _COLUMN_KEYS.items():
            if column not in row:
                continue
            value = self._cell(row, column)
            if original is not None and _same(value, original.seg.get(key)):
                continue
            if value is None:
                if original is not None:
                    seg.pop(key, None)
            else:
                seg[key] = _copy_json(value, f"{column} of row {label!r}")
        kind = seg.get("k")
        moved = original is None or original.track != ti
        if moved and isinstance(kind, str) and target_type in _KINDS_BY_TYPE:
            all_kinds = fmt.VIDEO_KINDS + fmt.AUDIO_KINDS + fmt.TEXT_KINDS
            if kind in all_kinds and kind not in _KINDS_BY_TYPE[target_type]:
                raise self._error(label, f"a {kind!r} segment cannot go on track {ti} ({target_type}); "
                                         f"use kind {' / '.join(_KINDS_BY_TYPE[target_type])} or another track")
        # Times.
        start, end = self._cell(row, "start"), self._cell(row, "end")
        changed = False
        if original is not None and _same_time(start, timing.start) and _same_time(end, timing.end):
            new_end = timing.end
        else:
            s, e = _num(start), _num(end)
            if s is None:
                raise self._error(label, f"start must be a number of seconds ≥ 0, got {_short(start, 30)}")
            if s < 0:
                raise self._error(label, f"start is {fmt_seconds(s)} s; it must be 0 or more")
            if e is None:
                raise self._error(label, f"end must be a number of seconds, got {_short(end, 30)}")
            if e <= s:
                raise self._error(label, f"end ({fmt_seconds(e)} s) must be after start ({fmt_seconds(s)} s)")
            if original is not None:
                for key in (timing.start_key, timing.dur_key, timing.end_key):
                    if key is not None:
                        seg.pop(key, None)
            _set_timing(seg, timing, s, e)
            new_end, changed = e, True
        # Volume.
        if "volume" in row:
            volume = self._cell(row, "volume")
            before = _volume_fraction(original.seg["v"]) if original is not None and "v" in original.seg else None
            if original is not None and _same(volume, before):
                pass
            elif volume is None:
                seg.pop("v", None)
            else:
                fraction = _volume_fraction(volume)
                if fraction is None or not 0.0 <= fraction <= 1.0:
                    raise self._error(label, f"volume must be 0-1 or a percentage 0-100, got {_short(volume, 30)}")
                if original is None or not _same(fraction, before):
                    seg["v"] = round(fraction, 6)
        return seg, new_end, changed


def _hashable_ok(label: Any) -> bool:
    try:
        hash(label)
    except TypeError:
        return False
    return True


def _extras(s: _Seg) -> dict[str, Any]:
    used = {k for k in (s.timing.start_key, s.timing.dur_key, s.timing.end_key) if k}
    mapped = used | set(_COLUMN_KEYS.values()) | {"v"}
    return {k: v for k, v in s.seg.items() if k not in mapped}
