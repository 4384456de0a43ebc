"""Actors: the named subjects of a scene (OpenMoji art), moving as they should.

Each actor becomes a few :class:`~.elements.Sprite` overlays in the scene's single FFmpeg
graph: a soft shadow on the ground, the body (a short loop of frames from
:mod:`.frames`: breathing, a walking waddle, a bounce's squash, a bloom, a turn...)
moved by overlay expressions of the shot's time ``t``, particles for eruptions, and a name
tag. Depth ``z`` sets size, haze, draw order and parallax against the camera's pan.
"""

from __future__ import annotations

import functools
import math

from PIL import Image

from . import frames as AF
from .effects import particles
from .elements import Sprite, one_frame
from .layout import GROUNDED, Placed, place

FPS = 30


def _f(v: float) -> str:
    return f"{v:.3f}"


@functools.lru_cache(maxsize=256)
def frames_for(art: str, height: int, motion: str, flip: bool, turn_up: float,
               haze: tuple[int, int, int], amount: float) -> tuple[list[Image.Image], float]:
    """The frames and frame rate of one actor's body loop (cached: the same actor in several
    shots shares the frames, so they are written and decoded once)."""
    img = AF.body(art, height, flip, turn_up, haze, round(amount, 2))
    if motion in ("walk", "drive"):
        fr, fps = AF.rock(img, 3.0 if motion == "walk" else 0.6, 4), 8.0 if motion == "walk" else 12.0
    elif motion == "run":
        fr, fps = AF.rock(img, 5.0, 4), 12.8
    elif motion == "swim":
        fr, fps = AF.rock(img, 6.0, 8), 8 / 2.4
    elif motion == "sway":
        fr, fps = AF.rock(img, 3.5, 12), 12 / 3.2
    elif motion == "bloom":
        fr, fps = AF.rock(img, 3.0, 12), 12 / 3.6
    elif motion == "bounce":
        fr, fps = AF.squash(img, 8), 8 / 0.9
    elif motion == "turn":
        fr, fps = AF.turn(img, 36), 36 / 4.0
    elif motion == "launch":
        fr, fps = AF.flame(img, 4), 16.0
    elif motion in ("fly", "float", "orbit"):
        fr, fps = AF.rock(img, 4.0 if motion == "fly" else 2.0, 8), 8 / (0.8 if motion == "fly" else 3.0)
    else:  # still, erupt
        fr, fps = AF.breathe(img, 8), 8 / 2.6
    return fr, fps


@functools.lru_cache(maxsize=64)
def _growth(art: str, height: int, flip: bool, haze: tuple[int, int, int], amount: float) -> list[Image.Image]:
    return AF.grow(AF.body(art, height, flip, 0.0, haze, round(amount, 2)), 12)


class _Cam:
    """Where the camera moves the world: pans slide near things more than far ones (parallax)."""

    def __init__(self, cam: str, W: int, H: int, L: float) -> None:
        self.cam, self.W, self.H = cam, W, H
        self.ease = f"(0.5-0.5*cos(PI*min(t/{_f(max(L, 0.1))},1)))"
        self.L = max(L, 0.1)

    def x(self, cx: str, z: float) -> str:
        travel = 0.2 * self.W * (1.5 - 0.9 * z)  # the backdrop itself moves 0.2 W
        if self.cam == "pan_right":
            return f"({cx})+{_f(travel)}*(0.5-{self.ease})"
        if self.cam == "pan_left":
            return f"({cx})-{_f(travel)}*(0.5-{self.ease})"
        if self.cam in ("zoom_in", "zoom_out"):
            return f"{self.W / 2}+(({cx})-{self.W / 2})*{self.zoom()}"
        return cx

    def y(self, cy: str, z: float) -> str:
        if self.cam == "rise":
            return f"({cy})+{_f(0.2 * self.H * (1.4 - 0.8 * z))}*({self.ease}-0.5)"
        if self.cam in ("zoom_in", "zoom_out"):
            return f"{self.H / 2}+(({cy})-{self.H / 2})*{self.zoom()}"
        return cy

    def zoom(self) -> str:
        p = f"min(t/{_f(self.L)},1)"
        return f"(1+0.14*{p})" if self.cam == "zoom_in" else f"(1.14-0.14*{p})"


