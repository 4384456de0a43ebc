"""Scene families of wild places: lake, river, waterfall, jungle, savanna, volcano, aurora,
polar ice, storm, beach, open sky."""

from __future__ import annotations

import math

import numpy as np
from PIL import ImageDraw, ImageFilter

from .. import effects as X
from .. import elements as E
from .. import props as P
from ..paint import hexc, mix, noise1d
from .registry import family
from .scenery import Ctx, frame_y, ground_curve, mountain_range, palm, round_tree, sky, sun, tree_row


def _reflect(ctx: Ctx, top: float, bottom: float, strength: float = 0.5) -> None:
    """Mirror the picture above ``top`` into the water below it, darkened and rippled."""
    c = ctx.c
    t, b = int(top), min(c.h, int(bottom))
    n = b - t
    if n <= 2 or t - n < 0:
        n = min(n, t)
    if n <= 2:
        return
    src = c.a[t - n:t][::-1].copy()
    ripple = (np.sin(np.arange(n, dtype=np.float32) * 0.9) * 3 * ctx.s).astype(int)
    for i in range(0, n, 2):
        src[i:i + 2] = np.roll(src[i:i + 2], int(ripple[i]), axis=1)
    reg = c.a[t:t + n]
    reg += (src * 0.8 - reg) * strength


@family("lake")
def lake(ctx: Ctx) -> None:
    c, s = ctx.c, ctx.s
    sky(ctx, "#6aa8e0", "#b5d8ef", "#eaf3ee", 0.55)
    sun(ctx, c.w * 0.3, ctx.horizon(0.16), 48 * s)
    c.ridge(mountain_range(ctx, ctx.horizon(0.5), ctx.H * 0.2, 7), hexc("#8ea6c4"), bottom=hexc("#6f88a8"), level=True)
    layer = c.layer()
    tree_row(ctx, layer, ground_curve(ctx, 0.56, 0.01, 2), int(c.w / (26 * s)), 70 * s, 130 * s, hexc("#2f5f48"))
    c.paste(layer)
    water = ctx.horizon(0.56)
    c.ridge(np.full(c.w, water, dtype=np.float32), hexc("#5d93b8"), bottom=hexc("#2f6a8f"), depth=ctx.H * 0.3)
    _reflect(ctx, water, water + ctx.H * 0.2, 0.45)
    shore = ground_curve(ctx, 0.86, 0.025, 1.3)
    c.ridge(shore - 6 * s, hexc("#b6d2c8"), alpha=0.5, soft=5)
    c.ridge(shore, hexc("#7daa5a"), bottom=hexc("#4f7f3a"))
    layer = c.layer()
    d = ImageDraw.Draw(layer)
    for _ in range(int(c.w / (30 * s))):  # reeds along the shore
        x = ctx.rng.uniform(0, c.w)
        b = float(shore[int(x) % c.w]) + 8 * s
        hh = ctx.rng.uniform(40, 90) * s
        d.line([(x, b), (x + ctx.rng.uniform(-8, 8) * s, b - hh)], fill=(70, 110, 50, 255), width=max(2, int(4 * s)))
    c.paste(layer)
    ctx.sprites += X.flow(ctx.W, frame_y(ctx, water) + ctx.H * 0.04, ctx.H * 0.2, ctx.rng, speed=10 * s, key="lakeflow")
    ctx.sprites += E.clouds(ctx.W, ctx.H, ctx.dur, ctx.rng, n=2, y_range=(0.04, 0.2))
    ctx.sprites += E.birds(ctx.W, ctx.H, ctx.dur, ctx.rng, flocks=1, y_range=(0.15, 0.35))


