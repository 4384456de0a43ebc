"""The toolkit every scene family paints with: the shared context and reusable scenery
(trees, palms, skies, ground curves, mountain ranges, foreground strips).

A family is a function ``fn(ctx)`` that paints the background canvas ``ctx.c`` (larger than
the frame where the camera moves), may set a near foreground strip ``ctx.fg`` and appends its
own moving sprites to ``ctx.sprites``. Nothing here is drawn per frame.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
from PIL import Image, ImageDraw

from .. import elements as E
from ..paint import Canvas, Colour, hexc, mix, noise1d


@dataclass
class SceneLayers:
    background: Image.Image               # RGB, bw×bh
    foreground: Image.Image | None        # RGBA strip, drawn at the bottom of the frame, or None
    sprites: list[E.Sprite] = field(default_factory=list)
    night: bool = False
    haze: tuple[int, int, int] = (200, 210, 220)  # the air's colour: far actors fade towards it
    weather: str | None = None            # the weather painted (its rain and snow are in the sprites)


#: things a family paints into its backdrop or adds as sprites, and the actor art that is the same thing:
#: a family leaves its own out when the draft's actors are one of them (:meth:`Ctx.own`)
COUNTED_THINGS = {
    "tree": ("1F333", "1F332", "1F334", "1F384"),
    "train": ("1F686", "1F682", "1F683", "1F684", "1F685", "1F687", "1F688", "1F68A", "1F68B", "1F69D"),
    "book": ("1F4D5", "1F4D6", "1F4D7", "1F4D8", "1F4D9", "1F4DA", "1F4D2", "1F4D3"),
    "butterfly": ("1F98B",),  # (little animals a family adds as sprites: their keys start with the kind)
    "fish": ("1F41F", "1F420", "1F421"),
}


@dataclass
class Ctx:
    c: Canvas          # background canvas (bw×bh)
    W: int             # frame size
    H: int
    dur: float
    rng: np.random.Generator
    fg: Image.Image | None = None     # foreground strip (set by the family if it has one)
    sprites: list[E.Sprite] = field(default_factory=list)
    night: bool = False
    fg_w: int = 0                     # width a foreground strip must have
    want_fg: bool = False
    hints: frozenset[str] = frozenset()  # the shots' ``el`` elements, e.g. "snow" makes mountains wintry
    tod: str | None = None            # the time of day asked (dawn, day, dusk, night), see :mod:`.looks`
    wx: str | None = None             # the weather asked (clear, clouds, rain, snow, fog, wind, storm)
    native: str = "day"               # the time of day the family shows by itself
    sky_rows: np.ndarray | None = None  # the sky's colour on each row, as painted (to find the sky later)
    sky_horizon: float = 0.0          # the sky's horizon row
    windows: list[tuple[float, float, float, float]] = field(default_factory=list)  # a room's windows
    lights_at_night: bool = False     # a town: its windows light up at night
    open_sky: bool = True             # clouds can be seen (not under water, not in space)
    lights: list[tuple[float, float, float, tuple[int, int, int], float, tuple[int, int, int], float, float]] = \
        field(default_factory=list)  # a sun or moon painted after the grade, on the sky (:mod:`.looks`)

    @property
    def s(self) -> float:  # size unit: 1.0 at a 1080-pixel short side
        return min(self.W, self.H) / 1080

    @property
    def w(self) -> int:
        return self.c.w

    @property
    def h(self) -> int:
        return self.c.h

    def own(self, kind: str) -> bool:
        """Whether the family paints its own ``kind`` of thing (trees, a train, books): not when the
        draft's actors are that thing ("four trees in a park" are four; the park's row would add more)."""
        return not any(f"art:{a}" in self.hints for a in COUNTED_THINGS.get(kind, ()))

    def horizon(self, frac: float) -> float:
        """Row of the background at ``frac`` of the *frame* height, centred in the canvas."""
        return (self.h - self.H) / 2 + self.H * frac


def pine(d: ImageDraw.ImageDraw, x: float, base: float, height: float, colour: tuple[int, ...],
          snow: bool = False) -> None:
    w = height * 0.36
    trunk = (int(colour[0] * 0.7), int(colour[1] * 0.55), int(colour[2] * 0.5), 255)
    d.rectangle((x - w * 0.06, base - height * 0.12, x + w * 0.06, base), fill=trunk)
    tiers = 4
    for i in range(tiers):
        t0 = i / tiers
        top = base - height * (0.25 + 0.75 * (i + 1) / tiers) - height * 0.05
        bot = base - height * (0.1 + 0.72 * t0)
        ww = w * (1.0 - 0.2 * i)
        d.polygon([(x, top), (x - ww, bot), (x + ww, bot)], fill=colour)
        if snow:
            d.polygon([(x, top), (x - ww * 0.45, top + (bot - top) * 0.45), (x + ww * 0.45, top + (bot - top) * 0.45)],
                      fill=(245, 248, 255, 255))


def round_tree(d: ImageDraw.ImageDraw, x: float, base: float, height: float, colour: Colour,
                rng: np.random.Generator) -> None:
    r = height * 0.28
    d.rectangle((x - r * 0.12, base - height * 0.5, x + r * 0.12, base), fill=(90, 62, 40, 255))
    for _ in range(5):
        ox, oy = rng.uniform(-r * 0.6, r * 0.6), rng.uniform(-r * 0.5, r * 0.4)
        rr = r * rng.uniform(0.55, 0.8)
        cy = base - height * 0.68 + oy
        shade = mix(colour, (255, 255, 220), rng.uniform(0, 0.15))
        d.ellipse((x + ox - rr, cy - rr, x + ox + rr, cy + rr), fill=(*shade, 255))


def tree_row(ctx: Ctx, img: Image.Image, base: np.ndarray | float, n: int, hmin: float, hmax: float,
              colour: Colour, snow: bool = False, kind: str = "pine", jitter: float = 0.0, counted: bool = True) -> None:
    """A row of ``n`` trees on ``base``; none when the draft's actors are trees and these would be counted
    with them (``counted=False``: a forest's own trees, which are the place itself)."""
    if counted and not ctx.own("tree"):
        return
    d = ImageDraw.Draw(img)
    w = img.width
    xs = np.sort(ctx.rng.uniform(-0.02 * w, 1.02 * w, n))
    for x in xs:
        ctx.c.check()
        b = float(base[int(np.clip(x, 0, len(base) - 1))]) if isinstance(base, np.ndarray) else float(base)
        b += ctx.rng.uniform(0, jitter)
        hgt = ctx.rng.uniform(hmin, hmax)
        col = mix(colour, (0, 0, 0), ctx.rng.uniform(0, 0.12))
        if kind == "pine":
            pine(d, x, b, hgt, (*col, 255), snow)
        else:
            round_tree(d, x, b, hgt, col, ctx.rng)


def sky(ctx: Ctx, top: str, mid: str, low: str, horizon: float = 0.62) -> None:
    """The sky, from the top of the canvas down to the horizon (a fraction of the frame height), in
    the family's colours, or in those of the time and weather asked (:mod:`.looks`)."""
    from .looks import sky_colours

    c = ctx.c
    top, mid, low = sky_colours(ctx, (top, mid, low))
    hz = ctx.horizon(horizon) / c.h
    c.vgradient([(0.0, hexc(top)), (hz * 0.6, hexc(mid)), (hz, hexc(low)), (1.0, hexc(low))])
    ctx.sky_rows = c.a[:, c.w // 2].copy()
    ctx.sky_horizon = hz * c.h


def ground_curve(ctx: Ctx, frac: float, amp: float, scale: float, width: int | None = None) -> np.ndarray:
    w = width or ctx.w
    return ctx.horizon(frac) + noise1d(w, ctx.rng, scale=scale, octaves=3) * ctx.H * amp


def strip(ctx: Ctx, frac_top: float) -> tuple[Image.Image, float]:
    """A transparent foreground strip covering the frame from ``frac_top`` down; returns (img, y0 in frame)."""
    h = int(ctx.H * (1 - frac_top))
    h -= h % 2
    return Image.new("RGBA", (ctx.fg_w, h), (0, 0, 0, 0)), ctx.H - h


def finish_fg(ctx: Ctx, fg: Image.Image, y0: float) -> None:
    if ctx.want_fg:
        ctx.fg = fg
    else:
        x = (ctx.c.w - fg.width) // 2
        ctx.c.paste(fg, x, int((ctx.c.h - ctx.H) / 2 + y0))


def palm(d: ImageDraw.ImageDraw, x: float, base: float, height: float, s: float, colour: tuple[int, ...]) -> None:
    top = (x + height * 0.12, base - height)
    d.line([(x, base), (x + height * 0.02, base - height * 0.5), top], fill=colour, width=max(3, int(24 * s)),
           joint="curve")
    for k in range(7):
        ang = math.radians(-165 + k * 25)  # fan of fronds from left to right, drooping at the ends
        length = height * (0.42 if 1 < k < 5 else 0.5)
        pts_up, pts_down = [], []
        for j in range(9):
            t = j / 8
            px = top[0] + math.cos(ang) * length * t
            py = top[1] + math.sin(ang) * length * t * 0.7 + (t ** 2) * length * 0.5
            half = math.sin(math.pi * t) * length * 0.045
            pts_up.append((px, py - half))
            pts_down.append((px, py + half))
        d.polygon(pts_up + pts_down[::-1], fill=colour)
    d.ellipse((top[0] - 14 * s, top[1] - 6 * s, top[0] + 18 * s, top[1] + 22 * s), fill=colour)


def mountain_range(ctx: Ctx, base: float, amp: float, n: int) -> np.ndarray:
    """A mountain range: the upper envelope of triangular peaks, roughened by noise."""
    w = ctx.w
    xs = np.arange(w, dtype=np.float32)
    top = np.full(w, base, dtype=np.float32)
    for _ in range(n):
        xc = ctx.rng.uniform(-0.05, 1.05) * w
        hgt = amp * ctx.rng.uniform(0.45, 1.0)
        half = hgt * ctx.rng.uniform(1.3, 2.2)
        top = np.minimum(top, base - hgt + np.abs(xs - xc) / half * hgt)
    return top + noise1d(w, ctx.rng, scale=14, octaves=3) * amp * 0.05


def sun(ctx: Ctx, x: float, y: float, r: float, colour: tuple[int, int, int] = (255, 250, 230),
        glow: float = 0.45, halo: float | None = None, halo_colour: tuple[int, int, int] = (255, 230, 170),
        falloff: float = 1.8) -> None:
    """The sun (``halo``: its glow's radius, 8 r by default); at night the moon, low and warm at dawn
    and dusk, hidden by rain, snow and fog. Asked times and weathers paint it after the grade, on
    the sky only (:mod:`.looks`)."""
    from .looks import sun_look

    look = sun_look(ctx, x, y, r)
    if look is None:
        return
    kind, x, y, r = look
    if kind == "moon":
        light = (x, y, r, (240, 238, 222), r * 5, (190, 200, 255), 0.25, 1.8)
    elif kind == "low":
        light = (x, y, r, (255, 214, 150), r * 9, (255, 170, 100), glow * 1.2, 1.6)
    else:
        light = (x, y, r, colour, halo or r * 8, halo_colour, glow, falloff)
    if ctx.tod or ctx.wx:
        ctx.lights.append(light)
    else:
        paint_light(ctx, light)


def sky_light(ctx: Ctx, x: float, y: float, r: float, colour: tuple[int, int, int] = (255, 250, 220),
              strength: float = 0.4, falloff: float = 1.8) -> None:
    """Sunlight glowing in the sky (no disc): gone at night and under clouds."""
    if ctx.wx in ("rain", "storm", "snow", "fog") or (ctx.tod or ctx.native) == "night":
        return
    if ctx.tod in ("dawn", "dusk"):
        colour = (255, 170, 100)
    light = (x, y, 0.0, colour, r, colour, strength, falloff)
    if ctx.tod or ctx.wx:
        ctx.lights.append(light)
    else:
        paint_light(ctx, light)


Light = tuple[float, float, float, tuple[int, int, int], float, tuple[int, int, int], float, float]


def paint_light(ctx: Ctx, light: Light) -> None:
    x, y, r, colour, halo, halo_colour, strength, falloff = light
    ctx.c.glow(x, y, halo, halo_colour, strength, falloff)
    if r > 0:
        ctx.c.disc(x, y, r, colour)


def frame_y(ctx: Ctx, row: float) -> float:
    """A canvas row in frame pixels (for sprites)."""
    return row - (ctx.h - ctx.H) / 2
