"""Limits enforced at the boundary: JSON bodies and render drafts.

Every request body is read with a size cap and parsed strictly: no ``NaN`` / ``Infinity``
(not JSON, and they break every computation later), no nesting deeper than
:data:`MAX_JSON_DEPTH`, no lone surrogates (``"\\ud800"`` cannot be stored or encoded). A
draft sent to render is checked key by key against the types of :mod:`draft_format` and
against the size limits below, so a bad draft is a 422 whose message names the limit and
what to do, never an "internal error" minutes later in the renderer.
"""

from __future__ import annotations

import json
import math
import re
from typing import Any

from starlette.requests import Request

from .common import ApiError

__all__ = [
    "MAX_DURATION_MS",
    "MAX_JSON_BYTES",
    "MAX_JSON_DEPTH",
    "MAX_SEGMENTS",
    "MAX_TEXT_CHARS",
    "MAX_TOTAL_TEXT_CHARS",
    "MAX_TRACKS",
    "check_draft",
    "read_json",
]

MAX_JSON_BYTES = 4 * 1024 * 1024   # a draft of MAX_SEGMENTS segments is well under 1 MB
MAX_JSON_DEPTH = 32
MAX_TRACKS = 50
MAX_SEGMENTS = 2000                 # all tracks together (the planner makes at most 600 a track)
MAX_TEXT_CHARS = 1000               # one title or caption
MAX_TOTAL_TEXT_CHARS = 100_000      # every text segment together
MAX_DURATION_MS = 3_600_000         # one hour
MAX_CANVAS_SIDE = 4096
MAX_CANVAS_PIXELS = 3840 * 2160     # 4K

_SURROGATE = re.compile("[\ud800-\udfff]")


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON number")


async def read_json(request: Request, *, limit: int = MAX_JSON_BYTES) -> Any:
    """The request's JSON body, read with a size cap and parsed strictly (see the module doc)."""
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise ApiError(413, 4002, f"The request body is larger than the {limit // (1024 * 1024)} MB limit "
                                      "for JSON: send a smaller draft (fewer segments, shorter texts).",
                           {"limit": limit})
        chunks.append(chunk)
    return parse_json(b"".join(chunks))


def parse_json(raw: bytes) -> Any:
    try:
        value = json.loads(raw, parse_constant=_reject_constant)
    except RecursionError:
        raise ApiError(422, 4000, f"The JSON body is nested too deeply (the limit is {MAX_JSON_DEPTH} levels).") \
            from None
    except UnicodeDecodeError:
        raise ApiError(422, 4000, "The request body must be JSON in UTF-8.") from None
    except ValueError as exc:
        what = str(exc)
        if "is not a JSON number" in what:
            raise ApiError(422, 4000, f"The request body must be JSON: {what.split(':')[0]} "
                                      "(NaN and Infinity are not allowed; send a finite number).") from None
        raise ApiError(422, 4000, "The request body must be JSON.") from None
    check_value(value)
    return value


def check_value(value: Any, where: str = "the body") -> None:
    """Depth, finite numbers and well-formed strings anywhere in a parsed JSON value."""
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if depth > MAX_JSON_DEPTH:
            raise ApiError(422, 4000, f"{where} is nested too deeply (the limit is {MAX_JSON_DEPTH} levels).")
        if isinstance(item, str):
            if _SURROGATE.search(item):
                raise ApiError(422, 4000, f"{where} contains a lone surrogate (an invalid \\ud800-\\udfff escape): "
                                          "send well-formed Unicode text.")
        elif isinstance(item, float):
            if not math.isfinite(item):
                raise ApiError(422, 4000, f"{where} contains a number too large to be finite: send finite numbers.")
        elif isinstance(item, dict):
            for k, v in item.items():
                stack.append((k, depth + 1))
                stack.append((v, depth + 1))
        elif isinstance(item, list):
            stack.extend((v, depth + 1) for v in item)


