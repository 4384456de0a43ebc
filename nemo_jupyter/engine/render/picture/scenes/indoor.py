"""Indoor scene families: product table, classroom, stage, party, kitchen, café, desk,
library, photo studio."""

from __future__ import annotations

import numpy as np
from PIL import Image, ImageDraw

from .. import effects as X
from .. import elements as E
from .. import props as P
from ..paint import Colour, hexc, mix
from .registry import family
from .scenery import Ctx, frame_y


def _room(ctx: Ctx, wall: str, wall_low: str, floor: float, floor_col: str, floor_far: str,
          boards: bool = True) -> tuple[Image.Image, ImageDraw.ImageDraw]:
    """Wall and a floor seen from standing height; returns a layer (to draw the room's things
    on, pasted by the caller) and its drawing context."""
    c, s = ctx.c, ctx.s
    c.vgradient([(0, hexc(wall)), (1, hexc(wall_low))])
    y = ctx.horizon(floor)
    c.ridge(np.full(c.w, y, dtype=np.float32), hexc(floor_far), bottom=hexc(floor_col), depth=ctx.H * (1 - floor))
    layer = c.layer()
    d = ImageDraw.Draw(layer)
    d.rectangle((0, y - 16 * s, c.w, y), fill=(*mix(hexc(wall_low), (0, 0, 0), 0.25), 255))  # skirting
    if boards:
        for k in range(-12, 13):
            d.line([(c.w / 2 + k * 60 * s, y), (c.w / 2 + k * 260 * s, c.h)], fill=(0, 0, 0, 40),
                   width=max(1, int(2 * s)))
    return layer, d


def _window(d: ImageDraw.ImageDraw, x: float, y: float, w: float, h: float, s: float,
            sky_col: Colour = (170, 215, 245), frame: Colour = (245, 245, 240), ctx: Ctx | None = None) -> None:
    """A window (its panes the sky's colour); with ``ctx``, remembered so that the time of day and the
    weather asked show through it (:mod:`.looks`)."""
    if ctx is not None:
        ctx.windows.append((x, y, x + w, y + h))
    d.rectangle((x, y, x + w, y + h), fill=(*frame, 255))
    m = 10 * s
    d.rectangle((x + m, y + m, x + w - m, y + h - m), fill=(*sky_col, 255))
    d.line([(x + w / 2, y), (x + w / 2, y + h)], fill=(*frame, 255), width=max(2, int(m)))
    d.line([(x, y + h / 2), (x + w, y + h / 2)], fill=(*frame, 255), width=max(2, int(m)))


def _books(d: ImageDraw.ImageDraw, x0: float, x1: float, base: float, s: float, rng: np.random.Generator,
           hmin: float = 50, hmax: float = 80) -> None:
    x = x0
    palette = [(170, 50, 50), (40, 90, 150), (60, 130, 80), (200, 160, 60), (120, 70, 140), (220, 110, 60)]
    while x < x1:
        bw = rng.uniform(12, 24) * s
        bh = rng.uniform(hmin, hmax) * s
        col = palette[int(rng.integers(0, len(palette)))]
        d.rectangle((x, base - bh, x + bw - 2 * s, base), fill=(*col, 255))
        d.rectangle((x + 2 * s, base - bh * 0.8, x + bw - 4 * s, base - bh * 0.74), fill=(240, 220, 160, 255))
        x += bw


@family("product")
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
    ctx.sprites += P.steam(cx - ox, top - off, cwid * 1.5, ctx.H, ctx.rng)


