"""The NemoVideo API client: ``AsyncNemo`` / ``AsyncSession`` over httpx, and the sync twins.

Protocol rules this module enforces (see PROTOCOL.md):

* attribution headers and the bearer token on every request; anonymous tokens
  from ``/api/auth/anonymous-token`` with the persisted client id, cached per backend;
* 1001 → one fresh anonymous token (same client id) and one retry; 1002 / unknown
  session → :class:`SessionNotFound` and a new session at next use; 429 → one retry
  after ``Retry-After`` (or ``rate_limit_wait``); GETs retried with backoff on
  connection errors and 5xx; chat messages and render submits are never re-sent
  (a failed submit is retried once *with a new id*, as the protocol says);
* a dropped chat stream is followed by the protocol's recovery: wait, read the
  state, compare with the draft before the turn, check again a few times.

The sync classes run every coroutine on the private loop of :mod:`._loop`, so they
work in scripts and inside Jupyter's running loop alike.
"""

from __future__ import annotations

import asyncio
import contextlib
import email.utils
import inspect
import json
import os
import time
from collections.abc import AsyncIterator, Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urljoin, urlsplit

import httpx
from httpx_sse import aconnect_sse

from .events import EventAssembler
from .exceptions import (
    APIError,
    AuthError,
    ClientIdMissing,
    EventParseError,
    ExportBlocked,
    FileTooLarge,
    InsufficientCredits,
    NemoError,
    NotExportable,
    RateLimited,
    RenderError,
    ServerError,
    SessionNotFound,
    StreamDropped,
    StreamError,
    TransportError,
    TurnTimeout,
    UnsupportedFileType,
    UploadError,
)
from .jobs import AsyncRenderJob, JobStore, RenderJob
from .loop import iterate_sync, run_sync
from .models import Credits, Event, Heartbeat, Reply, State, UploadedFile
from .secrets import get_logger, redact, register_secret
from .settings import Settings, open_private
from .uploads import MultipartBody, ProgressCallback, accepted_list, accepted_text, check_files

if TYPE_CHECKING:
    from ..engine.launcher import EngineAddress
    from .draft import Draft

__all__ = ["AsyncNemo", "AsyncSession", "Nemo", "Session", "detect_language"]

log = get_logger("nemo_jupyter.client")

APP_NAME = "nemo_agent"
TEMPORARY_ISSUE = "I encountered a temporary issue"


def detect_language(text: str | None) -> str:
    """Script-based guess: kana → ja, hangul → ko, CJK ideographs → zh-CN, else en."""
    if not text:
        return "en"
    han = kana = hangul = 0
    for ch in text:
        o = ord(ch)
        if 0x3040 <= o <= 0x30FF or 0x31F0 <= o <= 0x31FF or 0xFF66 <= o <= 0xFF9D:
            kana += 1
        elif 0xAC00 <= o <= 0xD7AF or 0x1100 <= o <= 0x11FF or 0x3130 <= o <= 0x318F:
            hangul += 1
        elif 0x4E00 <= o <= 0x9FFF or 0x3400 <= o <= 0x4DBF or 0xF900 <= o <= 0xFAFF or 0x20000 <= o <= 0x2FA1F:
            han += 1
    if kana:
        return "ja"
    if hangul:
        return "ko"
    if han:
        return "zh-CN"
    return "en"


MAX_RETRY_AFTER = 120.0
"""The longest ``Retry-After`` wait honoured (seconds): a bad header must not hang a cell."""


def _parse_retry_after(value: str | None) -> float | None:
    """Seconds to wait from a ``Retry-After`` header (seconds or HTTP date), capped at MAX_RETRY_AFTER."""
    if not value:
        return None
    value = value.strip()
    try:
        seconds = float(value)
    except ValueError:
        try:
            when = email.utils.parsedate_to_datetime(value)
        except (TypeError, ValueError, IndexError, OverflowError):
            return None
        seconds = when.timestamp() - time.time()
    if seconds != seconds:   # NaN
        return None
    return min(MAX_RETRY_AFTER, max(0.0, seconds))


def _json_or_none(response: httpx.Response) -> Any:
    try:
        return response.json()
    except (ValueError, UnicodeDecodeError):
        return None


def _message_of(body: Any, response: httpx.Response | None = None) -> str:
    if isinstance(body, dict):
        for key in ("message", "msg", "detail", "error", "errorMessage"):
            value = body.get(key)
            if isinstance(value, str) and value:
                return redact(value)
            if isinstance(value, dict) and isinstance(value.get("message"), str):
                return redact(value["message"])
    if response is not None:
        return f"HTTP {response.status_code} {response.reason_phrase}".strip()
    return ""


def _is_session_missing(body: Any) -> bool:
    text = _message_of(body).lower()
    return "session not found" in text or "session_not_found" in text


@dataclass
class _Turn:
    """What one chat turn gathered, for ask() and the conversation layer."""

    text: str = ""
    events: list[Event] = field(default_factory=list)
    state_delta: dict[str, Any] = field(default_factory=dict)
    draft_before: Draft | None = None
    recovered: bool = False
    recovered_state: State | None = None
    finished: bool = False
    skipped: int = 0


