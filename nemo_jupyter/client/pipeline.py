"""The request pipeline: the one way from the client to the backend, handed to every part that speaks HTTP.

As httpx hands a transport to its client, :class:`~.nemo.AsyncNemo` makes one :class:`Pipeline`
and hands it to its sessions, their chat turns and the render endpoints; each of them calls
its public methods and nothing else. The pipeline holds, once for all of them:

* where the backend is (:meth:`Pipeline.base`: the cloud, a URL, or the embedded engine found
  or started on first use, through its private socket and secret);
* the HTTP client (rebuilt for another event loop or a restarted engine);
* the attempts (:mod:`.transport`: a stopped engine found again, GETs retried with backoff,
  one wait after a 429) and the bearer token (:mod:`.auth`: one refresh after 401/1001);
* the mapping of refusals to the exception tree (:func:`.errors.error_for`) and the two
  envelopes (``{"code", "message", "data"}`` and ``{"success", "data"}``).

Plain requests (:meth:`Pipeline.send`, :meth:`Pipeline.request`, :meth:`Pipeline.api`), the
chat's event stream (:meth:`Pipeline.events`) and downloads (:meth:`Pipeline.download`) all go
through it, so they share one retry policy and one token flow. What a backend may push without
end is bounded here, by the :class:`~.settings.Limits` and :class:`~.settings.Timeouts` values:
one server-sent event and one turn's stream (:class:`StreamTooLarge`), one download's size and
duration (:class:`DownloadError`; the ``.part`` file goes, and those a killed client left are
removed at the next download into the folder).
"""

from __future__ import annotations

import asyncio
import contextlib
import os
from collections.abc import AsyncIterator
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urljoin

import httpx
from httpx_sse import EventSource, aconnect_sse

from .auth import BearerAuth, Tokens
from .encoding import encode_json
from .errors import ErrorContext, envelope_code, error_for, json_or_none
from .exceptions import (
    DownloadError,
    EventParseError,
    RenderError,
    ServerError,
    StreamTooLarge,
    TransportError,
)
from .secrets import get_logger, register_secret
from .settings import Limits, Retries, Settings, Timeouts
from .transport import Attempts, origin, parse_retry_after
from .uploads import MultipartBody

if TYPE_CHECKING:
    from ..engine.launcher import EngineAddress

__all__ = ["Pipeline"]

log = get_logger("nemo_jupyter.client")


