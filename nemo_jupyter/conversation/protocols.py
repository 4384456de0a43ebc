"""What the conversation layer needs from a client, as Protocols (complete: nothing is probed).

:class:`~nemo_jupyter.AsyncNemo`, its sessions and its render jobs satisfy them as they
are; the conversation layer is typed against these, so it depends on what it uses, not
on the client's classes (and a test or another transport can stand in for them).
The values that come back (``Reply``, ``State``, ``Draft``, ``Video``, ``ExportOrder``, ...)
are the client's plain data models.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from typing import Any, Protocol

from ..client.draft import Draft
from ..client.jobs import PollResult
from ..client.models import Credits, Event, RenderOptions, Reply, State, UploadedFile, Video
from ..client.session import ExportOrder
from ..client.settings import Settings
from ..client.storyboard import Storyboard

__all__ = ["ChatClient", "ChatSession", "JobProgress", "RenderJobLike", "UploadProgress"]

JobProgress = Callable[[float, str], None]
"""``(percent, status)`` while a render runs."""
UploadProgress = Callable[[int, int], None]
"""``(bytes sent, bytes in all)`` while an upload runs."""


class RenderJobLike(Protocol):
    """A render on the backend: wait for it, or cancel it; ``meta`` is what the local job list
    says about it (its label, conversation and target file)."""

    id: str
    status: str
    progress: float
    last: PollResult | None  # the last poll (its ``queue_position`` while the job waits)
    meta: dict[str, Any]

    async def wait(self, timeout: float | None = ..., on_progress: JobProgress | None = ...) -> Video: ...

    async def cancel(self) -> None: ...


class ChatSession(Protocol):
    """One backend session: chat turns, its state, uploads, storyboard and renders."""

    id: str | None

    async def ask(self, text: str, *, on_event: Callable[[Event], None] | None = ...) -> Reply: ...

    async def state(self) -> State: ...

    async def push_draft(self, draft: Draft | None, *, note: str = ...) -> int | None: ...

    async def storyboard(self, *, draft: Draft | dict[str, Any] | None = ..., width: int = ...) -> Storyboard | None: ...

    async def order_export(self, options: RenderOptions, *, draft: Draft | dict[str, Any] | None = ...) -> ExportOrder: ...

    async def start_export(self, order: ExportOrder, *, meta: dict[str, Any] | None = ...) -> RenderJobLike: ...

    async def upload(self, *paths: str | os.PathLike[str], urls: Sequence[str] | None = ...,
                     on_progress: UploadProgress | None = ...) -> list[UploadedFile]: ...


class ChatClient(Protocol):
    """A client of one backend (``local``, ``cloud`` or a URL)."""

    settings: Settings

    @property
    def backend(self) -> str: ...

    def session(self, name: str | None = ..., *, session_id: str | None = ...) -> ChatSession: ...

    async def backend_key(self) -> str: ...

    async def credits(self) -> Credits: ...

    async def jobs(self) -> Sequence[RenderJobLike]: ...

    def attach(self, job_id: str) -> RenderJobLike: ...

    async def find_job(self, **match: Any) -> str | None: ...

    async def render_slots(self) -> int | None: ...

    async def aclose(self) -> None: ...
