"""SSE ``data:`` payloads → typed events.

Two documented shapes are accepted (PROTOCOL.md, "Chat"):

* typed: ``{"type": "text"|"tool_call"|"tool_result"|"heartbeat", ...}``;
* ADK: ``{"content": {"role", "parts": [...]}, "partial": bool, "actions": {"stateDelta"}, ...}``
  with camelCase or snake_case keys.

:class:`EventAssembler` keeps the state of one turn: the reply text so far,
where ADK partial chunks are *replaced* by the following non-partial event that
repeats the whole text. Errors in the stream (``{"error": ...}``,
``errorCode``/``errorMessage``) raise :class:`StreamError`; anything that is not
a JSON object raises :class:`EventParseError`. Nothing else escapes.
"""

from __future__ import annotations

import json
from typing import Any

from .exceptions import EventParseError, StreamError
from .models import Event, Heartbeat, TextEvent, ToolCall, ToolResult
from .secrets import redact

__all__ = ["EventAssembler", "parse_payload"]

_ADK_KEYS = ("content", "actions", "partial", "invocationId", "invocation_id", "author")
_HEARTBEAT_TYPES = {"heartbeat", "ping", "keepalive", "keep_alive", "keep-alive"}


def _get(d: dict[str, Any], *names: str) -> Any:
    for name in names:
        if name in d:
            return d[name]
    return None


def _as_dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False) if isinstance(value, (dict, list)) else str(value)


def _id(value: Any) -> str | None:
    return None if value is None else str(value)


def parse_payload(data: str | bytes) -> dict[str, Any] | None:
    """The JSON object of one ``data:`` payload; None for an empty keep-alive."""
    if isinstance(data, (bytes, bytearray)):
        try:
            data = bytes(data).decode("utf-8")
        except UnicodeDecodeError:
            raise EventParseError("The backend sent an event that is not UTF-8 text.") from None
    if not data.strip():
        return None
    try:
        obj = json.loads(data)
    except (ValueError, RecursionError):
        raise EventParseError(f"The backend sent an event that is not JSON: {redact(data[:120])!r}") from None
    if not isinstance(obj, dict):
        raise EventParseError(f"The backend sent an event that is not a JSON object: {redact(data[:120])!r}")
    return obj


def _check_error(obj: dict[str, Any]) -> None:
    err = obj.get("error")
    code = _get(obj, "errorCode", "error_code")
    message = _get(obj, "errorMessage", "error_message")
    if err in (None, "", False) and code in (None, "") and message in (None, ""):
        return
    if isinstance(err, dict):
        message = message or err.get("message") or err.get("detail")
        code = code if code not in (None, "") else err.get("code")
        text = _text(message or err)
    else:
        text = _text(message) if message not in (None, "") else _text(err)
    label = f" ({code})" if code not in (None, "") else ""
    int_code = code if isinstance(code, int) and not isinstance(code, bool) else None
    raise StreamError(f"The backend reported an error during the turn{label}: {text or 'no details'}",
                      code=int_code, error_code=_text(code) or None)


