"""nemo_jupyter: AI video generation as a first-class notebook activity."""

from __future__ import annotations

from ._version import __version__

__all__ = ["__version__"]
