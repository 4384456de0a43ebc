"""Scene families of the sky and the town at night: city, night sky, rain, space, abstract."""

from __future__ import annotations

import math

import numpy as np
from PIL import Image, ImageDraw, ImageFilter

from .. import elements as E
from .. import props as P
from ..paint import Colour
from .registry import family
from .scenery import Ctx, ground_curve, sky, sun, tree_row


@family("city")
def city(ctx: Ctx) -> None:
    """A city skyline: at night (as it shows by itself) with lit windows, street lamps and cars'
    lights; by day (or at dawn and dusk) in daylight, its windows the sky's reflection."""
    c, s = ctx.c, ctx.s
    night = (ctx.tod or "night") == "night"
    ctx.night = night
    sky(ctx, "#0b1030", "#2a2a63", "#c8647a", 0.72)
    if night and ctx.wx not in ("rain", "storm", "snow", "fog", "clouds"):
        c.stars(int(120 * c.w / 1920), y_max=ctx.horizon(0.45), size=1.6 * s)
    if night and ctx.wx not in ("rain", "storm", "snow", "fog"):
        mx, my = c.w * 0.8, ctx.horizon(0.16)
        c.glow(mx, my, 300 * s, (200, 210, 255), 0.35)
        c.disc(mx, my, 52 * s, (245, 240, 220))
        c.disc(mx + 16 * s, my - 10 * s, 48 * s, (40, 40, 90), alpha=0.0)
    elif not night:
        sun(ctx, c.w * 0.8, ctx.horizon(0.16), 50 * s)
    road = ctx.horizon(0.86)
    towers = (((40, 44, 92), 0.25, 0.45, 60, 130, 0.15), ((26, 28, 62), 0.18, 0.38, 80, 160, 0.35),
              ((14, 15, 36), 0.08, 0.30, 110, 200, 0.45))
    if not night:  # concrete and glass in daylight, far towers paler
        towers = (((170, 182, 204), 0.25, 0.45, 60, 130, 0.0), ((128, 142, 170), 0.18, 0.38, 80, 160, 0.0),
                  ((92, 104, 132), 0.08, 0.30, 110, 200, 0.0))
    for depth, (col, hmin, hmax, wmin, wmax, lit) in enumerate(towers):
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
                    elif not night:  # glass reflecting the sky
                        d.rectangle((xx, yy, xx + ww, yy + wh), fill=(196, 222, 242, 255))
                    xx += gx
                yy += gy
            x += bw + ctx.rng.uniform(2, 20) * s
        c.paste(layer)
        c.haze(road - 20 * s, 80 * s, (200, 90, 120) if night else (220, 230, 240), 0.12)
    c.ridge(np.full(c.w, road, dtype=np.float32), (22, 22, 34) if night else (70, 72, 80),
            bottom=(10, 10, 16) if night else (50, 52, 58))
    layer = c.layer()
    d = ImageDraw.Draw(layer)
    for x in np.arange(0, c.w, 260 * s):
        d.rectangle((x, road + 34 * s, x + 120 * s, road + 40 * s), fill=(200, 190, 120, 200))
        d.line([(x + 60 * s, road), (x + 60 * s, road - 120 * s)], fill=(60, 60, 70, 255), width=max(2, int(5 * s)))
    c.paste(layer)
    if not night:
        return
    for x in np.arange(0, c.w, 260 * s):
        c.glow(x + 60 * s, road - 120 * s, 90 * s, (255, 200, 120), 0.6)
    frame_road = road - (ctx.h - ctx.H) / 2
    ctx.sprites += P.car_lights(ctx.W, ctx.H, ctx.dur, ctx.rng, frame_road + 8 * s)
    if ctx.wx not in ("rain", "storm", "snow", "fog", "clouds"):
        ctx.sprites += E.twinkles(ctx.W, ctx.H, ctx.dur, ctx.rng, n=6, y_max=0.3)


def _noise(ctx: Ctx, w: int, h: int, sigma: float) -> Image.Image:
    """Grey Gaussian noise around mid-grey from the scene's own generator (PIL's ``effect_noise``
    draws from the C library's process-wide ``rand()``: a painting would differ from one call to
    the next and with whatever ran before it in the process)."""
    return Image.fromarray(np.clip(ctx.rng.normal(128.0, sigma, (h, w)), 0, 255).astype(np.uint8), "L")


@family("night_sky")
def night_sky(ctx: Ctx) -> None:
    c, s = ctx.c, ctx.s
    ctx.night = True
    sky(ctx, "#050817", "#12224a", "#2d3f70", 0.75)
    # milky way: a diagonal band of soft noise
    yy, xx = np.mgrid[0:c.h:4, 0:c.w:4].astype(np.float32)
    band = np.exp(-(((yy - c.h * 0.7 + xx * 0.45 * c.h / c.w) / (c.h * 0.12)) ** 2))
    tex = np.asarray(_noise(ctx, band.shape[1], band.shape[0], 60).filter(ImageFilter.GaussianBlur(6)),
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
    c.ridge(ground_curve(ctx, 0.8, 0.05, 1.2), (14, 20, 34))
    layer = c.layer()
    tree_row(ctx, layer, ground_curve(ctx, 0.86, 0.01, 2), int(c.w / (90 * s)), 160 * s, 280 * s, (8, 12, 22))
    c.paste(layer)
    c.ridge(ground_curve(ctx, 0.9, 0.015, 2), (6, 9, 16))
    ctx.sprites += E.twinkles(ctx.W, ctx.H, ctx.dur, ctx.rng, n=10, y_max=0.6)
    ctx.sprites += E.shooting_star(ctx.W, ctx.H, ctx.dur, ctx.rng)
    ctx.sprites += E.fireflies(ctx.W, ctx.H, ctx.dur, ctx.rng, n=6, y_range=(0.75, 0.95))


@family("rain")
def rainy(ctx: Ctx) -> None:
    c, s = ctx.c, ctx.s
    sky(ctx, "#4a5668", "#6f7d90", "#9aa6b4", 0.65)
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


@family("space")
def space(ctx: Ctx) -> None:
    c, s = ctx.c, ctx.s
    ctx.night = True
    c.vgradient([(0, (6, 4, 18)), (0.5, (16, 8, 40)), (1, (4, 6, 20))])
    for col in ((120, 40, 160), (40, 90, 180), (200, 60, 120)):
        c.check()  # three full-frame nebula layers: a cancel may stop between them
        tex = np.asarray(_noise(ctx, c.w // 8, c.h // 8, 90).filter(ImageFilter.GaussianBlur(4)),
                         dtype=np.float32) / 255.0
        m = np.asarray(Image.fromarray((np.clip((tex - 0.5) * 2.2, 0, 1) * 255).astype(np.uint8)).resize(
            (c.w, c.h), Image.Resampling.BICUBIC), dtype=np.float32) / 255.0
        c.a += m[..., None] * np.array(col, dtype=np.float32) * 0.55
    c.stars(int(700 * c.w / 1920), y_max=c.h, size=1.4 * s)
    if "actors" not in ctx.hints:  # the draft's own planets take the stage
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
    if "actors" in ctx.hints:
        return
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


@family("abstract")
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
    ctx.sprites += P.blobs(ctx.W, ctx.H, ctx.dur, ctx.rng,
                           [hsv(hue + 0.5, 0.5, 1.0), hsv(hue + 0.3, 0.6, 1.0), hsv(hue - 0.1, 0.4, 1.0)])
    ctx.sprites += E.twinkles(ctx.W, ctx.H, ctx.dur, ctx.rng, n=5, y_max=1.0)
