"""Time of day and weather, for every scene family: dawn, day, dusk and night; clear, clouds, rain,
snow, fog, wind and storm.

A family paints its sky with :func:`.scenery.sky` and its sun with :func:`.scenery.sun`; both ask
this module first (:func:`sky_colours`, :func:`sun_look`), so an asked time or weather changes the
sky itself (a night sky, an overcast one, no sun in the rain, a moon at night). Once the family
has painted, :func:`finish` grades what is not sky (moonlight, the warm light of dawn and dusk,
the grey of rain), puts snow on the ground, fog in the distance, stars in a clear night sky, and
adds the weather's moving things (rain, snowfall, dark clouds, lightning, gusts of leaves). Rooms
show the time and the weather through their windows (and light their lamps at night). Everything
is painted once per scene; nothing here runs per frame.
"""

from __future__ import annotations

import numpy as np
from PIL import Image

from .. import effects as X
from .. import elements as E
from ..paint import Colour, hexc
from .scenery import Ctx, paint_light

#: sky colours (top, middle, low) for a time of day
SKY_TIME = {"night": ("#050a1e", "#0f1c3c", "#26365c"), "dusk": ("#2b2a5e", "#b65a7c", "#f6a35a"),
            "dawn": ("#3a4a8a", "#d99ab6", "#ffd9a6")}
#: sky colours for a weather that hides the sun
SKY_WEATHER = {"rain": ("#58616f", "#7b8594", "#a0a9b5"), "storm": ("#1c2130", "#343b4e", "#535b6e"),
               "snow": ("#99a3b1", "#c1c8d1", "#e5e8ed"), "fog": ("#b7bdc5", "#ced3d9", "#e1e4e7"),
               "clouds": ("#8a9fb6", "#b3c3d3", "#dce3e9")}
#: how what is not sky is lit: (multiply, add) per channel
LIGHT = {"night": ((0.3, 0.35, 0.52), (4.0, 6.0, 18.0)), "dusk": ((0.96, 0.74, 0.62), (16.0, 4.0, 10.0)),
         "dawn": ((0.93, 0.83, 0.87), (20.0, 10.0, 14.0))}
OVERCAST = {"rain": (0.35, 0.8), "storm": (0.45, 0.6), "snow": (0.25, 0.95), "fog": (0.2, 1.0), "clouds": (0.12, 0.95)}
HIDDEN_SUN = ("rain", "storm", "snow", "fog")


def time_of(ctx: Ctx, native: str) -> str | None:
    """The time of day to paint, when it differs from what the family shows by itself."""
    return ctx.tod if ctx.tod and ctx.tod != native and not (ctx.tod == "day" and native == "day") else None


def sky_colours(ctx: Ctx, colours: tuple[str, str, str]) -> tuple[str, str, str]:
    """The sky a family asks for, changed by the weather and the time asked."""
    if ctx.wx in SKY_WEATHER:
        colours = SKY_WEATHER[ctx.wx]
    if ctx.tod in SKY_TIME and ctx.tod != ctx.native:
        if ctx.wx in SKY_WEATHER:  # an overcast night or dusk: the weather's sky, in that light
            mul, add = LIGHT[ctx.tod]
            colours = tuple("#{:02x}{:02x}{:02x}".format(*(int(min(255, v * m + a)) for v, m, a in
                                                           zip(hexc(c), mul, add, strict=True))) for c in colours)  # type: ignore[assignment]
        else:
            colours = SKY_TIME[ctx.tod]
    elif ctx.tod == "day" and ctx.native != "day" and ctx.wx not in SKY_WEATHER:
        colours = ("#3f8fd8", "#8cc4ee", "#e4f0f4")
    return colours


def sun_look(ctx: Ctx, x: float, y: float, r: float) -> tuple[str, float, float, float] | None:
    """What takes the sun's place: ``("sun" | "moon" | "low", x, y, r)``, or None (hidden by clouds)."""
    if ctx.wx in HIDDEN_SUN:
        return None
    tod = ctx.tod or ctx.native
    if tod == "night":
        return "moon", x, y, r * 0.8
    if tod in ("dawn", "dusk"):
        low = ctx.sky_horizon - r * 1.1 if ctx.sky_horizon else y
        return "low", x, max(y, low), r * 1.3
    return "sun", x, y, r