@family("river")
def river(ctx: Ctx) -> None:
    c, s = ctx.c, ctx.s
    sky(ctx, "#78b4e4", "#c4e2f2", "#f0f2dc", 0.5)
    c.ridge(ground_curve(ctx, 0.46, 0.05, 1.3), hexc("#9cbc8c"), bottom=hexc("#8ab07a"))
    layer = c.layer()
    tree_row(ctx, layer, ground_curve(ctx, 0.5, 0.02, 2), int(c.w / (60 * s)), 80 * s, 150 * s,
             hexc("#4f8a46"), kind="round")
    c.paste(layer)
    c.ridge(ground_curve(ctx, 0.52, 0.01, 2), hexc("#86b86a"), bottom=hexc("#5e9a48"))
    # the river winds from the far middle to the whole width at the bottom
    rows = np.arange(c.h, dtype=np.float32)
    top = ctx.horizon(0.55)
    layer_a = np.zeros((c.h, c.w), dtype=np.float32)
    xs = np.arange(c.w, dtype=np.float32)[None, :]
    t = np.clip((rows - top) / (c.h - top), 0, 1)[:, None]
    centre = c.w * (0.5 + 0.12 * np.sin(t * 5.0))
    half = c.w * (0.02 + 0.4 * t ** 1.3)
    layer_a[:] = np.clip((half - np.abs(xs - centre)) / 2 + 0.5, 0, 1) * (rows[:, None] > top)
    water = (np.array(hexc("#4f9ac8"), dtype=np.float32) * (1 - t[..., None] * 0.3)
             + np.array((20, 30, 40), dtype=np.float32) * t[..., None])  # float32: 1080p in a tenth of the time
    c.a += (water - c.a) * layer_a[..., None]
    c.check()
    banks = layer_a * np.clip(1 - np.abs(np.abs(xs - centre) - half) / (10 * s), 0, 1)
    c.a += banks[..., None] * np.array((40, 40, 30), dtype=np.float32)  # light banks
    layer = c.layer()
    d = ImageDraw.Draw(layer)
    for _ in range(14):  # stones at the banks
        x, y = ctx.rng.uniform(0, c.w), ctx.rng.uniform(ctx.horizon(0.75), c.h)
        r = ctx.rng.uniform(10, 26) * s * (y / c.h)
        d.ellipse((x - r * 1.4, y - r, x + r * 1.4, y + r), fill=(130, 126, 118, 255))
    c.paste(layer)
    ctx.sprites += X.flow(ctx.W, ctx.H * 0.66, ctx.H * 0.32, ctx.rng, speed=-45 * s, key="riverflow")
    ctx.sprites += E.birds(ctx.W, ctx.H, ctx.dur, ctx.rng, flocks=1, y_range=(0.1, 0.3))
    ctx.sprites += E.clouds(ctx.W, ctx.H, ctx.dur, ctx.rng, n=2, y_range=(0.02, 0.16))


@family("waterfall")
def waterfall(ctx: Ctx) -> None:
    c, s = ctx.c, ctx.s
    sky(ctx, "#5fa7d8", "#a9d6ea", "#dff2ea", 0.4)
    cliff_top = ctx.horizon(0.22)
    pool = ctx.horizon(0.74)
    fall_l, fall_r = c.w * 0.44, c.w * 0.56
    xs = np.arange(c.w, dtype=np.float32)
    rock = cliff_top + noise1d(c.w, ctx.rng, scale=3, octaves=3) * 40 * s
    rock = np.where((xs > fall_l) & (xs < fall_r), cliff_top, rock - np.abs(xs - c.w / 2) / c.w * ctx.H * 0.15)
    c.ridge(rock, hexc("#6f7c6a"), bottom=hexc("#3d4a40"), depth=ctx.H * 0.6)
    layer = c.layer()
    tree_row(ctx, layer, rock + 4 * s, int(c.w / (45 * s)), 90 * s, 170 * s, hexc("#2e6a3e"), kind="round")
    c.paste(layer)
    layer = c.layer()
    d = ImageDraw.Draw(layer)
    d.rectangle((fall_l, cliff_top, fall_r, pool), fill=(200, 232, 245, 255))
    for k in range(10):
        x = fall_l + (fall_r - fall_l) * (k + 0.5) / 10
        d.line([(x, cliff_top), (x, pool)], fill=(150, 200, 225, 255), width=max(2, int(6 * s)))
    c.paste(layer)
    c.ridge(np.full(c.w, pool, dtype=np.float32), hexc("#3f8fb0"), bottom=hexc("#24607e"), depth=ctx.H * 0.2)
    c.glow(c.w / 2, pool, 260 * s, (255, 255, 255), 0.7, 1.2)  # spray
    bank = ground_curve(ctx, 0.9, 0.02, 1.5)
    c.ridge(bank, hexc("#5c8c48"), bottom=hexc("#3c6a30"))
    layer = c.layer()
    d = ImageDraw.Draw(layer)
    for side in (-1, 1):  # ferns
        for _ in range(8):
            x = c.w / 2 + side * ctx.rng.uniform(0.15, 0.6) * c.w
            b = float(bank[int(x) % c.w]) + 6 * s
            for k in range(5):
                a = math.radians(-160 + k * 35)
                d.line([(x, b), (x + math.cos(a) * 70 * s, b + math.sin(a) * 60 * s)], fill=(60, 120, 50, 255),
                       width=max(2, int(7 * s)))
    c.paste(layer)
    ox = (ctx.w - ctx.W) / 2
    ctx.sprites += X.falling_water(fall_l - ox, frame_y(ctx, cliff_top), fall_r - fall_l, pool - cliff_top, ctx.rng)
    ctx.sprites += E.birds(ctx.W, ctx.H, ctx.dur, ctx.rng, flocks=1, y_range=(0.06, 0.2))


