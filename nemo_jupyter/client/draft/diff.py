"""The diff in words: what changed from one draft to another, one sentence per change."""

from __future__ import annotations

import math
from typing import Any

from .reader import KEY_WORDS, MS_KEYS, NAMED_KEYS, TIME_KEYS, DraftView, SegmentView
from .values import _hashable, _num, _pct, _same, _same_time, _short, fmt_seconds

__all__ = ["diff_words"]


_ITEM_NAME_KEYS = ("lbl", "s", "n", "txt", "name", "id")


def _item_words(item: Any) -> str:
    """One element of a list value in words: a scalar as it is, an object by its name (an actor's
    subject, a label), never as JSON."""
    if isinstance(item, (str, int, float)) and not isinstance(item, bool):
        return str(item)
    if isinstance(item, dict):
        for key in _ITEM_NAME_KEYS:
            value = item.get(key)
            if isinstance(value, (str, int, float)) and not isinstance(value, bool) and str(value):
                return str(value).replace("_", " ")
    return "one more"


def _value_words(key: str, value: Any) -> str:
    """A value in words, never as JSON: seconds, lists as names, objects as their plain values."""
    if value is None:
        return "none"
    if key in MS_KEYS and _num(value) is not None:
        return f"{fmt_seconds(_num(value) / 1000.0)} s"  # type: ignore[operator]
    if isinstance(value, list):
        return _short(", ".join(_item_words(v) for v in value), 60) or "none"
    if isinstance(value, dict):
        words = [_item_words(v) for v in value.values() if isinstance(v, (str, int, float, dict))]
        return _short(", ".join(w for w in words if w != "one more"), 60) or "changed"
    if isinstance(value, bool):
        return "yes" if value else "no"
    return _short(value, 40)


def diff_words(a: DraftView, b: DraftView) -> list[str]:
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
    names_a, names_b = a.track_names(), b.track_names()
    filled_a, filled_b = a.track_filled(), b.track_filled()
    # Tracks that came or went; a track with segments is told by its segments' lines.
    def track_key(pair: tuple[Any, Any]) -> Any:
        return (_hashable(pair[0]), _hashable(pair[1]))

    spare_b: dict[Any, list[int]] = {}
    for i, pair in enumerate(b.track_keys()):
        spare_b.setdefault(track_key(pair), []).append(i)
    for i, pair in enumerate(a.track_keys()):
        bucket = spare_b.get(track_key(pair))
        if bucket:
            bucket.pop(0)
        elif not filled_a[i]:
            out.append(f"Removed track {i + 1} '{names_a[i]}'")
    for i in sorted(j for bucket in spare_b.values() for j in bucket):
        if not filled_b[i]:
            out.append(f"Added track {i + 1} '{names_b[i]}'")

    segs_a, segs_b = list(a._segments()), list(b._segments())
    pairs: list[tuple[SegmentView, SegmentView]] = []
    left_a, left_b = list(range(len(segs_a))), list(range(len(segs_b)))
    ids_a: dict[Any, list[int]] = {}
    ids_b: dict[Any, list[int]] = {}
    for i, s in enumerate(segs_a):
        if s.segment_id is not None:
            ids_a.setdefault(_hashable(s.segment_id), []).append(i)
    for i, s in enumerate(segs_b):
        if s.segment_id is not None:
            ids_b.setdefault(_hashable(s.segment_id), []).append(i)
    for key, idx_a in ids_a.items():
        idx_b = ids_b.get(key, [])
        if len(idx_a) == 1 and len(idx_b) == 1:
            pairs.append((segs_a[idx_a[0]], segs_b[idx_b[0]]))
            left_a.remove(idx_a[0])
            left_b.remove(idx_b[0])

    def group_key(s: SegmentView) -> Any:
        return (s.track, _hashable(s.name_value), _hashable(s.kind))

    def type_key(s: SegmentView) -> Any:
        return (_hashable(s.tt), _hashable(s.name_value), _hashable(s.kind))

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


def _segment_changes(x: SegmentView, y: SegmentView, names_b: list[str]) -> list[str]:
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
    if not _same(x.volume, y.volume):
        words = [_pct(v) if v is not None else "default" for v in (x.volume_fraction, y.volume_fraction)]
        out.append(f"Changed volume of {name} {words[0]} → {words[1]}")
    if not _same(x.text, y.text):
        out.append(f"Changed {x.noun} text '{_short(x.text or '')}' → '{_short(y.text or '')}'")
    if not _same(x.name_value, y.name_value):
        out.append(f"Renamed {name} → '{_short(y.name_value or '')}'")
    if not _same(x.source, y.source):
        out.append(f"Changed source of {name} {_value_words('src', x.source)} → {_value_words('src', y.source)}")
    skip = NAMED_KEYS | TIME_KEYS
    keys = [k for k in x.key_names() if k not in skip] + [k for k in y.key_names() if k not in skip and not x.has(k)]
    for key in keys:
        old, new = x.get(key), y.get(key)
        if not _same(old, new):
            word = KEY_WORDS.get(key, key)
            out.append(f"Changed {word} of {name} {_value_words(key, old)} → {_value_words(key, new)}")
    return out