def finish(ctx: Ctx, room: str | None) -> None:
    """Grade, snow, fog, stars and the weather's sprites, after the family painted (see the module)."""
    tod = time_of(ctx, ctx.native)
    if room:
        _room(ctx, tod, room)
    else:
        _outdoors(ctx, tod)
    _lights(ctx)
    _weather_sprites(ctx, room)
    if (ctx.tod or ctx.native) == "night":
        ctx.night = True


def _sky_mask(ctx: Ctx) -> np.ndarray:
    c = ctx.c
    if ctx.sky_rows is None:
        return np.zeros((c.h, c.w), dtype=bool)
    mask: np.ndarray = np.all(np.abs(c.a - ctx.sky_rows[:, None, :]) < 3.0, axis=2)
    return mask


def _outdoors(ctx: Ctx, tod: str | None) -> None:
    c = ctx.c
    if tod is None and ctx.wx not in OVERCAST:
        return
    sky = _sky_mask(ctx)
    land = ~sky
    a = c.a
    if ctx.wx in OVERCAST:
        desat, dim = OVERCAST[ctx.wx]
        grey = a[land].mean(axis=1, keepdims=True)
        a[land] = (a[land] * (1 - desat) + grey * desat) * dim
    lit = _lit_windows(ctx, land) if tod == "night" and ctx.lights_at_night else None
    if tod in LIGHT:
        mul, add = LIGHT[tod]
        a[land] = a[land] * np.array(mul, dtype=np.float32) + np.array(add, dtype=np.float32)
    if lit is not None:  # windows lit from inside: not darkened by the night
        a[lit] = np.array((255, 212, 120), dtype=np.float32)
    _grade_foreground(ctx, tod)
    if ctx.wx == "snow":
        _snow_cover(ctx, sky)
    if ctx.wx == "fog":
        _fog(ctx)
    if tod == "night" and ctx.wx not in OVERCAST and sky.any():
        _stars(ctx, sky)
    np.clip(a, 0, 255, out=a)


def _lights(ctx: Ctx) -> None:
    """The sun or the moon, painted on the sky only (in front of it, behind everything else)."""
    if not ctx.lights:
        return
    land = ~_sky_mask(ctx)
    kept = ctx.c.a[land].copy()
    for light in ctx.lights:
        paint_light(ctx, light)
    ctx.c.a[land] = kept
    np.clip(ctx.c.a, 0, 255, out=ctx.c.a)


