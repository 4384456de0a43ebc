"""Content addresses of renders: the same draft, media and settings give the same key.

``render_key`` hashes

- the draft as canonical JSON (sorted keys, no spaces), so key order and whitespace of the
  request do not matter;
- the content hash of every file the draft refers to (``src``), so a re-uploaded file with the
  same bytes gives the same key and an edited file a new one;
- the settings that change the output: the quality's encoder settings and the output size;
- the renderer itself (a fingerprint of its source and of FFmpeg), so a new engine version
  never serves a video made by an old one.

A finished render with the key is reused: the engine answers a repeated export at once,
with the same file. The storyboard strip uses the same address for its cache.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import threading
from collections.abc import Callable, Iterator
from functools import lru_cache
from pathlib import Path
from typing import Any

__all__ = ["canonical_json", "draft_sources", "file_sha256", "render_key", "renderer_fingerprint"]


def canonical_json(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)


def draft_sources(draft: dict[str, Any]) -> list[str]:
    """Every ``src`` of the draft's segments, in order, without repeats."""
    out: dict[str, None] = {}

    def walk() -> Iterator[str]:
        for tr in draft.get("t") or []:
            if isinstance(tr, dict):
                for sg in tr.get("sg") or []:
                    if isinstance(sg, dict) and isinstance(sg.get("src"), str) and sg["src"]:
                        yield sg["src"]

    for src in walk():
        out[src] = None
    return list(out)


@lru_cache(maxsize=1)
def renderer_fingerprint() -> str:
    """A hash of the renderer's source files, the package version and the FFmpeg binary."""
    from .. import _version
    from .render.encode.ffmpeg import ffmpeg_exe

    h = hashlib.sha256(_version.__version__.encode())
    here = Path(__file__).resolve().parent
    files = [*sorted((here / "render").glob("*.py")), here.parent / "draft_format.py"]
    for f in files:
        with contextlib.suppress(OSError):
            h.update(f.name.encode() + b"\0" + f.read_bytes())
    try:
        exe = Path(ffmpeg_exe())
        st = exe.stat()
        h.update(f"{exe.name}:{st.st_size}:{st.st_mtime_ns}".encode())
    except Exception:
        h.update(b"ffmpeg?")
    return h.hexdigest()[:16]


_hash_lock = threading.Lock()
_hashes: dict[tuple[str, int, int], str] = {}


def file_sha256(path: Path) -> str:
    """SHA-256 of a file's bytes, remembered per (path, size, mtime) so repeats cost nothing."""
    st = path.stat()
    k = (str(path), st.st_size, st.st_mtime_ns)
    with _hash_lock:
        if k in _hashes:
            return _hashes[k]
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    digest = h.hexdigest()
    with _hash_lock:
        if len(_hashes) > 4096:
            _hashes.clear()
        _hashes[k] = digest
    return digest


def render_key(draft: dict[str, Any], *, quality: str, resolution: str | None,
               media_hash: Callable[[str], str | None]) -> str:
    """The content address of rendering ``draft`` at ``quality``/``resolution``.

    ``media_hash(src)`` gives the content hash of a segment's source (None: unknown, which
    still gives a key, tied to the ``src`` text alone).
    """
    from .render.encode.ffmpeg import quality_settings
    from .render.pipeline import render_size

    try:
        size: Any = render_size(draft, resolution, quality)
    except Exception:
        size = resolution
    media = {src: media_hash(src) for src in draft_sources(draft)}
    material = canonical_json({"draft": draft, "media": media, "quality": quality_settings(quality),
                               "size": size, "renderer": renderer_fingerprint()})
    return hashlib.sha256(material.encode("utf-8")).hexdigest()
