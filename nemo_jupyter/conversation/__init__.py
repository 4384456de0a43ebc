"""The conversation layer: one user turn (route the words, stream, diff the state, translate GUI
words, export), shared by the magics, the widgets and the command line.
"""

from __future__ import annotations

from .orchestrator import (
    Conversation,
    Conversations,
    Intent,
    TurnCancelled,
    TurnResult,
    TurnUpdate,
    backend_badge,
    humanize_tool,
    parse_upload,
    route,
    translate_gui,
)

__all__ = [
    "Conversation",
    "Conversations",
    "Intent",
    "TurnCancelled",
    "TurnResult",
    "TurnUpdate",
    "backend_badge",
    "humanize_tool",
    "parse_upload",
    "route",
    "translate_gui",
]
