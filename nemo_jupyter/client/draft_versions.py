"""Setting a session's draft on a backend that keeps draft versions (the embedded engine).

The protocol has no call that sets a draft: only the engine's extension does
(``PUT /api/state/nemo_agent/me/<sid>/draft``). On a backend without it
(the cloud) :func:`put_draft` answers ``None`` and the caller keeps its own copy; the pipeline
remembers that the backend has no such call, so it is asked once.
"""

from __future__ import annotations

from typing import Any

from .encoding import segment
from .exceptions import APIError, SessionNotFound
from .pipeline import Pipeline

__all__ = ["put_draft"]

APP = "nemo_agent"
_PUT_DRAFT = "put-draft"


def _unsupported(exc: APIError) -> bool:
    return exc.status in (404, 405, 501) and not isinstance(exc, SessionNotFound)


async def put_draft(pipeline: Pipeline, session_id: str, raw: dict[str, Any] | None, *, note: str = "",
                    base: int | None = None) -> int | None:
    """Make ``raw`` the draft of session ``session_id`` on the backend; the engine's version
    number, or None when the backend cannot be told (nothing changed there). With ``base`` (the
    version ``raw`` was edited from) the engine refuses it when the session has moved on since:
    :class:`~.exceptions.DraftMoved`, nothing saved."""
    if _PUT_DRAFT in pipeline.unsupported:
        return None
    try:
        body: dict[str, Any] = {"draft": raw, "note": note[:200]}
        if base is not None:
            body["base"] = int(base)
        data = await pipeline.api("PUT", f"/api/state/{APP}/me/{segment(session_id)}/draft", json_body=body)
    except APIError as exc:
        if not _unsupported(exc):
            raise
        pipeline.unsupported.add(_PUT_DRAFT)   # asked once per client
        return None
    n = data.get("version") if isinstance(data, dict) else None
    return int(n) if isinstance(n, int) else None