def _paths(p: Placed, W: int, H: int, L: float, w: int, h: int) -> tuple[str, str]:
    """Centre-x and feet-y expressions of the body, before the camera."""
    cx, fy = p.cx, p.fy
    mo = p.motion
    if mo in ("walk", "run", "drive", "fly", "swim"):
        speed = {"walk": 0.07, "run": 0.17, "drive": 0.2, "fly": 0.1, "swim": 0.06}[mo] * W
        speed = min(speed, max(speed * 0.5, w * (2.6 if mo in ("run", "drive") else 1.0)))
        v = speed * p.direction
        x0 = cx - v * L / 2  # the path is centred on x; long shots wrap around the frame
        x = f"mod({_f(x0 + w / 2)}+{_f(v)}*t,{W + w})-{w / 2}"
        if mo == "walk":
            y = f"{_f(fy)}-{_f(h * 0.035)}*abs(sin(PI*t*2))"
        elif mo == "run":
            y = f"{_f(fy)}-{_f(h * 0.09)}*abs(sin(PI*t*3.2))"
        elif mo == "drive":
            y = f"{_f(fy)}-{_f(max(1.0, h * 0.008))}*abs(sin(PI*t*7))"
        elif mo == "fly":
            y = f"{_f(fy)}+{_f(H * 0.03)}*sin(2*PI*t/1.6)"
        else:
            y = f"{_f(fy)}+{_f(H * 0.025)}*sin(2*PI*t/2.4)"
        return x, y
    if mo == "float":
        return (f"{_f(cx)}+{_f(W * 0.02)}*sin(t*0.5+{p.index})",
                f"{_f(fy)}+{_f(H * 0.03)}*sin(2*PI*t/3.0+{p.index})")
    if mo == "orbit":
        centre = W / 2 if abs(cx - W / 2) > W * 0.05 else cx
        r = abs(cx - centre) or 0.22 * min(W, H)
        phase = 0.0 if cx >= centre else math.pi
        period = 6.0 + 6.0 * r / W
        cy = fy - h / 2
        return (f"{_f(centre)}+{_f(r)}*cos(2*PI*t/{_f(period)}+{_f(phase)})",
                f"{_f(cy + h / 2)}+{_f(r * 0.32)}*sin(2*PI*t/{_f(period)}+{_f(phase)})")
    if mo == "bounce":
        return _f(cx), f"{_f(fy)}-{_f(min(h * 0.6, H * 0.14))}*abs(sin(PI*t/0.9))"
    if mo == "launch":
        period = min(max(L, 4.0), 8.0)
        t0 = min(1.2, period * 0.25)
        tau = f"mod(t,{_f(period)})"
        rise = (fy + h + 10) / (period * 0.85 - t0) ** 2
        shake = f"{_f(max(1.0, w * 0.02))}*sin(t*70)*lt({tau},{_f(t0)})"
        return f"{_f(cx)}+{shake}", f"{_f(fy)}-{_f(rise)}*pow(max(0,{tau}-{_f(t0)}),2)"
    if mo == "turn":
        return _f(cx), f"{_f(fy)}-{_f(h * 0.03)}*(1+sin(2*PI*t/5))"
    return _f(cx), _f(fy)


def actor_sprites(acts: object, family: str, W: int, H: int, L: float, *, cam: str,
                  haze: tuple[int, int, int], floor: float | None = None) -> list[Sprite]:
    """Sprites for a scene's ``act`` list, in draw order (shadows, far to near, then name tags);
    ``floor``: see :func:`.layout.place`."""
    placed = place(acts, family, W, H, floor)
    camera = _Cam(cam, W, H, L)
    under: list[Sprite] = []
    bodies: list[Sprite] = []
    tags: list[Sprite] = []
    for p in placed:
        amount = round(0.5 * p.z ** 1.2, 2)
        frames, fps = frames_for(p.art, p.height, p.motion, p.flip, p.turn_up, haze, amount)
        fw, fh = frames[0].size
        w, h = p.width, p.height
        cx, fy = _paths(p, W, H, L, fw, fh)
        X, Y = camera.x(cx, p.z), camera.y(fy, p.z)
        key = f"actor{p.index}"
        fx, fyv = f"({X})-{fw // 2}", f"({Y})-{fh}"
        if p.motion in GROUNDED and p.motion != "launch":
            sh = AF.shadow(max(8, int(w * (0.9 if p.motion != "bounce" else 0.7))), int(95 * (1 - 0.5 * p.z)))
            gy = camera.y(_f(p.fy), p.z)
            under.append(Sprite(f"{key}sh", one_frame(sh), f"({X})-{sh.width // 2}", f"({gy})-{sh.height // 2}"))
        if p.motion == "turn":
            sp = AF.spot(int(max(w, h) * 1.45))
            under.append(Sprite(f"{key}spot", one_frame(sp), f"({X})-{sp.width // 2}", f"({Y})-{h // 2}-{sp.height // 2}"))
        if p.motion == "bloom":
            grow = _growth(p.art, p.height, p.flip, haze, amount)
            gw, gh = grow[0].size
            bodies.append(Sprite(f"{key}grow", grow, f"({X})-{gw // 2}", f"({Y})-{gh}", fps=8.0,
                                 enable="lt(t,1.5)"))
            bodies.append(Sprite(key, frames, fx, fyv, fps=fps, enable="gte(t,1.5)"))
        else:
            bodies.append(Sprite(key, frames, fx, fyv, fps=fps))
        if p.motion == "erupt":
            bodies[-1:-1] = particles(p.art, p.index, X, Y, fh, key, min(W, H))
        if p.label:
            tag = AF.label(p.label, min(W, H))
            lw, lh = tag.size
            gap = max(4, min(W, H) * 0.012)
            # above the head (captions live at the bottom), below the feet when the head is high up
            above = p.fy - p.height - gap - lh > H * 0.04 or p.motion == "launch"
            ty = f"({Y})-{fh}-{_f(gap + lh)}" if above else f"({Y})+{_f(gap)}"
            tx = f"max(8,min(W-{lw + 8},({X})-{lw // 2}))"
            # kept inside the frame, except a launch's tag, which leaves with its rocket
            tyc = ty if p.motion == "launch" else f"max(8,min(H-{lh + 8},{ty}))"
            tags.append(Sprite(f"{key}tag", one_frame(tag), tx, tyc))
    return under + bodies + tags
