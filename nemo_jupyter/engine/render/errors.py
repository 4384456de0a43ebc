"""The renderer's errors (the engine imports nothing from the client's error tree)."""

from __future__ import annotations

__all__ = ["MediaError", "RenderCancelled", "RenderError"]


class RenderError(Exception):
    """A draft that cannot be rendered, or FFmpeg failed: the message says why."""


class RenderCancelled(RenderError):
    """The render was cancelled (the cancel event was set); nothing was left behind."""


class MediaError(Exception):
    """Corrupt or mislabelled media; the message says what the file really is or why it is unusable."""
