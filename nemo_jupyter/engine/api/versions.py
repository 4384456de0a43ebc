"""Draft versions on the engine: every change of a session's draft is kept, numbered, in SQLite.

These endpoints extend the protocol (the cloud has none; a client checks for them and keeps
its own copy of every version either way):

=======================================================  =============================================
``GET  /api/state/nemo_agent/me/<sid>/versions``          ``data``: ``{"versions": [...], "current": n,
                                                          "total": k, "next": n | null}``; query
                                                          ``after=N`` (versions numbered above N),
                                                          ``limit=K`` (default 50, at most 200),
                                                          ``drafts=0`` (leave the drafts out)
``PUT  /api/state/nemo_agent/me/<sid>/draft``              body ``{"draft": {...}|null, "note", "base"?}``:
                                                          make it the session's draft (a stored version's
                                                          head moves back to it; another draft is a new
                                                          version); with ``base`` (the version the draft
                                                          was edited from) a 409 (code 4009) when the
                                                          session has moved on since
``POST /api/state/nemo_agent/me/<sid>/versions/<n>/restore``  make version ``n`` current again
=======================================================  =============================================

A version is ``{"version", "parent", "kind" (turn | set), "note" (the prompt), "created",
"current", "draft"}``; ``parent`` is the version that was current when it was made, so
"undo" is "restore the parent". Restoring never asks the planner anything: it costs nothing.

Bounds: a session keeps its newest ``--keep-versions`` versions (the oldest are pruned, see
:mod:`..disk`); a page of the listing stops at ``limit`` versions or once its drafts pass
:data:`PAGE_BYTES` (``next`` says where to go on); a stored draft is at most 1 MB and keeps only
the protocol's draft and track keys (the answer's ``dropped`` names the others,
:func:`.limits.stored_draft`); the megabytes of drafts a user sets a day are a quota
(``drafts_mb``). A save and a chat turn on one session never run at once (:mod:`.writers`).
"""

from __future__ import annotations

from typing import Any

import anyio
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from ..store import VersionMoved
from .common import ApiError, _engine, _json_body, _session, _user, envelope, ok
from .limits import draft_bytes, stored_draft
from .render import validate_draft
from .writers import SessionBusy

__all__ = ["PAGE_BYTES", "routes"]

BASE = "/api/state/nemo_agent/me/{sid}"
PAGE = 50            # versions in a page of the listing, unless ``limit`` says otherwise
MAX_PAGE = 200
PAGE_BYTES = 4 * 1024 * 1024   # a page with drafts stops once they are this large (one version at least)


def _int_param(request: Request, name: str, default: int, low: int, high: int) -> int:
    raw = request.query_params.get(name)
    if raw is None or raw == "":
        return default
    if not raw.isdigit() or not low <= int(raw) <= high:
        raise ApiError(422, 4000, f"'{name}' must be a whole number from {low} to {high}, not {raw[:20]!r}.")
    return int(raw)


def _listing(versions: list[dict[str, Any]], current: int | None, *, drafts: bool, total: int,
             limit: int) -> dict[str, Any]:
    out: list[dict[str, Any]] = []
    size = 0
    for v in versions[:limit]:
        item = {k: v[k] for k in ("version", "parent", "kind", "note", "created")}
        item["current"] = v["version"] == current
        if drafts:
            item["draft"] = v["draft"]
            size += draft_bytes(v["draft"])
        out.append(item)
        if size > PAGE_BYTES:
            break
    more = len(out) < len(versions)
    return {"versions": out, "current": current, "total": total,
            "next": out[-1]["version"] if more and out else None}


@envelope
async def list_versions(request: Request) -> Response:
    user = _user(request)
    sess = _session(request, user, request.path_params["sid"])
    after = _int_param(request, "after", 0, 0, 10**12)
    limit = _int_param(request, "limit", PAGE, 1, MAX_PAGE)
    drafts = request.query_params.get("drafts", "1") not in ("0", "false", "no")
    store = _engine(request).store

    def read() -> tuple[list[dict[str, Any]], int | None, int]:
        versions, current = store.versions(sess.session_id, after=after, limit=limit + 1, drafts=drafts)
        return versions, current, store.version_count(sess.session_id)

    versions, current, total = await anyio.to_thread.run_sync(read)
    return ok(_listing(versions, current, drafts=drafts, total=total, limit=limit))


def _moved(sid: str, base: int, current: int) -> ApiError:
    return ApiError(409, 4009, f"The draft of session {sid} has changed since version {base} (it is at version "
                               f"{current} now: another notebook, kernel or widget changed it). Nothing was saved: "
                               "read the draft again, redo the change on it and save again.",
                    {"current": current, "base": base})


@envelope
async def put_draft(request: Request) -> Response:
    user = _user(request)
    eng = _engine(request)
    sess = _session(request, user, request.path_params["sid"])
    body = await _json_body(request)
    if "draft" not in body:
        raise ApiError(422, 4000, 'Send {"draft": {...}} (or {"draft": null} for an empty timeline).')
    draft = body["draft"]
    base = body.get("base")
    if base is not None and (not isinstance(base, int) or isinstance(base, bool) or base < 0):
        raise ApiError(422, 4000, "'base' must be the number of the version the draft was edited from.")
    if draft is not None:
        why = validate_draft(draft)
        if why and not (isinstance(draft, dict) and isinstance(draft.get("t"), list) and "Nothing on" in why):
            raise ApiError(422, 4003, why)
    draft, dropped = stored_draft(draft)
    eng.quotas.drafts(user, draft_bytes(draft))
    note = str(body.get("note") or "set from the client")[:200]
    try:
        async with eng.writers.hold(sess.session_id):   # never beside a chat turn of the session
            n = await anyio.to_thread.run_sync(
                lambda: eng.store.set_draft(sess.session_id, draft, note=note, base=base))
    except VersionMoved as moved:
        raise _moved(sess.session_id, int(base or 0), moved.current) from None
    except SessionBusy:
        raise _busy(sess.session_id) from None
    answer: dict[str, Any] = {"version": n, "draft": draft}
    if dropped:
        answer["dropped"] = dropped   # keys a draft does not have: not kept
    return ok(answer)


def _busy(sid: str) -> ApiError:
    err = ApiError(429, 429, f"Too many changes are waiting on session {sid}: try again in a few seconds.",
                   {"retry_after": 2})
    err.headers = {"Retry-After": "2"}
    return err


@envelope
async def restore(request: Request) -> Response:
    user = _user(request)
    eng = _engine(request)
    sess = _session(request, user, request.path_params["sid"])
    raw = request.path_params["n"]
    if not raw.isdigit():
        raise ApiError(422, 4000, f"Version must be a number, not {raw[:20]!r}.")
    try:
        async with eng.writers.hold(sess.session_id):
            n = await anyio.to_thread.run_sync(lambda: eng.store.set_draft(sess.session_id, None, version=int(raw)))
    except KeyError:
        raise ApiError(404, 4004, f"Session {sess.session_id} has no draft version {raw} (a session keeps its "
                                  f"newest {eng.retention.versions}): list them with GET .../versions.") from None
    except SessionBusy:
        raise _busy(sess.session_id) from None
    current = eng.store.get_session(sess.session_id)
    return ok({"version": n, "draft": current.draft if current else None})


routes = [
    Route(BASE + "/versions", list_versions, methods=["GET"]),
    Route(BASE + "/draft", put_draft, methods=["PUT"]),
    Route(BASE + "/versions/{n}/restore", restore, methods=["POST"]),
]
