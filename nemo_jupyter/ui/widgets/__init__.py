"""Notebook widgets (anywidget, no JavaScript build step).

- :class:`ChatWidget`: prompt box, streaming reply, Cancel, action buttons, badges,
  with a :class:`TimelineWidget` and a :class:`VideoWidget` under it.
- :class:`TimelineWidget`: the draft's tracks over a time ruler.
- :class:`VideoWidget`: the rendered MP4 with controls and a download link.
- :class:`CompareWidget`: 2-6 prompts (or one prompt on several backends) side by side.

They call only :mod:`nemo_jupyter.conversation`; the ES modules and CSS are in ``static/``.
"""

from __future__ import annotations

from .chat import ChatWidget
from .compare import CompareWidget
from .timeline import TimelineWidget
from .video import VideoWidget

__all__ = ["ChatWidget", "CompareWidget", "TimelineWidget", "VideoWidget"]
