"""The draft model: :class:`Draft` over the compact timeline JSON, keeping every unknown key.

A draft is ``{"t": [tracks], "d": ms, "m": {...}}``; segment keys are described in
:mod:`nemo_jupyter.draft_format`. :meth:`Draft.segments` is the public way to walk it
(widgets and comparisons use it rather than reading raw keys).
"""

from __future__ import annotations

import copy
import json
import math
import posixpath
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ... import draft_format as fmt
from ...draft_format import SANDBOX_PREFIX
from ..exceptions import DraftError
from ..secrets import redact
from .values import (
    _NOUNS,
    _TRACK_NAMES,
    _alt_scale,
    _copy_json,
    _num,
    _pct,
    _same,
    _short,
    _Timing,
    _timing,
    _track_type,
    _volume_fraction,
    fmt_seconds,
)

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd
    from pandas.io.formats.style import Styler

__all__ = ["Draft", "Segment", "Track"]

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


@dataclass(frozen=True)
class Segment:
    """A read-only view of one segment, as :meth:`Draft.segments` yields them.

    Times are seconds (``None`` when the segment does not say); ``label`` is the name a
    person reads (a title's text, a clip's name, else the source's file name); ``raw`` is a
    copy of the segment with every key, known or not.
    """

    track: int
    index: int
    track_type: str  # "video" | "audio" | "text" | "other"
    kind: str | None
    start: float | None
    end: float | None
    label: str | None
    text: str | None
    source: str | None
    volume: float | None  # 0-1
    raw: dict[str, Any] = field(default_factory=dict, repr=False)

    @property
    def duration(self) -> float | None:
        return None if self.start is None or self.end is None else max(0.0, self.end - self.start)


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

    def segments(self) -> Iterator[Segment]:
        """Every segment in timeline order (track by track), as read-only :class:`Segment` views."""
        for s in self._segments():
            seg = s.seg
            kind, text, src = seg.get("k"), seg.get("txt"), seg.get("src")
            yield Segment(track=s.track, index=s.index, track_type=s.type,
                          kind=kind if isinstance(kind, str) else None,
                          start=s.timing.start, end=s.timing.end, label=s.label,
                          text=text if isinstance(text, str) else None, source=src if isinstance(src, str) else None,
                          volume=_volume_fraction(seg.get("v")) if "v" in seg else None, raw=copy.deepcopy(seg))

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
        from .codec import to_dataframe

        return to_dataframe(self)

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
        from .codec import FrameReader

        return FrameReader(df, base).draft()

    def to_styled(self) -> Styler:
        """The DataFrame as a pandas Styler, one colour per track type, backend text HTML-escaped."""
        from .html import to_styled

        return to_styled(self)

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
            if ttype == "text" or all(s.seg.get("k") in (*fmt.TEXT_KINDS, "voice") for s in segs):
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
        from .diff import diff_words

        return [redact(line) for line in diff_words(self, other)]

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
        from .html import draft_html

        return draft_html(self)


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
