"""Scene families of places people made: farm, countryside, park, castle, pyramids, fireworks
night, road, street, stadium."""

from __future__ import annotations

import numpy as np
from PIL import ImageDraw

from .. import effects as X
from .. import elements as E
from ..paint import hexc, mix, noise1d
from .registry import family
from .scenery import Ctx, ground_curve, pine, round_tree, sky, sun, tree_row


def _house(d: ImageDraw.ImageDraw, x: float, b: float, w: float, wall: tuple[int, ...], roof: tuple[int, ...],
           s: float) -> None:
    h = w * 0.7
    d.rectangle((x - w / 2, b - h, x + w / 2, b), fill=wall)
    d.polygon([(x - w * 0.6, b - h), (x, b - h - w * 0.45), (x + w * 0.6, b - h)], fill=roof)
    d.rectangle((x - w * 0.1, b - h * 0.5, x + w * 0.1, b), fill=(110, 70, 50, 255))
    for sx in (-0.3, 0.3):
        d.rectangle((x + w * sx - w * 0.08, b - h * 0.75, x + w * sx + w * 0.08, b - h * 0.5), fill=(250, 230, 160, 255))


@family("farm")
def farm(ctx: Ctx) -> None:
    c, s = ctx.c, ctx.s
    sky(ctx, "#5ab0ea", "#a8dcf4", "#f2f6dc", 0.55)
    sun(ctx, c.w * 0.82, ctx.horizon(0.14), 54 * s)
    c.ridge(ground_curve(ctx, 0.55, 0.04, 1.2), hexc("#9cc870"), bottom=hexc("#8aba5c"))
    layer = c.layer()
    d = ImageDraw.Draw(layer)
    bx, bb = c.w * 0.3, ctx.horizon(0.66)  # the red barn with a silo
    bw = 300 * s
    d.rectangle((bx - bw / 2, bb - bw * 0.6, bx + bw / 2, bb), fill=(190, 40, 40, 255))
    d.polygon([(bx - bw * 0.58, bb - bw * 0.6), (bx - bw * 0.3, bb - bw * 0.95), (bx + bw * 0.3, bb - bw * 0.95),
               (bx + bw * 0.58, bb - bw * 0.6)], fill=(120, 30, 30, 255))
    d.rectangle((bx - bw * 0.16, bb - bw * 0.38, bx + bw * 0.16, bb), fill=(245, 240, 230, 255))
    d.line([(bx - bw * 0.16, bb - bw * 0.38), (bx + bw * 0.16, bb)], fill=(190, 40, 40, 255), width=max(2, int(8 * s)))
    d.line([(bx + bw * 0.16, bb - bw * 0.38), (bx - bw * 0.16, bb)], fill=(190, 40, 40, 255), width=max(2, int(8 * s)))
    d.rounded_rectangle((bx + bw * 0.6, bb - bw * 1.1, bx + bw * 0.85, bb), radius=int(bw * 0.12),
                        fill=(200, 200, 205, 255))
    c.paste(layer)
    fields = ctx.horizon(0.68)
    c.ridge(np.full(c.w, fields, dtype=np.float32), hexc("#d8b24a"), bottom=hexc("#b89030"))
    layer = c.layer()
    d = ImageDraw.Draw(layer)
    for k in range(18):  # crop rows converging to the horizon
        x0 = c.w * (k / 17)
        d.line([(c.w / 2 + (x0 - c.w / 2) * 0.2, fields), (x0 + (x0 - c.w / 2) * 1.5, c.h)], fill=(150, 120, 30, 200),
               width=max(2, int(6 * s)))
    fy = ctx.horizon(0.82)  # a wooden fence
    for x in np.arange(0, c.w, 90 * s):
        d.rectangle((x, fy - 70 * s, x + 12 * s, fy + 10 * s), fill=(140, 100, 60, 255))
    d.rectangle((0, fy - 55 * s, c.w, fy - 45 * s), fill=(160, 115, 70, 255))
    d.rectangle((0, fy - 25 * s, c.w, fy - 15 * s), fill=(160, 115, 70, 255))
    c.paste(layer)
    c.ridge(ground_curve(ctx, 0.86, 0.01, 2), hexc("#7cb04a"), bottom=hexc("#5a8e34"))
    ctx.sprites += E.clouds(ctx.W, ctx.H, ctx.dur, ctx.rng, n=3, y_range=(0.03, 0.22))
    ctx.sprites += E.birds(ctx.W, ctx.H, ctx.dur, ctx.rng, flocks=1, y_range=(0.12, 0.3))


