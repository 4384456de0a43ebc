"""The diff in words: what changed from one draft to another, one sentence per change."""

from __future__ import annotations

import math
from typing import Any

from .model import Draft, _Seg
from .values import (
    _DURATION_KEYS,
    _END_KEYS,
    _KEY_WORDS,
    _MS_KEYS,
    _START_KEYS,
    _hashable,
    _num,
    _pct,
    _same,
    _same_time,
    _short,
    _volume_fraction,
    fmt_seconds,
)

__all__ = ["diff_words"]


def _value_words(key: str, value: Any) -> str:
    if value is None:
        return "none"
    if key in _MS_KEYS and _num(value) is not None:
        return f"{fmt_seconds(_num(value) / 1000.0)} s"  # type: ignore[operator]
    if isinstance(value, list) and all(isinstance(v, (str, int, float)) for v in value):
        return ", ".join(str(v) for v in value) or "none"
    return _short(value, 40)


def diff_words(a: Draft, b: Draft) -> list[str]:
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
