"""Scene families of everyday rooms: a living room, an office, a hospital ward, a supermarket aisle,
an airport hall."""

from __future__ import annotations

import numpy as np

from .. import elements as E
from ..paint import mix
from .indoor import _room, _window
from .registry import family
from .scenery import Ctx


@family("living_room")
def living_room(ctx: Ctx) -> None:
    """Wallpaper, a window with curtains, a sofa, a floor lamp, a rug, a picture and a plant."""
    c, s = ctx.c, ctx.s
    layer, d = _room(ctx, "#e9dcc4", "#dccbb0", 0.8, "#9a6e4a", "#b08058")
    for x in np.arange(0, c.w, 60 * s):  # wallpaper stripes
        d.rectangle((x, 0, x + 24 * s, ctx.horizon(0.78)), fill=(226, 210, 184, 255))
    wx = c.w * 0.62
    _window(d, wx, ctx.horizon(0.12), 300 * s, 320 * s, s, ctx=ctx)
    for side in (-1, 1):  # curtains
        x0 = wx - 50 * s if side < 0 else wx + 300 * s - 10 * s
        d.rectangle((x0, ctx.horizon(0.08), x0 + 60 * s, ctx.horizon(0.56)), fill=(170, 70, 70, 255))
    d.rectangle((wx - 70 * s, ctx.horizon(0.07), wx + 370 * s, ctx.horizon(0.085)), fill=(90, 60, 40, 255))
    px = c.w * 0.3  # a framed picture
    d.rectangle((px, ctx.horizon(0.18), px + 180 * s, ctx.horizon(0.36)), fill=(120, 80, 50, 255))
    d.rectangle((px + 12 * s, ctx.horizon(0.18) + 12 * s, px + 168 * s, ctx.horizon(0.36) - 12 * s), fill=(140, 190, 220, 255))
    d.polygon([(px + 12 * s, ctx.horizon(0.36) - 12 * s), (px + 80 * s, ctx.horizon(0.24)), (px + 168 * s, ctx.horizon(0.36) - 12 * s)],
              fill=(90, 150, 90, 255))
    floor = ctx.horizon(0.8)
    d.ellipse((c.w * 0.3, floor + 10 * s, c.w * 0.74, floor + 120 * s), fill=(180, 70, 60, 255))  # the rug
    d.ellipse((c.w * 0.34, floor + 24 * s, c.w * 0.7, floor + 106 * s), fill=(210, 120, 80, 255))
    sx = c.w * 0.12  # the sofa against the wall
    d.rounded_rectangle((sx, floor - 170 * s, sx + 420 * s, floor - 60 * s), radius=int(30 * s), fill=(70, 110, 150, 255))
    d.rounded_rectangle((sx - 20 * s, floor - 110 * s, sx + 440 * s, floor - 10 * s), radius=int(24 * s), fill=(60, 96, 134, 255))
    for k in (0, 1):
        d.rounded_rectangle((sx + 20 * s + k * 200 * s, floor - 130 * s, sx + 200 * s + k * 200 * s, floor - 70 * s),
                            radius=int(18 * s), fill=(84, 126, 166, 255))
    lx = c.w * 0.9  # a floor lamp and a plant
    d.rectangle((lx - 4 * s, floor - 330 * s, lx + 4 * s, floor), fill=(60, 50, 40, 255))
    d.polygon([(lx - 50 * s, floor - 330 * s), (lx + 50 * s, floor - 330 * s), (lx + 30 * s, floor - 390 * s),
               (lx - 30 * s, floor - 390 * s)], fill=(250, 226, 160, 255))
    d.rectangle((c.w * 0.52, floor - 60 * s, c.w * 0.52 + 60 * s, floor), fill=(190, 110, 70, 255))
    for k in range(7):
        ang = -2.4 + k * 0.35
        d.ellipse((c.w * 0.52 + 30 * s + np.cos(ang) * 70 * s - 18 * s, floor - 100 * s + np.sin(ang) * 60 * s - 30 * s,
                   c.w * 0.52 + 30 * s + np.cos(ang) * 70 * s + 18 * s, floor - 100 * s + np.sin(ang) * 60 * s + 30 * s),
                  fill=(70, 140, 70, 255))
    c.paste(layer)
    c.glow(lx, floor - 360 * s, 200 * s, (255, 220, 150), 0.35)