@family("countryside")
def countryside(ctx: Ctx) -> None:
    c, s = ctx.c, ctx.s
    sky(ctx, "#8cc4ec", "#cfe8f4", "#f4f4e4", 0.5)
    sun(ctx, c.w * 0.2, ctx.horizon(0.16), 46 * s)
    for i, (frac, col, bot) in enumerate(((0.5, "#a6c88c", "#90b878"), (0.58, "#8cbc64", "#74a650"),
                                          (0.68, "#c4cc5a", "#aab440"), (0.8, "#6caa48", "#4e8a34"))):
        tops = ground_curve(ctx, frac, 0.05 - i * 0.008, 0.9 + i * 0.3)
        c.ridge(tops, hexc(col), bottom=hexc(bot), depth=ctx.H * 0.2)
        if i in (1, 2):
            layer = c.layer()
            d = ImageDraw.Draw(layer)
            for x in np.arange(ctx.rng.uniform(0, 200) * s, c.w, ctx.rng.uniform(260, 420) * s):  # hedgerows
                b = float(tops[int(min(x, c.w - 1))]) + 4 * s
                for k in range(8):
                    r = (10 + 4 * i) * s
                    d.ellipse((x + k * r * 1.4 - r, b - r * 1.6, x + k * r * 1.4 + r, b), fill=(60, 110, 50, 255))
            c.paste(layer)
    layer = c.layer()
    d = ImageDraw.Draw(layer)
    _house(d, c.w * 0.64, ctx.horizon(0.6), 110 * s, (250, 240, 225, 255), (170, 70, 50, 255), s)
    if ctx.own("tree"):
        round_tree(d, c.w * 0.72, ctx.horizon(0.62), 160 * s, hexc("#4c8a3c"), ctx.rng)
    # the railway on an embankment, with its sleepers
    ry = ctx.horizon(0.74)
    d.rectangle((0, ry, c.w, ry + 14 * s), fill=(120, 100, 80, 255))
    for x in np.arange(0, c.w, 26 * s):
        d.rectangle((x, ry + 2 * s, x + 8 * s, ry + 16 * s), fill=(90, 70, 50, 255))
    d.line([(0, ry + 3 * s), (c.w, ry + 3 * s)], fill=(170, 170, 180, 255), width=max(1, int(3 * s)))
    d.line([(0, ry + 11 * s), (c.w, ry + 11 * s)], fill=(170, 170, 180, 255), width=max(1, int(3 * s)))
    c.paste(layer)
    ctx.sprites += E.clouds(ctx.W, ctx.H, ctx.dur, ctx.rng, n=3, y_range=(0.02, 0.2))
    ctx.sprites += E.birds(ctx.W, ctx.H, ctx.dur, ctx.rng, flocks=1, y_range=(0.1, 0.28))


