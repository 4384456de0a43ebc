"""Notebook widgets: a thin re-export of :mod:`nemo_jupyter.ui.widgets`.

``from nemo_jupyter.widgets import ChatWidget, CompareWidget, TimelineWidget, VideoWidget``.
"""

from __future__ import annotations

from .ui.widgets import ChatWidget, CompareWidget, TimelineWidget, VideoWidget

__all__ = ["ChatWidget", "CompareWidget", "TimelineWidget", "VideoWidget"]
