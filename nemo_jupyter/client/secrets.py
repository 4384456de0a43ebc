"""Keep tokens out of every text we produce: reprs, errors, logs.

:func:`redact` masks anything that looks like a NemoVideo token (``nmv_...``,
claim tokens ``clm_...``), the value of a claim link's ``ct=`` query parameter, bearer credentials, and every value registered with
:func:`register_secret` (the tokens this process actually holds). A logging
filter applying it is installed on the ``nemo_jupyter`` logger and on every
logger obtained through :func:`get_logger`.
"""

from __future__ import annotations

import contextlib
import logging
import re
import threading
from collections.abc import Iterator

__all__ = ["RedactingFilter", "get_logger", "redact", "register_secret", "swallowed"]

MASK = "***"

_PATTERNS = [
    re.compile(r"\b(nmv|clm)_[A-Za-z0-9_\-.~+/=]+"),
    re.compile(r"(?i)\b(Bearer)\s+[A-Za-z0-9_\-.~+/=]+"),
    re.compile(r"([?&]ct=)[^&#\s\"'<>)\]]+"),
]

_lock = threading.Lock()
_secrets: set[str] = set()


def register_secret(value: str | None) -> None:
    """Remember ``value`` so :func:`redact` masks it wherever it appears."""
    if value and len(value) >= 4:
        with _lock:
            _secrets.add(value)


def redact(text: object) -> str:
    """``text`` as a string with every token masked."""
    out = text if isinstance(text, str) else str(text)
    with _lock:
        known = sorted(_secrets, key=len, reverse=True)
    for secret in known:
        if secret in out:
            out = out.replace(secret, MASK)
    low = out.lower()   # the patterns run only where their words are (a long reply is read once, fast)
    if "nmv_" in low or "clm_" in low:
        out = _PATTERNS[0].sub(lambda m: f"{m.group(1)}_{MASK}", out)
    if "bearer" in low:
        out = _PATTERNS[1].sub(lambda m: f"{m.group(1)} {MASK}", out)
    if "ct=" in low:
        out = _PATTERNS[2].sub(lambda m: f"{m.group(1)}{MASK}", out)
    return out


class RedactingFilter(logging.Filter):
    """Rewrites each record's message with :func:`redact` (never drops a record)."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a broken format string: keep the raw text
            message = str(record.msg)
        record.msg = redact(message)
        record.args = None
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        return True


_FILTER = RedactingFilter()


def get_logger(name: str = "nemo_jupyter") -> logging.Logger:
    """A logger under ``nemo_jupyter`` with the redacting filter installed.

    (Logger filters do not apply to records propagated from child loggers,
    so every logger we log through gets its own copy.)
    """
    logger = logging.getLogger(name)
    if _FILTER not in logger.filters:
        logger.addFilter(_FILTER)
    return logger


get_logger("nemo_jupyter")


@contextlib.contextmanager
def swallowed(log: logging.Logger, what: str) -> Iterator[None]:
    """Run the block; an exception is not raised but logged at debug level (secrets masked).

    For work that must never break what it serves (a badge, a redraw, closing a client):
    ``with swallowed(log, "reading the credits badge"): ...``.
    """
    try:
        yield
    except Exception as exc:
        log.debug("%s failed: %s: %s", what, type(exc).__name__, redact(exc))