@family("jungle")
def jungle(ctx: Ctx) -> None:
    c, s = ctx.c, ctx.s
    c.vgradient([(0, hexc("#7fc7a0")), (0.4, hexc("#2f7a4a")), (1, hexc("#0f3a22"))])
    c.rays(c.w * 0.55, -c.h * 0.1, (230, 255, 200), n=7, strength=0.16, spread=0.5)
    for depth, col in enumerate(("#3f8a58", "#2b6e40", "#1a5530")):
        layer = c.layer()
        d = ImageDraw.Draw(layer)
        for _ in range(int(c.w / ((90 - depth * 20) * s))):
            x = ctx.rng.uniform(0, c.w)
            b = ctx.horizon(0.8 + depth * 0.06)
            round_tree(d, x, b, ctx.rng.uniform(260, 420) * s * (1 + depth * 0.2), hexc(col), ctx.rng)
        c.paste(layer)
        c.haze(ctx.horizon(0.6), 90 * s, (150, 210, 170), 0.25 - depth * 0.07)
    layer = c.layer()
    d = ImageDraw.Draw(layer)
    for _ in range(int(c.w / (160 * s))):  # hanging vines
        x = ctx.rng.uniform(0, c.w)
        ln = ctx.rng.uniform(0.2, 0.55) * c.h
        pts = [(x + math.sin(k * 0.8) * 10 * s, k / 10 * ln) for k in range(11)]
        d.line(pts, fill=(30, 80, 40, 255), width=max(2, int(5 * s)))
        for px, py in pts[3::2]:
            d.ellipse((px - 9 * s, py - 5 * s, px + 9 * s, py + 5 * s), fill=(60, 140, 60, 255))
    c.paste(layer)
    c.ridge(ground_curve(ctx, 0.92, 0.02, 2), hexc("#2d5a26"), bottom=hexc("#1a3a16"))
    layer = c.layer()
    d = ImageDraw.Draw(layer)
    for _ in range(int(c.w / (120 * s))):  # big leaves in front
        x, b = ctx.rng.uniform(0, c.w), ctx.horizon(1.0)
        for k in range(4):
            a = math.radians(-150 + k * 40)
            tip = (x + math.cos(a) * 160 * s, b + math.sin(a) * 150 * s)
            d.polygon([(x, b), ((x + tip[0]) / 2 - 20 * s, (b + tip[1]) / 2 - 10 * s), tip,
                       ((x + tip[0]) / 2 + 20 * s, (b + tip[1]) / 2 + 10 * s)], fill=(40, 110, 45, 255))
    c.paste(layer)
    ctx.sprites += E.butterflies(ctx.W, ctx.H, ctx.dur, ctx.rng, n=2)
    ctx.sprites += E.fireflies(ctx.W, ctx.H, ctx.dur, ctx.rng, n=5, y_range=(0.3, 0.7), colour=(220, 255, 170))


