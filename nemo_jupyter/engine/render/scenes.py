"""Illustrated scene families: layered vector-style stills plus the scene's own moving sprites.

Every family paints a background (sky, sun/moon, far layers) on a canvas that is larger than
the frame where the camera moves, and may paint a near *foreground* strip (RGBA) that the
pipeline slides faster than the background for parallax. Moving things are
:class:`~.elements.Sprite` overlays. Nothing here is drawn per frame.
"""

from __future__ import annotations

import math
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
from PIL import Image, ImageDraw, ImageFilter

from . import elements as E
from .paint import Canvas, Colour, hexc, mix, noise1d

SceneFn = Callable[["Ctx"], None]


@dataclass
class SceneLayers:
    background: Image.Image               # RGB, bw×bh
    foreground: Image.Image | None        # RGBA strip, drawn at the bottom of the frame, or None
    sprites: list[E.Sprite] = field(default_factory=list)
    night: bool = False


@dataclass
class Ctx:
    c: Canvas          # background canvas (bw×bh)
    W: int             # frame size
    H: int
    dur: float
    rng: np.random.Generator
    fg: Image.Image | None = None     # foreground strip (set by the family if it has one)
    sprites: list[E.Sprite] = field(default_factory=list)
    night: bool = False
    fg_w: int = 0                     # width a foreground strip must have
    want_fg: bool = False
    hints: frozenset[str] = frozenset()  # the shots' ``el`` elements, e.g. "snow" makes mountains wintry

    @property
    def s(self) -> float:  # size unit: 1.0 at a 1080-pixel short side
        return min(self.W, self.H) / 1080

    @property
    def w(self) -> int:
        return self.c.w

    @property
    def h(self) -> int:
        return self.c.h

    def horizon(self, frac: float) -> float:
        """Row of the background at ``frac`` of the *frame* height, centred in the canvas."""
        return (self.h - self.H) / 2 + self.H * frac


def _pine(d: ImageDraw.ImageDraw, x: float, base: float, height: float, colour: tuple[int, ...],
          snow: bool = False) -> None:
    w = height * 0.36
    trunk = (int(colour[0] * 0.7), int(colour[1] * 0.55), int(colour[2] * 0.5), 255)
    d.rectangle((x - w * 0.06, base - height * 0.12, x + w * 0.06, base), fill=trunk)
    tiers = 4
    for i in range(tiers):
        t0 = i / tiers
        top = base - height * (0.25 + 0.75 * (i + 1) / tiers) - height * 0.05
        bot = base - height * (0.1 + 0.72 * t0)
        ww = w * (1.0 - 0.2 * i)
        d.polygon([(x, top), (x - ww, bot), (x + ww, bot)], fill=colour)
        if snow:
            d.polygon([(x, top), (x - ww * 0.45, top + (bot - top) * 0.45), (x + ww * 0.45, top + (bot - top) * 0.45)],
                      fill=(245, 248, 255, 255))


def _round_tree(d: ImageDraw.ImageDraw, x: float, base: float, height: float, colour: Colour,
                rng: np.random.Generator) -> None:
    r = height * 0.28
    d.rectangle((x - r * 0.12, base - height * 0.5, x + r * 0.12, base), fill=(90, 62, 40, 255))
    for _ in range(5):
        ox, oy = rng.uniform(-r * 0.6, r * 0.6), rng.uniform(-r * 0.5, r * 0.4)
        rr = r * rng.uniform(0.55, 0.8)
        cy = base - height * 0.68 + oy
        shade = mix(colour, (255, 255, 220), rng.uniform(0, 0.15))
        d.ellipse((x + ox - rr, cy - rr, x + ox + rr, cy + rr), fill=(*shade, 255))


def _tree_row(ctx: Ctx, img: Image.Image, base: np.ndarray | float, n: int, hmin: float, hmax: float,
              colour: Colour, snow: bool = False, kind: str = "pine", jitter: float = 0.0) -> None:
    d = ImageDraw.Draw(img)
    w = img.width
    xs = np.sort(ctx.rng.uniform(-0.02 * w, 1.02 * w, n))
    for x in xs:
        b = float(base[int(np.clip(x, 0, len(base) - 1))]) if isinstance(base, np.ndarray) else float(base)
        b += ctx.rng.uniform(0, jitter)
        hgt = ctx.rng.uniform(hmin, hmax)
        col = mix(colour, (0, 0, 0), ctx.rng.uniform(0, 0.12))
        if kind == "pine":
            _pine(d, x, b, hgt, (*col, 255), snow)
        else:
            _round_tree(d, x, b, hgt, col, ctx.rng)


def _sky(ctx: Ctx, top: str, mid: str, low: str, horizon: float = 0.62) -> None:
    c = ctx.c
    hz = ctx.horizon(horizon) / c.h
    c.vgradient([(0.0, hexc(top)), (hz * 0.6, hexc(mid)), (hz, hexc(low)), (1.0, hexc(low))])


def _ground_curve(ctx: Ctx, frac: float, amp: float, scale: float, width: int | None = None) -> np.ndarray:
    w = width or ctx.w
    return ctx.horizon(frac) + noise1d(w, ctx.rng, scale=scale, octaves=3) * ctx.H * amp


def _strip(ctx: Ctx, frac_top: float) -> tuple[Image.Image, float]:
    """A transparent foreground strip covering the frame from ``frac_top`` down; returns (img, y0 in frame)."""
    h = int(ctx.H * (1 - frac_top))
    h -= h % 2
    return Image.new("RGBA", (ctx.fg_w, h), (0, 0, 0, 0)), ctx.H - h


# ---- families ---------------------------------------------------------------------------------

