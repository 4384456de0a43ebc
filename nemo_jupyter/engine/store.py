"""The engine's persistent state: SQLite (WAL) plus files under the data dir.

Layout of a data dir::

    engine.sqlite3        tokens (hashes only), clients, sessions, turns, draft versions, uploads, jobs
    uploads/<key>/<name>  uploaded files (key: 32 random hex digits, also their media URL)
    renders/<id>.mp4      finished renders
    tmp/                  uploads being received and renders in progress (emptied at start)
    engine.json           url + pid of the running engine (written by ``__main__``)

Every write is one transaction: a failed edit or upload leaves the previous state.
One connection per thread; SQLite serialises writers. A session keeps at most ``keep_versions``
draft versions (the oldest go first; the current one always stays).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import secrets
import shutil
import sqlite3
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .versioning import DEFAULT_KEEP_VERSIONS, VersionMoved, add_version, canonical, same_version

__all__ = ["DEFAULT_KEEP_VERSIONS", "STOPPED_REASON", "Job", "Session", "Store", "Upload", "VersionMoved", "add_version",
           "hash_token"]

TOKEN_DAYS = 7
STOPPED_REASON = "the engine stopped during this render; export again"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS clients (
    client_id TEXT PRIMARY KEY, user_id TEXT NOT NULL UNIQUE, created REAL NOT NULL);
CREATE TABLE IF NOT EXISTS tokens (
    token_hash TEXT PRIMARY KEY, user_id TEXT NOT NULL, client_id TEXT NOT NULL,
    created REAL NOT NULL, expires REAL NOT NULL);
CREATE TABLE IF NOT EXISTS sessions (
    session_id TEXT PRIMARY KEY, task_id TEXT NOT NULL UNIQUE, user_id TEXT NOT NULL,
    task_name TEXT NOT NULL, language TEXT, draft TEXT, created REAL NOT NULL, updated REAL NOT NULL);
CREATE TABLE IF NOT EXISTS turns (
    id INTEGER PRIMARY KEY AUTOINCREMENT, session_id TEXT NOT NULL, role TEXT NOT NULL,
    text TEXT NOT NULL, created REAL NOT NULL);
CREATE TABLE IF NOT EXISTS uploads (
    key TEXT PRIMARY KEY, session_id TEXT NOT NULL, filename TEXT NOT NULL, file_type TEXT NOT NULL,
    duration REAL, width INTEGER, height INTEGER, fps REAL, hash TEXT NOT NULL, size INTEGER NOT NULL,
    text TEXT, created REAL NOT NULL);
CREATE TABLE IF NOT EXISTS jobs (
    id TEXT PRIMARY KEY, user_id TEXT NOT NULL, session_id TEXT, status TEXT NOT NULL,
    progress REAL NOT NULL, draft TEXT NOT NULL, quality TEXT NOT NULL, resolution TEXT,
    media_key TEXT, duration REAL, width INTEGER, height INTEGER, size INTEGER, error TEXT,
    created_ms INTEGER NOT NULL, completed_ms INTEGER);
CREATE TABLE IF NOT EXISTS draft_versions (
    session_id TEXT NOT NULL, n INTEGER NOT NULL, parent INTEGER, draft TEXT, kind TEXT NOT NULL,
    note TEXT NOT NULL, created REAL NOT NULL, PRIMARY KEY (session_id, n));
CREATE TABLE IF NOT EXISTS draft_heads (session_id TEXT PRIMARY KEY, n INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS uploads_session ON uploads(session_id);
CREATE INDEX IF NOT EXISTS turns_session ON turns(session_id);
CREATE INDEX IF NOT EXISTS jobs_session ON jobs(session_id);
"""

#: columns added after the first release: (table, column, type); added at start when missing
_MIGRATIONS = (
    ("jobs", "cache_key", "TEXT"),   # the render key (draft + media + settings), see render_key.py
    ("jobs", "output", "TEXT"),      # file under renders/ when not <id>.mp4 (a reused render)
    ("sessions", "brief", "TEXT"),   # the last turn's brief, each item with its outcome (planning/brief.py)
    ("draft_versions", "hash", "TEXT"),   # sha256 of the canonical draft: "is this draft a stored version"
)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def _now_ms() -> int:
    return int(time.time() * 1000)


@dataclass
class Session:
    session_id: str
    task_id: str
    user_id: str
    task_name: str
    language: str | None
    draft: dict[str, Any] | None
    brief: dict[str, Any] | None = None