@family("office")
def office(ctx: Ctx) -> None:
    """Desks with screens in a row, a wall of windows onto the city, a whiteboard, plants."""
    c, s = ctx.c, ctx.s
    layer, d = _room(ctx, "#e6eaee", "#d4dae0", 0.78, "#7a8694", "#9aa4b0", boards=False)
    for k in range(4):  # the window wall with towers outside
        x = c.w * (0.05 + k * 0.24)
        _window(d, x, ctx.horizon(0.06), 340 * s, 330 * s, s, sky_col=(176, 214, 242), frame=(90, 100, 112), ctx=ctx)
        for j in range(3):
            bx = x + (30 + j * 100) * s
            d.rectangle((bx, ctx.horizon(0.06) + (150 + 40 * j) * s, bx + 70 * s, ctx.horizon(0.06) + 320 * s),
                        fill=(150, 176, 200, 255))
    wb = c.w * 0.02  # a whiteboard
    d.rectangle((wb, ctx.horizon(0.5), wb + 220 * s, ctx.horizon(0.66)), fill=(250, 250, 250, 255), outline=(120, 126, 134, 255),
                width=max(2, int(5 * s)))
    for k in range(3):
        d.line([(wb + 20 * s, ctx.horizon(0.54) + k * 22 * s), (wb + 180 * s, ctx.horizon(0.54) + k * 22 * s)],
               fill=(60, 100, 180, 255), width=max(1, int(3 * s)))
    floor = ctx.horizon(0.78)
    for x in np.arange(c.w * 0.22, c.w, 360 * s):  # desks with monitors and chairs
        d.rectangle((x, floor - 120 * s, x + 300 * s, floor - 104 * s), fill=(236, 232, 224, 255))
        d.rectangle((x + 10 * s, floor - 104 * s, x + 22 * s, floor), fill=(120, 126, 134, 255))
        d.rectangle((x + 278 * s, floor - 104 * s, x + 290 * s, floor), fill=(120, 126, 134, 255))
        d.rectangle((x + 90 * s, floor - 230 * s, x + 210 * s, floor - 150 * s), fill=(40, 44, 52, 255))
        d.rectangle((x + 98 * s, floor - 222 * s, x + 202 * s, floor - 158 * s), fill=(90, 160, 220, 255))
        d.rectangle((x + 144 * s, floor - 150 * s, x + 156 * s, floor - 120 * s), fill=(40, 44, 52, 255))
    for x in (c.w * 0.16, c.w * 0.97):
        d.rectangle((x - 30 * s, floor - 70 * s, x + 30 * s, floor), fill=(200, 200, 196, 255))
        for k in range(6):
            d.ellipse((x - 50 * s + k * 16 * s, floor - 170 * s + (k % 2) * 30 * s, x - 10 * s + k * 16 * s,
                       floor - 90 * s + (k % 2) * 30 * s), fill=(60, 130, 70, 255))
    c.paste(layer)


