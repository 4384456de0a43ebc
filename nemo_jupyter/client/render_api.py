"""The render endpoints (``/api/render/proxy/...``): submit, poll, cancel, download; and the jobs kept.

:class:`RenderEndpoints` holds the client's :class:`~.pipeline.Pipeline`, the local job store
and the render cache; sessions submit through it and every :class:`~.jobs.AsyncRenderJob`
polls, cancels and downloads through it.

A render submit is never sent twice with one id: a refusal is retried once *with a new id*
(the protocol), a lost answer is looked up by its id before anything else is said, and every
id is kept in the local job store at once so that ``nemo.jobs()`` finds it after a restart.
A download streams to a temporary file beside the target and renames it.
"""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Any

import httpx

from .encoding import segment
from .errors import envelope_code, error_for, message_of
from .exceptions import (
    APIError,
    DownloadError,
    DraftError,
    InvalidInput,
    NemoError,
    RenderError,
    ServerError,
    StorageFull,
    StreamError,
    TransportError,
)
from .jobs import AsyncRenderJob, JobStore, normalize_poll
from .models import RenderOptions, _num, make_folder
from .pipeline import Pipeline
from .render_cache import RenderCache
from .secrets import get_logger, redact
from .settings import Polling
from .transport import origin

__all__ = ["RenderEndpoints"]

log = get_logger("nemo_jupyter.client")

SUBMIT_PATH = "/api/render/proxy/lambda"


