"""The draft model: :class:`Draft` over the compact timeline JSON, keeping every unknown key.

A draft is ``{"t": [tracks], "d": ms, "m": {...}}`` (typed in :mod:`nemo_jupyter.draft_format`);
it is read by :class:`~.reader.DraftView`, which :class:`Draft` is. :meth:`Draft.segments` is
the public way to walk it (widgets and comparisons use it rather than reading raw keys).
"""

from __future__ import annotations

import copy
import json
import posixpath
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, cast

from ... import draft_format as fmt
from ...draft_format import SANDBOX_PREFIX, DraftJSON
from ..exceptions import DraftError
from ..secrets import redact
from .codec import FrameReader, to_dataframe
from .diff import diff_words
from .html import draft_html, to_styled
from .reader import DraftView, Segment, SegmentView, Track, validate
from .values import _copy_json, _pct, _same, fmt_seconds
from .writer import empty_json

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd
    from pandas.io.formats.style import Styler

__all__ = ["Draft", "Segment", "Track"]


class Draft(DraftView):
    """A timeline draft. Unknown keys at every level are kept untouched.

    Build one with ``Draft(raw_dict)`` or :meth:`Draft.from_json`; both validate the
    outer structure and raise :class:`~nemo_jupyter.DraftError` for anything else.
    A Draft is not changed in place: methods return new drafts.
    """

    __slots__ = ()

    def __init__(self, raw: Mapping[str, Any] | None = None) -> None:
        if raw is None:
            raw = empty_json()
        if not isinstance(raw, Mapping):
            raise DraftError(
                f"A draft must be a JSON object with a 't' list of tracks, not {type(raw).__name__}.",
                hint="Pass the 'draft' object of the session state, e.g. {'t': [{'tt': 0, 'sg': [...]}], 'd': 30000}.",
            )
        data = _copy_json(dict(raw), "draft")
        validate(data)
        super().__init__(cast(DraftJSON, data))

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
        return copy.deepcopy(cast("dict[str, Any]", self._raw))

    def copy(self) -> Draft:
        return Draft(self.to_json())

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Draft):
            return NotImplemented
        return _same(self._raw, other._raw)

    __hash__ = None  # type: ignore[assignment]

    # ----------------------------------------------------------------- DataFrame round trip

    def to_dataframe(self) -> pd.DataFrame:
        """One row per segment (columns :data:`COLUMNS`); ``df.attrs`` keeps the rest of the draft.

        Times are float seconds. ``extra`` holds every other segment key verbatim.
        Edit the frame and read it back with :meth:`Draft.from_dataframe`.
        """
        return to_dataframe(self, self.to_json())

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
        if base is not None and not isinstance(base, Draft):
            raise DraftError(f"base must be a Draft, not {type(base).__name__}.")
        return cls(FrameReader(df, base.to_json() if base is not None else None).draft())

    def to_styled(self) -> Styler:
        """The DataFrame as a pandas Styler, one colour per track type, backend text HTML-escaped."""
        return to_styled(self.to_dataframe(), self._caption())

    # ----------------------------------------------------------------- words

    def summary(self) -> str:
        """The skills' form: ``Timeline (3 tracks): 1. Video: city timelapse (0-10s) 2. BGM: ...``."""
        if self.is_empty:
            return "Timeline is empty"
        parts = []
        names, types = self.track_names(), self.track_types()
        by_track: dict[int, list[SegmentView]] = {i: [] for i in range(len(names))}
        for s in self._segments():
            by_track[s.track].append(s)
        for ti, name in enumerate(names):
            segs = by_track[ti]
            if not segs:
                parts.append(f"{ti + 1}. {name}: (empty)")
                continue
            labels = [s.label or s.noun for s in segs]
            if types[ti] == "text" or all(s.kind in (*fmt.TEXT_KINDS, "voice") for s in segs):
                label = ", ".join(f'"{lab}"' for lab in labels)
            else:
                label = ", ".join(labels)
            starts = [s.timing.start for s in segs if s.timing.start is not None]
            ends = [s.timing.end for s in segs if s.timing.end is not None]
            span = f"{fmt_seconds(min(starts) if starts else None)}-{fmt_seconds(max(ends) if ends else None)}s"
            details = [span]
            if types[ti] == "audio":
                vols = [v for v in (s.volume_fraction for s in segs) if v is not None]
                if vols:
                    lo, hi = min(vols), max(vols)
                    details.append(_pct(lo) if lo == hi else f"{fmt_seconds(lo * 100)}-{_pct(hi)}")
            parts.append(f"{ti + 1}. {name}: {label} ({', '.join(details)})")
        n = len(names)
        return redact(f"Timeline ({n} track{'s' if n != 1 else ''}): " + " ".join(parts))

    def diff(self, other: Draft) -> list[str]:
        """What changed from this draft to ``other``, one sentence per change (empty when equal)."""
        if not isinstance(other, Draft):
            raise DraftError(f"diff() needs another Draft, not {type(other).__name__}.")
        return [redact(line) for line in diff_words(self, other)]

    # ----------------------------------------------------------------- sources

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

        def mapped(src: str) -> str | None:
            if not src.startswith(SANDBOX_PREFIX):
                return None
            url: Any = mapping.get(src)
            if not isinstance(url, str):
                url = by_name.get(posixpath.basename(src.rstrip("/")))
            return url if isinstance(url, str) else None

        return Draft(cast("dict[str, Any]", self._mapped_sources(mapped)))

    # ----------------------------------------------------------------- display

    def __repr__(self) -> str:
        n = len(self._tracks_raw())
        size = f", {self.width}x{self.height}" if self.width and self.height else ""
        return f"<Draft {n} track{'s' if n != 1 else ''}, {self.duration:.1f} s{size}>"

    def _repr_html_(self) -> str:
        return draft_html(self)


def _reject_constant(name: str) -> Any:
    raise DraftError(f"The draft JSON holds {name}, which is not a JSON number.")