def forest(ctx: Ctx) -> None:
    c, s = ctx.c, ctx.s
    _sky(ctx, "#7fb7e6", "#bfe0ef", "#f4efd2", 0.58)
    sx, sy = c.w * 0.74, ctx.horizon(0.2)
    c.glow(sx, sy, 520 * s, (255, 226, 150), 0.4, 2.2)
    c.disc(sx, sy, 62 * s, (255, 255, 246))
    c.ridge(_ground_curve(ctx, 0.5, 0.05, 1.5), hexc("#9fb9c4"), bottom=hexc("#8fb0a8"))
    layer = c.layer()
    _tree_row(ctx, layer, _ground_curve(ctx, 0.56, 0.03, 2), int(c.w / (22 * s)), 110 * s, 190 * s, hexc("#6e9a8c"))
    c.paste(layer)
    c.haze(ctx.horizon(0.55), 60 * s, (220, 235, 225), 0.35)
    layer = c.layer()
    _tree_row(ctx, layer, _ground_curve(ctx, 0.66, 0.02, 2), int(c.w / (30 * s)), 200 * s, 320 * s, hexc("#3f7a5a"))
    c.paste(layer)
    c.ridge(_ground_curve(ctx, 0.655, 0.01, 2), hexc("#5d9a4a"), bottom=hexc("#3e7434"))
    c.rays(sx, sy, (255, 245, 200), n=6, strength=0.08)
    # near trees in a foreground strip (parallax) or painted in
    fg, y0 = _strip(ctx, 0.35)
    if not ctx.want_fg:
        fg = Image.new("RGBA", (c.w, fg.height), (0, 0, 0, 0))
    d = ImageDraw.Draw(fg)
    base = fg.height * 1.02
    _tree_row(ctx, fg, base, max(3, int(fg.width / (260 * s))), 520 * s, 700 * s, hexc("#1f4d33"), jitter=10 * s)
    g = noise1d(fg.width, ctx.rng, scale=3, octaves=3) * 18 * s + fg.height * 0.86
    for xi in range(0, fg.width, 3):
        d.line([(xi, g[xi]), (xi, fg.height)], fill=(46, 96, 44, 255), width=3)
    for _ in range(int(fg.width / (14 * s))):
        x = ctx.rng.uniform(0, fg.width)
        hh = ctx.rng.uniform(16, 40) * s
        yb = g[int(x) % fg.width] + 4 * s
        d.line([(x, yb), (x + ctx.rng.uniform(-6, 6) * s, yb - hh)], fill=(70, 128, 58, 255), width=max(1, int(3 * s)))
    for _ in range(int(fg.width / (90 * s))):
        x = ctx.rng.uniform(0, fg.width)
        yb = g[int(x) % fg.width] + ctx.rng.uniform(5, 30) * s
        col = [(250, 240, 120), (255, 255, 255), (240, 150, 190)][int(ctx.rng.integers(0, 3))]
        r = 4 * s
        d.ellipse((x - r, yb - r, x + r, yb + r), fill=(*col, 255))
    _finish_fg(ctx, fg, y0)
    ctx.sprites += E.falling(ctx.W, ctx.H, ctx.dur, ctx.rng, n=6)


def _finish_fg(ctx: Ctx, fg: Image.Image, y0: float) -> None:
    if ctx.want_fg:
        ctx.fg = fg
    else:
        x = (ctx.c.w - fg.width) // 2
        ctx.c.paste(fg, x, int((ctx.c.h - ctx.H) / 2 + y0))


def birds(ctx: Ctx) -> None:
    c, s = ctx.c, ctx.s
    _sky(ctx, "#4f8fd6", "#9cc8ee", "#e8f2f4", 0.7)
    c.glow(c.w * 0.2, ctx.horizon(0.15), 600 * s, (255, 250, 220), 0.4)
    c.ridge(_ground_curve(ctx, 0.72, 0.04, 1.2), hexc("#8fb6c8"), bottom=hexc("#a8c7b8"))
    c.ridge(_ground_curve(ctx, 0.8, 0.03, 1.8), hexc("#7fae62"), bottom=hexc("#5c8f45"))
    layer = c.layer()
    _tree_row(ctx, layer, _ground_curve(ctx, 0.81, 0.01, 2), int(c.w / (120 * s)), 90 * s, 160 * s,
              hexc("#4f8a46"), kind="round")
    c.paste(layer)
    c.ridge(_ground_curve(ctx, 0.9, 0.015, 2), hexc("#6aa34e"), bottom=hexc("#4d8a3a"))
    ctx.sprites += E.clouds(ctx.W, ctx.H, ctx.dur, ctx.rng, n=3)
    ctx.sprites += E.birds(ctx.W, ctx.H, ctx.dur, ctx.rng, flocks=2, y_range=(0.12, 0.45), scale=1.8)
    ctx.sprites += E.birds(ctx.W, ctx.H, ctx.dur, ctx.rng, flocks=1, y_range=(0.3, 0.5), scale=1.0)


def city(ctx: Ctx) -> None:
    c, s = ctx.c, ctx.s
    ctx.night = True
    _sky(ctx, "#0b1030", "#2a2a63", "#c8647a", 0.72)
    c.stars(int(120 * c.w / 1920), y_max=ctx.horizon(0.45), size=1.6 * s)
    mx, my = c.w * 0.8, ctx.horizon(0.16)
    c.glow(mx, my, 300 * s, (200, 210, 255), 0.35)
    c.disc(mx, my, 52 * s, (245, 240, 220))
    c.disc(mx + 16 * s, my - 10 * s, 48 * s, (40, 40, 90), alpha=0.0)
    road = ctx.horizon(0.86)
    for depth, (col, hmin, hmax, wmin, wmax, lit) in enumerate((
            ((40, 44, 92), 0.25, 0.45, 60, 130, 0.15),
            ((26, 28, 62), 0.18, 0.38, 80, 160, 0.35),
            ((14, 15, 36), 0.08, 0.30, 110, 200, 0.45))):
        layer = c.layer()
        d = ImageDraw.Draw(layer)
        x = -ctx.rng.uniform(0, 80) * s
        while x < c.w:
            bw = ctx.rng.uniform(wmin, wmax) * s
            bh = ctx.H * ctx.rng.uniform(hmin, hmax)
            top = road - bh - depth * 0
            d.rectangle((x, top, x + bw, road), fill=(*col, 255))
            if ctx.rng.random() < 0.3:
                d.rectangle((x + bw * 0.45, top - 40 * s, x + bw * 0.5, top), fill=(*col, 255))
                d.ellipse((x + bw * 0.43, top - 46 * s, x + bw * 0.52, top - 37 * s), fill=(255, 70, 70, 255))
            ww, wh = 9 * s * (1 + depth * 0.3), 12 * s * (1 + depth * 0.3)
            gx, gy = ww * 2.1, wh * 2.0
            yy = top + gy * 0.7
            while yy < road - gy:
                xx = x + gx * 0.5
                while xx < x + bw - ww - 2:
                    if ctx.rng.random() < lit:
                        wc = [(255, 214, 120), (255, 236, 170), (190, 220, 255)][int(ctx.rng.integers(0, 3))]
                        d.rectangle((xx, yy, xx + ww, yy + wh), fill=(*wc, 255))
                    xx += gx
                yy += gy
            x += bw + ctx.rng.uniform(2, 20) * s
        c.paste(layer)
        c.haze(road - 20 * s, 80 * s, (200, 90, 120), 0.12)
    c.ridge(np.full(c.w, road, dtype=np.float32), (22, 22, 34), bottom=(10, 10, 16))
    layer = c.layer()
    d = ImageDraw.Draw(layer)
    for x in np.arange(0, c.w, 260 * s):
        d.rectangle((x, road + 34 * s, x + 120 * s, road + 40 * s), fill=(200, 190, 120, 200))
        d.line([(x + 60 * s, road), (x + 60 * s, road - 120 * s)], fill=(60, 60, 70, 255), width=max(2, int(5 * s)))
    c.paste(layer)
    for x in np.arange(0, c.w, 260 * s):
        c.glow(x + 60 * s, road - 120 * s, 90 * s, (255, 200, 120), 0.6)
    frame_road = road - (ctx.h - ctx.H) / 2
    ctx.sprites += E.car_lights(ctx.W, ctx.H, ctx.dur, ctx.rng, frame_road + 8 * s)
    ctx.sprites += E.twinkles(ctx.W, ctx.H, ctx.dur, ctx.rng, n=6, y_max=0.3)


