"""The retry policy every request to the backend goes through, plain requests and the chat stream alike.

One :class:`Attempts` per request decides after each failure whether to try again:

- the embedded engine refused the connection (it stopped after idling, or came back on a
  new port): find or start it again and send once more; nothing had been sent;
- a GET met a connection error or a 5xx: again after ``backoff * 2**n`` seconds, ``attempts``
  times at most (nothing else is retried: a chat message or a render submit is never re-sent);
- HTTP 429: one wait of ``Retry-After`` seconds (capped at :data:`MAX_RETRY_AFTER`; the
  configured ``rate_limit_wait`` without the header), then once more.

The token refresh after 401/1001 is the other half of the pipeline: :mod:`.auth`.
"""

from __future__ import annotations

import asyncio
import email.utils
import time
from collections.abc import Awaitable, Callable
from urllib.parse import urlsplit

import httpx

from .secrets import get_logger
from .settings import Retries

__all__ = ["MAX_RETRY_AFTER", "Attempts", "origin", "parse_retry_after"]

log = get_logger("nemo_jupyter.client")

MAX_RETRY_AFTER = 120.0
"""The longest ``Retry-After`` wait honoured (seconds): a bad header must not hang a cell."""


def parse_retry_after(value: str | None) -> float | None:
    """Seconds to wait from a ``Retry-After`` header (seconds or HTTP date), capped at MAX_RETRY_AFTER."""
    if not value:
        return None
    value = value.strip()
    try:
        seconds = float(value)
    except ValueError:
        try:
            when = email.utils.parsedate_to_datetime(value)
        except (TypeError, ValueError, IndexError, OverflowError):
            return None
        seconds = when.timestamp() - time.time()
    if seconds != seconds:   # NaN
        return None
    return min(MAX_RETRY_AFTER, max(0.0, seconds))


def origin(url: str) -> str:
    """``scheme://host:port`` of ``url`` (what an error may name: never a path or a query)."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


class Attempts:
    """The retry state of one request (see the module's docstring).

    ``reconnect(base)`` finds or starts the embedded engine again (False: not ours to restart);
    ``idempotent`` allows the backoff retries; ``follows_engine`` is False for absolute URLs
    (a CDN download), which are never redirected to a new engine.
    """

    def __init__(self, policy: Retries, *, idempotent: bool, reconnect: Callable[[str], Awaitable[bool]],
                 follows_engine: bool = True, label: str = "") -> None:
        self.policy = policy
        self.idempotent = idempotent
        self.reconnect = reconnect
        self.follows_engine = follows_engine
        self.label = label
        self.tries = 0
        self.rate_limited = False
        self.engine_restarted = False

    async def _backoff(self) -> bool:
        if not self.idempotent or self.tries >= self.policy.attempts:
            return False
        await asyncio.sleep(self.policy.backoff * (2 ** self.tries))
        self.tries += 1
        return True

    async def after_error(self, exc: httpx.TransportError, base: str, *, sent: bool = False) -> bool:
        """True: try again (the engine was found again, or a GET backs off)."""
        if (isinstance(exc, httpx.ConnectError) and not sent and self.follows_engine and not self.engine_restarted
                and await self.reconnect(base)):
            self.engine_restarted = True   # nothing was sent: the same request to the engine running now
            return True
        return await self._backoff()

    async def after_response(self, response: httpx.Response) -> bool:
        """True: try again (a GET's 5xx backs off; the first 429 waits)."""
        status = response.status_code
        if status >= 500 and status != 507:   # a full disk does not free itself in a second
            return await self._backoff()
        if status == 429 and not self.rate_limited:
            self.rate_limited = True
            wait = parse_retry_after(response.headers.get("Retry-After"))
            wait = self.policy.rate_limit_wait if wait is None else wait
            log.info("rate limited on %s; waiting %.1f s before one retry", self.label, wait)
            await asyncio.sleep(wait)
            return True
        return False
