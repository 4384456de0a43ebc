"""Settings from the environment, the persisted client id, the token cache.

Environment variables (explicit arguments to ``Nemo(...)`` win over them):

``NEMO_BACKEND``        ``local`` | ``cloud`` | a URL. Default ``local``, or ``cloud`` when ``NEMO_TOKEN`` is set.
``NEMO_TOKEN``          a token used as is (cloud and URL backends).
``NEMO_API_URL``        the cloud API base (default ``https://mega-api-prod.nemovideo.ai``).
``NEMO_WEB_URL``        the web base for links (default ``https://nemovideo.com``).
``NEMO_CLIENT_ID``      the client id (UUID) sent to get anonymous tokens; otherwise persisted.
``NEMO_PLATFORM``       the ``X-Skill-Platform`` header (default ``jupyter`` in a kernel, else ``python``).
``NEMO_MAX_UPLOAD_MB``  the upload size limit checked before sending (default 500).
``NEMO_CONFIG_DIR``     where the client id, token cache and job list live (default: the user config dir).
``NEMO_ENGINE_HOME``    the embedded engine's data dir (read by the engine; passed through).
``NEMO_CLASS_CODE``     the class code a classroom engine asks for before it hands out a token.
``NEMO_REPLAY_DAYS``    turns kept in the replay log (``replay.sqlite3``) this many days (default 90; 0: forever).

What the client accepts from a backend and how long it waits are value objects, given to
``Nemo(...)``: :class:`Limits` (one server-sent event, one turn, one download) and
:class:`Timeouts` (a request, a turn that sends only keep-alives, a whole turn, a whole download).
A folder the client cannot write (a full disk, a home over quota) is a :class:`ConfigError`
that names it and says to free space or to point ``NEMO_CONFIG_DIR`` elsewhere
(:func:`config_writes`).
"""

from __future__ import annotations

import contextlib
import json
import os
import sys
import tempfile
import threading
import uuid
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from .._version import __version__
from .exceptions import ConfigError
from .secrets import register_secret

__all__ = [
    "DEFAULT_API_URL",
    "DEFAULT_WEB_URL",
    "JsonStore",
    "Limits",
    "Polling",
    "Recovery",
    "Retries",
    "Settings",
    "Timeouts",
    "atomic_write_json",
    "config_error",
    "config_writes",
    "open_private",
    "private_dir",
    "read_json",
]

DEFAULT_API_URL = "https://mega-api-prod.nemovideo.ai"
DEFAULT_WEB_URL = "https://nemovideo.com"
DEFAULT_MAX_UPLOAD_MB = 500.0
DEFAULT_REPLAY_DAYS = 90.0
SKILL_SOURCE = "nemo-jupyter"

_file_lock = threading.Lock()


def detect_platform() -> str:
    """``jupyter`` when an IPython kernel runs in this process, else ``python`` (imports nothing)."""
    return "jupyter" if "ipykernel" in sys.modules else "python"


def default_config_dir() -> Path:
    from platformdirs import user_config_dir

    return Path(user_config_dir("nemo-jupyter", appauthor=False))


def normalize_backend(value: str | None) -> str:
    """``local``, ``cloud`` or an ``http(s)://`` URL without a trailing slash."""
    if value is None:
        raise ConfigError("No backend given.")
    text = value.strip()
    low = text.lower()
    if low in ("local", "cloud"):
        return low
    if low.startswith(("http://", "https://")):
        return text.rstrip("/")
    raise ConfigError(f"Unknown backend {value!r}: use 'local', 'cloud' or a URL such as http://127.0.0.1:8765.")


def config_error(path: Path, exc: OSError) -> ConfigError:
    """The error for a file or folder of the client's (config dir, outputs) it cannot write."""
    import errno

    full = exc.errno in (errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC))
    why = "the disk (or your quota) is full" if full else (exc.strerror or type(exc).__name__).lower()
    return ConfigError(f"Cannot write {path} ({why}).",
                       hint=("Free some space there, or point NEMO_CONFIG_DIR at a folder you can write "
                             "(it keeps the client id, tokens, job ids and the replay log), then try again."))


@contextlib.contextmanager
def config_writes(path: Path) -> Iterator[None]:
    """Writes under ``path``: an ``OSError`` becomes the :class:`ConfigError` of :func:`config_error`."""
    try:
        yield
    except TimeoutError:   # a lock someone else holds (filelock's Timeout): not a write that failed
        raise
    except OSError as exc:
        raise config_error(path, exc) from None