@family("savanna")
def savanna(ctx: Ctx) -> None:
    c, s = ctx.c, ctx.s
    sky(ctx, "#f0a050", "#f8cf7a", "#fbe6b0", 0.66)
    sun(ctx, c.w * 0.62, ctx.horizon(0.5), 90 * s, (255, 236, 180), 0.6)
    c.ridge(ground_curve(ctx, 0.64, 0.015, 1.1), hexc("#c99a5a"), bottom=hexc("#b8883f"))
    layer = c.layer()
    d = ImageDraw.Draw(layer)
    for _ in range(5):  # acacia trees: flat crowns on thin trunks
        x = ctx.rng.uniform(0.05, 0.95) * c.w
        b = ctx.horizon(ctx.rng.uniform(0.66, 0.72))
        hh = ctx.rng.uniform(130, 220) * s
        col = (70, 60, 40, 255)
        d.line([(x, b), (x + 6 * s, b - hh * 0.6), (x - 30 * s, b - hh)], fill=col, width=max(2, int(8 * s)))
        d.line([(x + 6 * s, b - hh * 0.6), (x + 40 * s, b - hh * 0.95)], fill=col, width=max(2, int(6 * s)))
        d.ellipse((x - hh * 0.75, b - hh * 1.12, x + hh * 0.75, b - hh * 0.86), fill=(80, 90, 40, 255))
    c.paste(layer)
    c.ridge(ground_curve(ctx, 0.76, 0.02, 1.4), hexc("#d9a85a"), bottom=hexc("#b98638"))
    layer = c.layer()
    d = ImageDraw.Draw(layer)
    for _ in range(int(c.w / (5 * s))):  # dry grass
        x = ctx.rng.uniform(0, c.w)
        y = ctx.rng.uniform(ctx.horizon(0.76), c.h)
        ln = (8 + 30 * (y - ctx.horizon(0.76)) / (c.h - ctx.horizon(0.76))) * s
        d.line([(x, y), (x + ctx.rng.uniform(-4, 4) * s, y - ln)], fill=(236, 196, 110, 200), width=max(1, int(2 * s)))
    c.paste(layer)
    ctx.sprites += E.birds(ctx.W, ctx.H, ctx.dur, ctx.rng, colour=(70, 40, 30), flocks=1, y_range=(0.2, 0.4))


@family("volcano")
def volcano(ctx: Ctx) -> None:
    c, s = ctx.c, ctx.s
    ctx.night = True
    sky(ctx, "#2a1418", "#6a2a20", "#c4582a", 0.6)
    far = "art:1F30B" in ctx.hints  # the draft's own volcano stands in front: this one is distant
    cx, top = (c.w * 0.3, ctx.horizon(0.5)) if far else (c.w * 0.5, ctx.horizon(0.28))
    xs = np.arange(c.w, dtype=np.float32)
    cone = top + np.abs(xs - cx) ** 1.15 * 0.9 * (ctx.H / c.w)
    cone = np.where(np.abs(xs - cx) < 60 * s, top + 10 * s, cone)
    c.glow(cx, top - 40 * s, 420 * s, (255, 120, 40), 0.8, 1.5)
    c.ridge(cone + noise1d(c.w, ctx.rng, scale=6, octaves=3) * 10 * s, hexc("#3a2a2a"), bottom=hexc("#1a1212"),
            depth=ctx.H * 0.6)
    layer = c.layer()
    d = ImageDraw.Draw(layer)
    for side in (-1, 1):  # lava rivers down the slopes
        pts = [(cx + side * 40 * s, top + 12 * s)]
        x, y = pts[0]
        for _ in range(8):
            x += side * ctx.rng.uniform(20, 60) * s
            y += ctx.rng.uniform(40, 70) * s
            pts.append((x, y))
        d.line(pts, fill=(255, 120, 30, 255), width=max(3, int(14 * s)), joint="curve")
        d.line(pts, fill=(255, 220, 120, 255), width=max(1, int(5 * s)), joint="curve")
    c.paste(layer.filter(ImageFilter.GaussianBlur(1.2 * s)))
    c.glow(cx, top, 160 * s, (255, 200, 80), 0.9, 2.0)
    for _ in range(6):  # smoke
        c.glow(cx + ctx.rng.uniform(-120, 120) * s, top - ctx.rng.uniform(120, 360) * s, ctx.rng.uniform(140, 240) * s,
               (-40, -45, -45), 0.6, 1.3)
    c.ridge(ground_curve(ctx, 0.86, 0.02, 1.5), hexc("#241a1a"), bottom=hexc("#120c0c"))
    ox = (ctx.w - ctx.W) / 2
    if not far:
        ctx.sprites += X.particles("1F30B", 0, f"{cx - ox:.1f}", f"{frame_y(ctx, top):.1f}", 0, "crater",
                                 min(ctx.W, ctx.H))
    ctx.sprites += E.falling(ctx.W, ctx.H, ctx.dur, ctx.rng, kind="petals", n=6,
                             colours=((90, 80, 80), (120, 100, 100), (70, 60, 60)))