@family("classroom")
def classroom(ctx: Ctx) -> None:
    c, s = ctx.c, ctx.s
    layer, d = _room(ctx, "#f2e6c8", "#e4d2a8", 0.8, "#b08858", "#c49c68")
    cx, top = c.w / 2, ctx.horizon(0.14)
    bw, bh = 760 * s, 330 * s
    d.rectangle((cx - bw / 2 - 16 * s, top - 16 * s, cx + bw / 2 + 16 * s, top + bh + 16 * s), fill=(140, 100, 60, 255))
    d.rectangle((cx - bw / 2, top, cx + bw / 2, top + bh), fill=(40, 80, 60, 255))  # the chalkboard
    for k in range(4):  # chalk scribbles
        y = top + 50 * s + k * 60 * s
        d.line([(cx - bw * 0.4, y), (cx - bw * 0.4 + ctx.rng.uniform(0.3, 0.7) * bw, y)], fill=(230, 240, 230, 200),
               width=max(2, int(5 * s)))
    d.rectangle((cx - bw / 2, top + bh + 16 * s, cx + bw / 2, top + bh + 26 * s), fill=(120, 85, 50, 255))
    _window(d, c.w * 0.06, ctx.horizon(0.16), 240 * s, 300 * s, s, ctx=ctx)
    _window(d, c.w * 0.94 - 240 * s, ctx.horizon(0.16), 240 * s, 300 * s, s, ctx=ctx)
    d.ellipse((cx + bw / 2 + 80 * s, top, cx + bw / 2 + 180 * s, top + 100 * s), fill=(250, 250, 250, 255),
              outline=(60, 60, 60, 255), width=max(2, int(6 * s)))  # the clock
    d.line([(cx + bw / 2 + 130 * s, top + 50 * s), (cx + bw / 2 + 130 * s, top + 18 * s)], fill=(30, 30, 30, 255),
           width=max(2, int(4 * s)))
    for row, (y, scale) in enumerate(((ctx.horizon(0.82), 0.8), (ctx.horizon(0.95), 1.0))):
        for k in range(-3, 4):  # pupils' desks
            x = cx + k * 300 * s * scale + (row * 150 * s)
            w = 220 * s * scale
            d.rectangle((x - w / 2, y - 60 * s * scale, x + w / 2, y - 44 * s * scale), fill=(200, 150, 90, 255))
            d.rectangle((x - w / 2 + 10 * s, y - 44 * s * scale, x - w / 2 + 20 * s, y), fill=(90, 90, 100, 255))
            d.rectangle((x + w / 2 - 20 * s, y - 44 * s * scale, x + w / 2 - 10 * s, y), fill=(90, 90, 100, 255))
    c.paste(layer)
    c.glow(c.w * 0.15, ctx.horizon(0.3), 300 * s, (255, 250, 220), 0.25)


@family("stage")
def stage(ctx: Ctx) -> None:
    c, s = ctx.c, ctx.s
    ctx.night = True
    c.vgradient([(0, hexc("#10060e")), (1, hexc("#2a0c18"))])
    layer = c.layer()
    d = ImageDraw.Draw(layer)
    for k in range(int(c.w / (40 * s)) + 1):  # red velvet curtains, folded
        x = k * 40 * s
        shade = 0.7 + 0.3 * np.sin(k * 1.3)
        d.rectangle((x, 0, x + 40 * s, ctx.horizon(0.76)), fill=(int(150 * shade), int(20 * shade), int(36 * shade), 255))
    d.rectangle((0, 0, c.w, ctx.horizon(0.1)), fill=(120, 14, 30, 255))  # valance
    for k in range(int(c.w / (80 * s)) + 1):
        d.pieslice((k * 80 * s, ctx.horizon(0.1) - 30 * s, (k + 1) * 80 * s, ctx.horizon(0.1) + 30 * s), 0, 180,
                   fill=(120, 14, 30, 255))
    c.paste(layer)
    floor = ctx.horizon(0.76)
    c.ridge(np.full(c.w, floor, dtype=np.float32), hexc("#6a4024"), bottom=hexc("#2a180c"), depth=ctx.H * 0.2)
    c.glow(c.w / 2, ctx.horizon(0.84), 520 * s, (255, 230, 170), 0.55, 1.4)  # the spotlight pool
    layer = c.layer()
    d = ImageDraw.Draw(layer)
    d.rectangle((0, ctx.horizon(0.88), c.w, c.h), fill=(16, 10, 14, 255))  # audience silhouettes
    for x in np.arange(0, c.w, 60 * s):
        r = ctx.rng.uniform(24, 32) * s
        d.ellipse((x - r, ctx.horizon(0.88) - r * 1.2, x + r, ctx.horizon(0.88) + r * 0.8), fill=(16, 10, 14, 255))
    c.paste(layer)
    ctx.sprites += X.beams(ctx.W, ctx.H, ctx.rng, colours=((255, 240, 200), (200, 160, 255), (255, 200, 150)))