# --------------------------------------------------------------------------- drafts
def _num(v: Any) -> bool:
    return isinstance(v, int | float) and not isinstance(v, bool) and math.isfinite(v)


# key -> (check, what it must be)
_SEGMENT_KEYS: dict[str, tuple[Any, str]] = {
    "id": (lambda v: isinstance(v, str | int) and not isinstance(v, bool), "a string"),
    "n": (lambda v: isinstance(v, str) and len(v) <= 200, "a string of at most 200 characters"),
    "k": (lambda v: isinstance(v, str) and len(v) <= 40, "a kind name such as 'scene' or 'caption'"),
    "src": (lambda v: isinstance(v, str) and len(v) <= 2000, "an upload URL or sandbox path (a string)"),
    "ss": (lambda v: _num(v) and 0 <= v <= MAX_DURATION_MS, "a number of ms >= 0"),
    "scene": (lambda v: isinstance(v, str) and len(v) <= 40, "a scene family name"),
    "el": (lambda v: isinstance(v, list) and len(v) <= 20 and all(isinstance(x, str) for x in v),
           "a list of at most 20 element names"),
    "act": (lambda v: isinstance(v, list) and len(v) <= 20 and all(isinstance(x, dict) for x in v),
            "a list of at most 20 actor objects"),
    "cam": (lambda v: isinstance(v, str) and len(v) <= 40, "a camera motion name"),
    "tr": (lambda v: isinstance(v, str) and len(v) <= 40, "'fade' or 'cut'"),
    "trd": (lambda v: _num(v) and 0 <= v <= 60_000, "a number of ms between 0 and 60000"),
    "v": (lambda v: _num(v) and 0 <= v <= 1, "a volume between 0.0 and 1.0"),
    "fi": (lambda v: _num(v) and 0 <= v <= MAX_DURATION_MS, "a number of ms >= 0"),
    "fo": (lambda v: _num(v) and 0 <= v <= MAX_DURATION_MS, "a number of ms >= 0"),
    "mood": (lambda v: isinstance(v, str) and len(v) <= 40, "a mood name"),
    "snd": (lambda v: isinstance(v, str) and len(v) <= 40, "an ambient sound name"),
    "txt": (lambda v: isinstance(v, str), "a string"),
    "voice": (lambda v: isinstance(v, str) and len(v) <= 80, "a voice name"),
    "rate": (lambda v: _num(v) and 0.25 <= v <= 4, "a speaking rate between 0.25 and 4"),
    "pos": (lambda v: isinstance(v, str) and len(v) <= 40, "'top', 'center' or 'bottom'"),
    "sz": (lambda v: _num(v) and 1 <= v <= 1000, "a text size in px between 1 and 1000"),
    "col": (lambda v: isinstance(v, str) and len(v) <= 32, "a colour such as '#ffffff'"),
}
_ACTOR_NUMBERS = ("x", "y", "h", "z")


def _check_segment(sg: dict[str, Any], where: str) -> str | None:
    st: Any = sg.get("st", 0)
    d: Any = sg.get("d")
    if not _num(st) or st < 0:
        return f"{where}: start 'st' must be a number of ms >= 0."
    if not _num(d) or d <= 0:
        return f"{where}: duration 'd' must be a number of ms > 0."
    if st + d > MAX_DURATION_MS:
        return (f"{where} ends at {(st + d) / 1000:.0f} s; a video can be at most {MAX_DURATION_MS // 60_000} "
                "minutes long. Shorten it or split it into several videos.")
    for key, (check, what) in _SEGMENT_KEYS.items():
        if key in sg and sg[key] is not None and not check(sg[key]):
            return f"{where}: '{key}' must be {what}, not {json.dumps(sg[key])[:60]}."
    txt = sg.get("txt")
    if isinstance(txt, str) and len(txt) > MAX_TEXT_CHARS:
        return (f"{where}: the text has {len(txt)} characters; the limit is {MAX_TEXT_CHARS} per text segment. "
                "Shorten it or split it into several segments.")
    for i, actor in enumerate(sg.get("act") or []):
        if not isinstance(actor.get("s", ""), str):
            return f"{where}, actor {i}: 's' must be a subject name (a string)."
        for key in _ACTOR_NUMBERS:
            if key in actor and actor[key] is not None and not (_num(actor[key]) and -1 <= actor[key] <= 2):
                return f"{where}, actor {i}: '{key}' must be a number (0-1 is the frame; -1 to 2 is allowed)."
    return None