def _palm(d: ImageDraw.ImageDraw, x: float, base: float, height: float, s: float, colour: tuple[int, ...]) -> None:
    top = (x + height * 0.12, base - height)
    d.line([(x, base), (x + height * 0.02, base - height * 0.5), top], fill=colour, width=max(3, int(24 * s)),
           joint="curve")
    for k in range(7):
        ang = math.radians(-165 + k * 25)  # fan of fronds from left to right, drooping at the ends
        length = height * (0.42 if 1 < k < 5 else 0.5)
        pts_up, pts_down = [], []
        for j in range(9):
            t = j / 8
            px = top[0] + math.cos(ang) * length * t
            py = top[1] + math.sin(ang) * length * t * 0.7 + (t ** 2) * length * 0.5
            half = math.sin(math.pi * t) * length * 0.045
            pts_up.append((px, py - half))
            pts_down.append((px, py + half))
        d.polygon(pts_up + pts_down[::-1], fill=colour)
    d.ellipse((top[0] - 14 * s, top[1] - 6 * s, top[0] + 18 * s, top[1] + 22 * s), fill=colour)


def sunset(ctx: Ctx) -> None:
    c, s = ctx.c, ctx.s
    _sky(ctx, "#2d2a6e", "#c8508a", "#ffb457", 0.66)
    hz = ctx.horizon(0.66)
    sx = c.w * 0.5
    c.glow(sx, hz, 900 * s, (255, 150, 80), 0.45, 1.8)
    c.glow(sx, hz - 20 * s, 260 * s, (255, 200, 120), 0.5, 2.0)
    c.disc(sx, hz - 20 * s, 130 * s, (255, 238, 170))
    # headland silhouettes on both sides (drawn before the sea, which then covers their feet)
    xs = np.linspace(0, 1, c.w, dtype=np.float32)
    edge = np.clip((np.abs(xs - 0.5) - 0.2) / 0.25, 0, 1) ** 0.7  # 0 in the middle, 1 at the sides
    tops = hz + 4 - (noise1d(c.w, ctx.rng, scale=2.5, octaves=4) * 0.3 + 0.7) * ctx.H * 0.1 * edge
    c.ridge(tops, hexc("#3a1f48"))
    # sea with the sun's path on it
    c.ridge(np.full(c.w, hz, dtype=np.float32), hexc("#b0507a"), bottom=hexc("#2a1f45"), depth=ctx.H * 0.35)
    layer = c.layer()
    d = ImageDraw.Draw(layer)
    for i in range(46):
        y = hz + 6 * s + (i ** 1.5) * 3.2 * s
        half = (150 + i * 3.0) * s * ctx.rng.uniform(0.3, 1.0)
        off = ctx.rng.uniform(-30, 30) * s
        d.rectangle((sx + off - half, y, sx + off + half, y + max(2, 3 * s)), fill=(255, 200, 120, int(max(30, 210 - i * 4))))
    c.paste(layer)
    c.haze(hz, 12 * s, (255, 190, 130), 0.35)
    layer = c.layer()
    _palm(ImageDraw.Draw(layer), c.w * 0.1, ctx.horizon(1.02), ctx.H * 0.55, s, (30, 16, 38, 255))
    _palm(ImageDraw.Draw(layer), c.w * 0.88, ctx.horizon(1.04), ctx.H * 0.42, s, (30, 16, 38, 255))
    c.paste(layer)
    ctx.sprites += E.clouds(ctx.W, ctx.H, ctx.dur, ctx.rng, n=2, colour=(255, 170, 150), shade=(200, 100, 130),
                            y_range=(0.1, 0.35), alpha=200)
    ctx.sprites += E.birds(ctx.W, ctx.H, ctx.dur, ctx.rng, colour=(35, 20, 40), flocks=2, y_range=(0.2, 0.45))


def ocean(ctx: Ctx) -> None:
    c, s = ctx.c, ctx.s
    _sky(ctx, "#3f8fd8", "#8cc4ee", "#dff0f7", 0.5)
    hz = ctx.horizon(0.5)
    c.glow(c.w * 0.25, ctx.horizon(0.12), 500 * s, (255, 250, 220), 0.5)
    c.disc(c.w * 0.25, ctx.horizon(0.12), 60 * s, (255, 252, 235))
    c.ridge(np.full(c.w, hz, dtype=np.float32), hexc("#2f8fb8"), bottom=hexc("#1a5f8a"), depth=ctx.H * 0.3)
    c.ridge(hz - np.clip(noise1d(c.w, ctx.rng, scale=2, octaves=3), 0, None) * 30 * s - 2 * s, hexc("#6f9fb8"), alpha=0.0)
    # glitter on water
    layer = c.layer()
    d = ImageDraw.Draw(layer)
    for _ in range(int(c.w / (3 * s))):
        x = ctx.rng.uniform(0, c.w)
        y = hz + ctx.rng.uniform(4, ctx.H * 0.25) * s / s
        ln = ctx.rng.uniform(8, 40) * s
        d.line([(x, y), (x + ln, y)], fill=(220, 240, 255, int(ctx.rng.uniform(40, 140))), width=max(1, int(2 * s)))
    c.paste(layer)
    beach = ctx.horizon(0.8) + noise1d(c.w, ctx.rng, scale=1.3, octaves=2) * 20 * s
    c.ridge(beach - 14 * s, hexc("#bfe7ea"), alpha=0.7, soft=6)
    c.ridge(beach, hexc("#f0d9a6"), bottom=hexc("#d8b67c"))
    frame_off = (ctx.h - ctx.H) / 2
    for j, (dy, band, col, spd) in enumerate(((0.05, 0.04, (40, 128, 172), 14), (0.12, 0.065, (36, 118, 165), 24),
                                              (0.215, 0.09, (40, 125, 168), 38))):
        ctx.sprites += E.waves(ctx.W, ctx.H, hz - frame_off + ctx.H * dy, ctx.H * band, col, (240, 250, 255),
                               ctx.rng, spd * (1 if j % 2 == 0 else -1), f"wave{j}")
    ctx.sprites += E.clouds(ctx.W, ctx.H, ctx.dur, ctx.rng, n=2, y_range=(0.04, 0.22))
    ctx.sprites += E.birds(ctx.W, ctx.H, ctx.dur, ctx.rng, colour=(250, 250, 250), flocks=1, y_range=(0.15, 0.3))


