"""The render endpoints of :class:`~.nemo.AsyncNemo` (mixed into it): submit, poll, cancel, download.

A render submit is never sent twice with one id: a refusal is retried once *with a new id*
(the protocol), a lost answer is looked up by its id before anything else is said, and every
id is kept in the local job store at once so that ``nemo.jobs()`` finds it after a restart.
A download streams to a temporary file beside the target and renames it.
"""

from __future__ import annotations

import contextlib
import os
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

import httpx

from .auth import BearerAuth, envelope_code
from .encoding import segment
from .errors import ErrorContext, error_for, message_of
from .exceptions import (
    APIError,
    DraftError,
    InvalidInput,
    NemoError,
    RenderError,
    ServerError,
    StreamError,
    TransportError,
)
from .jobs import AsyncRenderJob, JobStore
from .secrets import get_logger, redact
from .transport import origin

if TYPE_CHECKING:
    from .nemo import AsyncNemo

__all__ = ["RenderEndpoints"]

log = get_logger("nemo_jupyter.client")


class RenderEndpoints:
    """``/api/render/proxy/...`` for :class:`~.nemo.AsyncNemo` (used by sessions and jobs)."""

    auth: BearerAuth
    _job_store: JobStore

    if TYPE_CHECKING:  # provided by AsyncNemo
        async def _base(self) -> str: ...
        def _jobs_key(self, base: str) -> str: ...
        def _absolute(self, url: str) -> str: ...
        def _http(self) -> httpx.AsyncClient: ...
        def _error_context(self) -> ErrorContext: ...
        def _envelope(self, body: Any, *, path: str) -> Any: ...
        async def _request(self, method: str, path: str, **kwargs: Any) -> Any: ...

    def _client_self(self) -> AsyncNemo:
        """This object as the client it is mixed into (a job keeps its client)."""
        return cast("AsyncNemo", self)

    async def _submit_render(self, session_id: str, draft: dict[str, Any], *, quality: str = "high",
                             resolution: str | None = None, meta: dict[str, Any] | None = None) -> AsyncRenderJob:
        base = await self._base()
        output: dict[str, Any] = {"format": "mp4", "quality": quality}
        if resolution:
            output["resolution"] = resolution
        last_error: NemoError | None = None
        for _attempt in range(2):   # the protocol: on a failure retry once with a new id
            # unique ids (the protocol): two exports in one millisecond must not collide
            job_id = f"render_{int(time.time() * 1000)}_{os.urandom(3).hex()}"
            self._job_store.add(job_id, backend=self._jobs_key(base), session_id=session_id, **(meta or {}))
            try:
                body = await self._request("POST", "/api/render/proxy/lambda",
                                           json_body={"id": job_id, "sessionId": session_id, "draft": draft,
                                                      "output": output})
            except InvalidInput as exc:
                self._job_store.remove(job_id)   # nothing was sent
                raise DraftError(f"The draft cannot be sent: {exc.message}", hint=exc.hint) from None
            except TransportError as exc:
                # The answer was lost (a reset, a timeout): the job may exist all the same. Ask
                # for it by its id before saying anything; never submit it a second time.
                found = await self._submitted(job_id, session_id) if exc.details.get("sent") else None
                if found is not None:
                    return found
                if not exc.details.get("sent"):
                    self._job_store.remove(job_id)   # nothing left this machine
                    raise
                raise TransportError(
                    f"{exc.message} The export may have been accepted as render {job_id} all the same.",
                    url=exc.details.get("url"), sent=True,
                    hint="Its id is kept: nemo.jobs() lists it once the backend answers again "
                         "(or export again).") from None
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
                self._job_store.add(real_id, backend=self._jobs_key(base), session_id=session_id, **(meta or {}))
            from .models import _num

            job = AsyncRenderJob(self._client_self(), real_id, session_id=session_id, status=str(d.get("status") or "pending"),
                                 progress=float(_num(d.get("progress")) or 0))
            job.meta = dict(meta or {})
            return job
        assert last_error is not None
        raise RenderError(f"The backend refused the export twice: {last_error.message}",
                          hint="Check the timeline (%nemo status) and export again later.")

    async def _submitted(self, job_id: str, session_id: str) -> AsyncRenderJob | None:
        """The job ``job_id`` if the backend has it (after a submit whose answer was lost), else None."""
        from .jobs import normalize_poll

        try:
            body = await self._render_poll(job_id)
        except APIError as exc:
            if exc.status == 404:
                self._job_store.remove(job_id)   # it never arrived: nothing to find later
            return None
        except NemoError:
            return None   # still unreachable: the id stays in the store for jobs()
        result = normalize_poll(body)
        log.info("render %s exists although its submit answer was lost", job_id)
        return AsyncRenderJob(self._client_self(), job_id, session_id=session_id, status=result.status, progress=result.progress)

    async def _render_poll(self, job_id: str) -> Any:
        body = await self._request("GET", f"/api/render/proxy/lambda/{segment(job_id)}")
        if isinstance(body, dict) and body.get("success") is False:
            message = message_of(body)
            raise ServerError(f"The backend could not report on render {job_id}: {message or 'no message'}.")
        if envelope_code(body) not in (None, 0):
            raise error_for(None, body, path="/api/render/proxy/lambda", ctx=self._error_context())
        return body

    async def _render_cancel(self, job_id: str) -> None:
        await self._request("POST", f"/api/render/proxy/lambda/{segment(job_id)}/cancel")

    async def _download_render(self, job_id: str, url: str | None, target: Path) -> Path:
        """Stream the MP4 to a temp file beside ``target``, then rename; fall back to /download."""
        target = Path(target)
        target.parent.mkdir(parents=True, exist_ok=True)
        attempts: list[str] = []
        if url:
            attempts.append(self._absolute(url))
        attempts.append(f"{await self._base()}/api/render/proxy/{segment(job_id)}/download")
        errors: list[str] = []
        for candidate in attempts:
            try:
                return await self._stream_to(candidate, target)
            except (httpx.HTTPError, NemoError, OSError) as exc:
                errors.append(f"{origin(candidate)}: {redact(exc)}")
                log.info("download of %s from %s failed: %s", job_id, origin(candidate), exc)
        raise RenderError(f"Could not download render {job_id} ({'; '.join(errors)}).", job_id=job_id,
                          hint="Try video.download() again later; the job id is kept.")

    async def _stream_to(self, url: str, target: Path) -> Path:
        same_origin = origin(url) == origin(await self._base())
        client = self._http()
        fd = None
        tmp = target.with_name(f".{target.name}.{os.getpid()}.{os.urandom(3).hex()}.part")
        try:
            async with client.stream("GET", url, auth=self.auth if same_origin else None,
                                     timeout=httpx.Timeout(60.0, connect=15.0)) as resp:
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
