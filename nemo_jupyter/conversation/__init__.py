"""The conversation layer: one user turn (route the words, stream, diff the state, translate GUI
words, export), shared by the magics, the widgets and the command line.

- :mod:`.routing`: what the words ask for, read once into a typed :data:`Command` (:class:`Chat`,
  :class:`Export`, :class:`Balance`, :class:`Status`, :class:`Upload`, :class:`Undo`);
- :mod:`.words`: every sentence a turn says, GUI words translated (:func:`translate_gui`);
  :mod:`.checklist`: the brief's items with their marks (✓ ≈ ✗) and the line they collapse to;
- :mod:`.results`: :class:`TurnUpdate` (while it runs) and :class:`TurnResult` (at the end);
- :mod:`.progress`: the one reducer the front ends draw (:class:`Progress`, :func:`fold`);
- :mod:`.orchestrator`: :class:`Conversation`, made of a :mod:`.memory` (where it stands: session,
  versions, replay), a :mod:`.costs` keeper and a :mod:`.rendering` renderer; :mod:`.chat_turn`:
  one chat turn; :mod:`.registry`: :class:`Conversations`;
- :mod:`.compare`: N prompts at once, timed and costed (:class:`Comparison`);
- :mod:`.protocols`: what this layer needs from a client.
"""

from __future__ import annotations

from ..client.exceptions import TurnCancelled
from .checklist import check_mark, checklist_line, checklist_summary
from .orchestrator import Conversation
from .progress import Progress, fold, fold_all
from .registry import Conversations
from .results import TurnResult, TurnUpdate, UpdateCallback
from .routing import (
    SCENES,
    Balance,
    Chat,
    Command,
    Export,
    Intent,
    Status,
    Undo,
    Upload,
    parse_command,
    parse_upload,
    route,
)
from .words import backend_badge, humanize_tool, translate_gui

__all__ = [
    "SCENES",
    "Balance",
    "Chat",
    "Command",
    "Conversation",
    "Conversations",
    "Export",
    "Intent",
    "Progress",
    "Status",
    "TurnCancelled",
    "TurnResult",
    "TurnUpdate",
    "Undo",
    "UpdateCallback",
    "Upload",
    "backend_badge",
    "check_mark",
    "checklist_line",
    "checklist_summary",
    "fold",
    "fold_all",
    "humanize_tool",
    "parse_command",
    "parse_upload",
    "route",
    "translate_gui",
]