@family("park")
def park(ctx: Ctx) -> None:
    c, s = ctx.c, ctx.s
    sky(ctx, "#64b4f0", "#b4def6", "#eaf6f0", 0.5)
    layer = c.layer()
    d = ImageDraw.Draw(layer)
    x = 0.0
    while x < c.w:  # the town behind the trees
        bw, bh = ctx.rng.uniform(80, 160) * s, ctx.H * ctx.rng.uniform(0.1, 0.25)
        d.rectangle((x, ctx.horizon(0.52) - bh, x + bw, ctx.horizon(0.52)), fill=(170, 190, 210, 255))
        x += bw + 6 * s
    c.paste(layer)
    c.ridge(ground_curve(ctx, 0.52, 0.005, 2), hexc("#86c660"), bottom=hexc("#5eae44"))
    layer = c.layer()
    tree_row(ctx, layer, ctx.horizon(0.58), int(c.w / (110 * s)), 180 * s, 300 * s, hexc("#3f9a40"), kind="round")
    c.paste(layer)
    layer = c.layer()
    d = ImageDraw.Draw(layer)
    path_top = ctx.horizon(0.64)  # a winding gravel path
    for k in range(60):
        t = k / 59
        y = path_top + (c.h - path_top) * t
        cx = c.w * (0.55 + 0.15 * np.sin(t * 4))
        half = (20 + 320 * t ** 1.5) * s
        d.rectangle((cx - half, y, cx + half, y + (c.h - path_top) / 59 + 2), fill=(226, 210, 170, 255))
    bx, by = c.w * 0.25, ctx.horizon(0.78)  # a bench and a lamp
    d.rectangle((bx - 90 * s, by - 40 * s, bx + 90 * s, by - 30 * s), fill=(140, 90, 50, 255))
    d.rectangle((bx - 90 * s, by - 70 * s, bx + 90 * s, by - 60 * s), fill=(140, 90, 50, 255))
    for sx in (-80, 80):
        d.rectangle((bx + sx * s - 5 * s, by - 40 * s, bx + sx * s + 5 * s, by), fill=(50, 50, 60, 255))
    lx = c.w * 0.8
    d.rectangle((lx - 5 * s, ctx.horizon(0.5), lx + 5 * s, ctx.horizon(0.8)), fill=(40, 50, 60, 255))
    d.ellipse((lx - 18 * s, ctx.horizon(0.5) - 30 * s, lx + 18 * s, ctx.horizon(0.5) + 6 * s), fill=(250, 240, 200, 255))
    c.paste(layer)
    ctx.sprites += E.falling(ctx.W, ctx.H, ctx.dur, ctx.rng, n=6,
                             colours=((120, 180, 70), (200, 190, 60), (230, 140, 50)))
    ctx.sprites += E.clouds(ctx.W, ctx.H, ctx.dur, ctx.rng, n=2, y_range=(0.02, 0.18))
    ctx.sprites += E.butterflies(ctx.W, ctx.H, ctx.dur, ctx.rng, n=2)


@family("castle")
def castle(ctx: Ctx) -> None:
    c, s = ctx.c, ctx.s
    sky(ctx, "#6a6ec8", "#c49ad0", "#f6d6c0", 0.62)
    sun(ctx, c.w * 0.75, ctx.horizon(0.3), 60 * s, (255, 240, 220), 0.35)
    hill = ground_curve(ctx, 0.62, 0.05, 0.8)
    c.ridge(hill, hexc("#6c8a5c"), bottom=hexc("#56744a"))
    layer = c.layer()
    d = ImageDraw.Draw(layer)
    cx, b = c.w * 0.5, ctx.horizon(0.62)
    stone, dark = (186, 176, 170, 255), (140, 130, 128, 255)
    d.rectangle((cx - 260 * s, b - 240 * s, cx + 260 * s, b + 10 * s), fill=stone)  # curtain wall
    for k in range(11):
        x = cx - 260 * s + k * 52 * s
        d.rectangle((x, b - 270 * s, x + 30 * s, b - 240 * s), fill=stone)
    for tx, th in ((-300, 420), (300, 420), (-90, 520), (90, 520)):  # towers with pointed roofs
        x = cx + tx * s
        d.rectangle((x - 55 * s, b - th * s, x + 55 * s, b + 10 * s), fill=stone if abs(tx) > 100 else dark)
        d.polygon([(x - 70 * s, b - th * s), (x, b - (th + 150) * s), (x + 70 * s, b - th * s)], fill=(80, 70, 150, 255))
        d.rectangle((x - 10 * s, b - (th - 60) * s, x + 10 * s, b - (th - 100) * s), fill=(250, 220, 140, 255))
        d.line([(x, b - (th + 150) * s), (x, b - (th + 200) * s)], fill=(60, 60, 60, 255), width=max(1, int(3 * s)))
        d.polygon([(x, b - (th + 200) * s), (x + 40 * s, b - (th + 188) * s), (x, b - (th + 176) * s)],
                  fill=(220, 50, 60, 255))
    d.pieslice((cx - 60 * s, b - 170 * s, cx + 60 * s, b - 50 * s), 180, 360, fill=(60, 40, 30, 255))  # gate
    d.rectangle((cx - 60 * s, b - 110 * s, cx + 60 * s, b + 10 * s), fill=(60, 40, 30, 255))
    c.paste(layer)
    c.ridge(ground_curve(ctx, 0.78, 0.02, 1.5), hexc("#5c7e4a"), bottom=hexc("#3e5e32"))
    ctx.sprites += E.clouds(ctx.W, ctx.H, ctx.dur, ctx.rng, n=2, colour=(250, 220, 230), y_range=(0.05, 0.25))
    ctx.sprites += E.birds(ctx.W, ctx.H, ctx.dur, ctx.rng, flocks=1, y_range=(0.1, 0.3))