def mountains(ctx: Ctx, snow: bool = False) -> None:
    c, s = ctx.c, ctx.s
    snow = snow or "snow" in ctx.hints
    if snow:
        _sky(ctx, "#8fa8c8", "#c9d6e6", "#eef2f7", 0.6)
    else:
        _sky(ctx, "#2f78c8", "#86bde8", "#e4f0f4", 0.6)
    c.glow(c.w * 0.7, ctx.horizon(0.14), 460 * s, (255, 250, 230), 0.35)
    for i, (frac, amp, col) in enumerate(((0.5, 0.3, "#a9bcd8"), (0.56, 0.24, "#7b95b9"), (0.64, 0.16, "#56739a"))):
        peaks = _peaks(ctx, ctx.horizon(frac), ctx.H * amp, n=int(4 + 2 * i + c.w / ctx.W * 2))
        shade = mix(hexc(col), (20, 40, 60), 0.35)
        c.ridge(peaks, hexc(col), bottom=shade, depth=ctx.H * amp * 1.6, level=True)
        # a shadowed face on each peak's right side gives them volume
        r0, r1 = max(0, int(peaks.min()) - 2), min(c.h, int(ctx.horizon(frac)) + 4)
        rows = c._rows[r0:r1]
        inside = np.clip(rows - peaks[None, :] + 0.5, 0, 1)
        reg = c.a[r0:r1]
        # snow above an altitude, with a jagged snowline
        alt = ctx.horizon(frac) - ctx.H * amp * (0.55 if snow or i < 2 else 0.8)
        jag = alt + noise1d(c.w, ctx.rng, scale=9, octaves=3) * ctx.H * 0.03
        k = np.clip((jag[None, :] - rows) / (3 * s), 0, 1) * inside
        reg += (np.array([246, 249, 255], dtype=np.float32) - reg) * (k[..., None] * 0.95)
        c.haze(ctx.horizon(frac + 0.01), 30 * s, (230, 238, 245), 0.35)
    base = _ground_curve(ctx, 0.78, 0.02, 1.5)
    c.ridge(base, (240, 244, 250) if snow else hexc("#4e8a4a"), bottom=(200, 212, 230) if snow else hexc("#2f5e32"))
    layer = c.layer()
    _tree_row(ctx, layer, base + 6 * s, int(c.w / (40 * s)), 140 * s, 260 * s, hexc("#24503a"), snow=snow)
    c.paste(layer)
    if snow:
        layer = c.layer()
        d = ImageDraw.Draw(layer)
        cx, cb = c.w * 0.62, float(base[int(c.w * 0.62)]) + 70 * s
        d.rectangle((cx - 90 * s, cb - 110 * s, cx + 90 * s, cb), fill=(120, 72, 48, 255))
        d.polygon([(cx - 115 * s, cb - 105 * s), (cx, cb - 190 * s), (cx + 115 * s, cb - 105 * s)], fill=(250, 250, 255, 255))
        d.rectangle((cx - 50 * s, cb - 80 * s, cx - 14 * s, cb - 44 * s), fill=(255, 206, 110, 255))
        d.rectangle((cx + 20 * s, cb - 80 * s, cx + 56 * s, cb - 44 * s), fill=(255, 206, 110, 255))
        d.rectangle((cx + 40 * s, cb - 200 * s, cx + 60 * s, cb - 150 * s), fill=(90, 60, 50, 255))
        c.paste(layer)
        c.glow(cx - 32 * s, cb - 62 * s, 80 * s, (255, 190, 90), 0.5)
        c.glow(cx + 38 * s, cb - 62 * s, 80 * s, (255, 190, 90), 0.5)
        c.ridge(base + 120 * s + noise1d(c.w, ctx.rng, scale=2, octaves=2) * 20 * s, (248, 250, 255),
                bottom=(215, 225, 242))
        ctx.sprites += E.snow(ctx.W, ctx.H, ctx.dur, ctx.rng)
    else:
        ctx.sprites += E.clouds(ctx.W, ctx.H, ctx.dur, ctx.rng, n=3, y_range=(0.05, 0.3))
        ctx.sprites += E.birds(ctx.W, ctx.H, ctx.dur, ctx.rng, flocks=1)


def _peaks(ctx: Ctx, base: float, amp: float, n: int) -> np.ndarray:
    """A mountain range: the upper envelope of triangular peaks, roughened by noise."""
    w = ctx.w
    xs = np.arange(w, dtype=np.float32)
    top = np.full(w, base, dtype=np.float32)
    for _ in range(n):
        xc = ctx.rng.uniform(-0.05, 1.05) * w
        hgt = amp * ctx.rng.uniform(0.45, 1.0)
        half = hgt * ctx.rng.uniform(1.3, 2.2)
        top = np.minimum(top, base - hgt + np.abs(xs - xc) / half * hgt)
    return top + noise1d(w, ctx.rng, scale=14, octaves=3) * amp * 0.05


def snowscape(ctx: Ctx) -> None:
    mountains(ctx, snow=True)


