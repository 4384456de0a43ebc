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
    limit is made but not kept, so one cannot crowd out the rest."""

    def __init__(self, limit: int, weight: Callable[[V], int] = lambda _v: 1) -> None:
        self.limit = limit
        self._weight = weight
        self._kept: OrderedDict[Hashable, tuple[V, int]] = OrderedDict()
        self._total = 0
        self._lock = threading.Lock()

    def get_or_make(self, key: Hashable, make: Callable[[], V]) -> V:
        """The value kept for ``key``, else ``make()`` (outside the lock: two threads may make the
        same value at once; the first kept wins nothing more than a little memory)."""
        with self._lock:
            hit = self._kept.get(key)
            if hit is not None:
                self._kept.move_to_end(key)
                return hit[0]
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

    def clear(self) -> None:
        with self._lock:
            self._kept.clear()
            self._total = 0
