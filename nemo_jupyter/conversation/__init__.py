"""The conversation layer: one user turn (route the words, stream, diff the state, translate GUI
words, export), shared by the magics, the widgets and the command line.

- :mod:`.routing`: what the words ask for (:class:`Intent`, :func:`route`, :func:`parse_upload`);
- :mod:`.words`: every sentence a turn says, GUI words translated (:func:`translate_gui`);
- :mod:`.results`: :class:`TurnUpdate` (while it runs) and :class:`TurnResult` (at the end);
- :mod:`.progress`: the one reducer the front ends draw (:class:`Progress`, :func:`fold`);
- :mod:`.orchestrator`: :class:`Conversation`; :mod:`.registry`: :class:`Conversations`;
- :mod:`.compare`: N prompts at once, timed and costed (:class:`Comparison`);
- :mod:`.protocols`: what this layer needs from a client.
"""

from __future__ import annotations

from ..client.exceptions import TurnCancelled
from .orchestrator import Conversation
from .progress import Progress, fold, fold_all
from .registry import Conversations
from .results import TurnResult, TurnUpdate, UpdateCallback
from .routing import Intent, parse_upload, route
from .words import backend_badge, humanize_tool, translate_gui

__all__ = [
    "Conversation",
    "Conversations",
    "Intent",
    "Progress",
    "TurnCancelled",
    "TurnResult",
    "TurnUpdate",
    "UpdateCallback",
    "backend_badge",
    "fold",
    "fold_all",
    "humanize_tool",
    "parse_upload",
    "route",
    "translate_gui",
]