@family("party")
def party(ctx: Ctx) -> None:
    c, s = ctx.c, ctx.s
    layer, d = _room(ctx, "#ffd6e4", "#f6b8d0", 0.82, "#d49ac0", "#e4b0d0", boards=False)
    for k in range(3):  # bunting across the room
        y0 = ctx.horizon(0.08 + 0.08 * k)
        for j in range(int(c.w / (60 * s)) + 1):
            x = j * 60 * s
            y = y0 + np.sin(j / 3 + k) * 16 * s
            col = [(255, 90, 120), (255, 210, 60), (80, 190, 255), (140, 220, 120)][(j + k) % 4]
            d.polygon([(x, y), (x + 50 * s, y), (x + 25 * s, y + 50 * s)], fill=(*col, 255))
    tx, ty = c.w / 2, ctx.horizon(0.72)  # a table with a cloth, and a banner
    d.rectangle((tx - 420 * s, ty, tx + 420 * s, ty + 170 * s), fill=(255, 255, 255, 255))
    for k in range(14):
        d.pieslice((tx - 420 * s + k * 60 * s, ty + 140 * s, tx - 360 * s + k * 60 * s, ty + 200 * s), 0, 180,
                   fill=(255, 255, 255, 255))
    c.paste(layer)
    c.glow(c.w / 2, ctx.horizon(0.45), 700 * s, (255, 240, 200), 0.25)
    ctx.sprites += X.confetti(ctx.W, ctx.H, ctx.rng)
    ctx.sprites += E.twinkles(ctx.W, ctx.H, ctx.dur, ctx.rng, n=5, y_max=0.6)


@family("kitchen")
def kitchen(ctx: Ctx) -> None:
    c, s = ctx.c, ctx.s
    layer, d = _room(ctx, "#e6f2ee", "#d2e6e0", 0.72, "#8c6c50", "#a07c5c", boards=False)
    tile = 44 * s
    for y in np.arange(ctx.horizon(0.3), ctx.horizon(0.56), tile):  # tiled splashback
        for x in np.arange(0, c.w, tile):
            d.rectangle((x + 2 * s, y + 2 * s, x + tile - 2 * s, y + tile - 2 * s), fill=(250, 255, 253, 255))
    for x in np.arange(0, c.w, 260 * s):  # wall cupboards
        d.rectangle((x + 10 * s, ctx.horizon(0.02), x + 250 * s, ctx.horizon(0.26)), fill=(90, 150, 140, 255))
        d.ellipse((x + 120 * s, ctx.horizon(0.2), x + 140 * s, ctx.horizon(0.2) + 20 * s), fill=(240, 220, 160, 255))
    if ctx.tod or ctx.wx:  # a window over the sink shows the time and the weather asked
        _window(d, c.w * 0.3, ctx.horizon(0.29), 320 * s, ctx.horizon(0.55) - ctx.horizon(0.29), s, ctx=ctx)
    top = ctx.horizon(0.56)
    d.rectangle((0, top, c.w, top + 30 * s), fill=(230, 226, 220, 255))  # worktop
    d.rectangle((0, top + 30 * s, c.w, ctx.horizon(0.72)), fill=(80, 140, 130, 255))
    for x in np.arange(0, c.w, 260 * s):
        d.rectangle((x + 10 * s, top + 45 * s, x + 250 * s, ctx.horizon(0.7)), outline=(60, 110, 100, 255),
                    width=max(1, int(4 * s)))
    px = c.w * 0.72  # a pot on the hob
    d.rectangle((px - 90 * s, top - 110 * s, px + 90 * s, top), fill=(70, 70, 80, 255))
    d.rectangle((px - 110 * s, top - 120 * s, px + 110 * s, top - 104 * s), fill=(50, 50, 60, 255))
    c.paste(layer)
    ox = (ctx.w - ctx.W) / 2
    ctx.sprites += P.steam(px - ox, frame_y(ctx, top - 120 * s), 200 * s, ctx.H, ctx.rng)