class Pipeline:
    """One backend's requests: base URL, HTTP client, attempts, auth, error mapping, envelopes.

    ``backend`` is ``"local"`` (the embedded engine), ``"cloud"`` or a URL; ``token`` a token
    given by the user (used as is), else an anonymous one is fetched and cached per backend.
    """

    def __init__(self, settings: Settings, *, retries: Retries, timeouts: Timeouts, token: str | None,
                 limits: Limits | None = None) -> None:
        self.settings = settings
        self.backend = settings.backend
        self.retries = retries
        self.timeouts = timeouts
        self.limits = limits or Limits()
        self._base_url: str | None = None
        if self.backend == "cloud":
            self._base_url = settings.api_url
        elif self.backend != "local":
            self._base_url = self.backend
        self.tokens = Tokens(self, token)
        self.auth = BearerAuth(self.tokens)
        self.unsupported: set[str] = set()   # engine extensions this backend answered 404/405/501 to
        self._client: httpx.AsyncClient | None = None
        self._client_loop: asyncio.AbstractEventLoop | None = None
        self._engine: EngineAddress | None = None          # the embedded engine's socket and secret
        self._client_engine: EngineAddress | None = None   # the one self._client was built for

    # -- where -------------------------------------------------------------------------------
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
    def known_url(self) -> str | None:
        """The base URL when it is known already (None before the embedded engine is found)."""
        return self._base_url

    async def base(self) -> str:
        """:attr:`base_url`, finding or starting the embedded engine off the event loop."""
        if self._base_url is None:
            await asyncio.to_thread(lambda: self.base_url)
        return self.base_url

    def absolute(self, url: str) -> str:
        if url.startswith(("http://", "https://")):
            return url
        return urljoin(self.base_url + "/", url.lstrip("/"))

    def key_for(self, base: str) -> str:
        """Which backend a stored job id (or a cached token) belongs to: the embedded engine by
        its data dir (it comes back on a new port after an idle stop), any other backend by URL."""
        if self.backend == "local":
            return f"local:{self.settings.engine_home or 'default'}"
        return base

    async def backend_key(self) -> str:
        """Which backend this is, as a stable string (see :meth:`key_for`)."""
        return self.key_for(await self.base())

    @property
    def engine_address(self) -> EngineAddress | None:
        """The embedded engine in use (its socket, secret and URL), once found or started."""
        return self._engine if self.backend == "local" else None

    @property
    def is_private_engine(self) -> bool:
        """True when talking to the private embedded engine (a Unix socket or a secret): its
        media URLs work only through this client, not in a browser."""
        engine = self._engine if self.backend == "local" else None
        return bool(engine is not None and (engine.socket or engine.secret))

    @property
    def is_anonymous(self) -> bool:
        user = self.tokens.user_id
        return self.tokens.anonymous or bool(user and str(user).startswith("anon"))

    # -- the HTTP client -----------------------------------------------------------------------
    def http(self) -> httpx.AsyncClient:
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

    @property
    def opened(self) -> bool:
        """An HTTP client was made (and may need closing)."""
        return self._client is not None

    async def aclose(self) -> None:
        client, self._client = self._client, None
        if client is not None and not client.is_closed:
            await client.aclose()

    # -- policy --------------------------------------------------------------------------------
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
        new_base = await self.base()
        log.info("the embedded engine at %s is gone; now using %s", failed_base, new_base)
        return True

    def attempts(self, *, idempotent: bool, follows_engine: bool = True, label: str = "") -> Attempts:
        """The retry state for one request (see :mod:`.transport`)."""
        return Attempts(self.retries, idempotent=idempotent, reconnect=self._reconnect_engine,
                        follows_engine=follows_engine, label=label)

    def error_context(self) -> ErrorContext:
        return ErrorContext(web_url=self.settings.web_url,
                            anonymous_user=self.tokens.user_id if self.is_anonymous else None,
                            upload_limit=self.settings.max_upload_bytes,
                            rate_limit_wait=self.retries.rate_limit_wait)

    def raise_for(self, response: httpx.Response, payload: Any, *, path: str) -> None:
        """Raise the exception of the tree for a refused answer (see :func:`.errors.error_for`)."""
        raise error_for(response.status_code, payload, path=path, ctx=self.error_context(),
                        reason=response.reason_phrase,
                        retry_after=parse_retry_after(response.headers.get("Retry-After")))

    # -- plain requests ------------------------------------------------------------------------
    async def send(self, method: str, path: str, *, auth: bool = True, headers: dict[str, str] | None = None,
                   json_body: Any = None, body: MultipartBody | None = None,
                   params: dict[str, Any] | None = None) -> httpx.Response:
        """One request through the attempts and the token flow; a response with status < 400.

        Errors become typed exceptions. Only GETs are retried on connection errors and 5xx.
        """
        absolute = path.startswith("http")
        attempts = self.attempts(idempotent=method.upper() == "GET", follows_engine=not absolute, label=path)
        while True:
            base = await self.base()
            url = self.absolute(path) if absolute else base + path
            hdrs = dict(headers or {})
            kwargs: dict[str, Any] = {"headers": hdrs, "params": params, "auth": self.auth if auth else None}
            if body is not None:
                hdrs.update(body.headers)
                kwargs["content"] = body
            elif json_body is not None:
                kwargs["content"] = encode_json(json_body)
                hdrs["Content-Type"] = "application/json"
            try:
                response = await self.http().request(method, url, **kwargs)
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

    def envelope(self, body: Any, *, path: str) -> Any:
        """``data`` of a ``{"code", "message", "data"}`` or ``{"success", "data"}`` answer."""
        if not isinstance(body, dict):
            raise ServerError(f"The backend answered {path} with something that is not a JSON object.")
        code = envelope_code(body)
        if code not in (None, 0) or body.get("success") is False:
            raise error_for(None, body, path=path, ctx=self.error_context())
        return body.get("data", body if code is None and "success" not in body else None)

    async def request(self, method: str, path: str, **kwargs: Any) -> Any:
        """The JSON answer of one request (any envelope, as it came)."""
        response = await self.send(method, path, **kwargs)
        payload = json_or_none(response)
        if payload is None:
            raise ServerError(f"The backend answered {path} with something that is not JSON "
                              f"(HTTP {response.status_code}).")
        return payload

    async def api(self, method: str, path: str, **kwargs: Any) -> Any:
        """The ``data`` of one request's envelope."""
        return self.envelope(await self.request(method, path, **kwargs), path=path)

    # -- the event stream ----------------------------------------------------------------------
    @contextlib.asynccontextmanager
    async def events(self, path: str, *, json_body: Any) -> AsyncIterator[EventSource]:
        """POST ``json_body`` to ``path`` once and yield the answer's server-sent event source.

        The same attempts and token flow as every request: a message the backend did not take
        (a refused connection before anything left, a 429) is sent again, once it took it never
        (it would duplicate work and charge twice). A refusal raises the exception of the tree;
        a success that is not an event stream raises :class:`EventParseError`.
        """
        attempts = self.attempts(idempotent=False, label=path)
        opened = False
        while True:
            base = await self.base()
            url = base + path
            try:
                async with aconnect_sse(self.http(), "POST", url, content=encode_json(json_body), auth=self.auth,
                                        headers={"Content-Type": "application/json"},
                                        timeout=httpx.Timeout(30.0, read=None)) as source:
                    response = source.response
                    if response.status_code != 200 or "text/event-stream" not in response.headers.get(
                            "content-type", ""):
                        await _read_capped(response, ERROR_BODY_BYTES)
                        if await attempts.after_response(response):
                            continue   # refused (429), not taken: the same message once more
                        payload = json_or_none(response)
                        if response.status_code < 400 and envelope_code(payload) in (None, 0):
                            raise EventParseError(
                                f"{path} answered {response.headers.get('content-type') or 'no content type'} "
                                "instead of an event stream.")
                        self.raise_for(response, payload, path=path)
                    opened = True
                    yield EventSource(_BoundedStream(response, self.limits))   # type: ignore[arg-type]
                    return
            except httpx.ConnectError as exc:
                if opened:
                    raise
                if await attempts.after_error(exc, base):
                    continue   # the message never left: send it to the engine running now (not a re-send)
                raise TransportError(f"Could not reach the backend at {origin(url)}: {type(exc).__name__}.",
                                     hint="Nothing was sent. Check the backend, then send the message again.",
                                     url=origin(url), sent=False) from None

    # -- downloads -----------------------------------------------------------------------------
    async def download(self, url: str, target: Path) -> Path:
        """Stream ``url`` to a temporary file beside ``target``, then rename it (the bearer token
        goes only to the backend's own origin). Raises on an empty or non-video answer; a body over
        ``limits.download_mb``, a download longer than ``timeouts.download`` or a folder that cannot
        be written is a :class:`DownloadError`, and no ``.part`` file is left."""
        same_origin = origin(url) == origin(await self.base())
        limit, deadline = self.limits.download_bytes, self.timeouts.download
        remove_stale_parts(target)
        tmp = target.with_name(f".{target.name}.{os.getpid()}.{os.urandom(3).hex()}.part")
        fd = None
        try:
            async with self.http().stream("GET", url, auth=self.auth if same_origin else None,
                                          timeout=httpx.Timeout(60.0, connect=15.0)) as resp:
                if resp.status_code >= 400:
                    raise RenderError(f"HTTP {resp.status_code}")
                ctype = resp.headers.get("content-type", "")
                if "json" in ctype or "text/html" in ctype:
                    raise RenderError(f"not a video ({ctype})")
                announced = resp.headers.get("content-length", "")
                if announced.isdigit() and int(announced) > limit:
                    raise _too_big(int(announced), limit)
                try:
                    fh = fd = open(tmp, "wb")  # noqa: SIM115 - closed below, then renamed
                except OSError as exc:
                    raise _unwritable(target, exc) from None
                size = 0

                async def copy() -> None:
                    nonlocal size
                    async for chunk in resp.aiter_bytes(256 * 1024):
                        size += len(chunk)
                        if size > limit:
                            raise _too_big(size, limit)
                        try:
                            fh.write(chunk)
                        except OSError as exc:
                            raise _unwritable(target, exc) from None

                try:
                    await asyncio.wait_for(copy(), deadline)
                except asyncio.TimeoutError:
                    raise DownloadError(f"The download did not finish within {deadline:g} s ({size / 1e6:.1f} MB "
                                        "came); it was stopped and nothing was kept.",
                                        hint="Try again on a faster connection, or raise Timeouts(download=...).") \
                        from None
                fh.close()
                fd = None
            if size == 0:
                raise RenderError("empty body")
            try:
                os.replace(tmp, target)
            except OSError as exc:
                raise _unwritable(target, exc) from None
            return target
        finally:
            if fd is not None:
                fd.close()
            with contextlib.suppress(OSError):
                tmp.unlink()


