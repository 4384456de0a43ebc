"""Uploaded images and clips laid on the video track, each in the role the prompt gave it.

A logo is not a slide: it is an ``overlay`` over the whole video, small, in its corner
(:func:`logo_overlays`). A screenshot is shown inside a phone (a portrait screenshot) or a laptop
(a landscape one), a product photo as a hero shot (``frame``), other photos and clips as they are;
all in upload order. A product photo or a screenshot is not held longer than :data:`MAX_IMAGE_MS`:
when they are fewer than the video needs, they come back in order, framed the other way.
"""

from __future__ import annotations

from typing import Any

from nemo_jupyter.draft_format import OVERLAY_W, TRACK_VIDEO

from .brief import Brief
from .common import _float
from .draftops import _fade, _find_track, _Ids
from .vocabulary import _IMAGE_CAMS

#: the longest a picture shows before the next one (or itself again, framed otherwise)
MAX_IMAGE_MS = 5_000
#: roles that put an upload on the video track
PICTURE_ROLES = ("screenshot", "product", "photo", "background", "clip")


def _media_assets(assets: list[dict[str, Any]], kinds: tuple[str, ...]) -> list[dict[str, Any]]:
    return [a for a in assets if a.get("file_type") in kinds and isinstance(a.get("cdn_url"), str)
            and a.get("cdn_url")]


def roles_of(brief: Brief) -> dict[str, str]:
    """Each upload the prompt named, by file name, and its role."""
    return {u.file: u.role for u in brief.uploads if u.file}


def split_logos(media: list[dict[str, Any]], roles: dict[str, str]) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """``media`` as (pictures for the video track, logos for the corner), upload order kept."""
    logos = [a for a in media if roles.get(str(a.get("filename"))) == "logo" and a.get("file_type") == "image"]
    return [a for a in media if a not in logos], logos


def _frame(a: dict[str, Any], role: str | None, second: bool) -> str | None:
    if role == "screenshot":
        w, h = _float(a.get("width"), 0.0), _float(a.get("height"), 0.0)
        return "laptop" if w > h * 1.1 else "phone"
    if role == "product":
        return None if second else "hero"
    return None


def _plan_upload_segments(media: list[dict[str, Any]], total: int, ids: _Ids,
                          roles: dict[str, str] | None = None) -> tuple[list[dict[str, Any]], int]:
    """Image and video segments in upload order, filling ``total`` ms; also how many uploads were left out."""
    roles = roles or {}
    fit = max(1, min(len(media), total // 1_000))
    left_out = len(media) - fit
    media = media[:fit]
    sequence = list(range(len(media)))
    framed = any(roles.get(str(a.get("filename"))) in ("product", "screenshot") for a in media)
    if framed and all(a.get("file_type") == "image" for a in media) and total / len(media) > MAX_IMAGE_MS:
        shots = -(-total // MAX_IMAGE_MS)
        sequence = [i % len(media) for i in range(shots)]  # again, in order, framed the other way
    slot = total / len(sequence)
    wanted: list[float] = []
    for idx in sequence:
        a = media[idx]
        if a.get("file_type") == "video":
            dur = _float(a.get("duration"), 0.0) * 1000
            wanted.append(min(slot, dur) if dur >= 500 else slot)
        else:
            wanted.append(slot)
    surplus = total - sum(wanted)
    images = [i for i, idx in enumerate(sequence) if media[idx].get("file_type") == "image"]
    if surplus > 1 and images:
        for i in images:
            wanted[i] += surplus / len(images)
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
    shown: dict[int, int] = {}
    for pos, idx in enumerate(sequence):
        st, end = bounds[pos], bounds[pos + 1]
        if end <= st:
            continue
        a = media[idx]
        kind = "video" if a.get("file_type") == "video" else "image"
        seg: dict[str, Any] = {"id": ids.new(kind), "n": str(a.get("filename") or kind)[:60], "st": st,
                               "d": end - st, "k": kind, "src": a["cdn_url"]}
        again = shown.get(idx, 0)
        shown[idx] = again + 1
        if kind == "image":
            frame = _frame(a, roles.get(str(a.get("filename"))), again % 2 == 1)
            if frame:
                seg["frame"] = frame
                seg["cam"] = "zoom_out" if again % 2 else "zoom_in"
            else:
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


def logo_overlays(draft: dict[str, Any], brief: Brief, logos: list[dict[str, Any]], total: int,
                  ids: _Ids) -> list[dict[str, Any]]:
    """Each logo as an overlay over the whole video, on a "Logo" track: in the corner asked (else the
    bottom right), :data:`~nemo_jupyter.draft_format.OVERLAY_W` of the width unless a size was asked."""
    if not logos:
        return []
    uses = {u.file: u for u in brief.uploads if u.role == "logo"}
    track = _find_track(draft, TRACK_VIDEO, "Logo", kinds=("overlay",), create=True)
    assert track is not None
    out = []
    corners = ("bottom_right", "top_right", "top_left", "bottom_left")
    for i, a in enumerate(logos):
        use = uses.get(str(a.get("filename")))
        corner = (use.corner if use is not None else None) or corners[i % len(corners)]
        width = use.scale if use is not None and use.scale else OVERLAY_W
        seg = {"id": ids.new("overlay"), "n": str(a.get("filename") or "logo")[:60], "st": 0, "d": total,
               "k": "overlay", "src": a["cdn_url"], "corner": corner, "w": round(min(0.5, max(0.03, width)), 3)}
        track.setdefault("sg", []).append(seg)
        out.append(seg)
    return out
