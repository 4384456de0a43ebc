"""Replay, not resend: what each turn of a conversation produced, kept on disk by a chain key.

A turn's key is a hash of the key before it (the conversation's root: backend, notebook and
conversation name) and what the turn asked (the prompt, an undo, a fresh start). Executing a
cell whose chain is unchanged finds its entry and shows it again: nothing is sent and nothing
is spent. Changing a cell in the middle changes every key from there on, so those turns are
asked again. Renders are kept by a hash of (backend, draft, quality, resolution): the same
draft rendered with the same settings reuses the file.

The store is ``replay.sqlite3`` in the config dir (only you can read it): prompts and replies,
never tokens.
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

__all__ = ["Entry", "ReplayStore", "canonical", "chain", "render_key", "root_key"]

Entry = dict[str, object]
"""A step of the chain (a turn, an undo, an upload) or a render, as stored: plain JSON data."""


def canonical(value: object) -> str:
    """A stable JSON text (sorted keys) for hashing and comparing drafts."""
    raw = getattr(value, "to_json", None)
    if callable(raw):
        value = raw()
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=str)


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


def render_key(backend: str, draft: object, quality: str, resolution: str | None) -> str:
    return _hash("render", backend, canonical(draft), quality, resolution or "")


class ReplayStore:
    """``turns`` and ``renders`` tables in one SQLite file; thread-safe, one short transaction a call."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self._lock = threading.Lock()
        self._conn: sqlite3.Connection | None = None

    def _db(self) -> sqlite3.Connection:
        if self._conn is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            fresh = not self.path.exists()
            conn = sqlite3.connect(self.path, timeout=30, isolation_level=None, check_same_thread=False)
            if fresh:
                with contextlib.suppress(OSError):
                    os.chmod(self.path, 0o600)
            conn.execute("PRAGMA journal_mode=WAL")
            conn.executescript(
                "CREATE TABLE IF NOT EXISTS turns (key TEXT PRIMARY KEY, entry TEXT NOT NULL, created REAL NOT NULL);"
                "CREATE TABLE IF NOT EXISTS renders (key TEXT PRIMARY KEY, entry TEXT NOT NULL, created REAL NOT NULL);")
            self._conn = conn
        return self._conn

    def _get(self, table: str, key: str) -> Entry | None:
        with self._lock:
            try:
                row = self._db().execute(f"SELECT entry FROM {table} WHERE key=?", (key,)).fetchone()
            except sqlite3.Error:
                return None  # an unreadable store only means nothing is reused
        if row is None:
            return None
        try:
            value = json.loads(row[0])
        except ValueError:
            return None
        return value if isinstance(value, dict) else None

    def _put(self, table: str, key: str, entry: Entry) -> None:
        text = json.dumps(entry, ensure_ascii=False, default=str)
        with self._lock, contextlib.suppress(sqlite3.Error):
            self._db().execute(f"INSERT OR REPLACE INTO {table} VALUES (?,?,?)", (key, text, time.time()))

    def turn(self, key: str) -> Entry | None:
        return self._get("turns", key)

    def put_turn(self, key: str, entry: Entry) -> None:
        self._put("turns", key, entry)

    def render(self, key: str) -> Entry | None:
        return self._get("renders", key)

    def put_render(self, key: str, entry: Entry) -> None:
        self._put("renders", key, entry)

    def close(self) -> None:
        with self._lock:
            if self._conn is not None:
                self._conn.close()
                self._conn = None
