"""The draft: a model over the compact timeline JSON that keeps every unknown key.

A draft is ``{"t": [tracks], "d": ms, "m": {...}}``; segment keys are described
in :mod:`nemo_jupyter.draft_format`. :class:`Draft` reads it, shows it
(:meth:`Draft.summary`, :meth:`Draft._repr_html_`), compares two of them in words
(:meth:`Draft.diff`), and turns it into a pandas DataFrame and back without
losing anything (:meth:`Draft.to_dataframe`, :meth:`Draft.from_dataframe`).

pandas is imported inside the methods that need it, so that importing
``nemo_jupyter`` stays fast.
"""

from __future__ import annotations

import copy
import html
import json
import math
import posixpath
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from .. import draft_format as fmt
from .exceptions import DraftError
from .secrets import redact

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd
    from pandas.io.formats.style import Styler

__all__ = ["COLUMNS", "Draft", "Track"]

#: Columns of :meth:`Draft.to_dataframe`, in order.
COLUMNS: tuple[str, ...] = (
    "track", "track_type", "kind", "start", "end", "label", "text", "source", "volume", "extra", "segment_id",
)

SANDBOX_PREFIX = "/mnt/userdata/"

# Segment keys that have their own DataFrame column (time keys are handled apart).
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
    "music": "music", "ambient": "ambient sound", "audio": "audio",
    "title": "title", "caption": "caption", "text": "text",
}
_KEY_WORDS = {
    "k": "kind", "scene": "scene", "el": "elements", "cam": "camera", "tr": "transition",
    "trd": "transition length", "fi": "fade-in", "fo": "fade-out", "mood": "mood", "snd": "ambient sound",
    "pos": "text position", "sz": "text size", "col": "text colour", "ss": "in-point",
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


# --------------------------------------------------------------------------- public model


@dataclass(frozen=True)
class Track:
    """A read-only view of one track: its index, type code, type word, name and segment copies."""

    index: int
    tt: int
    type: str  # "video" | "audio" | "text" | "other"
    name: str
    segments: list[dict[str, Any]] = field(default_factory=list)

    def __repr__(self) -> str:
        return f"<Track {self.index} {self.type} {self.name!r}, {len(self.segments)} segments>"


@dataclass
class _Seg:
    track: int
    index: int
    tt: Any
    type: str
    seg: dict[str, Any]
    timing: _Timing

    @property
    def noun(self) -> str:
        kind = self.seg.get("k")
        if isinstance(kind, str) and kind in _NOUNS:
            return _NOUNS[kind]
        return {"video": "video", "audio": "audio", "text": "text"}.get(self.type, "segment")

    @property
    def label(self) -> str | None:
        keys = ("txt", "n") if self.type == "text" or self.seg.get("k") in fmt.TEXT_KINDS else ("n", "txt")
        for key in keys:
            value = self.seg.get(key)
            if isinstance(value, str) and value.strip():
                return value
        src = self.seg.get("src")
        if isinstance(src, str) and src.strip():
            return posixpath.basename(src.rstrip("/")) or src
        return None

    def name(self) -> str:
        label = self.label
        return f"{self.noun} '{_short(label)}'" if label else self.noun

    def span(self) -> str:
        return f"{fmt_seconds(self.timing.start)}-{fmt_seconds(self.timing.end)} s"


class Draft:
    """A timeline draft. Unknown keys at every level are kept untouched.

    Build one with ``Draft(raw_dict)`` or :meth:`Draft.from_json`; both validate the
    outer structure and raise :class:`~nemo_jupyter.DraftError` for anything else.
    A Draft is not changed in place: methods return new drafts.
    """

    __slots__ = ("_alt", "_raw")

    def __init__(self, raw: Mapping[str, Any] | None = None) -> None:
        if raw is None:
            raw = {"t": []}
        if not isinstance(raw, Mapping):
            raise DraftError(
                f"A draft must be a JSON object with a 't' list of tracks, not {type(raw).__name__}.",
                hint="Pass the 'draft' object of the session state, e.g. {'t': [{'tt': 0, 'sg': [...]}], 'd': 30000}.",
            )
        data = _copy_json(dict(raw), "draft")
        _validate(data)
        self._raw: dict[str, Any] = data
        self._alt = _alt_scale(data)

    # ----------------------------------------------------------------- construction

    @classmethod
    def from_json(cls, data: Mapping[str, Any] | str | bytes | bytearray | None) -> Draft:
        """Read a draft from a dict, JSON text or bytes (None or ``null`` give an empty draft)."""
        if isinstance(data, (bytes, bytearray)):
            try:
                data = bytes(data).decode("utf-8")
            except UnicodeDecodeError as exc:
                raise DraftError(f"The draft is not UTF-8 text (byte {exc.start}).") from None
        if isinstance(data, str):
            try:
                data = json.loads(data, parse_constant=_reject_constant)
            except DraftError:
                raise
            except RecursionError:
                raise DraftError("The draft JSON is nested too deeply.") from None
            except ValueError as exc:
                raise DraftError(f"The draft is not valid JSON: {exc}.") from None
        if data is None:
            return cls()
        if not isinstance(data, Mapping):
            raise DraftError(
                f"A draft must be a JSON object with a 't' list of tracks, not {type(data).__name__}.",
            )
        return cls(data)

    def to_json(self) -> dict[str, Any]:
        """A deep copy of the draft as plain JSON-ready data, unknown keys included."""
        return copy.deepcopy(self._raw)

    def copy(self) -> Draft:
        return Draft(self._raw)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Draft):
            return NotImplemented
        return _same(self._raw, other._raw)

    __hash__ = None  # type: ignore[assignment]

    # ----------------------------------------------------------------- properties

    def _tracks_raw(self) -> list[dict[str, Any]]:
        tracks = self._raw.get("t")
        return tracks if isinstance(tracks, list) else []

    def _segments(self) -> Iterator[_Seg]:
        for ti, track in enumerate(self._tracks_raw()):
            tt = track.get("tt")
            ttype = _track_type(tt)
            for si, seg in enumerate(track.get("sg", [])):
                yield _Seg(ti, si, tt, ttype, seg, _timing(seg, self._alt))

    @property
    def tracks(self) -> list[Track]:
        out = []
        for ti, track in enumerate(self._tracks_raw()):
            ttype = _track_type(track.get("tt"))
            name = track.get("n")
            out.append(Track(
                index=ti,
                tt=track["tt"],
                type=ttype,
                name=name if isinstance(name, str) and name else _TRACK_NAMES[ttype],
                segments=copy.deepcopy(track.get("sg", [])),
            ))
        return out

    def _meta(self) -> dict[str, Any]:
        m = self._raw.get("m")
        return m if isinstance(m, dict) else {}

    @property
    def meta(self) -> dict[str, Any]:
        """A copy of the metadata object ``m`` (empty when there is none)."""
        return copy.deepcopy(self._meta())

    @property
    def end(self) -> float:
        """Furthest segment end in seconds (0 for an empty timeline)."""
        ends = [s.timing.end for s in self._segments() if s.timing.end is not None]
        return max(ends) if ends else 0.0

    @property
    def duration(self) -> float:
        """Seconds: the outer ``d`` (ms), else the furthest segment end."""
        d = _num(self._raw.get("d"))
        return d / 1000.0 if d is not None else self.end

    @property
    def width(self) -> int | None:
        return self._size()[0]

    @property
    def height(self) -> int | None:
        return self._size()[1]

    def _size(self) -> tuple[int | None, int | None]:
        m = self._meta()
        w, h = _num(m.get("width")), _num(m.get("height"))
        if w is not None and h is not None and w > 0 and h > 0:
            return int(w), int(h)
        aspect = m.get("aspect")
        if isinstance(aspect, str) and aspect in fmt.SIZES_1080:
            return fmt.SIZES_1080[aspect]
        return None, None

    @property
    def title(self) -> str | None:
        title = self._meta().get("title")
        return title if isinstance(title, str) and title else None

    @property
    def aspect(self) -> str | None:
        aspect = self._meta().get("aspect")
        if isinstance(aspect, str) and aspect:
            return aspect
        w, h = self._size()
        if w and h:
            g = math.gcd(w, h)
            return f"{w // g}:{h // g}"
        return None

    @property
    def is_exportable(self) -> bool:
        """True when some track has a non-empty ``sg`` (the protocol's rule)."""
        return any(track.get("sg") for track in self._tracks_raw())

    @property
    def is_empty(self) -> bool:
        """True when no track holds a segment."""
        return not self.is_exportable

    # ----------------------------------------------------------------- DataFrame round trip

    def to_dataframe(self) -> pd.DataFrame:
        """One row per segment (columns :data:`COLUMNS`); ``df.attrs`` keeps the rest of the draft.

        Times are float seconds. ``extra`` holds every other segment key verbatim.
        Edit the frame and read it back with :meth:`Draft.from_dataframe`.
        """
        import pandas as pd

        rows: dict[str, list[Any]] = {c: [] for c in COLUMNS}
        positions: list[list[int]] = []
        for s in self._segments():
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
        df.attrs["nemo_draft"] = self.to_json()
        df.attrs["nemo_rows"] = positions
        df.attrs["tracks"] = [
            {"index": t.index, "tt": t.tt, "type": t.type, "name": t.name, "segments": len(t.segments)}
            for t in self.tracks
        ]
        return df

    @classmethod
    def from_dataframe(cls, df: pd.DataFrame, base: Draft | None = None) -> Draft:
        """Build a draft from a timeline DataFrame (as made by :meth:`to_dataframe`, maybe edited).

        Unchanged rows come back exactly as they were (unknown keys and the original
        key spelling included). Edited values are validated; rows without a
        ``segment_id`` are new segments; a changed ``track`` moves a row (its
        ``track_type`` column is informative and ignored). Volume may be a 0-1
        fraction, a percentage (``60``) or ``"60%"``. The outer
        draft (tracks, ``d``, ``m``, unknown keys) comes from ``base`` when given,
        else from ``df.attrs``; pass ``base`` when an operation dropped the attrs
        (``pd.concat`` does). Neither ``df`` nor ``base`` is changed.
        """
        return _FrameReader(df, base).draft()

    def to_styled(self) -> Styler:
        """The DataFrame as a pandas Styler, one colour per track type, backend text HTML-escaped."""
        df = self.to_dataframe()
        colours = [_COLOURS.get(str(t), _COLOURS["other"]) for t in df["track_type"]]

        def paint(row: pd.Series) -> list[str]:
            colour = colours[df.index.get_loc(row.name)]
            return [f"background-color: {colour}; color: #111827"] * len(row)

        def cell(value: Any) -> str:
            # Escape here, not with escape="html": pandas escapes only str cells, not dicts or lists.
            value = _py(value)
            if value is None:
                return ""
            text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, default=str)
            return html.escape(redact(text))

        def seconds(value: Any) -> str:
            number = _num(_py(value))
            return "" if number is None else f"{number:.2f}"

        def volume(value: Any) -> str:
            number = _num(_py(value))
            return "" if number is None else _pct(number)

        formats: dict[str, Any] = {c: cell for c in COLUMNS}
        formats.update(start=seconds, end=seconds, volume=volume)
        styler = df.style.apply(paint, axis=1).format(formats)
        return styler.hide(axis="index").set_caption(html.escape(redact(self._caption())))

    # ----------------------------------------------------------------- words

    def summary(self) -> str:
        """The skills' form: ``Timeline (3 tracks): 1. Video: city timelapse (0-10s) 2. BGM: ...``."""
        if self.is_empty:
            return "Timeline is empty"
        parts = []
        tracks = self._tracks_raw()
        by_track: dict[int, list[_Seg]] = {i: [] for i in range(len(tracks))}
        for s in self._segments():
            by_track[s.track].append(s)
        for ti, track in enumerate(tracks):
            ttype = _track_type(track.get("tt"))
            name = track.get("n")
            name = name if isinstance(name, str) and name.strip() else _TRACK_NAMES[ttype]
            segs = by_track[ti]
            if not segs:
                parts.append(f"{ti + 1}. {name}: (empty)")
                continue
            labels = [s.label or s.noun for s in segs]
            if ttype == "text" or all(s.seg.get("k") in fmt.TEXT_KINDS for s in segs):
                label = ", ".join(f'"{lab}"' for lab in labels)
            else:
                label = ", ".join(labels)
            starts = [s.timing.start for s in segs if s.timing.start is not None]
            ends = [s.timing.end for s in segs if s.timing.end is not None]
            span = f"{fmt_seconds(min(starts) if starts else None)}-{fmt_seconds(max(ends) if ends else None)}s"
            details = [span]
            if ttype == "audio":
                vols = [v for v in (_volume_fraction(s.seg.get("v")) for s in segs) if v is not None]
                if vols:
                    lo, hi = min(vols), max(vols)
                    details.append(_pct(lo) if lo == hi else f"{fmt_seconds(lo * 100)}-{_pct(hi)}")
            parts.append(f"{ti + 1}. {name}: {label} ({', '.join(details)})")
        n = len(tracks)
        return redact(f"Timeline ({n} track{'s' if n != 1 else ''}): " + " ".join(parts))

    def diff(self, other: Draft) -> list[str]:
        """What changed from this draft to ``other``, one sentence per change (empty when equal)."""
        if not isinstance(other, Draft):
            raise DraftError(f"diff() needs another Draft, not {type(other).__name__}.")
        return [redact(line) for line in _diff(self, other)]

    # ----------------------------------------------------------------- sources

    def sandbox_sources(self) -> list[str]:
        """Segment sources that are sandbox paths (``/mnt/userdata/...``), each once, in timeline order."""
        seen: dict[str, None] = {}
        for s in self._segments():
            src = s.seg.get("src")
            if isinstance(src, str) and src.startswith(SANDBOX_PREFIX):
                seen.setdefault(src, None)
        return list(seen)

    def with_sources_mapped(self, mapping: Mapping[str, str]) -> Draft:
        """A copy where each sandbox source is replaced by its upload's ``cdn_url``.

        ``mapping`` goes from a sandbox path or a file name to a ``cdn_url``; a
        source matches on its full path first, then on its file name. Sources that
        match nothing, and every other key, are left as they are.
        """
        if not isinstance(mapping, Mapping):
            raise DraftError(f"with_sources_mapped() needs a dict of path or filename -> cdn_url, not "
                             f"{type(mapping).__name__}.")
        by_name: dict[str, str] = {}
        for key, cdn_url in mapping.items():
            if isinstance(key, str) and isinstance(cdn_url, str):
                by_name.setdefault(posixpath.basename(key.rstrip("/")), cdn_url)
        raw = self.to_json()
        for track in raw.get("t") or []:
            for seg in track.get("sg", []):
                src = seg.get("src")
                if not (isinstance(src, str) and src.startswith(SANDBOX_PREFIX)):
                    continue
                url: Any = mapping.get(src)
                if not isinstance(url, str):
                    url = by_name.get(posixpath.basename(src.rstrip("/")))
                if isinstance(url, str):
                    seg["src"] = url
        return Draft(raw)

    # ----------------------------------------------------------------- display

    def _caption(self) -> str:
        bits = [self.title or "Draft", f"{fmt_seconds(self.duration)} s"]
        if self.width and self.height:
            bits.append(f"{self.width}x{self.height}")
        if self.aspect:
            bits.append(self.aspect)
        return " · ".join(bits)

    def __repr__(self) -> str:
        n = len(self._tracks_raw())
        size = f", {self.width}x{self.height}" if self.width and self.height else ""
        return f"<Draft {n} track{'s' if n != 1 else ''}, {self.duration:.1f} s{size}>"

    def _repr_html_(self) -> str:
        def esc(text: str) -> str:
            return html.escape(redact(text))

        head = f"<strong>{esc(self._caption())}</strong>"
        if self.is_empty:
            return f'<div class="nemo-draft">{head}<p>Timeline is empty</p></div>'
        total = max(self.duration, self.end) or 1.0
        cells = ("#", "track", "kind", "start", "end", "label / text", "source", "volume", "")
        out = [
            '<div class="nemo-draft">', head,
            '<table class="nemo-draft-table" style="border-collapse:collapse">',
            "<thead><tr>" + "".join(f"<th style='text-align:left;padding:2px 6px'>{c}</th>" for c in cells)
            + "</tr></thead><tbody>",
        ]
        names = {t.index: t.name for t in self.tracks}
        for s in self._segments():
            colour, bar = _COLOURS.get(s.type, _COLOURS["other"]), _BAR_COLOURS.get(s.type, _BAR_COLOURS["other"])
            start, end = s.timing.start, s.timing.end
            left = 100.0 * (start or 0.0) / total
            width = 100.0 * max((end or 0.0) - (start or 0.0), 0.0) / total
            left, width = min(max(left, 0.0), 100.0), min(max(width, 0.0), 100.0 - min(max(left, 0.0), 100.0))
            label = s.seg.get("n")
            text = s.seg.get("txt")
            shown = " / ".join(_short(x, 80) for x in (label, text) if x is not None and x != "")
            src = s.seg.get("src")
            vol = _volume_fraction(s.seg.get("v")) if "v" in s.seg else None
            kind = s.seg.get("k")
            row = [
                str(s.track + 1), names.get(s.track, ""), "" if kind is None else _short(kind, 30),
                fmt_seconds(start), fmt_seconds(end), shown, "" if src is None else _short(src, 60),
                "" if vol is None else _pct(vol),
            ]
            tds = "".join(f"<td style='padding:2px 6px'>{esc(str(c))}</td>" for c in row)
            bar_html = (
                "<td style='padding:2px 6px;min-width:120px'><div style='position:relative;height:8px;"
                "background:#e5e7eb'><div style='position:absolute;top:0;height:8px;"
                f"left:{left:.2f}%;width:{width:.2f}%;background:{bar}'></div></div></td>"
            )
            out.append(f"<tr style='background:{colour};color:#111827'>{tds}{bar_html}</tr>")
        out.append("</tbody></table></div>")
        return "".join(out)


