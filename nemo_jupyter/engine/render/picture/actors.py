"""Actors: the named subjects of a scene (OpenMoji art), moving as they should, and as they relate.

Each actor becomes a few :class:`~.elements.Sprite` overlays in the scene's single FFmpeg
graph: a soft shadow on the ground, the body (a short loop of frames from :mod:`.frames`:
breathing, a walking waddle, a bounce's squash, a bloom, a turn...) moved by overlay expressions
of the shot's time ``t``, particles for eruptions, and a name tag. A group of copies (``n``) is
one sprite (its copies out of step), so a herd costs one overlay. An actor in a relation moves on
its template's path, built on the other's (:mod:`.relations`), with the template's props (a
string, speech bubbles, a heart, crumbs). Depth ``z`` sets size, haze, draw order and parallax
against the camera's pan.
"""

from __future__ import annotations

import functools
import math
import re
from dataclasses import dataclass

from PIL import Image

from . import frames as AF
from .effects import particles
from .elements import Sprite, one_frame
from .layout import frame_for, frame_shot, place
from .placed import GROUNDED, MOVERS, Frame, Placed
from .relations import template
from .relations.base import Path, bob
from .safe import Band

FPS = 30
Frames = list[Image.Image]


def _f(v: float) -> str:
    return f"{v:.3f}"


@functools.lru_cache(maxsize=256)
def frames_for(art: str, height: int, motion: str, flip: bool, turn_up: float,
               haze: tuple[int, int, int], amount: float, colour: str | None = None,
               pose: str = "", figure: str = "") -> tuple[Frames, float]:
    """The frames and frame rate of one actor's body loop (cached: the same actor in several
    shots shares the frames, so they are written and decoded once)."""
    img = AF.body(art, height, flip, turn_up, haze, round(amount, 2), colour, figure)
    if pose == "bitten":
        return AF.bites(img, 8), 8 / 3.0
    if pose == "sipped":
        return AF.rock(img, 9.0, 8), 8 / 2.6
    if pose == "peck":
        return AF.rock(img, 10.0, 6), 6 / 0.8
    if pose == "work":
        return AF.rock(img, 6.0, 4), 10.0
    if pose.startswith("swing:"):  # "swing:1.5:-4,-8,10": those tilts in turn, once every 1.5 s
        _, period, tilts = pose.split(":")
        angles = tuple(float(v) for v in tilts.split(","))
        return AF.swing(img, angles), len(angles) / float(period)
    if pose.startswith("lean"):  # "lean+12": turned that many degrees (counter-clockwise) about its feet
        return AF.breathe(AF.tilted(img, float(pose[4:] or 0.0)), 8), 8 / 2.6
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
    elif motion == "erupt":
        fr, fps = AF.breathe(img, 8), 8 / 2.6
    else:  # still: one frame (a breath is too small to see, and every changing frame costs the encoder)
        fr, fps = [AF.breathe(img, 1)[0]], 1.0
    return fr, fps


@functools.lru_cache(maxsize=64)
def _growth(art: str, height: int, flip: bool, haze: tuple[int, int, int], amount: float,
            colour: str | None = None, figure: str = "", steady: bool = False) -> Frames:
    return AF.grow(AF.body(art, height, flip, 0.0, haze, round(amount, 2), colour, figure), 12, steady)


CopyKey = tuple[tuple[float, float, float, int], ...]


