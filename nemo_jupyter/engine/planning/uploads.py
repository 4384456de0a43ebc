"""Uploaded images and clips laid on the video track."""

from __future__ import annotations

from typing import Any

from .common import _float
from .draftops import _fade, _Ids
from .vocabulary import _IMAGE_CAMS


def _media_assets(assets: list[dict[str, Any]], kinds: tuple[str, ...]) -> list[dict[str, Any]]:
    return [a for a in assets if a.get("file_type") in kinds and isinstance(a.get("cdn_url"), str)
            and a.get("cdn_url")]


def _plan_upload_segments(media: list[dict[str, Any]], total: int, ids: _Ids) -> tuple[list[dict[str, Any]], int]:
    """Image and video segments in upload order, filling ``total`` ms; also how many uploads were left out."""
    fit = max(1, min(len(media), total // 1_000))
    left_out = len(media) - fit
    media = media[:fit]
    slot = total / len(media)
    wanted: list[float] = []
    for a in media:
        if a.get("file_type") == "video":
            dur = _float(a.get("duration"), 0.0) * 1000
            wanted.append(min(slot, dur) if dur >= 500 else slot)
        else:
            wanted.append(slot)
    surplus = total - sum(wanted)
    images = [i for i, a in enumerate(media) if a.get("file_type") == "image"]
    if surplus > 1 and images:
        for i in images:
            wanted[i] += surplus / len(images)
    sequence = list(range(len(media)))
    if surplus > 1 and not images:
        # Only short videos: play them again in order until the time is filled.
        filled = sum(wanted)
        j = 0
        while filled < total - 1 and j < 500:
            idx = j % len(media)
            sequence.append(idx)
            wanted.append(wanted[idx])
            filled += wanted[idx]
            j += 1
    bounds = [0]
    acc = 0.0
    for w in wanted:
        acc += w
        bounds.append(min(total, round(acc)))
    bounds[-1] = total
    segs: list[dict[str, Any]] = []
    img_n = 0
    for pos, idx in enumerate(sequence):
        st, end = bounds[pos], bounds[pos + 1]
        if end <= st:
            continue
        a = media[idx]
        kind = "video" if a.get("file_type") == "video" else "image"
        seg: dict[str, Any] = {"id": ids.new(kind), "n": str(a.get("filename") or kind)[:60], "st": st,
                               "d": end - st, "k": kind, "src": a["cdn_url"]}
        if kind == "image":
            seg["cam"] = _IMAGE_CAMS[img_n % len(_IMAGE_CAMS)]
            img_n += 1
        else:
            seg["ss"] = 0
        if segs:
            seg["tr"] = "fade"
            seg["trd"] = _fade(end - st)
        segs.append(seg)
    # Make sure the last segment ends exactly at total.
    if segs:
        last = segs[-1]
        last["d"] = total - last["st"]
    return segs, left_out