def private_dir(path: Path) -> Path:
    """Create ``path`` (and parents) and make it 0700 when this user owns it: the config dir
    holds the client id and tokens, which other users of a shared machine must not read."""
    with config_writes(path):
        path.mkdir(parents=True, exist_ok=True)
    with contextlib.suppress(OSError, NotImplementedError):
        st = path.stat()
        if (not hasattr(os, "getuid") or st.st_uid == os.getuid()) and st.st_mode & 0o077:
            os.chmod(path, 0o700)
    return path


def open_private(path: Path, mode: str = "a") -> Any:
    """Open ``path`` for appending (created 0600, its dir 0700): lock files, logs."""
    private_dir(path.parent)
    with config_writes(path):
        fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_APPEND, 0o600)
    return os.fdopen(fd, mode)


def file_lock(path: Path) -> Any:
    """The cross-process (and cross-thread) lock on the file ``path``, the same on every OS (see
    :func:`nemo_jupyter.engine.processes.file_lock`); its folder is private (0700) like the rest."""
    from ..engine.processes import file_lock as _file_lock

    private_dir(path.parent)
    with config_writes(path):
        return _file_lock(path)


@contextlib.contextmanager
def locked_file(path: Path, lock: threading.Lock) -> Iterator[None]:
    """Hold ``lock`` (threads) and an exclusive lock on ``path`` + ".lock" across processes
    (several kernels may share one config dir)."""
    lock_path = path.with_name(path.name + ".lock")
    with lock:
        flock = file_lock(lock_path)
        with config_writes(lock_path):
            flock.acquire()
        try:
            yield
        finally:
            flock.release()


def _write_private_text(path: Path, text: str) -> None:
    """``path`` replaced by ``text`` through a 0600 temporary file and a rename."""
    private_dir(path.parent)
    with config_writes(path):
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=str(path.parent))
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                fh.write(text)
            os.replace(tmp, path)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
            raise


def read_json(path: Path) -> Any:
    """The JSON content of ``path``, or None when missing or unreadable."""
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def atomic_write_json(path: Path, data: Any, *, private: bool = True) -> None:
    """Write ``data`` as JSON through a temporary file and a rename (0600, in a 0700 dir); nothing
    half-written is left (a full disk is a :class:`ConfigError`, the old file stays)."""
    private_dir(path.parent)
    with config_writes(path):
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=str(path.parent))
        try:
            if private:
                os.chmod(tmp, 0o600)
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                json.dump(data, fh, indent=1, sort_keys=True)
                fh.flush()
                os.fsync(fh.fileno())
            os.replace(tmp, path)
            if private:
                os.chmod(path, 0o600)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
            raise


class JsonStore:
    """A small JSON file of ``{key: entry}`` kept by every kernel of this user (the job ids,
    the render cache): read whole, changed under :func:`locked_file`, written atomically.
    Each kind of store has its own thread lock."""

    _lock: threading.Lock

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        cls._lock = threading.Lock()

    def __init__(self, path: Path) -> None:
        self.path = path

    def _locked(self) -> contextlib.AbstractContextManager[None]:
        return locked_file(self.path, self._lock)

    def _read(self) -> dict[str, dict[str, Any]]:
        data = read_json(self.path)
        if not isinstance(data, dict):
            return {}
        return {str(k): v for k, v in data.items() if isinstance(v, dict)}


def _check_header_value(name: str, value: object) -> None:
    """A token or client id is sent in an HTTP header: printable ASCII, at most 4096 characters."""
    if not isinstance(value, str) or not value.strip():
        raise ConfigError(f"The {name} must be a non-empty string.")
    if len(value) > 4096 or not all(" " <= ch <= "~" for ch in value):
        raise ConfigError(f"The {name} contains characters that cannot be sent in an HTTP header "
                          "(line breaks, control or non-ASCII characters) or is too long.",
                          hint=f"Use the {name} exactly as you were given it (a UUID for a client id).")


