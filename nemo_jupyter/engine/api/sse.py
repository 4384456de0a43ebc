"""Server-sent events in the ADK shape: one ``data:`` frame per event, and replies cut in chunks."""

from __future__ import annotations

import json
import re
import time
import uuid
from typing import Any


def _event(invocation: str, parts: list[dict[str, Any]], *, role: str = "model", partial: bool = False,
           state_delta: dict[str, Any] | None = None) -> bytes:
    ev: dict[str, Any] = {"content": {"parts": parts, "role": role}}
    if partial:
        ev["partial"] = True
    ev.update({
        "invocationId": invocation, "author": "nemo_agent",
        "actions": {"stateDelta": state_delta or {}, "artifactDelta": {}, "requestedAuthConfigs": {},
                    "requestedToolConfirmations": {}},
        "id": str(uuid.uuid4()), "timestamp": time.time(),
    })
    return b"data: " + json.dumps(ev, ensure_ascii=False, separators=(",", ":")).encode("utf-8") + b"\n\n"


def _error_event(code: str, message: str) -> bytes:
    body = {"error": message, "errorCode": code, "errorMessage": message, "author": "nemo_agent",
            "id": str(uuid.uuid4()), "timestamp": time.time()}
    return b"data: " + json.dumps(body, ensure_ascii=False).encode("utf-8") + b"\n\n"


def _chunks(text: str, n: int = 4) -> list[str]:
    """Split a reply into about ``n`` streaming chunks, at spaces where there are some."""
    if len(text) < 12:
        return [text]
    size = max(4, -(-len(text) // n))
    tokens = re.findall(r"\S+\s*|\s+", text)
    out: list[str] = []
    cur = ""
    for tok in tokens:
        while len(tok) > size:  # long runs without spaces (CJK): cut
            room = size - len(cur)
            cur += tok[:room]
            tok = tok[room:]
            out.append(cur)
            cur = ""
        cur += tok
        if len(cur) >= size:
            out.append(cur)
            cur = ""
    if cur:
        out.append(cur)
    return out
