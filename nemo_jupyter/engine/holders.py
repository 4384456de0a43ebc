"""Who holds the embedded engine: the kernels (and command lines) using it, one file each.

A client process that finds or starts the engine of a data dir writes
``<home>/holders/<pid>.json`` (its pid and start time) and removes it when it exits. The
engine a kernel starts stops after a short idle time (``--linger``, from ``NEMO_ENGINE_IDLE``)
once no live process holds it; while one does, only the long ``--idle-timeout`` applies. A
holder that died without cleaning up (a killed kernel) is recognised by its start time and
its file removed. Standard library and ``psutil`` only (the client imports this through the
launcher).
"""

from __future__ import annotations

import atexit
import contextlib
import json
import os
from pathlib import Path

from .processes import create_time, pid_alive

__all__ = ["ENV", "HOLDERS_DIR", "hold", "holders", "linger_seconds", "release"]

HOLDERS_DIR = "holders"
#: seconds an engine stays once idle and held by no process, read where the engine is started
ENV = "NEMO_ENGINE_IDLE"

_held: set[Path] = set()


def linger_seconds(default: float) -> float:
    """``NEMO_ENGINE_IDLE`` in seconds (0: never stop), else ``default``; ValueError when the
    variable is not a number of seconds."""
    raw = os.environ.get(ENV, "").strip()
    if not raw:
        return default
    try:
        value = float(raw)
    except ValueError:
        raise ValueError(f"{ENV} must be a number of seconds (0: never stop), not {raw!r}") from None
    if value < 0 or value != value:
        raise ValueError(f"{ENV} must be a number of seconds (0: never stop), not {raw!r}")
    return value


def _folder(home: Path) -> Path:
    return Path(home).expanduser().resolve() / HOLDERS_DIR


def hold(home: Path) -> None:
    """Mark this process as a holder of the engine of ``home`` until it exits (idempotent)."""
    folder = _folder(home)
    if folder in _held:
        return
    created = create_time()
    with contextlib.suppress(OSError):
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        path = folder / f"{os.getpid()}.json"
        tmp = folder / f".{os.getpid()}.tmp"  # written aside, then renamed: never read half-written
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump({"pid": os.getpid(), "created": created}, fh)
        os.replace(tmp, path)
        if not _held:
            atexit.register(_release_all)
        _held.add(folder)


def release(home: Path) -> None:
    """This process no longer holds the engine of ``home``."""
    folder = _folder(home)
    _held.discard(folder)
    with contextlib.suppress(OSError):
        (folder / f"{os.getpid()}.json").unlink()


def _release_all() -> None:
    for folder in list(_held):
        release(folder.parent)


def holders(home: Path) -> list[int]:
    """The pids of the live processes holding the engine of ``home``; files of dead ones are removed."""
    live: list[int] = []
    folder = _folder(home)
    try:
        entries = list(folder.glob("*.json"))
    except OSError:
        return live
    for path in entries:
        try:
            info = json.loads(path.read_text(encoding="utf-8"))
            pid, created = int(info["pid"]), info.get("created")
        except (OSError, ValueError, KeyError, TypeError):
            info = None
        if info is not None and pid_alive(pid, float(created) if isinstance(created, (int, float)) else None):
            live.append(pid)
        else:
            with contextlib.suppress(OSError):
                path.unlink()
    return live
