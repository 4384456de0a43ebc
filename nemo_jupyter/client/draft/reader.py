"""The one reader of the draft format (:mod:`nemo_jupyter.draft_format`): every key of a draft is
read here, and nowhere else in the client, the conversation layer or the presentation.

:class:`DraftView` is a read-only view over the compact JSON (``{"t": [tracks], "d": ms,
"m": {...}}``): its size, title and aspect, its tracks (:class:`Track`) and segments
(:class:`Segment` for readers outside, :class:`SegmentView` for the draft's own modules),
with the segments' timing read leniently (``st``/``d`` in ms, or ``start``/``duration``/``end``
in the unit the draft uses). The DataFrame codec, the diff in words and the HTML build on it;
:class:`~nemo_jupyter.client.draft.model.Draft` is a view that also converts and compares.
What is written back (an edited DataFrame) is written by :mod:`.writer`, in the keys named here.
"""

from __future__ import annotations

import copy
import json
import math
import posixpath
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, cast

from ... import draft_format as fmt
from ...draft_format import SANDBOX_PREFIX, DraftJSON, MetaJSON, SegmentJSON, TrackJSON
from ..exceptions import DraftError
from .values import _NOUNS, _TRACK_NAMES, _num, _short, fmt_seconds

__all__ = ["COLUMN_KEYS", "DraftView", "Segment", "SegmentView", "Timing", "Track", "validate"]

VOLUME_KEY = "v"
#: DataFrame columns that hold one segment key each
COLUMN_KEYS = {"kind": "k", "label": "n", "text": "txt", "source": "src", "segment_id": "id"}
START_KEYS = ("st", "start", "s")
DURATION_KEYS = ("d", "duration", "dur")
END_KEYS = ("end", "e")
TIME_KEYS = frozenset((*START_KEYS, *DURATION_KEYS, *END_KEYS))
#: keys said in words by the diff (the other keys by their own name)
KEY_WORDS = {
    "k": "kind", "scene": "scene", "el": "elements", "cam": "camera", "tr": "transition",
    "trd": "transition length", "fi": "fade-in", "fo": "fade-out", "mood": "mood", "snd": "ambient sound",
    "pos": "text position", "sz": "text size", "col": "text colour", "ss": "in-point",
    "voice": "voice", "rate": "speaking rate", "act": "actors", "tod": "time of day", "wx": "weather",
    "role": "role", "art": "art",
}
#: keys whose values are milliseconds
MS_KEYS = frozenset(("trd", "fi", "fo", "ss"))
#: keys the diff says in their own sentences (the rest one "Changed <word>" line each)
NAMED_KEYS = frozenset(("id", "n", "txt", "src", "v"))


def _track_type(tt: Any) -> str:
    if isinstance(tt, int) and not isinstance(tt, bool):
        return fmt.TRACK_KINDS.get(tt, "other")
    return "other"


# --------------------------------------------------------------------------- timing of one segment


@dataclass
class Timing:
    start_key: str | None
    dur_key: str | None
    end_key: str | None
    scale: float  # raw value * scale = seconds
    start: float | None
    end: float | None

    def keys(self) -> set[str]:
        return {k for k in (self.start_key, self.dur_key, self.end_key) if k}


def alt_scale(raw: Mapping[str, Any]) -> float:
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
            end = next((_num(seg[k]) for k in END_KEYS if k in seg), None)
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


def timing(seg: Mapping[str, Any], scale_of_alt: float) -> Timing:
    start_key = next((k for k in START_KEYS if k in seg), None)
    dur_key = next((k for k in DURATION_KEYS if k in seg), None)
    end_key = None if dur_key is not None else next((k for k in END_KEYS if k in seg), None)
    uses_standard = start_key == "st" or dur_key == "d" or (start_key is None and dur_key is None)
    scale = 0.001 if uses_standard else scale_of_alt
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
    return Timing(start_key, dur_key, end_key, scale, start, end)


def volume_fraction(value: Any) -> float | None:
    """A volume as a 0-1 fraction: ``0.35``, ``35`` (a percentage) or ``"35%"``; None when unreadable."""
    if isinstance(value, str) and value.strip().endswith("%"):
        pct = _num(value.strip()[:-1])
        return None if pct is None else pct / 100.0
    v = _num(value)
    if v is None:
        return None
    return v / 100.0 if 1.0 < v <= 100.0 else v


