"""Scene families of town life outdoors: market stalls, a station platform, a canal town, a snowy
village."""

from __future__ import annotations

import numpy as np
from PIL import ImageDraw

from .. import elements as E
from .. import props as P
from ..paint import hexc, mix
from .places import _house
from .registry import family
from .scenery import Ctx, ground_curve, pine, sky, sun

_AWNINGS = ((214, 64, 60), (46, 120, 190), (240, 170, 40), (60, 150, 90), (200, 90, 150))
_FRUIT = ((230, 60, 50), (250, 170, 40), (120, 190, 60), (250, 220, 60), (150, 60, 130))


def _facades(ctx: Ctx, d: ImageDraw.ImageDraw, base: float, hmin: float, hmax: float,
             palette: tuple[tuple[int, int, int], ...]) -> None:
    """A row of town houses standing on ``base`` (canvas row), windows in rows."""
    c, s = ctx.c, ctx.s
    x = -ctx.rng.uniform(0, 60) * s
    while x < c.w:
        bw = ctx.rng.uniform(110, 170) * s
        bh = ctx.H * ctx.rng.uniform(hmin, hmax)
        col = palette[int(ctx.rng.integers(0, len(palette)))]
        d.rectangle((x, base - bh, x + bw, base), fill=(*col, 255))
        d.polygon([(x - 4 * s, base - bh), (x + bw / 2, base - bh - bw * 0.35), (x + bw + 4 * s, base - bh)],
                  fill=(*mix(col, (60, 40, 40), 0.45), 255))
        for wy in np.arange(base - bh + 24 * s, base - 40 * s, 46 * s):
            for wx in np.arange(x + 16 * s, x + bw - 28 * s, 40 * s):
                d.rectangle((wx, wy, wx + 20 * s, wy + 26 * s), fill=(168, 208, 236, 255))
        x += bw + 2 * s