# --------------------------------------------------------------------------- validation


def _reject_constant(name: str) -> Any:
    raise DraftError(f"The draft JSON holds {name}, which is not a JSON number.")


def _validate(raw: dict[str, Any]) -> None:
    hint = "A draft looks like {'t': [{'tt': 0, 'sg': [{'st': 0, 'd': 5000}]}], 'd': 5000}; fix the part named."
    tracks = raw.get("t")
    if tracks is not None and not isinstance(tracks, list):
        raise DraftError(f"The draft's 't' must be a list of tracks, not {type(tracks).__name__}.", hint=hint)
    for ti, track in enumerate(tracks or []):
        if not isinstance(track, dict):
            raise DraftError(f"Track {ti} of the draft must be an object, not {type(track).__name__}.", hint=hint)
        tt = track.get("tt")
        if not isinstance(tt, int) or isinstance(tt, bool):
            raise DraftError(
                f"Track {ti} of the draft needs an integer 'tt' (0 video, 1 audio, 7 text), got {_short(tt, 30)}.",
                hint=hint,
            )
        sg = track.get("sg")
        if not isinstance(sg, list):
            raise DraftError(f"Track {ti} of the draft needs an 'sg' list of segments, got {_short(sg, 30)}.",
                             hint=hint)
        for si, seg in enumerate(sg):
            if not isinstance(seg, dict):
                raise DraftError(f"Segment {si} of track {ti} must be an object, not {type(seg).__name__}.",
                                 hint=hint)
    if "d" in raw and raw["d"] is not None:
        d = _num(raw["d"])
        if d is None or isinstance(raw["d"], str) or d < 0:
            raise DraftError(f"The draft's duration 'd' must be a number of ms ≥ 0, got {_short(raw['d'], 30)}.",
                             hint=hint)
    if "m" in raw and raw["m"] is not None and not isinstance(raw["m"], dict):
        raise DraftError(f"The draft's metadata 'm' must be an object, not {type(raw['m']).__name__}.", hint=hint)