class EventAssembler:
    """Turns the payloads of one turn into typed events, tracking the reply text."""

    def __init__(self) -> None:
        self._blocks: list[str] = []   # finished text blocks
        self._pending: str = ""        # ADK partial chunks not yet confirmed by a final event
        self._seen_ids: set[str] = set()
        self.state_delta: dict[str, Any] = {}
        self._masked: tuple[str, str] | None = None   # (raw text, masked text) of the last read

    # -- text --------------------------------------------------------------------------------
    @property
    def text(self) -> str:
        """The reply text so far, with token-like text masked (see :func:`redact`)."""
        raw = self._raw_text
        if self._masked is None or (self._masked[0] is not raw and self._masked[0] != raw):
            self._masked = (raw, redact(raw))
        return self._masked[1]

    @property
    def size(self) -> int:
        """The length of the reply text so far (cheap: nothing joined)."""
        return sum(len(b) for b in self._blocks) + len(self._pending)

    @property
    def _raw_text(self) -> str:
        return _join([*self._blocks, self._pending] if self._pending else self._blocks)

    def _event(self, delta: str, partial: bool) -> TextEvent:
        # masked here, at the source, before any display code escapes the text
        return TextEvent(text=self.text, delta=redact(delta) if delta else delta, partial=partial)

    def _partial(self, chunk: str) -> TextEvent:
        self._pending += chunk
        return self._event(chunk, True)

    def _final(self, full: str) -> TextEvent:
        pending, self._pending = self._pending, ""
        before = _join(self._blocks)
        self._blocks.append(full)
        if pending:
            delta = full[len(pending):] if full.startswith(pending) else ""
        else:
            delta = self._raw_text[len(before):]
        return self._event(delta, False)

    def _append(self, chunk: str) -> TextEvent:
        """Typed-shape text: chunks are appended to the current block."""
        if self._pending:
            self._pending += chunk
        elif self._blocks:
            self._blocks[-1] += chunk
        else:
            self._blocks.append(chunk)
        return self._event(chunk, False)

    # -- payloads ----------------------------------------------------------------------------
    def feed(self, data: str | bytes) -> list[Event]:
        """Events from one ``data:`` payload (raises EventParseError / StreamError)."""
        obj = parse_payload(data)
        if obj is None:
            return [Heartbeat()]
        return self.feed_object(obj)

    def feed_object(self, obj: dict[str, Any]) -> list[Event]:
        _check_error(obj)
        kind = obj.get("type")
        if isinstance(kind, str) and not isinstance(obj.get("content"), dict):
            return self._typed(kind.lower(), obj)
        if any(key in obj for key in _ADK_KEYS):
            return self._adk(obj)
        if not obj:
            return [Heartbeat()]
        raise EventParseError(f"The backend sent an event of an unknown shape (keys: {', '.join(sorted(map(str, obj))[:8])}).")

    def _typed(self, kind: str, obj: dict[str, Any]) -> list[Event]:
        if kind in _HEARTBEAT_TYPES:
            return [Heartbeat()]
        if kind == "text":
            return [self._append(_text(_get(obj, "content", "text", "delta")))]
        if kind in ("tool_call", "toolcall", "function_call"):
            args = _get(obj, "args", "arguments", "input")
            return [ToolCall(name=_text(obj.get("name")), args=args if isinstance(args, dict) else {}, id=_id(obj.get("id")))]
        if kind in ("tool_result", "toolresult", "function_response"):
            delta = _as_dict(_get(obj, "state_delta", "stateDelta"))
            self.state_delta.update(delta)
            return [ToolResult(name=_text(obj.get("name")), result=_get(obj, "result", "response", "output"),
                               id=_id(obj.get("id")), state_delta=delta)]
        if kind == "error":
            raise StreamError(f"The backend reported an error during the turn: {_text(_get(obj, 'content', 'message')) or 'no details'}")
        return []  # unknown typed events (e.g. "done", "status") carry nothing for the user

    def _adk(self, obj: dict[str, Any]) -> list[Event]:
        actions = _as_dict(obj.get("actions"))
        delta = _as_dict(_get(actions, "stateDelta", "state_delta"))
        self.state_delta.update(delta)
        event_id = obj.get("id")
        if isinstance(event_id, str) and event_id:
            if event_id in self._seen_ids:   # an event re-sent (content, then actions only)
                return []
            self._seen_ids.add(event_id)
        content = _as_dict(obj.get("content"))
        parts = content.get("parts")
        if not isinstance(parts, list):
            return []
        partial = obj.get("partial") is True
        out: list[Event] = []
        text_parts: list[str] = []
        results: list[ToolResult] = []
        for part in parts:
            if not isinstance(part, dict):
                continue
            if part.get("thought") is True:
                continue  # model reasoning, not reply text
            call = _get(part, "functionCall", "function_call")
            response = _get(part, "functionResponse", "function_response")
            if isinstance(call, dict):
                args = call.get("args")
                out.append(ToolCall(name=_text(call.get("name")), args=args if isinstance(args, dict) else {},
                                    id=_id(call.get("id"))))
            elif isinstance(response, dict):
                results.append(ToolResult(name=_text(response.get("name")), result=response.get("response"),
                                          id=_id(response.get("id")), state_delta={}))
            elif isinstance(part.get("text"), str):
                text_parts.append(part["text"])
        if results and delta:   # the state change belongs to the (first) tool result of the event
            first = results[0]
            results[0] = ToolResult(name=first.name, result=first.result, id=first.id, state_delta=delta)
        role = content.get("role")
        if text_parts and role != "user":
            joined = "".join(text_parts)
            out.insert(0, self._partial(joined) if partial else self._final(joined))
        out.extend(results)
        return out


def _join(blocks: list[str]) -> str:
    out = ""
    for block in blocks:
        if not block:
            continue
        if out and not out[-1].isspace() and not block[0].isspace():
            out += "\n\n"
        out += block
    return out
