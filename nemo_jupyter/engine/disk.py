"""The engine's disk: what fills it is pruned, and a full one is said to be full.

Retention (:class:`Retention`, set by ``--keep-renders-days``, ``--keep-renders-mb`` and
``--keep-versions`` or their environment variables): finished renders under ``renders/`` are
removed once older than ``renders_days`` (made or last reused), and the oldest go first while
all of them together take more than ``renders_mb``; a render finished in the last
:data:`GRACE_SECONDS` is never removed (its client is about to download it), nor the newest one.
A job whose file was removed ends ``failed`` with :data:`PRUNED_REASON`; an export of the same
draft simply renders again (the engine reuses only renders whose file is there). Draft versions
are kept per session up to ``versions`` (:mod:`.versioning`). :class:`Pruner` runs the pruning at
start, after each finished render and every :data:`PRUNE_EVERY` seconds, in a thread.

A full disk (:func:`is_disk_full`): SQLite says ``database or disk is full`` (``SQLITE_FULL``),
file writes fail with ``ENOSPC`` / ``EDQUOT`` and FFmpeg says "No space left on device". The
API answers it with HTTP 507 and :func:`disk_full_message` (what to free), a chat turn in its
error event, a render as its ``failed`` reason. Every write is one transaction or a temporary
file renamed into place, so nothing is left half-written.
"""

from __future__ import annotations

import contextlib
import errno
import os
import shutil
import sqlite3
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from .versioning import DEFAULT_KEEP_VERSIONS

if TYPE_CHECKING:
    from .store import Store

__all__ = ["GRACE_SECONDS", "PRUNED_REASON", "Pruner", "Retention", "disk_full_message", "is_disk_full",
           "prune_renders"]

GRACE_SECONDS = 600.0     # a render this fresh is never pruned
PRUNE_EVERY = 600.0       # seconds between two prunings when nothing else asks for one
PRUNED_REASON = ("the video was removed by the engine's retention (old renders are pruned to keep its disk "
                 "from filling); export again, it renders anew")

_FULL_ERRNOS = {errno.ENOSPC, errno.EFBIG} | ({errno.EDQUOT} if hasattr(errno, "EDQUOT") else set())
_SQLITE_FULL = 13


# -- a full disk ----------------------------------------------------------------------------------
def is_disk_full(exc: BaseException | None) -> bool:
    """True when ``exc`` (or what it was raised from) says the disk or the quota is full."""
    seen = 0
    while exc is not None and seen < 8:
        if isinstance(exc, OSError) and exc.errno in _FULL_ERRNOS:
            return True
        if isinstance(exc, sqlite3.Error) and (
                getattr(exc, "sqlite_errorcode", None) == _SQLITE_FULL or "disk is full" in str(exc).lower()):
            return True
        if "no space left on device" in str(exc).lower():   # FFmpeg's words, in a RenderError
            return True
        exc = exc.__cause__ or exc.__context__
        seen += 1
    return False


def disk_full_message(home: Path | None, what: str = "this request") -> str:
    """What a full disk means for ``what``, and what to free."""
    try:
        free = f"{shutil.disk_usage(home).free / (1024 * 1024):.0f} MB" if home is not None else "no space"
    except OSError:
        free = "no space"
    return (f"The engine's disk is full ({free} free): {what} was not saved, and nothing was changed. "
            "Free some space on the engine's machine (finished renders in the engine's data folder, renders/, "
            "can go; the engine keeps them within --keep-renders-mb), then try again.")


# -- retention ------------------------------------------------------------------------------------
def _env_number(env: Mapping[str, str], name: str, default: float) -> float:
    raw = env.get(name, "").strip()
    if not raw:
        return default
    try:
        value = float(raw)
    except ValueError:
        raise ValueError(f"{name}={raw!r} is not a number") from None
    if not value >= 0 or value == float("inf"):
        raise ValueError(f"{name} must be a number >= 0, got {raw!r}")
    return value


@dataclass(frozen=True)
class Retention:
    """How much the engine keeps (0 for ``renders_days`` or ``renders_mb``: no such limit)."""

    renders_days: float = 14.0                 # --keep-renders-days, NEMO_KEEP_RENDERS_DAYS
    renders_mb: float = 2048.0                 # --keep-renders-mb, NEMO_KEEP_RENDERS_MB (a laptop's share)
    versions: int = DEFAULT_KEEP_VERSIONS      # --keep-versions, NEMO_KEEP_VERSIONS (per session)

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Retention:
        """The defaults, changed by ``NEMO_KEEP_RENDERS_DAYS``, ``NEMO_KEEP_RENDERS_MB``, ``NEMO_KEEP_VERSIONS``
        (ValueError with a clear message for a bad value)."""
        env = os.environ if env is None else env
        versions = _env_number(env, "NEMO_KEEP_VERSIONS", cls.versions)
        if versions < 1:
            raise ValueError("NEMO_KEEP_VERSIONS must be at least 1")
        return cls(renders_days=_env_number(env, "NEMO_KEEP_RENDERS_DAYS", cls.renders_days),
                   renders_mb=_env_number(env, "NEMO_KEEP_RENDERS_MB", cls.renders_mb), versions=int(versions))


def prune_renders(store: Store, retention: Retention, *, now: float | None = None) -> list[str]:
    """Remove the finished renders retention no longer keeps; the names of the files removed."""
    now = time.time() if now is None else now
    files = []
    for path in store.renders_dir.glob("*.mp4"):
        with contextlib.suppress(OSError):
            st = path.stat()
            files.append((st.st_mtime, st.st_size, path))
    files.sort()   # oldest first
    newest = files[-1][2] if files else None
    total = sum(size for _, size, _ in files)
    doomed: list[Path] = []
    for mtime, size, path in files:
        if path == newest or now - mtime < GRACE_SECONDS:
            continue
        too_old = retention.renders_days > 0 and now - mtime > retention.renders_days * 86400
        too_big = retention.renders_mb > 0 and total > retention.renders_mb * 1024 * 1024
        if too_old or too_big:
            doomed.append(path)
            total -= size
    for path in doomed:
        store.forget_render_file(path.name, PRUNED_REASON)
        with contextlib.suppress(OSError):
            path.unlink()
    return [p.name for p in doomed]


class Pruner:
    """Runs :func:`prune_renders` in a thread: at start, when poked (a render finished) and every
    :data:`PRUNE_EVERY` seconds; ``also`` runs with it (the render queue's unrecorded endings)."""

    def __init__(self, store: Store, retention: Retention, *, also: Callable[[], None] | None = None) -> None:
        self.store, self.retention, self.also = store, retention, also
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.removed: list[str] = []

    def start(self) -> None:
        self._thread = threading.Thread(target=self._loop, name="nemo-retention", daemon=True)
        self._thread.start()

    def poke(self) -> None:
        self._wake.set()

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(5)

    def _loop(self) -> None:
        while not self._stop.is_set():
            with contextlib.suppress(Exception):   # a pruning that fails is tried again at the next one
                if self.also is not None:
                    self.also()
                self.removed += prune_renders(self.store, self.retention)
                del self.removed[:-100]
            self._wake.wait(PRUNE_EVERY)
            self._wake.clear()