@family("pyramids")
def pyramids(ctx: Ctx) -> None:
    c, s = ctx.c, ctx.s
    sky(ctx, "#e8a040", "#f6cc7a", "#fff0c8", 0.66)
    sun(ctx, c.w * 0.2, ctx.horizon(0.28), 80 * s, (255, 246, 210), 0.6)
    hz = ctx.horizon(0.7)
    layer = c.layer()
    d = ImageDraw.Draw(layer)
    for px, ph in ((0.36, 0.42), (0.62, 0.34), (0.8, 0.2)):  # Giza: three pyramids, lit from the left
        x, hh = c.w * px, ctx.H * ph
        d.polygon([(x - hh * 1.1, hz + 4), (x, hz - hh), (x + hh * 1.1, hz + 4)], fill=(228, 182, 112, 255))
        d.polygon([(x, hz - hh), (x + hh * 1.1, hz + 4), (x + hh * 0.15, hz + 4)], fill=(176, 126, 72, 255))
        for k in range(1, 8):  # courses of stone
            y = hz - hh + hh * k / 8
            half = hh * 1.1 * k / 8
            d.line([(x - half, y), (x + half, y)], fill=(190, 140, 80, 120), width=max(1, int(2 * s)))
    sx, sb = c.w * 0.14, hz + 6 * s  # the sphinx
    d.rectangle((sx - 110 * s, sb - 50 * s, sx + 60 * s, sb), fill=(206, 160, 96, 255))
    d.rectangle((sx + 20 * s, sb - 110 * s, sx + 80 * s, sb - 40 * s), fill=(206, 160, 96, 255))
    d.polygon([(sx + 10 * s, sb - 110 * s), (sx + 90 * s, sb - 110 * s), (sx + 100 * s, sb - 60 * s),
               (sx, sb - 60 * s)], fill=(190, 146, 86, 255))
    c.paste(layer)
    c.ridge(np.full(c.w, hz, dtype=np.float32) + noise1d(c.w, ctx.rng, scale=1.5, octaves=2) * 6 * s,
            hexc("#eec27a"), bottom=hexc("#d69a50"))
    c.ridge(ground_curve(ctx, 0.86, 0.03, 1.0), hexc("#e2ae64"), bottom=hexc("#c88a44"))
    ctx.sprites += E.birds(ctx.W, ctx.H, ctx.dur, ctx.rng, colour=(90, 60, 40), flocks=1, y_range=(0.15, 0.3))


@family("fireworks")
def fireworks_night(ctx: Ctx) -> None:
    c, s = ctx.c, ctx.s
    ctx.night = True
    sky(ctx, "#060418", "#181040", "#3a2050", 0.78)
    c.stars(int(160 * c.w / 1920), y_max=ctx.horizon(0.6), size=1.2 * s)
    hz = ctx.horizon(0.8)
    layer = c.layer()
    d = ImageDraw.Draw(layer)
    x = 0.0
    while x < c.w:  # a skyline with lit windows, and red lanterns along the front
        bw, bh = ctx.rng.uniform(60, 140) * s, ctx.H * ctx.rng.uniform(0.06, 0.2)
        d.rectangle((x, hz - bh, x + bw, hz), fill=(22, 18, 40, 255))
        for wy in np.arange(hz - bh + 10 * s, hz - 12 * s, 22 * s):
            for wx in np.arange(x + 8 * s, x + bw - 12 * s, 20 * s):
                if ctx.rng.random() < 0.3:
                    d.rectangle((wx, wy, wx + 8 * s, wy + 10 * s), fill=(250, 210, 120, 255))
        x += bw + 4 * s
    c.paste(layer)
    c.ridge(np.full(c.w, hz, dtype=np.float32), hexc("#141030"), bottom=hexc("#08061a"))
    c.glow(c.w / 2, hz, 800 * s, (200, 60, 120), 0.25, 1.2)
    layer = c.layer()
    d = ImageDraw.Draw(layer)
    ly = ctx.horizon(0.88)
    d.line([(0, ly - 40 * s), (c.w, ly - 40 * s)], fill=(40, 30, 40, 255), width=max(1, int(2 * s)))
    for x in np.arange(40 * s, c.w, 140 * s):
        d.ellipse((x - 22 * s, ly - 40 * s, x + 22 * s, ly + 6 * s), fill=(230, 50, 40, 255))
        d.rectangle((x - 14 * s, ly - 44 * s, x + 14 * s, ly - 38 * s), fill=(250, 200, 60, 255))
    c.paste(layer)
    for x in np.arange(40 * s, c.w, 140 * s):
        c.glow(x, ly - 17 * s, 70 * s, (255, 120, 60), 0.5)
    ctx.sprites += X.fireworks(ctx.W, ctx.H, ctx.rng, n=5)