# --------------------------------------------------------------------------- the public views


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
    """A read-only view of one segment, as :meth:`DraftView.segments` yields them.

    Times are seconds (``None`` when the segment does not say); ``label`` is the name a
    person reads (a title's text, a clip's name, else the source's file name); ``name`` the
    segment's own name (``n``), ``scene`` and ``mood`` what a scene or a music segment is;
    ``raw`` is a copy of the segment with every key, known or not.
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
    id: str | None = None
    name: str | None = None
    scene: str | None = None
    mood: str | None = None
    actors: tuple[str, ...] = ()    # the subjects a scene draws (``act[].s``), in order
    sound: str | None = None        # an ambient segment's sound (``snd``)

    @property
    def duration(self) -> float | None:
        return None if self.start is None or self.end is None else max(0.0, self.end - self.start)

    def content(self) -> str:
        """What the segment shows, without its id and timing, as a stable JSON text (two
        segments that show the same thing at different times have the same content)."""
        return json.dumps({k: v for k, v in self.raw.items() if k not in TIME_KEYS and k not in ("id", "et")},
                          sort_keys=True, default=str)


def _str(value: Any) -> str | None:
    return value if isinstance(value, str) else None


class _Key:
    """A segment's raw value of one key (None when absent), as an attribute of :class:`SegmentView`."""

    def __init__(self, key: str) -> None:
        self.key = key

    def __get__(self, obj: SegmentView, owner: type | None = None) -> Any:
        return obj.get(self.key)


@dataclass
class SegmentView:
    """One segment as the draft's own modules read it: where it is, its raw keys, its timing."""

    track: int
    index: int
    tt: Any
    type: str
    seg: SegmentJSON
    timing: Timing

    def get(self, key: str) -> Any:
        """The raw value of ``key`` (None when absent)."""
        return cast("dict[str, Any]", self.seg).get(key)

    def has(self, key: str) -> bool:
        return key in self.seg

    def key_names(self) -> list[str]:
        return list(self.seg)

    kind = _Key("k")
    name_value = _Key("n")
    text = _Key("txt")
    source = _Key("src")
    volume = _Key(VOLUME_KEY)
    segment_id = _Key("id")

    @property
    def volume_fraction(self) -> float | None:
        return volume_fraction(self.volume) if self.has(VOLUME_KEY) else None

    @property
    def has_id(self) -> bool:
        return self.has("id")

    def extras(self) -> dict[str, Any]:
        """The keys no DataFrame column holds (its timing, the one-key columns and volume aside)."""
        mapped = self.timing.keys() | set(COLUMN_KEYS.values()) | {"v"}
        return {k: v for k, v in self.seg.items() if k not in mapped}

    @property
    def noun(self) -> str:
        kind = self.kind
        if isinstance(kind, str) and kind in _NOUNS:
            return _NOUNS[kind]
        return {"video": "video", "audio": "audio", "text": "text"}.get(self.type, "segment")

    @property
    def label(self) -> str | None:
        keys = ("txt", "n") if self.type == "text" or self.kind in fmt.TEXT_KINDS else ("n", "txt")
        for key in keys:
            value = self.get(key)
            if isinstance(value, str) and value.strip():
                return value
        src = self.source
        if isinstance(src, str) and src.strip():
            return posixpath.basename(src.rstrip("/")) or src
        return None

    def name(self) -> str:
        label = self.label
        return f"{self.noun} '{_short(label)}'" if label else self.noun

    def span(self) -> str:
        return f"{fmt_seconds(self.timing.start)}-{fmt_seconds(self.timing.end)} s"

    def public(self) -> Segment:
        seg = self.seg
        return Segment(track=self.track, index=self.index, track_type=self.type, kind=_str(self.kind),
                       start=self.timing.start, end=self.timing.end, label=self.label, text=_str(self.text),
                       source=_str(self.source), volume=self.volume_fraction, raw=copy.deepcopy(dict(seg)),
                       id=None if self.segment_id is None else str(self.segment_id), name=_str(self.name_value),
                       scene=_str(self.get("scene")), mood=_str(self.get("mood")), actors=self.actors(),
                       sound=_str(self.get("snd")))

    def actors(self) -> tuple[str, ...]:
        """The subjects the segment's actors are (``act[].s``; a hand-edited list may hold anything)."""
        acts = self.get("act")
        if not isinstance(acts, list):
            return ()
        return tuple(a["s"] for a in acts if isinstance(a, dict) and isinstance(a.get("s"), str) and a["s"])


# --------------------------------------------------------------------------- the whole draft


