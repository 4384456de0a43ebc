"""Illustrated scene families: the registry, and painting one scene.

Every family paints a background (sky, sun/moon, far layers) on a canvas that is larger than
the frame where the camera moves, and may paint a near *foreground* strip (RGBA) that the
pipeline slides faster than the background for parallax. Moving things are
:class:`~.elements.Sprite` overlays. The families live in the modules of this folder by setting
(land, water, sky and town, indoors), each registered with its entry of ``scenes.json``
(:mod:`.registry`), and paint with the toolkit in :mod:`.scenery`.
"""

from __future__ import annotations

import zlib
from collections.abc import Callable

import numpy as np

from ..... import draft_format as F
from .. import elements as E
from ..paint import Canvas
from .looks import finish
from .registry import SceneFn, facts, load
from .scenery import Ctx, SceneLayers

#: family name -> painter (every family of scenes.json has one: see :mod:`.registry`)
FAMILIES: dict[str, SceneFn] = load()
#: families that draw a separate near layer (used for parallax on pans)
HAS_FOREGROUND = {f for f in FAMILIES if facts(f).foreground}
#: rooms with daylight: "at night" (the stars element) dims them to lamplight instead of drawing
#: stars on their walls ("a student studying at night")
ROOMS_BY_DAY = {f for f in FAMILIES if facts(f).room == "daylight"}


def _room_at_night(ctx: Ctx) -> None:
    """A room in the evening: daylight graded down to a deep blue, and warm lamplight pooled from
    above, brightest over the middle of the frame."""
    c = ctx.c
    c.a *= np.array([0.42, 0.46, 0.62], dtype=np.float32)
    c.a += np.array([6.0, 8.0, 22.0], dtype=np.float32)
    cx = c.w / 2
    c.glow(cx, ctx.horizon(0.05), max(c.w, c.h) * 0.55, (120, 90, 50), 0.55, 1.6)
    c.glow(cx, ctx.horizon(0.6), max(c.w, c.h) * 0.35, (90, 70, 40), 0.4, 1.8)
    np.clip(c.a, 0, 255, out=c.a)
    ctx.night = True


def look_key(seg: dict[str, object]) -> str:
    """The painting a scene segment needs: its family, with the time of day and weather asked
    (``"forest"``, ``"street|night|rain"``); an unknown family is ``abstract``."""
    fam = str(seg.get("scene") or "abstract")
    fam = fam if fam in FAMILIES else "abstract"
    tod = seg.get("tod") if seg.get("tod") in F.TIMES_OF_DAY else None
    wx = seg.get("wx") if seg.get("wx") in F.WEATHER and seg.get("wx") != "clear" else None
    if tod == facts(fam).time:
        tod = None  # what it shows by itself
    return fam if tod is None and wx is None else f"{fam}|{tod or ''}|{wx or ''}"


def look_parts(key: str) -> tuple[str, str | None, str | None]:
    """(family, time of day, weather) of a :func:`look_key`."""
    fam, _, rest = key.partition("|")
    tod, _, wx = rest.partition("|")
    return fam, tod or None, wx or None


#: a family's own little animals (sprite keys starting with the kind; their actor art: scenery.COUNTED_THINGS)
AMBIENT_ACTORS = ("butterfly", "fish")


def paint_scene(family: str, W: int, H: int, bw: int, bh: int, *, seed: int, dur: float,
                elements: list[str] | tuple[str, ...] = (), parallax_width: int = 0,
                hints: frozenset[str] = frozenset(), check: Callable[[], None] | None = None,
                tod: str | None = None, wx: str | None = None) -> SceneLayers:
    """Paint one scene: a ``bw``×``bh`` background for a ``W``×``H`` frame, plus its own sprites
    and those of ``elements`` it does not have yet.

    ``parallax_width`` > 0 asks for a separate foreground strip that wide (for pans); families
    without a near layer ignore it. Unknown families fall back to ``abstract``.
    ``check`` runs before every painting step (every canvas operation, every tree of a row, the
    sprites) and may raise to stop the painting there (a cancelled render). ``tod`` and ``wx``: the
    time of day and the weather asked (:mod:`.looks`).
    """
    fn = FAMILIES.get(family) or FAMILIES["abstract"]
    rng_seed = zlib.crc32(f"{family}:{seed}".encode())
    ctx = Ctx(Canvas(bw, bh, rng_seed, check=check), W, H, dur, np.random.default_rng(rng_seed + 1),
              fg_w=parallax_width, want_fg=parallax_width > 0 and family in HAS_FOREGROUND,
              hints=frozenset(hints) | frozenset(elements))
    look = facts(family)
    ctx.tod = tod if tod in F.TIMES_OF_DAY else None
    ctx.wx = wx if wx in F.WEATHER and wx != "clear" else None
    ctx.native = look.time
    ctx.lights_at_night, ctx.open_sky = look.lights, look.sky
    fn(ctx)
    ctx.c.check()
    # a family's own butterflies or fish leave when the draft's actors are butterflies or fish
    # ("six butterflies" are six), so what is counted is only what was asked
    gone = tuple(kind for kind in AMBIENT_ACTORS if not ctx.own(kind))
    if gone:
        ctx.sprites = [sp for sp in ctx.sprites if not sp.key.startswith(gone)]
    finish(ctx, look.room)
    if family in ROOMS_BY_DAY and ("stars" in ctx.hints or ctx.tod == "night"):
        _room_at_night(ctx)
    ctx.sprites += element_sprites(elements, ctx.sprites, W, H, dur, seed=rng_seed, night=ctx.night, family=family,
                                   weather=ctx.wx)
    ctx.c.grain(2.0)
    bg = ctx.c.image()
    band = ctx.c.a[int(bh * 0.45):int(bh * 0.62)]
    haze = tuple(int(v) for v in np.clip(band.reshape(-1, 3).mean(0), 0, 255))
    return SceneLayers(bg, ctx.fg, ctx.sprites, ctx.night, haze, ctx.wx)  # type: ignore[arg-type]


def element_sprites(elements: list[str] | tuple[str, ...], have: list[E.Sprite], W: int, H: int, dur: float,
                    *, seed: int, night: bool = False, family: str | None = None,
                    weather: str | None = None) -> list[E.Sprite]:
    """Sprites for the ``el`` elements that the scene's own sprites do not already show (in a room
    of ``family``, "stars" is the room at night, painted, not stars on its walls; with a ``weather``
    painted, its sky has no stars under the clouds and a room's rain is at its windows)."""
    keys = {sp.key.rstrip("0123456789") for sp in have}
    rng = np.random.default_rng(seed + 7)
    out: list[E.Sprite] = []
    room = family is not None and facts(family).room is not None
    for name in elements:
        if name == "stars" and (family in ROOMS_BY_DAY or weather in ("rain", "storm", "snow", "fog", "clouds")):
            continue
        if name in ("rain", "snow") and room and weather:
            continue
        if name in E.ELEMENT_KEYS and E.ELEMENT_KEYS[name] not in keys:
            keys.add(E.ELEMENT_KEYS[name])
            out += E.element(name, W, H, dur, rng, night=night)
    return out