@family("aurora")
def aurora(ctx: Ctx) -> None:
    c, s = ctx.c, ctx.s
    ctx.night = True
    sky(ctx, "#040a1c", "#0c2040", "#1a3a5a", 0.7)
    c.stars(int(420 * c.w / 1920), y_max=ctx.horizon(0.7), size=1.4 * s)
    c.glow(c.w * 0.4, ctx.horizon(0.3), 700 * s, (40, 200, 130), 0.25, 1.2)
    c.ridge(mountain_range(ctx, ctx.horizon(0.72), ctx.H * 0.16, 6), hexc("#1c2a3c"), bottom=hexc("#101a28"), level=True)
    snowline = ground_curve(ctx, 0.8, 0.015, 1.5)
    c.ridge(snowline, hexc("#c4d4e6"), bottom=hexc("#8ea4c4"))
    layer = c.layer()
    tree_row(ctx, layer, snowline + 10 * s, int(c.w / (70 * s)), 110 * s, 200 * s, (14, 24, 30), snow=True)
    c.paste(layer)
    water = ctx.horizon(0.88)
    c.ridge(np.full(c.w, water, dtype=np.float32), hexc("#16304a"), bottom=hexc("#0a1a2a"))
    c.glow(c.w * 0.4, water + 30 * s, 400 * s, (40, 180, 120), 0.3, 1.5)
    ctx.sprites += X.curtain(ctx.W, ctx.H, ctx.rng, top=0.02, height=0.5)
    ctx.sprites += E.twinkles(ctx.W, ctx.H, ctx.dur, ctx.rng, n=6, y_max=0.5)


@family("polar")
def polar(ctx: Ctx) -> None:
    c, s = ctx.c, ctx.s
    sky(ctx, "#9cc4e4", "#d4e8f4", "#f4f8fc", 0.58)
    sun(ctx, c.w * 0.7, ctx.horizon(0.3), 40 * s, (255, 252, 240), 0.3)
    sea = ctx.horizon(0.6)
    c.ridge(np.full(c.w, sea, dtype=np.float32), hexc("#3a78a8"), bottom=hexc("#1f4f78"), depth=ctx.H * 0.3)
    layer = c.layer()
    d = ImageDraw.Draw(layer)
    for _ in range(5):  # icebergs
        x, w = ctx.rng.uniform(0, c.w), ctx.rng.uniform(120, 300) * s
        hh = w * ctx.rng.uniform(0.4, 0.8)
        pts = [(x - w / 2, sea + 4 * s), (x - w * 0.3, sea - hh * 0.7), (x - w * 0.05, sea - hh),
               (x + w * 0.2, sea - hh * 0.6), (x + w / 2, sea + 4 * s)]
        d.polygon(pts, fill=(240, 248, 255, 255))
        d.polygon([pts[2], pts[3], pts[4], (x, sea + 4 * s)], fill=(190, 215, 235, 255))
    c.paste(layer)
    ice = ground_curve(ctx, 0.74, 0.012, 1.2)
    c.ridge(ice, hexc("#eef6fc"), bottom=hexc("#c6daec"))
    layer = c.layer()
    d = ImageDraw.Draw(layer)
    for _ in range(10):  # cracks in the ice
        x, y = ctx.rng.uniform(0, c.w), ctx.rng.uniform(ctx.horizon(0.78), c.h)
        d.line([(x, y), (x + ctx.rng.uniform(40, 140) * s, y + ctx.rng.uniform(-8, 8) * s)], fill=(150, 180, 210, 255),
               width=max(1, int(3 * s)))
    c.paste(layer)
    ctx.sprites += E.snow(ctx.W, ctx.H, ctx.dur, ctx.rng, density=0.5)


@family("storm")
def storm(ctx: Ctx) -> None:
    c, s = ctx.c, ctx.s
    ctx.night = True
    sky(ctx, "#1a1e2c", "#353c52", "#5a6276", 0.72)
    for _ in range(14):  # heavy cloud masses
        c.glow(ctx.rng.uniform(0, c.w), ctx.horizon(ctx.rng.uniform(0.0, 0.3)), ctx.rng.uniform(250, 500) * s,
               (-30, -28, -22), 0.7, 1.2)
    c.ridge(ground_curve(ctx, 0.74, 0.03, 1.2), hexc("#2e3a34"), bottom=hexc("#222c26"))
    layer = c.layer()
    tree_row(ctx, layer, ground_curve(ctx, 0.78, 0.01, 2), int(c.w / (120 * s)), 120 * s, 200 * s, (24, 34, 28),
             kind="round")
    c.paste(layer)
    c.ridge(ground_curve(ctx, 0.84, 0.015, 1.5), hexc("#30402e"), bottom=hexc("#18201a"))
    bolts = X.lightning(ctx.W, ctx.H, ctx.rng)
    ctx.sprites += E.clouds(ctx.W, ctx.H, ctx.dur, ctx.rng, n=3, colour=(70, 76, 92), shade=(48, 52, 66),
                            y_range=(-0.05, 0.12))
    ctx.sprites += X.flash(ctx.W, ctx.H, bolts) + bolts
    ctx.sprites += E.rain(ctx.W, ctx.H, ctx.dur, ctx.rng, density=1.2)


