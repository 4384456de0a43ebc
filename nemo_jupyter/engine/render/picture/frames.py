"""The few still frames each actor motion needs, made once per render from the rasterised art.

FFmpeg loops these frames and moves them with overlay expressions (see :mod:`.actors`), so a
motion costs a handful of PNGs, not a per-frame drawing. Every set keeps one canvas size with
the feet at the bottom centre, so frames can follow each other without jitter. Sets are cached
by the caller (:func:`.actors.frames_for`): an actor that appears in several shots is written
to disk once.
"""

from __future__ import annotations

import functools
import math

import numpy as np
from PIL import Image, ImageDraw, ImageFilter, ImageFont

from ..text.fonts import font_for, load_font
from . import art as A
from . import people as P

Frames = list[Image.Image]


def _even(v: float) -> int:
    i = max(2, round(v))
    return i + (i % 2)


@functools.lru_cache(maxsize=128)
def body(art: str, height: int, flip: bool = False, turn: float = 0.0,
         haze: tuple[int, int, int] = (0, 0, 0), amount: float = 0.0, colour: str | None = None,
         figure: str = "") -> Image.Image:
    """The art ``height`` px tall (recoloured: ``colour``; a whole person with legs ``figure``: see
    :mod:`.people`), mirrored / turned upright, mixed with the depth haze colour."""
    img = P.figure(art, height, figure, colour) if figure else A.raster(art, height, colour)
    if turn:
        img = img.rotate(turn, resample=Image.Resampling.BICUBIC, expand=True)
        bb = img.getchannel("A").getbbox()
        if bb:
            img = img.crop(bb)
        if img.height != height:  # keep the height asked for after turning upright
            img = img.resize((max(1, round(img.width * height / img.height)), height), Image.Resampling.LANCZOS)
    if flip:
        img = img.transpose(Image.Transpose.FLIP_LEFT_RIGHT)
    if amount > 0:
        arr = np.asarray(img).astype(np.float32)
        arr[..., :3] += (np.array(haze, dtype=np.float32) - arr[..., :3]) * amount
        img = Image.fromarray(np.clip(arr, 0, 255).astype(np.uint8), "RGBA")
    return img


def _canvas(img: Image.Image, wpad: float = 1.0, hpad: float = 1.0) -> tuple[int, int]:
    return _even(img.width * wpad + 4), _even(img.height * hpad + 2)


