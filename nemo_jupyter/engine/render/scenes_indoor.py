"""Indoor scene families: the product table."""

from __future__ import annotations

import numpy as np
from PIL import ImageDraw

from . import elements as E
from .paint import hexc
from .scenery import Ctx


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
    if "actors" in ctx.hints:  # the draft's own product stands here: no coffee cup
        c.paste(layer)
        c.glow(cx, ctx.horizon(0.45), 520 * s, (255, 230, 190), 0.35, 1.6)
        c.vignette(0.35)
        return
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
