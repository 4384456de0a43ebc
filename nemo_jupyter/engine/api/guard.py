"""Who may talk to a private engine: the per-engine secret, and the health proof.

A private engine (the one :func:`~nemo_jupyter.engine.launcher.ensure_engine_address`
starts for one user) generates a random secret at start and writes it only into its
0600 ``engine.json``. Every request but ``GET /health`` must carry it in
``X-Nemo-Engine-Secret``; other local users cannot read the file, so they cannot use
the engine even where it listens on loopback TCP. ``GET /health?nonce=N`` answers
``proof = HMAC(secret, N)`` (see :func:`~nemo_jupyter.engine.launcher.health_proof`),
so a client knows it reached the engine that wrote the file before it sends anything.
"""

from __future__ import annotations

import hmac

from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Receive, Scope, Send

from ..launcher import SECRET_HEADER, health_proof

__all__ = ["RequireSecret", "proof_for"]

_OPEN_PATHS = ("/health",)


def proof_for(secret: str | None, nonce: object) -> str | None:
    """The health answer's ``proof`` for the query's ``nonce`` (None without one or without a secret)."""
    if not secret or not isinstance(nonce, str) or not 8 <= len(nonce) <= 128:
        return None
    return health_proof(secret, nonce)


class RequireSecret:
    """ASGI middleware: refuse (403) every request without this engine's secret, except ``/health``."""

    def __init__(self, app: ASGIApp, secret: str) -> None:
        self.app = app
        self.secret = secret.encode("utf-8")
        self.header = SECRET_HEADER.lower().encode("latin-1")

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket") or scope.get("path") in _OPEN_PATHS:
            await self.app(scope, receive, send)
            return
        given = b""
        for key, value in scope.get("headers") or []:
            if key == self.header:
                given = value
                break
        if hmac.compare_digest(given, self.secret):
            await self.app(scope, receive, send)
            return
        if scope["type"] == "websocket":
            await send({"type": "websocket.close", "code": 1008})
            return
        message = ("This engine is private to the user who started it: requests must carry its secret "
                   f"({SECRET_HEADER}, from its engine.json). Start your own engine, or use a shared one "
                   "started with --host.")
        await JSONResponse({"code": 403, "message": message, "data": None, "detail": message},
                           status_code=403)(scope, receive, send)