@dataclass
class Upload:
    key: str
    session_id: str
    filename: str
    file_type: str
    duration: float | None
    width: int | None
    height: int | None
    fps: float | None
    hash: str
    size: int
    text: str | None = None
    path: Path = field(default=Path())


@dataclass
class Job:
    id: str
    user_id: str
    session_id: str | None
    status: str
    progress: float
    draft: dict[str, Any]
    quality: str
    resolution: str | None
    media_key: str | None
    duration: float | None
    width: int | None
    height: int | None
    size: int | None
    error: str | None
    created_ms: int
    completed_ms: int | None
    cache_key: str | None = None
    output: str | None = None


class Store:
    """SQLite + files under ``home``. Thread-safe (one connection per thread)."""

    def __init__(self, home: Path, *, keep_versions: int = DEFAULT_KEEP_VERSIONS) -> None:
        self.home = Path(home)
        self.keep_versions = max(1, int(keep_versions))
        self.home.mkdir(parents=True, exist_ok=True)
        self.uploads_dir = self.home / "uploads"
        self.renders_dir = self.home / "renders"
        self.tmp_dir = self.home / "tmp"
        for d in (self.uploads_dir, self.renders_dir, self.tmp_dir):
            d.mkdir(exist_ok=True)
        self.db_path = self.home / "engine.sqlite3"
        self._local = threading.local()
        self._conns: list[sqlite3.Connection] = []
        self._conns_lock = threading.Lock()
        self._conn().executescript(_SCHEMA)
        self._migrate()

    def _migrate(self) -> None:
        conn = self._conn()
        for table, column, kind in _MIGRATIONS:
            have = {r["name"] for r in conn.execute(f"PRAGMA table_info({table})")}
            if column not in have:
                with contextlib.suppress(sqlite3.OperationalError):  # another process added it
                    conn.execute(f"ALTER TABLE {table} ADD COLUMN {column} {kind}")
        conn.execute("CREATE INDEX IF NOT EXISTS jobs_cache_key ON jobs(cache_key)")
        conn.execute("CREATE INDEX IF NOT EXISTS versions_hash ON draft_versions(session_id, hash)")

    # -- connections -------------------------------------------------------
    def _conn(self) -> sqlite3.Connection:
        conn: sqlite3.Connection | None = getattr(self._local, "conn", None)
        if conn is None:
            conn = sqlite3.connect(self.db_path, timeout=30, isolation_level=None, check_same_thread=False)
            conn.row_factory = sqlite3.Row
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=NORMAL")
            conn.execute("PRAGMA foreign_keys=ON")
            self._local.conn = conn
            with self._conns_lock:
                self._conns.append(conn)
        return conn

    @contextlib.contextmanager
    def _tx(self) -> Iterator[sqlite3.Connection]:
        conn = self._conn()
        conn.execute("BEGIN IMMEDIATE")
        try:
            yield conn
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        conn.execute("COMMIT")

    def close(self) -> None:
        with self._conns_lock:
            for conn in self._conns:
                with contextlib.suppress(sqlite3.Error):
                    conn.close()
            self._conns.clear()
        self._local = threading.local()

    # -- startup -----------------------------------------------------------
    def recover(self) -> int:
        """At start: jobs left pending/processing end failed; stale temp files go. Returns the count."""
        for child in self.tmp_dir.iterdir():
            if child.is_dir():
                shutil.rmtree(child, ignore_errors=True)
            else:
                child.unlink(missing_ok=True)
        with self._tx() as c:
            cur = c.execute(
                "UPDATE jobs SET status='failed', error=?, completed_ms=? WHERE status IN ('pending','processing')",
                (STOPPED_REASON, _now_ms()),
            )
            return cur.rowcount

    # -- auth --------------------------------------------------------------
    def issue_token(self, client_id: str) -> tuple[str, str, float]:
        """A fresh token for ``client_id`` (same user id every time). Returns (token, user_id, expires)."""
        token = "nmv_usr_" + secrets.token_urlsafe(24)
        now = time.time()
        expires = now + TOKEN_DAYS * 86400
        with self._tx() as c:
            row = c.execute("SELECT user_id FROM clients WHERE client_id=?", (client_id,)).fetchone()
            if row is None:
                user_id = "anon_" + secrets.token_hex(8)
                c.execute("INSERT INTO clients VALUES (?,?,?)", (client_id, user_id, now))
            else:
                user_id = row["user_id"]
            c.execute("DELETE FROM tokens WHERE expires < ?", (now,))
            c.execute("INSERT INTO tokens VALUES (?,?,?,?,?)", (hash_token(token), user_id, client_id, now, expires))
        return token, user_id, expires

    def user_for_token(self, token: str) -> str | None:
        row = self._conn().execute(
            "SELECT user_id FROM tokens WHERE token_hash=? AND expires > ?", (hash_token(token), time.time())
        ).fetchone()
        return str(row["user_id"]) if row else None

    # -- sessions ----------------------------------------------------------
    def create_session(self, user_id: str, task_name: str, language: str | None) -> Session:
        now = time.time()
        with self._tx() as c:
            while True:
                sid = str(10**14 + secrets.randbelow(9 * 10**14))
                if c.execute("SELECT 1 FROM sessions WHERE session_id=?", (sid,)).fetchone() is None:
                    break
            task_id = "task_" + secrets.token_hex(8)
            c.execute("INSERT INTO sessions(session_id, task_id, user_id, task_name, language, draft, created, updated) "
                      "VALUES (?,?,?,?,?,?,?,?)",
                      (sid, task_id, user_id, task_name, language, None, now, now))
        return Session(sid, task_id, user_id, task_name, language, None)

    def get_session(self, session_id: str, user_id: str | None = None) -> Session | None:
        row = self._conn().execute("SELECT * FROM sessions WHERE session_id=?", (str(session_id),)).fetchone()
        if row is None or (user_id is not None and row["user_id"] != user_id):
            return None
        draft = json.loads(row["draft"]) if row["draft"] else None
        brief = json.loads(row["brief"]) if row["brief"] else None
        return Session(row["session_id"], row["task_id"], row["user_id"], row["task_name"], row["language"], draft,
                       brief)

    def record_turn(self, session_id: str, user_text: str, reply: str, *, draft: dict[str, Any] | None,
                    language: str | None, brief: dict[str, Any] | None = None) -> None:
        """Store one chat turn; with ``draft`` not None, it replaces the session's draft (atomically);
        ``brief`` (the turn's brief with its outcomes) becomes the session's last brief."""
        now = time.time()
        with self._tx() as c:
            c.execute("INSERT INTO turns(session_id, role, text, created) VALUES (?,?,?,?)",
                      (session_id, "user", user_text, now))
            c.execute("INSERT INTO turns(session_id, role, text, created) VALUES (?,?,?,?)",
                      (session_id, "model", reply, now))
            if draft is not None:
                row = c.execute("SELECT draft FROM sessions WHERE session_id=?", (session_id,)).fetchone()
                before = json.loads(row["draft"]) if row is not None and row["draft"] else None
                c.execute("UPDATE sessions SET draft=?, updated=? WHERE session_id=?",
                          (json.dumps(draft, ensure_ascii=False), now, session_id))
                if canonical(before) != canonical(draft):
                    add_version(c, session_id, draft, kind="turn", note=user_text[:200], now=now,
                                keep=self.keep_versions)
            if language:
                c.execute("UPDATE sessions SET language=COALESCE(language, ?) WHERE session_id=?",
                          (language, session_id))
            if brief is not None:
                c.execute("UPDATE sessions SET brief=? WHERE session_id=?",
                          (json.dumps(brief, ensure_ascii=False), session_id))

    # -- draft versions (every change of a session's draft; see api/versions.py) ----------------
    def versions(self, session_id: str, *, after: int = 0, limit: int | None = None,
                 drafts: bool = True) -> tuple[list[dict[str, Any]], int | None]:
        """The session's draft versions numbered above ``after`` (oldest first, at most ``limit``)
        and the current one's number; ``drafts=False`` leaves the drafts out (``draft`` None)."""
        conn = self._conn()
        cols = "n, parent, kind, note, created" + (", draft" if drafts else "")
        rows = conn.execute(f"SELECT {cols} FROM draft_versions WHERE session_id=? AND n>? ORDER BY n LIMIT ?",
                            (session_id, after, -1 if limit is None else limit)).fetchall()
        out = [{"version": r["n"], "parent": r["parent"], "kind": r["kind"], "note": r["note"],
                "created": r["created"], "draft": json.loads(r["draft"]) if drafts and r["draft"] else None}
               for r in rows]
        return out, self.head_version(session_id)

    def version_count(self, session_id: str) -> int:
        row = self._conn().execute("SELECT COUNT(*) AS k FROM draft_versions WHERE session_id=?",
                                   (session_id,)).fetchone()
        return int(row["k"])

    def head_version(self, session_id: str) -> int | None:
        """The number of the session's current draft version (None before its first draft)."""
        head = self._conn().execute("SELECT n FROM draft_heads WHERE session_id=?", (session_id,)).fetchone()
        return int(head["n"]) if head else None

    def set_draft(self, session_id: str, draft: dict[str, Any] | None, *, version: int | None = None,
                  note: str = "", base: int | None = None) -> int:
        """Make ``draft`` (or stored ``version``) the session's draft; returns the version now current.

        A draft equal to a stored version moves the head there (nothing new is stored);
        another draft becomes a new version. Raises KeyError for an unknown ``version``, and
        :class:`VersionMoved` when ``base`` is given and is not the current version (someone else
        changed the draft since the caller read it).
        """
        now = time.time()
        with self._tx() as c:
            if base is not None:
                head = c.execute("SELECT n FROM draft_heads WHERE session_id=?", (session_id,)).fetchone()
                current = int(head["n"]) if head else 0
                if current != base:
                    raise VersionMoved(current)
            if version is not None:
                row = c.execute("SELECT draft FROM draft_versions WHERE session_id=? AND n=?",
                                (session_id, version)).fetchone()
                if row is None:
                    raise KeyError(version)
                text = row["draft"]
                n = version
            else:
                text = json.dumps(draft, ensure_ascii=False) if draft is not None else None
                found = same_version(c, session_id, draft)
                n = found if found is not None else add_version(c, session_id, draft, kind="set", note=note[:200],
                                                                 now=now, keep=self.keep_versions)
            c.execute("UPDATE sessions SET draft=?, updated=? WHERE session_id=?", (text, now, session_id))
            c.execute("INSERT INTO draft_heads VALUES (?,?) ON CONFLICT(session_id) DO UPDATE SET n=excluded.n",
                      (session_id, n))
        return n

    def turns(self, session_id: str) -> list[dict[str, Any]]:
        rows = self._conn().execute(
            "SELECT role, text, created FROM turns WHERE session_id=? ORDER BY id", (session_id,)
        ).fetchall()
        return [dict(r) for r in rows]

    # -- uploads -----------------------------------------------------------
    @staticmethod
    def new_key() -> str:
        return secrets.token_hex(16)

    def upload_path(self, key: str, filename: str) -> Path:
        return self.uploads_dir / key / filename

    def add_uploads(self, uploads: list[tuple[Upload, Path]]) -> None:
        """Move received files into place and record them, all or nothing."""
        moved: list[Path] = []
        try:
            for up, src in uploads:
                dest = self.upload_path(up.key, up.filename)
                dest.parent.mkdir(parents=True, exist_ok=False)
                moved.append(dest)   # its folder goes too if anything below fails
                src.replace(dest)
                up.path = dest
            with self._tx() as c:
                now = time.time()
                for up, _ in uploads:
                    c.execute(
                        "INSERT INTO uploads VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
                        (up.key, up.session_id, up.filename, up.file_type, up.duration, up.width, up.height,
                         up.fps, up.hash, up.size, up.text, now),
                    )
        except BaseException:
            for dest in moved:
                shutil.rmtree(dest.parent, ignore_errors=True)
            raise

    def _upload(self, row: sqlite3.Row) -> Upload:
        up = Upload(row["key"], row["session_id"], row["filename"], row["file_type"], row["duration"],
                    row["width"], row["height"], row["fps"], row["hash"], row["size"], row["text"])
        up.path = self.upload_path(up.key, up.filename)
        return up

    def uploads(self, session_id: str) -> list[Upload]:
        rows = self._conn().execute(
            "SELECT * FROM uploads WHERE session_id=? ORDER BY created, rowid", (session_id,)
        ).fetchall()
        return [self._upload(r) for r in rows]

    def fresh_uploads(self, session_id: str) -> set[str]:
        """Keys of the uploads made since the session's last chat turn (what this turn may be about)."""
        rows = self._conn().execute(
            "SELECT key FROM uploads WHERE session_id=? AND created > "
            "COALESCE((SELECT MAX(created) FROM turns WHERE session_id=?), 0)", (session_id, session_id)).fetchall()
        return {str(r["key"]) for r in rows}

    def upload_by_key(self, key: str) -> Upload | None:
        row = self._conn().execute("SELECT * FROM uploads WHERE key=?", (key,)).fetchone()
        return self._upload(row) if row else None

    # -- jobs --------------------------------------------------------------
    def _job(self, row: sqlite3.Row) -> Job:
        return Job(row["id"], row["user_id"], row["session_id"], row["status"], row["progress"],
                   json.loads(row["draft"]), row["quality"], row["resolution"], row["media_key"],
                   row["duration"], row["width"], row["height"], row["size"], row["error"],
                   row["created_ms"], row["completed_ms"], row["cache_key"], row["output"])

    def add_job(self, job_id: str, user_id: str, session_id: str | None, draft: dict[str, Any],
                quality: str, resolution: str | None, cache_key: str | None = None) -> Job | None:
        """Record a new pending job; None if the id is taken."""
        with self._tx() as c:
            if c.execute("SELECT 1 FROM jobs WHERE id=?", (job_id,)).fetchone():
                return None
            c.execute(
                "INSERT INTO jobs(id, user_id, session_id, status, progress, draft, quality, resolution,"
                " created_ms, cache_key) VALUES (?,?,?,?,?,?,?,?,?,?)",
                (job_id, user_id, session_id, "pending", 0.0, json.dumps(draft, ensure_ascii=False), quality,
                 resolution, _now_ms(), cache_key),
            )
        job = self.get_job(job_id)
        assert job is not None
        return job

    def get_job(self, job_id: str) -> Job | None:
        row = self._conn().execute("SELECT * FROM jobs WHERE id=?", (job_id,)).fetchone()
        return self._job(row) if row else None

    def job_by_media_key(self, key: str) -> Job | None:
        row = self._conn().execute("SELECT * FROM jobs WHERE media_key=?", (key,)).fetchone()
        return self._job(row) if row else None

    def session_jobs(self, session_id: str) -> list[Job]:
        rows = self._conn().execute(
            "SELECT * FROM jobs WHERE session_id=? ORDER BY created_ms", (session_id,)
        ).fetchall()
        return [self._job(r) for r in rows]

    def update_job(self, job_id: str, **fields: Any) -> None:
        allowed = {"status", "progress", "media_key", "duration", "width", "height", "size", "error",
                   "completed_ms", "output"}
        bad = set(fields) - allowed
        if bad:
            raise ValueError(f"unknown job fields: {sorted(bad)}")
        if not fields:
            return
        cols = ", ".join(f"{k}=?" for k in fields)
        with self._tx() as c:
            c.execute(f"UPDATE jobs SET {cols} WHERE id=?", (*fields.values(), job_id))

    def finish_job(self, job_id: str, status: str, *, error: str | None = None, **fields: Any) -> bool:
        """Set a final status unless the job already has one. True if it changed."""
        with self._tx() as c:
            row = c.execute("SELECT status FROM jobs WHERE id=?", (job_id,)).fetchone()
            if row is None or row["status"] in ("completed", "failed"):
                return False
            sets = {"status": status, "error": error, "completed_ms": _now_ms(), **fields}
            if status == "completed":
                sets["progress"] = 100.0
            cols = ", ".join(f"{k}=?" for k in sets)
            c.execute(f"UPDATE jobs SET {cols} WHERE id=?", (*sets.values(), job_id))
        return True

    def render_path(self, job_id: str) -> Path:
        return self.renders_dir / f"{job_id}.mp4"

    def job_file(self, job: Job) -> Path:
        """The MP4 of a job: its own ``<id>.mp4``, or the file of the render it reused."""
        return self.renders_dir / (job.output or f"{job.id}.mp4")

    def finished_render(self, cache_key: str) -> Job | None:
        """The latest completed job with this render key whose file is still there."""
        rows = self._conn().execute(
            "SELECT * FROM jobs WHERE cache_key=? AND status='completed' ORDER BY created_ms DESC LIMIT 5",
            (cache_key,)).fetchall()
        for row in rows:
            job = self._job(row)
            if self.job_file(job).is_file():
                return job
        return None

    def reuse_render(self, job_id: str, source: Job) -> bool:
        """Complete ``job_id`` at once with ``source``'s file (no new file); its own media key. The
        file counts as new again for the retention (:mod:`.disk`)."""
        output = source.output or f"{source.id}.mp4"
        with contextlib.suppress(OSError):
            os.utime(self.renders_dir / output)
        return self.finish_job(job_id, "completed", media_key=self.new_key(), duration=source.duration,
                               width=source.width, height=source.height, size=source.size, output=output)

    def forget_render_file(self, name: str, reason: str) -> int:
        """The render file ``name`` is about to go: every completed job showing it ends failed with
        ``reason`` (an export of the same draft renders again). Returns how many jobs."""
        with self._tx() as c:
            cur = c.execute("UPDATE jobs SET status='failed', error=?, media_key=NULL WHERE status='completed' AND "
                            "(output=? OR (output IS NULL AND id || '.mp4' = ?))", (reason, name, name))
            return cur.rowcount
