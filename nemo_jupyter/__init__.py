"""nemo_jupyter: AI video generation as a first-class notebook activity.

>>> from nemo_jupyter import Nemo
>>> nemo = Nemo()                         # backend from NEMO_BACKEND (default: the embedded engine)
>>> reply = nemo.session().ask("make a 15-second video of the ocean")
>>> video = nemo.session().export().wait()

In a notebook: ``%load_ext nemo_jupyter`` then ``%%nemo``. One video per row of a table:
``nemo_jupyter.batch(template, rows)`` (``%%nemo --each VAR``); a page to hand out:
``nemo_jupyter.pack("lesson.html", table)`` (``%nemo pack``).
"""

from __future__ import annotations

from typing import Any

from ._version import __version__
from .client.draft import Draft
from .client.exceptions import (
    APIError,
    AuthError,
    BadRequest,
    ClientIdMissing,
    ConfigError,
    DownloadError,
    DraftError,
    DraftMoved,
    EventParseError,
    ExportBlocked,
    FileTooLarge,
    InsufficientCredits,
    InvalidInput,
    NemoError,
    NotExportable,
    RateLimited,
    RenderCancelled,
    RenderError,
    RenderFailed,
    RenderTimeout,
    ServerError,
    SessionNotFound,
    StorageFull,
    StreamDropped,
    StreamError,
    StreamTooLarge,
    TransportError,
    TurnCancelled,
    TurnTimeout,
    UnsupportedFileType,
    UploadError,
)
from .client.jobs import AsyncRenderJob
from .client.models import (
    Credits,
    Heartbeat,
    Notice,
    Reply,
    State,
    TextEvent,
    ToolCall,
    ToolResult,
    UploadedFile,
    Video,
)
from .client.nemo import AsyncNemo
from .client.session import AsyncSession
from .client.settings import Settings
from .client.sync import Nemo, RenderJob, Session

__all__ = [
    "APIError",
    "AsyncNemo",
    "AsyncRenderJob",
    "AsyncSession",
    "AuthError",
    "BadRequest",
    "ClientIdMissing",
    "ConfigError",
    "Credits",
    "DownloadError",
    "Draft",
    "DraftError",
    "DraftMoved",
    "EventParseError",
    "ExportBlocked",
    "FileTooLarge",
    "Heartbeat",
    "InsufficientCredits",
    "InvalidInput",
    "Nemo",
    "NemoError",
    "NotExportable",
    "Notice",
    "RateLimited",
    "RenderCancelled",
    "RenderError",
    "RenderFailed",
    "RenderJob",
    "RenderTimeout",
    "Reply",
    "ServerError",
    "Session",
    "SessionNotFound",
    "Settings",
    "State",
    "StorageFull",
    "StreamDropped",
    "StreamError",
    "StreamTooLarge",
    "TextEvent",
    "ToolCall",
    "ToolResult",
    "TransportError",
    "TurnCancelled",
    "TurnTimeout",
    "UnsupportedFileType",
    "UploadError",
    "UploadedFile",
    "Video",
    "__version__",
    "batch",
    "load_ipython_extension",
    "pack",
    "unload_ipython_extension",
]


def __getattr__(name: str) -> Any:
    """``batch`` and ``pack`` (one video per row of a table; a lesson pack) are imported on first use,
    so ``import nemo_jupyter`` stays light (they need pandas and IPython)."""
    if name == "batch":
        from .ui.batching import batch

        return batch
    if name == "pack":
        from .ui.pack_sources import pack

        return pack
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def load_ipython_extension(ipython: Any) -> None:
    """``%load_ext nemo_jupyter``: register ``%%nemo`` and ``%nemo``."""
    from .ui import magics

    magics.load_ipython_extension(ipython)


def unload_ipython_extension(ipython: Any) -> None:
    """``%unload_ext nemo_jupyter``."""
    from .ui import magics

    unload = getattr(magics, "unload_ipython_extension", None)
    if unload is not None:
        unload(ipython)
