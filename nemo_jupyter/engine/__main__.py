"""``python -m nemo_jupyter.engine``: serve the embedded engine.

    python -m nemo_jupyter.engine [--home DIR] [--host 127.0.0.1] [--port 0] [--idle-timeout MIN]
                                  [--dask tcp://scheduler:8786 | local[:N] | gateway[://ADDRESS]]

Port 0 picks a free port. The engine writes ``engine.json`` (url, pid) into its
data dir while it runs, so kernels on this machine find and share it.
"""

from __future__ import annotations

import argparse
import contextlib
import ipaddress
import json
import os
import socket
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
    p.add_argument("--max-upload-mb", type=int, default=500, help="largest accepted upload (default 500 MB)")
    p.add_argument("--public-url", default=None,
                   help="base URL written into media links (default: the URL the client used)")
    p.add_argument("--dask", default=None, metavar="SPEC",
                   help="render on a Dask cluster: a scheduler address (tcp://host:8786), 'local[:N]' for a "
                        "LocalCluster of N worker processes here, or 'gateway[://ADDRESS]' for dask-gateway "
                        "(default: $NEMO_DASK_SCHEDULER; unset: render on this machine)")
    return p.parse_args(argv)


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

    from .app import LOOPBACK_HOSTS, create_app
    from .launcher import PORT_FILE, default_home, home_id

    home: Path = (args.home or default_home()).expanduser().resolve()
    home.mkdir(parents=True, exist_ok=True)
    host = args.host or "127.0.0.1"
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
    app = create_app(home, public_url=args.public_url, max_upload_mb=args.max_upload_mb,
                     trusted_hosts=_trusted_hosts(host, args.public_url, LOOPBACK_HOSTS))
    engine = app.state.engine
    idle_seconds = max(0.0, float(args.idle_timeout)) * 60.0
    port_file = home / PORT_FILE

    class _Server(uvicorn.Server):
        async def startup(self, sockets: list[socket.socket] | None = None) -> None:
            await super().startup(sockets=sockets)
            if self.should_exit:
                return
            tmp = port_file.with_suffix(".tmp")
            tmp.write_text(json.dumps({"url": url, "pid": os.getpid(), "home": home_id(home),
                                       "started": time.time()}), encoding="utf-8")
            tmp.replace(port_file)
            print(f"nemo engine listening on {url} (data: {home})", flush=True)
            print(f"  to share it, run in each kernel or shell: NEMO_BACKEND={url}", flush=True)
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
            if idle_seconds and counter % 10 == 0 and engine.idle_for() > idle_seconds:
                print(f"nemo engine idle for {args.idle_timeout:g} minutes: stopping", flush=True)
                return True
            return False

    def _remove_port_file() -> None:
        with contextlib.suppress(OSError, ValueError):
            info: Any = json.loads(port_file.read_text(encoding="utf-8"))
            if isinstance(info, dict) and info.get("pid") == os.getpid():
                port_file.unlink()
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