def night_sky(ctx: Ctx) -> None:
    c, s = ctx.c, ctx.s
    ctx.night = True
    _sky(ctx, "#050817", "#12224a", "#2d3f70", 0.75)
    # milky way: a diagonal band of soft noise
    yy, xx = np.mgrid[0:c.h:4, 0:c.w:4].astype(np.float32)
    band = np.exp(-(((yy - c.h * 0.7 + xx * 0.45 * c.h / c.w) / (c.h * 0.12)) ** 2))
    tex = np.asarray(Image.effect_noise((band.shape[1], band.shape[0]), 60).filter(ImageFilter.GaussianBlur(6)),
                     dtype=np.float32) / 255.0
    m = np.asarray(Image.fromarray((np.clip(band * tex * 1.3, 0, 1) * 255).astype(np.uint8)).resize(
        (c.w, c.h), Image.Resampling.BILINEAR), dtype=np.float32) / 255.0
    c.a += m[..., None] * np.array([120, 110, 170], dtype=np.float32) * 0.8
    c.stars(int(500 * c.w / 1920), y_max=ctx.horizon(0.8), size=1.5 * s)
    mx, my = c.w * 0.22, ctx.horizon(0.2)
    c.glow(mx, my, 380 * s, (180, 200, 255), 0.3)
    c.disc(mx, my, 70 * s, (248, 246, 232))
    for _ in range(5):
        c.disc(mx + ctx.rng.uniform(-40, 40) * s, my + ctx.rng.uniform(-40, 40) * s, ctx.rng.uniform(6, 14) * s,
               (222, 220, 205), alpha=0.8)
    c.ridge(_ground_curve(ctx, 0.8, 0.05, 1.2), (14, 20, 34))
    layer = c.layer()
    _tree_row(ctx, layer, _ground_curve(ctx, 0.86, 0.01, 2), int(c.w / (90 * s)), 160 * s, 280 * s, (8, 12, 22))
    c.paste(layer)
    c.ridge(_ground_curve(ctx, 0.9, 0.015, 2), (6, 9, 16))
    ctx.sprites += E.twinkles(ctx.W, ctx.H, ctx.dur, ctx.rng, n=10, y_max=0.6)
    ctx.sprites += E.shooting_star(ctx.W, ctx.H, ctx.dur, ctx.rng)
    ctx.sprites += E.fireflies(ctx.W, ctx.H, ctx.dur, ctx.rng, n=6, y_range=(0.75, 0.95))


def rainy(ctx: Ctx) -> None:
    c, s = ctx.c, ctx.s
    _sky(ctx, "#4a5668", "#6f7d90", "#9aa6b4", 0.65)
    for _ in range(9):
        cx, cy = ctx.rng.uniform(0, c.w), ctx.horizon(ctx.rng.uniform(0.02, 0.25))
        c.glow(cx, cy, ctx.rng.uniform(250, 450) * s, (-40, -38, -30), 0.7, 1.2)
    hz = ctx.horizon(0.7)
    layer = c.layer()
    d = ImageDraw.Draw(layer)
    x = 0.0
    while x < c.w:
        bw = ctx.rng.uniform(90, 180) * s
        bh = ctx.H * ctx.rng.uniform(0.12, 0.3)
        d.rectangle((x, hz - bh, x + bw, hz), fill=(78, 88, 104, 255))
        yy = hz - bh + 18 * s
        while yy < hz - 30 * s:
            xx = x + 12 * s
            while xx < x + bw - 20 * s:
                if ctx.rng.random() < 0.3:
                    d.rectangle((xx, yy, xx + 10 * s, yy + 14 * s), fill=(240, 200, 120, 230))
                xx += 24 * s
            yy += 30 * s
        x += bw + ctx.rng.uniform(4, 30) * s
    c.paste(layer)
    c.haze(hz - 40 * s, 120 * s, (150, 160, 175), 0.45)
    c.ridge(np.full(c.w, hz, dtype=np.float32), (64, 72, 86), bottom=(40, 46, 58))
    # reflections in the wet street
    layer = c.layer()
    d = ImageDraw.Draw(layer)
    for _ in range(int(c.w / (25 * s))):
        x = ctx.rng.uniform(0, c.w)
        y = ctx.rng.uniform(hz + 10 * s, c.h)
        d.line([(x, y), (x, y + ctx.rng.uniform(20, 80) * s)], fill=(240, 200, 130, int(ctx.rng.uniform(30, 90))),
               width=max(2, int(6 * s)))
    c.paste(layer.filter(ImageFilter.GaussianBlur(3 * s)))
    layer = c.layer()  # a lone umbrella
    d = ImageDraw.Draw(layer)
    ux, uy = c.w * 0.35, hz + ctx.H * 0.16
    d.pieslice((ux - 70 * s, uy - 60 * s, ux + 70 * s, uy + 60 * s), 180, 360, fill=(200, 50, 60, 255))
    d.line([(ux, uy), (ux, uy + 110 * s)], fill=(30, 30, 30, 255), width=max(2, int(5 * s)))
    d.rectangle((ux - 18 * s, uy + 10 * s, ux + 18 * s, uy + 100 * s), fill=(40, 44, 60, 255))
    c.paste(layer)
    ctx.sprites += E.clouds(ctx.W, ctx.H, ctx.dur, ctx.rng, n=3, colour=(110, 118, 132), shade=(80, 86, 100),
                            y_range=(-0.05, 0.15))
    ctx.sprites += E.rain(ctx.W, ctx.H, ctx.dur, ctx.rng)