@family("cafe")
def cafe(ctx: Ctx) -> None:
    c, s = ctx.c, ctx.s
    layer, d = _room(ctx, "#5a3a2c", "#3a241a", 0.8, "#2a1a12", "#4a3020")
    for x in np.arange(60 * s, c.w, 520 * s):  # big windows onto a rainy street
        _window(d, x, ctx.horizon(0.1), 380 * s, 420 * s, s, sky_col=(150, 170, 190), frame=(40, 28, 20), ctx=ctx)
    for x in np.arange(200 * s, c.w, 300 * s):  # pendant lamps
        d.line([(x, 0), (x, ctx.horizon(0.12))], fill=(20, 14, 10, 255), width=max(1, int(3 * s)))
        d.pieslice((x - 50 * s, ctx.horizon(0.12) - 30 * s, x + 50 * s, ctx.horizon(0.12) + 40 * s), 180, 360,
                   fill=(200, 140, 60, 255))
    cy = ctx.horizon(0.8)
    d.rectangle((0, cy - 170 * s, c.w, cy - 150 * s), fill=(150, 100, 60, 255))  # the counter top
    d.rectangle((0, cy - 150 * s, c.w, cy), fill=(110, 70, 45, 255))
    mx = c.w * 0.3  # an espresso machine
    d.rounded_rectangle((mx - 110 * s, cy - 330 * s, mx + 110 * s, cy - 170 * s), radius=int(16 * s),
                        fill=(200, 200, 210, 255))
    d.rectangle((mx - 70 * s, cy - 250 * s, mx + 70 * s, cy - 230 * s), fill=(60, 60, 70, 255))
    c.paste(layer)
    for x in np.arange(200 * s, c.w, 300 * s):
        c.glow(x, ctx.horizon(0.14), 240 * s, (255, 190, 110), 0.5)
    ox = (ctx.w - ctx.W) / 2
    ctx.sprites += P.steam(mx - ox, frame_y(ctx, cy - 330 * s), 120 * s, ctx.H, ctx.rng)


@family("desk")
def desk(ctx: Ctx) -> None:
    c, s = ctx.c, ctx.s
    c.vgradient([(0, hexc("#c8d8e8")), (0.6, hexc("#b4c8dc")), (1, hexc("#a0b4c8"))])
    layer = c.layer()
    d = ImageDraw.Draw(layer)
    _window(d, c.w * 0.62, ctx.horizon(0.04), 460 * s, 360 * s, s, sky_col=(180, 220, 250), ctx=ctx)
    d.rectangle((c.w * 0.1, ctx.horizon(0.1), c.w * 0.1 + 200 * s, ctx.horizon(0.1) + 150 * s), fill=(250, 240, 200, 255))
    d.rectangle((c.w * 0.1 + 20 * s, ctx.horizon(0.1) + 20 * s, c.w * 0.1 + 180 * s, ctx.horizon(0.1) + 130 * s),
                fill=(120, 170, 120, 255))  # a picture on the wall
    c.paste(layer)
    top = ctx.horizon(0.7)
    c.ridge(np.full(c.w, top, dtype=np.float32), hexc("#d6b48c"), bottom=hexc("#a6825c"), depth=ctx.H * 0.3)
    layer = c.layer()
    d = ImageDraw.Draw(layer)
    d.rectangle((0, top, c.w, top + 8 * s), fill=(240, 220, 190, 255))
    lx = c.w * 0.18  # a desk lamp, a plant and a mug
    d.line([(lx, top), (lx + 40 * s, top - 200 * s), (lx + 140 * s, top - 260 * s)], fill=(50, 50, 60, 255),
           width=max(2, int(10 * s)))
    d.pieslice((lx + 90 * s, top - 300 * s, lx + 230 * s, top - 200 * s), 0, 180, fill=(240, 90, 60, 255))
    d.ellipse((lx - 50 * s, top - 14 * s, lx + 50 * s, top + 6 * s), fill=(50, 50, 60, 255))
    px = c.w * 0.84
    d.polygon([(px - 50 * s, top - 90 * s), (px + 50 * s, top - 90 * s), (px + 36 * s, top), (px - 36 * s, top)],
              fill=(200, 110, 70, 255))
    for k in range(7):
        a = np.radians(-160 + k * 23)
        d.ellipse((px + np.cos(a) * 70 * s - 26 * s, top - 100 * s + np.sin(a) * 90 * s - 14 * s,
                   px + np.cos(a) * 70 * s + 26 * s, top - 100 * s + np.sin(a) * 90 * s + 14 * s), fill=(70, 150, 70, 255))
    if ctx.own("book"):
        _books(d, c.w * 0.3, c.w * 0.3 + 140 * s, top, s, ctx.rng, 60, 110)
    c.paste(layer)
    c.glow(lx + 160 * s, top - 150 * s, 300 * s, (255, 230, 170), 0.3)


