"""``POST /run_sse``: one chat turn, planned in a worker thread and streamed as ADK events.

Turns on one session take turns (:mod:`.writers`): each plans on the draft the turn before it
recorded, so no edit is lost when two kernels or a widget and a cell share a conversation."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from typing import Any
from urllib.parse import quote

import anyio
from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse

from ..disk import disk_full_message, is_disk_full
from ..store import Upload
from .common import (
    MAX_PROMPT_CHARS,
    SANDBOX_PREFIX,
    ApiError,
    _engine,
    _json_body,
    _user,
    env_error,
)
from .limits import MAX_DRAFT_BYTES, draft_bytes
from .sse import _chunks, _error_event, _event
from .writers import SessionBusy

KEEPALIVE_SECONDS = 3.0



def _message_text(body: dict[str, Any]) -> str:
    msg = body.get("new_message", body.get("newMessage"))
    if not isinstance(msg, dict) or not isinstance(msg.get("parts"), list):
        raise ApiError(422, 4000, "new_message.parts is required: {\"parts\": [{\"text\": \"...\"}]}")
    texts = [p["text"] for p in msg["parts"] if isinstance(p, dict) and isinstance(p.get("text"), str)]
    return "".join(texts)


async def run_sse(request: Request) -> Response:
    try:
        user = _user(request)
        body = await _json_body(request)
        sid = body.get("session_id", body.get("sessionId"))
        if not isinstance(sid, str | int) or str(sid) == "":
            raise ApiError(422, 4000, "session_id is required.")
        text = _message_text(body)
    except ApiError as err:
        if err.status == 401:
            return env_error(err)
        return JSONResponse({"detail": err.message}, status_code=err.status)
    eng = _engine(request)
    sess = eng.store.get_session(str(sid), user)
    if sess is None:
        return JSONResponse({"detail": f"Session not found: {sid}"}, status_code=404)
    invocation = "e-" + str(uuid.uuid4())
    stripped = text.strip()
    base = eng.base_url(request)

    async def stream() -> AsyncIterator[bytes]:
        if not stripped:
            yield _error_event("EMPTY_MESSAGE", "The message is empty: say what video to make or what to change.")
            return
        if len(text) > MAX_PROMPT_CHARS:
            yield _error_event(
                "MESSAGE_TOO_LONG",
                f"The message has {len(text)} characters; the limit is {MAX_PROMPT_CHARS}. "
                "Shorten it, or upload a long script as a .txt file and refer to it.")
            return

        def work() -> Any:
            from ..planner import plan

            current = eng.store.get_session(sess.session_id)
            fresh = eng.store.fresh_uploads(sess.session_id)
            assets = [{**_asset(u, base), "fresh": u.key in fresh} for u in eng.store.uploads(sess.session_id)]
            draft = current.draft if current else None
            result = plan(stripped, draft, assets, language=(current.language if current else None))
            new_draft = result.draft if result.understood else None
            brief = result.brief if result.brief is None or draft_bytes(result.brief) <= MAX_DRAFT_BYTES else None
            eng.store.record_turn(sess.session_id, stripped, result.reply, draft=new_draft,
                                  language=getattr(result, "language", None), brief=brief)
            if new_draft is not None:  # the storyboard strip is painted while the reply streams
                from .storyboard import warm

                warm(eng, new_draft, sess.session_id)
            return result

        async def one_writer() -> Any:
            # one turn per session at a time, in the order they came: each plans on the last one's draft
            async with eng.writers.hold(sess.session_id):
                return await anyio.to_thread.run_sync(work)

        # The turn is the engine's from here on: a client that goes away (a closed stream, a
        # kernel that died) does not stop it; it is recorded, and the next state read shows it.
        fut = asyncio.ensure_future(one_writer())
        eng.turns_running.add(fut)
        fut.add_done_callback(eng.turns_running.discard)
        while True:
            done, _ = await asyncio.wait({fut}, timeout=KEEPALIVE_SECONDS)
            if done:
                break
            yield b"data: \n\n"
        try:
            result = fut.result()
        except SessionBusy:
            yield _error_event("SESSION_BUSY", "Too many turns are already waiting on this session: wait until "
                                               "they have finished, then send this again. Nothing was changed.")
            return
        except Exception as exc:
            if is_disk_full(exc):
                yield _error_event("DISK_FULL", disk_full_message(eng.home, "this turn"))
                return
            yield _error_event("PLANNER_ERROR", f"The engine could not plan this ({type(exc).__name__}: {exc}); "
                                                "the draft was left as it was.")
            return
        reply = str(result.reply or "")
        if reply:
            for piece in _chunks(reply):
                yield _event(invocation, [{"text": piece}], partial=True)
                await asyncio.sleep(0.01)
            yield _event(invocation, [{"text": reply}])
        new_draft = result.draft if result.understood else None
        steps = list(result.steps or []) if result.understood else []
        brief_delta = {"brief": result.brief} if result.brief is not None else {}
        for i, step in enumerate(steps, 1):
            call_id = f"call-{invocation[2:10]}-{i}"
            yield _event(invocation, [{"functionCall": {"id": call_id, "name": step.name, "args": step.args}}])
            delta = {"draft": new_draft, **brief_delta} if (new_draft is not None and i == len(steps)) else None
            yield _event(invocation, [{"functionResponse": {"id": call_id, "name": step.name,
                                                            "response": step.result}}],
                         role="user", state_delta=delta)
            await asyncio.sleep(0)
        if new_draft is not None and not steps:
            yield _event(invocation, [{"functionResponse": {"id": f"call-{invocation[2:10]}-0",
                                                            "name": "update_draft", "response": {"status": "ok"}}}],
                         role="user", state_delta={"draft": new_draft, **brief_delta})
        elif new_draft is None and brief_delta:
            # nothing changed (a question, a request outside video making): the brief still says so
            yield _event(invocation, [{"functionResponse": {"id": f"call-{invocation[2:10]}-b",
                                                            "name": "read_request", "response": {"status": "ok"}}}],
                         role="user", state_delta=brief_delta)

    return StreamingResponse(stream(), media_type="text/event-stream",
                             headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"})


def _asset(up: Upload, base: str) -> dict[str, Any]:
    return {"filename": up.filename, "file_type": up.file_type, "cdn_url": f"{base}/media/{up.key}/{quote(up.filename)}",
            "duration": up.duration, "width": up.width, "height": up.height, "fps": up.fps,
            "text": up.text, "sandbox_path": SANDBOX_PREFIX + up.filename}
