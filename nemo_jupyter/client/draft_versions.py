"""Setting a session's draft on a backend that keeps draft versions (the embedded engine).

The protocol has no call that sets a draft: only the engine's extension does
(``PUT /api/state/nemo_agent/me/<sid>/draft``, ``GET .../versions``). On a backend without it
(the cloud) :func:`push_draft` answers ``None`` and the caller keeps its own copy.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .exceptions import APIError, SessionNotFound

if TYPE_CHECKING:
    from .draft import Draft
    from .session import AsyncSession

__all__ = ["engine_versions", "push_draft"]

APP = "nemo_agent"


def _unsupported(exc: APIError) -> bool:
    return exc.status in (404, 405, 501) and not isinstance(exc, SessionNotFound)


async def push_draft(session: AsyncSession, draft: Draft | dict[str, Any] | None, *, note: str = "") -> int | None:
    """Make ``draft`` the session's draft on the backend; the engine's version number, or None
    when the backend cannot be told (nothing changed there)."""
    if not session.id:
        return None
    raw = draft if draft is None or isinstance(draft, dict) else draft.to_json()
    nemo = session.nemo
    if nemo.__dict__.get("_no_draft_push"):
        return None
    try:
        data = await nemo._api("PUT", f"/api/state/{APP}/me/{session.id}/draft",
                               json_body={"draft": raw, "note": note[:200]})
    except APIError as exc:
        if not _unsupported(exc):
            raise
        nemo.__dict__["_no_draft_push"] = True   # asked once per client
        return None
    from .draft import Draft

    session._set_draft(Draft.from_json(raw) if raw is not None else None)
    n = data.get("version") if isinstance(data, dict) else None
    return int(n) if isinstance(n, int) else None


async def engine_versions(session: AsyncSession) -> list[dict[str, Any]] | None:
    """The backend's list of this session's versions (without drafts), or None when it keeps none."""
    if not session.id:
        return None
    try:
        data = await session.nemo._api("GET", f"/api/state/{APP}/me/{session.id}/versions?drafts=0")
    except APIError as exc:
        if _unsupported(exc):
            return None
        raise
    items = data.get("versions") if isinstance(data, dict) else None
    return [dict(v) for v in items if isinstance(v, dict)] if isinstance(items, list) else None