@family("hospital")
def hospital(ctx: Ctx) -> None:
    """A ward: pale green walls, a bed with its rails, a drip stand, a curtain, a window, a red cross."""
    c, s = ctx.c, ctx.s
    layer, d = _room(ctx, "#dcefe8", "#c8e2da", 0.8, "#b8c4c8", "#ccd6da", boards=False)
    for x in np.arange(0, c.w, 80 * s):  # floor tiles
        d.line([(x, ctx.horizon(0.8)), (c.w / 2 + (x - c.w / 2) * 2.4, c.h)], fill=(150, 160, 166, 120), width=max(1, int(2 * s)))
    _window(d, c.w * 0.66, ctx.horizon(0.12), 300 * s, 280 * s, s, ctx=ctx)
    cx, cy = c.w * 0.4, ctx.horizon(0.22)  # a red cross sign
    d.rectangle((cx - 60 * s, cy - 60 * s, cx + 60 * s, cy + 60 * s), fill=(250, 250, 250, 255))
    d.rectangle((cx - 14 * s, cy - 44 * s, cx + 14 * s, cy + 44 * s), fill=(220, 50, 50, 255))
    d.rectangle((cx - 44 * s, cy - 14 * s, cx + 44 * s, cy + 14 * s), fill=(220, 50, 50, 255))
    floor = ctx.horizon(0.8)
    bx = c.w * 0.14  # the bed
    d.rectangle((bx, floor - 130 * s, bx + 460 * s, floor - 90 * s), fill=(240, 244, 246, 255))
    d.rounded_rectangle((bx + 10 * s, floor - 160 * s, bx + 110 * s, floor - 124 * s), radius=int(14 * s), fill=(250, 252, 252, 255))
    d.rectangle((bx + 110 * s, floor - 150 * s, bx + 450 * s, floor - 126 * s), fill=(120, 180, 210, 255))
    for x in (bx, bx + 450 * s):
        d.rectangle((x, floor - 200 * s, x + 12 * s, floor), fill=(150, 160, 170, 255))
    d.line([(bx + 140 * s, floor - 190 * s), (bx + 420 * s, floor - 190 * s)], fill=(150, 160, 170, 255), width=max(2, int(6 * s)))
    ix = bx + 520 * s  # a drip stand
    d.rectangle((ix - 3 * s, floor - 380 * s, ix + 3 * s, floor), fill=(160, 166, 172, 255))
    d.rounded_rectangle((ix - 24 * s, floor - 380 * s, ix + 24 * s, floor - 300 * s), radius=int(8 * s), fill=(210, 236, 250, 255))
    kx = c.w * 0.88  # a curtain on its rail
    d.line([(kx - 120 * s, ctx.horizon(0.04)), (c.w, ctx.horizon(0.04))], fill=(150, 160, 170, 255), width=max(2, int(5 * s)))
    for k in range(6):
        d.rectangle((kx - 110 * s + k * 34 * s, ctx.horizon(0.05), kx - 80 * s + k * 34 * s, floor - 20 * s),
                    fill=(*mix((150, 200, 200), (255, 255, 255), 0.2 * (k % 2)), 255))
    c.paste(layer)


@family("supermarket")
def supermarket(ctx: Ctx) -> None:
    """An aisle between shelves of colourful goods, signs hanging from the ceiling, bright lights."""
    c, s = ctx.c, ctx.s
    layer, d = _room(ctx, "#eef0f2", "#e0e4e8", 0.82, "#d8dadc", "#e6e8ea", boards=False)
    palette = ((220, 60, 50), (250, 190, 40), (60, 140, 210), (90, 170, 80), (240, 120, 40), (170, 80, 160),
               (250, 250, 250))
    floor = ctx.horizon(0.82)
    for x0 in np.arange(0, c.w, 520 * s):  # shelving units along the back
        d.rectangle((x0 + 10 * s, ctx.horizon(0.2), x0 + 500 * s, floor), fill=(200, 206, 212, 255))
        for y in np.arange(ctx.horizon(0.24), floor - 40 * s, 92 * s):
            d.rectangle((x0 + 10 * s, y + 70 * s, x0 + 500 * s, y + 80 * s), fill=(160, 166, 172, 255))
            x = x0 + 20 * s
            while x < x0 + 480 * s:
                w = ctx.rng.uniform(22, 40) * s
                h = ctx.rng.uniform(40, 66) * s
                col = palette[int(ctx.rng.integers(0, len(palette)))]
                d.rectangle((x, y + 70 * s - h, x + w - 3 * s, y + 70 * s), fill=(*col, 255))
                d.rectangle((x + 3 * s, y + 70 * s - h * 0.6, x + w - 6 * s, y + 70 * s - h * 0.4), fill=(250, 250, 250, 255))
                x += w
    for x in np.arange(160 * s, c.w, 520 * s):  # hanging aisle signs and lights
        d.line([(x, 0), (x, ctx.horizon(0.06))], fill=(120, 120, 126, 255), width=max(1, int(3 * s)))
        d.rectangle((x - 80 * s, ctx.horizon(0.06), x + 80 * s, ctx.horizon(0.13)), fill=(30, 110, 190, 255))
        d.rectangle((x - 60 * s, ctx.horizon(0.085), x + 60 * s, ctx.horizon(0.105)), fill=(250, 250, 250, 255))
    for x in np.arange(0, c.w, 300 * s):
        d.rectangle((x + 40 * s, ctx.horizon(0.0), x + 240 * s, ctx.horizon(0.015)), fill=(255, 255, 246, 255))
    c.paste(layer)


