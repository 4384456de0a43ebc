"""Props that belong to one kind of scene, as moving sprites: steam over a cup, soft light blobs,
car lights along a road, waves breaking on a shore (the generic elements are :mod:`.elements`)."""

from __future__ import annotations

import math

import numpy as np
from PIL import Image, ImageDraw, ImageFilter

from .elements import Sprite, _even, _f
from .paint import Colour

__all__ = ["blobs", "car_lights", "steam", "waves"]


def steam(cx: float, top: float, width: float, H: int, rng: np.random.Generator) -> list[Sprite]:
    """Wisps of steam rising from a cup whose rim centre is (cx, top) in frame pixels."""
    w, h = _even(width), _even(width * 1.6)
    frames = []
    nf = 12
    for f in range(nf):
        img = Image.new("RGBA", (w, h), (0, 0, 0, 0))
        d = ImageDraw.Draw(img)
        for k in range(3):
            ph = 2 * math.pi * (f / nf) + k * 2.1
            pts = []
            for j in range(40):
                t = j / 39
                x = w * (0.3 + 0.2 * k) + math.sin(t * 5 + ph) * w * 0.12 * (0.4 + t)
                y = h * (1 - t)
                pts.append((x, y))
            for j in range(len(pts) - 1):
                t = j / 39
                a = int(120 * math.sin(math.pi * t) * (1 - t * 0.5))
                d.line([pts[j], pts[j + 1]], fill=(255, 255, 255, a), width=max(2, int(w * 0.07)))
        frames.append(img.filter(ImageFilter.GaussianBlur(max(2, w * 0.035))))
    return [Sprite("steam", frames, _f(cx - w / 2), _f(top - h * 0.95), fps=8)]


def blobs(W: int, H: int, dur: float, rng: np.random.Generator, palette: list[Colour], n: int = 4) -> list[Sprite]:
    s = min(W, H) / 1080
    out = []
    for i in range(n):
        size = _even(rng.uniform(260, 420) * s)
        yy, xx = np.mgrid[0:size, 0:size].astype(np.float32)
        d = np.sqrt((xx - size / 2) ** 2 + (yy - size / 2) ** 2) / (size / 2)
        a = (np.clip(1 - d, 0, 1) ** 1.6 * 170).astype(np.uint8)
        arr = np.zeros((size, size, 4), dtype=np.uint8)
        arr[..., :3] = palette[i % len(palette)]
        arr[..., 3] = a
        img = Image.fromarray(arr, "RGBA")
        x0, y0 = rng.uniform(0, W - size), rng.uniform(0, H - size)
        ph = rng.uniform(0, 6)
        x = f"{_f(x0)}+{_f(W * 0.15)}*sin(t*{_f(rng.uniform(0.15, 0.35))}+{_f(ph)})"
        y = f"{_f(y0)}+{_f(H * 0.12)}*sin(t*{_f(rng.uniform(0.15, 0.35))}+{_f(ph * 2)})"
        out.append(Sprite(f"blob{i}", [img], x, y))
    return out


def car_lights(W: int, H: int, dur: float, rng: np.random.Generator, road_y: float) -> list[Sprite]:
    s = min(W, H) / 1080
    out = []
    for i, (col, ltr) in enumerate((((255, 240, 200), True), ((255, 60, 50), False), ((255, 240, 200), True))):
        w, h = _even(70 * s), _even(22 * s) + 2
        img = Image.new("RGBA", (w, h), (0, 0, 0, 0))
        d = ImageDraw.Draw(img)
        d.rounded_rectangle((0, h * 0.2, w, h * 0.8), radius=h // 3, fill=(*col, 90))
        d.ellipse((w * 0.7 if ltr else 0, h * 0.25, w if ltr else w * 0.3, h * 0.75), fill=(*col, 255))
        img = img.filter(ImageFilter.GaussianBlur(1.2))
        cross = rng.uniform(4, 7)
        start = rng.uniform(0, 1)
        prog = f"mod(t/{_f(cross)}+{_f(start)},1)"
        x = f"-{w}+(W+{w})*{prog}" if ltr else f"W-(W+{w})*{prog}"
        y = _f(road_y + (i - 1) * 14 * s)
        out.append(Sprite(f"car{i}", [img], x, y))
    return out


def waves(W: int, H: int, y: float, band: float, colour: Colour, foam: Colour, rng: np.random.Generator,
          speed: float, key: str) -> list[Sprite]:
    """A horizontally tileable band of rolling crests with broken white foam, scrolled sideways."""
    s = min(W, H) / 1080
    period = _even(W / 3)
    tw = W + period
    th = _even(band)
    xs = np.arange(tw, dtype=np.float32)
    rows = np.arange(th, dtype=np.float32)[:, None]
    p = 2 * np.pi / period
    crest = th * 0.3 + np.sin(xs * p + 0.5) * th * 0.1 + np.sin(xs * p * 2 + 1) * th * 0.05
    d = rows - crest[None, :]
    body = np.clip(d / 1.5 + 0.5, 0, 1) * np.exp(-np.clip(d, 0, None) / (th * 0.45))
    # foam: thick where the crest is high, broken into patches along the wave
    patches = np.clip(np.sin(xs * p * 2 + 2.0) * 0.6 + np.sin(xs * p * 3) * 0.4 + 0.45, 0, 1) ** 1.2
    foam_a = np.exp(-((d - th * 0.04) / max(1.5, th * 0.07)) ** 2) * patches[None, :]
    lighter = np.array(colour, dtype=np.float32) * 1.18 + 12
    arr = np.zeros((th, tw, 4), dtype=np.float32)
    arr[..., :3] = lighter
    arr[..., :3] += (np.array(foam, dtype=np.float32) - arr[..., :3]) * np.clip(foam_a * 1.6, 0, 1)[..., None]
    arr[..., 3] = np.clip(body * 150 + foam_a * 255, 0, 255)
    img = Image.fromarray(np.clip(arr, 0, 255).astype(np.uint8), "RGBA")
    v = abs(speed) * s
    x = f"-mod(t*{_f(v)},{period})" if speed >= 0 else f"mod(t*{_f(v)},{period})-{period}"
    return [Sprite(key, [img], x, _f(y))]