def _float_env(env: Mapping[str, str], name: str, default: float, *, zero: bool = False) -> float:
    raw = env.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        value = float(raw)
    except ValueError:
        raise ConfigError(f"{name}={raw!r} is not a number.", hint=f"Set {name} to a number, e.g. 500.") from None
    if not (value >= 0 if zero else value > 0) or value == float("inf"):
        raise ConfigError(f"{name} must be {'a number >= 0' if zero else 'positive'}, got {raw!r}.",
                          hint=f"Set {name} to a {'number >= 0' if zero else 'positive number'}.")
    return value


class _Value:
    """A small frozen settings record: ``with_(field=value)`` gives a changed copy."""

    def with_(self, **changes: Any) -> Any:
        return replace(self, **changes)  # type: ignore[type-var]


@dataclass(frozen=True)
class Retries(_Value):
    """GETs retried ``attempts`` times on connection errors and 5xx (``backoff * 2**n`` s apart);
    after a 429 without ``Retry-After``, one wait of ``rate_limit_wait`` seconds."""

    attempts: int = 3
    backoff: float = 0.5
    rate_limit_wait: float = 30.0


@dataclass(frozen=True)
class Polling(_Value):
    """Render polls: every ``interval`` s, times ``backoff`` after each, at most ``max_interval``."""

    interval: float = 2.0
    backoff: float = 1.5
    max_interval: float = 15.0


@dataclass(frozen=True)
class Recovery(_Value):
    """After a dropped chat stream: wait ``wait`` s, then read the state ``checks`` times ``interval`` apart."""

    wait: float = 30.0
    interval: float = 60.0
    checks: int = 5


@dataclass(frozen=True)
class Timeouts(_Value):
    """``request``: one plain request; ``turn``: a chat turn that sends only keep-alives this long ends;
    ``turn_total``: a whole chat turn, however lively (the protocol's longest turns take 15 minutes);
    ``download``: a whole download of a video (a trickling body ends). Seconds."""

    request: float = 60.0
    turn: float = 600.0
    turn_total: float = 1800.0
    download: float = 3600.0


@dataclass(frozen=True)
class Limits(_Value):
    """What the client accepts from a backend before it stops reading (a typed error says which):
    ``event_mb`` one server-sent event (one ``data:`` line included); ``turn_mb`` everything one chat
    turn streams; ``turn_events`` the events of one turn; ``reply_chars`` the reply text of one
    turn; ``download_mb`` one video downloaded (a body without end fills no disk)."""

    event_mb: float = 16.0
    turn_mb: float = 64.0
    turn_events: int = 20_000
    reply_chars: int = 200_000
    download_mb: float = 4096.0

    @property
    def event_bytes(self) -> int:
        return int(self.event_mb * 1024 * 1024)

    @property
    def turn_bytes(self) -> int:
        return int(self.turn_mb * 1024 * 1024)

    @property
    def download_bytes(self) -> int:
        return int(self.download_mb * 1024 * 1024)