class RenderEndpoints:
    """The renders of one backend: ``/api/render/proxy/...`` through the client's pipeline, the
    ids kept in ``store`` and the files of finished exports in ``cache``."""

    def __init__(self, pipeline: Pipeline, store: JobStore, cache: RenderCache, polling: Polling) -> None:
        self.pipeline = pipeline
        self.store = store
        self.cache = cache
        self.polling = polling

    # -- what a job needs (jobs.RenderService) -------------------------------------------------
    @property
    def is_private_engine(self) -> bool:
        return self.pipeline.is_private_engine

    def absolute(self, url: str) -> str:
        return self.pipeline.absolute(url)

    async def poll(self, job_id: str) -> Any:
        body = await self.pipeline.request("GET", f"{SUBMIT_PATH}/{segment(job_id)}")
        if isinstance(body, dict) and body.get("success") is False:
            message = message_of(body)
            raise ServerError(f"The backend could not report on render {job_id}: {message or 'no message'}.")
        if envelope_code(body) not in (None, 0):
            raise error_for(None, body, path=SUBMIT_PATH, ctx=self.pipeline.error_context())
        return body

    async def cancel(self, job_id: str) -> None:
        await self.pipeline.request("POST", f"{SUBMIT_PATH}/{segment(job_id)}/cancel")

    async def download(self, job_id: str, url: str | None, target: Path) -> Path:
        """Stream the MP4 to a temp file beside ``target``, then rename; fall back to /download."""
        target = Path(target)
        make_folder(target, job_id)
        candidates: list[str] = []
        if url:
            candidates.append(self.pipeline.absolute(url))
        candidates.append(f"{await self.pipeline.base()}/api/render/proxy/{segment(job_id)}/download")
        errors: list[str] = []
        for candidate in candidates:
            try:
                return await self.pipeline.download(candidate, target)
            except DownloadError as exc:   # too large, too slow, nowhere to write: the other URL is the same file
                exc.details.setdefault("job_id", job_id)
                raise
            except (httpx.HTTPError, NemoError, OSError) as exc:
                errors.append(f"{origin(candidate)}: {redact(exc)}")
                log.info("download of %s from %s failed: %s", job_id, origin(candidate), exc)
        raise RenderError(f"Could not download render {job_id} ({'; '.join(errors)}).", job_id=job_id,
                          hint="Try video.download() again later; the job id is kept.")

    # -- the jobs ------------------------------------------------------------------------------
    def attach(self, job_id: str) -> AsyncRenderJob:
        return AsyncRenderJob.known(self, job_id)

    def reused(self, entry: dict[str, Any], *, session_id: str | None, key: str) -> AsyncRenderJob:
        return AsyncRenderJob.reused(self, entry, session_id=session_id, key=key)

    async def jobs(self) -> list[AsyncRenderJob]:
        """Unfinished render jobs submitted to this backend (kept across restarts)."""
        out: list[AsyncRenderJob] = []
        for job_id, entry in self.store.for_backend(await self.pipeline.backend_key()):
            job = AsyncRenderJob(self, job_id, session_id=entry.get("session_id"), status="unknown")
            job.meta = dict(entry)
            try:
                await job.poll()
            except RenderError:
                continue   # unknown to the backend: forgotten
            except NemoError:
                pass  # unreachable right now: still listed, status "unknown"
            if job.status in ("failed", "cancelled"):
                self.store.remove(job_id)
                continue
            out.append(job)
        return out

    async def find(self, **match: Any) -> str | None:
        """The newest locally kept job id of this backend whose entry matches (e.g. ``render_key=``)."""
        return self.store.find(await self.pipeline.backend_key(), **match)

    # -- submit --------------------------------------------------------------------------------
    async def submit(self, session_id: str, draft: dict[str, Any], options: RenderOptions, *,
                     meta: dict[str, Any] | None = None, key: str | None = None) -> AsyncRenderJob:
        """Send one render of ``draft``; the job, its id kept in the store at once."""
        backend = await self.pipeline.backend_key()
        meta = {**(meta or {}), **({"render_key": key} if key else {})}
        last_error: NemoError | None = None
        for _attempt in range(2):   # the protocol: on a failure retry once with a new id
            # unique ids (the protocol): two exports in one millisecond must not collide
            job_id = f"render_{int(time.time() * 1000)}_{os.urandom(3).hex()}"
            self.store.add(job_id, backend=backend, session_id=session_id, **meta)
            try:
                body = await self.pipeline.request("POST", SUBMIT_PATH, json_body={
                    "id": job_id, "sessionId": session_id, "draft": draft, "output": options.output})
            except InvalidInput as exc:
                self.store.remove(job_id)   # nothing was sent
                raise DraftError(f"The draft cannot be sent: {exc.message}", hint=exc.hint) from None
            except TransportError as exc:
                # The answer was lost (a reset, a timeout): the job may exist all the same. Ask
                # for it by its id before saying anything; never submit it a second time.
                found = await self._submitted(job_id, session_id) if exc.details.get("sent") else None
                if found is not None:
                    found.cache_key = key
                    return found
                if not exc.details.get("sent"):
                    self.store.remove(job_id)   # nothing left this machine
                    raise
                raise TransportError(
                    f"{exc.message} The export may have been accepted as render {job_id} all the same.",
                    url=exc.details.get("url"), sent=True,
                    hint="Its id is kept: nemo.jobs() lists it once the backend answers again "
                         "(or export again).") from None
            except APIError as exc:
                status = exc.status
                if isinstance(exc, StorageFull):
                    self.store.remove(job_id)   # refused: the backend kept nothing (its disk is full)
                    raise
                if status is not None and 400 <= status < 500:
                    self.store.remove(job_id)   # clearly refused: the backend has no such job
                    if status == 409:           # the id is taken: once more with a new one
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
                data = self.pipeline.envelope(body, path=SUBMIT_PATH)
            except (ServerError, StreamError) as exc:
                self.store.remove(job_id)   # an envelope / success:false rejection
                last_error = exc
                log.info("render submit %s failed (%s); retrying once with a new id", job_id, exc)
                continue
            except BaseException:
                self.store.remove(job_id)
                raise
            d = data if isinstance(data, dict) else {}
            real_id = str(d.get("id") or job_id)
            if real_id != job_id:
                self.store.remove(job_id)
                self.store.add(real_id, backend=backend, session_id=session_id, **meta)
            job = AsyncRenderJob(self, real_id, session_id=session_id, status=str(d.get("status") or "pending"),
                                 progress=float(_num(d.get("progress")) or 0))
            job.meta = dict(meta)
            job.cache_key = key
            return job
        assert last_error is not None
        raise RenderError(f"The backend refused the export twice: {last_error.message}",
                          hint="Check the timeline (%nemo status) and export again later.")

    async def _submitted(self, job_id: str, session_id: str) -> AsyncRenderJob | None:
        """The job ``job_id`` if the backend has it (after a submit whose answer was lost), else None."""
        try:
            body = await self.poll(job_id)
        except APIError as exc:
            if exc.status == 404:
                self.store.remove(job_id)   # it never arrived: nothing to find later
            return None
        except NemoError:
            return None   # still unreachable: the id stays in the store for jobs()
        result = normalize_poll(body)
        log.info("render %s exists although its submit answer was lost", job_id)
        return AsyncRenderJob(self, job_id, session_id=session_id, status=result.status, progress=result.progress)
