"""Draft versions in the engine's SQLite: every change of a session's draft, numbered.

The store (:mod:`.store`) calls these inside its transactions: :func:`add_version` appends a
version, makes it current and prunes the session's oldest beyond ``keep``;
:func:`same_version` finds a stored version equal to a draft by its hash (so setting a draft
the session had before moves back to it instead of storing it twice).
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from typing import Any

__all__ = ["DEFAULT_KEEP_VERSIONS", "VersionMoved", "add_version", "canonical", "same_version"]

DEFAULT_KEEP_VERSIONS = 200   # versions kept per session (the engine's --keep-versions)


def canonical(draft: Any) -> str:
    return json.dumps(draft, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def _draft_hash(draft: Any) -> str:
    return hashlib.sha256(canonical(draft).encode("utf-8")).hexdigest()


def same_version(c: sqlite3.Connection, session_id: str, draft: dict[str, Any] | None) -> int | None:
    """The newest stored version equal to ``draft`` (found by hash; versions stored before hashes
    were kept are compared as JSON)."""
    row = c.execute("SELECT n FROM draft_versions WHERE session_id=? AND hash=? ORDER BY n DESC LIMIT 1",
                    (session_id, _draft_hash(draft))).fetchone()
    if row is not None:
        return int(row["n"])
    want = canonical(draft)
    for old in c.execute("SELECT n, draft FROM draft_versions WHERE session_id=? AND hash IS NULL ORDER BY n DESC",
                         (session_id,)):
        if canonical(json.loads(old["draft"]) if old["draft"] else None) == want:
            return int(old["n"])
    return None


class VersionMoved(Exception):
    """The session's draft is no longer the version the caller based its change on."""

    def __init__(self, current: int) -> None:
        super().__init__(f"the current version is {current}")
        self.current = current


def add_version(c: sqlite3.Connection, session_id: str, draft: dict[str, Any] | None, *, kind: str, note: str,
                now: float, keep: int = DEFAULT_KEEP_VERSIONS) -> int:
    """Append a version (inside the caller's transaction) and make it current; returns its number.
    Beyond ``keep`` versions the session's oldest ones are pruned (the new one is current)."""
    row = c.execute("SELECT COALESCE(MAX(n), 0) AS n FROM draft_versions WHERE session_id=?", (session_id,)).fetchone()
    head = c.execute("SELECT n FROM draft_heads WHERE session_id=?", (session_id,)).fetchone()
    n = int(row["n"]) + 1
    c.execute("INSERT INTO draft_versions(session_id, n, parent, draft, kind, note, created, hash) "
              "VALUES (?,?,?,?,?,?,?,?)",
              (session_id, n, int(head["n"]) if head else None,
               json.dumps(draft, ensure_ascii=False) if draft is not None else None, kind, note, now,
               _draft_hash(draft)))
    c.execute("INSERT INTO draft_heads VALUES (?,?) ON CONFLICT(session_id) DO UPDATE SET n=excluded.n",
              (session_id, n))
    c.execute("DELETE FROM draft_versions WHERE session_id=? AND n <= ?", (session_id, n - max(1, keep)))
    return n
