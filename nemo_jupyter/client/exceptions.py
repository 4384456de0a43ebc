"""Every error nemo_jupyter raises, in one tree.

::

    NemoError                       base; .hint says what to do next
    ├── ConfigError                 bad setting or backend name
    ├── InvalidInput                text, a name or an id the client cannot send (also ValueError)
    ├── TransportError              backend unreachable after retries (connection refused, DNS, reset)
    ├── APIError                    the backend answered "no"; .code (protocol code) and .status (HTTP)
    │   ├── AuthError               1001 token bad or expired (after one refresh and retry)
    │   ├── ClientIdMissing         HTTP 400: missing X-Client-Id
    │   ├── SessionNotFound         1002, or HTTP 404 "Session not found" from /run_sse
    │   ├── InsufficientCredits     2001; .register_url for anonymous users
    │   ├── ExportBlocked           HTTP 402: free plan export blocked (not credits)
    │   ├── RateLimited             HTTP 429 (after one wait and retry); .retry_after
    │   ├── BadRequest              HTTP 4xx: malformed, or over a limit the message names (4000, 4003)
    │   │   └── DraftMoved          HTTP 409 / 4009: the draft changed since the version an edit was based on
    │   ├── StorageFull             HTTP 507: the backend's disk is full; nothing was saved there
    │   └── ServerError             HTTP 5xx, or an envelope with an unknown non-zero code
    ├── UploadError                 an upload refused, before sending or by the backend
    │   ├── UnsupportedFileType     4001; .accepted lists the formats
    │   └── FileTooLarge            4002; .limit in bytes
    ├── StreamError                 a chat turn failed mid-stream ({"error": ...} / errorCode)
    │   ├── TurnTimeout             only heartbeats for the turn timeout (10 minutes), or the whole turn too long
    │   ├── StreamTooLarge          the backend sent more than the client accepts for a turn (Limits)
    │   ├── TurnCancelled           the user cancelled the turn (Cancel button, kernel interrupt)
    │   └── StreamDropped           the stream broke; .changed tells if the state moved since
    ├── RenderError                 an export went wrong
    │   ├── RenderFailed            the backend says failed; .job_id, .reason
    │   ├── RenderTimeout           the deadline passed; .job_id to re-attach later
    │   ├── RenderCancelled         cancelled by the user
    │   └── DownloadError           the video could not be saved where asked (folder, disk, size, deadline)
    ├── DraftError                  a draft or timeline DataFrame that cannot be used (also ValueError)
    │   └── NotExportable           nothing on the timeline yet
    └── EventParseError             an SSE frame that is not valid JSON or not an object (also ValueError)

Messages never contain a token: build them from codes, ids and the server's
message passed through :func:`nemo_jupyter._secrets.redact`.
"""

from __future__ import annotations

from typing import Any

from .secrets import redact

__all__ = [
    "APIError",
    "AuthError",
    "BadRequest",
    "ClientIdMissing",
    "ConfigError",
    "DownloadError",
    "DraftError",
    "DraftMoved",
    "EventParseError",
    "ExportBlocked",
    "FileTooLarge",
    "InsufficientCredits",
    "InvalidInput",
    "NemoError",
    "NotExportable",
    "RateLimited",
    "RenderCancelled",
    "RenderError",
    "RenderFailed",
    "RenderTimeout",
    "ServerError",
    "SessionNotFound",
    "StorageFull",
    "StreamDropped",
    "StreamError",
    "StreamTooLarge",
    "TransportError",
    "TurnCancelled",
    "TurnTimeout",
    "UnsupportedFileType",
    "UploadError",
]


class NemoError(Exception):
    """Base of every nemo_jupyter error.

    ``str(err)`` is the message followed by the hint (what to do next).
    """

    default_hint = ""

    def __init__(self, message: str, *, hint: str | None = None, code: int | None = None,
                 status: int | None = None, **details: Any) -> None:
        self.message = redact(message)
        self.hint = redact(self.default_hint if hint is None else hint)
        self.code = code
        self.status = status
        self.details = details
        super().__init__(self.message)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.message!r})"

    def __str__(self) -> str:
        return f"{self.message} {self.hint}".strip() if self.hint else self.message

    def _render_traceback_(self) -> list[str]:
        """IPython hook: a short, readable error instead of a long traceback."""
        lines = [f"\x1b[1;31m{type(self).__name__}\x1b[0m: {self.message}"]
        if self.hint:
            lines.append(f"\x1b[1mWhat to do:\x1b[0m {self.hint}")
        return lines