@family("road")
def road(ctx: Ctx) -> None:
    c, s = ctx.c, ctx.s
    sky(ctx, "#3c8ee0", "#94cef4", "#f0f0e0", 0.56)
    sun(ctx, c.w * 0.7, ctx.horizon(0.18), 50 * s)
    c.ridge(ground_curve(ctx, 0.5, 0.06, 1.0), hexc("#90a8c0"), bottom=hexc("#8aa090"))
    c.ridge(ground_curve(ctx, 0.58, 0.03, 1.5), hexc("#8ab46c"), bottom=hexc("#6a9a50"))
    top = ctx.horizon(0.64)
    c.ridge(np.full(c.w, top, dtype=np.float32), hexc("#74a454"), bottom=hexc("#4e8034"))
    layer = c.layer()
    d = ImageDraw.Draw(layer)
    d.rectangle((0, top + 20 * s, c.w, ctx.horizon(0.92)), fill=(70, 72, 80, 255))  # the road, side on
    d.rectangle((0, top + 20 * s, c.w, top + 28 * s), fill=(230, 230, 230, 255))
    for x in np.arange(0, c.w, 160 * s):
        d.rectangle((x, ctx.horizon(0.79), x + 80 * s, ctx.horizon(0.79) + 8 * s), fill=(250, 210, 60, 255))
    for x in np.arange(60 * s, c.w, 420 * s):  # guard posts and trees behind the road
        if ctx.own("tree"):
            pine(d, x + 160 * s, top + 20 * s, 160 * s, (50, 100, 60, 255))
        d.rectangle((x, top + 2 * s, x + 8 * s, top + 22 * s), fill=(240, 240, 240, 255))
    c.paste(layer)
    c.ridge(ground_curve(ctx, 0.93, 0.005, 2), hexc("#6a9a48"), bottom=hexc("#4a7a30"))
    ctx.sprites += E.clouds(ctx.W, ctx.H, ctx.dur, ctx.rng, n=3, y_range=(0.03, 0.25))


@family("street")
def street(ctx: Ctx) -> None:
    c, s = ctx.c, ctx.s
    sky(ctx, "#8ab8e4", "#c8dcee", "#eee8dc", 0.4)
    b = ctx.horizon(0.78)
    layer = c.layer()
    d = ImageDraw.Draw(layer)
    x = -ctx.rng.uniform(0, 60) * s
    palette = [(214, 120, 90), (236, 200, 140), (150, 180, 200), (200, 150, 170), (170, 200, 150), (240, 226, 200)]
    while x < c.w:  # a row of shop fronts
        bw = ctx.rng.uniform(220, 340) * s
        bh = ctx.H * ctx.rng.uniform(0.45, 0.7)
        col = palette[int(ctx.rng.integers(0, len(palette)))]
        d.rectangle((x, b - bh, x + bw, b), fill=(*col, 255))
        d.rectangle((x, b - bh, x + bw, b - bh + 14 * s), fill=(*mix(col, (0, 0, 0), 0.3), 255))
        for wy in np.arange(b - bh + 40 * s, b - 200 * s, 90 * s):
            for wx in np.arange(x + 30 * s, x + bw - 60 * s, 80 * s):
                d.rectangle((wx, wy, wx + 44 * s, wy + 56 * s), fill=(120, 150, 180, 255))
        d.rectangle((x + 16 * s, b - 150 * s, x + bw - 16 * s, b - 20 * s), fill=(190, 220, 235, 255))  # shop window
        awn = [(200, 60, 60), (40, 120, 170), (60, 140, 80)][int(ctx.rng.integers(0, 3))]
        for k in range(int(bw / (30 * s))):
            d.rectangle((x + k * 30 * s, b - 190 * s, x + (k + 1) * 30 * s, b - 150 * s),
                        fill=(*(awn if k % 2 == 0 else (245, 245, 240)), 255))
        x += bw + 4 * s
    c.paste(layer)
    c.ridge(np.full(c.w, b, dtype=np.float32), hexc("#b4b0a8"), bottom=hexc("#9c988e"), depth=ctx.H * 0.06)
    road_top = ctx.horizon(0.86)
    c.ridge(np.full(c.w, road_top, dtype=np.float32), hexc("#5a5c64"), bottom=hexc("#3c3e44"))
    layer = c.layer()
    d = ImageDraw.Draw(layer)
    for x in np.arange(0, c.w, 90 * s):  # a zebra crossing on the road
        d.rectangle((x, road_top + 30 * s, x + 45 * s, road_top + 60 * s), fill=(235, 235, 235, 255))
    c.paste(layer)
    ctx.sprites += E.clouds(ctx.W, ctx.H, ctx.dur, ctx.rng, n=2, y_range=(0.0, 0.12))
    ctx.sprites += E.birds(ctx.W, ctx.H, ctx.dur, ctx.rng, flocks=1, y_range=(0.05, 0.15))