def _lit_windows(ctx: Ctx, land: np.ndarray) -> np.ndarray:
    """At night, about half the windows of a town light up: the panes (bluish glass) of cells
    chosen by chance."""
    a = ctx.c.a
    glass = land & (a[..., 2] > a[..., 0] + 25) & (a[..., 2] > 150) & (a[..., 1] > 120)
    warm = land & (a[..., 0] > 230) & (a[..., 1] > 200) & (a[..., 2] < 190) & (a[..., 2] > 120)  # lamplit panes
    if not glass.any():
        return warm
    cell = max(6, int(16 * ctx.s))
    h, w = glass.shape
    on = ctx.rng.random(((h + cell - 1) // cell, (w + cell - 1) // cell)) < 0.5
    lit: np.ndarray = (glass & np.repeat(np.repeat(on, cell, axis=0), cell, axis=1)[:h, :w]) | warm
    return lit


def _grade_foreground(ctx: Ctx, tod: str | None) -> None:
    """The near layer of a family that has one (forest trees, for pans), in the same light."""
    if ctx.fg is None:
        return
    arr = np.asarray(ctx.fg).astype(np.float32)
    rgb = arr[..., :3]
    if ctx.wx in OVERCAST:
        desat, dim = OVERCAST[ctx.wx]
        rgb[:] = (rgb * (1 - desat) + rgb.mean(axis=2, keepdims=True) * desat) * dim
    if tod in LIGHT:
        mul, add = LIGHT[tod]
        rgb[:] = rgb * np.array(mul, dtype=np.float32) + np.array(add, dtype=np.float32)
    ctx.fg = Image.fromarray(np.clip(arr, 0, 255).astype(np.uint8), "RGBA")


def _snow_cover(ctx: Ctx, sky: np.ndarray) -> None:
    """Snow on the ground and on the tops of things: what is not sky turns white where it is light
    and faces up (below the sky or a lighter pixel), a layer everywhere on open ground."""
    a = ctx.c.a
    lum = a.mean(axis=2)
    rows = np.arange(a.shape[0], dtype=np.float32)[:, None]
    hz = ctx.sky_horizon or a.shape[0] * 0.6
    ramp = np.clip((rows - hz + 0.06 * ctx.H) / (0.12 * ctx.H), 0, 1)  # no hard line at the horizon
    cover = (~sky) & (lum > 35)
    # caps: the first few pixels of things under the sky
    cap = np.zeros_like(sky)
    depth = max(2, int(ctx.H * 0.012))
    for step in range(1, depth + 1):
        cap[step:] |= sky[:-step] & ~sky[step:]
    noise = np.asarray(ctx.rng.uniform(0.85, 1.0, size=a.shape[:2]), dtype=np.float32)
    amount = np.where(cap & (lum > 30), 0.92, np.where(cover, 0.82 * noise * ramp, 0.0)).astype(np.float32)
    a += (np.array((242, 246, 252), dtype=np.float32) - a) * amount[..., None]


def _fog(ctx: Ctx) -> None:
    a = ctx.c.a
    h = a.shape[0]
    hz = ctx.sky_horizon or h * 0.6
    rows = np.arange(h, dtype=np.float32)
    alpha = 0.25 + 0.5 * np.exp(-((rows - hz) / (ctx.H * 0.3)) ** 2)
    a += (np.array((214, 219, 224), dtype=np.float32) - a) * alpha[:, None, None]


def _stars(ctx: Ctx, sky: np.ndarray) -> None:
    c = ctx.c
    ys, xs = np.nonzero(sky[: int(ctx.sky_horizon or c.h * 0.6)])
    if not len(xs):
        return
    n = min(len(xs), int(160 * c.w * c.h / (1920 * 1080)))
    pick = ctx.rng.choice(len(xs), size=n, replace=False)
    glow = ctx.rng.uniform(120, 235, size=n).astype(np.float32)
    c.a[ys[pick], xs[pick]] = np.maximum(c.a[ys[pick], xs[pick]], glow[:, None])


def _room(ctx: Ctx, tod: str | None, room: str) -> None:
    """A room's light and its windows: the sky outside at that time, in that weather."""
    c = ctx.c
    outside = _outside_colour(ctx.tod or "day", ctx.wx)
    for x0, y0, x1, y1 in ctx.windows:
        xa, ya, xb, yb = (max(0, int(v)) for v in (x0, y0, x1, y1))
        region = c.a[ya:yb, xa:xb]
        if not region.size:
            continue
        # the window's glass (its light-blue panes), not its frame
        glass = region[..., 2] > region[..., 0] + 25
        grad = np.linspace(0, 1, region.shape[0], dtype=np.float32)[:, None, None]
        sky = outside[0] * (1 - grad) + outside[1] * grad
        region[glass] = np.broadcast_to(sky, region.shape)[glass]
        if ctx.wx in ("rain", "storm"):
            for _ in range(max(3, (xb - xa) // 6)):
                x = int(ctx.rng.uniform(xa, xb))
                y = int(ctx.rng.uniform(ya, yb))
                c.a[y:min(yb, y + max(3, (yb - ya) // 6)), x:x + 1] += 40
        elif ctx.wx == "snow":
            for _ in range(max(4, (xb - xa) * (yb - ya) // 300)):
                x, y = int(ctx.rng.uniform(xa, xb - 2)), int(ctx.rng.uniform(ya, yb - 2))
                c.a[y:y + 2, x:x + 2] = 245
        elif (ctx.tod or "day") == "night" and ctx.wx not in OVERCAST:
            for _ in range(max(2, (xb - xa) // 12)):
                x, y = int(ctx.rng.uniform(xa, xb - 1)), int(ctx.rng.uniform(ya, yb - 1))
                c.a[y, x] = 220
    if tod in ("dawn", "dusk"):
        mul, add = LIGHT[tod]
        c.a[:] = c.a * (0.5 + 0.5 * np.array(mul, dtype=np.float32)) + np.array(add, dtype=np.float32) * 0.5
    elif tod == "night" and room == "closed":
        c.a *= np.array([0.55, 0.55, 0.7], dtype=np.float32)
    elif ctx.wx in ("rain", "storm", "snow", "fog"):
        c.a *= np.float32(0.9)
    np.clip(c.a, 0, 255, out=c.a)


def _outside_colour(tod: str, wx: str | None) -> tuple[np.ndarray, np.ndarray]:
    top, _mid, low = SKY_WEATHER.get(wx or "", SKY_TIME.get(tod, ("#7db8ea", "#a8d4f2", "#d8ecf8")))
    t, lo = np.array(hexc(top), dtype=np.float32), np.array(hexc(low), dtype=np.float32)
    if wx in SKY_WEATHER and tod in LIGHT:
        mul, add = LIGHT[tod]
        t = t * np.array(mul, dtype=np.float32) + np.array(add, dtype=np.float32)
        lo = lo * np.array(mul, dtype=np.float32) + np.array(add, dtype=np.float32)
    return t, lo


def _weather_sprites(ctx: Ctx, room: str | None) -> None:
    """The weather's moving things, and the family's own sprites in the light of the time asked."""
    W, H, rng = ctx.W, ctx.H, ctx.rng
    tod = time_of(ctx, ctx.native)
    if tod in LIGHT and not room:
        ctx.sprites = [_lit(sp, tod) for sp in ctx.sprites]
    if ctx.wx in HIDDEN_SUN or ctx.wx == "clouds":
        # the family's own white clouds and sunny things go; the weather brings its own
        ctx.sprites = [sp for sp in ctx.sprites if not sp.key.startswith(("cloud", "butterfl", "sunray"))]
    if room and ctx.wx in ("rain", "storm", "snow") and (room == "closed" or not ctx.windows):
        ctx.sprites += _behind_glass(ctx)  # (a room with windows shows it in them)
        return
    if room:
        return
    dark = (ctx.tod or ctx.native) == "night"
    if ctx.wx in ("rain", "storm", "clouds", "snow") and ctx.open_sky:
        grey = {"rain": (150, 156, 168), "storm": (80, 86, 100), "clouds": (236, 238, 242),
                "snow": (205, 210, 218)}[ctx.wx]
        if dark:
            grey = tuple(int(v * 0.45) for v in grey)  # type: ignore[assignment]
        ctx.sprites += E.clouds(W, H, ctx.dur, rng, colour=grey, n=4 if ctx.wx != "clouds" else 3,  # type: ignore[arg-type]
                                y_range=(0.0, 0.2), alpha=245)
    if ctx.wx in ("rain", "storm"):
        ctx.sprites += E.rain(W, H, ctx.dur, rng, density=1.4 if ctx.wx == "storm" else 1.0)
    if ctx.wx == "storm":
        bolts = X.lightning(W, H, rng)
        ctx.sprites += X.flash(W, H, bolts) + bolts
    if ctx.wx == "snow":
        ctx.sprites += E.snow(W, H, ctx.dur, rng, density=1.2)
    if ctx.wx == "wind":
        ctx.sprites += E.gusts(W, H, ctx.dur, rng)
    if ctx.wx == "fog":
        ctx.sprites += X.fog_banks(W, H, rng)


def _behind_glass(ctx: Ctx) -> list[E.Sprite]:
    """Rain or snow seen through the glass wall of a room: fainter, in a colour that shows on a
    light wall as on a dark one."""
    if ctx.wx == "snow":
        made = E.snow(ctx.W, ctx.H, ctx.dur, ctx.rng, density=0.7)
    else:
        light = float(ctx.c.a.mean()) > 120  # dark streaks on a light wall, light ones on a dark one
        made = E.rain(ctx.W, ctx.H, ctx.dur, ctx.rng, colour=(80, 92, 116) if light else (215, 222, 238),
                      density=1.0, width=2.0)
    out = []
    for sp in made:
        faint = []
        for fr in sp.frames:
            arr = np.asarray(fr).copy()
            arr[..., 3] = (arr[..., 3].astype(np.float32) * 0.8).astype(np.uint8)
            faint.append(Image.fromarray(arr, "RGBA"))
        out.append(E.Sprite(sp.key + "glass", faint, sp.x, sp.y, sp.fps, sp.enable))
    return out


def _lit(sp: E.Sprite, tod: str) -> E.Sprite:
    """A family's own sprite (a cloud, a flock) in the light of ``tod``."""
    mul, add = LIGHT[tod]
    frames = []
    for fr in sp.frames:
        arr = np.asarray(fr).astype(np.float32)
        arr[..., :3] = np.clip(arr[..., :3] * np.array(mul, dtype=np.float32) + np.array(add, dtype=np.float32), 0, 255)
        frames.append(Image.fromarray(arr.astype(np.uint8), "RGBA"))
    return E.Sprite(sp.key, frames, sp.x, sp.y, sp.fps, sp.enable, dict(sp.extras))


def grade_colour(colour: Colour, tod: str | None) -> Colour:
    """A colour in the light of ``tod`` (for things a family draws after its background)."""
    if tod not in LIGHT:
        return colour
    mul, add = LIGHT[tod]
    return tuple(int(min(255, v * m + a)) for v, m, a in zip(colour, mul, add, strict=True))  # type: ignore[return-value]