def desert(ctx: Ctx) -> None:
    c, s = ctx.c, ctx.s
    _sky(ctx, "#3d8fd0", "#9fd0ea", "#fbe3b0", 0.62)
    sx, sy = c.w * 0.68, ctx.horizon(0.22)
    c.glow(sx, sy, 650 * s, (255, 230, 160), 0.6, 1.5)
    c.disc(sx, sy, 80 * s, (255, 250, 225))
    # pyramids far away
    layer = c.layer()
    d = ImageDraw.Draw(layer)
    hz = ctx.horizon(0.62)
    for px, ph in ((0.2, 0.16), (0.3, 0.11)):
        x = c.w * px
        hh = ctx.H * ph
        d.polygon([(x - hh, hz + 4), (x, hz - hh), (x + hh, hz + 4)], fill=(214, 170, 110, 255))
        d.polygon([(x, hz - hh), (x + hh, hz + 4), (x + hh * 0.2, hz + 4)], fill=(180, 130, 80, 255))
    c.paste(layer)
    for i, (frac, col, bot) in enumerate((
            (0.62, "#f0c27a", "#e0a45c"), (0.72, "#e8a95c", "#cf8a45"), (0.85, "#d98f45", "#b8702f"))):
        n = noise1d(c.w, ctx.rng, scale=1.0 + i * 0.6, octaves=3)
        tops = ctx.horizon(frac) + n * ctx.H * 0.05
        c.ridge(tops, hexc(col), bottom=hexc(bot), depth=ctx.H * 0.2)
        # sunlit crest line
        c.ridge(tops, (255, 236, 190), alpha=0.35, soft=3)
        c.ridge(tops + 4 * s, hexc(col), bottom=hexc(bot), depth=ctx.H * 0.2)
    layer = c.layer()
    d = ImageDraw.Draw(layer)
    for _ in range(3):  # cacti
        x = ctx.rng.uniform(0.05, 0.95) * c.w
        b = ctx.horizon(0.92)
        hh = ctx.rng.uniform(120, 200) * s
        w = 22 * s
        green = (70, 120, 60, 255)
        d.rounded_rectangle((x - w, b - hh, x + w, b), radius=int(w), fill=green)
        d.rounded_rectangle((x - w * 3, b - hh * 0.7, x - w * 1.8, b - hh * 0.35), radius=int(w * 0.6), fill=green)
        d.rectangle((x - w * 3, b - hh * 0.42, x - w * 0.5, b - hh * 0.3), fill=green)
        d.rounded_rectangle((x + w * 1.8, b - hh * 0.8, x + w * 3, b - hh * 0.45), radius=int(w * 0.6), fill=green)
        d.rectangle((x + w * 0.5, b - hh * 0.52, x + w * 3, b - hh * 0.42), fill=green)
    c.paste(layer)
    # a caravan walking along the far dune
    cw, chh = int(300 * s), int(90 * s)
    cw -= cw % 2
    chh -= chh % 2
    frames = []
    for f in range(4):
        img = Image.new("RGBA", (cw, chh), (0, 0, 0, 0))
        d = ImageDraw.Draw(img)
        for k in range(3):
            x0 = k * 95 * s + 10 * s
            camel = (90, 55, 40, 255)
            d.ellipse((x0 + 10 * s, 20 * s, x0 + 60 * s, 50 * s), fill=camel)
            d.ellipse((x0 + 22 * s, 10 * s, x0 + 44 * s, 32 * s), fill=camel)
            d.line([(x0 + 58 * s, 34 * s), (x0 + 72 * s, 8 * s)], fill=camel, width=max(2, int(7 * s)))
            d.ellipse((x0 + 66 * s, 2 * s, x0 + 82 * s, 14 * s), fill=camel)
            for leg in range(4):
                sw = math.sin(2 * math.pi * f / 4 + leg * 1.6 + k) * 6 * s
                lx = x0 + (16 + leg * 11) * s
                d.line([(lx, 44 * s), (lx + sw, 86 * s)], fill=camel, width=max(2, int(4 * s)))
        frames.append(img)
    frame_hz = ctx.H * 0.72 - chh * 0.9
    ctx.sprites.append(E.Sprite("caravan", frames, f"W-mod(t*{22 * s:.3f}+W*0.3,W+{cw})", f"{frame_hz:.1f}", fps=4))
    ctx.sprites += E.birds(ctx.W, ctx.H, ctx.dur, ctx.rng, colour=(60, 40, 30), flocks=1, y_range=(0.15, 0.3))


def product(ctx: Ctx) -> None:
    c, s = ctx.c, ctx.s
    c.vgradient([(0.0, hexc("#3b2418")), (0.45, hexc("#8a5a3a")), (0.62, hexc("#c89a6a")), (1.0, hexc("#5a3a26"))])
    for _ in range(14):  # bokeh
        c.glow(ctx.rng.uniform(0, c.w), ctx.rng.uniform(0, ctx.horizon(0.55)), ctx.rng.uniform(40, 110) * s,
               (255, 200, 140), ctx.rng.uniform(0.15, 0.4), 0.6)
    table = ctx.horizon(0.64)
    c.ridge(np.full(c.w, table, dtype=np.float32), hexc("#6b4128"), bottom=hexc("#3a2216"), depth=ctx.H * 0.4)
    layer = c.layer()
    d = ImageDraw.Draw(layer)
    for i in range(12):  # wood grain
        y = table + (i + 1) * ctx.H * 0.03
        d.line([(0, y), (c.w, y + ctx.rng.uniform(-6, 6) * s)], fill=(40, 22, 14, 60), width=max(1, int(2 * s)))
    cx, cb = c.w / 2, ctx.horizon(0.8)
    cwid, chgt = 190 * s, 230 * s
    d.ellipse((cx - cwid * 1.6, cb - 40 * s, cx + cwid * 1.6, cb + 50 * s), fill=(30, 18, 12, 90))  # shadow
    d.ellipse((cx - cwid * 1.45, cb - 50 * s, cx + cwid * 1.45, cb + 30 * s), fill=(238, 234, 228, 255))  # saucer
    d.ellipse((cx - cwid * 1.1, cb - 40 * s, cx + cwid * 1.1, cb + 10 * s), fill=(214, 208, 200, 255))
    top = cb - chgt
    d.rounded_rectangle((cx - cwid, top, cx + cwid, cb - 10 * s), radius=int(60 * s), fill=(248, 246, 242, 255))
    d.rectangle((cx - cwid, top, cx + cwid, top + 60 * s), fill=(248, 246, 242, 255))
    d.ellipse((cx + cwid * 0.8, top + 50 * s, cx + cwid * 1.55, top + 160 * s), outline=(240, 238, 234, 255),
              width=int(24 * s))
    d.ellipse((cx - cwid, top - 30 * s, cx + cwid, top + 30 * s), fill=(225, 220, 214, 255))
    d.ellipse((cx - cwid * 0.9, top - 22 * s, cx + cwid * 0.9, top + 24 * s), fill=(92, 52, 28, 255))
    d.ellipse((cx - cwid * 0.4, top - 8 * s, cx + cwid * 0.3, top + 10 * s), fill=(190, 140, 90, 255))  # crema
    d.rectangle((cx - cwid * 0.75, top + 30 * s, cx - cwid * 0.6, cb - 40 * s), fill=(255, 255, 255, 150))  # shine
    for _ in range(9):  # coffee beans
        bx = cx + ctx.rng.choice([-1, 1]) * ctx.rng.uniform(cwid * 1.7, cwid * 3.5)
        by = cb + ctx.rng.uniform(-20, 60) * s
        r = 22 * s
        d.ellipse((bx - r, by - r * 0.7, bx + r, by + r * 0.7), fill=(70, 38, 20, 255))
        d.line([(bx - r * 0.8, by), (bx + r * 0.8, by)], fill=(40, 20, 10, 255), width=max(1, int(3 * s)))
    c.paste(layer)
    c.vignette(0.35)
    off = (ctx.h - ctx.H) / 2
    ox = (ctx.w - ctx.W) / 2
    ctx.sprites += E.steam(cx - ox, top - off, cwid * 1.5, ctx.H, ctx.rng)


