"""Replay, not resend: what each turn of a conversation produced, kept on disk by a chain key.

A turn's key is a hash of the key before it (the conversation's root: backend, notebook and
conversation name) and what the turn asked (the prompt, an undo, a fresh start). Executing a
cell whose chain is unchanged finds its entry and shows it again: nothing is sent and nothing
is spent. Changing a cell in the middle changes every key from there on, so those turns are
asked again. (A render of a draft already rendered with the same settings is the client's to
reuse: its render cache keeps the file.)

The store is ``replay.sqlite3`` in the config dir (only you can read it): prompts and replies,
never tokens. Turns older than ``max_age_days`` (``NEMO_REPLAY_DAYS``, default 90; 0 keeps them
all) are removed when the store is opened: such a cell is simply asked again. A store that
cannot be opened or written (a full disk) only means nothing is reused.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import sqlite3
import threading
import time
from pathlib import Path

__all__ = ["Entry", "ReplayStore", "chain", "root_key"]

Entry = dict[str, object]
"""A step of the chain (a turn, an undo, an upload), as stored: plain JSON data."""


def _hash(*parts: str) -> str:
    h = hashlib.sha256()
    for part in parts:
        h.update(part.encode("utf-8"))
        h.update(b"\x1f")
    return h.hexdigest()[:32]


def root_key(backend: str, place: str, conversation: str) -> str:
    return _hash("root", backend, place, conversation)


def chain(parent: str, kind: str, payload: str = "") -> str:
    """The key of a step (``kind``: chat | restore | new | upload) after ``parent``."""
    return _hash(parent, kind, payload)


class ReplayStore:
    """The ``turns`` table in one SQLite file; thread-safe, one short transaction a call."""

    def __init__(self, path: Path, *, max_age_days: float = 90.0) -> None:
        self.path = Path(path)
        self.max_age_days = max_age_days
        self._lock = threading.Lock()
        self._conn: sqlite3.Connection | None = None

    def _db(self) -> sqlite3.Connection:
        if self._conn is None:
            try:
                self.path.parent.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise sqlite3.OperationalError(f"cannot make {self.path.parent}: {exc}") from None
            fresh = not self.path.exists()
            conn = sqlite3.connect(self.path, timeout=30, isolation_level=None, check_same_thread=False)
            if fresh:
                with contextlib.suppress(OSError):
                    os.chmod(self.path, 0o600)
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute(
                "CREATE TABLE IF NOT EXISTS turns (key TEXT PRIMARY KEY, entry TEXT NOT NULL, created REAL NOT NULL)")
            if self.max_age_days > 0:   # retention: old turns go (their cells are asked again)
                with contextlib.suppress(sqlite3.Error):
                    conn.execute("DELETE FROM turns WHERE created < ?", (time.time() - self.max_age_days * 86400,))
            self._conn = conn
        return self._conn

    def turn(self, key: str) -> Entry | None:
        with self._lock:
            try:
                row = self._db().execute("SELECT entry FROM turns WHERE key=?", (key,)).fetchone()
            except sqlite3.Error:
                return None  # an unreadable store only means nothing is reused
        if row is None:
            return None
        try:
            value = json.loads(row[0])
        except ValueError:
            return None
        return value if isinstance(value, dict) else None

    def put_turn(self, key: str, entry: Entry) -> None:
        text = json.dumps(entry, ensure_ascii=False, default=str)
        with self._lock, contextlib.suppress(sqlite3.Error):
            self._db().execute("INSERT OR REPLACE INTO turns VALUES (?,?,?)", (key, text, time.time()))

    def close(self) -> None:
        with self._lock:
            if self._conn is not None:
                self._conn.close()
                self._conn = None