@family("airport")
def airport(ctx: Ctx) -> None:
    """An airport hall: a glass wall onto the runway with a plane outside, a departures board, rows
    of seats, a shiny floor."""
    c, s = ctx.c, ctx.s
    layer, d = _room(ctx, "#d8dee6", "#c4ccd6", 0.78, "#aeb6c0", "#c6ccd4", boards=False)
    top, bottom = ctx.horizon(0.04), ctx.horizon(0.6)
    pane = 220 * s
    for x in np.arange(0, c.w, pane):  # the glass wall
        _window(d, x, top, pane, bottom - top, s, sky_col=(170, 212, 242), frame=(110, 118, 128), ctx=ctx)
    d.rectangle((0, bottom - 60 * s, c.w, bottom), fill=(150, 156, 160, 255))  # the runway behind the glass
    px, py = c.w * 0.6, bottom - 90 * s  # a plane at the gate
    d.ellipse((px - 260 * s, py - 40 * s, px + 260 * s, py + 40 * s), fill=(246, 248, 250, 255))
    d.polygon([(px - 40 * s, py), (px + 60 * s, py), (px - 140 * s, py + 90 * s), (px - 200 * s, py + 90 * s)],
              fill=(220, 226, 232, 255))
    d.polygon([(px + 200 * s, py - 20 * s), (px + 250 * s, py - 20 * s), (px + 280 * s, py - 120 * s), (px + 240 * s, py - 120 * s)],
              fill=(40, 90, 170, 255))
    for k in range(10):
        d.ellipse((px - 180 * s + k * 34 * s, py - 12 * s, px - 166 * s + k * 34 * s, py + 2 * s), fill=(60, 80, 110, 255))
    bx, by = c.w * 0.08, ctx.horizon(0.1)  # the departures board
    d.rectangle((bx, by, bx + 360 * s, by + 170 * s), fill=(24, 28, 36, 255))
    for k in range(6):
        d.rectangle((bx + 16 * s, by + 16 * s + k * 25 * s, bx + 220 * s, by + 30 * s + k * 25 * s), fill=(240, 200, 60, 255))
        d.rectangle((bx + 240 * s, by + 16 * s + k * 25 * s, bx + 344 * s, by + 30 * s + k * 25 * s),
                    fill=(120, 220, 120, 255) if k % 3 else (240, 90, 80, 255))
    floor = ctx.horizon(0.78)
    for x in np.arange(40 * s, c.w, 420 * s):  # rows of seats
        for k in range(5):
            sx = x + k * 60 * s
            d.rounded_rectangle((sx, floor - 80 * s, sx + 52 * s, floor - 40 * s), radius=int(8 * s), fill=(50, 90, 150, 255))
            d.rounded_rectangle((sx, floor - 44 * s, sx + 52 * s, floor - 30 * s), radius=int(6 * s), fill=(40, 76, 130, 255))
        d.rectangle((x, floor - 30 * s, x + 300 * s, floor - 24 * s), fill=(120, 126, 134, 255))
    c.paste(layer)
    c.haze(ctx.horizon(0.86), ctx.H * 0.1, (240, 244, 248), 0.25)  # the floor's shine
    ctx.sprites += E.clouds(ctx.W, ctx.H, ctx.dur, ctx.rng, n=2, y_range=(0.06, 0.16), alpha=200)
