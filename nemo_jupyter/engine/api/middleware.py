"""ASGI middlewares of the engine: the activity clock (idle timeout), the trusted-Host check and the
headers every answer carries (``X-Content-Type-Options: nosniff``: a browser plays or shows media
as the type the engine names, never as what it guesses from the bytes)."""

from __future__ import annotations

import time

from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from .common import Engine

LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "::1")  # the Host names a loopback-bound engine answers


class _Activity:
    """ASGI middleware: counts open requests and stamps the last one (for the idle timeout)."""

    def __init__(self, app: ASGIApp, engine: Engine) -> None:
        self.app, self.engine = app, engine

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        self.engine.open_requests += 1
        self.engine.last_activity = time.monotonic()
        try:
            await self.app(scope, receive, send)
        finally:
            self.engine.open_requests -= 1
            self.engine.last_activity = time.monotonic()


def host_name(header: str) -> str:
    """The name in a ``Host`` header, without the port: ``[::1]:80`` → ``::1``, ``LocalHost:1`` → ``localhost``."""
    header = header.strip().lower()
    if header.startswith("["):
        end = header.find("]")
        return header[1:end] if end > 0 else header
    return header.rpartition(":")[0] if header.count(":") == 1 else header


class _TrustedHost:
    """ASGI middleware: answer only requests addressed to one of ``hosts`` (any port).

    A loopback engine uses it against DNS rebinding: a web page the user visits could
    otherwise point its own domain at 127.0.0.1 and drive the engine from the browser.
    """

    def __init__(self, app: ASGIApp, hosts: tuple[str, ...]) -> None:
        self.app, self.hosts = app, hosts

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        raw = dict(scope.get("headers") or []).get(b"host", b"").decode("latin-1")
        if host_name(raw) in self.hosts:
            await self.app(scope, receive, send)
            return
        names = ", ".join(f"[{h}]" if ":" in h else h for h in self.hosts)
        message = (f"Host {raw[:100]!r} is not allowed: this engine listens on loopback and answers only "
                   f"requests addressed to {names} (to serve other names, start it with --host).")
        if scope["type"] == "websocket":
            await send({"type": "websocket.close", "code": 1008})
            return
        await JSONResponse({"code": 400, "message": message, "data": None, "detail": message},
                           status_code=400)(scope, receive, send)


#: headers added to every HTTP answer of the engine
SAFETY_HEADERS: tuple[tuple[bytes, bytes], ...] = ((b"x-content-type-options", b"nosniff"),)


class _SafetyHeaders:
    """ASGI middleware: every answer carries :data:`SAFETY_HEADERS` (media, downloads, JSON, errors)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                names = {k.lower() for k, _ in message.get("headers", [])}
                extra = [(k, v) for k, v in SAFETY_HEADERS if k not in names]
                message = {**message, "headers": [*message.get("headers", []), *extra]}
            await send(message)

        await self.app(scope, receive, with_headers)
