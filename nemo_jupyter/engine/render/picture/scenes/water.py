"""Scene families by and under water: sunset over the sea, ocean shore, underwater."""

from __future__ import annotations

import math

import numpy as np
from PIL import ImageDraw

from .. import elements as E
from .. import props as P
from ..paint import hexc, noise1d
from .registry import family
from .scenery import Ctx, ground_curve, palm, sky, sun


@family("sunset")
def sunset(ctx: Ctx) -> None:
    c, s = ctx.c, ctx.s
    sky(ctx, "#2d2a6e", "#c8508a", "#ffb457", 0.66)
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
    palm(ImageDraw.Draw(layer), c.w * 0.1, ctx.horizon(1.02), ctx.H * 0.55, s, (30, 16, 38, 255))
    palm(ImageDraw.Draw(layer), c.w * 0.88, ctx.horizon(1.04), ctx.H * 0.42, s, (30, 16, 38, 255))
    c.paste(layer)
    ctx.sprites += E.clouds(ctx.W, ctx.H, ctx.dur, ctx.rng, n=2, colour=(255, 170, 150), shade=(200, 100, 130),
                            y_range=(0.1, 0.35), alpha=200)
    ctx.sprites += E.birds(ctx.W, ctx.H, ctx.dur, ctx.rng, colour=(35, 20, 40), flocks=2, y_range=(0.2, 0.45))


@family("ocean")
def ocean(ctx: Ctx) -> None:
    c, s = ctx.c, ctx.s
    sky(ctx, "#3f8fd8", "#8cc4ee", "#dff0f7", 0.5)
    hz = ctx.horizon(0.5)
    sun(ctx, c.w * 0.25, ctx.horizon(0.12), 60 * s, (255, 252, 235), 0.5, 500 * s, (255, 250, 220), 1.8)
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
        ctx.sprites += P.waves(ctx.W, ctx.H, hz - frame_off + ctx.H * dy, ctx.H * band, col, (240, 250, 255),
                               ctx.rng, spd * (1 if j % 2 == 0 else -1), f"wave{j}")
    ctx.sprites += E.clouds(ctx.W, ctx.H, ctx.dur, ctx.rng, n=2, y_range=(0.04, 0.22))
    ctx.sprites += E.birds(ctx.W, ctx.H, ctx.dur, ctx.rng, colour=(250, 250, 250), flocks=1, y_range=(0.15, 0.3))


@family("underwater")
def underwater(ctx: Ctx) -> None:
    c, s = ctx.c, ctx.s
    c.vgradient([(0, hexc("#3fc0d8")), (0.35, hexc("#1a7fa8")), (1, hexc("#08304f"))])
    c.rays(c.w * 0.5, -c.h * 0.2, (200, 250, 255), n=9, strength=0.18, spread=0.6)
    bed = ground_curve(ctx, 0.82, 0.03, 1.5)
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
