"""Find the running engine for a data dir, or start one.

Several kernels on one machine share one engine per data dir. The engine writes
``engine.json`` (url, pid, home id) into its data dir once it listens; a client
checks that file, verifies the engine with ``GET /health`` (the answer names a
hash of the data dir, so a stale file pointing at someone else's engine is not
trusted), and otherwise starts a detached engine process under an exclusive
lock on ``engine.lock``, so two kernels starting at once get one engine.

This is the one module of the engine the client imports: it imports nothing
else from the engine, only the standard library, httpx and platformdirs.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx

__all__ = [
    "EngineProcess",
    "EngineStartError",
    "default_home",
    "ensure_engine",
    "find_engine",
    "home_id",
    "start_engine",
    "stop_engine",
]

PORT_FILE = "engine.json"
LOCK_FILE = "engine.lock"
LOG_FILE = "engine.log"
DEFAULT_IDLE_MINUTES = 60.0


class EngineStartError(RuntimeError):
    """The engine process could not be started or did not answer in time."""


def default_home() -> Path:
    """The engine's data dir: ``NEMO_ENGINE_HOME``, else the user data dir."""
    env = os.environ.get("NEMO_ENGINE_HOME")
    if env:
        return Path(env).expanduser()
    import platformdirs

    return Path(platformdirs.user_data_dir("nemo_jupyter")) / "engine"


def home_id(home: Path) -> str:
    """A short hash naming a data dir without revealing its path."""
    resolved = str(Path(home).expanduser().resolve())
    return hashlib.sha256(resolved.encode("utf-8")).hexdigest()[:16]


