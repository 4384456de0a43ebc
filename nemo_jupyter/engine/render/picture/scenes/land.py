"""Scene families on land: forest, meadow with birds, mountains and snow, flowers, desert."""

from __future__ import annotations

import math

import numpy as np
from PIL import Image, ImageDraw

from .. import elements as E
from ..paint import hexc, mix, noise1d
from .registry import family
from .scenery import Ctx, finish_fg, ground_curve, mountain_range, sky, sky_light, strip, sun, tree_row


@family("forest")
def forest(ctx: Ctx) -> None:
    c, s = ctx.c, ctx.s
    sky(ctx, "#7fb7e6", "#bfe0ef", "#f4efd2", 0.58)
    sx, sy = c.w * 0.74, ctx.horizon(0.2)
    sun(ctx, sx, sy, 62 * s, (255, 255, 246), 0.4, 520 * s, (255, 226, 150), 2.2)
    c.ridge(ground_curve(ctx, 0.5, 0.05, 1.5), hexc("#9fb9c4"), bottom=hexc("#8fb0a8"))
    layer = c.layer()
    tree_row(ctx, layer, ground_curve(ctx, 0.56, 0.03, 2), int(c.w / (22 * s)), 110 * s, 190 * s, hexc("#6e9a8c"), counted=False)
    c.paste(layer)
    c.haze(ctx.horizon(0.55), 60 * s, (220, 235, 225), 0.35)
    layer = c.layer()
    tree_row(ctx, layer, ground_curve(ctx, 0.66, 0.02, 2), int(c.w / (30 * s)), 200 * s, 320 * s, hexc("#3f7a5a"), counted=False)
    c.paste(layer)
    c.ridge(ground_curve(ctx, 0.655, 0.01, 2), hexc("#5d9a4a"), bottom=hexc("#3e7434"))
    if not (ctx.tod or ctx.wx):  # rays of sunlight through the trees, on a plain day
        c.rays(sx, sy, (255, 245, 200), n=6, strength=0.08)
    # near trees in a foreground strip (parallax) or painted in
    fg, y0 = strip(ctx, 0.35)
    if not ctx.want_fg:
        fg = Image.new("RGBA", (c.w, fg.height), (0, 0, 0, 0))
    d = ImageDraw.Draw(fg)
    base = fg.height * 1.02
    tree_row(ctx, fg, base, max(3, int(fg.width / (260 * s))), 520 * s, 700 * s, hexc("#1f4d33"), jitter=10 * s, counted=False)
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
    finish_fg(ctx, fg, y0)
    ctx.sprites += E.falling(ctx.W, ctx.H, ctx.dur, ctx.rng, n=6)


@family("birds")
def birds(ctx: Ctx) -> None:
    c, s = ctx.c, ctx.s
    sky(ctx, "#4f8fd6", "#9cc8ee", "#e8f2f4", 0.7)
    sky_light(ctx, c.w * 0.2, ctx.horizon(0.15), 600 * s, (255, 250, 220), 0.4)
    c.ridge(ground_curve(ctx, 0.72, 0.04, 1.2), hexc("#8fb6c8"), bottom=hexc("#a8c7b8"))
    c.ridge(ground_curve(ctx, 0.8, 0.03, 1.8), hexc("#7fae62"), bottom=hexc("#5c8f45"))
    layer = c.layer()
    tree_row(ctx, layer, ground_curve(ctx, 0.81, 0.01, 2), int(c.w / (120 * s)), 90 * s, 160 * s,
              hexc("#4f8a46"), kind="round")
    c.paste(layer)
    c.ridge(ground_curve(ctx, 0.9, 0.015, 2), hexc("#6aa34e"), bottom=hexc("#4d8a3a"))
    ctx.sprites += E.clouds(ctx.W, ctx.H, ctx.dur, ctx.rng, n=3)
    ctx.sprites += E.birds(ctx.W, ctx.H, ctx.dur, ctx.rng, flocks=2, y_range=(0.12, 0.45), scale=1.8)
    ctx.sprites += E.birds(ctx.W, ctx.H, ctx.dur, ctx.rng, flocks=1, y_range=(0.3, 0.5), scale=1.0)


@family("mountains")
def mountains(ctx: Ctx, snow: bool = False) -> None:
    c, s = ctx.c, ctx.s
    snow = snow or "snow" in ctx.hints
    if snow:
        sky(ctx, "#8fa8c8", "#c9d6e6", "#eef2f7", 0.6)
    else:
        sky(ctx, "#2f78c8", "#86bde8", "#e4f0f4", 0.6)
    sky_light(ctx, c.w * 0.7, ctx.horizon(0.14), 460 * s, (255, 250, 230), 0.35)
    for i, (frac, amp, col) in enumerate(((0.5, 0.3, "#a9bcd8"), (0.56, 0.24, "#7b95b9"), (0.64, 0.16, "#56739a"))):
        peaks = mountain_range(ctx, ctx.horizon(frac), ctx.H * amp, n=int(4 + 2 * i + c.w / ctx.W * 2))
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
    base = ground_curve(ctx, 0.78, 0.02, 1.5)
    c.ridge(base, (240, 244, 250) if snow else hexc("#4e8a4a"), bottom=(200, 212, 230) if snow else hexc("#2f5e32"))
    layer = c.layer()
    tree_row(ctx, layer, base + 6 * s, int(c.w / (40 * s)), 140 * s, 260 * s, hexc("#24503a"), snow=snow)
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


@family("snow")
def snowscape(ctx: Ctx) -> None:
    mountains(ctx, snow=True)


@family("flowers")
def flowers(ctx: Ctx) -> None:
    c, s = ctx.c, ctx.s
    sky(ctx, "#5aa0e0", "#a8d4f0", "#eef6e8", 0.55)
    sky_light(ctx, c.w * 0.78, ctx.horizon(0.12), 450 * s, (255, 250, 220), 0.45)
    c.ridge(ground_curve(ctx, 0.52, 0.04, 1.2), hexc("#8cbf7a"), bottom=hexc("#7bb066"))
    c.ridge(ground_curve(ctx, 0.6, 0.03, 1.6), hexc("#74b05a"), bottom=hexc("#5f9c48"))
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


@family("desert")
def desert(ctx: Ctx) -> None:
    c, s = ctx.c, ctx.s
    sky(ctx, "#3d8fd0", "#9fd0ea", "#fbe3b0", 0.62)
    sun(ctx, c.w * 0.68, ctx.horizon(0.22), 80 * s, (255, 250, 225), 0.6, 650 * s, (255, 230, 160), 1.5)
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