def _check_meta(m: Any) -> str | None:
    if m is None:
        return None
    if not isinstance(m, dict):
        return "The draft's metadata 'm' must be an object like {\"width\": 1920, \"height\": 1080}."
    w, h = m.get("width"), m.get("height")
    for key, v in (("width", w), ("height", h)):
        if v is not None and not (isinstance(v, int) and not isinstance(v, bool) and 16 <= v <= MAX_CANVAS_SIDE):
            return f"The draft's 'm.{key}' must be a whole number of pixels between 16 and {MAX_CANVAS_SIDE}."
    if isinstance(w, int) and isinstance(h, int) and w * h > MAX_CANVAS_PIXELS:
        return (f"The draft's canvas is {w}x{h} = {w * h / 1e6:.1f} Mpx; the limit is "
                f"{MAX_CANVAS_PIXELS / 1e6:.1f} Mpx (4K). Use 1920x1080 or smaller.")
    fps = m.get("fps")
    if fps is not None and not (_num(fps) and 1 <= fps <= 60):
        return "The draft's 'm.fps' must be a number between 1 and 60."
    title = m.get("title")
    if title is not None and not (isinstance(title, str) and len(title) <= 500):
        return "The draft's 'm.title' must be a string of at most 500 characters."
    return None


def check_draft(draft: Any) -> str | None:
    """Why ``draft`` cannot be rendered (types and limits), or None when it can."""
    if not isinstance(draft, dict):
        return "The draft must be a JSON object with tracks under 't'."
    tracks = draft.get("t")
    if not isinstance(tracks, list):
        return "The draft has no track list 't'."
    if len(tracks) > MAX_TRACKS:
        return f"The draft has {len(tracks)} tracks; the limit is {MAX_TRACKS}. Merge or remove tracks."
    why = _check_meta(draft.get("m"))
    if why:
        return why
    total = draft.get("d")
    if total is not None and (not _num(total) or total <= 0 or total > MAX_DURATION_MS):
        return f"The draft duration 'd' must be between 1 ms and {MAX_DURATION_MS // 60_000} minutes."
    segments = text_chars = 0
    for i, tr in enumerate(tracks):
        if not isinstance(tr, dict):
            return f"Track {i} is not an object."
        tt = tr.get("tt")
        if tt is not None and not (isinstance(tt, int) and not isinstance(tt, bool)):
            return f"Track {i}: the track type 'tt' must be a whole number (0 video, 1 audio, 7 text)."
        segs = tr.get("sg", [])
        if not isinstance(segs, list):
            return f"Track {i}: 'sg' must be a list of segments."
        segments += len(segs)
        if segments > MAX_SEGMENTS:
            return (f"The draft has more than {MAX_SEGMENTS} segments (the limit for one video): "
                    "merge segments or split the video into several.")
        for j, sg in enumerate(segs):
            if not isinstance(sg, dict):
                return f"Track {i}, segment {j} is not an object."
            why = _check_segment(sg, f"Track {i}, segment {j}")
            if why:
                return why
            if isinstance(sg.get("txt"), str):
                text_chars += len(sg["txt"])
    if text_chars > MAX_TOTAL_TEXT_CHARS:
        return (f"The draft's texts have {text_chars} characters together; the limit is {MAX_TOTAL_TEXT_CHARS}. "
                "Shorten the captions or split the video into several.")
    return None