@family("beach")
def beach(ctx: Ctx) -> None:
    c, s = ctx.c, ctx.s
    sky(ctx, "#2f9ee0", "#86d0f2", "#dff6fa", 0.5)
    sun(ctx, c.w * 0.8, ctx.horizon(0.14), 56 * s)
    sea = ctx.horizon(0.5)
    c.ridge(np.full(c.w, sea, dtype=np.float32), hexc("#1fa6c4"), bottom=hexc("#3cc8c8"), depth=ctx.H * 0.2)
    sand_top = ctx.horizon(0.68) + noise1d(c.w, ctx.rng, scale=1.2, octaves=2) * 14 * s
    c.ridge(sand_top - 10 * s, (235, 250, 250), alpha=0.8, soft=6)
    c.ridge(sand_top, hexc("#f6e2a8"), bottom=hexc("#e8c680"))
    layer = c.layer()
    d = ImageDraw.Draw(layer)
    if ctx.own("tree"):  # (the draft's palm trees are the beach's)
        palm(d, c.w * 0.08, ctx.horizon(0.98), ctx.H * 0.6, s, (60, 110, 50, 255))
        palm(d, c.w * 0.93, ctx.horizon(0.94), ctx.H * 0.48, s, (70, 120, 55, 255))
    ux, uy = c.w * 0.7, ctx.horizon(0.8)  # a parasol and a towel
    d.line([(ux, uy - 150 * s), (ux + 10 * s, uy + 40 * s)], fill=(120, 90, 70, 255), width=max(2, int(6 * s)))
    d.pieslice((ux - 130 * s, uy - 220 * s, ux + 130 * s, uy - 80 * s), 180, 360, fill=(240, 80, 80, 255))
    d.rectangle((ux - 200 * s, uy + 40 * s, ux - 60 * s, uy + 70 * s), fill=(80, 160, 240, 255))
    for _ in range(6):  # shells
        x, y = ctx.rng.uniform(0, c.w), ctx.rng.uniform(ctx.horizon(0.78), c.h)
        d.ellipse((x - 7 * s, y - 5 * s, x + 7 * s, y + 5 * s), fill=(250, 210, 200, 255))
    c.paste(layer)
    ctx.sprites += P.waves(ctx.W, ctx.H, frame_y(ctx, sea) + ctx.H * 0.1, ctx.H * 0.08, (40, 170, 200), (250, 255, 255),
                           ctx.rng, 30, "beachwave")
    ctx.sprites += E.clouds(ctx.W, ctx.H, ctx.dur, ctx.rng, n=2, y_range=(0.03, 0.2))
    ctx.sprites += E.birds(ctx.W, ctx.H, ctx.dur, ctx.rng, colour=(250, 250, 250), flocks=1, y_range=(0.15, 0.3))


@family("sky")
def open_sky(ctx: Ctx) -> None:
    c, s = ctx.c, ctx.s
    c.vgradient([(0, hexc("#2a7fd4")), (0.6, hexc("#7cc0f0")), (1, hexc("#d8eefa"))])
    sun(ctx, c.w * 0.25, ctx.horizon(0.2), 70 * s, (255, 253, 240), 0.5)
    for _ in range(10):  # soft cloud banks painted into the sky
        x, y = ctx.rng.uniform(0, c.w), ctx.horizon(ctx.rng.uniform(0.55, 1.0))
        for _k in range(6):
            c.disc(x + ctx.rng.uniform(-120, 120) * s, y + ctx.rng.uniform(-30, 30) * s,
                   ctx.rng.uniform(50, 110) * s, mix((255, 255, 255), (210, 230, 250), ctx.rng.uniform(0, 0.4)),
                   soft=8 * s)
    ctx.sprites += E.clouds(ctx.W, ctx.H, ctx.dur, ctx.rng, n=4, y_range=(0.1, 0.6))
    ctx.sprites += E.birds(ctx.W, ctx.H, ctx.dur, ctx.rng, flocks=2, y_range=(0.2, 0.5))
