"""Find the running engine for a data dir, or start one.

Several kernels on one machine share one engine per data dir. The engine writes
``engine.json`` (url, pid, home id, its Unix socket, a per-engine secret) into its
data dir once it listens; a client checks that file and verifies the engine with
``GET /health?nonce=<random>``: only the engine that wrote the file knows the secret
and can answer ``proof = HMAC(secret, nonce)``, so a stale file whose port (or pid) was
reused by another server is not trusted, and nothing (no client id, no secret) is sent
to that server. Otherwise it starts a detached engine process under an exclusive lock
on ``engine.lock``, so two kernels starting at once get one engine.

Isolation on shared machines: the data dir is 0700 and every file in it 0600. The
engine :func:`ensure_engine` starts is *private*: it listens on a Unix domain socket
in the user's runtime dir (``$XDG_RUNTIME_DIR``) or in the data dir, where only its
user can connect, and every request must carry the per-engine secret of the 0600
``engine.json`` (``X-Nemo-Engine-Secret``). Where there are no Unix sockets it listens
on loopback TCP and the secret alone keeps other local users out.

This is the one module of the engine the client imports: from the engine it imports only
:mod:`.processes` and :mod:`.holders` (psutil, filelock), besides the standard library, httpx
and platformdirs. Which kernels hold the engine, and when it stops on its own: :mod:`.holders`.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import json
import os
import secrets
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from .holders import hold, holders, linger_seconds
from .processes import detached_popen_kwargs, file_lock, kill_tree, pid_alive, terminate_tree

__all__ = [
    "SECRET_HEADER",
    "EngineAddress",
    "EngineInfo",
    "EngineProcess",
    "EngineStartError",
    "default_home",
    "engine_info",
    "ensure_engine",
    "ensure_engine_address",
    "find_engine",
    "find_engine_address",
    "health_proof",
    "home_id",
    "make_private",
    "socket_path",
    "start_engine",
    "stop_engine",
]

PORT_FILE = "engine.json"
LOCK_FILE = "engine.lock"
LOG_FILE = "engine.log"
DEFAULT_IDLE_MINUTES = 60.0   # a held engine (a kernel uses it) stops after this long idle
DEFAULT_LINGER_S = 300.0      # an engine no process holds any more stops after this long idle
SECRET_HEADER = "X-Nemo-Engine-Secret"
_MAX_SOCKET_PATH = 100  # sun_path holds 104 (macOS) or 108 (Linux) bytes


def make_private(path: Path) -> Path:
    """Create the directory ``path`` (and parents) and make it 0700; returns it.

    Parents are created with the default mode; only ``path`` itself is tightened, and only
    when this user owns it (chmod on someone else's dir would fail anyway).
    """
    path.mkdir(parents=True, exist_ok=True)
    with contextlib.suppress(OSError, NotImplementedError):
        st = path.stat()
        if (not hasattr(os, "getuid") or st.st_uid == os.getuid()) and st.st_mode & 0o077:
            os.chmod(path, 0o700)
    return path


def _private_dir_ok(path: Path) -> bool:
    """``path`` is a directory this user owns that nobody else can enter."""
    try:
        st = path.stat()
    except OSError:
        return False
    if not hasattr(os, "getuid"):
        return True
    return path.is_dir() and st.st_uid == os.getuid() and not st.st_mode & 0o077


def socket_path(home: Path) -> Path | None:
    """Where the private engine for ``home`` listens: a Unix socket path, or None (no Unix sockets).

    ``$XDG_RUNTIME_DIR/nemo_jupyter/engine-<home id>.sock`` when that runtime dir is this
    user's and private, else ``<home>/engine.sock``; None where the platform has no Unix
    sockets or the path would be too long for one.
    """
    if not hasattr(socket, "AF_UNIX") or sys.platform == "win32":
        return None
    runtime = os.environ.get("XDG_RUNTIME_DIR")
    candidates: list[Path] = []
    if runtime and _private_dir_ok(Path(runtime)):
        candidates.append(Path(runtime) / "nemo_jupyter" / f"engine-{home_id(home)}.sock")
    candidates.append(Path(home).expanduser().resolve() / "engine.sock")
    for cand in candidates:
        if len(os.fsencode(str(cand))) <= _MAX_SOCKET_PATH:
            return cand
    return None


def health_proof(secret: str, nonce: str) -> str:
    """What ``GET /health?nonce=`` answers: only an engine holding ``secret`` can compute it."""
    return hmac.new(secret.encode("utf-8"), b"nemo-engine-health:" + nonce.encode("utf-8"),
                    hashlib.sha256).hexdigest()


@dataclass(frozen=True)
class EngineAddress:
    """How to reach one running engine: ``url`` (the base of every request), the Unix socket
    it listens on (None: TCP) and the per-engine secret every request must carry (None: the
    engine does not ask for one). Build an httpx client with :meth:`transport` / :meth:`headers`."""

    url: str
    socket: str | None = None
    secret: str | None = field(default=None, repr=False)

    def headers(self) -> dict[str, str]:
        return {SECRET_HEADER: self.secret} if self.secret else {}

    def transport(self) -> httpx.HTTPTransport:
        """A plain transport to the engine (its socket, or TCP); add :meth:`headers` yourself."""
        return httpx.HTTPTransport(uds=self.socket) if self.socket else httpx.HTTPTransport()

    def async_transport(self) -> httpx.AsyncBaseTransport:
        """An async transport that reaches the engine (over its socket: every request goes
        there) and adds the secret to requests for the engine's own origin, never elsewhere."""
        inner = httpx.AsyncHTTPTransport(uds=self.socket) if self.socket else httpx.AsyncHTTPTransport()
        return _SecretTransport(inner, self) if self.secret else inner


class _SecretTransport(httpx.AsyncBaseTransport):
    def __init__(self, inner: httpx.AsyncBaseTransport, address: EngineAddress) -> None:
        self.inner, self.address = inner, address
        self.origin = httpx.URL(address.url)

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        same = (request.url.scheme, request.url.host, request.url.port) == (
            self.origin.scheme, self.origin.host, self.origin.port)
        if (same or self.address.socket) and self.address.secret:
            request.headers[SECRET_HEADER] = self.address.secret
        return await self.inner.handle_async_request(request)

    async def aclose(self) -> None:
        await self.inner.aclose()


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
    return pid_alive(pid)  # a zombie child of ours counts as dead


def _address(info: dict[str, object] | None) -> EngineAddress | None:
    """The address a port file names (not yet verified), or None when it names none."""
    if not info:
        return None
    url, sock, secret = info.get("url"), info.get("socket"), info.get("secret")
    if not isinstance(url, str) or not isinstance(secret, str) or not secret:
        return None  # an engine that cannot prove itself (or a file written by someone else)
    return EngineAddress(url=url, socket=sock if isinstance(sock, str) and sock else None,
                         secret=secret if info.get("private") else None)


def _verified(address: EngineAddress, secret: str, home: Path, timeout: float = 2.0) -> bool:
    """True when the server at ``address`` proves it holds ``secret`` and serves ``home``.

    The nonce is fresh and random: an old answer cannot be replayed, and nothing else
    (no secret, no client id) is sent before the proof checks out.
    """
    nonce = secrets.token_hex(16)
    try:
        with httpx.Client(transport=address.transport(), timeout=timeout, trust_env=False) as http:
            r = http.get(f"{address.url}/health", params={"nonce": nonce})
        data = r.json()
    except (httpx.HTTPError, ValueError, OSError):
        return False
    return (
        r.status_code == 200
        and isinstance(data, dict)
        and data.get("engine") == "nemo_jupyter"
        and data.get("home") == home_id(home)
        and isinstance(data.get("proof"), str)
        and hmac.compare_digest(str(data["proof"]), health_proof(secret, nonce))
    )


def find_engine_address(home: Path | None = None) -> EngineAddress | None:
    """How to reach the healthy engine serving ``home`` (verified by its secret), or None."""
    home = Path(home) if home is not None else default_home()
    info = _read_port_file(home)
    address = _address(info)
    if address is None or info is None:
        return None
    pid = info.get("pid")
    if not isinstance(pid, int) or not _pid_alive(pid):
        return None
    return address if _verified(address, str(info["secret"]), home) else None


def find_engine(home: Path | None = None) -> str | None:
    """The base URL of a healthy engine serving ``home``, or None (see :func:`find_engine_address`)."""
    address = find_engine_address(home)
    return address.url if address else None


@dataclass
class EngineProcess:
    """A handle on an engine process: ``.url``, ``.home``, ``.pid``, ``.address``, ``.stop()``."""

    url: str
    home: Path
    pid: int
    _popen: subprocess.Popen[bytes] | None = field(default=None, repr=False)
    address: EngineAddress | None = field(default=None, repr=False)

    def stop(self, timeout: float = 15.0) -> None:
        """Ask the engine to stop (SIGTERM; on Windows it is ended), kill it if it does not within
        ``timeout``."""
        _terminate(self.pid, self._popen, timeout)

    def kill(self) -> None:
        """Kill the engine at once (SIGKILL): no clean shutdown, as after a crash."""
        kill_tree(self.pid, children=False)  # its FFmpeg children die with it (parent-death signal, guard)
        if self._popen is not None:
            self._popen.wait(10)

    def alive(self) -> bool:
        if self._popen is not None:
            return self._popen.poll() is None
        return _pid_alive(self.pid)


def _terminate(pid: int, popen: subprocess.Popen[bytes] | None, timeout: float) -> None:
    terminate_tree(pid, timeout, children=False)
    if popen is not None:
        with contextlib.suppress(subprocess.TimeoutExpired):
            popen.wait(10)


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
    private: bool = False,
    unix_socket: Path | None = None,
    linger: float | None = None,
    extra_args: list[str] | None = None,
) -> EngineProcess:
    """Start an engine process for ``home`` (detached, its output in ``engine.log``).

    Waits until it proves itself on ``/health``. ``idle_timeout`` in minutes (None: the
    engine's default of 60; 0: never stop). ``private``: every request must carry the
    per-engine secret; ``unix_socket``: listen there instead of on TCP (implies private).
    ``linger`` seconds: also stop once idle that long with no process holding it (see
    :mod:`.holders`; None: not for that reason).
    """
    home = Path(home) if home is not None else default_home()
    make_private(home)
    cmd = [sys.executable, "-m", "nemo_jupyter.engine", "--home", str(home)]
    if unix_socket is not None:
        cmd += ["--socket", str(unix_socket)]
    else:
        cmd += ["--port", str(port), "--host", host]
    if private or unix_socket is not None:
        cmd += ["--private"]
    if idle_timeout is not None:
        cmd += ["--idle-timeout", str(idle_timeout)]
    if linger is not None:
        cmd += ["--linger", str(linger)]
    if max_upload_mb is not None:
        cmd += ["--max-upload-mb", str(max_upload_mb)]
    cmd += list(extra_args or [])
    env = dict(os.environ)
    # Make the package importable by the child even when it is not installed.
    pkg_parent = str(Path(__file__).resolve().parents[2])
    env["PYTHONPATH"] = os.pathsep.join(p for p in (pkg_parent, env.get("PYTHONPATH", "")) if p)
    env["NEMO_ENGINE_HOME"] = str(home)
    log_fd = os.open(home / LOG_FILE, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    with os.fdopen(log_fd, "ab") as log:
        popen = subprocess.Popen(
            cmd, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT, env=env,
            close_fds=True, **detached_popen_kwargs(),
        )
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if popen.poll() is not None:
            raise EngineStartError(
                f"the engine exited at start (code {popen.returncode}); its log says:\n{_log_tail(home)}"
            )
        info = _read_port_file(home)
        address = _address(info)
        if info and address and info.get("pid") == popen.pid and _verified(address, str(info["secret"]), home):
            return EngineProcess(url=address.url, home=home, pid=popen.pid, _popen=popen, address=address)
        time.sleep(0.1)
    _terminate(popen.pid, popen, 5)
    raise EngineStartError(
        f"the engine did not answer within {timeout:.0f} s; its log says:\n{_log_tail(home)}"
    )


@contextlib.contextmanager
def _locked(home: Path) -> Iterator[None]:
    """An exclusive lock on ``<home>/engine.lock`` across processes (released if the holder dies)."""
    make_private(home)
    with file_lock(home / LOCK_FILE):
        yield


def ensure_engine_address(home: Path | None = None, *, timeout: float = 30.0) -> EngineAddress:
    """How to reach the engine for ``home``: the running one, or a new private one; this process
    then holds it (see :mod:`.holders`) until it exits.

    Safe to call from several processes at once: exactly one engine is started. A started
    engine listens on a Unix socket only this user can reach (loopback TCP with its secret where
    there are none), asks every request for its secret and stops on its own once idle: after
    ``NEMO_ENGINE_IDLE`` seconds (read here, default 300) when no process holds it any more,
    after 60 idle minutes while one does.
    """
    home = Path(home) if home is not None else default_home()
    linger = linger_seconds(DEFAULT_LINGER_S)
    hold(home)
    found = find_engine_address(home)
    if found:
        return found
    with _locked(home):
        found = find_engine_address(home)
        if found:
            return found
        sock = socket_path(home)
        idle = max(DEFAULT_IDLE_MINUTES, linger / 60.0) if linger else DEFAULT_IDLE_MINUTES
        if sock is not None:
            try:
                proc = start_engine(home, unix_socket=sock, timeout=timeout, idle_timeout=idle, linger=linger)
            except EngineStartError:
                sock = None  # a file system without Unix sockets (some network mounts): TCP + secret
        if sock is None:
            proc = start_engine(home, private=True, timeout=timeout, idle_timeout=idle, linger=linger)
        assert proc.address is not None
        return proc.address


@dataclass(frozen=True)
class EngineInfo:
    """What a running engine says about itself in its ``engine.json``: its ``pid``, how long it
    stays once idle and held by no process (``linger`` seconds; None: it does not stop for
    that; 0: never) and while held (``idle_timeout`` minutes; 0: never), and the live
    ``holders``' pids."""

    pid: int
    linger: float | None
    idle_timeout: float | None
    holders: tuple[int, ...]


def engine_info(home: Path | None = None) -> EngineInfo | None:
    """The healthy engine serving ``home`` as :class:`EngineInfo`, or None when none runs."""
    home = Path(home) if home is not None else default_home()
    info = _read_port_file(home)
    pid = info.get("pid") if info else None
    if info is None or not isinstance(pid, int) or find_engine_address(home) is None:
        return None
    linger, idle = info.get("linger"), info.get("idle_timeout")
    return EngineInfo(pid=pid,
                      linger=float(linger) if isinstance(linger, (int, float)) else None,
                      idle_timeout=float(idle) if isinstance(idle, (int, float)) else None,
                      holders=tuple(holders(home)))


def ensure_engine(home: Path | None = None, *, timeout: float = 30.0) -> str:
    """The base URL of the engine for ``home`` (see :func:`ensure_engine_address`, which also
    says which socket and secret to use: a private engine answers nothing without them)."""
    return ensure_engine_address(home, timeout=timeout).url


def stop_engine(home: Path | None = None, timeout: float = 15.0) -> bool:
    """Stop the engine serving ``home``; True if one was running."""
    home = Path(home) if home is not None else default_home()
    info = _read_port_file(home)
    address = _address(info)
    if not info or address is None:
        return False
    pid = info.get("pid")
    if not isinstance(pid, int) or not _pid_alive(pid):
        return False
    # Only signal a process that really is our engine for this home.
    if not _verified(address, str(info["secret"]), home):
        return False
    _terminate(pid, None, timeout)
    return True
