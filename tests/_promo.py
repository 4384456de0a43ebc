"""A creator's own media, drawn here (a coffee cup and a café on photos, a logo, an app screenshot, a
sneaker on a studio background), and what a test reads back from a video: the words on a frame (OCR
by Tesseract, from Debian's ``tesseract-ocr``), the loudness (FFmpeg's ``ebur128``), a frame."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFont

from nemo_jupyter.engine.render.encode.ffmpeg import ffmpeg_exe
from nemo_jupyter.engine.render.text.fonts import candidate_fonts

LOGO_RED = (190, 30, 40)
APP_BLUE = (80, 70, 200)


def _font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    fonts = candidate_fonts()
    return ImageFont.truetype(str(fonts[0]), size) if fonts else ImageFont.load_default()


def promo_media(root: Path) -> dict[str, Path]:
    """The files a creator uploads for three promos (coffee, sneaker, phone app)."""
    root.mkdir(parents=True, exist_ok=True)
    out: dict[str, Path] = {}
    im = Image.new("RGB", (1200, 1200), (250, 250, 250))  # a product shot on white
    d = ImageDraw.Draw(im)
    d.rounded_rectangle((400, 380, 800, 900), 40, fill=(120, 70, 40))
    d.ellipse((760, 500, 920, 700), outline=(120, 70, 40), width=40)
    d.rectangle((420, 560, 780, 700), fill=(240, 230, 210))
    out["cup"] = root / "coffee_cup.jpg"
    im.save(out["cup"], quality=92)
    im = Image.new("RGB", (900, 1200), (60, 90, 60))  # a portrait photo of the café (3:4)
    d = ImageDraw.Draw(im)
    for i in range(0, 1200, 40):
        d.line((0, i, 900, i + 300), fill=(80 + i % 120, 120, 70), width=18)
    d.ellipse((250, 400, 650, 800), fill=(160, 100, 60))
    out["cafe"] = root / "cafe.jpg"
    im.save(out["cafe"], quality=90)
    im = Image.new("RGB", (600, 300), (255, 255, 255))  # a logo on white
    d = ImageDraw.Draw(im)
    d.ellipse((20, 40, 240, 260), fill=LOGO_RED)
    d.text((260, 100), "BEAN", font=_font(90), fill=(40, 30, 30))
    out["logo"] = root / "logo.png"
    im.save(out["logo"])
    im = Image.new("RGB", (1080, 2340), (245, 247, 255))  # an app's screenshot
    d = ImageDraw.Draw(im)
    d.rectangle((0, 0, 1080, 300), fill=APP_BLUE)
    d.text((60, 110), "FocusFlow", font=_font(100), fill="white")
    for k in range(6):
        d.rounded_rectangle((60, 380 + k * 300, 1020, 620 + k * 300), 30, fill=(225, 228, 245))
        d.text((100, 460 + k * 300), f"Task {k + 1}", font=_font(70), fill=(40, 40, 80))
    out["screen"] = root / "app_screen.png"
    im.save(out["screen"])
    for n, colour in ((1, (30, 110, 220)), (2, (220, 60, 40))):  # sneakers on a light studio grey
        im = Image.new("RGB", (1400, 1000), (232, 232, 235))
        d = ImageDraw.Draw(im)
        d.polygon([(250, 650), (500, 420), (800, 450), (1150, 600), (1180, 720), (260, 740)], fill=colour)
        d.rectangle((250, 720, 1180, 770), fill=(250, 250, 250))
        out[f"shoe{n}"] = root / f"airstep_{n}.jpg"
        im.save(out[f"shoe{n}"], quality=92)
    return out


# -- reading a video back --------------------------------------------------------------------------
def frame(video: Path, t: float) -> Image.Image:
    with tempfile.TemporaryDirectory() as tmp:
        png = Path(tmp) / "f.png"
        subprocess.run([ffmpeg_exe(), "-v", "error", "-y", "-ss", f"{t:.3f}", "-i", str(video), "-frames:v", "1",
                        str(png)], check=True, timeout=60)
        with Image.open(png) as im:
            return im.convert("RGB")


def tesseract() -> str:
    """The Tesseract program; a test that reads words skips without it, except in CI (which installs it)."""
    exe = shutil.which("tesseract")
    if exe is None:
        if os.environ.get("CI"):
            pytest.fail("tesseract is missing: .ci/run installs Debian's tesseract-ocr")
        pytest.skip("tesseract (Debian's tesseract-ocr) is not installed")
    return exe


def words_on(img: Image.Image, box: tuple[float, float, float, float] | None = None) -> str:
    """The words drawn in white (the engine's titles, cards and captions) on ``img``, or on its part
    ``box`` (fractions of the frame: x0, y0, x1, y1), lower case."""
    exe = tesseract()
    if box is not None:
        w, h = img.size
        img = img.crop((int(box[0] * w), int(box[1] * h), int(box[2] * w), int(box[3] * h)))
    words = []
    crops = [(img, 200), (img, 230)]  # white letters -> black on white (230: over light ground, sand, sky)
    band = _caption_band(img)
    if band is not None:  # a caption's box over a light picture: read inside the box
        crops.append((img.crop(band), 200))
    for part, threshold in crops:
        grey = part.convert("L").point(lambda v, th=threshold: 0 if v > th else 255)
        while grey.width < 1200:
            grey = grey.resize((grey.width * 2, grey.height * 2), Image.Resampling.LANCZOS)
        with tempfile.TemporaryDirectory() as tmp:
            png = Path(tmp) / "ocr.png"
            grey.save(png)
            out = subprocess.run([exe, str(png), "-", "--psm", "11"], capture_output=True, text=True, timeout=120)
        words.append(" ".join(out.stdout.lower().split()))
    return " | ".join(words)


def _caption_band(img: Image.Image) -> tuple[int, int, int, int] | None:
    """The box behind a caption at the bottom (mid-grey over a light picture), if there is one."""
    w, h = img.size
    lum = np.asarray(img.convert("L"), dtype=int)[int(h * 0.8):]
    mask = (lum > 90) & (lum < 185)
    rows, cols = np.nonzero(mask.sum(axis=1) > w * 0.3)[0], np.nonzero(mask.sum(axis=0) > mask.shape[0] * 0.05)[0]
    if len(rows) < 4 or len(cols) < 8:
        return None
    top = int(h * 0.8)
    return int(cols.min()) + 2, top + int(rows.min()) + 2, int(cols.max()) - 2, top + int(rows.max()) - 2


def loudness(video: Path) -> tuple[float, float]:
    """Integrated loudness (LUFS) and true peak (dBTP) of a video's sound, by FFmpeg's ebur128."""
    res = subprocess.run([ffmpeg_exe(), "-hide_banner", "-nostdin", "-i", str(video), "-map", "0:a",
                          "-af", "ebur128=peak=true:framelog=quiet", "-f", "null", "-"],
                         capture_output=True, text=True, timeout=300)
    integrated = float(re.findall(r"I:\s+(-?[\d.]+) LUFS", res.stderr)[-1])
    peak = float(re.findall(r"Peak:\s+(-?[\d.]+|-inf) dBFS", res.stderr)[-1])
    return integrated, peak


def share_of(img: Image.Image, colour: tuple[int, int, int], box: tuple[float, float, float, float],
             tol: int = 50) -> float:
    """The share of the pixels in ``box`` (fractions of the frame: x0, y0, x1, y1) close to ``colour``."""
    w, h = img.size
    crop = np.asarray(img.crop((int(box[0] * w), int(box[1] * h), int(box[2] * w), int(box[3] * h))), dtype=int)
    return float((np.abs(crop - np.array(colour)).max(axis=2) < tol).mean())
