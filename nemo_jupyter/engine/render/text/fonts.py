"""Find a font that can draw a given text (Latin, CJK, ...), by search, never by a fixed path.

Candidates come from ``fc-match`` (fontconfig) when it exists, then from the
usual font directories of Linux, macOS and Windows. A font "covers" a text
when Pillow draws every character with a real glyph (not the .notdef box).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from functools import lru_cache
from pathlib import Path

from PIL import ImageFont

from ..errors import RenderError

# Family names to ask fontconfig for, in order of preference.
_LATIN = ("DejaVu Sans:bold", "Liberation Sans:bold", "Arial:bold", "Helvetica:bold", "sans-serif:bold")
_CJK = ("Noto Sans CJK SC:bold", "Noto Sans CJK:bold", "Source Han Sans SC:bold", "WenQuanYi Zen Hei",
        "Microsoft YaHei", "PingFang SC", "Hiragino Sans GB", "sans-serif:lang=zh-cn")
# File-name fragments to look for in font directories when fontconfig is absent.
_FILE_HINTS = ("DejaVuSans-Bold", "NotoSansCJK-Bold", "NotoSansCJKsc-Bold", "NotoSansCJK-Regular",
               "SourceHanSans", "wqy-zenhei", "msyh", "PingFang", "Arial Bold", "arialbd", "DejaVuSans",
               "LiberationSans-Bold", "Arial")


def _font_dirs() -> list[Path]:
    home = Path.home()
    dirs = [Path("/usr/share/fonts"), Path("/usr/local/share/fonts"), home / ".fonts",
            home / ".local/share/fonts", Path("/Library/Fonts"), Path("/System/Library/Fonts"),
            home / "Library/Fonts"]
    windir = os.environ.get("WINDIR")
    if windir:
        dirs.append(Path(windir) / "Fonts")
    if sys.prefix:
        dirs.append(Path(sys.prefix) / "share/fonts")
    return [d for d in dirs if d.is_dir()]


def _fc_match(pattern: str) -> Path | None:
    exe = shutil.which("fc-match")
    if not exe:
        return None
    try:
        out = subprocess.run([exe, "-f", "%{file}", pattern], capture_output=True, text=True, timeout=10)
    except (OSError, subprocess.TimeoutExpired):
        return None
    p = Path(out.stdout.strip()) if out.returncode == 0 and out.stdout.strip() else None
    return p if p and p.is_file() else None


@lru_cache(maxsize=1)
def candidate_fonts() -> tuple[Path, ...]:
    """Every usable font file, best first (Latin bold, CJK bold, then anything found)."""
    found: list[Path] = []
    for pat in (*_LATIN, *_CJK):
        p = _fc_match(pat)
        if p and p not in found:
            found.append(p)
    files: list[Path] = []
    for d in _font_dirs():
        for ext in ("*.ttf", "*.otf", "*.ttc"):
            files.extend(d.rglob(ext))
    for hint in _FILE_HINTS:
        for f in sorted(files):
            if hint.lower() in f.name.lower() and f not in found:
                found.append(f)
    return tuple(found)


@lru_cache(maxsize=64)
def load_font(path: str, size: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(path, size)


def _missing(font: ImageFont.FreeTypeFont, ch: str) -> bool:
    if ch.isspace() or not ch.isprintable():
        return False
    notdef = font.getmask("\U0010fffd")
    mask = font.getmask(ch)
    if mask.size == (0, 0) or mask.getbbox() is None:
        return True
    return mask.size == notdef.size and bytes(mask) == bytes(notdef)


@lru_cache(maxsize=256)
def font_for(text: str) -> str:
    """A font file that draws every character of ``text``; RenderError if there is none."""
    chars = sorted(set(text))
    for path in candidate_fonts():
        try:
            font = load_font(str(path), 32)
        except OSError:
            continue
        if not any(_missing(font, ch) for ch in chars):
            return str(path)
    if not candidate_fonts():
        raise RenderError("No font found on this machine to draw text; install DejaVu Sans "
                          "(e.g. the fonts-dejavu package) or Noto Sans CJK.")
    raise RenderError(f"No installed font can draw the text {text[:40]!r}; install a font that covers "
                      f"it (Noto Sans CJK for Chinese/Japanese/Korean, e.g. the fonts-noto-cjk package).")
