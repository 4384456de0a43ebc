"""Tokens, and the 401/1001 refresh as an :class:`httpx.Auth` flow.

:class:`Tokens` holds one client's bearer token: the user's own (``token=`` or
``NEMO_TOKEN``), or an anonymous one fetched from ``/api/auth/anonymous-token`` with the
persisted client id and cached per backend (a file lock shared by every kernel makes two
clients starting at once ask for one token). :class:`BearerAuth` puts it on every request;
when the backend refuses it (HTTP 401, or an envelope ``code`` 1001 in any answer) the flow
fetches one fresh anonymous token with the same client id and sends the request once more,
as httpx's own ``Auth`` classes do. Plain requests and the chat stream go through it alike.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
from collections.abc import AsyncGenerator, AsyncIterator, Awaitable, Callable
from typing import Any, Protocol

import httpx

from .errors import envelope_code
from .exceptions import AuthError, ClientIdMissing
from .secrets import get_logger, register_secret
from .settings import Settings, config_writes, file_lock

__all__ = ["BearerAuth", "TokenDesk", "Tokens", "envelope_code"]

log = get_logger("nemo_jupyter.client")

TOKEN_PATH = "/api/auth/anonymous-token"
CLASS_CODE_HEADER = "X-Class-Code"


def client_tag(client_id: str) -> str:
    """Names a client id in the token cache without storing it twice."""
    import hashlib

    return hashlib.sha256(client_id.encode("utf-8", "backslashreplace")).hexdigest()[:16]


def _expired(expires_at: Any) -> bool:
    """True when a cached token expires within a minute (or already did)."""
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


class TokenDesk(Protocol):
    """Where :class:`Tokens` asks for an anonymous token: the client's request pipeline
    (:class:`~.pipeline.Pipeline`), sending without a bearer token."""

    settings: Settings

    async def backend_key(self) -> str: ...

    async def request(self, method: str, path: str, **kwargs: Any) -> Any: ...

    def envelope(self, body: Any, *, path: str) -> Any: ...


class Tokens:
    """The bearer token of one client (see the module's docstring)."""

    def __init__(self, desk: TokenDesk, user_token: str | None) -> None:
        self._desk = desk
        self.user_token = bool(user_token)
        self.token: str | None = user_token or None
        register_secret(self.token)
        self.anonymous = False
        self.user_id: str | None = None
        self._lock: asyncio.Lock | None = None
        self._lock_loop: asyncio.AbstractEventLoop | None = None

    def _guard(self) -> asyncio.Lock:
        loop = asyncio.get_running_loop()
        if self._lock is None or self._lock_loop is not loop:
            self._lock, self._lock_loop = asyncio.Lock(), loop
        return self._lock

    async def ensure(self) -> str:
        """The token to send now (a cached or new anonymous one when there is none)."""
        if self.token:
            return self.token
        async with self._guard(), self._file_lock():
            if self.token:
                return self.token
            cached = self._desk.settings.cached_token(await self._desk.backend_key())
            if cached and not _expired(cached.get("expires_at")) and self._ours(cached):
                self._set(cached)
                return str(cached["token"])
            return await self._new_anonymous()

    async def refresh(self, failed: str | None) -> bool:
        """After the backend refused ``failed``: a fresh anonymous token with the same client id.

        When several requests fail at once only the first fetches one: the others find the
        current token already differs from the one that failed. False for user tokens.
        """
        if self.user_token:
            return False
        async with self._guard(), self._file_lock():
            if self.token and self.token != failed:
                return True   # another request already replaced the refused token
            cached = self._desk.settings.cached_token(await self._desk.backend_key())
            if (cached and cached.get("token") != failed and not _expired(cached.get("expires_at"))
                    and self._ours(cached)):
                self._set(cached)   # another kernel already replaced it
                return True
            self.token = None
            await self._new_anonymous()
        return True

    @contextlib.asynccontextmanager
    async def _file_lock(self) -> AsyncIterator[None]:
        """Held while a token is read from the cache or fetched, across kernels and clients:
        the cloud hands out one anonymous token per client id per 7 days, so two kernels
        starting at once must not both ask for one."""
        from filelock import Timeout

        path = self._desk.settings.token_file
        lock = file_lock(path.with_name(path.name + ".lock"))
        while True:  # tried without blocking the loop: a cancelled wait leaves nothing held
            try:
                with config_writes(path):
                    lock.acquire(timeout=0)
                break
            except Timeout:
                await asyncio.sleep(0.05)
        try:
            yield
        finally:
            lock.release()

    def _ours(self, entry: dict[str, Any]) -> bool:
        """A cached token belongs to this client id: ``Nemo(client_id=...)`` (or NEMO_CLIENT_ID)
        never silently runs as the identity another client id cached. An entry from before
        tags were kept counts as the persisted id's."""
        tag = entry.get("client")
        if tag is None:
            return not self._desk.settings.client_id
        return bool(tag == client_tag(self._desk.settings.resolve_client_id()))

    def _headers(self, client_id: str) -> dict[str, str]:
        headers = {"X-Client-Id": client_id}
        if self._desk.settings.class_code:
            headers[CLASS_CODE_HEADER] = self._desk.settings.class_code   # a classroom engine asks for it
        return headers

    def _set(self, entry: dict[str, Any]) -> None:
        self.token = str(entry["token"])
        register_secret(self.token)
        self.user_id = entry.get("user_id") or self.user_id
        self.anonymous = bool(entry.get("anonymous", True))

    async def _new_anonymous(self) -> str:
        """A new anonymous token (cached per backend: the embedded engine by its data dir, any
        other backend by URL)."""
        desk = self._desk
        key = await desk.backend_key()
        client_id = desk.settings.resolve_client_id()
        try:
            body = await desk.request("POST", TOKEN_PATH, auth=False, headers=self._headers(client_id))
        except ClientIdMissing:
            # The protocol: HTTP 400 "missing X-Client-Id" -> make one and retry (once).
            client_id = desk.settings.replace_client_id()
            log.info("the backend did not accept the client id; retrying once with a new one")
            body = await desk.request("POST", TOKEN_PATH, auth=False, headers=self._headers(client_id))
        data = desk.envelope(body, path=TOKEN_PATH)
        token = data.get("token") if isinstance(data, dict) else None
        if not isinstance(token, str) or not token:
            raise AuthError("The backend did not hand out an anonymous token.")
        entry = {"token": token, "user_id": data.get("user_id"), "expires_at": data.get("expires_at"),
                 "anonymous": True, "client": client_tag(client_id)}
        register_secret(token)
        desk.settings.store_token(key, entry)
        self._set(entry)
        log.info("got an anonymous token (user %s)", entry["user_id"])
        return token


async def _refused(response: httpx.Response) -> bool:
    """HTTP 401, or a JSON answer with the envelope code 1001 (nothing else is read here: not an
    event stream, not a video)."""
    if response.status_code == 401:
        return True
    if "json" not in response.headers.get("content-type", "").lower():
        return False
    await response.aread()
    try:
        body = json.loads(response.content)
    except (ValueError, UnicodeDecodeError):
        return False
    return envelope_code(body) == 1001


class BearerAuth(httpx.Auth):
    """``Authorization: Bearer <token>``; on a refusal, one fresh token and the request once more."""

    def __init__(self, tokens: Tokens, *, refused: Callable[[httpx.Response], Awaitable[bool]] = _refused) -> None:
        self.tokens = tokens
        self.refused = refused

    def sync_auth_flow(self, request: httpx.Request) -> Any:  # pragma: no cover - the client is async only
        raise RuntimeError("BearerAuth is used by the async client only")

    async def async_auth_flow(self, request: httpx.Request) -> AsyncGenerator[httpx.Request, httpx.Response]:
        token = await self.tokens.ensure()
        request.headers["Authorization"] = f"Bearer {token}"
        response = yield request
        if await self.refused(response) and await self.tokens.refresh(token):
            request.headers["Authorization"] = f"Bearer {await self.tokens.ensure()}"
            yield request
