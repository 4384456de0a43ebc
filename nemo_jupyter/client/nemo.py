"""``AsyncNemo``: the NemoVideo API client over httpx: identity, the request pipeline, envelopes
(the render endpoints are mixed in from :mod:`.render_api`).

Protocol rules this package enforces (see PROTOCOL.md):

* attribution headers and the bearer token on every request; anonymous tokens
  from ``/api/auth/anonymous-token`` with the persisted client id, cached per backend;
* 1001 → one fresh anonymous token (same client id) and one retry (:mod:`.auth`, an
  ``httpx.Auth`` flow); 1002 / unknown session → :class:`SessionNotFound` and a new session
  at next use; 429 → one retry after ``Retry-After``; GETs retried with backoff on connection
  errors and 5xx; a stopped embedded engine found again (:mod:`.transport`, for plain requests
  and the chat stream alike); chat messages and render submits are never re-sent (a failed
  submit is retried once *with a new id*, as the protocol says);
* every refusal becomes an exception of the tree by one function (:func:`.errors.error_for`);
* a dropped chat stream is followed by the protocol's recovery (:mod:`.session`).

Sessions are :class:`~.session.AsyncSession`; the sync twins are in :mod:`.sync`.
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Any
from urllib.parse import urljoin

import httpx

from .auth import BearerAuth, Tokens, envelope_code
from .encoding import encode_json
from .errors import ErrorContext, error_for, json_or_none
from .exceptions import (
    NemoError,
    RenderError,
    ServerError,
    TransportError,
)
from .jobs import AsyncRenderJob, JobStore
from .models import Credits
from .render_api import RenderEndpoints
from .secrets import get_logger, register_secret
from .session import AsyncSession
from .settings import Polling, Recovery, Retries, Settings, Timeouts
from .transport import Attempts, origin, parse_retry_after
from .uploads import MultipartBody

if TYPE_CHECKING:
    from ..engine.launcher import EngineAddress, EngineInfo

__all__ = ["AsyncNemo", "AsyncSession"]

log = get_logger("nemo_jupyter.client")

#: the keyword options of earlier versions, and the value object each one now sets
_OPTIONS = {
    "rate_limit_wait": ("retries", "rate_limit_wait"), "retry_backoff": ("retries", "backoff"),
    "poll_interval": ("polling", "interval"), "poll_backoff": ("polling", "backoff"),
    "poll_max_interval": ("polling", "max_interval"),
    "recovery_wait": ("recovery", "wait"), "recovery_interval": ("recovery", "interval"),
    "recovery_checks": ("recovery", "checks"),
    "timeout": ("timeouts", "request"), "turn_timeout": ("timeouts", "turn"),
}
_SETTINGS = ("api_url", "web_url", "client_id", "platform", "max_upload_mb", "class_code")


class AsyncNemo(RenderEndpoints):
    """The async client. ``backend``: ``"local"`` | ``"cloud"`` | a URL (default from settings).

    Behaviour is set by value objects: ``settings`` (:class:`Settings`: where, who, limits),
    ``retries`` (:class:`Retries`, or an int: GET retries), ``polling`` (:class:`Polling`: render
    polls), ``recovery`` (:class:`Recovery`: dropped streams) and ``timeouts`` (:class:`Timeouts`).
    The single keyword options of earlier versions (``api_url=``, ``rate_limit_wait=``,
    ``poll_interval=``, ``turn_timeout=``, ...) still set the matching field.
    """

    def __init__(self, backend: str | None = None, token: str | None = None, *, settings: Settings | None = None,
                 retries: Retries | int | None = None, polling: Polling | None = None,
                 recovery: Recovery | None = None, timeouts: Timeouts | None = None, **options: Any) -> None:
        unknown = sorted(set(options) - set(_OPTIONS) - set(_SETTINGS))
        if unknown:
            raise TypeError(f"AsyncNemo() got unexpected keyword argument(s): {', '.join(unknown)}")
        overrides: dict[str, Any] = {"backend": backend, "token": token, **{k: options.get(k) for k in _SETTINGS}}
        if settings is None:
            settings = Settings.from_env(**overrides)
        else:
            if backend is not None:
                from .settings import normalize_backend

                overrides["backend"] = normalize_backend(backend)
            settings = settings.with_(**overrides)
        values: dict[str, Any] = {
            "retries": Retries(attempts=retries) if isinstance(retries, int) else (retries or Retries()),
            "polling": polling or Polling(), "recovery": recovery or Recovery(), "timeouts": timeouts or Timeouts(),
        }
        for name, value in options.items():
            if name in _OPTIONS and value is not None:
                group, field_name = _OPTIONS[name]
                values[group] = values[group].with_(**{field_name: value})
        self.settings = settings
        self.retries: Retries = values["retries"]
        self.polling: Polling = values["polling"]
        self.recovery: Recovery = values["recovery"]
        self.timeouts: Timeouts = values["timeouts"]
        self.backend = settings.backend
        self.web_url = settings.web_url
        self._base_url: str | None = None
        if self.backend == "cloud":
            self._base_url = settings.api_url
        elif self.backend != "local":
            self._base_url = self.backend
        # A token given by the user (argument, or NEMO_TOKEN for a non-local backend) is used as is.
        user_token = token if token is not None else (settings.token if self.backend != "local" else None)
        self.tokens = Tokens(self, user_token)
        self.auth = BearerAuth(self.tokens)
        self._client: httpx.AsyncClient | None = None
        self._client_loop: asyncio.AbstractEventLoop | None = None
        self._engine: EngineAddress | None = None          # the embedded engine's socket and secret
        self._client_engine: EngineAddress | None = None   # the one self._client was built for
        self._job_store = JobStore(settings.jobs_file)
        from .render_cache import RenderCache

        self._render_cache = RenderCache(settings.config_dir / "renders.json")
        self._closed = False

    # -- identity ------------------------------------------------------------------------------
    @property
    def base_url(self) -> str:
        """The API base URL; for ``local`` the embedded engine is found or started on first use."""
        if self._base_url is None:
            from ..engine.launcher import ensure_engine_address

            try:
                self._engine = ensure_engine_address(self.settings.engine_home)
                register_secret(self._engine.secret)
                url = self._engine.url
            except Exception as exc:
                raise TransportError(
                    f"Could not start or find the embedded engine: {exc}",
                    hint="Run `python -m nemo_jupyter.engine` in a terminal to see why, or set NEMO_BACKEND "
                         "to a running engine's URL (or 'cloud').") from exc
            self._base_url = str(url).rstrip("/")
        return self._base_url

    @property
    def user_id(self) -> str | None:
        return self.tokens.user_id

    @user_id.setter
    def user_id(self, value: str | None) -> None:
        self.tokens.user_id = value

    @property
    def _token(self) -> str | None:
        """The bearer token in use now (a secret: masked everywhere it could show)."""
        return self.tokens.token

    @property
    def is_private_engine(self) -> bool:
        """True when talking to the private embedded engine (a Unix socket or a secret): its
        media URLs work only through this client, not in a browser."""
        engine = self._engine if self.backend == "local" else None
        return bool(engine is not None and (engine.socket or engine.secret))

    def engine_info(self) -> EngineInfo | None:
        """The embedded engine this client found or started (its pid, how long it stays once idle,
        which processes hold it), or None: another backend, or no engine running."""
        if self.backend != "local" or self._engine is None:
            return None
        from ..engine.launcher import engine_info

        return engine_info(self.settings.engine_home)

    @property
    def is_anonymous(self) -> bool:
        return self.tokens.anonymous or bool(self.user_id and str(self.user_id).startswith("anon"))

    def __repr__(self) -> str:
        where = self._base_url or "(engine not started yet)"
        user = f" user={self.user_id}" if self.user_id else ""
        return f"<{type(self).__name__} backend={self.backend!r} url={where!r}{user}>"

    def _error_context(self) -> ErrorContext:
        return ErrorContext(web_url=self.web_url, anonymous_user=self.user_id if self.is_anonymous else None,
                            upload_limit=self.settings.max_upload_bytes, rate_limit_wait=self.retries.rate_limit_wait)

    # -- lifecycle -----------------------------------------------------------------------------
    def _http(self) -> httpx.AsyncClient:
        """The HTTP client; for the embedded engine it goes through the engine's private
        socket and carries its secret (rebuilt when the engine was started again)."""
        loop = asyncio.get_running_loop()
        engine = self._engine if self.backend == "local" else None
        if (self._client is None or self._client_loop is not loop or self._client.is_closed
                or engine is not self._client_engine):
            self._client = httpx.AsyncClient(
                timeout=httpx.Timeout(self.timeouts.request, connect=15.0),
                headers=self.settings.attribution_headers,
                follow_redirects=True,
                transport=engine.async_transport() if engine is not None else None,
                trust_env=engine is None,   # never send the engine's traffic through a proxy
            )
            self._client_loop = loop
            self._client_engine = engine
        return self._client

    async def aclose(self) -> None:
        client, self._client = self._client, None
        self._closed = True
        if client is not None and not client.is_closed:
            await client.aclose()

    async def __aenter__(self) -> AsyncNemo:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    def _absolute(self, url: str) -> str:
        if url.startswith(("http://", "https://")):
            return url
        return urljoin(self.base_url + "/", url.lstrip("/"))

    async def _base(self) -> str:
        if self._base_url is None:
            await asyncio.to_thread(lambda: self.base_url)
        return self.base_url

    def _jobs_key(self, base: str) -> str:
        """Which backend a stored job id (or a cached token) belongs to: the embedded engine by
        its data dir (it comes back on a new port after an idle stop), any other backend by URL."""
        if self.backend == "local":
            return f"local:{self.settings.engine_home or 'default'}"
        return base

    async def _reconnect_engine(self, failed_base: str) -> bool:
        """The embedded engine at ``failed_base`` refused a connection: find or start one again.

        The engine stops itself after idle minutes and a new one listens on a new port;
        it keeps tokens and sessions in the same data dir. False (nothing done) unless
        the backend is ``local``.
        """
        if self.backend != "local":
            return False
        if self._base_url == failed_base:
            self._base_url = None
            self._engine = None
        new_base = await self._base()
        log.info("the embedded engine at %s is gone; now using %s", failed_base, new_base)
        return True

    def attempts(self, *, idempotent: bool, follows_engine: bool = True, label: str = "") -> Attempts:
        """The retry state for one request (see :mod:`.transport`)."""
        return Attempts(self.retries, idempotent=idempotent, reconnect=self._reconnect_engine,
                        follows_engine=follows_engine, label=label)

    def raise_for(self, response: httpx.Response, payload: Any, *, path: str) -> None:
        """Raise the exception of the tree for a refused answer (see :func:`.errors.error_for`)."""
        raise error_for(response.status_code, payload, path=path, ctx=self._error_context(),
                        reason=response.reason_phrase,
                        retry_after=parse_retry_after(response.headers.get("Retry-After")))

    # -- requests ------------------------------------------------------------------------------
    async def _send(self, method: str, path: str, *, auth: bool = True, headers: dict[str, str] | None = None,
                    json_body: Any = None, body: MultipartBody | None = None,
                    params: dict[str, Any] | None = None) -> httpx.Response:
        """One request through the retry policy and the token flow; returns a response with status < 400.

        Errors become typed exceptions. Only GETs are retried on connection errors and 5xx.
        """
        absolute = path.startswith("http")
        attempts = self.attempts(idempotent=method.upper() == "GET", follows_engine=not absolute, label=path)
        while True:
            base = await self._base()
            url = self._absolute(path) if absolute else base + path
            hdrs = dict(headers or {})
            kwargs: dict[str, Any] = {"headers": hdrs, "params": params, "auth": self.auth if auth else None}
            if body is not None:
                hdrs.update(body.headers)
                kwargs["content"] = body
            elif json_body is not None:
                kwargs["content"] = encode_json(json_body)
                hdrs["Content-Type"] = "application/json"
            try:
                response = await self._http().request(method, url, **kwargs)
            except httpx.TransportError as exc:
                if await attempts.after_error(exc, base):
                    continue
                if isinstance(exc, httpx.ConnectError | httpx.ConnectTimeout):
                    raise TransportError(f"Could not reach the backend at {origin(url)}: {type(exc).__name__}.",
                                         url=origin(url), sent=False) from None
                raise TransportError(f"The backend at {origin(url)} did not answer ({type(exc).__name__}).",
                                     url=origin(url), sent=True) from None
            if await attempts.after_response(response):
                continue
            if response.status_code < 400:
                return response
            self.raise_for(response, json_or_none(response), path=path)

    def _envelope(self, body: Any, *, path: str) -> Any:
        """``data`` of a ``{"code", "message", "data"}`` or ``{"success", "data"}`` answer."""
        if not isinstance(body, dict):
            raise ServerError(f"The backend answered {path} with something that is not a JSON object.")
        code = envelope_code(body)
        if code not in (None, 0) or body.get("success") is False:
            raise error_for(None, body, path=path, ctx=self._error_context())
        return body.get("data", body if code is None and "success" not in body else None)

    async def _request(self, method: str, path: str, **kwargs: Any) -> Any:
        response = await self._send(method, path, **kwargs)
        payload = json_or_none(response)
        if payload is None:
            raise ServerError(f"The backend answered {path} with something that is not JSON "
                              f"(HTTP {response.status_code}).")
        return payload

    async def _api(self, method: str, path: str, **kwargs: Any) -> Any:
        return self._envelope(await self._request(method, path, **kwargs), path=path)

    # -- public --------------------------------------------------------------------------------
    async def credits(self) -> Credits:
        return Credits.from_json(await self._api("GET", "/api/credits/balance/simple"))

    def session(self, name: str | None = None, *, session_id: str | None = None) -> AsyncSession:
        return AsyncSession(self, name=name, session_id=session_id)

    async def jobs(self) -> list[AsyncRenderJob]:
        """Unfinished render jobs submitted to this backend (kept across restarts)."""
        base = await self._base()
        out: list[AsyncRenderJob] = []
        for job_id, entry in self._job_store.for_backend(self._jobs_key(base)):
            job = AsyncRenderJob(self, job_id, session_id=entry.get("session_id"), status="unknown")
            job.meta = dict(entry)
            try:
                await job.poll()
            except RenderError:
                continue   # unknown to the backend: forgotten
            except NemoError:
                pass  # unreachable right now: still listed, status "unknown"
            if job.status in ("failed", "cancelled"):
                self._job_store.remove(job_id)
                continue
            out.append(job)
        return out

    def attach(self, job_id: str) -> AsyncRenderJob:
        return AsyncRenderJob.attach(self, job_id)

    async def find_job(self, **match: Any) -> str | None:
        """The newest locally kept job id of this backend whose entry matches (e.g. ``render_key=``)."""
        return self._job_store.find(await self.backend_key(), **match)

    # -- render endpoints (used by sessions and jobs) ------------------------------------------
    async def backend_key(self) -> str:
        """Which backend this is, as a stable string (the embedded engine by its data dir)."""
        return self._jobs_key(await self._base())
