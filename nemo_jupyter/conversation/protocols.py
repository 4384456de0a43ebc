"""The few things the conversation layer needs from a client, as small Protocols.

:class:`~nemo_jupyter.AsyncNemo`, its sessions and its render jobs satisfy them as they
are; the conversation layer is typed against these, so it depends on what it uses, not
on the client's classes (and a test or another transport can stand in for them).
The values that come back (``Reply``, ``State``, ``Draft``, ``Video``, ...) are the
client's plain data models.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from typing import Protocol

from ..client.draft import Draft
from ..client.jobs import PollResult
from ..client.models import Credits, Event, Reply, State, UploadedFile, Video

__all__ = ["ChatClient", "ChatSession", "JobProgress", "RenderJobLike", "UploadProgress"]

JobProgress = Callable[[float, str], None]
"""``(percent, status)`` while a render runs."""
UploadProgress = Callable[[int, int], None]
"""``(bytes sent, bytes in all)`` while an upload runs."""


class RenderJobLike(Protocol):
    """A render on the backend: wait for it, or cancel it."""

    id: str
    status: str
    last: PollResult | None  # the last poll (its ``queue_position`` while the job waits)

    async def wait(self, timeout: float | None = ..., on_progress: JobProgress | None = ...) -> Video: ...

    async def cancel(self) -> None: ...


class ChatSession(Protocol):
    """One backend session: chat turns, its state, uploads and renders."""

    id: str | None

    async def ask(self, text: str, *, on_event: Callable[[Event], None] | None = ...) -> Reply: ...

    async def state(self) -> State: ...

    async def export(self, quality: str = ..., resolution: str | None = ..., *, draft: Draft | None = ...,
                     meta: dict[str, object] | None = ...) -> RenderJobLike: ...

    async def upload(self, *paths: str | os.PathLike[str], urls: Sequence[str] | None = ...,
                     on_progress: UploadProgress | None = ...) -> list[UploadedFile]: ...


class ChatClient(Protocol):
    """A client of one backend (``local``, ``cloud`` or a URL)."""

    backend: str

    def session(self, name: str | None = ..., *, session_id: str | None = ...) -> ChatSession: ...

    async def credits(self) -> Credits: ...

    async def jobs(self) -> Sequence[RenderJobLike]: ...

    def attach(self, job_id: str) -> RenderJobLike: ...

    async def aclose(self) -> None: ...