ERROR_BODY_BYTES = 1024 * 1024   # a refusal's body is read this far at most


async def _read_capped(response: httpx.Response, limit: int) -> None:
    """Read a (refusal's) body, at most ``limit`` bytes of it (the rest is not waited for)."""
    body = b""
    async for chunk in response.aiter_bytes():
        body += chunk
        if len(body) > limit:
            body = body[:limit]
            break
    response._content = body   # what response.json() reads


class _BoundedStream:
    """The answer as httpx-sse reads it (``headers``, ``aiter_text``), with the client's limits:
    no event (from one blank line to the next) over ``event_bytes`` characters, no turn over
    ``turn_bytes``. httpx-sse still does all the parsing; this only stops a stream without end."""

    def __init__(self, response: httpx.Response, limits: Limits) -> None:
        self.response = response
        self.headers = response.headers
        self.limits = limits

    async def aiter_text(self) -> AsyncIterator[str]:
        event_limit, turn_limit = self.limits.event_bytes, self.limits.turn_bytes
        pending = total = 0
        tail = ""
        async for text in self.response.aiter_text():
            total += len(text)
            if total > turn_limit:
                raise StreamTooLarge(f"The backend streamed more than {self.limits.turn_mb:g} MB in one turn; "
                                     "the client stopped reading.", limit=turn_limit)
            joined = tail + text
            ends = [joined.rfind(sep) + len(sep) for sep in ("\n\n", "\r\r", "\r\n\r\n") if sep in joined]
            pending = len(joined) - max(ends) if ends else pending + len(text)
            if pending > event_limit:
                raise StreamTooLarge(f"The backend sent one event (or one line) larger than "
                                     f"{self.limits.event_mb:g} MB; the client stopped reading.", limit=event_limit)
            tail = joined[-3:]
            yield text


