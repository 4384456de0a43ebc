"""One writer per session at a time: chat turns, draft saves and restores of a session take turns.

A chat turn reads the session's draft, plans on it and records the new draft; two turns on one
session at once (two kernels, a widget and a cell on one conversation) would both plan on the
same draft and the second record would drop the first one's edit. So every request that
changes a session's draft holds that session's lock from the read to the write: turns on one
session run one after the other, in the order they arrived, each on the draft the one before
left; turns on different sessions still run side by side.

The lock is an :class:`asyncio.Lock` taken on the event loop *before* the work goes to a worker
thread, so a turn waiting for its session holds no thread. At most :data:`MAX_WAITING` requests
wait on one session; one more is refused at once (:class:`SessionBusy`) instead of piling up.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator

__all__ = ["MAX_WAITING", "SessionBusy", "SessionWriters"]

MAX_WAITING = 16   # requests queued behind the one that writes a session now


class SessionBusy(Exception):
    """More than :data:`MAX_WAITING` requests already wait to change this session."""


class SessionWriters:
    """The per-session locks of one engine (made when a session is first written, dropped when
    nobody holds or waits for them)."""

    def __init__(self, max_waiting: int = MAX_WAITING) -> None:
        self.max_waiting = max_waiting
        self._locks: dict[str, tuple[asyncio.Lock, int]] = {}

    def waiting(self, session_id: str) -> int:
        """Requests holding or waiting for ``session_id`` now."""
        entry = self._locks.get(session_id)
        return entry[1] if entry else 0

    @contextlib.asynccontextmanager
    async def hold(self, session_id: str) -> AsyncIterator[None]:
        """Hold ``session_id``'s lock (waiting for the writers before); :class:`SessionBusy` when
        too many already wait."""
        lock, count = self._locks.get(session_id) or (asyncio.Lock(), 0)
        if count > self.max_waiting:
            raise SessionBusy(session_id)
        self._locks[session_id] = (lock, count + 1)
        try:
            async with lock:
                yield
        finally:
            lock, count = self._locks[session_id]
            if count <= 1:
                del self._locks[session_id]
            else:
                self._locks[session_id] = (lock, count - 1)
