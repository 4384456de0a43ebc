"""The sync twins ``Nemo``, ``Session`` and ``RenderJob``: every coroutine of the async client run on
the private loop of :mod:`.loop`, so they work in scripts and inside Jupyter's running loop alike."""

from __future__ import annotations

import inspect
import os
from collections.abc import Callable, Iterator, Sequence
from typing import TYPE_CHECKING, Any

from .jobs import AsyncRenderJob, PollResult
from .jobs import ProgressCallback as JobProgress
from .loop import Forward, iterate_sync, run_sync
from .models import Credits, Event, Reply, State, UploadedFile, Video
from .nemo import AsyncNemo
from .session import AsyncSession
from .settings import Settings
from .uploads import ProgressCallback

if TYPE_CHECKING:
    from pathlib import Path

    from .draft import Draft
    from .storyboard import Storyboard

__all__ = ["Nemo", "RenderJob", "Session"]


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

    settings = Forward[Settings]()
    backend = Forward[str]()
    base_url = Forward[str]()
    web_url = Forward[str]()
    user_id = Forward["str | None"]()
    is_private_engine = Forward[bool]()
    is_anonymous = Forward[bool]()

    def credits(self) -> Credits:
        return run_sync(self._async.credits())

    def session(self, name: str | None = None, *, session_id: str | None = None) -> Session:
        return Session(self, self._async.session(name, session_id=session_id))

    def jobs(self) -> list[RenderJob]:
        return [RenderJob(self, job) for job in run_sync(self._async.jobs())]

    def attach(self, job_id: str) -> RenderJob:
        return RenderJob.attach(self, job_id)

    def close(self) -> None:
        if self._async.pipeline.opened:
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

    name = Forward[str]("_session")
    id = Forward["str | None"]("_session")
    task_id = Forward["str | None"]("_session")
    language = Forward["str | None"]("_session")
    draft = Forward["Draft | None"]("_session")

    def stream(self, text: str) -> Iterator[Event]:
        return iterate_sync(self._session.stream(text))

    def ask(self, text: str, *, on_event: Callable[[Event], None] | None = None) -> Reply:
        return run_sync(self._session.ask(text, on_event=on_event))

    def upload(self, *paths: str | os.PathLike[str], urls: Sequence[str] | None = None,
               on_progress: ProgressCallback | None = None) -> list[UploadedFile]:
        return run_sync(self._session.upload(*paths, urls=urls, on_progress=on_progress))

    def state(self) -> State:
        return run_sync(self._session.state())

    def push_draft(self, draft: Draft | None, *, note: str = "", base: int | None = None) -> int | None:
        return run_sync(self._session.push_draft(draft, note=note, base=base))

    def storyboard(self, *, draft: Draft | dict[str, Any] | None = None, width: int = 240) -> Storyboard | None:
        return run_sync(self._session.storyboard(draft=draft, width=width))

    def claim_url(self) -> str:
        return run_sync(self._session.claim_url())

    def export(self, quality: str = "high", resolution: str | None = None, *,
               draft: Draft | dict[str, Any] | None = None) -> RenderJob:
        return RenderJob(self._nemo, run_sync(self._session.export(quality=quality, resolution=resolution,
                                                                   draft=draft)))


class RenderJob:
    """Sync twin of :class:`~.jobs.AsyncRenderJob` (runs on the background loop; fine inside Jupyter)."""

    def __init__(self, nemo: Nemo, job: AsyncRenderJob) -> None:
        self._nemo = nemo
        self._job = job

    def __repr__(self) -> str:
        return f"<RenderJob {self.id} {self.status} {self.progress:.0f}%>"

    id = Forward[str]("_job")
    session_id = Forward["str | None"]("_job")
    status = Forward[str]("_job")
    progress = Forward[float]("_job")
    done = Forward[bool]("_job")
    meta = Forward["dict[str, Any]"]("_job")

    @classmethod
    def attach(cls, nemo: Nemo, job_id: str) -> RenderJob:
        return cls(nemo, nemo.aio.attach(job_id))

    def poll(self) -> PollResult:
        return run_sync(self._job.poll())

    def wait(self, timeout: float | None = 600, on_progress: JobProgress | None = None) -> Video:
        return run_sync(self._job.wait(timeout=timeout, on_progress=on_progress))

    def cancel(self) -> None:
        run_sync(self._job.cancel())

    def download(self, path: str | os.PathLike[str] | None = None) -> Path:
        return run_sync(self._job.download(path))