def _too_big(size: int, limit: int) -> DownloadError:
    return DownloadError(f"The video is larger than the {limit / (1024 * 1024):g} MB the client downloads "
                         f"({size / (1024 * 1024):.0f} MB or more); nothing was kept.",
                         hint="If the backend is one you trust, raise Limits(download_mb=...).")


def _unwritable(target: Path, exc: OSError) -> DownloadError:
    import errno

    full = exc.errno in (errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC))
    why = "the disk (or your quota) is full" if full else (exc.strerror or type(exc).__name__).lower()
    return DownloadError(f"Could not save the video as {target} ({why}); nothing was kept.",
                         hint="Free some space, or download to a folder you can write: video.download(\"PATH\").")


STALE_PART_SECONDS = 86400.0   # a .part file this old is left over, whoever wrote it


def remove_stale_parts(target: Path) -> None:
    """Remove the ``.part`` files of downloads to ``target``'s name that a killed client left (their
    process is gone, or they are a day old)."""
    import glob
    import time

    from ..engine.processes import pid_alive

    with contextlib.suppress(OSError):
        for part in target.parent.glob(f".{glob.escape(target.name)}.*.part"):
            pid = part.name[len(target.name) + 2:].split(".", 1)[0]
            with contextlib.suppress(OSError):
                old = time.time() - part.stat().st_mtime > STALE_PART_SECONDS
                if pid.isdigit() and int(pid) != os.getpid() and (old or not pid_alive(int(pid))):
                    part.unlink()