@functools.lru_cache(maxsize=64)
def group_frames(art: str, height: int, motion: str, flip: bool, turn_up: float, haze: tuple[int, int, int],
                 amount: float, colour: str | None, pose: str, copies: CopyKey,
                 shadow: int, figure: str = "") -> tuple[Frames, float, int, int]:
    """One loop of frames for a group of copies (feet offsets, scale, phase) drawn together, back
    rows first, each with its shadow when ``shadow`` > 0 (its opacity); returns the frames, their
    rate and where the group's anchor is on them."""
    loops = {c[2]: frames_for(art, max(8, round(height * c[2])), motion, flip, turn_up, haze, amount, colour, pose,
                              figure) for c in copies}
    n = len(next(iter(loops.values()))[0])
    fps = next(iter(loops.values()))[1]
    boxes = []
    for dx, dy, sc, _ph in copies:
        fw, fh = loops[sc][0][0].size
        boxes.append((dx - fw / 2, dy - fh, dx + fw / 2, dy + fh * 0.08))
    left, top = math.floor(min(b[0] for b in boxes)), math.floor(min(b[1] for b in boxes))
    w = math.ceil(max(b[2] for b in boxes) - left) + 2
    h = math.ceil(max(b[3] for b in boxes) - top) + 2
    w, h = w + w % 2, h + h % 2
    order = sorted(range(len(copies)), key=lambda k: (copies[k][1], copies[k][0]))
    out = []
    for k in range(n):
        img = Image.new("RGBA", (w, h), (0, 0, 0, 0))
        for j in order:
            dx, dy, sc, ph = copies[j]
            fr = loops[sc][0][(k + ph) % n]
            x, y = round(dx - fr.width / 2 - left), round(dy - fr.height - top)
            if shadow:
                sh = AF.shadow(max(8, int(fr.width * 0.8)), shadow)
                img.alpha_composite(sh, (max(0, round(dx - sh.width / 2 - left)), max(0, round(dy - sh.height / 2 - top))))
            img.alpha_composite(fr, (x, y))
        out.append(img)
    return out, fps, -left, -top


class _Cam:
    """Where the camera moves the world: pans slide near things more than far ones (parallax)."""

    def __init__(self, cam: str, W: int, H: int, L: float) -> None:
        self.cam, self.W, self.H = cam, W, H
        self.ease = f"(0.5-0.5*cos(PI*min(t/{_f(max(L, 0.1))},1)))"
        self.L = max(L, 0.1)

    def x(self, cx: str, z: float) -> str:
        return self._x(cx, z, inverse=False)

    def track(self, sx: str, z: float) -> str:
        """Where a thing the camera follows is in the world for it to be at ``sx`` on the screen (the
        inverse of :meth:`x`): a mover keeps its own pace across the frame while the backdrop pans."""
        return self._x(sx, z, inverse=True)

    def _x(self, v: str, z: float, inverse: bool) -> str:
        travel = 0.2 * self.W * (1.5 - 0.9 * z)  # the backdrop itself moves 0.2 W
        if self.cam in ("pan_right", "pan_left"):
            sign = "+" if (self.cam == "pan_right") != inverse else "-"
            return f"({v}){sign}{_f(travel)}*(0.5-{self.ease})"
        if self.cam in ("zoom_in", "zoom_out"):
            return f"{self.W / 2}+(({v})-{self.W / 2}){'/' if inverse else '*'}{self.zoom()}"
        return v

    def y(self, cy: str, z: float) -> str:
        if self.cam == "rise":
            return f"({cy})+{_f(0.2 * self.H * (1.4 - 0.8 * z))}*({self.ease}-0.5)"
        if self.cam in ("zoom_in", "zoom_out"):
            return f"{self.H / 2}+(({cy})-{self.H / 2})*{self.zoom()}"
        return cy

    def zoom(self) -> str:
        p = f"min(t/{_f(self.L)},1)"
        return f"(1+0.14*{p})" if self.cam == "zoom_in" else f"(1.14-0.14*{p})"



