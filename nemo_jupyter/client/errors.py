"""The one mapping from a backend's answer to an exception of the tree in :mod:`.exceptions`.

:func:`error_for` reads an HTTP status and a JSON body (either envelope: ``{"code",
"message", "data"}`` or ``{"success": false, ...}``) and returns the exception to raise.
Plain requests, the chat stream and the render polls all use it, so "what does HTTP 402
mean" or "what does code 4001 mean" is answered in one place.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import httpx

from .exceptions import (
    APIError,
    AuthError,
    BadRequest,
    ClientIdMissing,
    DraftMoved,
    ExportBlocked,
    FileTooLarge,
    InsufficientCredits,
    NemoError,
    RateLimited,
    ServerError,
    SessionNotFound,
    StorageFull,
    UnsupportedFileType,
)
from .secrets import redact
from .uploads import accepted_list, accepted_text

__all__ = ["ErrorContext", "envelope_code", "error_for", "is_session_missing", "json_or_none", "message_of"]


@dataclass(frozen=True)
class ErrorContext:
    """What the mapping needs to say what to do: where to register or top up, the upload limit."""

    web_url: str
    anonymous_user: str | None = None   # the anonymous user's id: credits come with registering
    upload_limit: int | None = None
    rate_limit_wait: float = 30.0


def envelope_code(body: Any) -> int | None:
    """The ``code`` of a ``{"code", "message", "data"}`` answer (None when there is none)."""
    if not isinstance(body, dict):
        return None
    code = body.get("code")
    if isinstance(code, bool):
        return None
    if isinstance(code, int):
        return code
    if isinstance(code, str) and code.strip().lstrip("-").isdigit():
        return int(code)
    return None


def json_or_none(response: httpx.Response) -> Any:
    """The answer's JSON body, or None when it is not JSON."""
    try:
        return response.json()
    except (ValueError, UnicodeDecodeError):
        return None


def message_of(body: Any, status: int | None = None, reason: str = "") -> str:
    """The backend's own words in ``body`` (redacted), else ``HTTP <status> <reason>``."""
    if isinstance(body, dict):
        for key in ("message", "msg", "detail", "error", "errorMessage"):
            value = body.get(key)
            if isinstance(value, str) and value:
                return redact(value)
            if isinstance(value, dict) and isinstance(value.get("message"), str):
                return redact(value["message"])
    if status is not None:
        return f"HTTP {status} {reason}".strip()
    return ""


def _data(body: Any) -> dict[str, Any]:
    data = body.get("data") if isinstance(body, dict) else None
    return data if isinstance(data, dict) else {}


def is_session_missing(body: Any) -> bool:
    text = message_of(body).lower()
    return "session not found" in text or "session_not_found" in text


def error_for(status: int | None, body: Any, *, path: str, ctx: ErrorContext, reason: str = "",
              retry_after: float | None = None) -> NemoError:
    """The exception for an answer that is not a success.

    ``status`` is None for an envelope read from a 2xx answer. A protocol code in the body
    wins over the HTTP status; an envelope code that is not known is a :class:`ServerError`.
    """
    code = envelope_code(body)
    if code not in (None, 0):
        return _for_code(code, body, status=status, path=path, ctx=ctx)
    message = message_of(body, status, reason)
    if status is None:
        return ServerError(f"The backend answered {path} with a failure: {message_of(body) or 'no message'}.")
    if status == 400 and (path.endswith("/anonymous-token") or "client" in message.lower()):
        return ClientIdMissing(f"The backend refused the request: missing X-Client-Id ({message}).", status=400)
    if status in (401, 403):
        return AuthError(f"The backend refused the token ({message}).", status=status, code=1001)
    if status == 402:
        return ExportBlocked(f"Export is blocked on the free plan ({message}).", status=402)
    if status == 404 and is_session_missing(body):
        return SessionNotFound(f"The session is gone on the backend ({message}).", status=404, code=1002)
    if status == 429:
        return RateLimited(f"The backend is rate limiting requests ({message}).", status=429,
                           retry_after=retry_after if retry_after is not None else ctx.rate_limit_wait)
    if status == 413:
        return FileTooLarge(f"The backend says the upload is too large ({message}).", status=413,
                            limit=ctx.upload_limit)
    if status == 507:
        return StorageFull(f"The backend's disk is full ({message}).", status=507)
    if status >= 500:
        return ServerError(f"The backend failed with HTTP {status} ({message}).", status=status)
    if 400 <= status < 500:
        return BadRequest(f"The backend refused {path} (HTTP {status}): {message}", status=status)
    return APIError(f"The backend answered HTTP {status} to {path} ({message}).", status=status,
                    hint="Check the request (file, session, draft) and try again.")


def _for_code(code: int, body: Any, *, status: int | None, path: str, ctx: ErrorContext) -> NemoError:
    message = message_of(body)
    if code == 1001:
        return AuthError(f"The token was refused (code 1001: {message or 'bad or expired'}).", code=1001, status=status)
    if code == 1003:   # a classroom engine: tokens only with the class code
        return AuthError(f"The backend wants a class code before it hands out a token ({message}).",
                         code=1003, status=status,
                         hint="Set NEMO_CLASS_CODE to the code your teacher gave you (or Nemo(class_code=...)).")
    if code == 1002:
        return SessionNotFound(f"The session is gone on the backend (code 1002: {message or 'session not found'}).",
                               code=1002, status=status)
    if code == 2001:
        text = f"Out of credits (code 2001: {message or 'insufficient credits'})."
        if ctx.anonymous_user:
            url = f"{ctx.web_url}/register?bind={ctx.anonymous_user}"
            return InsufficientCredits(text, hint=f"Register to get more credits and keep your work: {url}",
                                       code=2001, status=status, register_url=url)
        return InsufficientCredits(text, hint=f"Top up your credits at {ctx.web_url}.", code=2001, status=status)
    if code == 4001:
        return UnsupportedFileType(f"The backend refused the file type (code 4001: {message or 'unsupported'}).",
                                   hint=f"Accepted formats: {accepted_text()}.", accepted=accepted_list(),
                                   code=4001, status=status)
    if code == 4002:
        return FileTooLarge(f"The backend refused the file as too large (code 4002: {message or 'too large'}).",
                            code=4002, status=status, limit=ctx.upload_limit)
    if code == 507 or status == 507:
        return StorageFull(f"The backend's disk is full: {message or 'nothing was saved'}", code=code, status=status)
    if code == 4009 and path.endswith("/draft"):
        return DraftMoved(f"The draft changed meanwhile: {message or 'it is at a newer version'}", code=code,
                          status=status, current=_data(body).get("current"))
    if 4000 <= code < 5000 or (status is not None and 400 <= status < 500):
        return BadRequest(f"The backend refused the request (code {code}): {message or 'no message'}",
                          code=code, status=status)
    return ServerError(f"The backend answered code {code} to {path}: {message or 'no message'}.",
                       code=code, status=status)