class AsyncNemo:
    """The async client. ``backend``: ``"local"`` | ``"cloud"`` | a URL (default from settings).

    Extra keyword options (for tests and impatient users): ``rate_limit_wait`` (429 without
    Retry-After), ``retries`` / ``retry_backoff`` (GETs), ``recovery_wait`` /
    ``recovery_interval`` / ``recovery_checks`` (dropped streams), ``timeout`` (plain requests).
    """

    def __init__(self, backend: str | None = None, token: str | None = None, *, api_url: str | None = None,
                 web_url: str | None = None, client_id: str | None = None, platform: str | None = None,
                 max_upload_mb: float | None = None, poll_interval: float = 2.0, poll_backoff: float = 1.5,
                 poll_max_interval: float = 15.0, turn_timeout: float = 600.0, settings: Settings | None = None,
                 rate_limit_wait: float = 30.0, retries: int = 3, retry_backoff: float = 0.5,
                 recovery_wait: float = 30.0, recovery_interval: float = 60.0, recovery_checks: int = 5,
                 timeout: float = 60.0) -> None:
        overrides: dict[str, Any] = {"backend": backend, "token": token, "api_url": api_url, "web_url": web_url,
                     "client_id": client_id, "platform": platform, "max_upload_mb": max_upload_mb}
        if settings is None:
            settings = Settings.from_env(**overrides)
        else:
            if backend is not None:
                from .settings import normalize_backend

                overrides["backend"] = normalize_backend(backend)
            settings = settings.with_(**overrides)
        self.settings = settings
        self.backend = settings.backend
        self.web_url = settings.web_url
        self.poll_interval = poll_interval
        self.poll_backoff = poll_backoff
        self.poll_max_interval = poll_max_interval
        self.turn_timeout = turn_timeout
        self.rate_limit_wait = rate_limit_wait
        self.retries = retries
        self.retry_backoff = retry_backoff
        self.recovery_wait = recovery_wait
        self.recovery_interval = recovery_interval
        self.recovery_checks = recovery_checks
        self.timeout = timeout
        self._base_url: str | None = None
        if self.backend == "cloud":
            self._base_url = settings.api_url
        elif self.backend != "local":
            self._base_url = self.backend
        # A token given by the user (argument, or NEMO_TOKEN for a non-local backend) is used as is.
        user_token = token if token is not None else (settings.token if self.backend != "local" else None)
        self._user_token = bool(user_token)
        self._token: str | None = user_token or None
        register_secret(self._token)
        self._anonymous = False
        self.user_id: str | None = None
        self._client: httpx.AsyncClient | None = None
        self._client_loop: asyncio.AbstractEventLoop | None = None
        self._engine: EngineAddress | None = None          # the embedded engine's socket and secret
        self._client_engine: EngineAddress | None = None   # the one self._client was built for
        self._token_lock: asyncio.Lock | None = None
        self._job_store = JobStore(settings.jobs_file)
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
    def is_anonymous(self) -> bool:
        return self._anonymous or bool(self.user_id and str(self.user_id).startswith("anon"))

    def __repr__(self) -> str:
        where = self._base_url or "(engine not started yet)"
        user = f" user={self.user_id}" if self.user_id else ""
        return f"<{type(self).__name__} backend={self.backend!r} url={where!r}{user}>"

    # -- lifecycle -----------------------------------------------------------------------------
    def _http(self) -> httpx.AsyncClient:
        """The HTTP client; for the embedded engine it goes through the engine's private
        socket and carries its secret (rebuilt when the engine was started again)."""
        loop = asyncio.get_running_loop()
        if self._token_lock is None or self._client_loop is not loop:
            self._token_lock = asyncio.Lock()
        engine = self._engine if self.backend == "local" else None
        if (self._client is None or self._client_loop is not loop or self._client.is_closed
                or engine is not self._client_engine):
            self._client = httpx.AsyncClient(
                timeout=httpx.Timeout(self.timeout, connect=15.0),
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
        """Which backend a stored job id belongs to: the embedded engine by its data dir
        (it comes back on a new port after an idle stop), any other backend by its URL."""
        if self.backend == "local":
            return f"local:{self.settings.engine_home or 'default'}"
        return base

    def _token_key(self, base: str) -> str:
        """Where a token is cached: the embedded engine by its data dir (every private engine
        is ``http://localhost`` on its own socket), any other backend by its URL."""
        return self._jobs_key(base)

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

    # -- tokens --------------------------------------------------------------------------------
    async def _ensure_token(self) -> str:
        if self._token:
            return self._token
        self._http()
        assert self._token_lock is not None
        async with self._token_lock, self._token_file_lock():
            if self._token:
                return self._token
            base = await self._base()
            cached = self.settings.cached_token(self._token_key(base))
            if cached and not _expired(cached.get("expires_at")):
                self._set_token(cached)
                return str(cached["token"])
            return await self._new_anonymous_token()

    @contextlib.asynccontextmanager
    async def _token_file_lock(self) -> AsyncIterator[None]:
        """Held while a token is read from the cache or fetched, across kernels and clients:
        the cloud hands out one anonymous token per client id per 7 days, so two kernels
        starting at once must not both ask for one."""
        try:
            import fcntl
        except ImportError:  # pragma: no cover - Windows: the in-process lock only
            yield
            return
        path = self.settings.token_file
        with open_private(path.with_name(path.name + ".lock")) as fh:
            await asyncio.to_thread(fcntl.flock, fh.fileno(), fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(fh.fileno(), fcntl.LOCK_UN)

    def _set_token(self, entry: dict[str, Any]) -> None:
        self._token = str(entry["token"])
        register_secret(self._token)
        self.user_id = entry.get("user_id") or self.user_id
        self._anonymous = bool(entry.get("anonymous", True))

    async def _new_anonymous_token(self) -> str:
        base = await self._base()
        client_id = self.settings.resolve_client_id()
        try:
            body = await self._request("POST", "/api/auth/anonymous-token", auth=False,
                                       headers={"X-Client-Id": client_id})
        except ClientIdMissing:
            # The protocol: HTTP 400 "missing X-Client-Id" -> make one and retry (once).
            client_id = self.settings.replace_client_id()
            log.info("the backend did not accept the client id; retrying once with a new one")
            body = await self._request("POST", "/api/auth/anonymous-token", auth=False,
                                       headers={"X-Client-Id": client_id})
        data = self._envelope(body, path="/api/auth/anonymous-token")
        token = data.get("token") if isinstance(data, dict) else None
        if not isinstance(token, str) or not token:
            raise AuthError("The backend did not hand out an anonymous token.")
        entry = {"token": token, "user_id": data.get("user_id"), "expires_at": data.get("expires_at"),
                 "anonymous": True}
        register_secret(token)
        self.settings.store_token(self._token_key(base), entry)
        self._set_token(entry)
        log.info("got an anonymous token for %s (user %s)", base, entry["user_id"])
        return token

    async def _refresh_token(self, failed: str | None) -> bool:
        """After 1001 for the token ``failed``: a fresh anonymous token with the same client id.

        When several requests fail at once only the first fetches one: the others find the
        current token already differs from the one that failed. False for user tokens.
        """
        if self._user_token:
            return False
        self._http()
        assert self._token_lock is not None
        async with self._token_lock, self._token_file_lock():
            if self._token and self._token != failed:
                return True   # another request already replaced the refused token
            cached = self.settings.cached_token(self._token_key(await self._base()))
            if cached and cached.get("token") != failed and not _expired(cached.get("expires_at")):
                self._set_token(cached)   # another kernel already replaced it
                return True
            self._token = None
            await self._new_anonymous_token()
        return True

    @staticmethod
    def _bearer(headers: dict[str, str]) -> str | None:
        value = headers.get("Authorization", "")
        return value[7:] if value.startswith("Bearer ") else None

    # -- requests ------------------------------------------------------------------------------
    async def _headers(self, auth: bool, extra: dict[str, str] | None) -> dict[str, str]:
        headers = dict(extra or {})
        if auth:
            headers["Authorization"] = f"Bearer {await self._ensure_token()}"
        return headers

    async def _send(self, method: str, path: str, *, auth: bool = True, headers: dict[str, str] | None = None,
                    json_body: Any = None, body: MultipartBody | None = None,
                    params: dict[str, Any] | None = None) -> httpx.Response:
        """One request with the protocol's retries; returns a response with status < 400.

        Errors become typed exceptions. Only GETs are retried on connection errors and 5xx.
        """
        base = await self._base()
        client = self._http()
        absolute = path.startswith("http")
        url = self._absolute(path) if absolute else base + path
        idempotent = method.upper() == "GET"
        attempt = 0
        rate_limited = auth_refreshed = engine_restarted = False
        while True:
            hdrs = await self._headers(auth, headers)
            kwargs: dict[str, Any] = {"headers": hdrs, "params": params}
            if body is not None:
                hdrs.update(body.headers)
                kwargs["content"] = body
            elif json_body is not None:
                kwargs["json"] = json_body
            try:
                response = await client.request(method, url, **kwargs)
            except httpx.TransportError as exc:
                if (isinstance(exc, httpx.ConnectError) and not absolute and not engine_restarted
                        and await self._reconnect_engine(base)):
                    # nothing was sent: the same request once more, to the engine running now
                    engine_restarted = True
                    base = await self._base()
                    client = self._http()
                    url = base + path
                    continue
                if idempotent and attempt < self.retries:
                    await asyncio.sleep(self.retry_backoff * (2 ** attempt))
                    attempt += 1
                    continue
                raise TransportError(f"Could not reach the backend at {_origin(url)}: {type(exc).__name__}.",
                                     url=_origin(url)) from None
            status = response.status_code
            if status >= 500 and idempotent and attempt < self.retries:
                await asyncio.sleep(self.retry_backoff * (2 ** attempt))
                attempt += 1
                continue
            if status == 429 and not rate_limited:
                rate_limited = True
                wait = _parse_retry_after(response.headers.get("Retry-After"))
                wait = self.rate_limit_wait if wait is None else wait
                log.info("rate limited on %s; waiting %.1f s before one retry", path, wait)
                await asyncio.sleep(wait)
                continue
            if status < 400:
                payload = _json_or_none(response)
                if auth and not auth_refreshed and isinstance(payload, dict) and _code(payload) == 1001:
                    auth_refreshed = True
                    if await self._refresh_token(self._bearer(hdrs)):
                        continue
                return response
            payload = _json_or_none(response)
            if auth and not auth_refreshed and (status == 401 or (isinstance(payload, dict) and _code(payload) == 1001)):
                auth_refreshed = True
                if await self._refresh_token(self._bearer(hdrs)):
                    continue
            self._raise_http(response, payload, path=path)

    def _raise_http(self, response: httpx.Response, payload: Any, *, path: str) -> None:
        status = response.status_code
        code = _code(payload) if isinstance(payload, dict) else None
        if code not in (None, 0):
            self._raise_code(code, payload, status=status, path=path)
        message = _message_of(payload, response)
        if status == 400 and (path.endswith("/anonymous-token") or "client" in message.lower()):
            raise ClientIdMissing(f"The backend refused the request: missing X-Client-Id ({message}).", status=400)
        if status in (401, 403):
            raise AuthError(f"The backend refused the token ({message}).", status=status, code=1001)
        if status == 402:
            raise ExportBlocked(f"Export is blocked on the free plan ({message}).", status=402)
        if status == 404 and _is_session_missing(payload):
            raise SessionNotFound(f"The session is gone on the backend ({message}).", status=404, code=1002)
        if status == 429:
            retry = _parse_retry_after(response.headers.get("Retry-After"))
            raise RateLimited(f"The backend is rate limiting requests ({message}).", status=429,
                              retry_after=retry if retry is not None else self.rate_limit_wait)
        if status == 413:
            raise FileTooLarge(f"The backend says the upload is too large ({message}).", status=413,
                               limit=self.settings.max_upload_bytes)
        if status >= 500:
            raise ServerError(f"The backend failed with HTTP {status} ({message}).", status=status)
        raise APIError(f"The backend answered HTTP {status} to {path} ({message}).", status=status,
                       hint="Check the request (file, session, draft) and try again.")

    def _raise_code(self, code: int | None, body: Any, *, status: int | None, path: str) -> None:
        message = _message_of(body)
        if code == 1001:
            raise AuthError(f"The token was refused (code 1001: {message or 'bad or expired'}).", code=1001, status=status)
        if code == 1002:
            raise SessionNotFound(f"The session is gone on the backend (code 1002: {message or 'session not found'}).",
                                  code=1002, status=status)
        if code == 2001:
            if self.is_anonymous and self.user_id:
                url = f"{self.web_url}/register?bind={self.user_id}"
                raise InsufficientCredits(
                    f"Out of credits (code 2001: {message or 'insufficient credits'}).",
                    hint=f"Register to get more credits and keep your work: {url}", code=2001, status=status,
                    register_url=url)
            raise InsufficientCredits(f"Out of credits (code 2001: {message or 'insufficient credits'}).",
                                      hint=f"Top up your credits at {self.web_url}.", code=2001, status=status)
        if code == 4001:
            raise UnsupportedFileType(f"The backend refused the file type (code 4001: {message or 'unsupported'}).",
                                      hint=f"Accepted formats: {accepted_text()}.", accepted=accepted_list(),
                                      code=4001, status=status)
        if code == 4002:
            raise FileTooLarge(f"The backend refused the file as too large (code 4002: {message or 'too large'}).",
                               code=4002, status=status, limit=self.settings.max_upload_bytes)
        raise ServerError(f"The backend answered code {code} to {path}: {message or 'no message'}.",
                          code=code if isinstance(code, int) else None, status=status)

    def _envelope(self, body: Any, *, path: str) -> Any:
        """``data`` of a ``{"code", "message", "data"}`` or ``{"success", "data"}`` answer."""
        if not isinstance(body, dict):
            raise ServerError(f"The backend answered {path} with something that is not a JSON object.")
        code = _code(body)
        if code not in (None, 0):
            self._raise_code(code, body, status=None, path=path)
        if body.get("success") is False:
            raise ServerError(f"The backend answered {path} with a failure: {_message_of(body) or 'no message'}.")
        return body.get("data", body if code is None and "success" not in body else None)

    async def _request(self, method: str, path: str, **kwargs: Any) -> Any:
        response = await self._send(method, path, **kwargs)
        payload = _json_or_none(response)
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

    # -- render endpoints (used by sessions and jobs) ------------------------------------------
    async def _submit_render(self, session_id: str, draft: dict[str, Any], *, quality: str = "high",
                             resolution: str | None = None) -> AsyncRenderJob:
        base = await self._base()
        output: dict[str, Any] = {"format": "mp4", "quality": quality}
        if resolution:
            output["resolution"] = resolution
        last_error: NemoError | None = None
        for _attempt in range(2):   # the protocol: on a failure retry once with a new id
            # unique ids (the protocol): two exports in one millisecond must not collide
            job_id = f"render_{int(time.time() * 1000)}_{os.urandom(3).hex()}"
            self._job_store.add(job_id, backend=self._jobs_key(base), session_id=session_id)
            try:
                body = await self._request("POST", "/api/render/proxy/lambda",
                                           json_body={"id": job_id, "sessionId": session_id, "draft": draft,
                                                      "output": output})
            except APIError as exc:
                status = exc.status
                if status is not None and 400 <= status < 500:
                    self._job_store.remove(job_id)   # clearly refused: the backend has no such job
                    if status == 409:                # the id is taken: once more with a new one
                        last_error = exc
                        log.info("render id %s was refused as taken; retrying once with a new id", job_id)
                        continue
                    raise
                if isinstance(exc, ServerError):
                    # an HTTP 5xx: the backend may have accepted the job, so its id is kept
                    # (jobs() forgets ids the backend does not know)
                    last_error = exc
                    log.info("render submit %s failed (%s); retrying once with a new id", job_id, exc)
                    continue
                raise
            # anything else (a timeout, a dropped connection, a cancelled cell) may have
            # reached the backend: the id stays in the store
            try:
                data = self._envelope(body, path="/api/render/proxy/lambda")
            except (ServerError, StreamError) as exc:
                self._job_store.remove(job_id)   # an envelope / success:false rejection
                last_error = exc
                log.info("render submit %s failed (%s); retrying once with a new id", job_id, exc)
                continue
            except BaseException:
                self._job_store.remove(job_id)
                raise
            d = data if isinstance(data, dict) else {}
            real_id = str(d.get("id") or job_id)
            if real_id != job_id:
                self._job_store.remove(job_id)
                self._job_store.add(real_id, backend=self._jobs_key(base), session_id=session_id)
            from .models import _num

            return AsyncRenderJob(self, real_id, session_id=session_id, status=str(d.get("status") or "pending"),
                                  progress=float(_num(d.get("progress")) or 0))
        assert last_error is not None
        raise RenderError(f"The backend refused the export twice: {last_error.message}",
                          hint="Check the timeline (%nemo status) and export again later.")

    async def _render_poll(self, job_id: str) -> Any:
        body = await self._request("GET", f"/api/render/proxy/lambda/{job_id}")
        if isinstance(body, dict) and body.get("success") is False:
            message = _message_of(body)
            raise ServerError(f"The backend could not report on render {job_id}: {message or 'no message'}.")
        if isinstance(body, dict) and _code(body) not in (None, 0):
            self._raise_code(_code(body), body, status=None, path="/api/render/proxy/lambda")
        return body

    async def _render_cancel(self, job_id: str) -> None:
        await self._request("POST", f"/api/render/proxy/lambda/{job_id}/cancel")

    async def _download_render(self, job_id: str, url: str | None, target: Path) -> Path:
        """Stream the MP4 to a temp file beside ``target``, then rename; fall back to /download."""
        target = Path(target)
        target.parent.mkdir(parents=True, exist_ok=True)
        attempts: list[str] = []
        if url:
            attempts.append(self._absolute(url))
        attempts.append(f"{await self._base()}/api/render/proxy/{job_id}/download")
        errors: list[str] = []
        for candidate in attempts:
            try:
                return await self._stream_to(candidate, target)
            except (httpx.HTTPError, NemoError, OSError) as exc:
                errors.append(f"{_origin(candidate)}: {redact(exc)}")
                log.info("download of %s from %s failed: %s", job_id, _origin(candidate), exc)
        raise RenderError(f"Could not download render {job_id} ({'; '.join(errors)}).", job_id=job_id,
                          hint="Try video.download() again later; the job id is kept.")

    async def _stream_to(self, url: str, target: Path) -> Path:
        same_origin = _origin(url) == _origin(await self._base())
        client = self._http()
        headers = await self._headers(same_origin, None)
        fd = None
        tmp = target.with_name(f".{target.name}.{os.getpid()}.{os.urandom(3).hex()}.part")
        try:
            async with client.stream("GET", url, headers=headers, timeout=httpx.Timeout(60.0, connect=15.0)) as resp:
                if resp.status_code >= 400:
                    raise RenderError(f"HTTP {resp.status_code}")
                ctype = resp.headers.get("content-type", "")
                if "json" in ctype or "text/html" in ctype:
                    raise RenderError(f"not a video ({ctype})")
                fd = open(tmp, "wb")  # noqa: SIM115 - closed below, then renamed
                size = 0
                async for chunk in resp.aiter_bytes(256 * 1024):
                    fd.write(chunk)
                    size += len(chunk)
                fd.close()
                fd = None
            if size == 0:
                raise RenderError("empty body")
            os.replace(tmp, target)
            return target
        finally:
            if fd is not None:
                fd.close()
            with contextlib.suppress(OSError):
                tmp.unlink()


class AsyncSession:
    """One conversation (task + session on the backend), created at first use."""

    def __init__(self, nemo: AsyncNemo, name: str | None = None, session_id: str | None = None) -> None:
        self._nemo = nemo
        self.name = name or "default"
        self.id: str | None = session_id
        self.task_id: str | None = None
        self.language: str | None = None
        self._draft: Draft | None = None
        self._draft_known = False
        self.last_turn: _Turn | None = None
        self._create_lock: asyncio.Lock | None = None

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.name!r} id={self.id!r}>"

    @property
    def nemo(self) -> AsyncNemo:
        return self._nemo

    @property
    def draft(self) -> Draft | None:
        """The last draft seen (after a turn, a state read or an export), or None."""
        return self._draft

    def _set_draft(self, draft: Draft | None) -> None:
        self._draft = draft
        self._draft_known = True

    async def _ensure(self, text: str | None = None) -> str:
        if self.id:
            return self.id
        if self._create_lock is None:
            self._create_lock = asyncio.Lock()
        async with self._create_lock:
            if self.id:
                return self.id
            language = detect_language(text)
            data = await self._nemo._api("POST", f"/api/tasks/me/with-session/{APP_NAME}",
                                         json_body={"task_name": self.name if self.name != "default" else "project",
                                                    "language": language})
            d = data if isinstance(data, dict) else {}
            sid = d.get("session_id") or d.get("sessionId")
            if not sid:
                raise ServerError("The backend did not return a session id for the new session.")
            self.id = str(sid)
            self.task_id = str(d.get("task_id") or d.get("taskId") or "") or None
            self.language = language
            if d.get("user_id") and not self._nemo.user_id:
                self._nemo.user_id = str(d["user_id"])
            self._set_draft(None)
            return self.id

    def _forget(self) -> None:
        """The backend lost the session: start a new one at next use."""
        self.id = None
        self.task_id = None
        self._draft = None
        self._draft_known = False

    # -- state ---------------------------------------------------------------------------------
    async def state(self) -> State:
        if not self.id:
            return State(draft=None)
        try:
            data = await self._nemo._api("GET", f"/api/state/{APP_NAME}/me/{self.id}/latest")
        except SessionNotFound:
            self._forget()
            raise
        st = State.from_json(data)
        if isinstance(data, dict) and data.get("task_id") and not self.task_id:
            self.task_id = str(data["task_id"])
        self._set_draft(st.draft)
        return st

    # -- chat ----------------------------------------------------------------------------------
    async def stream(self, text: str) -> AsyncIterator[Event]:
        """Send ``text`` once and yield typed events as they arrive (EOF ends the turn)."""
        if not isinstance(text, str) or not text.strip():
            raise StreamError("Nothing to send: the message is empty.", hint="Type what the video should be.")
        nemo = self._nemo
        existed = self.id is not None
        sid = await self._ensure(text)
        turn = _Turn()
        self.last_turn = turn
        if existed and not self._draft_known:
            with contextlib.suppress(NemoError):
                await self.state()
        turn.draft_before = self._draft
        # Until this turn completes normally the draft is unknown: a cancelled or timed-out
        # turn may still change it, so the next turn reads the state before diffing.
        self._draft_known = False
        assembler = EventAssembler()
        body = {"app_name": APP_NAME, "user_id": "me", "session_id": sid,
                "new_message": {"role": "user", "parts": [{"text": text}]}, "streaming": True}
        base = await nemo._base()
        client = nemo._http()
        url = base + "/run_sse"
        rate_limited = auth_refreshed = engine_restarted = False
        sent = False
        while True:
            headers = await nemo._headers(True, {"Content-Type": "application/json"})
            try:
                async with aconnect_sse(client, "POST", url, json=body, headers=headers,
                                        timeout=httpx.Timeout(30.0, read=None)) as source:
                    response = source.response
                    sent = True
                    if response.status_code != 200 or "text/event-stream" not in response.headers.get("content-type", ""):
                        await response.aread()
                        payload = _json_or_none(response)
                        code = _code(payload) if isinstance(payload, dict) else None
                        if response.status_code == 429 and not rate_limited:
                            rate_limited = True
                            wait = _parse_retry_after(response.headers.get("Retry-After"))
                            await asyncio.sleep(nemo.rate_limit_wait if wait is None else wait)
                            sent = False
                            continue
                        if (response.status_code == 401 or code == 1001) and not auth_refreshed:
                            auth_refreshed = True
                            if await nemo._refresh_token(nemo._bearer(headers)):
                                sent = False
                                continue
                        if (response.status_code == 404 and _is_session_missing(payload)) or code == 1002:
                            self._forget()
                            raise SessionNotFound(
                                f"The session {sid} is gone on the backend; its draft is lost.",
                                code=1002, status=response.status_code)
                        if response.status_code < 400 and code in (None, 0):
                            raise EventParseError(
                                f"/run_sse answered {response.headers.get('content-type') or 'no content type'} "
                                "instead of an event stream.")
                        if response.status_code >= 400 and code in (None, 0):
                            nemo._raise_http(response, payload, path="/run_sse")
                        nemo._raise_code(code, payload, status=response.status_code, path="/run_sse")
                    async for event in self._events(source, assembler, turn):
                        yield event
                break
            except httpx.ConnectError as exc:
                if not sent and not engine_restarted and await nemo._reconnect_engine(base):
                    # the message never left: send it to the engine running now (not a re-send)
                    engine_restarted = True
                    base = await nemo._base()
                    client = nemo._http()
                    url = base + "/run_sse"
                    continue
                if not sent:
                    raise TransportError(f"Could not reach the backend at {_origin(url)}: {type(exc).__name__}.",
                                         hint="Nothing was sent. Check the backend, then send the message again.") from None
                raise
            except (httpx.TransportError, httpx_sse_errors()) as exc:
                log.warning("the chat stream dropped (%s); reading the state instead of re-sending", type(exc).__name__)
                await self._recover(turn, reason=type(exc).__name__)
                break
        turn.text = assembler.text
        turn.state_delta = dict(assembler.state_delta)
        turn.finished = True
        if turn.recovered_state is None:
            # The turn may have changed the draft: take it from the stream's state delta when
            # there is one, else mark it unknown so the next turn reads the state first.
            delta_draft = _draft_from_delta(turn.state_delta, None) if "draft" in turn.state_delta else None
            if delta_draft is not None:
                self._set_draft(delta_draft)
            else:
                self._draft_known = False

    async def _events(self, source: Any, assembler: EventAssembler, turn: _Turn) -> AsyncIterator[Event]:
        timeout = self._nemo.turn_timeout
        last_real = time.monotonic()
        iterator = source.aiter_sse().__aiter__()
        try:
            while True:
                remaining = timeout - (time.monotonic() - last_real)
                if remaining <= 0:
                    raise TurnTimeout(f"The backend sent only keep-alives for {timeout:g} s; the turn was stopped.")
                try:
                    sse = await asyncio.wait_for(iterator.__anext__(), remaining)
                except StopAsyncIteration:
                    return
                except asyncio.TimeoutError:
                    raise TurnTimeout(f"The backend sent only keep-alives for {timeout:g} s; "
                                      "the turn was stopped.") from None
                if sse.event == "error":
                    raise StreamError(f"The backend reported an error during the turn: {redact(sse.data) or 'no details'}")
                try:
                    events = assembler.feed(sse.data)
                except EventParseError as exc:
                    # one unreadable frame must not throw away a long turn: note it and go on
                    turn.skipped += 1
                    log.warning("skipped an unreadable event in the chat stream: %s", exc.message)
                    continue
                for event in events:
                    if not isinstance(event, Heartbeat):
                        last_real = time.monotonic()
                    turn.events.append(event)
                    turn.text = assembler.text
                    yield event
        finally:
            with contextlib.suppress(Exception):
                await iterator.aclose()

    async def _recover(self, turn: _Turn, *, reason: str) -> None:
        """Protocol recovery after a dropped stream: never re-send; watch the state instead."""
        nemo = self._nemo
        before = _draft_json(turn.draft_before)
        await asyncio.sleep(nemo.recovery_wait)
        for check in range(max(1, nemo.recovery_checks)):
            if check:
                await asyncio.sleep(nemo.recovery_interval)
            try:
                st = await self.state()
            except NemoError as exc:
                log.info("state read %d after the drop failed: %s", check + 1, exc)
                continue
            if _draft_json(st.draft) != before:
                turn.recovered = True
                turn.recovered_state = st
                return
        raise StreamDropped(
            f"The connection broke mid-turn ({reason}) and the draft did not change in "
            f"{max(1, nemo.recovery_checks)} checks.", changed=False)

    async def ask(self, text: str, *, on_event: Callable[[Event], None] | None = None) -> Reply:
        """One whole turn: the reply text, the events, and what changed in the draft.

        ``on_event`` is called with every event as it arrives (for live display).
        """
        events: list[Event] = []
        async for event in self.stream(text):
            events.append(event)
            if on_event is not None:
                on_event(event)
        turn = self.last_turn or _Turn()
        before = turn.draft_before
        after: Draft | None
        if turn.recovered_state is not None:
            after = turn.recovered_state.draft
        else:
            try:
                after = (await self.state()).draft
            except NemoError as exc:
                log.info("could not read the state after the turn: %s", exc)
                after = _draft_from_delta(turn.state_delta, before)
                self._set_draft(after)
        changes = _diff(before, after)
        reply_text = _strip_temporary_issue(turn.text)
        notices: list[str] = []
        if turn.recovered:
            notices.append("The connection dropped mid-turn; the message was not re-sent, and the result "
                           "was read from the timeline.")
        if turn.skipped:
            notices.append(f"{turn.skipped} unreadable event(s) from the backend were skipped.")
        if reply_text != turn.text:
            notices.append("A trailing 'temporary issue' message after a normal reply was left out.")
        return Reply(text=reply_text, events=events, changes=changes, draft=after, draft_before=before,
                     session_id=self.id, silent=not reply_text.strip(), recovered=turn.recovered, notices=notices)

    # -- uploads -------------------------------------------------------------------------------
    async def upload(self, *paths: str | os.PathLike[str], urls: Sequence[str] | None = None,
                     on_progress: ProgressCallback | None = None) -> list[UploadedFile]:
        """Upload local files (streamed, checked first) and/or URLs; returns what the backend stored."""
        if not paths and not urls:
            raise UploadError("Nothing to upload.", hint="Give file paths, or urls=[...].")
        prepared = check_files(paths, max_bytes=self._nemo.settings.max_upload_bytes) if paths else []
        url_list = [str(u) for u in (urls or [])]
        for u in url_list:
            if not u.startswith(("http://", "https://")):
                raise UploadError(f"{u!r} is not an http(s) URL.", hint="Give a full https://... link.")
        sid = await self._ensure(None)
        path = f"/api/upload-video/{APP_NAME}/me/{sid}"
        out: list[UploadedFile] = []
        try:
            if prepared:
                body = MultipartBody(prepared, on_progress=on_progress)
                data = await self._nemo._api("POST", path, body=body)
                out.extend(_uploaded(data))
            if url_list:
                data = await self._nemo._api("POST", path, json_body={"urls": url_list, "source_type": "url"})
                out.extend(_uploaded(data))
        except SessionNotFound:
            self._forget()
            raise
        return out

    # -- claim link ----------------------------------------------------------------------------
    async def claim_url(self) -> str:
        """A browser link that lets a registered account take over this anonymous session.

        (``POST /api/auth/claim-token``, newer backends.) The link holds a claim token: share
        it only with yourself; it is masked in logs and error texts.
        """
        if not self.id:
            raise StreamError("There is nothing to claim yet: this session has not been used.",
                              hint="Send a first message, then ask for the link.")
        data = await self._nemo._api("POST", "/api/auth/claim-token",
                                     json_body={"task_id": self.task_id, "session_id": self.id})
        token = data.get("claim_token") if isinstance(data, dict) else None
        if not isinstance(token, str) or not token:
            raise ServerError("The backend did not return a claim token.")
        return f"{self._nemo.web_url}/workspace/claim?ct={token}"

    # -- export --------------------------------------------------------------------------------
    async def export(self, quality: str = "high", resolution: str | None = None, *,
                     draft: Draft | dict[str, Any] | None = None) -> AsyncRenderJob:
        """Submit the session's draft for rendering; the job id is kept locally at once.

        ``draft`` renders an edited draft instead (for example one rebuilt with
        ``Draft.from_dataframe``): the protocol's render call carries the draft, so the
        session's own draft is left as it was.
        """
        if not self.id:
            raise NotExportable("There is no draft yet: this session has not been used.")
        st = await self.state()
        if draft is not None:
            from .draft import Draft

            draft = draft if isinstance(draft, Draft) else Draft.from_json(draft)
        else:
            draft = st.draft
        if draft is None or not draft.is_exportable:
            raise NotExportable("The timeline is empty: there is nothing to export yet.")
        mapping: dict[str, str] = {}
        for asset in st.assets:
            if asset.filename and asset.cdn_url:
                mapping[f"/mnt/userdata/{asset.filename}"] = asset.cdn_url
                mapping[asset.filename] = asset.cdn_url
        if mapping:
            draft = draft.with_sources_mapped(mapping)
        try:
            return await self._nemo._submit_render(self.id, draft.to_json(), quality=quality, resolution=resolution)
        except SessionNotFound:
            self._forget()
            raise


# -- sync twins ----------------------------------------------------------------------------------
class Nemo:
    """Sync client: same arguments as :class:`AsyncNemo`; works in scripts and Jupyter cells."""

    def __init__(self, backend: str | None = None, token: str | None = None, **kwargs: Any) -> None:
        self._async = AsyncNemo(backend, token, **kwargs)

    def __repr__(self) -> str:
        return repr(self._async).replace("<AsyncNemo", "<Nemo", 1)

    @property
    def aio(self) -> AsyncNemo:
        """The async client underneath (its coroutines belong on the nemo_jupyter loop)."""
        return self._async

    @property
    def settings(self) -> Settings:
        return self._async.settings

    @property
    def backend(self) -> str:
        return self._async.backend

    @property
    def base_url(self) -> str:
        return self._async.base_url

    @property
    def web_url(self) -> str:
        return self._async.web_url

    @property
    def user_id(self) -> str | None:
        return self._async.user_id

    @property
    def is_anonymous(self) -> bool:
        return self._async.is_anonymous

    def credits(self) -> Credits:
        return run_sync(self._async.credits())

    def session(self, name: str | None = None, *, session_id: str | None = None) -> Session:
        return Session(self, self._async.session(name, session_id=session_id))

    def jobs(self) -> list[RenderJob]:
        return [RenderJob(self, job) for job in run_sync(self._async.jobs())]

    def attach(self, job_id: str) -> RenderJob:
        return RenderJob.attach(self, job_id)

    def close(self) -> None:
        if self._async._client is not None:
            run_sync(self._async.aclose())

    def __enter__(self) -> Nemo:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


Nemo.__init__.__signature__ = inspect.signature(AsyncNemo.__init__)  # type: ignore[attr-defined]


class Session:
    """Sync twin of :class:`AsyncSession`."""

    def __init__(self, nemo: Nemo, session: AsyncSession) -> None:
        self._nemo = nemo
        self._session = session

    def __repr__(self) -> str:
        return repr(self._session).replace("<AsyncSession", "<Session", 1)

    @property
    def aio(self) -> AsyncSession:
        return self._session

    name = property(lambda self: self._session.name)
    id = property(lambda self: self._session.id)
    task_id = property(lambda self: self._session.task_id)
    language = property(lambda self: self._session.language)
    draft = property(lambda self: self._session.draft)

    def stream(self, text: str) -> Iterator[Event]:
        return iterate_sync(self._session.stream(text))

    def ask(self, text: str, *, on_event: Callable[[Event], None] | None = None) -> Reply:
        return run_sync(self._session.ask(text, on_event=on_event))

    def upload(self, *paths: str | os.PathLike[str], urls: Sequence[str] | None = None,
               on_progress: ProgressCallback | None = None) -> list[UploadedFile]:
        return run_sync(self._session.upload(*paths, urls=urls, on_progress=on_progress))

    def state(self) -> State:
        return run_sync(self._session.state())

    def claim_url(self) -> str:
        return run_sync(self._session.claim_url())

    def export(self, quality: str = "high", resolution: str | None = None, *,
               draft: Draft | dict[str, Any] | None = None) -> RenderJob:
        return RenderJob(self._nemo, run_sync(self._session.export(quality=quality, resolution=resolution,
                                                                   draft=draft)))


# -- helpers -------------------------------------------------------------------------------------
def httpx_sse_errors() -> type[Exception]:
    from httpx_sse import SSEError

    return SSEError


def _code(body: dict[str, Any]) -> int | None:
    code = body.get("code")
    if isinstance(code, bool):
        return None
    if isinstance(code, int):
        return code
    if isinstance(code, str) and code.strip().lstrip("-").isdigit():
        return int(code)
    return None


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def _expired(expires_at: Any) -> bool:
    if not expires_at:
        return False
    try:
        from datetime import datetime, timezone

        when = datetime.fromisoformat(str(expires_at).replace("Z", "+00:00"))
        if when.tzinfo is None:
            when = when.replace(tzinfo=timezone.utc)
        return when.timestamp() <= time.time() + 60
    except ValueError:
        return False


def _uploaded(data: Any) -> list[UploadedFile]:
    d = data if isinstance(data, dict) else {}
    files = d.get("files")
    if not isinstance(files, list):
        files = d.get("uploaded_files") or d.get("uploadedFiles") or []
    return [UploadedFile.from_json(f) for f in files if isinstance(f, dict)]


def _draft_json(draft: Draft | None) -> str | None:
    if draft is None:
        return None
    return json.dumps(draft.to_json(), sort_keys=True, ensure_ascii=False)


def _draft_from_delta(delta: dict[str, Any], before: Draft | None) -> Draft | None:
    raw = delta.get("draft")
    if raw is None:
        return before
    from .draft import Draft
    from .exceptions import DraftError

    try:
        return Draft.from_json(raw)
    except DraftError:
        return before


def _diff(before: Draft | None, after: Draft | None) -> list[str]:
    if after is None:
        return [] if before is None else ["The draft was cleared."]
    from .draft import Draft

    base = before if before is not None else Draft.from_json(None)
    try:
        return list(base.diff(after))
    except Exception as exc:  # a diff must never lose the reply
        log.warning("could not diff the drafts: %s", exc)
        return []


def _strip_temporary_issue(text: str) -> str:
    """Drop a trailing "I encountered a temporary issue" after otherwise normal output."""
    idx = text.rfind(TEMPORARY_ISSUE)
    if idx > 0 and text[:idx].strip():
        return text[:idx].rstrip()
    return text