# --------------------------------------------------------------------------- DataFrame -> Draft


class _FrameReader:
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


# --------------------------------------------------------------------------- diff


def _value_words(key: str, value: Any) -> str:
    if value is None:
        return "none"
    if key in _MS_KEYS and _num(value) is not None:
        return f"{fmt_seconds(_num(value) / 1000.0)} s"  # type: ignore[operator]
    if isinstance(value, list) and all(isinstance(v, (str, int, float)) for v in value):
        return ", ".join(str(v) for v in value) or "none"
    return _short(value, 40)


def _diff(a: Draft, b: Draft) -> list[str]:
    out: list[str] = []
    if not math.isclose(a.duration, b.duration, abs_tol=1e-6):
        out.append(f"Changed duration {fmt_seconds(a.duration)} s → {fmt_seconds(b.duration)} s")
    if a.aspect != b.aspect:
        out.append(f"Changed aspect {a.aspect or 'none'} → {b.aspect or 'none'}")
    elif (a.width, a.height) != (b.width, b.height):
        out.append(f"Changed size {a.width}x{a.height} → {b.width}x{b.height}")
    if a.title != b.title:
        out.append(f"Changed video title '{a.title or ''}' → '{b.title or ''}'")
    ma, mb = a.meta, b.meta
    for key in [*ma, *(k for k in mb if k not in ma)]:
        if key in ("title", "width", "height", "aspect"):
            continue
        if not _same(ma.get(key), mb.get(key)):
            out.append(f"Changed {key} {_value_words(key, ma.get(key))} → {_value_words(key, mb.get(key))}")
    ta, tb = a._tracks_raw(), b._tracks_raw()
    names_a = [t.name for t in a.tracks]
    names_b = [t.name for t in b.tracks]
    # Tracks that came or went; a track with segments is told by its segments' lines.
    def track_key(track: dict[str, Any]) -> Any:
        return (_hashable(track.get("tt")), _hashable(track.get("n")))

    spare_b: dict[Any, list[int]] = {}
    for i, track in enumerate(tb):
        spare_b.setdefault(track_key(track), []).append(i)
    for i, track in enumerate(ta):
        bucket = spare_b.get(track_key(track))
        if bucket:
            bucket.pop(0)
        elif not track.get("sg"):
            out.append(f"Removed track {i + 1} '{names_a[i]}'")
    for i in sorted(j for bucket in spare_b.values() for j in bucket):
        if not tb[i].get("sg"):
            out.append(f"Added track {i + 1} '{names_b[i]}'")

    segs_a, segs_b = list(a._segments()), list(b._segments())
    pairs: list[tuple[_Seg, _Seg]] = []
    left_a, left_b = list(range(len(segs_a))), list(range(len(segs_b)))
    ids_a: dict[Any, list[int]] = {}
    ids_b: dict[Any, list[int]] = {}
    for i, s in enumerate(segs_a):
        if s.seg.get("id") is not None:
            ids_a.setdefault(_hashable(s.seg["id"]), []).append(i)
    for i, s in enumerate(segs_b):
        if s.seg.get("id") is not None:
            ids_b.setdefault(_hashable(s.seg["id"]), []).append(i)
    for key, idx_a in ids_a.items():
        idx_b = ids_b.get(key, [])
        if len(idx_a) == 1 and len(idx_b) == 1:
            pairs.append((segs_a[idx_a[0]], segs_b[idx_b[0]]))
            left_a.remove(idx_a[0])
            left_b.remove(idx_b[0])

    def group_key(s: _Seg) -> Any:
        return (s.track, _hashable(s.seg.get("n")), _hashable(s.seg.get("k")))

    def type_key(s: _Seg) -> Any:
        return (_hashable(s.tt), _hashable(s.seg.get("n")), _hashable(s.seg.get("k")))

    # Same track, label and kind first; then the same across tracks of one type (a track was inserted).
    for keyfn in (group_key, type_key):
        pool: dict[Any, list[int]] = {}
        for j in left_b:
            pool.setdefault(keyfn(segs_b[j]), []).append(j)
        for i in list(left_a):
            bucket = pool.get(keyfn(segs_a[i]))
            if bucket:
                j = bucket.pop(0)
                pairs.append((segs_a[i], segs_b[j]))
                left_a.remove(i)
                left_b.remove(j)
    removed = [segs_a[i] for i in left_a]
    for s in removed:
        out.append(f"Removed {s.name()}")
    for j in left_b:
        s = segs_b[j]
        out.append(f"Added {s.name()} {s.span()}")
    pairs.sort(key=lambda p: (p[1].track, p[1].index))
    for x, y in pairs:
        out.extend(_segment_changes(x, y, names_b))
    return out