@family("library")
def library(ctx: Ctx) -> None:
    c, s = ctx.c, ctx.s
    layer, d = _room(ctx, "#6a4a30", "#4a3220", 0.84, "#6a2a24", "#80362c", boards=False)
    shelf_h = 150 * s
    for x0 in np.arange(0, c.w, 420 * s):  # tall shelves, full of books
        d.rectangle((x0 + 10 * s, ctx.horizon(0.0), x0 + 400 * s, ctx.horizon(0.84)), fill=(90, 56, 32, 255))
        y = ctx.horizon(0.02) + shelf_h
        while y < ctx.horizon(0.82):
            _books(d, x0 + 24 * s, x0 + 386 * s, y, s, ctx.rng, 90, 130)
            d.rectangle((x0 + 10 * s, y, x0 + 400 * s, y + 14 * s), fill=(120, 76, 44, 255))
            y += shelf_h
    if ctx.tod or ctx.wx:  # a tall window between the shelves shows the time and the weather asked
        _window(d, c.w * 0.5 - 140 * s, ctx.horizon(0.05), 280 * s, ctx.horizon(0.42) - ctx.horizon(0.05), s,
                frame=(120, 76, 44), ctx=ctx)
    c.paste(layer)
    c.glow(c.w * 0.5, ctx.horizon(0.3), 700 * s, (255, 220, 150), 0.22)
    layer = c.layer()
    d = ImageDraw.Draw(layer)
    ty = ctx.horizon(0.84)  # a reading table with a green lamp
    d.rectangle((c.w * 0.3, ty - 20 * s, c.w * 0.7, ty), fill=(110, 70, 40, 255))
    d.rectangle((c.w * 0.32, ty, c.w * 0.32 + 20 * s, ctx.horizon(1.0)), fill=(90, 56, 32, 255))
    d.rectangle((c.w * 0.68 - 20 * s, ty, c.w * 0.68, ctx.horizon(1.0)), fill=(90, 56, 32, 255))
    d.pieslice((c.w * 0.5 - 90 * s, ty - 140 * s, c.w * 0.5 + 90 * s, ty - 40 * s), 180, 360, fill=(40, 120, 70, 255))
    d.rectangle((c.w * 0.5 - 6 * s, ty - 90 * s, c.w * 0.5 + 6 * s, ty - 20 * s), fill=(200, 170, 80, 255))
    c.paste(layer)
    c.glow(c.w * 0.5, ty - 60 * s, 260 * s, (255, 230, 150), 0.5)
    ctx.sprites += E.fireflies(ctx.W, ctx.H, ctx.dur, ctx.rng, n=8, y_range=(0.2, 0.7), colour=(255, 240, 200))


@family("studio")
def studio(ctx: Ctx) -> None:
    c, s = ctx.c, ctx.s
    # a seamless paper backdrop curving into the floor, lit from the front
    c.vgradient([(0, hexc("#2c3850")), (0.5, hexc("#6c7c98")), (0.74, hexc("#aab6c8")), (1, hexc("#8a96aa"))])
    c.glow(c.w / 2, ctx.horizon(0.62), 700 * s, (255, 250, 240), 0.2, 1.6)
    layer = c.layer()
    d = ImageDraw.Draw(layer)
    for side in (-1, 1):  # softboxes on stands at the sides
        x = c.w / 2 + side * c.w * 0.36
        d.line([(x, ctx.horizon(0.3)), (x, ctx.horizon(0.86))], fill=(30, 30, 36, 255), width=max(2, int(8 * s)))
        for k in (-1, 0, 1):
            d.line([(x, ctx.horizon(0.86)), (x + k * 70 * s, ctx.horizon(0.92))], fill=(30, 30, 36, 255),
                   width=max(2, int(6 * s)))
        d.rectangle((x - 110 * s, ctx.horizon(0.14), x + 110 * s, ctx.horizon(0.34)), fill=(245, 248, 255, 255),
                    outline=(30, 30, 36, 255), width=max(2, int(10 * s)))
    c.paste(layer)
    for side in (-1, 1):
        c.glow(c.w / 2 + side * c.w * 0.36, ctx.horizon(0.24), 260 * s, (255, 255, 255), 0.35)
    c.vignette(0.3)