@family("market")
def market(ctx: Ctx) -> None:
    """Market stalls under striped awnings, crates of fruit, bunting, the town behind."""
    c, s = ctx.c, ctx.s
    sky(ctx, "#5fa8e6", "#a9d3f2", "#eef4ec", 0.5)
    sun(ctx, c.w * 0.8, ctx.horizon(0.14), 48 * s)
    layer = c.layer()
    d = ImageDraw.Draw(layer)
    _facades(ctx, d, ctx.horizon(0.56), 0.18, 0.34, ((236, 214, 180), (214, 160, 130), (190, 200, 170),
                                                     (240, 230, 200), (200, 170, 190)))
    c.paste(layer)
    c.ridge(np.full(c.w, ctx.horizon(0.56), dtype=np.float32), hexc("#b8a890"), bottom=hexc("#8e7e68"))
    layer = c.layer()
    d = ImageDraw.Draw(layer)
    for y in np.arange(ctx.horizon(0.6), c.h, 26 * s):  # cobbles
        off = 20 * s if int(y / (26 * s)) % 2 else 0
        for x in np.arange(-off, c.w, 40 * s):
            d.rounded_rectangle((x, y, x + 36 * s, y + 22 * s), radius=int(6 * s), fill=(160, 146, 124, 255))
    base = ctx.horizon(0.74)
    x = ctx.rng.uniform(0, 40) * s
    k = 0
    while x < c.w:  # the stalls
        sw = ctx.rng.uniform(230, 300) * s
        col = _AWNINGS[k % len(_AWNINGS)]
        top = base - 230 * s
        d.rectangle((x + 8 * s, top, x + 14 * s, base), fill=(110, 80, 50, 255))
        d.rectangle((x + sw - 14 * s, top, x + sw - 8 * s, base), fill=(110, 80, 50, 255))
        stripes = 6
        for j in range(stripes):  # the striped awning, scalloped
            x0 = x + sw * j / stripes
            fill = col if j % 2 == 0 else (250, 246, 236)
            d.polygon([(x0, top), (x0 + sw / stripes, top), (x0 + sw / stripes + 6 * s, top + 46 * s),
                       (x0 + 6 * s, top + 46 * s)], fill=(*fill, 255))
            d.pieslice((x0 + 6 * s, top + 34 * s, x0 + sw / stripes + 6 * s, top + 60 * s), 0, 180, fill=(*fill, 255))
        d.rectangle((x, base - 90 * s, x + sw, base - 70 * s), fill=(150, 105, 60, 255))  # the counter
        d.rectangle((x + 6 * s, base - 70 * s, x + sw - 6 * s, base), fill=(120, 84, 50, 255))
        for j in range(int(sw / (26 * s))):  # fruit heaped on it
            fx = x + 14 * s + j * 26 * s
            fc = _FRUIT[(j + k) % len(_FRUIT)]
            for row in range(2):
                d.ellipse((fx + row * 8 * s, base - 106 * s - row * 14 * s, fx + 20 * s + row * 8 * s,
                           base - 86 * s - row * 14 * s), fill=(*fc, 255))
        x += sw + ctx.rng.uniform(30, 70) * s
        k += 1
    for y0 in (ctx.horizon(0.08), ctx.horizon(0.16)):  # bunting across the street
        pts = [(x, y0 + 30 * s * np.sin(np.pi * (x % (c.w / 3)) / (c.w / 3))) for x in np.arange(0, c.w, 4 * s)]
        d.line(pts, fill=(80, 70, 60, 255), width=max(1, int(2 * s)))
        for j, (px, py) in enumerate(pts[:: max(1, 10)]):
            fc = _AWNINGS[j % len(_AWNINGS)]
            d.polygon([(px - 10 * s, py), (px + 10 * s, py), (px, py + 24 * s)], fill=(*fc, 255))
    c.paste(layer)
    ctx.sprites += E.clouds(ctx.W, ctx.H, ctx.dur, ctx.rng, n=2, y_range=(0.02, 0.14))
    ctx.sprites += E.birds(ctx.W, ctx.H, ctx.dur, ctx.rng, flocks=1, y_range=(0.05, 0.2))