def own_path(p: Placed, f: Frame, L: float, back: float, ahead: float,
             hub: tuple[float, float, float] | None = None) -> Path:
    """Where ``p``'s anchor goes by its own motion (before the camera). A mover moves along inside the
    frame; ``back`` and ``ahead`` (px) are how far its sprite, and whatever follows it, reach behind
    and ahead of the anchor: all of it stays in the frame.
    ``hub``: the width, height and centre height of what stands in the middle of an orbit (the sun):
    the orbit goes around it, never over it."""
    W, H = f.W, f.H
    cx, fy, mo = p.cx, p.fy, p.motion
    w, h = p.box_w, p.height
    if mo in MOVERS:
        speed = {"walk": 0.07, "run": 0.17, "drive": 0.2, "fly": 0.1, "swim": 0.06}[mo] * W
        speed = min(speed, max(speed * 0.5, p.width * (2.6 if mo in ("run", "drive") else 1.0)))
        v = speed * p.direction
        if p.count > 1:  # a counted group moves along inside the frame, all of it seen all the time
            return Path(_Cam(f.cam, W, H, L).track(_group_x(p, f, L, v), p.z), bob(p, H))
        # a mover and whatever follows it (a chase, a rider) stay whole inside the frame all the shot
        # long, slower when the shot is long (centred, when too long for the frame): a viewer never
        # sees it leave at 80 % of the shot, nor only the chased at a quarter of it
        left_reach, right_reach = (back, ahead) if p.direction > 0 else (ahead, back)
        cam = _Cam(f.cam, W, H, L)  # (the camera follows it: a pan or a zoom never carries it out)
        return Path(cam.track(_inside_x(cx, f.margin + left_reach, W - f.margin - right_reach, f, L, v), p.z), bob(p, H))
    if mo == "float":
        return Path(f"{_f(cx)}+{_f(W * 0.02)}*sin(t*0.5+{p.index})", bob(p, H))
    if mo == "orbit":
        centre = W / 2 if abs(cx - W / 2) > W * 0.05 else cx
        hw, hh, hy = hub or (0.0, 0.0, fy - h / 2)
        r = max(abs(cx - centre) or 0.22 * f.short, (hw + w) / 2 * 1.1)
        minor = max(r * 0.32, (hh + h) / 2 * 1.1)  # never over what it circles (the sun)
        phase = 0.0 if cx >= centre else math.pi
        period = 6.0 + 6.0 * r / W
        return Path(f"{_f(centre)}+{_f(r)}*cos(2*PI*t/{_f(period)}+{_f(phase)})",
                    f"{_f(hy + h / 2)}+{_f(minor)}*sin(2*PI*t/{_f(period)}+{_f(phase)})")
    if mo == "launch":
        period = min(max(L, 4.0), 8.0)
        t0 = min(1.2, period * 0.25)
        tau = f"mod(t,{_f(period)})"
        rise = (fy + h + 10) / (period * 0.85 - t0) ** 2
        shake = f"{_f(max(1.0, p.width * 0.02))}*sin(t*70)*lt({tau},{_f(t0)})"
        return Path(f"{_f(cx)}+{shake}", f"{_f(fy)}-{_f(rise)}*pow(max(0,{tau}-{_f(t0)}),2)")
    if mo == "turn":
        return Path(_f(cx), f"{_f(fy)}-{_f(h * 0.03)}*(1+sin(2*PI*t/5))")
    return Path(_f(cx), bob(p, H))


def _group_x(p: Placed, f: Frame, L: float, v: float) -> str:
    """A moving group's anchor: as fast as its motion, or slower so that the whole group stays
    inside the frame for the shot's ``L`` seconds (at least a slow drift)."""
    x0, _y0, x1, _y1 = p.box()
    return _inside_x(p.cx, f.margin - (x0 - p.cx), f.W - f.margin - (x1 - p.cx), f, L, v)


def _inside_x(cx: float, lo: float, hi: float, f: Frame, L: float, v: float) -> str:
    """An anchor that may go from ``lo`` to ``hi`` (px) only: as fast as ``v``, or slower so that it
    stays there for ``L`` seconds (at least a slow drift)."""
    room = max(0.0, hi - lo)
    speed = min(abs(v), room / max(L, 0.1))
    speed = max(speed, min(0.025 * f.W, room / max(L, 0.1)))  # a slow drift at least, where it fits
    v = speed if v >= 0 else -speed
    travel = speed * L
    mid = min(max(cx, lo + travel / 2), hi - travel / 2) if room >= travel else (lo + hi) / 2
    return f"{_f(mid - v * L / 2)}+{_f(v)}*t"


class _Body:
    """One actor's frames, and where its anchor is on them."""

    def __init__(self, p: Placed, haze: tuple[int, int, int], shadows: bool = True) -> None:
        self.amount = round(0.5 * p.z ** 1.2, 2)
        self.shadowed = p.motion in GROUNDED and p.motion != "launch" and not p.lifted and shadows
        if p.count > 1:
            copies = tuple((round(c.dx, 1), round(c.dy, 1), round(c.scale, 3), c.phase) for c in p.copies)
            self.frames, self.fps, self.ax, self.ay = group_frames(
                p.art, p.height, p.motion, p.flip, p.turn_up, haze, self.amount, p.colour, p.pose, copies,
                int(95 * (1 - 0.5 * p.z)) if self.shadowed else 0, p.drawn)
            self.shadowed = False  # drawn in the group's frames
        else:
            self.frames, self.fps = frames_for(p.art, p.height, p.motion, p.flip, p.turn_up, haze, self.amount,
                                               p.colour, p.pose, p.drawn)
            self.ax, self.ay = self.frames[0].width // 2, self.frames[0].height

    @property
    def width(self) -> int:
        return self.frames[0].width