class ConfigError(NemoError, ValueError):
    default_hint = "Check NEMO_BACKEND (local, cloud or a URL) and the other NEMO_* settings."


class TransportError(NemoError):
    default_hint = "Check that the backend is running and reachable, then try again."


class InvalidInput(NemoError, ValueError):
    default_hint = "Check the text, file name or id you passed; nothing was sent."


class APIError(NemoError):
    pass


class BadRequest(APIError):
    default_hint = "The message says what the backend refused and which limit applies: change that and try again."


class AuthError(APIError):
    default_hint = "Set a valid NEMO_TOKEN, or unset it to use a fresh anonymous token."


class ClientIdMissing(APIError):
    default_hint = "The client sends X-Client-Id on its own; set NEMO_CLIENT_ID to a UUID if this persists."


class SessionNotFound(APIError):
    default_hint = "The old session and its draft are gone; a new session was started, so send your prompt again."


class InsufficientCredits(APIError):
    default_hint = "Top up your credits, or register to get more."

    @property
    def register_url(self) -> str | None:
        url = self.details.get("register_url")
        return str(url) if url else None


class ExportBlocked(APIError):
    default_hint = "Register or upgrade your plan to export videos (this is not about credits)."


class RateLimited(APIError):
    default_hint = "Too many requests: wait a minute and try again."

    @property
    def retry_after(self) -> float | None:
        value = self.details.get("retry_after")
        return float(value) if value is not None else None


class DraftMoved(BadRequest):
    default_hint = ("Another notebook, kernel or widget changed the draft meanwhile; nothing was saved. Read it "
                    "again (%nemo status), redo the change on it, and save again.")


class StorageFull(APIError):
    default_hint = ("The backend's disk is full and nothing was saved there. Free space on the machine it runs on "
                    "(old renders can go), then try again.")


class ServerError(APIError):
    default_hint = "The backend had a problem; try again in a moment."


class UploadError(NemoError):
    pass


class UnsupportedFileType(UploadError):
    @property
    def accepted(self) -> list[str]:
        return list(self.details.get("accepted", []))


class FileTooLarge(UploadError):
    default_hint = "Compress or trim the file, or raise the limit with NEMO_MAX_UPLOAD_MB if the backend allows it."

    @property
    def limit(self) -> int | None:
        value = self.details.get("limit")
        return int(value) if value is not None else None


class StreamError(NemoError):
    default_hint = "The turn failed on the backend; read the timeline (%nemo status) and try again."


class TurnTimeout(StreamError):
    default_hint = "The backend sent only keep-alives for too long; check %nemo status before sending again."


class StreamTooLarge(StreamError):
    default_hint = ("The backend sent more than the client accepts for one turn, so the client stopped reading "
                    "(nothing was re-sent). Check %nemo status; raise the limits with Nemo(limits=Limits(...)) "
                    "only for a backend you trust.")


class TurnCancelled(StreamError):
    """The user cancelled the running turn (the backend may still finish it)."""

    default_hint = "Nothing was re-sent. Check the timeline (%nemo status) before sending again."


class StreamDropped(StreamError):
    default_hint = "The connection broke mid-turn; the message was not re-sent. Check %nemo status."

    @property
    def changed(self) -> bool | None:
        value = self.details.get("changed")
        return bool(value) if value is not None else None


class RenderError(NemoError):
    @property
    def job_id(self) -> str | None:
        value = self.details.get("job_id")
        return str(value) if value is not None else None


class RenderFailed(RenderError):
    default_hint = "Check the timeline (%nemo status), fix what the reason names, and export again."

    @property
    def reason(self) -> str:
        return str(self.details.get("reason", ""))


class RenderTimeout(RenderError):
    default_hint = "The render may still finish: re-attach with RenderJob.attach(nemo, job_id) or %nemo jobs."


class RenderCancelled(RenderError):
    default_hint = "Export again when you are ready."


class DownloadError(RenderError):
    default_hint = "Choose a folder you can write with room for the video, then download it again (the job id is kept)."


class DraftError(NemoError, ValueError):
    default_hint = "Read the timeline with %nemo status; the draft was left as it was."


class NotExportable(DraftError):
    default_hint = "Describe a video first (for example: make a 15-second video of the ocean), then export."


class EventParseError(NemoError, ValueError):
    default_hint = "The backend sent something unexpected; try again, and report it if it repeats."