def validate(raw: Mapping[str, Any]) -> None:
    """Raise :class:`DraftError` unless ``raw`` has the draft's outer shape (tracks of segments)."""
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


class DraftView:
    """A read-only view over a validated draft's JSON (see the module's docstring)."""

    __slots__ = ("_alt", "_raw")

    def __init__(self, raw: DraftJSON) -> None:
        self._raw = raw
        self._alt = alt_scale(raw)

    # -- tracks and segments ----------------------------------------------------------------
    def _tracks_raw(self) -> list[TrackJSON]:
        tracks = self._raw.get("t")
        return tracks if isinstance(tracks, list) else []

    def _segments(self) -> Iterator[SegmentView]:
        for ti, track in enumerate(self._tracks_raw()):
            tt = track.get("tt")
            ttype = _track_type(tt)
            for si, seg in enumerate(track.get("sg", [])):
                yield SegmentView(ti, si, tt, ttype, seg, timing(seg, self._alt))

    def segments(self) -> Iterator[Segment]:
        """Every segment in timeline order (track by track), as read-only :class:`Segment` views."""
        for s in self._segments():
            yield s.public()

    def track_names(self) -> list[str]:
        """Each track's name: its own, else the word for its type ("Video", "BGM", "Title")."""
        out = []
        for track in self._tracks_raw():
            name = track.get("n")
            out.append(name if isinstance(name, str) and name else _TRACK_NAMES[_track_type(track.get("tt"))])
        return out

    def track_types(self) -> list[str]:
        return [_track_type(track.get("tt")) for track in self._tracks_raw()]

    def track_keys(self) -> list[tuple[Any, Any]]:
        """Each track's type code and raw name (what tells two tracks apart in a diff)."""
        return [(track.get("tt"), track.get("n")) for track in self._tracks_raw()]

    def track_filled(self) -> list[bool]:
        """Whether each track holds a segment."""
        return [bool(track.get("sg")) for track in self._tracks_raw()]

    @property
    def tracks(self) -> list[Track]:
        names = self.track_names()
        return [Track(index=ti, tt=track["tt"], type=_track_type(track.get("tt")), name=names[ti],
                      segments=copy.deepcopy(cast("list[dict[str, Any]]", track.get("sg", []))))
                for ti, track in enumerate(self._tracks_raw())]

    def sources(self) -> list[str]:
        """Every segment source (``src``), each once, in timeline order."""
        seen: dict[str, None] = {}
        for s in self._segments():
            if isinstance(s.source, str) and s.source:
                seen.setdefault(s.source, None)
        return list(seen)

    def sandbox_sources(self) -> list[str]:
        """Segment sources that are sandbox paths (``/mnt/userdata/...``), each once, in timeline order."""
        return [src for src in self.sources() if src.startswith(SANDBOX_PREFIX)]

    def _mapped_sources(self, new_source: Callable[[str], str | None]) -> DraftJSON:
        """A copy of the JSON with each source replaced by ``new_source(src)`` (None: kept)."""
        raw = copy.deepcopy(self._raw)
        for track in raw.get("t") or []:
            for seg in track.get("sg", []):
                src = seg.get("src")
                url = new_source(src) if isinstance(src, str) else None
                if url is not None:
                    seg["src"] = url
        return raw

    # -- the whole ---------------------------------------------------------------------------
    def _meta(self) -> MetaJSON:
        m = self._raw.get("m")
        return m if isinstance(m, dict) else {}

    @property
    def meta(self) -> dict[str, Any]:
        """A copy of the metadata object ``m`` (empty when there is none)."""
        return copy.deepcopy(dict(self._meta()))

    @property
    def outer_ms(self) -> float | None:
        """The outer duration ``d`` (ms) as the draft says it, or None."""
        return _num(self._raw.get("d"))

    @property
    def end(self) -> float:
        """Furthest segment end in seconds (0 for an empty timeline)."""
        ends = [s.timing.end for s in self._segments() if s.timing.end is not None]
        return max(ends) if ends else 0.0

    @property
    def duration(self) -> float:
        """Seconds: the outer ``d`` (ms), else the furthest segment end."""
        d = self.outer_ms
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
        return any(self.track_filled())

    @property
    def is_empty(self) -> bool:
        """True when no track holds a segment."""
        return not self.is_exportable

    def _caption(self) -> str:
        bits = [self.title or "Draft", f"{fmt_seconds(self.duration)} s"]
        if self.width and self.height:
            bits.append(f"{self.width}x{self.height}")
        if self.aspect:
            bits.append(self.aspect)
        return " · ".join(bits)
