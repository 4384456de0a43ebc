"""Small drawings that show a relation: a speech bubble, a heart, a string, crumbs (cached)."""

from __future__ import annotations

import functools
import math

from PIL import Image, ImageDraw, ImageFilter

from ..art import raster


def _even(v: float) -> int:
    i = max(2, round(v))
    return i + (i % 2)


@functools.lru_cache(maxsize=32)
def bubble(size: int, tail_right: bool) -> Image.Image:
    """A white speech bubble with three dots, ``size`` px wide, its tail at the bottom."""
    w, h = _even(size), _even(size * 0.72)
    img = Image.new("RGBA", (w, h), (0, 0, 0, 0))
    d = ImageDraw.Draw(img)
    lw = max(2, size // 28)
    body = (lw, lw, w - lw - 1, h * 0.74)
    d.rounded_rectangle(body, radius=int(h * 0.3), fill=(255, 255, 255, 245), outline=(20, 20, 20, 255), width=lw)
    tx = w * (0.3 if tail_right else 0.7)
    tip = (tx - w * 0.12 if tail_right else tx + w * 0.12, h - lw)
    d.polygon([(tx - w * 0.08, h * 0.72), (tx + w * 0.08, h * 0.72), tip], fill=(255, 255, 255, 245))
    d.line([(tx - w * 0.08, h * 0.74), tip, (tx + w * 0.08, h * 0.74)], fill=(20, 20, 20, 255), width=lw)
    r = size * 0.055
    for k in (-1, 0, 1):
        cx, cy = w / 2 + k * size * 0.2, h * 0.38
        d.ellipse((cx - r, cy - r, cx + r, cy + r), fill=(40, 40, 50, 255))
    return img


@functools.lru_cache(maxsize=16)
def heart(size: int) -> Image.Image:
    return raster("2764", _even(size))


@functools.lru_cache(maxsize=16)
def crumb(size: int) -> Image.Image:
    s = _even(size)
    img = Image.new("RGBA", (s, s), (0, 0, 0, 0))
    ImageDraw.Draw(img).ellipse((1, 1, s - 2, s - 2), fill=(236, 196, 120, 255), outline=(80, 50, 20, 255),
                                       width=max(1, s // 6))
    return img


def string_frames(points: list[tuple[float, float, float, float]], width: int) -> tuple[list[Image.Image], float, float]:
    """A string from a hand to a kite or balloon, one frame per (x0, y0, x1, y1) (frame px), on one
    canvas; returns the frames and the canvas' top-left corner."""
    xs = [v for p in points for v in (p[0], p[2])]
    ys = [v for p in points for v in (p[1], p[3])]
    left, topy = math.floor(min(xs)) - 4, math.floor(min(ys)) - 4
    w, h = _even(max(xs) - left + 8), _even(max(ys) - topy + 8)
    out = []
    for x0, y0, x1, y1 in points:
        img = Image.new("RGBA", (w, h), (0, 0, 0, 0))
        d = ImageDraw.Draw(img)
        # a gentle sag: a quadratic curve through a point below the middle
        mx, my = (x0 + x1) / 2 - left, (y0 + y1) / 2 - topy + abs(x1 - x0) * 0.12
        pts = []
        for k in range(17):
            u = k / 16
            px = (1 - u) ** 2 * (x0 - left) + 2 * u * (1 - u) * mx + u ** 2 * (x1 - left)
            py = (1 - u) ** 2 * (y0 - topy) + 2 * u * (1 - u) * my + u ** 2 * (y1 - topy)
            pts.append((px, py))
        d.line(pts, fill=(40, 36, 30, 230), width=width, joint="curve")
        out.append(img.filter(ImageFilter.GaussianBlur(0.5)))
    return out, float(left), float(topy)