@family("station")
def station(ctx: Ctx) -> None:
    """A station platform under its canopy, a train waiting at the far side, the platform's edge."""
    c, s = ctx.c, ctx.s
    sky(ctx, "#7ab4e4", "#b8d8ee", "#e8eef0", 0.45)
    sun(ctx, c.w * 0.2, ctx.horizon(0.1), 40 * s)
    layer = c.layer()
    d = ImageDraw.Draw(layer)
    rail = ctx.horizon(0.62)
    # the waiting train's shadowed side; with the draft's own trains, the far platform's wall
    d.rectangle((0, ctx.horizon(0.22), c.w, rail), fill=(40, 44, 52, 255) if ctx.own("train") else (176, 160, 146, 255))
    car_w = 520 * s
    for x in np.arange(-ctx.rng.uniform(0, car_w), c.w if ctx.own("train") else -c.w, car_w):  # the carriages
        d.rounded_rectangle((x + 6 * s, ctx.horizon(0.24), x + car_w - 6 * s, rail - 14 * s), radius=int(20 * s),
                            fill=(200, 46, 52, 255))
        d.rectangle((x + 6 * s, ctx.horizon(0.5), x + car_w - 6 * s, ctx.horizon(0.53)), fill=(250, 250, 250, 255))
        for wx in np.arange(x + 40 * s, x + car_w - 80 * s, 90 * s):
            d.rounded_rectangle((wx, ctx.horizon(0.3), wx + 64 * s, ctx.horizon(0.42)), radius=int(8 * s),
                                fill=(168, 208, 236, 255))
        d.rectangle((x + car_w * 0.46, ctx.horizon(0.29), x + car_w * 0.54, rail - 16 * s), fill=(150, 30, 36, 255))
    c.paste(layer)
    c.ridge(np.full(c.w, rail, dtype=np.float32), hexc("#b4b0a8"), bottom=hexc("#8a8680"))
    layer = c.layer()
    d = ImageDraw.Draw(layer)
    d.rectangle((0, rail, c.w, rail + 16 * s), fill=(236, 200, 40, 255))  # the yellow safety line
    for x in np.arange(0, c.w, 60 * s):
        d.line([(x, rail + 30 * s), (x - (x - c.w / 2) * 0.6, c.h)], fill=(120, 116, 110, 120), width=max(1, int(2 * s)))
    canopy = ctx.horizon(0.16)
    d.rectangle((0, 0, c.w, canopy), fill=(70, 80, 92, 255))  # the canopy
    for x in np.arange(0, c.w, 34 * s):
        d.line([(x, 0), (x, canopy)], fill=(88, 98, 110, 255), width=max(1, int(3 * s)))
    for x in np.arange(80 * s, c.w, 420 * s):  # pillars, lamps and a clock
        d.rectangle((x, canopy, x + 22 * s, rail + 40 * s), fill=(60, 70, 82, 255))
        d.polygon([(x - 40 * s, canopy), (x + 62 * s, canopy), (x + 11 * s, canopy + 40 * s)], fill=(60, 70, 82, 255))
    cx, cy = c.w * 0.5, canopy + 60 * s
    d.line([(cx, canopy), (cx, cy - 34 * s)], fill=(40, 40, 44, 255), width=max(2, int(4 * s)))
    d.ellipse((cx - 34 * s, cy - 34 * s, cx + 34 * s, cy + 34 * s), fill=(250, 250, 246, 255), outline=(30, 30, 34, 255),
              width=max(2, int(5 * s)))
    d.line([(cx, cy), (cx, cy - 24 * s)], fill=(30, 30, 34, 255), width=max(2, int(4 * s)))
    d.line([(cx, cy), (cx + 16 * s, cy + 6 * s)], fill=(30, 30, 34, 255), width=max(2, int(4 * s)))
    c.paste(layer)


@family("canal_town")
def canal_town(ctx: Ctx) -> None:
    """A canal between tall narrow houses, a bridge's arch, the water reflecting the town."""
    c, s = ctx.c, ctx.s
    sky(ctx, "#6aaee8", "#b0d6f0", "#f2ecdc", 0.55)
    sun(ctx, c.w * 0.78, ctx.horizon(0.12), 44 * s)
    water = ctx.horizon(0.62)
    layer = c.layer()
    d = ImageDraw.Draw(layer)
    _facades(ctx, d, water, 0.3, 0.46, ((222, 120, 80), (236, 196, 120), (180, 90, 70), (230, 214, 190),
                                        (150, 170, 140), (200, 140, 110)))
    c.paste(layer)
    c.ridge(np.full(c.w, water, dtype=np.float32), hexc("#3f8aa0"), bottom=hexc("#2a6478"), depth=ctx.H * 0.2)
    band = c.a[int(water - ctx.H * 0.3):int(water)]  # the town mirrored in the canal, rippled
    n = min(len(band), c.h - int(water) - 1, int(ctx.H * 0.16))
    if n > 0:
        mirror = band[::-1][:n]
        shift = (np.sin(np.arange(n) * 0.9) * 4 * s).astype(int)
        rows = np.array([np.roll(mirror[k], shift[k], axis=0) for k in range(n)])
        dst = c.a[int(water):int(water) + n]
        dst += (rows * 0.7 + np.array((40, 110, 130), dtype=np.float32) * 0.3 - dst) * 0.55
    layer = c.layer()
    d = ImageDraw.Draw(layer)
    bx, by = c.w * 0.55, water  # a stone bridge over the canal
    d.pieslice((bx - 220 * s, by - 120 * s, bx + 220 * s, by + 120 * s), 180, 360, fill=(200, 180, 150, 255))
    d.pieslice((bx - 160 * s, by - 80 * s, bx + 160 * s, by + 80 * s), 180, 360, fill=(60, 110, 130, 255))
    d.rectangle((bx - 240 * s, by - 130 * s, bx + 240 * s, by - 112 * s), fill=(180, 160, 130, 255))
    bank = ctx.horizon(0.8)  # the near quay (where people stand)
    d.rectangle((0, bank, c.w, c.h), fill=(178, 160, 140, 255))
    d.rectangle((0, bank, c.w, bank + 10 * s), fill=(140, 124, 108, 255))
    for x in np.arange(0, c.w, 300 * s):
        d.rectangle((x + 100 * s, bank - 70 * s, x + 110 * s, bank), fill=(50, 50, 56, 255))  # mooring posts
    c.paste(layer)
    ctx.sprites += P.waves(ctx.W, ctx.H, water - (ctx.h - ctx.H) / 2 + 30 * s, 36 * s, (60, 120, 140), (190, 224, 236),
                           ctx.rng, speed=14 * s, key="canal")
    ctx.sprites += E.birds(ctx.W, ctx.H, ctx.dur, ctx.rng, flocks=1, y_range=(0.05, 0.2))


