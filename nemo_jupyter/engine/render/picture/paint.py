"""A small numpy canvas for vector-style illustration: gradients, glows, soft ridges, discs.

Everything is drawn once per scene (then FFmpeg animates the stills), so the
code favours clarity; edges are antialiased by a one-pixel soft ramp.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from typing import Concatenate, ParamSpec, TypeVar

import numpy as np
from PIL import Image

Colour = tuple[int, int, int]
_P = ParamSpec("_P")
_R = TypeVar("_R")


def hexc(s: str) -> Colour:
    v = int(s.lstrip("#"), 16)
    return (v >> 16) & 255, (v >> 8) & 255, v & 255


def mix(a: Colour, b: Colour, t: float) -> Colour:
    return tuple(round(a[i] + (b[i] - a[i]) * t) for i in range(3))  # type: ignore[return-value]


def noise1d(n: int, rng: np.random.Generator, *, scale: float, octaves: int = 4,
            rough: float = 0.5) -> np.ndarray:
    """Smooth 1-D noise in about [-1, 1] over ``n`` samples; ``scale`` = features per width."""
    x = np.linspace(0.0, 1.0, n, dtype=np.float32)
    out = np.zeros(n, dtype=np.float32)
    amp, freq, total = 1.0, scale, 0.0
    for _ in range(octaves):
        for _k in range(2):
            phase = rng.uniform(0, 2 * np.pi)
            f = freq * rng.uniform(0.8, 1.25)
            out += amp * np.sin(2 * np.pi * f * x + phase).astype(np.float32) * 0.5
        total += amp
        amp *= rough
        freq *= 2.1
    return out / total


def _step(fn: Callable[Concatenate[Canvas, _P], _R]) -> Callable[Concatenate[Canvas, _P], _R]:
    """A painting step: the canvas' ``check`` runs first (it raises once the render is cancelled), so
    every family stops between two of its steps without checking anything itself."""
    @functools.wraps(fn)
    def step(self: Canvas, /, *args: _P.args, **kwargs: _P.kwargs) -> _R:
        self.check()
        return fn(self, *args, **kwargs)

    return step


def _unchecked() -> None:
    return None


class Canvas:
    def __init__(self, w: int, h: int, seed: int = 0, *, check: Callable[[], None] | None = None) -> None:
        self.w, self.h = w, h
        self.a = np.zeros((h, w, 3), dtype=np.float32)
        self.rng = np.random.default_rng(seed)
        self._rows = np.arange(h, dtype=np.float32)[:, None]
        #: called before every painting step; raises (RenderCancelled) to stop the painting
        self.check: Callable[[], None] = check or _unchecked

    # -- fills ---------------------------------------------------------------
    @_step
    def vgradient(self, stops: Sequence[tuple[float, Colour]], y0: float = 0.0, y1: float = 1.0) -> None:
        """Vertical gradient through ``(position 0..1, colour)`` stops, between rows y0..y1 (fractions)."""
        ys = np.linspace(0, 1, self.h, dtype=np.float32)
        pos = np.array([p for p, _ in stops], dtype=np.float32) * (y1 - y0) + y0
        cols = np.array([c for _, c in stops], dtype=np.float32)
        line = np.stack([np.interp(ys, pos, cols[:, i]) for i in range(3)], axis=1)
        self.a[:] = line[:, None, :]

    @_step
    def glow(self, cx: float, cy: float, r: float, colour: Colour, strength: float = 1.0,
             power: float = 2.0) -> None:
        """Additive soft light around (cx, cy) (pixels), fading out at radius r."""
        x0, x1 = max(0, int(cx - r)), min(self.w, int(cx + r) + 1)
        y0, y1 = max(0, int(cy - r)), min(self.h, int(cy + r) + 1)
        if x0 >= x1 or y0 >= y1:
            return
        yy, xx = np.ogrid[y0:y1, x0:x1]
        d = np.sqrt((xx - cx) ** 2 + (yy - cy) ** 2, dtype=np.float32) / r
        k = np.clip(1 - d, 0, 1) ** power * strength
        self.a[y0:y1, x0:x1] += k[..., None] * np.array(colour, dtype=np.float32)

    @_step
    def disc(self, cx: float, cy: float, r: float, colour: Colour, alpha: float = 1.0,
             soft: float = 1.2) -> None:
        x0, x1 = max(0, int(cx - r - 2)), min(self.w, int(cx + r) + 3)
        y0, y1 = max(0, int(cy - r - 2)), min(self.h, int(cy + r) + 3)
        if x0 >= x1 or y0 >= y1:
            return
        yy, xx = np.ogrid[y0:y1, x0:x1]
        d = np.sqrt((xx - cx) ** 2 + (yy - cy) ** 2, dtype=np.float32)
        k = np.clip((r - d) / soft + 0.5, 0, 1) * alpha
        reg = self.a[y0:y1, x0:x1]
        reg += (np.array(colour, dtype=np.float32) - reg) * k[..., None]

    @_step
    def ridge(self, tops: np.ndarray, colour: Colour, *, bottom: Colour | None = None,
              alpha: float = 1.0, soft: float = 1.0, depth: float | None = None, level: bool = False) -> None:
        """Fill everything below the curve ``tops`` (one y per column), optionally shaded to ``bottom``.

        The shading follows the curve, or with ``level`` runs from the curve's highest point
        straight down (no vertical streaks under jagged peaks)."""
        tops = np.asarray(tops, dtype=np.float32)
        y0 = max(0, int(tops.min() - soft) - 2)
        y_full = min(self.h, max(y0, int(tops.max() + soft) + 2))  # rows below are fully covered
        col = np.array(colour, dtype=np.float32)
        span = depth if depth else max(1.0, self.h - float(tops.min()))
        bot = None if bottom is None else np.array(bottom, dtype=np.float32)

        def target(r0: int, r1: int) -> np.ndarray | float:
            if bot is None:
                return col
            ref = np.float32(tops.min()) if level else tops[None, :]
            t = np.clip((self._rows[r0:r1] - ref) / span, 0, 1)
            t = (t if t.ndim == 2 else np.broadcast_to(t, (r1 - r0, self.w)))[..., None]
            return np.asarray(col + (bot - col) * t, dtype=np.float32)

        if y_full > y0:
            k = np.clip((self._rows[y0:y_full] - tops[None, :]) / soft + 0.5, 0, 1) * alpha
            reg = self.a[y0:y_full]
            reg += (target(y0, y_full) - reg) * k[..., None]
        if y_full < self.h:
            reg = self.a[y_full:]
            if alpha >= 1.0:
                reg[:] = target(y_full, self.h)
            else:
                reg += (target(y_full, self.h) - reg) * alpha

    @_step
    def stars(self, n: int, *, y_max: float, size: float = 1.0, seed: int | None = None,
              colour: Colour = (255, 255, 255)) -> None:
        rng = self.rng if seed is None else np.random.default_rng(seed)
        for _ in range(n):
            x, y = rng.uniform(0, self.w), rng.uniform(0, y_max) ** 1.0
            b = rng.uniform(0.3, 1.0)
            r = size * rng.uniform(0.6, 1.6)
            self.disc(x, y, r, colour, alpha=b, soft=max(0.8, r * 0.6))
            if b > 0.93:
                self.glow(x, y, r * 7, colour, strength=0.35)

    @_step
    def rays(self, cx: float, cy: float, colour: Colour, n: int = 6, strength: float = 0.12,
             spread: float = 0.9) -> None:
        """Soft light beams fanning down from (cx, cy)."""
        yy, xx = np.mgrid[0:self.h:4, 0:self.w:4].astype(np.float32)
        ang = np.arctan2(yy - cy, xx - cx)
        dist = np.sqrt((xx - cx) ** 2 + (yy - cy) ** 2)
        acc = np.zeros_like(ang)
        for _ in range(n):
            a0 = np.pi / 2 + self.rng.uniform(-spread, spread)
            width = self.rng.uniform(0.015, 0.05)
            acc += np.exp(-(((ang - a0) / width) ** 2))
        acc *= np.clip(1 - dist / (self.h * 1.4), 0, 1) * strength
        big = np.asarray(Image.fromarray((np.clip(acc, 0, 1) * 255).astype(np.uint8)).resize(
            (self.w, self.h), Image.Resampling.BILINEAR), dtype=np.float32) / 255.0
        self.a += big[..., None] * np.array(colour, dtype=np.float32)

    @_step
    def haze(self, y: float, height: float, colour: Colour, alpha: float) -> None:
        """A horizontal band of mist centred on row y."""
        y0, y1 = max(0, int(y - 3 * height)), min(self.h, int(y + 3 * height) + 1)
        if y0 >= y1:
            return
        t = np.exp(-(((self._rows[y0:y1] - y) / max(height, 1.0)) ** 2)) * alpha
        reg = self.a[y0:y1]
        reg += (np.array(colour, dtype=np.float32) - reg) * t[..., None]

    @_step
    def paste(self, img: Image.Image, x: int = 0, y: int = 0) -> None:
        """Alpha-composite an RGBA Pillow image at (x, y) (only its non-transparent box is touched)."""
        box = img.getchannel("A").getbbox()
        if box is None:
            return
        if box != (0, 0, img.width, img.height):
            img = img.crop(box)
            x, y = x + box[0], y + box[1]
        arr = np.asarray(img)
        h, w = arr.shape[:2]
        x0, y0 = max(0, x), max(0, y)
        x1, y1 = min(self.w, x + w), min(self.h, y + h)
        if x0 >= x1 or y0 >= y1:
            return
        src = arr[y0 - y:y1 - y, x0 - x:x1 - x]
        k = src[..., 3:4].astype(np.float32) * (1 / 255.0)
        reg = self.a[y0:y1, x0:x1]
        reg += (src[..., :3].astype(np.float32) - reg) * k

    @_step
    def vignette(self, strength: float = 0.25) -> None:
        yy, xx = np.ogrid[0:self.h, 0:self.w]
        d = ((xx / self.w - 0.5) ** 2 + (yy / self.h - 0.5) ** 2) * 2
        self.a *= (1 - strength * np.clip(d, 0, 1) ** 1.5)[..., None].astype(np.float32)

    @_step
    def grain(self, amount: float = 3.0) -> None:
        tile = self.rng.normal(0, amount, (128, 128, 1)).astype(np.float32)
        for y in range(0, self.h, 128):
            for x in range(0, self.w, 128):
                reg = self.a[y:y + 128, x:x + 128]
                reg += tile[: reg.shape[0], : reg.shape[1]]

    @_step
    def layer(self) -> Image.Image:
        """A transparent RGBA layer of this canvas' size, to draw shapes on with ImageDraw."""
        return Image.new("RGBA", (self.w, self.h), (0, 0, 0, 0))

    @_step
    def image(self) -> Image.Image:
        return Image.fromarray(np.clip(self.a, 0, 255).astype(np.uint8), "RGB")
