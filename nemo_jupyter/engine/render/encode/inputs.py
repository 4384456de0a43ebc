"""The picture files FFmpeg reads (stills, sprite frames, texts), written cheaply and once per process.

A render writes its paintings and sprites as files for FFmpeg to read back. Opaque stills are
raw PPM (:func:`write_still`: nothing to compress or to inflate). Everything with an alpha
channel is PNG (:func:`write_png`), and compressing those is a fixed cost of every render, and
of every chunk of one on a cluster. The chunks of one render on a cluster worker, and a
re-render here, need the same files again, so each PNG is kept in a small per-process cache
keyed by its pixels (and compression level) and only *hard-linked* (or copied, across file
systems) into the next render's folder: a render owns its links, so evicting a cached file
never pulls one from under a running FFmpeg.

The cache is bounded (``NEMO_INPUT_CACHE_MB``, default 128; 0 turns it off), least recently
used first out, and removed when the process exits; folders left by a killed process are
swept by the next one.
"""

from __future__ import annotations

import atexit
import contextlib
import hashlib
import os
import shutil
import tempfile
import threading
from collections import OrderedDict
from pathlib import Path

from PIL import Image

from ...processes import pid_exists

__all__ = ["clear", "write_png", "write_still"]

_lock = threading.Lock()
_files: OrderedDict[str, tuple[Path, int]] = OrderedDict()   # key -> (cached file, bytes)
_size = 0
_dir: Path | None = None


def _limit() -> int:
    env = os.environ.get("NEMO_INPUT_CACHE_MB", "")
    mb = int(env) if env.isdigit() else 128
    return mb * 2**20


def _key(img: Image.Image, level: int) -> str:
    h = hashlib.sha256(img.tobytes())
    h.update(f"{img.mode}/{img.size}/{level}/{img.info.get('transparency')!r}".encode())
    return h.hexdigest()


def _cache_dir() -> Path:
    """This process's private folder, made on first use; folders of dead processes are swept."""
    global _dir
    if _dir is None:
        if hasattr(os, "getuid"):
            for old in Path(tempfile.gettempdir()).glob("nemo-inputs-*-*"):
                pid = old.name.split("-")[2]
                with contextlib.suppress(OSError):
                    if (pid.isdigit() and int(pid) != os.getpid() and old.stat().st_uid == os.getuid()
                            and not pid_exists(int(pid))):
                        shutil.rmtree(old, ignore_errors=True)
        d = Path(tempfile.mkdtemp(prefix=f"nemo-inputs-{os.getpid()}-"))
        atexit.register(shutil.rmtree, d, True)
        _dir = d
    return _dir


def _place(src: Path, dest: Path) -> bool:
    """``dest`` becomes a link to (or a copy of) ``src``; False when ``src`` is gone."""
    with contextlib.suppress(FileNotFoundError):
        dest.unlink()
    try:
        os.link(src, dest)
        return True
    except FileNotFoundError:
        return False
    except OSError:  # another file system, or links not allowed
        try:
            shutil.copyfile(src, dest)
            return True
        except FileNotFoundError:
            return False


def write_png(img: Image.Image, path: Path, level: int = 1) -> str:
    """Write ``img`` as a PNG at ``path`` (zlib ``level``), from the cache when the same pixels
    were written before in this process. Returns ``str(path)``."""
    path = Path(path)
    limit = _limit()
    if limit <= 0:
        img.save(path, compress_level=level)
        return str(path)
    key = _key(img, level)
    with _lock:
        hit = _files.get(key)
        if hit is not None:
            _files.move_to_end(key)
    if hit is not None and _place(hit[0], path):
        return str(path)
    with contextlib.suppress(FileNotFoundError):
        path.unlink()  # never write into a file the cache shares
    img.save(path, compress_level=level)
    _remember(key, path, limit)
    return str(path)


def write_still(img: Image.Image, stem: Path, level: int = 1) -> str:
    """Write a still that FFmpeg loops (a panorama, a photo's canvas) next to ``stem`` and return
    its path: an opaque RGB picture as PPM (raw pixels: written in milliseconds where PNG takes
    tenths of a second at 1080p, and read by FFmpeg a few times faster), anything else as PNG."""
    if img.mode == "RGB":
        path = Path(stem).with_suffix(".ppm")
        img.save(path, format="PPM")
        return str(path)
    return write_png(img, Path(stem).with_suffix(".png"), level)


def _remember(key: str, path: Path, limit: int) -> None:
    global _size
    size = path.stat().st_size
    if size > limit // 4:  # one file would crowd out the rest: not worth keeping
        return
    with _lock:
        d = _cache_dir()
        cached = d / f"{key}.png"
        if key in _files:
            return
        try:
            tmp = d / f".{key}.{threading.get_ident()}.part"
            if not _place(path, tmp):
                return
            tmp.replace(cached)
        except OSError:
            return
        _files[key] = (cached, size)
        _size += size
        while _size > limit and _files:
            _, (old, old_size) = _files.popitem(last=False)
            _size -= old_size
            with contextlib.suppress(OSError):
                old.unlink()


def clear() -> None:
    """Forget every cached file (a benchmark measures a cold render with it)."""
    global _size
    with _lock:
        for old, _ in _files.values():
            with contextlib.suppress(OSError):
                old.unlink()
        _files.clear()
        _size = 0