def _read_port_file(home: Path) -> dict[str, object] | None:
    try:
        data = json.loads((home / PORT_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def _pid_alive(pid: int) -> bool:
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    # A zombie child of ours counts as dead.
    with contextlib.suppress(ChildProcessError, OSError):
        done, _ = os.waitpid(pid, os.WNOHANG)
        if done == pid:
            return False
    return True


def _healthy(url: str, home: Path, timeout: float = 2.0) -> bool:
    try:
        r = httpx.get(f"{url}/health", timeout=timeout, trust_env=False)
        data = r.json()
    except (httpx.HTTPError, ValueError):
        return False
    return (
        r.status_code == 200
        and isinstance(data, dict)
        and data.get("engine") == "nemo_jupyter"
        and data.get("home") == home_id(home)
    )


def find_engine(home: Path | None = None) -> str | None:
    """The base URL of a healthy engine serving ``home``, or None."""
    home = Path(home) if home is not None else default_home()
    info = _read_port_file(home)
    if not info:
        return None
    url, pid = info.get("url"), info.get("pid")
    if not isinstance(url, str) or not isinstance(pid, int) or not _pid_alive(pid):
        return None
    return url if _healthy(url, home) else None


@dataclass
class EngineProcess:
    """A handle on an engine process: ``.url``, ``.home``, ``.pid``, ``.stop()``."""

    url: str
    home: Path
    pid: int
    _popen: subprocess.Popen[bytes] | None = field(default=None, repr=False)

    def stop(self, timeout: float = 15.0) -> None:
        """Ask the engine to stop (SIGTERM), kill it if it does not within ``timeout``."""
        _terminate(self.pid, self._popen, timeout)

    def kill(self) -> None:
        """Kill the engine at once (SIGKILL): no clean shutdown, as after a crash."""
        with contextlib.suppress(ProcessLookupError):
            os.kill(self.pid, signal.SIGKILL)
        if self._popen is not None:
            self._popen.wait(10)
        else:
            _wait_gone(self.pid, 10)

    def alive(self) -> bool:
        if self._popen is not None:
            return self._popen.poll() is None
        return _pid_alive(self.pid)


def _wait_gone(pid: int, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not _pid_alive(pid):
            return True
        time.sleep(0.05)
    return not _pid_alive(pid)


def _terminate(pid: int, popen: subprocess.Popen[bytes] | None, timeout: float) -> None:
    try:
        os.kill(pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    if popen is not None:
        try:
            popen.wait(timeout)
            return
        except subprocess.TimeoutExpired:
            pass
    elif _wait_gone(pid, timeout):
        return
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGKILL)
    if popen is not None:
        popen.wait(10)
    else:
        _wait_gone(pid, 10)


def _log_tail(home: Path, lines: int = 15) -> str:
    try:
        text = (home / LOG_FILE).read_text(encoding="utf-8", errors="replace")
    except OSError:
        return ""
    return "\n".join(text.splitlines()[-lines:])


def start_engine(
    home: Path | None = None,
    *,
    port: int = 0,
    host: str = "127.0.0.1",
    idle_timeout: float | None = None,
    timeout: float = 30.0,
    max_upload_mb: int | None = None,
) -> EngineProcess:
    """Start an engine process for ``home`` (detached, its output in ``engine.log``).

    Waits until it answers ``/health``. ``idle_timeout`` in minutes (None: the
    engine's default of 60; 0: never stop).
    """
    home = Path(home) if home is not None else default_home()
    home.mkdir(parents=True, exist_ok=True)
    cmd = [sys.executable, "-m", "nemo_jupyter.engine", "--home", str(home), "--port", str(port),
           "--host", host]
    if idle_timeout is not None:
        cmd += ["--idle-timeout", str(idle_timeout)]
    if max_upload_mb is not None:
        cmd += ["--max-upload-mb", str(max_upload_mb)]
    env = dict(os.environ)
    # Make the package importable by the child even when it is not installed.
    pkg_parent = str(Path(__file__).resolve().parents[2])
    env["PYTHONPATH"] = os.pathsep.join(p for p in (pkg_parent, env.get("PYTHONPATH", "")) if p)
    env["NEMO_ENGINE_HOME"] = str(home)
    with (home / LOG_FILE).open("ab") as log:
        popen = subprocess.Popen(
            cmd, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT, env=env,
            start_new_session=True, close_fds=True,
        )
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if popen.poll() is not None:
            raise EngineStartError(
                f"the engine exited at start (code {popen.returncode}); its log says:\n{_log_tail(home)}"
            )
        info = _read_port_file(home)
        if info and info.get("pid") == popen.pid and isinstance(info.get("url"), str):
            url = str(info["url"])
            if _healthy(url, home):
                return EngineProcess(url=url, home=home, pid=popen.pid, _popen=popen)
        time.sleep(0.1)
    _terminate(popen.pid, popen, 5)
    raise EngineStartError(
        f"the engine did not answer within {timeout:.0f} s; its log says:\n{_log_tail(home)}"
    )


@contextlib.contextmanager
def _locked(home: Path) -> Iterator[None]:
    """An exclusive lock on ``<home>/engine.lock`` across processes (released if the holder dies)."""
    home.mkdir(parents=True, exist_ok=True)
    with (home / LOCK_FILE).open("a+") as fh:
        try:
            import fcntl
        except ImportError:  # Windows
            import msvcrt

            while True:
                try:
                    msvcrt.locking(fh.fileno(), msvcrt.LK_LOCK, 1)  # type: ignore[attr-defined]
                    break
                except OSError:
                    time.sleep(0.1)
            try:
                yield
            finally:
                fh.seek(0)
                msvcrt.locking(fh.fileno(), msvcrt.LK_UNLCK, 1)  # type: ignore[attr-defined]
            return
        fcntl.flock(fh.fileno(), fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh.fileno(), fcntl.LOCK_UN)


def ensure_engine(home: Path | None = None, *, host: str = "127.0.0.1", timeout: float = 30.0) -> str:
    """The base URL of the engine for ``home``: the running one, or a new one.

    Safe to call from several processes at once: exactly one engine is started.
    A started engine stops on its own after 60 idle minutes.
    """
    home = Path(home) if home is not None else default_home()
    url = find_engine(home)
    if url:
        return url
    with _locked(home):
        url = find_engine(home)
        if url:
            return url
        proc = start_engine(home, host=host, timeout=timeout, idle_timeout=DEFAULT_IDLE_MINUTES)
        return proc.url


def stop_engine(home: Path | None = None, timeout: float = 15.0) -> bool:
    """Stop the engine serving ``home``; True if one was running."""
    home = Path(home) if home is not None else default_home()
    info = _read_port_file(home)
    if not info:
        return False
    pid, url = info.get("pid"), info.get("url")
    if not isinstance(pid, int) or not _pid_alive(pid):
        return False
    # Only signal a process that really is our engine for this home.
    if not isinstance(url, str) or not _healthy(url, home):
        return False
    _terminate(pid, None, timeout)
    return True
