"""``python -m nemo_jupyter.engine``: serve the embedded engine.

    python -m nemo_jupyter.engine [--home DIR] [--host 127.0.0.1] [--port 0] [--idle-timeout MIN]
    python -m nemo_jupyter.engine --socket PATH      # a private engine on a Unix socket
    python -m nemo_jupyter.engine --stop             # stop the engine of --home (your kernels' one)
    python -m nemo_jupyter.engine ... [--dask tcp://scheduler:8786 | local[:N] | gateway[://ADDRESS]]

Port 0 picks a free port. The engine writes ``engine.json`` (url, pid, socket and a
per-engine secret) into its data dir while it runs, so this user's kernels find and
share it; the data dir is 0700 and everything in it 0600 (the engine runs with umask 077).
"""

from __future__ import annotations

import argparse
import contextlib
import ipaddress
import json
import os
import secrets
import socket
import stat
import sys
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

__all__ = ["main"]


def _parse(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(
        prog="python -m nemo_jupyter.engine",
        description="Serve the nemo_jupyter embedded video engine (the NemoVideo API on your machine).",
    )
    p.add_argument("--home", type=Path, default=None,
                   help="data dir (default: $NEMO_ENGINE_HOME or the user data dir)")
    p.add_argument("--host", default=None,
                   help="interface to listen on (default 127.0.0.1; anything else exposes the engine)")
    p.add_argument("--port", type=int, default=0, help="port (default 0: a free port)")
    p.add_argument("--idle-timeout", type=float, default=60.0,
                   help="stop after this many minutes with no request and no render (0: never; default 60)")
    p.add_argument("--linger", type=float, default=None, metavar="SECONDS",
                   help="also stop after this many seconds idle once no kernel or command holds the engine "
                        "(the engine a kernel starts gets $NEMO_ENGINE_IDLE, default 300; default here: "
                        "only --idle-timeout applies)")
    p.add_argument("--stop", action="store_true",
                   help="stop the engine serving --home (the one your kernels share) and exit")
    p.add_argument("--max-upload-mb", type=int, default=500, help="largest accepted upload (default 500 MB)")
    p.add_argument("--public-url", default=None,
                   help="base URL written into media links (default: the URL the client used)")
    p.add_argument("--dask", default=None, metavar="SPEC",
                   help="render on a Dask cluster: a scheduler address (tcp://host:8786), 'local[:N]' for a "
                        "LocalCluster of N worker processes here, or 'gateway[://ADDRESS]' for dask-gateway "
                        "(default: $NEMO_DASK_SCHEDULER; unset: render on this machine)")
    p.add_argument("--socket", type=Path, default=None,
                   help="listen on this Unix domain socket instead of TCP (implies --private)")
    p.add_argument("--allow-url-host", action="append", default=None, metavar="HOST",
                   help="let URL uploads fetch from HOST (a name, an address or a network such as 10.0.0.0/24) "
                        "although it is not a public address; repeatable (default: $NEMO_URL_UPLOAD_ALLOW, "
                        "comma-separated; none: public addresses only)")
    p.add_argument("--class-code", default=None,
                   help="a classroom engine hands out tokens only to clients sending this code "
                        "(students set NEMO_CLASS_CODE; at least 8 letters and digits); default $NEMO_CLASS_CODE, "
                        "and with a non-loopback --host one is made up and printed")
    p.add_argument("--quota", action="append", default=[], metavar="NAME=VALUE",
                   help="change a per-user quota: tokens, tokens_per_ip, sessions, upload_mb, queued_renders, "
                        "video_minutes, drafts_mb (repeatable)")
    p.add_argument("--keep-renders-days", type=float, default=None, metavar="DAYS",
                   help="remove finished renders older than this (made or last reused; 0: never; default "
                        "$NEMO_KEEP_RENDERS_DAYS or 14)")
    p.add_argument("--keep-renders-mb", type=float, default=None, metavar="MB",
                   help="keep finished renders within this many MB, the oldest removed first (0: no limit; "
                        "default $NEMO_KEEP_RENDERS_MB or 2048)")
    p.add_argument("--keep-versions", type=int, default=None, metavar="N",
                   help="draft versions kept per session, the oldest pruned (default $NEMO_KEEP_VERSIONS or 200)")
    p.add_argument("--private", action="store_true",
                   help="answer only requests carrying this engine's secret (written to the 0600 engine.json)")
    return p.parse_args(argv)


def _retention(args: argparse.Namespace) -> Any:
    """The retention from the flags, over the environment's (ValueError with a clear message)."""
    from dataclasses import replace

    from .disk import Retention

    keep = Retention.from_env()
    for name, value in (("renders_days", args.keep_renders_days), ("renders_mb", args.keep_renders_mb),
                        ("versions", args.keep_versions)):
        if value is None:
            continue
        if not value >= (1 if name == "versions" else 0) or value == float("inf"):
            raise ValueError(f"--keep-{name.replace('_', '-')} must be a number >= "
                             f"{1 if name == 'versions' else 0}, got {value}")
        keep = replace(keep, **{name: value})
    return keep


def _allowed_hosts(args: argparse.Namespace) -> list[str]:
    if args.allow_url_host:
        return [h for entry in args.allow_url_host for h in entry.split(",") if h.strip()]
    return [h for h in os.environ.get("NEMO_URL_UPLOAD_ALLOW", "").split(",") if h.strip()]


def _tighten(home: Path) -> None:
    """Make a data dir left by an older version private: dirs 0700, files 0600 (only this user's)."""
    uid = os.getuid() if hasattr(os, "getuid") else None
    for root, dirs, files in os.walk(home):
        for name, mode in [(d, 0o700) for d in dirs] + [(f, 0o600) for f in files]:
            path = Path(root) / name
            with contextlib.suppress(OSError):
                st = path.lstat()
                if stat.S_ISLNK(st.st_mode) or (uid is not None and st.st_uid != uid):
                    continue
                if st.st_mode & 0o077:
                    os.chmod(path, stat.S_IMODE(st.st_mode) & mode)


def _bind_unix(path: Path) -> socket.socket:
    """A listening-ready Unix socket at ``path`` that only this user can connect to.

    Its directory is created 0700; a leftover socket file (an engine killed before it could
    clean up) is replaced, anything else at that path is left alone and refused.
    """
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    st = path.parent.stat()
    if hasattr(os, "getuid") and st.st_uid != os.getuid():
        raise OSError(f"{path.parent} belongs to another user")
    if st.st_mode & 0o077:
        os.chmod(path.parent, 0o700)
    with contextlib.suppress(FileNotFoundError):
        if not stat.S_ISSOCK(path.lstat().st_mode):
            raise OSError(f"{path} exists and is not a socket")
        path.unlink()
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        sock.bind(str(path))
        os.chmod(path, 0o600)
    except OSError:
        sock.close()
        raise
    return sock


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def _trusted_hosts(host: str, public_url: str | None, loopback: tuple[str, ...]) -> list[str] | None:
    """The Host names a loopback-bound engine answers (against DNS rebinding); None: any.

    A loopback engine answers the loopback names, the address it is bound to, and the host of
    ``--public-url`` (a proxy in front of it may pass that name on).
    """
    if not _is_loopback(host):
        return None
    names = [*loopback, host.strip("[]").lower()]
    public_host = urlparse(public_url).hostname if public_url else None
    if public_host:
        names.append(public_host.lower())
    return list(dict.fromkeys(names))


def main(argv: list[str] | None = None) -> int:
    args = _parse(argv)
    import uvicorn

    from .api.quotas import Quotas, class_code_problem, make_class_code, parse_quota_args
    from .app import LOOPBACK_HOSTS, create_app
    from .holders import holders
    from .launcher import PORT_FILE, default_home, home_id, make_private, stop_engine

    if args.stop:
        serving = (args.home or default_home()).expanduser().resolve()
        stopped = stop_engine(serving)
        print("nemo engine stopped" if stopped else f"no nemo engine is running for {serving}", flush=True)
        return 0
    os.umask(0o077)  # every file and dir the engine makes is its user's alone
    home: Path = (args.home or default_home()).expanduser().resolve()
    make_private(home)
    _tighten(home)
    secret = secrets.token_hex(32)
    private = bool(args.private or args.socket)
    host = args.host or "127.0.0.1"
    socket_file: Path | None = None
    if args.socket is not None:
        socket_file = args.socket.expanduser().absolute()
        try:
            sock = _bind_unix(socket_file)
        except OSError as exc:
            print(f"error: cannot listen on the Unix socket {socket_file}: {exc}.", file=sys.stderr)
            return 2
        url = "http://localhost"
    else:
        if args.host and args.host not in ("127.0.0.1", "localhost", "::1"):
            print(f"warning: listening on {host}: anyone who can reach this machine can use the engine "
                  "(they still need a token from it).", file=sys.stderr, flush=True)
        family = socket.AF_INET6 if ":" in host else socket.AF_INET
        sock = socket.socket(family, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, args.port))
        except OSError as exc:
            print(f"error: cannot listen on {host}:{args.port}: {exc}. Pick another --port.", file=sys.stderr)
            return 2
        port = sock.getsockname()[1]
        shown_host = "127.0.0.1" if host in ("0.0.0.0", "") else host
        shown_host = f"[{shown_host}]" if ":" in shown_host else shown_host
        url = f"http://{shown_host}:{port}"

    if args.dask:
        from .cluster import ENV

        os.environ[ENV] = args.dask  # read by the render queue (and kept for its FFmpeg children)
    try:
        limits = parse_quota_args(args.quota)
    except ValueError as exc:
        print(f"error: --quota: {exc}.", file=sys.stderr)
        return 2
    try:
        retention = _retention(args)
    except ValueError as exc:
        print(f"error: {exc}.", file=sys.stderr)
        return 2
    class_code = args.class_code or os.environ.get("NEMO_CLASS_CODE") or None
    if class_code is not None:
        weak = class_code_problem(class_code)
        if weak:
            print(f"error: the class code is too easy to guess: {weak}. Use a longer one, for example "
                  f"--class-code {make_class_code()} (made up just now), or leave --class-code out and the "
                  "engine makes one up.", file=sys.stderr)
            return 2
    if class_code is None and socket_file is None and not _is_loopback(host):
        class_code = make_class_code()
    app = create_app(home, public_url=args.public_url, max_upload_mb=args.max_upload_mb,
                     trusted_hosts=_trusted_hosts(host, args.public_url, LOOPBACK_HOSTS),
                     secret=secret, require_secret=private, allow_url_hosts=_allowed_hosts(args),
                     quotas=Quotas(limits, class_code=class_code), retention=retention)
    engine = app.state.engine
    idle_seconds = max(0.0, float(args.idle_timeout)) * 60.0
    linger = max(0.0, float(args.linger)) if args.linger is not None else None
    port_file = home / PORT_FILE

    class _Server(uvicorn.Server):
        async def startup(self, sockets: list[socket.socket] | None = None) -> None:
            await super().startup(sockets=sockets)
            if self.should_exit:
                return
            tmp = port_file.with_suffix(".tmp")
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                json.dump({"url": url, "pid": os.getpid(), "home": home_id(home), "started": time.time(),
                           "socket": str(socket_file) if socket_file else None, "private": private,
                           "idle_timeout": float(args.idle_timeout), "linger": linger, "secret": secret}, fh)
            tmp.replace(port_file)
            if socket_file is not None:
                print(f"nemo engine listening on the Unix socket {socket_file} (private; data: {home})",
                      flush=True)
            elif private:
                print(f"nemo engine listening on {url} (private: only clients holding its secret; "
                      f"data: {home})", flush=True)
            else:
                print(f"nemo engine listening on {url} (data: {home})", flush=True)
                print(f"  to share it, run in each kernel or shell: NEMO_BACKEND={url}", flush=True)
            if class_code is not None:
                print(f"  class code: {class_code}  (students: NEMO_CLASS_CODE={class_code} and "
                      f"NEMO_BACKEND={url})", flush=True)
            cluster = getattr(engine.jobs, "renderer", None)
            if cluster is not None:
                print(f"  rendering on the Dask cluster {cluster.spec} ({engine.jobs.workers} renders at once)",
                      flush=True)

        async def shutdown(self, sockets: list[socket.socket] | None = None) -> None:
            # uvicorn re-raises SIGTERM/SIGINT after shutting down, so clean up here, not later.
            try:
                await super().shutdown(sockets=sockets)
            finally:
                _remove_port_file()

        async def on_tick(self, counter: int) -> bool:
            if await super().on_tick(counter):
                return True
            if counter % 10:
                return False  # once a second
            idle = engine.idle_for()
            if idle_seconds and idle > idle_seconds:
                print(f"nemo engine idle for {args.idle_timeout:g} minutes: stopping", flush=True)
                return True
            if linger and idle > linger and not holders(home):
                print(f"nemo engine idle for {linger:g} s and held by no kernel: stopping", flush=True)
                return True
            return False

    def _remove_port_file() -> None:
        with contextlib.suppress(OSError, ValueError):
            info: Any = json.loads(port_file.read_text(encoding="utf-8"))
            if isinstance(info, dict) and info.get("pid") == os.getpid():
                port_file.unlink()
                if socket_file is not None:
                    socket_file.unlink(missing_ok=True)
                print("nemo engine stopped", flush=True)

    config = uvicorn.Config(app, log_level="warning", lifespan="on", timeout_graceful_shutdown=5)
    server = _Server(config)
    try:
        server.run(sockets=[sock])
    finally:
        _remove_port_file()
    return 0


if __name__ == "__main__":
    sys.exit(main())
