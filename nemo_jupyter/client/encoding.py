"""What the client puts on the wire itself: JSON bodies and path segments; and the canonical JSON
text that content addresses are hashed from.

Both turn input that cannot be sent into a typed :class:`~.exceptions.InvalidInput` before a
byte leaves (a lone surrogate such as ``"\\ud83d"`` or a NaN used to surface as a bare
``UnicodeEncodeError`` / ``ValueError`` from deep inside httpx), and a session or job id is
always one URL path segment, whatever characters it holds.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import quote

from .exceptions import InvalidInput

__all__ = ["canonical_json", "encode_json", "segment"]


def encode_json(value: Any) -> bytes:
    """A request body as UTF-8 JSON; what JSON cannot carry is a typed error, nothing is sent."""
    try:
        return json.dumps(value, ensure_ascii=False, allow_nan=False, separators=(",", ":")).encode("utf-8")
    except UnicodeEncodeError:
        raise InvalidInput("The text contains a lone surrogate (half of an emoji, or a broken escape such as "
                           "\\ud800), which cannot be sent.",
                           hint="Remove or retype that character, then send again.") from None
    except ValueError as exc:   # NaN / Infinity, or a circular structure
        raise InvalidInput(f"The request cannot be sent as JSON: {exc}.",
                           hint="Use finite numbers (no NaN or Infinity) and plain lists and dicts.") from None
    except TypeError as exc:
        raise InvalidInput(f"The request cannot be sent as JSON: {exc}.",
                           hint="Pass plain strings, numbers, lists and dicts.") from None


def segment(value: object) -> str:
    """One URL path segment: an id with '/', '?', '#', '..' or spaces stays one segment."""
    text = str(value)
    if text in (".", ".."):
        return text.replace(".", "%2E")
    return quote(text.encode("utf-8", "backslashreplace"), safe="")


def canonical_json(value: Any) -> str:
    """A stable JSON text (sorted keys, no spaces, UTF-8 kept) for hashing and comparing: the same
    recipe as the engine's render keys (``engine/render_key.py``)."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)
