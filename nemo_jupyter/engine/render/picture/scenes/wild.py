"""Scene families of quiet wild places: a bamboo grove, a desert oasis."""

from __future__ import annotations

import numpy as np
from PIL import ImageDraw

from .. import elements as E
from ..paint import hexc, mix
from .registry import family
from .scenery import Ctx, ground_curve, palm, sky, sun


@family("bamboo_grove")
def bamboo_grove(ctx: Ctx) -> None:
    """Tall bamboo stalks in layers (pale and far, dark and near), light through them, a path."""
    c, s = ctx.c, ctx.s
    sky(ctx, "#a8d8b0", "#d8eec8", "#f2f6e0", 0.6)
    sun(ctx, c.w * 0.6, ctx.horizon(0.1), 40 * s, (255, 252, 230), 0.3)
    ground = ctx.horizon(0.82)
    for depth, (col, n, wmin, wmax) in enumerate((("#a6c88a", 60, 10, 16), ("#6fa55a", 36, 16, 24),
                                                 ("#3f7a3a", 18, 26, 40))):
        layer = c.layer()
        d = ImageDraw.Draw(layer)
        base = hexc(col)
        for x in np.sort(ctx.rng.uniform(-0.02, 1.02, n)) * c.w:
            ctx.c.check()
            w = ctx.rng.uniform(wmin, wmax) * s
            stalk = mix(base, (20, 40, 20), ctx.rng.uniform(0, 0.2))
            d.rectangle((x - w / 2, 0, x + w / 2, ground + depth * 12 * s), fill=(*stalk, 255))
            for y in np.arange(ctx.rng.uniform(40, 120) * s, ground, ctx.rng.uniform(90, 150) * s):  # the nodes
                d.rectangle((x - w / 2 - 1, y, x + w / 2 + 1, y + max(2, 4 * s)), fill=(*mix(stalk, (0, 0, 0), 0.3), 255))
                if ctx.rng.random() < 0.3:  # a spray of leaves
                    side = 1 if ctx.rng.random() < 0.5 else -1
                    for k in range(3):
                        lx = x + side * (w / 2 + (8 + 14 * k) * s)
                        d.polygon([(x + side * w / 2, y), (lx + side * 30 * s, y - 14 * s + k * 10 * s), (lx, y + 6 * s)],
                                  fill=(*mix(stalk, (120, 200, 90), 0.3), 255))
        c.paste(layer)
        c.haze(ground - ctx.H * 0.3, ctx.H * 0.5, (220, 240, 210), 0.18 - depth * 0.05)
    c.ridge(ground_curve(ctx, 0.82, 0.01, 2), hexc("#8a7a5a"), bottom=hexc("#6a5a40"))
    layer = c.layer()
    d = ImageDraw.Draw(layer)
    for k in range(40):  # a gravel path
        t = k / 39
        y = ground + (c.h - ground) * t
        half = (40 + 260 * t) * s
        d.rectangle((c.w * 0.5 - half, y, c.w * 0.5 + half, y + (c.h - ground) / 39 + 2), fill=(200, 186, 150, 255))
    c.paste(layer)
    c.rays(c.w * 0.6, 0, (255, 255, 220), n=5, strength=0.07)
    ctx.sprites += E.falling(ctx.W, ctx.H, ctx.dur, ctx.rng, n=6, colours=((120, 170, 70), (150, 190, 80), (100, 150, 60)))


@family("oasis")
def oasis(ctx: Ctx) -> None:
    """A pool of blue water among palms and reeds, the desert's dunes all around."""
    c, s = ctx.c, ctx.s
    sky(ctx, "#3d8fd0", "#9fd0ea", "#fbe3b0", 0.56)
    sun(ctx, c.w * 0.25, ctx.horizon(0.16), 70 * s, (255, 250, 225), 0.55)
    c.ridge(ground_curve(ctx, 0.56, 0.05, 0.8), hexc("#e8c48a"), bottom=hexc("#d6a868"))
    c.ridge(ground_curve(ctx, 0.64, 0.03, 1.2), hexc("#f0cf94"), bottom=hexc("#e0b070"))
    layer = c.layer()
    d = ImageDraw.Draw(layer)
    pool_y = ctx.horizon(0.74)
    d.ellipse((c.w * 0.22, pool_y - 60 * s, c.w * 0.78, pool_y + 60 * s), fill=(60, 150, 180, 255))
    d.ellipse((c.w * 0.26, pool_y - 42 * s, c.w * 0.74, pool_y + 30 * s), fill=(90, 180, 206, 255))
    for x in np.arange(c.w * 0.22, c.w * 0.78, 22 * s):  # reeds at the water's edge
        if ctx.rng.random() < 0.5:
            hh = ctx.rng.uniform(30, 70) * s
            d.line([(x, pool_y + 40 * s), (x + 6 * s, pool_y + 40 * s - hh)], fill=(90, 130, 60, 255), width=max(2, int(4 * s)))
    for x, hgt in ((0.2, 420), (0.28, 340), (0.7, 380), (0.8, 450), (0.86, 300)) if ctx.own("tree") else ():
        palm(d, c.w * x, pool_y + 20 * s, hgt * s, s, (60, 120, 50, 255))
    c.paste(layer)
    c.ridge(ground_curve(ctx, 0.86, 0.01, 2), hexc("#f2d49c"), bottom=hexc("#e2bc7c"))
    ctx.sprites += E.birds(ctx.W, ctx.H, ctx.dur, ctx.rng, flocks=1, y_range=(0.08, 0.24))
