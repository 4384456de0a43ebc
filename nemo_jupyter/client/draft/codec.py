"""The DataFrame codec: a draft as one row per segment, and an edited frame back into a draft
without losing anything (unknown keys and the original key spelling of unchanged rows included).

It reads drafts through the reader (:mod:`.reader`) and writes the keys the reader names.
pandas is imported only here, when a frame is made or read.
"""

from __future__ import annotations

import copy
import math
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, cast

from ... import draft_format as fmt
from ...draft_format import DraftJSON
from ..exceptions import DraftError
from .reader import COLUMN_KEYS, VOLUME_KEY, DraftView, SegmentView, Timing, validate, volume_fraction
from .values import (
    _KINDS_BY_TYPE,
    _TRACK_NAMES,
    COLUMNS,
    _copy_json,
    _hashable,
    _num,
    _py,
    _same,
    _same_time,
    _short,
    composition,
    fmt_seconds,
)
from .writer import assemble, empty_json, set_timing

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

__all__ = ["FrameReader", "to_dataframe"]


def to_dataframe(draft: DraftView, raw: dict[str, Any]) -> pd.DataFrame:
    """One row per segment of ``draft`` (columns :data:`COLUMNS`); ``df.attrs`` keeps ``raw``, the
    whole draft, and where each row came from.

    Times are float seconds. ``actors`` states a scene's composition (:func:`.values.composition`,
    read only); ``extra`` holds every other segment key verbatim (a scene's ``act`` among them).
    Edit the frame and read it back with :meth:`Draft.from_dataframe`.
    """
    import pandas as pd

    rows: dict[str, list[Any]] = {c: [] for c in COLUMNS}
    positions: list[list[int]] = []
    for s in draft._segments():
        when = s.timing
        rows["track"].append(s.track)
        rows["track_type"].append(s.type)
        rows["start"].append(math.nan if when.start is None else when.start)
        rows["end"].append(math.nan if when.end is None else when.end)
        vol = s.volume_fraction
        rows["volume"].append(math.nan if vol is None else vol)
        for column, key in COLUMN_KEYS.items():
            rows[column].append(copy.deepcopy(s.get(key)))
        rows["actors"].append(composition(s.get("act")))
        rows["extra"].append(copy.deepcopy(s.extras()))
        positions.append([s.track, s.index])
    data = {
        "track": pd.Series(rows["track"], dtype="int64"),
        "track_type": pd.Series(rows["track_type"], dtype=object),
        "start": pd.Series(rows["start"], dtype="float64"),
        "end": pd.Series(rows["end"], dtype="float64"),
        "volume": pd.Series(rows["volume"], dtype="float64"),
    }
    for column in ("kind", "label", "text", "source", "actors", "extra", "segment_id"):
        data[column] = pd.Series(rows[column], dtype=object)
    df = pd.DataFrame({c: data[c] for c in COLUMNS})
    df.attrs["nemo_draft"] = raw
    df.attrs["nemo_rows"] = positions
    df.attrs["tracks"] = [
        {"index": t.index, "tt": t.tt, "type": t.type, "name": t.name, "segments": len(t.segments)}
        for t in draft.tracks
    ]
    return df


def _view(raw: Any) -> DraftView | None:
    """A view of a copy of ``raw`` when it is a draft, else None."""
    if not isinstance(raw, dict):
        return None
    try:
        data = _copy_json(dict(raw), "draft")
        validate(data)
    except DraftError:
        return None
    return DraftView(cast(DraftJSON, data))