def space(ctx: Ctx) -> None:
    c, s = ctx.c, ctx.s
    ctx.night = True
    c.vgradient([(0, (6, 4, 18)), (0.5, (16, 8, 40)), (1, (4, 6, 20))])
    for col in ((120, 40, 160), (40, 90, 180), (200, 60, 120)):
        tex = np.asarray(Image.effect_noise((c.w // 8, c.h // 8), 90).filter(ImageFilter.GaussianBlur(4)),
                         dtype=np.float32) / 255.0
        m = np.asarray(Image.fromarray((np.clip((tex - 0.5) * 2.2, 0, 1) * 255).astype(np.uint8)).resize(
            (c.w, c.h), Image.Resampling.BICUBIC), dtype=np.float32) / 255.0
        c.a += m[..., None] * np.array(col, dtype=np.float32) * 0.55
    c.stars(int(700 * c.w / 1920), y_max=c.h, size=1.4 * s)
    px, py, pr = c.w * 0.68, ctx.horizon(0.58), 210 * s
    c.glow(px, py, pr * 1.8, (120, 160, 255), 0.35)
    yy, xx = np.ogrid[int(py - pr):int(py + pr), int(px - pr):int(px + pr)]
    d = np.sqrt((xx - px) ** 2 + (yy - py) ** 2) / pr
    inside = np.clip((1 - d) * pr / 1.5, 0, 1)
    bands = 0.5 + 0.5 * np.sin((yy - py) / pr * 9 + np.sin((xx - px) / pr * 2))
    light = np.clip(1.2 - np.sqrt(((xx - px + pr * 0.5) / pr) ** 2 + ((yy - py + pr * 0.5) / pr) ** 2), 0.15, 1)
    pcol = (np.array([230, 180, 120])[None, None, :] * (0.75 + 0.25 * bands[..., None])) * light[..., None]
    reg = c.a[int(py - pr):int(py + pr), int(px - pr):int(px + pr)]
    reg += (pcol - reg) * inside[..., None]
    layer = c.layer()
    dr = ImageDraw.Draw(layer)
    dr.ellipse((px - pr * 2.0, py - pr * 0.35, px + pr * 2.0, py + pr * 0.35), outline=(230, 210, 170, 200),
               width=int(14 * s))
    dr.ellipse((px - pr * 1.75, py - pr * 0.28, px + pr * 1.75, py + pr * 0.28), outline=(200, 170, 130, 150),
               width=int(8 * s))
    c.paste(layer)
    # repaint the planet's upper half over the ring's back
    yy2, xx2 = np.ogrid[int(py - pr):int(py), int(px - pr):int(px + pr)]
    reg2 = c.a[int(py - pr):int(py), int(px - pr):int(px + pr)]
    reg2 += (pcol[: reg2.shape[0]] - reg2) * inside[: reg2.shape[0], :, None] * (
        ((yy2 - py) < -pr * 0.18) | (np.abs(xx2 - px) < pr * 0.0))[..., None]
    c.disc(c.w * 0.2, ctx.horizon(0.25), 50 * s, (190, 200, 220))
    c.disc(c.w * 0.2 - 14 * s, ctx.horizon(0.25) - 10 * s, 46 * s, (150, 160, 190), alpha=0.5)
    ctx.sprites += E.twinkles(ctx.W, ctx.H, ctx.dur, ctx.rng, n=10, y_max=1.0, colour=(220, 230, 255))
    ctx.sprites += E.shooting_star(ctx.W, ctx.H, ctx.dur, ctx.rng)
    # a small rocket drifting across
    rw, rh = int(120 * s), int(60 * s)
    rw -= rw % 2
    rh -= rh % 2
    frames = []
    for f in range(4):
        img = Image.new("RGBA", (rw, rh), (0, 0, 0, 0))
        dd = ImageDraw.Draw(img)
        fl = (0.6 + 0.4 * math.sin(f * 1.6)) * 40 * s
        dd.polygon([(40 * s - fl, rh / 2), (42 * s, rh / 2 - 10 * s), (42 * s, rh / 2 + 10 * s)], fill=(255, 170, 60, 230))
        dd.rounded_rectangle((40 * s, rh / 2 - 13 * s, 100 * s, rh / 2 + 13 * s), radius=int(12 * s), fill=(235, 235, 245, 255))
        dd.polygon([(100 * s, rh / 2 - 13 * s), (118 * s, rh / 2), (100 * s, rh / 2 + 13 * s)], fill=(220, 60, 70, 255))
        dd.ellipse((68 * s, rh / 2 - 6 * s, 80 * s, rh / 2 + 6 * s), fill=(90, 170, 230, 255))
        frames.append(img)
    ctx.sprites.append(E.Sprite("rocket", frames, f"-{rw}+mod(t*{60 * s:.3f}+W*0.1,W+{rw})",
                                f"{ctx.H * 0.3:.1f}-t*{8 * s:.3f}", fps=12))


def flowers(ctx: Ctx) -> None:
    c, s = ctx.c, ctx.s
    _sky(ctx, "#5aa0e0", "#a8d4f0", "#eef6e8", 0.55)
    c.glow(c.w * 0.78, ctx.horizon(0.12), 450 * s, (255, 250, 220), 0.45)
    c.ridge(_ground_curve(ctx, 0.52, 0.04, 1.2), hexc("#8cbf7a"), bottom=hexc("#7bb066"))
    c.ridge(_ground_curve(ctx, 0.6, 0.03, 1.6), hexc("#74b05a"), bottom=hexc("#5f9c48"))
    layer = c.layer()
    d = ImageDraw.Draw(layer)
    palette = [(240, 80, 110), (250, 200, 60), (255, 255, 255), (170, 110, 230), (255, 140, 60)]
    top = ctx.horizon(0.6)
    for _ in range(int(c.w * c.h / (900 * s * s))):
        y = ctx.rng.uniform(top, c.h)
        depth = (y - top) / max(1.0, c.h - top)
        x = ctx.rng.uniform(0, c.w)
        r = (2 + 16 * depth ** 1.5) * s
        col = palette[int(ctx.rng.integers(0, len(palette)))]
        if r > 6 * s:
            d.line([(x, y), (x, y + r * 3)], fill=(60, 120, 50, 255), width=max(1, int(r * 0.25)))
            for k in range(5):
                a = 2 * math.pi * k / 5
                d.ellipse((x + math.cos(a) * r * 0.7 - r * 0.55, y + math.sin(a) * r * 0.7 - r * 0.55,
                           x + math.cos(a) * r * 0.7 + r * 0.55, y + math.sin(a) * r * 0.7 + r * 0.55), fill=(*col, 255))
            d.ellipse((x - r * 0.35, y - r * 0.35, x + r * 0.35, y + r * 0.35), fill=(250, 210, 60, 255))
        else:
            d.ellipse((x - r, y - r, x + r, y + r), fill=(*col, 255))
    c.paste(layer)
    ctx.sprites += E.clouds(ctx.W, ctx.H, ctx.dur, ctx.rng, n=2, y_range=(0.03, 0.2))
    ctx.sprites += E.butterflies(ctx.W, ctx.H, ctx.dur, ctx.rng)
    ctx.sprites += E.falling(ctx.W, ctx.H, ctx.dur, ctx.rng, kind="petals", n=6,
                             colours=((255, 190, 210), (255, 255, 255), (250, 160, 190)))


def underwater(ctx: Ctx) -> None:
    c, s = ctx.c, ctx.s
    c.vgradient([(0, hexc("#3fc0d8")), (0.35, hexc("#1a7fa8")), (1, hexc("#08304f"))])
    c.rays(c.w * 0.5, -c.h * 0.2, (200, 250, 255), n=9, strength=0.18, spread=0.6)
    bed = _ground_curve(ctx, 0.82, 0.03, 1.5)
    c.ridge(bed - 60 * s, hexc("#1f5a6e"), alpha=0.6, soft=20)
    layer = c.layer()
    d = ImageDraw.Draw(layer)
    for _ in range(int(c.w / (60 * s))):  # seaweed
        x = ctx.rng.uniform(0, c.w)
        b = float(bed[int(x) % c.w]) + 10 * s
        hh = ctx.rng.uniform(120, 320) * s
        col = [(40, 140, 90), (60, 170, 110), (30, 110, 80)][int(ctx.rng.integers(0, 3))]
        pts = [(x + math.sin(t / 6 * 3 + x) * 18 * s, b - hh * t / 6) for t in range(7)]
        d.line(pts, fill=(*col, 255), width=int(16 * s), joint="curve")
    for _ in range(6):  # coral
        x = ctx.rng.uniform(0, c.w)
        b = float(bed[int(x) % c.w]) + 15 * s
        col = [(250, 120, 110), (250, 170, 90), (230, 90, 160)][int(ctx.rng.integers(0, 3))]
        for k in range(6):
            a = -math.pi / 2 + (k - 2.5) * 0.35
            ln = ctx.rng.uniform(60, 110) * s
            d.line([(x, b), (x + math.cos(a) * ln, b + math.sin(a) * ln)], fill=(*col, 255), width=int(14 * s))
            d.ellipse((x + math.cos(a) * ln - 9 * s, b + math.sin(a) * ln - 9 * s, x + math.cos(a) * ln + 9 * s,
                       b + math.sin(a) * ln + 9 * s), fill=(*col, 255))
    c.paste(layer)
    c.ridge(bed + 20 * s, hexc("#d8c08a"), bottom=hexc("#9a8458"))
    ctx.sprites += E.fish(ctx.W, ctx.H, ctx.dur, ctx.rng)
    ctx.sprites += E.bubbles(ctx.W, ctx.H, ctx.dur, ctx.rng, n=9)


def abstract(ctx: Ctx) -> None:
    c, s = ctx.c, ctx.s
    hue = ctx.rng.uniform(0, 1)
    import colorsys

    def hsv(h: float, sat: float, v: float) -> Colour:
        r, g, b = colorsys.hsv_to_rgb(h % 1, sat, v)
        return int(r * 255), int(g * 255), int(b * 255)

    c.vgradient([(0, hsv(hue, 0.7, 0.35)), (0.5, hsv(hue + 0.12, 0.6, 0.6)), (1, hsv(hue + 0.25, 0.7, 0.4))])
    for _ in range(8):
        c.glow(ctx.rng.uniform(0, c.w), ctx.rng.uniform(0, c.h), ctx.rng.uniform(200, 500) * s,
               hsv(hue + ctx.rng.uniform(-0.2, 0.3), 0.5, 1.0), 0.35, 1.2)
    layer = c.layer()
    d = ImageDraw.Draw(layer)
    for k in range(5):
        y0 = c.h * (0.2 + 0.15 * k)
        pts = [(x, y0 + math.sin(x / c.w * 6 + k) * 60 * s) for x in np.linspace(0, c.w, 60)]
        d.line(pts, fill=(255, 255, 255, 60), width=max(2, int(4 * s)))
    c.paste(layer)
    ctx.sprites += E.blobs(ctx.W, ctx.H, ctx.dur, ctx.rng,
                           [hsv(hue + 0.5, 0.5, 1.0), hsv(hue + 0.3, 0.6, 1.0), hsv(hue - 0.1, 0.4, 1.0)])
    ctx.sprites += E.twinkles(ctx.W, ctx.H, ctx.dur, ctx.rng, n=5, y_max=1.0)


FAMILIES: dict[str, SceneFn] = {
    "forest": forest, "birds": birds, "city": city, "sunset": sunset, "ocean": ocean,
    "mountains": mountains, "night_sky": night_sky, "rain": rainy, "snow": snowscape, "desert": desert,
    "product": product, "space": space, "flowers": flowers, "underwater": underwater, "abstract": abstract,
}
#: families that draw a separate near layer (used for parallax on pans)
HAS_FOREGROUND = {"forest"}


def paint_scene(family: str, W: int, H: int, bw: int, bh: int, *, seed: int, dur: float,
                elements: list[str] | tuple[str, ...] = (), parallax_width: int = 0,
                hints: frozenset[str] = frozenset()) -> SceneLayers:
    """Paint one scene: a ``bw``×``bh`` background for a ``W``×``H`` frame, plus its own sprites
    and those of ``elements`` it does not have yet.

    ``parallax_width`` > 0 asks for a separate foreground strip that wide (for pans); families
    without a near layer ignore it. Unknown families fall back to ``abstract``.
    """
    fn = FAMILIES.get(family, abstract)
    rng_seed = zlib.crc32(f"{family}:{seed}".encode())
    ctx = Ctx(Canvas(bw, bh, rng_seed), W, H, dur, np.random.default_rng(rng_seed + 1),
              fg_w=parallax_width, want_fg=parallax_width > 0 and family in HAS_FOREGROUND,
              hints=frozenset(hints) | frozenset(elements))
    fn(ctx)
    ctx.sprites += element_sprites(elements, ctx.sprites, W, H, dur, seed=rng_seed, night=ctx.night)
    ctx.c.grain(2.0)
    bg = ctx.c.image()
    return SceneLayers(bg, ctx.fg, ctx.sprites, ctx.night)


def element_sprites(elements: list[str] | tuple[str, ...], have: list[E.Sprite], W: int, H: int, dur: float,
                    *, seed: int, night: bool = False) -> list[E.Sprite]:
    """Sprites for the ``el`` elements that the scene's own sprites do not already show."""
    keys = {sp.key.rstrip("0123456789") for sp in have}
    rng = np.random.default_rng(seed + 7)
    out: list[E.Sprite] = []
    for name in elements:
        if name in E.ELEMENT_KEYS and E.ELEMENT_KEYS[name] not in keys:
            keys.add(E.ELEMENT_KEYS[name])
            out += E.element(name, W, H, dur, rng, night=night)
    return out