def _segment_changes(x: _Seg, y: _Seg, names_b: list[str]) -> list[str]:
    out: list[str] = []
    name = x.name()
    if x.track != y.track:
        out.append(f"Moved {name} to track {y.track + 1} '{names_b[y.track]}'")
    tx, ty = x.timing, y.timing
    if not (_same_time(tx.start, ty.start) and _same_time(tx.end, ty.end)):
        len_x = None if tx.start is None or tx.end is None else tx.end - tx.start
        len_y = None if ty.start is None or ty.end is None else ty.end - ty.start
        verb = "Moved" if len_x is not None and len_y is not None and math.isclose(len_x, len_y,
                                                                                  abs_tol=1e-6) else "Retimed"
        out.append(f"{verb} {name} {x.span()} → {y.span()}")
    va = _volume_fraction(x.seg.get("v")) if "v" in x.seg else None
    vb = _volume_fraction(y.seg.get("v")) if "v" in y.seg else None
    if not _same(x.seg.get("v"), y.seg.get("v")):
        words = [_pct(v) if v is not None else "default" for v in (va, vb)]
        out.append(f"Changed volume of {name} {words[0]} → {words[1]}")
    if not _same(x.seg.get("txt"), y.seg.get("txt")):
        out.append(f"Changed {x.noun} text '{_short(x.seg.get('txt') or '')}' → '{_short(y.seg.get('txt') or '')}'")
    if not _same(x.seg.get("n"), y.seg.get("n")):
        out.append(f"Renamed {name} → '{_short(y.seg.get('n') or '')}'")
    if not _same(x.seg.get("src"), y.seg.get("src")):
        out.append(f"Changed source of {name} {_value_words('src', x.seg.get('src'))} → "
                   f"{_value_words('src', y.seg.get('src'))}")
    skip = {"id", "n", "txt", "src", "v"} | {k for k in (*_START_KEYS, *_DURATION_KEYS, *_END_KEYS)}
    keys = [k for k in x.seg if k not in skip] + [k for k in y.seg if k not in skip and k not in x.seg]
    for key in keys:
        old, new = x.seg.get(key), y.seg.get(key)
        if not _same(old, new):
            word = _KEY_WORDS.get(key, key)
            out.append(f"Changed {word} of {name} {_value_words(key, old)} → {_value_words(key, new)}")
    return out
