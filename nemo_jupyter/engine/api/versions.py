"""Draft versions on the engine: every change of a session's draft is kept, numbered, in SQLite.

These endpoints extend the protocol (the cloud has none; a client checks for them and keeps
its own copy of every version either way):

=======================================================  =============================================
``GET  /api/state/nemo_agent/me/<sid>/versions``          ``data``: ``{"versions": [...], "current": n}``
``PUT  /api/state/nemo_agent/me/<sid>/draft``              body ``{"draft": {...}|null, "note"}``: make it
                                                          the session's draft (a stored version's head
                                                          moves back to it; another draft is a new version)
``POST /api/state/nemo_agent/me/<sid>/versions/<n>/restore``  make version ``n`` current again
=======================================================  =============================================

A version is ``{"version", "parent", "kind" (turn | set), "note" (the prompt), "created",
"current", "draft"}``; ``parent`` is the version that was current when it was made, so
"undo" is "restore the parent". Restoring never asks the planner anything: it costs nothing.
"""

from __future__ import annotations

from typing import Any

import anyio
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from .common import ApiError, _engine, _json_body, _session, _user, envelope, ok
from .render import validate_draft

__all__ = ["routes"]

BASE = "/api/state/nemo_agent/me/{sid}"


def _listing(versions: list[dict[str, Any]], current: int | None, *, drafts: bool) -> dict[str, Any]:
    out = []
    for v in versions:
        item = {k: v[k] for k in ("version", "parent", "kind", "note", "created")}
        item["current"] = v["version"] == current
        if drafts:
            item["draft"] = v["draft"]
        out.append(item)
    return {"versions": out, "current": current}


@envelope
async def list_versions(request: Request) -> Response:
    user = _user(request)
    sess = _session(request, user, request.path_params["sid"])
    versions, current = await anyio.to_thread.run_sync(_engine(request).store.versions, sess.session_id)
    drafts = request.query_params.get("drafts", "1") not in ("0", "false", "no")
    return ok(_listing(versions, current, drafts=drafts))


@envelope
async def put_draft(request: Request) -> Response:
    user = _user(request)
    eng = _engine(request)
    sess = _session(request, user, request.path_params["sid"])
    body = await _json_body(request)
    if "draft" not in body:
        raise ApiError(422, 4000, 'Send {"draft": {...}} (or {"draft": null} for an empty timeline).')
    draft = body["draft"]
    if draft is not None:
        why = validate_draft(draft)
        if why and not (isinstance(draft, dict) and isinstance(draft.get("t"), list) and "Nothing on" in why):
            raise ApiError(422, 4003, why)
    note = body.get("note")
    n = await anyio.to_thread.run_sync(
        lambda: eng.store.set_draft(sess.session_id, draft, note=str(note or "set from the client")[:200]))
    return ok({"version": n, "draft": draft})


@envelope
async def restore(request: Request) -> Response:
    user = _user(request)
    eng = _engine(request)
    sess = _session(request, user, request.path_params["sid"])
    raw = request.path_params["n"]
    if not raw.isdigit():
        raise ApiError(422, 4000, f"Version must be a number, not {raw[:20]!r}.")
    try:
        n = await anyio.to_thread.run_sync(lambda: eng.store.set_draft(sess.session_id, None, version=int(raw)))
    except KeyError:
        raise ApiError(404, 4004, f"Session {sess.session_id} has no draft version {raw}: "
                                  "list them with GET .../versions.") from None
    current = eng.store.get_session(sess.session_id)
    return ok({"version": n, "draft": current.draft if current else None})


routes = [
    Route(BASE + "/versions", list_versions, methods=["GET"]),
    Route(BASE + "/draft", put_draft, methods=["PUT"]),
    Route(BASE + "/versions/{n}/restore", restore, methods=["POST"]),
]