def _hub(p: Placed, placed: list[Placed], f: Frame) -> tuple[float, float, float] | None:
    """The size and centre height of a still actor at the middle of ``p``'s orbit (the sun its
    planets go round)."""
    if p.motion != "orbit":
        return None
    centre = f.W / 2 if abs(p.cx - f.W / 2) > f.W * 0.05 else p.cx
    hubs = [(q.box_w, q.box_h, (q.box()[1] + q.box()[3]) / 2) for q in placed
            if q is not p and q.motion != "orbit" and abs(q.cx - centre) < 0.1 * f.W]
    return max(hubs, default=None)


@dataclass
class Staged:
    """A shot's actors: their sprites, and the point a close-up closes in on (px; None otherwise)."""

    sprites: list[Sprite]
    focus: tuple[float, float] | None = None


#: how much later in their motions actors are in the action's beat (a shot from the other side)
BEAT = 1.6


def stage(acts: object, family: str, W: int, H: int, L: float, *, cam: str, haze: tuple[int, int, int],
          band: Band | None = None, shot: str = "wide") -> Staged:
    """The actors of one shot (``shot``: ``wide``, ``close`` or ``beat``: see
    :func:`.layout.frame_shot`)."""
    band = band or Band()
    placed = place(acts, family, W, H, band.floor, band.ceiling, band.boxes, cam)
    if not placed:
        return Staged([])
    f = frame_for(family, W, H, band.floor, band.ceiling, band.boxes, cam)
    focus = frame_shot(placed, f, shot)
    sprites = _sprites(placed, f, L, cam, haze)
    if shot == "beat":
        sprites = [later(sp, BEAT) for sp in sprites]
    return Staged(sprites, focus)


def actor_sprites(acts: object, family: str, W: int, H: int, L: float, *, cam: str,
                  haze: tuple[int, int, int], band: Band | None = None, shot: str = "wide") -> list[Sprite]:
    """Sprites for a scene's ``act`` list, in draw order (shadows and strings, far to near, then
    bubbles, hearts and name tags); ``band``: where the texts of the shot leave room
    (:func:`.safe.text_band`); ``shot``: see :func:`stage`."""
    return stage(acts, family, W, H, L, cam=cam, haze=haze, band=band, shot=shot).sprites


_T = re.compile(r"(?<![A-Za-z_])t(?![A-Za-z_(])")


def later(sp: Sprite, dt: float) -> Sprite:
    """The same sprite, ``dt`` seconds further into its motion."""
    sub = f"(t+{dt:.3f})"
    return Sprite(sp.key, sp.frames, _T.sub(sub, sp.x), _T.sub(sub, sp.y), sp.fps,
                  _T.sub(sub, sp.enable) if sp.enable else None, dict(sp.extras))