@family("stadium")
def stadium(ctx: Ctx) -> None:
    c, s = ctx.c, ctx.s
    ctx.night = True
    c.vgradient([(0, hexc("#0c1430")), (0.35, hexc("#1c2c5a")), (1, hexc("#1c2c5a"))])
    stand_top, pitch = ctx.horizon(0.16), ctx.horizon(0.55)
    layer = c.layer()
    d = ImageDraw.Draw(layer)
    d.rectangle((0, stand_top, c.w, pitch), fill=(50, 56, 80, 255))  # the stands, full of fans
    for _ in range(int(c.w * (pitch - stand_top) / (90 * s * s))):
        x, y = ctx.rng.uniform(0, c.w), ctx.rng.uniform(stand_top + 8 * s, pitch - 6 * s)
        col = [(230, 60, 60), (250, 250, 250), (60, 110, 220), (250, 200, 60), (40, 40, 50)][int(ctx.rng.integers(0, 5))]
        d.ellipse((x - 5 * s, y - 5 * s, x + 5 * s, y + 5 * s), fill=(*col, 255))
    for k in range(1, 6):
        y = stand_top + (pitch - stand_top) * k / 6
        d.line([(0, y), (c.w, y)], fill=(30, 34, 50, 255), width=max(1, int(3 * s)))
    d.rectangle((0, pitch - 18 * s, c.w, pitch), fill=(220, 220, 230, 255))  # advertising boards
    c.paste(layer)
    c.ridge(np.full(c.w, pitch, dtype=np.float32), hexc("#3aa046"), bottom=hexc("#2a8036"))
    layer = c.layer()
    d = ImageDraw.Draw(layer)
    for k in range(10):  # mown stripes and the white lines
        y0 = pitch + (c.h - pitch) * (k / 10) ** 1.3
        y1 = pitch + (c.h - pitch) * ((k + 1) / 10) ** 1.3
        if k % 2 == 0:
            d.rectangle((0, y0, c.w, y1), fill=(60, 175, 70, 120))
    lw = max(2, int(5 * s))
    d.line([(c.w / 2, pitch), (c.w / 2, c.h)], fill=(245, 245, 245, 255), width=lw)
    d.ellipse((c.w / 2 - 220 * s, ctx.horizon(0.7) - 60 * s, c.w / 2 + 220 * s, ctx.horizon(0.7) + 60 * s),
              outline=(245, 245, 245, 255), width=lw)
    c.paste(layer)
    for x in (0.1, 0.35, 0.65, 0.9):  # floodlights
        c.glow(c.w * x, ctx.horizon(0.07), 260 * s, (255, 255, 230), 0.8, 1.6)
        c.disc(c.w * x, ctx.horizon(0.07), 26 * s, (255, 255, 245))
    ctx.sprites += E.twinkles(ctx.W, ctx.H, ctx.dur, ctx.rng, n=8, y_max=0.5, colour=(255, 255, 255))