@family("snowy_village")
def snowy_village(ctx: Ctx) -> None:
    """Houses with snow on their roofs and warm windows, snowy pines, hills under snow, snowfall."""
    c, s = ctx.c, ctx.s
    sky(ctx, "#8aa6c4", "#c2d2e2", "#eef2f6", 0.55)
    sun(ctx, c.w * 0.3, ctx.horizon(0.14), 36 * s, (255, 250, 236), 0.25)
    c.ridge(ground_curve(ctx, 0.5, 0.05, 1.0), hexc("#dfe7f0"), bottom=hexc("#c8d4e2"))
    layer = c.layer()
    d = ImageDraw.Draw(layer)
    for x in np.arange(0, c.w if ctx.own("tree") else 0, 90 * s):
        pine(d, x + ctx.rng.uniform(-20, 20) * s, ctx.horizon(0.55), ctx.rng.uniform(80, 140) * s,
             (*mix(hexc("#2f5a48"), (200, 210, 220), 0.3), 255), snow=True)
    c.paste(layer)
    c.ridge(ground_curve(ctx, 0.62, 0.02, 1.6), hexc("#f2f6fa"), bottom=hexc("#dce6f0"))
    layer = c.layer()
    d = ImageDraw.Draw(layer)
    x = ctx.rng.uniform(0, 80) * s
    while x < c.w:
        w = ctx.rng.uniform(120, 170) * s
        b = ctx.horizon(0.7) + ctx.rng.uniform(-10, 10) * s
        wall = [(160, 90, 70), (200, 170, 120), (120, 80, 60), (220, 210, 190)][int(ctx.rng.integers(0, 4))]
        _house(d, x + w / 2, b, w, (*wall, 255), (120, 60, 50, 255), s)
        h = w * 0.7  # snow on the roof and on the sills
        d.polygon([(x + w / 2 - w * 0.62, b - h + 4 * s), (x + w / 2, b - h - w * 0.47), (x + w / 2 + w * 0.62, b - h + 4 * s),
                   (x + w / 2, b - h - w * 0.36)], fill=(250, 252, 255, 255))
        d.rectangle((x + w * 0.1, b - h * 0.5, x + w * 0.9, b - h * 0.46), fill=(250, 252, 255, 255))
        x += w + ctx.rng.uniform(60, 160) * s
    for x in np.arange(40 * s, c.w if ctx.own("tree") else 0, 260 * s):
        pine(d, x, ctx.horizon(0.8), ctx.rng.uniform(150, 210) * s, (36, 80, 60, 255), snow=True)
    c.paste(layer)
    c.ridge(ground_curve(ctx, 0.84, 0.01, 2.0), hexc("#f6f9fc"), bottom=hexc("#e4ecf4"))
    ctx.sprites += E.snow(ctx.W, ctx.H, ctx.dur, ctx.rng, density=0.6)
