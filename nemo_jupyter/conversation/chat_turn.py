"""One chat turn: the message sent once, its events as :class:`TurnUpdate`\\ s, the reply worded.

:func:`chat_turn` streams the backend's words as they come (with the invitation to export
already in this surface's words), turns tool calls into activity lines, reads the draft's
changes (from the client's reply, or from the state when the turn said nothing), and words the
reply once (:func:`~.words.reply_words`).
"""

from __future__ import annotations

import time

from ..client import models
from ..client.draft import Draft
from ..client.exceptions import NemoError
from ..client.secrets import get_logger
from . import words
from .protocols import ChatSession
from .results import Emitter, TurnResult, TurnUpdate
from .routing import Intent
from .words import Hints, humanize_tool, is_zh

__all__ = ["chat_turn"]

log = get_logger("nemo_jupyter.conversation")


def _diff(before: Draft | None, after: Draft | None) -> list[str]:
    if after is None:
        return []
    if before is None:
        return [] if after.is_empty else [words.created_draft_line(after)]
    try:
        return list(after.diff(before))
    except Exception as exc:  # a diff must never fail a turn
        log.debug("the draft diff failed: %s: %s", type(exc).__name__, exc)
        return []


def _empty(draft: Draft | None) -> bool:
    return draft is None or draft.is_empty


async def chat_turn(session: ChatSession, text: str, emit: Emitter, *, hints: Hints | None, invite: bool,
                    lang_zh: bool) -> TurnResult:
    """Send ``text`` in ``session`` once; the result (its ``text`` before the invitation to export is
    worded: the caller words it last, as it does for a replayed turn)."""
    start = time.monotonic()
    reply_text = ""
    zh = is_zh(text)

    def said(words_so_far: str) -> str:
        return words.streamed_words(words_so_far, hints, zh=lang_zh, invite=invite)

    def on_event(event: models.Event) -> None:
        nonlocal reply_text
        elapsed = time.monotonic() - start
        if isinstance(event, models.TextEvent):
            reply_text = event.text or ""
            emit(TurnUpdate("text", text=said(reply_text), elapsed=elapsed))
        elif isinstance(event, models.ToolCall):
            emit(TurnUpdate("tool", text=said(reply_text), tool=humanize_tool(event.name), elapsed=elapsed))
        elif isinstance(event, models.ToolResult):
            emit(TurnUpdate("tool", text=said(reply_text), tool=humanize_tool(event.name, finished=True),
                            elapsed=elapsed))
        elif isinstance(event, models.Heartbeat):
            emit(TurnUpdate("heartbeat", text=said(reply_text), elapsed=elapsed))

    reply = await session.ask(text, on_event=on_event)
    raw_text = reply.text
    draft, before = reply.draft, reply.draft_before
    changes = list(reply.changes or [])
    if (not changes and draft is None) or (not raw_text.strip() and draft is None):
        # the client did not read the state: do it here
        try:
            draft = (await session.state()).draft
        except NemoError:
            draft = None
        changes = _diff(before, draft)
    elif not changes and draft is not None and before is not None:
        changes = _diff(before, draft)
    silent = not raw_text.strip()
    if changes and _empty(before) and not _empty(draft):
        # a new timeline: one line, not every key that went from nothing to something;
        # a silent turn has no other words, so there the line carries the whole summary
        changes = [words.created_line(draft, zh, full=silent)]
    worded, actions, notices = words.reply_words(raw_text, changes, hints, zh=zh)
    notices.extend(words.notice_text(n, zh) for n in reply.notices or [])
    elapsed = time.monotonic() - start
    shown = words.export_invite(worded, hints, zh=lang_zh, drop=not invite)
    if changes:
        emit(TurnUpdate("state", text=shown, draft=draft, changes=changes, elapsed=elapsed, brief=reply.brief))
    elif reply.brief is not None:
        emit(TurnUpdate("brief", text=shown, elapsed=elapsed, brief=reply.brief))
    for n in notices:
        emit(TurnUpdate("notice", text=shown, notice=n, elapsed=elapsed))
    sid = session.id
    return TurnResult(intent=Intent.CHAT, text=worded, raw_text=raw_text, actions=actions, changes=changes,
                      draft=draft, draft_before=before, reply=reply, notices=notices, elapsed=elapsed,
                      silent=silent, session_id=str(sid) if sid else None, brief=reply.brief)
