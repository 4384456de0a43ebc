"""Limits enforced at the boundary on JSON bodies, and on the drafts the engine keeps.

Every request body is read with a size cap and parsed strictly: no ``NaN`` / ``Infinity``
(not JSON, and they break every computation later), no nesting deeper than
:data:`MAX_JSON_DEPTH`, no lone surrogates (``"\\ud800"`` cannot be stored or encoded). A
draft inside a body is then checked by the one draft validator,
:func:`nemo_jupyter.engine.render.timeline.validate.shape_problems` (types, sizes and shape).

A draft the engine stores (``PUT .../draft``, a render job) is at most :data:`MAX_DRAFT_BYTES`
as JSON, and a stored draft keeps only the keys the protocol gives a draft and a track
(:data:`DRAFT_KEYS`, :data:`TRACK_KEYS`); other keys there are dropped and the answer names
them (:func:`stored_draft`). Segment keys are the format's to extend (``draft_format.py``): an
unknown one is kept, within the size limit.
"""

from __future__ import annotations

import json
import math
import re
from typing import Any

from starlette.requests import Request

from .common import ApiError

__all__ = ["DRAFT_KEYS", "MAX_DRAFT_BYTES", "MAX_JSON_BYTES", "MAX_JSON_DEPTH", "TRACK_KEYS", "check_draft_size",
           "check_value", "draft_bytes", "parse_json", "read_json", "stored_draft"]

MAX_JSON_BYTES = 4 * 1024 * 1024   # a draft of the most segments allowed is well under 1 MB
MAX_JSON_DEPTH = 32
MAX_DRAFT_BYTES = 1024 * 1024      # one stored draft, as compact JSON
DRAFT_KEYS = ("t", "d", "m")       # what the protocol gives a draft ...
TRACK_KEYS = ("tt", "sg", "n")     # ... and a track

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


def draft_bytes(draft: Any) -> int:
    """The size of ``draft`` as compact UTF-8 JSON (how the store keeps it)."""
    return len(json.dumps(draft, ensure_ascii=False, separators=(",", ":")).encode("utf-8"))


def stored_draft(draft: Any) -> tuple[Any, list[str]]:
    """``draft`` as the engine keeps it, and the keys it dropped (draft and track keys the protocol
    does not know); a draft over :data:`MAX_DRAFT_BYTES` is refused (413, code 4002)."""
    if not isinstance(draft, dict):
        return draft, []
    dropped = sorted(k for k in draft if k not in DRAFT_KEYS)
    kept: dict[str, Any] = {k: v for k, v in draft.items() if k in DRAFT_KEYS}
    tracks = kept.get("t")
    if isinstance(tracks, list):
        clean = []
        for i, track in enumerate(tracks):
            if isinstance(track, dict):
                dropped += [f"t[{i}].{k}" for k in track if k not in TRACK_KEYS]
                track = {k: v for k, v in track.items() if k in TRACK_KEYS}
            clean.append(track)
        kept["t"] = clean
    check_draft_size(kept)
    return kept, [k[:80] for k in dropped[:50]]


def check_draft_size(draft: Any) -> int:
    """The draft's size as JSON; over :data:`MAX_DRAFT_BYTES` a 413 (code 4002) that says the limit."""
    size = draft_bytes(draft)
    if size > MAX_DRAFT_BYTES:
        raise ApiError(413, 4002, f"The draft is {size / (1024 * 1024):.1f} MB as JSON; a stored draft is at most "
                                  f"{MAX_DRAFT_BYTES // (1024 * 1024)} MB: keep fewer or shorter segments.",
                       {"limit": MAX_DRAFT_BYTES, "size": size})
    return size
