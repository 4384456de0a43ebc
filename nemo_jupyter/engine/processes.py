"""Other processes, the same way on Linux, macOS and Windows: the one place for what differs.

- whether a process is alive (:func:`pid_exists`, :func:`pid_alive`; a zombie counts as dead);
- stopping one with everything it started (:func:`terminate_tree`, :func:`kill_tree`), through
  ``psutil``, never ``os.kill`` / ``os.killpg`` / ``os.waitpid`` (missing or different on Windows);
- how to start a detached program (:func:`detached_popen_kwargs`) and a child that must die
  with the engine (:func:`child_popen_kwargs` + :class:`ChildGuard`): Linux has the
  parent-death signal; macOS and Windows have none, so a small guard process watches a pipe
  from the engine and kills the children it was told about when that pipe closes (it closes
  however the engine ends, ``SIGKILL`` and a crash included);
- cross-process locks (:func:`file_lock`, through ``filelock``: ``flock`` on POSIX,
  ``msvcrt`` on Windows).

Only the standard library, ``psutil`` and ``filelock``: the launcher (imported by the client)
uses this module too.
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import psutil

__all__ = [
    "ChildGuard",
    "FileLock",
    "child_popen_kwargs",
    "create_time",
    "detached_popen_kwargs",
    "file_lock",
    "kill_tree",
    "pid_alive",
    "pid_exists",
    "terminate_tree",
]


def pid_exists(pid: int) -> bool:
    """Whether a process ``pid`` exists (one of another user counts; a zombie still exists)."""
    return pid > 0 and psutil.pid_exists(pid)


def pid_alive(pid: int, created: float | None = None) -> bool:
    """Whether ``pid`` runs: it exists, is not a zombie and, when ``created`` is given, is the
    process that started then (not a later one that reuses the number)."""
    if pid <= 0:
        return False
    try:
        proc = psutil.Process(pid)
        if created is not None and abs(proc.create_time() - created) > 0.01:
            return False
        return bool(proc.status() != psutil.STATUS_ZOMBIE)
    except psutil.ZombieProcess:
        return False
    except psutil.NoSuchProcess:
        return False
    except psutil.AccessDenied:
        return True


def create_time(pid: int | None = None) -> float | None:
    """When process ``pid`` (default: this one) started, as psutil reports it; None if gone."""
    try:
        return float(psutil.Process(pid if pid is not None else os.getpid()).create_time())
    except (psutil.Error, OSError):
        return None


def _tree(pid: int) -> list[psutil.Process]:
    try:
        root = psutil.Process(pid)
    except psutil.Error:
        return []
    try:
        kids = root.children(recursive=True)
    except psutil.Error:
        kids = []
    return [root, *kids]


def terminate_tree(pid: int, timeout: float = 15.0, *, children: bool = True) -> bool:
    """Ask ``pid`` (and, with ``children``, everything it started) to stop, wait up to
    ``timeout`` seconds, then kill what is left. SIGTERM on POSIX (a clean shutdown), on Windows
    ``TerminateProcess``. True when nothing of it runs any more. Never raises."""
    procs = _tree(pid) if children else _tree(pid)[:1]
    for proc in procs:
        with contextlib.suppress(psutil.Error):
            proc.terminate()
    _, alive = psutil.wait_procs(procs, timeout=timeout)
    for proc in alive:
        with contextlib.suppress(psutil.Error):
            proc.kill()
    _, alive = psutil.wait_procs(alive, timeout=10)
    return not alive


def kill_tree(pid: int, *, timeout: float = 10.0, children: bool = True) -> bool:
    """Kill ``pid`` and (with ``children``) everything it started at once (SIGKILL /
    ``TerminateProcess``); True when all of it is gone within ``timeout``. Never raises."""
    procs = _tree(pid) if children else _tree(pid)[:1]
    for proc in procs:
        with contextlib.suppress(psutil.Error):
            proc.kill()
    _, alive = psutil.wait_procs(procs, timeout=timeout)
    return not alive


def detached_popen_kwargs() -> dict[str, Any]:
    """``Popen`` arguments for a program that outlives its starter (the engine a kernel starts):
    its own session on POSIX, its own process group without a console on Windows."""
    if hasattr(os, "setsid"):
        return {"start_new_session": True}
    flags = getattr(subprocess, "CREATE_NEW_PROCESS_GROUP", 0) | getattr(subprocess, "DETACHED_PROCESS", 0)
    return {"creationflags": flags}


def _pdeathsig() -> Callable[[], None] | None:
    """A ``preexec_fn`` asking Linux to SIGKILL the child when its parent dies
    (``PR_SET_PDEATHSIG``), resolved once here so the child makes one libc call; None elsewhere."""
    if not sys.platform.startswith("linux") or not hasattr(os, "setsid"):
        return None
    try:
        import ctypes
        import signal

        prctl = ctypes.CDLL(None, use_errno=True).prctl
        sigkill = int(signal.SIGKILL)
    except (OSError, AttributeError):  # pragma: no cover - a libc without prctl
        return None

    def preexec() -> None:
        prctl(1, sigkill, 0, 0, 0)  # PR_SET_PDEATHSIG

    return preexec


_PDEATHSIG = _pdeathsig()


def child_popen_kwargs() -> dict[str, Any]:
    """``Popen`` arguments for a worker child (FFmpeg) that must not outlive the engine: its own
    process group (so stopping it stops its threads and helpers) and, on Linux, the
    parent-death signal. Elsewhere :class:`ChildGuard` does the parent-death part."""
    kwargs = detached_popen_kwargs()
    if _PDEATHSIG is not None:
        kwargs["preexec_fn"] = _PDEATHSIG
    return kwargs


def has_parent_death_signal() -> bool:
    """True where the OS kills a child when the engine dies (Linux's ``PR_SET_PDEATHSIG``)."""
    return _PDEATHSIG is not None


# The guard: a tiny Python process reading "+pid created" / "-pid" lines on stdin. When stdin
# ends (the engine is gone, however it ended) it kills every child still listed (checking the
# start time, so a reused pid is never touched) and exits.
_GUARD_CODE = r"""
import sys, psutil
kids = {}
for line in sys.stdin:
    op, _, rest = line.strip().partition(" ")
    if op == "+":
        pid, created = rest.split()
        kids[int(pid)] = float(created)
    elif op == "-":
        kids.pop(int(rest), None)
procs = []
for pid, created in kids.items():
    try:
        p = psutil.Process(pid)
        if abs(p.create_time() - created) <= 0.01:
            procs.extend([p, *p.children(recursive=True)])
    except psutil.Error:
        pass
for p in procs:
    try:
        p.kill()
    except psutil.Error:
        pass
psutil.wait_procs(procs, timeout=10)
"""


class ChildGuard:
    """Kills the engine's worker children when the engine dies, where the OS does not (macOS,
    Windows). One guard process per engine, started on first use; ``watch(pid)`` after a child
    starts, ``forget(pid)`` after it ended. With ``force`` it runs on Linux too (tests)."""

    def __init__(self, *, force: bool = False) -> None:
        self.enabled = force or not has_parent_death_signal()
        self._proc: subprocess.Popen[str] | None = None
        self._lock = threading.Lock()

    def _send(self, line: str) -> None:
        with self._lock:
            if self._proc is None or self._proc.poll() is not None:
                self._proc = subprocess.Popen(
                    [sys.executable, "-c", _GUARD_CODE], stdin=subprocess.PIPE, stdout=subprocess.DEVNULL,
                    stderr=subprocess.DEVNULL, text=True, close_fds=True, **detached_popen_kwargs())
            assert self._proc.stdin is not None
            self._proc.stdin.write(line + "\n")
            self._proc.stdin.flush()

    @property
    def pid(self) -> int | None:
        return self._proc.pid if self._proc is not None else None

    def watch(self, pid: int) -> None:
        if not self.enabled:
            return
        created = create_time(pid)
        if created is not None:
            with contextlib.suppress(OSError, ValueError):
                self._send(f"+ {pid} {created!r}")

    def forget(self, pid: int) -> None:
        if not self.enabled or self._proc is None:
            return
        with contextlib.suppress(OSError, ValueError):
            self._send(f"- {pid}")


#: the engine's guard (idle where the OS has a parent-death signal)
GUARD = ChildGuard()


class FileLock:
    """An exclusive lock on a file across processes *and* threads, released when its holder
    ends however it ends (``flock`` on POSIX, ``msvcrt`` on Windows, through ``filelock``).

    One per path and process is shared (:func:`file_lock`): threads of this process queue on
    a plain lock first, so two clients in one kernel wait for each other as two kernels do;
    it may be released by another thread than the one that took it (``asyncio.to_thread``).
    """

    def __init__(self, path: Path) -> None:
        from filelock import FileLock as _Lock

        self.path = Path(path)
        self._threads = threading.Lock()
        self._file = _Lock(str(self.path), mode=0o600, thread_local=False)

    def acquire(self, timeout: float = -1) -> None:
        """Wait for the lock (``timeout`` seconds at most; negative: for ever); ``filelock.Timeout``."""
        from filelock import Timeout

        if not self._threads.acquire(timeout=timeout if timeout >= 0 else -1):
            raise Timeout(str(self.path))
        try:
            self._file.acquire(timeout=timeout)
        except BaseException:
            self._threads.release()
            raise

    def release(self) -> None:
        self._file.release()
        self._threads.release()

    def __enter__(self) -> FileLock:
        self.acquire()
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()


_locks: dict[str, FileLock] = {}
_locks_guard = threading.Lock()


def _forget_locks() -> None:
    """In a forked child: none of the parent's locks is held here, nor its guard."""
    global _locks_guard
    _locks_guard = threading.Lock()
    _locks.clear()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_forget_locks)


def file_lock(path: Path) -> FileLock:
    """The process's :class:`FileLock` on ``path`` (made on first use; the lock file 0600 in a
    folder made if missing): ``with file_lock(p): ...`` or ``acquire(timeout)`` / ``release()``."""
    key = os.path.abspath(path)
    with _locks_guard:
        lock = _locks.get(key)
        if lock is None:
            Path(key).parent.mkdir(parents=True, exist_ok=True)
            lock = _locks[key] = FileLock(Path(key))
        return lock
