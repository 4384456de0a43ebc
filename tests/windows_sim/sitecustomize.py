"""Run nemo_jupyter as on Windows: its modules see no POSIX-only name.

Put this folder first on ``PYTHONPATH`` and every Python process started with it (the test's
driver, the engine it starts, that engine's helpers) imports it at start-up. From then on,
when a module of the ``nemo_jupyter`` package imports ``os``, ``signal``, ``socket``,
``subprocess``, ``sys`` or ``select``, it gets a copy of the module without the names Windows
lacks (``os.fork``, ``os.WNOHANG``, ``os.killpg``, ``os.getuid``, ``signal.SIGKILL``,
``socket.AF_UNIX``...; ``sys.platform`` is ``"win32"``), and ``fcntl``, ``resource``, ``pwd``,
``grp``, ``termios`` and ``pty`` do not import at all. The standard library and third-party
packages keep the real modules, so Python itself still runs on this POSIX machine: what is
checked is that our code never reaches for a POSIX-only name unguarded.

Windows-only names (``msvcrt``, ``subprocess.CREATE_NEW_PROCESS_GROUP``...) are not added:
code must look them up with ``getattr``/``hasattr``, as it does for POSIX names.
"""

from __future__ import annotations

import builtins
import os
import signal
import socket
import subprocess
import sys
import types

PACKAGE = "nemo_jupyter"
_HIDDEN: dict[str, set[str]] = {
    "os": {"fork", "forkpty", "WNOHANG", "WUNTRACED", "killpg", "getpgid", "setpgid", "getpgrp", "setsid",
           "getsid", "getuid", "geteuid", "getgid", "getegid", "setuid", "setgid", "getgroups", "setpriority",
           "getpriority", "PRIO_PROCESS", "PRIO_PGRP", "PRIO_USER", "nice", "wait3", "wait4", "sync",
           "mkfifo", "mknod", "fchown", "chown", "lchown", "getloadavg", "sched_getaffinity", "pipe2",
           "pidfd_open", "register_at_fork", "O_NOFOLLOW", "O_CLOEXEC", "posix_spawn", "fchmod", "statvfs",
           "uname", "ttyname", "getpwuid"},
    "signal": {"SIGKILL", "SIGHUP", "SIGQUIT", "SIGUSR1", "SIGUSR2", "SIGCHLD", "SIGALRM", "SIGPIPE", "SIGSTOP",
               "SIGCONT", "SIGTSTP", "SIGWINCH", "pthread_kill", "pthread_sigmask", "setitimer", "alarm",
               "pause", "siginterrupt", "sigwait", "SIGRTMIN", "SIGRTMAX"},
    "socket": {"AF_UNIX", "socketpair", "SO_REUSEPORT", "sethostname", "CMSG_LEN", "sendmsg", "recvmsg"},
    "subprocess": set(),
    "select": {"poll", "epoll", "kqueue", "POLLIN", "POLLOUT"},
    "sys": set(),
}
_BLOCKED = {"fcntl", "resource", "pwd", "grp", "termios", "pty", "posix", "tty"}


class _Windowsish(types.ModuleType):
    def __init__(self, real: types.ModuleType, hidden: set[str], extra: dict[str, object]) -> None:
        super().__init__(real.__name__, real.__doc__)
        object.__setattr__(self, "_real", real)
        object.__setattr__(self, "_hidden", hidden)
        object.__setattr__(self, "_extra", extra)

    def __getattr__(self, name: str) -> object:
        if name in self._hidden:
            raise AttributeError(f"module {self._real.__name__!r} has no attribute {name!r} (simulated Windows)")
        if name in self._extra:
            return self._extra[name]
        return getattr(self._real, name)

    def __setattr__(self, name: str, value: object) -> None:
        setattr(self._real, name, value)

    def __dir__(self) -> list[str]:
        return sorted((set(dir(self._real)) | set(self._extra)) - self._hidden)


def _proxies() -> dict[str, types.ModuleType]:
    import select

    real = {"os": os, "signal": signal, "socket": socket, "subprocess": subprocess, "select": select, "sys": sys}
    extra: dict[str, dict[str, object]] = {name: {} for name in real}
    extra["sys"]["platform"] = "win32"
    extra["os"]["name"] = "posix"  # os.name stays: os.path and friends are the real, POSIX ones here
    return {name: _Windowsish(mod, _HIDDEN[name], extra[name]) for name, mod in real.items()}


_PROXIES = _proxies()
_real_import = builtins.__import__
_PKG_DIR: str | None = None


def _ours(globals_: object) -> bool:
    if not isinstance(globals_, dict):
        return False
    name = str(globals_.get("__name__") or "")
    if name == PACKAGE or name.startswith(PACKAGE + "."):
        return True
    spec = globals_.get("__spec__")
    spec_name = getattr(spec, "name", "") or ""
    return spec_name == PACKAGE or spec_name.startswith(PACKAGE + ".")


def _import(name: str, globals: object = None, locals: object = None, fromlist: object = (), level: int = 0) -> object:
    if level == 0 and _ours(globals):
        top = name.partition(".")[0]
        if top in _BLOCKED:
            raise ImportError(f"No module named {name!r} (simulated Windows)", name=name)
        if name in _PROXIES:
            return _PROXIES[name]
        if top in _PROXIES and not fromlist:
            _real_import(name, globals, locals, fromlist, level)  # e.g. os.path: load it, hand back the proxy
            return _PROXIES[top]
    return _real_import(name, globals, locals, fromlist, level)  # type: ignore[arg-type]


builtins.__import__ = _import
os.environ["NEMO_SIMULATED_WINDOWS"] = "1"
