"""The engine's renderer: draft JSON -> illustrated, animated H.264/AAC MP4 (FFmpeg).

Public interface (ARCHITECTURE.md, "Engine-internal interfaces")::

    render_draft(draft, out_path, *, resolve, quality="high", resolution=None,
                 progress=None, cancel=None, workdir=None) -> RenderResult
    validate_draft(draft, *, resolve=None) -> list[str]
    probe_media(path) -> dict
    RenderError, RenderCancelled, MediaError

Layout, by stage (like manim's what / draw / encode):

- ``timeline/``: what the renderer reads from a draft (``reading``), the video track as clips
  (``clips``), chunk windows (``window``), the one draft validator (``validate``);
- ``picture/``: the scene families (``scenes/``: the registry, the ``scenery`` toolkit and the
  families by setting) painted on the ``paint`` canvas, moving ``elements`` and ``effects``, the
  actors (``art``: OpenMoji SVGs rasterised by resvg; ``layout``: where they stand; ``frames``:
  the few stills of each motion; ``actors``: their overlay expressions);
- ``text/``: titles and captions (``text``) and the ``fonts`` that draw them;
- ``sound/``: music, ambient and the mix (``audio``), narration and voices;
- ``encode/``: running FFmpeg (``ffmpeg``), the filter graph (``graph``), the pictures it reads
  (``inputs``), media probing (``probe``), FFmpeg expressions evaluated in Python (``expr``);
- ``pipeline`` (draft -> one filter graph -> MP4) and ``storyboard`` (stills of the same frames)
  put the stages together; ``kept`` keeps paintings and sound stems for the next render.
"""

from __future__ import annotations

from .encode.ffmpeg import QUALITY, ffmpeg_exe, output_args
from .encode.probe import probe_media
from .errors import MediaError, RenderCancelled, RenderError
from .pipeline import RenderResult, output_size, render_draft, validate_draft

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