@dataclass(frozen=True)
class Settings:
    """Resolved settings. Build with :meth:`from_env`; the token never shows in the repr."""

    backend: str = "local"
    token: str | None = field(default=None, repr=False)
    api_url: str = DEFAULT_API_URL
    web_url: str = DEFAULT_WEB_URL
    client_id: str | None = None
    platform: str = "python"
    max_upload_mb: float = DEFAULT_MAX_UPLOAD_MB
    config_dir: Path = field(default_factory=default_config_dir)
    engine_home: Path | None = None
    class_code: str | None = field(default=None, repr=False)
    replay_days: float = DEFAULT_REPLAY_DAYS

    def __post_init__(self) -> None:
        register_secret(self.token)
        register_secret(self.class_code)
        for name, value in (("token", self.token), ("client_id", self.client_id), ("class code", self.class_code)):
            if value is not None:
                _check_header_value(name, value)

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None, **overrides: Any) -> Settings:
        """Settings from ``environ`` (default ``os.environ``); non-None ``overrides`` win."""
        env = os.environ if environ is None else environ
        given = {k: v for k, v in overrides.items() if v is not None}
        token = given.get("token", env.get("NEMO_TOKEN") or None)
        backend_raw = given.get("backend", env.get("NEMO_BACKEND") or None)
        if backend_raw is None:
            backend_raw = "cloud" if token else "local"
        config_raw = given.get("config_dir", env.get("NEMO_CONFIG_DIR") or None)
        home_raw = given.get("engine_home", env.get("NEMO_ENGINE_HOME") or None)
        max_mb = given.get("max_upload_mb")
        if max_mb is None:
            max_mb = _float_env(env, "NEMO_MAX_UPLOAD_MB", DEFAULT_MAX_UPLOAD_MB)
        else:
            try:
                number = float(max_mb)
            except (TypeError, ValueError):
                raise ConfigError(f"max_upload_mb must be a number, got {max_mb!r}.") from None
            if not number > 0 or number == float("inf"):
                raise ConfigError(f"max_upload_mb must be a positive number, got {max_mb!r}.")
        replay_days = given.get("replay_days")
        if replay_days is None:
            replay_days = _float_env(env, "NEMO_REPLAY_DAYS", DEFAULT_REPLAY_DAYS, zero=True)
        return cls(
            backend=normalize_backend(str(backend_raw)),
            token=token,
            api_url=str(given.get("api_url", env.get("NEMO_API_URL") or DEFAULT_API_URL)).rstrip("/"),
            web_url=str(given.get("web_url", env.get("NEMO_WEB_URL") or DEFAULT_WEB_URL)).rstrip("/"),
            client_id=given.get("client_id", env.get("NEMO_CLIENT_ID") or None),
            platform=str(given.get("platform", env.get("NEMO_PLATFORM") or detect_platform())),
            max_upload_mb=float(max_mb),
            config_dir=Path(config_raw).expanduser() if config_raw else default_config_dir(),
            engine_home=Path(home_raw).expanduser() if home_raw else None,
            class_code=given.get("class_code", env.get("NEMO_CLASS_CODE") or None),
            replay_days=float(replay_days),
        )

    def with_(self, **changes: Any) -> Settings:
        return replace(self, **{k: v for k, v in changes.items() if v is not None})

    # -- attribution ---------------------------------------------------------------------------
    @property
    def attribution_headers(self) -> dict[str, str]:
        return {
            "X-Skill-Source": SKILL_SOURCE,
            "X-Skill-Version": __version__,
            "X-Skill-Platform": self.platform,
        }

    @property
    def max_upload_bytes(self) -> int:
        return int(self.max_upload_mb * 1024 * 1024)

    # -- files in the config dir ---------------------------------------------------------------
    @property
    def client_id_file(self) -> Path:
        return self.config_dir / "client_id"

    @property
    def token_file(self) -> Path:
        return self.config_dir / "tokens.json"

    @property
    def jobs_file(self) -> Path:
        return self.config_dir / "jobs.json"

    def resolve_client_id(self) -> str:
        """``NEMO_CLIENT_ID``/explicit id, else the persisted one, else a new UUID (persisted)."""
        if self.client_id:
            return self.client_id
        with _file_lock:
            try:
                existing = self.client_id_file.read_text(encoding="utf-8").strip()
            except OSError:
                existing = ""
            if existing:
                # written 0644 by an older version: make the dir and the file this user's alone
                private_dir(self.config_dir)
                with contextlib.suppress(OSError):
                    if self.client_id_file.stat().st_mode & 0o077:
                        os.chmod(self.client_id_file, 0o600)
                return existing
            new = str(uuid.uuid4())
            _write_private_text(self.client_id_file, new + "\n")
            return new

    def replace_client_id(self) -> str:
        """A fresh UUID after the backend said the id was missing; persisted unless set explicitly."""
        new = str(uuid.uuid4())
        if not self.client_id:
            with _file_lock:
                _write_private_text(self.client_id_file, new + "\n")
        return new

    def cached_token(self, base_url: str) -> dict[str, Any] | None:
        """The cached ``{"token", "user_id", "expires_at"}`` for ``base_url``, if any."""
        data = read_json(self.token_file)
        entry = data.get(base_url) if isinstance(data, dict) else None
        if isinstance(entry, dict) and isinstance(entry.get("token"), str):
            register_secret(entry["token"])
            return entry
        return None

    def store_token(self, base_url: str, entry: dict[str, Any] | None) -> None:
        """Cache (or forget, with None) the token for ``base_url`` in a 0600 file."""
        with _file_lock:
            data = read_json(self.token_file)
            if not isinstance(data, dict):
                data = {}
            if entry is None:
                data.pop(base_url, None)
            else:
                data[base_url] = entry
            atomic_write_json(self.token_file, data, private=True)
