"""Values kept for the next render that needs the same one: least recently used go first.

Painting and sound synthesis are deterministic, so a re-render, a preview followed by the full
render, or the chunks of one render on a cluster worker can reuse what was made before. Thread
safe; the values are only read after they are made.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

__all__ = ["Kept"]

V = TypeVar("V")


class Kept(Generic[V]):
    """At most ``limit`` in total ``weight`` (1 a value unless told); a value heavier than half the
    limit is made but not kept, so one cannot crowd out the rest.

    One maker per key at a time: a thread asking for a value another thread is making waits for
    it (a render and the background warm-up of the same draft's sound do the work once)."""

    def __init__(self, limit: int, weight: Callable[[V], int] = lambda _v: 1) -> None:
        self.limit = limit
        self._weight = weight
        self._kept: OrderedDict[Hashable, tuple[V, int]] = OrderedDict()
        self._making: dict[Hashable, threading.Event] = {}
        self._total = 0
        self._lock = threading.Lock()

    def get_or_make(self, key: Hashable, make: Callable[[], V], check: Callable[[], None] | None = None) -> V:
        """The value kept for ``key``, else ``make()`` (outside the lock). While another thread makes
        it, wait for that one; ``check`` runs every 0.1 s of the wait (a cancel raises there). When
        that maker fails, or its value is too heavy to keep, make it here."""
        while True:
            with self._lock:
                hit = self._kept.get(key)
                if hit is not None:
                    self._kept.move_to_end(key)
                    return hit[0]
                busy = self._making.get(key)
                if busy is None:
                    done = self._making[key] = threading.Event()
                    break
            while not busy.wait(0.1):
                if check is not None:
                    check()
            # then look again: kept now, or (that maker failed, or it was too heavy) made here
        try:
            value = make()
            w = self._weight(value)
            if w <= max(1, self.limit // 2):
                with self._lock:
                    if key not in self._kept:
                        self._kept[key] = (value, w)
                        self._total += w
                    while self._total > self.limit and self._kept:
                        _, (_, old) = self._kept.popitem(last=False)
                        self._total -= old
            return value
        finally:
            with self._lock:
                self._making.pop(key, None)
            done.set()

    def clear(self) -> None:
        with self._lock:
            self._kept.clear()
            self._total = 0