class FrameReader:
    """Reads a (possibly edited) timeline DataFrame back into a draft."""

    hint = "Fix that cell of the DataFrame and call Draft.from_dataframe again; nothing was changed."

    def __init__(self, df: Any, base: dict[str, Any] | None) -> None:
        """``base``: the outer draft's JSON (a validated draft's copy), or None."""
        import pandas as pd

        if not isinstance(df, pd.DataFrame):
            raise DraftError(f"from_dataframe() needs a pandas DataFrame, not {type(df).__name__}.")
        missing = [c for c in ("track", "start", "end") if c not in df.columns]
        if missing:
            raise DraftError(f"The DataFrame lacks the column(s) {', '.join(missing)}.",
                             hint="Start from Draft.to_dataframe() and keep its columns.")
        self.df = df
        self.source = _view(df.attrs.get("nemo_draft"))
        positions = df.attrs.get("nemo_rows") if self.source is not None else None
        base_view = DraftView(cast(DraftJSON, base)) if base is not None else None
        if self.source is None and base_view is not None:
            self.source = base_view
            positions = [[s.track, s.index] for s in base_view._segments()]
        outer = base if base is not None else (self.source._raw if self.source is not None else empty_json())
        self.outer: dict[str, Any] = copy.deepcopy(cast("dict[str, Any]", outer))
        self.originals: dict[Any, SegmentView] = {}
        self.by_id: dict[Any, list[SegmentView]] = {}
        if self.source is not None and isinstance(positions, list):
            segs = {(s.track, s.index): s for s in self.source._segments()}
            for label, pos in enumerate(positions):
                if isinstance(pos, (list, tuple)) and len(pos) == 2:
                    found = segs.get((pos[0], pos[1]))
                    if found is not None:
                        self.originals[label] = found
            for s in segs.values():
                if s.has_id:
                    self.by_id.setdefault(_hashable(s.segment_id), []).append(s)

    def _cell(self, row: Mapping[str, Any], column: str) -> Any:
        return _py(row[column]) if column in row else None

    def _original(self, label: Any, row: Mapping[str, Any]) -> SegmentView | None:
        seg_id = self._cell(row, "segment_id")
        candidate = self.originals.get(label) if _hashable_ok(label) else None
        if seg_id is not None:
            if candidate is not None and _same(candidate.segment_id, seg_id):
                return candidate
            matches = self.by_id.get(_hashable(seg_id), [])
            return matches[0] if len(matches) == 1 else None
        if candidate is not None and candidate.segment_id is None:
            if "extra" not in row:
                return candidate
            extra = self._cell(row, "extra")
            if _same(candidate.extras(), extra if extra is not None else {}):
                return candidate
        return None

    def _error(self, label: Any, what: str) -> DraftError:
        return DraftError(f"Row {label!r} of the timeline DataFrame: {what}.", hint=self.hint)

    def draft(self) -> dict[str, Any]:
        """The draft's JSON (the caller validates it, as ``Draft`` does)."""
        outer = DraftView(cast(DraftJSON, self.outer))
        types = outer.track_types()
        new_tracks = not types and self.source is None
        rebuilt: dict[int, list[dict[str, Any]]] = {}
        inferred_types: dict[int, str] = {}
        furthest = furthest_changed = 0.0
        for label, row in self.df.iterrows():
            row_map = {c: row[c] for c in self.df.columns}
            ti = self._track_index(label, row_map, len(types), new_tracks)
            if new_tracks:
                ttype = self._cell(row_map, "track_type")
                ttype = ttype if isinstance(ttype, str) and ttype in _TRACK_NAMES else "other"
                if inferred_types.setdefault(ti, ttype) != ttype:
                    raise self._error(label, f"track {ti} is both {inferred_types[ti]} and {ttype}; "
                                             "give each track one track_type")
                target_type = ttype
            else:
                target_type = types[ti]
            seg, end, changed = self._segment(label, row_map, ti, target_type)
            if end is not None:
                furthest = max(furthest, end)
                if changed:
                    furthest_changed = max(furthest_changed, end)
            rebuilt.setdefault(ti, []).append(seg)
        if new_tracks and rebuilt and sorted(rebuilt) != list(range(max(rebuilt) + 1)):
            raise DraftError("Without a base draft the DataFrame's track numbers must run 0, 1, 2... "
                             f"with no gap; got {sorted(rebuilt)}.",
                             hint="Pass base=draft to Draft.from_dataframe, or renumber the tracks.")
        d = outer.outer_ms
        grown = d is not None and furthest_changed * 1000.0 > d + 1e-6   # an edited row ends beyond d
        return assemble(self.outer, rebuilt,
                        new_types=[inferred_types[i] for i in sorted(rebuilt)] if new_tracks else None,
                        end=furthest if grown else None)

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
            extra = original.extras()
        if extra is not None and not isinstance(extra, dict):
            raise self._error(label, f"extra must be a dict of other segment keys (or empty), got "
                                     f"{type(extra).__name__}")
        if original is not None:
            kept = original.extras()
            seg = {k: v for k, v in copy.deepcopy(dict(original.seg)).items() if k not in kept or k in (extra or {})}
            timing = original.timing
        else:
            seg = {}
            timing = Timing(None, None, None, 0.001, None, None)
        for key, value in (extra or {}).items():
            seg[key] = _copy_json(value, f"extra value {key!r} of row {label!r}")
        # Columns holding one key each.
        for column, key in COLUMN_KEYS.items():
            if column not in row:
                continue
            value = self._cell(row, column)
            if original is not None and _same(value, original.get(key)):
                continue
            if value is None:
                if original is not None:
                    seg.pop(key, None)
            else:
                seg[key] = _copy_json(value, f"{column} of row {label!r}")
        kind = seg.get(COLUMN_KEYS["kind"])
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
            set_timing(seg, timing, s, e)
            new_end, changed = e, True
        # Volume.
        if "volume" in row:
            volume = self._cell(row, "volume")
            before = original.volume_fraction if original is not None else None
            if original is not None and _same(volume, before):
                pass
            elif volume is None:
                seg.pop(VOLUME_KEY, None)
            else:
                fraction = volume_fraction(volume)
                if fraction is None or not 0.0 <= fraction <= 1.0:
                    raise self._error(label, f"volume must be 0-1 or a percentage 0-100, got {_short(volume, 30)}")
                if original is None or not _same(fraction, before):
                    seg[VOLUME_KEY] = round(fraction, 6)
        return seg, new_end, changed


def _hashable_ok(label: Any) -> bool:
    try:
        hash(label)
    except TypeError:
        return False
    return True