def _place(canvas: tuple[int, int], img: Image.Image, dy: int = 0) -> Image.Image:
    """``img`` on a transparent canvas, feet at the bottom centre (raised by ``dy``)."""
    out = Image.new("RGBA", canvas, (0, 0, 0, 0))
    out.alpha_composite(img, ((canvas[0] - img.width) // 2, canvas[1] - img.height - dy))
    return out


def _scaled(img: Image.Image, sx: float, sy: float) -> Image.Image:
    w, h = max(1, round(img.width * sx)), max(1, round(img.height * sy))
    return img.resize((w, h), Image.Resampling.BICUBIC)


def tilted(img: Image.Image, deg: float) -> Image.Image:
    """Rotated about its bottom centre (the feet stay put), on a canvas just big enough."""
    if abs(deg) < 0.05:
        return img
    rad = math.radians(abs(deg))
    pad_x = math.ceil(math.sin(rad) * img.height + (1 - math.cos(rad)) * img.width / 2) + 2
    pad_y = math.ceil(math.sin(rad) * img.width / 2) + 2
    big = Image.new("RGBA", (img.width + 2 * pad_x, img.height + pad_y), (0, 0, 0, 0))
    big.alpha_composite(img, (pad_x, pad_y))
    big = big.rotate(deg, resample=Image.Resampling.BICUBIC, center=(big.width / 2, big.height))
    bb = big.getchannel("A").getbbox()
    # keep the pivot row as the bottom: crop from the top of the drawing down to the pivot row
    return big.crop((bb[0], bb[1], bb[2], big.height)) if bb else img


def breathe(img: Image.Image, n: int = 8, amp: float = 0.02) -> Frames:
    canvas = _canvas(img, 1.02, 1.0 + amp + 0.01)
    return [_place(canvas, _scaled(img, 1 - amp * 0.4 * math.sin(2 * math.pi * k / n),
                                   1 + amp * math.sin(2 * math.pi * k / n))) for k in range(n)]


def rock(img: Image.Image, deg: float, n: int = 8) -> Frames:
    """Rocking about the feet: a walking waddle, a sway (trees, seaweed, lanterns)."""
    tilts = [tilted(img, deg * math.sin(2 * math.pi * k / n)) for k in range(n)]
    canvas = (_even(max(t.width for t in tilts) + 4), _even(max(t.height for t in tilts) + 2))
    return [_place(canvas, t) for t in tilts]


def swing(img: Image.Image, tilts: tuple[float, ...]) -> Frames:
    """One move in beats (a kick's wind-up and follow-through): tilted about the feet by each angle of
    ``tilts`` (degrees, counter-clockwise) in turn, on one canvas."""
    drawn = [tilted(img, d) for d in tilts]
    canvas = (_even(max(t.width for t in drawn) + 4), _even(max(t.height for t in drawn) + 2))
    return [_place(canvas, t) for t in drawn]


def squash(img: Image.Image, n: int = 8) -> Frames:
    """A bounce cycle's shapes: squashed on landing (frame 0), stretched on the way."""
    out = []
    canvas = _canvas(img, 1.2, 1.1)
    for k in range(n):
        up = abs(math.sin(math.pi * k / n))
        sq = 0.16 * max(0.0, 1 - up * 4)
        out.append(_place(canvas, _scaled(img, 1 + sq, 1 - sq + 0.05 * up)))
    return out


def bites(img: Image.Image, n: int = 8) -> Frames:
    """Food being eaten: smaller at each bite, from the side that faces the mouth, then whole again."""
    canvas = _canvas(img)
    out = []
    for k in range(n):
        s = 1 - 0.45 * k / (n - 1)
        out.append(_place(canvas, _scaled(img, s, 0.55 + 0.45 * s)))
    return out


def grow(img: Image.Image, n: int = 12, steady: bool = False) -> Frames:
    """A thing growing from nothing: fast then slow (a flower opening), or ``steady``: growing all
    through (a snowman half built at mid-shot, eased at both ends)."""
    canvas = _canvas(img)
    out = []
    for k in range(n):
        t = (k + 1) / n
        s = t * t * (3 - 2 * t) if steady else 1 - (1 - t) ** 3
        out.append(_place(canvas, _scaled(img, max(0.04, s), max(0.04, s))))
    return out


def turn(img: Image.Image, n: int = 36) -> Frames:
    """A product turning slowly on its stand, with a highlight sweeping over it."""
    canvas = _canvas(img, 1.0, 1.0)
    alpha = np.asarray(img.getchannel("A"), dtype=np.float32) / 255
    xs = np.arange(img.width, dtype=np.float32)[None, :]
    ys = np.arange(img.height, dtype=np.float32)[:, None]
    out = []
    for k in range(n):
        ph = 2 * math.pi * k / n
        sx = 0.78 + 0.22 * math.cos(ph)
        lit = img.copy()
        # a soft diagonal band of light crossing the art once per turn
        pos = (k / n) * (img.width + img.height) * 1.6 - img.height * 0.6
        band = np.exp(-(((xs + ys * 0.6) - pos) / (img.width * 0.09)) ** 2) * alpha * 0.55
        arr = np.asarray(lit).astype(np.float32)
        arr[..., :3] += (255 - arr[..., :3]) * band[..., None]
        lit = Image.fromarray(np.clip(arr, 0, 255).astype(np.uint8), "RGBA")
        out.append(_place(canvas, _scaled(lit, sx, 1.0)))
    return out


def flame(img: Image.Image, n: int = 4) -> Frames:
    """A rocket with a flickering exhaust flame under it (the feet are the flame's tip)."""
    fl_h = img.height * 0.5
    canvas = (_even(img.width + 4), _even(img.height + fl_h))
    out = []
    for k in range(n):
        f = Image.new("RGBA", canvas, (0, 0, 0, 0))
        d = ImageDraw.Draw(f)
        cx, top = canvas[0] / 2, img.height * 0.9
        ln = fl_h * (0.75 + 0.25 * math.sin(k * 2.1))
        wd = img.width * 0.16
        d.polygon([(cx - wd, top), (cx + wd, top), (cx, top + ln)], fill=(255, 150, 40, 230))
        d.polygon([(cx - wd * 0.5, top), (cx + wd * 0.5, top), (cx, top + ln * 0.6)], fill=(255, 240, 170, 255))
        f = f.filter(ImageFilter.GaussianBlur(max(1.0, img.width * 0.02)))
        f.alpha_composite(img, ((canvas[0] - img.width) // 2, 0))
        out.append(f)
    return out


@functools.lru_cache(maxsize=64)
def shadow(width: int, alpha: int = 95) -> Image.Image:
    # a tight canvas: every overlay costs its area on every frame
    w, h = _even(width * 1.05), _even(max(6, width * 0.15))
    img = Image.new("RGBA", (w, h), (0, 0, 0, 0))
    ImageDraw.Draw(img).ellipse((w * 0.1, h * 0.22, w * 0.9, h * 0.78), fill=(10, 10, 20, alpha))
    return img.filter(ImageFilter.GaussianBlur(max(1.5, h * 0.14)))


@functools.lru_cache(maxsize=64)
def spot(size: int, colour: tuple[int, int, int] = (255, 246, 220)) -> Image.Image:
    """A soft pool of light behind a product on show."""
    s = _even(size)
    yy, xx = np.mgrid[0:s, 0:s].astype(np.float32)
    d = np.sqrt((xx - s / 2) ** 2 + (yy - s / 2) ** 2) / (s / 2)
    arr = np.zeros((s, s, 4), dtype=np.uint8)
    arr[..., :3] = colour
    arr[..., 3] = (np.clip(1 - d, 0, 1) ** 2 * 150).astype(np.uint8)
    return Image.fromarray(arr, "RGBA")


@functools.lru_cache(maxsize=64)
def spark(size: int, colour: tuple[int, int, int]) -> Image.Image:
    s = _even(size)
    yy, xx = np.mgrid[0:s, 0:s].astype(np.float32)
    d = np.sqrt((xx - s / 2) ** 2 + (yy - s / 2) ** 2) / (s / 2)
    arr = np.zeros((s, s, 4), dtype=np.uint8)
    arr[..., :3] = np.clip(np.array(colour, dtype=np.float32)[None, None, :] + (1 - d[..., None]) * 90, 0, 255)
    arr[..., 3] = (np.clip(1 - d, 0, 1) ** 1.5 * 255).astype(np.uint8)
    return Image.fromarray(arr, "RGBA")


@functools.lru_cache(maxsize=128)
def label(text: str, short_side: int) -> Image.Image:
    """A name tag: light text on a dark rounded pill, legible on any background."""
    size = max(14, round(short_side * 0.04))
    font: ImageFont.FreeTypeFont = load_font(font_for(text), size)
    tw = int(font.getlength(text))
    asc, desc = font.getmetrics()
    pad_x, pad_y = round(size * 0.55), round(size * 0.28)
    w, h = _even(tw + 2 * pad_x), _even(asc + desc + 2 * pad_y)
    img = Image.new("RGBA", (w, h), (0, 0, 0, 0))
    d = ImageDraw.Draw(img)
    d.rounded_rectangle((0, 0, w - 1, h - 1), radius=h // 2, fill=(16, 20, 32, 190))
    d.text((pad_x, pad_y), text, font=font, fill=(255, 255, 255, 255))
    return img
