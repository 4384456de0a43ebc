"""The engine's renderer: draft JSON -> illustrated, animated H.264/AAC MP4 (FFmpeg).

Public interface (ARCHITECTURE.md, "Engine-internal interfaces")::

    render_draft(draft, out_path, *, resolve, quality="high", resolution=None,
                 progress=None, cancel=None, workdir=None) -> RenderResult
    validate_draft(draft, *, resolve=None) -> list[str]
    probe_media(path) -> dict
    RenderError, RenderCancelled, MediaError

Layout: ``scenes`` (the registry of illustrated families; the families live in ``scenes_*`` by
setting and paint with the ``scenery`` toolkit on the ``paint`` canvas), ``elements`` and
``effects`` (moving sprites), ``art`` + ``actor_layout`` + ``actor_frames`` + ``actors`` (the
draft's subjects: OpenMoji SVGs rasterised by resvg, placed, moved per motion), ``text`` +
``fonts`` (overlays), ``audio`` (music, ambient, mix), ``ffmpeg`` (running it: settings,
progress, cancel), ``probe`` (what a media file is), ``pipeline`` (the filter graph).
"""

from __future__ import annotations

from .errors import MediaError, RenderCancelled, RenderError
from .ffmpeg import QUALITY, ffmpeg_exe, output_args
from .pipeline import RenderResult, output_size, render_draft, validate_draft
from .probe import probe_media

__all__ = [
    "QUALITY",
    "MediaError",
    "RenderCancelled",
    "RenderError",
    "RenderResult",
    "ffmpeg_exe",
    "output_args",
    "output_size",
    "probe_media",
    "render_draft",
    "validate_draft",
]