def _sprites(placed: list[Placed], f: Frame, L: float, cam: str, haze: tuple[int, int, int]) -> list[Sprite]:
    W, H = f.W, f.H
    camera = _Cam(cam, W, H, L)
    by_index = {p.index: p for p in placed}
    bodies_of = {p.index: _Body(p, haze, f.look.shadows) for p in placed}
    # who moves with whom: a dependent's path is built on its anchor's
    anchor_of: dict[int, int] = {}
    trail: dict[int, float] = {}
    for p in placed:
        tpl = template(p.rel.kind) if p.rel else None
        if p.rel is None or tpl is None or p.rel.other not in by_index:
            continue
        dep, anchor = (p, by_index[p.rel.other]) if tpl.dependent == "a" else (by_index[p.rel.other], p)
        anchor_of[dep.index] = anchor.index
        trail[anchor.index] = max(trail.get(anchor.index, 0.0), tpl.trail(dep, anchor, f))
    paths: dict[int, Path] = {}

    def path_of(p: Placed, depth: int = 0) -> Path:
        if p.index in paths:
            return paths[p.index]
        body = bodies_of[p.index]
        left, right = body.ax, body.width - body.ax
        back, ahead = (left, right) if p.direction > 0 else (right, left)
        own = own_path(p, f, L, back + trail.get(p.index, 0.0), ahead, _hub(p, placed, f))
        out = own
        k = anchor_of.get(p.index)
        if k is not None and depth < len(placed):
            anchor = by_index[k]
            rel_owner = p if p.rel and p.rel.other == k else anchor
            tpl = template(rel_owner.rel.kind) if rel_owner.rel else None
            if tpl is not None:
                out = tpl.path(p, anchor, path_of(anchor, depth + 1), f, L) or own
        paths[p.index] = out
        return out

    under: list[Sprite] = []
    bodies: list[Sprite] = []
    over: list[Sprite] = []
    for p in placed:
        body = bodies_of[p.index]
        path = path_of(p)
        X, Y = camera.x(path.x, p.z), camera.y(path.y, p.z)
        key = f"actor{p.index}"
        fx, fyv = f"({X})-{body.ax}", f"({Y})-{body.ay}"
        if p.motion not in MOVERS and p.motion not in ("orbit", "launch") and p.index not in anchor_of:
            # what stands still stays whole in the frame while the camera pans, rises or zooms
            fw, fh = body.frames[0].size
            fx = f"clip({fx},2,{max(2, W - fw - 2)})"
            fyv = f"clip({fyv},2,{max(2, H - fh - 2)})"
            X = f"({fx})+{body.ax}"
        if body.shadowed:
            sh = AF.shadow(max(8, int(p.width * (0.9 if p.motion != "bounce" else 0.7))), int(95 * (1 - 0.5 * p.z)))
            gy = camera.y(_f(p.fy), p.z)
            under.append(Sprite(f"{key}sh", one_frame(sh), f"({X})-{sh.width // 2}", f"({gy})-{sh.height // 2}"))
        if p.motion == "turn":
            sp = AF.spot(int(max(p.width, p.height) * 1.45))
            under.append(Sprite(f"{key}spot", one_frame(sp), f"({X})-{sp.width // 2}",
                                f"({Y})-{p.height // 2}-{sp.height // 2}"))
        grows = p.pose == "grow" or (p.motion == "bloom" and p.count == 1)
        if grows:
            span = max(1.5, 0.7 * L) if p.pose == "grow" else 1.5
            grow = _growth(p.art, p.height, p.flip, haze, body.amount, p.colour, p.drawn, steady=p.pose == "grow")
            gw, gh = grow[0].size
            bodies.append(Sprite(f"{key}grow", grow, f"({X})-{gw // 2}", f"({Y})-{gh}", fps=len(grow) / span,
                                 enable=f"lt(t,{_f(span)})"))
            bodies.append(Sprite(key, body.frames, fx, fyv, fps=body.fps, enable=f"gte(t,{_f(span)})"))
        else:
            bodies.append(Sprite(key, body.frames, fx, fyv, fps=body.fps))
        if p.motion == "erupt":
            bodies[-1:-1] = particles(p.art, p.index, X, Y, body.frames[0].height, key, min(W, H))
        if p.rel is not None and p.rel.other in by_index:
            tpl = template(p.rel.kind)
            if tpl is not None:
                b = by_index[p.rel.other]
                for prop in tpl.props(p, b, path_of(p), path_of(b), f, L, f"rel{p.index}"):
                    moved = Sprite(prop.key, prop.frames, camera.x(prop.x, p.z), camera.y(prop.y, p.z), prop.fps,
                                   prop.enable)
                    (under if "string" in prop.key else over).append(moved)
        if p.label:
            over.append(_tag(p, X, Y, body, W, H, key))
    return under + bodies + over


def _tag(p: Placed, X: str, Y: str, body: _Body, W: int, H: int, key: str) -> Sprite:
    tag = AF.label(p.label or "", min(W, H))
    lw, lh = tag.size
    gap = max(4, min(W, H) * 0.012)
    # above the head (captions live at the bottom), below the feet when the head is high up
    above = p.box()[1] - gap - lh > H * 0.04 or p.motion == "launch"
    ty = f"({Y})-{body.ay}-{_f(gap + lh)}" if above else f"({Y})+{_f(gap)}"
    tx = f"max(8,min(W-{lw + 8},({X})-{lw // 2}))"
    # kept inside the frame, except a launch's tag, which leaves with its rocket
    tyc = ty if p.motion == "launch" else f"max(8,min(H-{lh + 8},{ty}))"
    return Sprite(f"{key}tag", one_frame(tag), tx, tyc)
