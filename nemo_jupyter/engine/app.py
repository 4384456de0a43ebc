"""The embedded engine's HTTP API: every endpoint of the NemoVideo protocol, on loopback.

JSON endpoints answer the envelope ``{"code": 0, "message": "ok", "data": ...}``;
render endpoints answer ``{"success": true, "data": ...}``. Errors:

======================  ======  ==========================================================
case                    HTTP    body
======================  ======  ==========================================================
no/bad/expired token    401     envelope code 1001 (render endpoints: ``success: false`` too)
missing X-Client-Id     400     bare ``{"detail": ...}``
unknown session         404     envelope code 1002; ``/run_sse``: ``{"detail": "Session not found: <id>"}``
unsupported/corrupt     415     envelope code 4001, ``data.accepted``
too large               413     envelope code 4002, ``data.limit`` (bytes; .txt scripts: 1 MB)
malformed body          422     envelope code 4000 / ``success: false``
duplicate render id     409     ``success: false``
over a quota            429     code 429, ``Retry-After``
the draft moved on      409     code 4009 (``PUT .../draft`` with a ``base`` version that is not current)
the disk is full        507     code 507 (render endpoints: ``success: false`` too); see ``disk``
======================  ======  ==========================================================

Every answer carries ``X-Content-Type-Options: nosniff``.

Media (uploads and finished renders) is served without auth under unguessable
paths ``/media/<32 hex>/<name>`` with HTTP range support, so a ``<video>`` tag can
play it.
"""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import AsyncIterator
from pathlib import Path

import anyio
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from .api.chat import run_sse
from .api.common import ACCEPTED, MAX_PROMPT_CHARS, MAX_SCRIPT_BYTES, Engine, env_error, render_error
from .api.guard import RequireSecret
from .api.middleware import LOOPBACK_HOSTS, _Activity, _SafetyHeaders, _TrustedHost
from .api.quotas import Quotas
from .api.render import media, render_cancel, render_download, render_status, render_submit
from .api.sessions import anonymous_token, claim_token, create_session, credits, health, state
from .api.storage import disk_full_error
from .api.storyboard import storyboard_latest, storyboard_post
from .api.uploads import upload
from .api.versions import routes as version_routes
from .disk import Retention, is_disk_full

__all__ = ["ACCEPTED", "LOOPBACK_HOSTS", "MAX_PROMPT_CHARS", "MAX_SCRIPT_BYTES", "Engine", "create_app"]


async def not_found(request: Request, exc: Exception) -> Response:
    return JSONResponse({"code": 404, "message": f"No endpoint {request.method} {request.url.path}", "data": None},
                        status_code=404)


async def storage_failed(request: Request, exc: Exception) -> Response:
    """A write that met a full disk: 507 with what to free (see :mod:`.disk`); anything
    else goes on to the server's 500."""
    if not is_disk_full(exc):
        raise exc
    eng: Engine = request.app.state.engine
    err = disk_full_error(eng.home)
    return render_error(err) if request.url.path.startswith("/api/render/") else env_error(err)


# --------------------------------------------------------------------------- app
def create_app(home: Path, *, public_url: str | None = None, max_upload_mb: int = 500,
               trusted_hosts: list[str] | tuple[str, ...] | None = None, secret: str | None = None,
               require_secret: bool = False, allow_url_hosts: list[str] | tuple[str, ...] = (),
               quotas: Quotas | None = None, retention: Retention | None = None) -> Starlette:
    """The engine's ASGI app for the data dir ``home``.

    ``trusted_hosts``: the only names (``Host`` header, any port) the app answers, others get
    400; ``None`` answers any Host (an engine the user exposed with an explicit ``--host``).
    ``secret``: the per-engine secret (``/health?nonce=`` proves the engine holds it);
    ``require_secret``: every other request must carry it (a private engine: see ``api.guard``).
    ``allow_url_hosts``: hosts URL uploads may fetch although they are not public (``api.egress``).
    ``quotas``: the per-user quotas and the class code (``api.quotas``; default: default quotas, no code).
    ``retention``: how many renders and draft versions are kept (:mod:`.disk`; default: the defaults).
    """
    eng = Engine(Path(home), public_url=public_url, max_upload_mb=max_upload_mb,
                 allow_url_hosts=tuple(allow_url_hosts), quotas=quotas, retention=retention)

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        eng.store.recover()
        eng.jobs.start()
        eng.pruner.start()
        try:
            yield
        finally:
            await anyio.to_thread.run_sync(eng.pruner.stop)
            await anyio.to_thread.run_sync(eng.jobs.shutdown)
            from .render.sound.voice import close_workers

            close_workers()
            eng.store.close()

    routes = [
        Route("/health", health, methods=["GET"]),
        Route("/api/auth/anonymous-token", anonymous_token, methods=["POST"]),
        Route("/api/auth/claim-token", claim_token, methods=["POST"]),
        Route("/api/tasks/me/with-session/nemo_agent", create_session, methods=["POST"]),
        Route("/run_sse", run_sse, methods=["POST"]),
        Route("/api/upload-video/nemo_agent/me/{sid:path}", upload, methods=["POST"]),  # an id with "/" is one id
        Route("/api/credits/balance/simple", credits, methods=["GET"]),
        Route("/api/state/nemo_agent/me/{sid:path}/latest", state, methods=["GET"]),
        Route("/api/render/proxy/lambda", render_submit, methods=["POST"]),
        Route("/api/render/proxy/lambda/{job_id}", render_status, methods=["GET"]),
        Route("/api/render/proxy/lambda/{job_id}/cancel", render_cancel, methods=["POST"]),
        Route("/api/render/proxy/{job_id}/download", render_download, methods=["GET"]),
        Route("/api/storyboard/nemo_agent/me/{sid}/latest", storyboard_latest, methods=["GET"]),
        Route("/api/storyboard/nemo_agent/me/{sid}", storyboard_post, methods=["POST"]),
        Route("/media/{key}/{name:path}", media, methods=["GET", "HEAD"]),
        *version_routes,
    ]
    app = Starlette(routes=routes, lifespan=lifespan, exception_handlers={
        404: not_found, OSError: storage_failed, sqlite3.Error: storage_failed})
    app.state.engine = eng
    app.state.secret = secret
    app.add_middleware(_Activity, engine=eng)
    if require_secret and secret:
        app.add_middleware(RequireSecret, secret=secret)
    if trusted_hosts is not None:  # added last: outermost, so refused requests are not activity
        app.add_middleware(_TrustedHost, hosts=tuple(h.strip("[]").lower() for h in trusted_hosts))
    app.add_middleware(_SafetyHeaders)   # outermost of all: every answer, refusals included
    return app
