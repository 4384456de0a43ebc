"""The interface of a relation template, and what templates share.

A relation ``kind(a, b)`` ("a dog chasing a squirrel": chase(dog, squirrel); "a cat under the
table": under(cat, table)) is drawn by one :class:`Template`, reused by every subject:

* :meth:`Template.prepare` sets the motions the relation needs (both run in a chase, the rider
  rides, what is held stops walking off on its own), before the actors are sized;
* :meth:`Template.arrange` puts the *dependent* actor (``a``, or ``b`` when ``dependent = "b"``:
  the ball that is thrown, the balloon that is held) against the other, its *anchor*;
* :meth:`Template.path` moves the dependent with its anchor (expressions of the shot's time ``t``
  built on the anchor's own, so the rider stays on the horse and the chaser behind the chased);
* :meth:`Template.props` adds what shows the relation (a kite's string, speech bubbles, a heart,
  crumbs thrown to the ducks).

Attachment points (a hand, a mouth, a back to sit on, a top to stand on) come from the actor's
kind and the way it looks (``direction``), so a template works for any pair of subjects.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass
from typing import ClassVar

import numpy as np

from .. import people as P
from ..art import FACES_FRONT, FACES_RIGHT, raster
from ..elements import Sprite
from ..placed import MOVERS, Frame, Placed


@dataclass
class Path:
    """Where an actor's anchor (the feet of its group's front copy) is at the shot's time ``t``:
    FFmpeg expressions, px, before the camera."""

    x: str
    y: str


def f3(v: float) -> str:
    return f"{v:.3f}"


def offset(p: Path, dx: float, dy: float) -> Path:
    return Path(f"({p.x})+{f3(dx)}", f"({p.y})+{f3(dy)}")


def look(p: Placed, direction: int) -> None:
    """Turn ``p`` to look right (+1) or left (-1)."""
    p.direction = 1 if direction >= 0 else -1
    if not p.turn_up:
        p.flip = (p.direction > 0) != (p.art.split("-")[0] in FACES_RIGHT or p.art in FACES_RIGHT)


def lean(p: Placed, forward: float) -> None:
    """Tilt ``p`` about its feet: ``forward`` degrees towards where it looks (its head down to what
    is before it), negative: its front up (its head raised to what is above it)."""
    p.pose = f"lean{-p.direction * forward:+.0f}"


def solid_width(p: Placed, lo: float, hi: float) -> float:
    """How wide ``p``'s drawing is at its widest between ``lo`` and ``hi`` of its height from its
    feet (0-1), px: a tree is wide at its crown, a trunk's width near the ground."""
    img = raster(p.art, max(8, p.height), p.colour)
    alpha = np.asarray(img.getchannel("A")) > 128
    h = alpha.shape[0]
    rows = alpha[max(0, round(h * (1 - hi))): max(1, round(h * (1 - lo)))]
    if not rows.size:
        return 0.0
    widest = float(rows.sum(axis=1).max())
    return widest * p.width / max(1, int(alpha.shape[1]))


def open_below(p: Placed, hi: float) -> bool:
    """Whether ``p`` is mostly open up to ``hi`` of its height from its feet (a chair's or a
    table's legs, a tree's trunk, an umbrella's pole): what stands under it shows between them."""
    img = raster(p.art, max(8, p.height), p.colour)
    alpha = np.asarray(img.getchannel("A")) > 128
    h = alpha.shape[0]
    band = alpha[max(0, round(h * (1 - hi))):]
    return bool(band.size) and float(band.mean()) < 0.4


def towards(p: Placed, other: Placed) -> int:
    return 1 if other.cx >= p.cx else -1


def settle(p: Placed) -> None:
    """A dependent that must stay where the relation puts it: no walking off across the frame
    (a person or a land animal stands; a bird, a fish or a balloon hovers)."""
    if p.motion in ("walk", "run", "drive"):
        p.motion = "still"
    elif p.motion in ("fly", "swim", "orbit", "launch"):
        ground = p.person or p.kind in ("animal-mammal", "animal-reptile", "animal-amphibian")
        p.motion = "still" if ground else "float"


def figure_point(p: Placed, name: str) -> tuple[float, float] | None:
    """Where point ``name`` of a whole person's drawing (:func:`.people.points`: ``hand``, ``mouth``,
    ``eyes``, ``shoulder``) is in the frame, px; None for what is not drawn whole."""
    if not (p.person and p.figure):
        return None
    img = P.figure(p.art, p.height, p.drawn, p.colour)
    x, y = P.points(p.art, p.height, p.drawn, p.colour)[name]
    return p.cx + (-1 if p.flip else 1) * (x - img.width / 2), p.fy - img.height + y


@functools.lru_cache(maxsize=128)
def _lowest(art: str) -> float:
    a = np.asarray(raster(art, 96).getchannel("A")) > 128
    ys, xs = np.nonzero(a)
    if not len(xs):
        return 0.0
    low = xs[ys >= ys.max() - 2]
    return float((low.mean() - (xs.min() + xs.max()) / 2) / max(1, xs.max() - xs.min()))


def knot(p: Placed) -> tuple[float, float]:
    """Where a string is tied to ``p``: the lowest point of its drawing (a balloon's knot or its
    ribbon's end), px."""
    share = _lowest(p.art)
    return p.cx + (-share if p.flip else share) * p.width, p.fy


def pose_arms(p: Placed, arms: str) -> bool:
    """Pose a whole person's forward arm (:data:`.people.ARMS`; ``none``: no arms); False for what is
    not drawn whole (an animal, a bust). Its width stays its body's (its shadow's, its place's): an
    arm reaching out may overlap what it holds."""
    if not (p.person and p.figure):
        return False
    p.arms = arms
    return True


def whole(p: Placed) -> bool:
    """Whether ``p`` is a person drawn whole (arms that can be posed)."""
    return p.person and bool(p.figure)


def hand(p: Placed) -> tuple[float, float]:
    """Where ``p`` holds things: a whole person's hand (where its arm's pose puts it), an animal's
    mouth."""
    forward = -p.direction if p.flip else p.direction  # (on the art as drawn, before mirroring)
    at = figure_point(p, "hand" if p.arms else ("hand+" if forward > 0 else "hand-"))
    if at is not None:
        return at
    if p.person:
        return p.cx + p.direction * p.width * 0.42, p.fy - p.height * 0.2
    return mouth(p)


@functools.lru_cache(maxsize=256)
def snout(art: str) -> tuple[float, float]:
    """Where the mouth of ``art`` is: (forward of its middle, down from its top) as shares of its
    width and height, forward being the way it faces. Art seen from the side has its mouth at the
    front of its head (the front-most point of its upper part: a dog's snout, a duck's bill, a
    monkey's face); art seen from the front (as wide one way as the other: an owl, a teddy) in the
    middle of its face."""
    if frontal(art):
        return 0.0, 0.42
    a = np.asarray(raster(art, 96).getchannel("A")) > 128
    if not a.any():
        return 0.3, 0.35
    ys, xs = np.nonzero(a)
    top, bottom = int(ys.min()), int(ys.max())
    right = art.split("-")[0] in FACES_RIGHT or art in FACES_RIGHT
    upper = a[top: top + max(1, round((bottom - top) * 0.65))]
    cols = np.nonzero(upper.any(axis=0))[0]
    front = int(cols.max()) if right else int(cols.min())
    near = upper[:, front - 2: front + 1] if right else upper[:, front: front + 3]
    rows = np.nonzero(near.any(axis=1))[0]
    y = top + float(rows.mean()) if rows.size else top + (bottom - top) * 0.3
    x0, x1 = int(xs.min()), int(xs.max())
    fwd = ((front - (x0 + x1) / 2) if right else ((x0 + x1) / 2 - front)) / max(1, x1 - x0)
    return max(0.0, fwd - 0.06), min(0.8, (y - top) / max(1, bottom - top) + 0.04)


@functools.lru_cache(maxsize=256)
def frontal(art: str) -> bool:
    """Whether ``art`` faces the viewer (an owl, a teddy, a lion's face): as wide one way as the other."""
    if art in FACES_FRONT:
        return True
    a = np.asarray(raster(art, 96).getchannel("A")) > 128
    if not a.any():
        return True
    ys, xs = np.nonzero(a)
    a = a[ys.min(): ys.max() + 1, xs.min(): xs.max() + 1]
    return float((a & a[:, ::-1]).sum()) / max(1.0, float((a | a[:, ::-1]).sum())) > 0.9


def mouth(p: Placed) -> tuple[float, float]:
    at = figure_point(p, "mouth")
    if at is not None:
        return at
    if p.person:
        return p.cx + p.direction * p.width * 0.14, p.fy - p.height * 0.5
    fwd, down = snout(p.art)
    return p.cx + p.direction * p.width * fwd, p.fy - p.height * (1 - down)


def seat(p: Placed) -> tuple[float, float]:
    """Where a rider sits on ``p`` (a horse's back, a bicycle's saddle)."""
    if p.kind.startswith("transport"):
        return p.cx - p.direction * p.width * 0.08, p.fy - p.height * 0.62
    return p.cx + p.direction * p.width * 0.05, p.fy - p.height * 0.7


#: where things stand on art that is not flat on top: its surface, as a share of its height above
#: its feet (a chair's seat, a couch's cushions, a bed, a car's roof, a tree's crown)
SURFACE = {"1FA91": 0.5, "1F6CB": 0.5, "1F6CF": 0.52, "1F6C1": 0.6, "1F697": 0.8, "1F695": 0.8, "1F699": 0.82,
           "1F333": 0.72, "1F332": 0.6, "1F334": 0.8, "1F3E0": 0.92, "1F3E1": 0.9, "1F6B2": 0.7,
           "1F40E": 0.75, "1F418": 0.85, "1F42A": 0.8, "1F42B": 0.8,
           "1F9FA": 0.62, "1FAA3": 0.6, "1F6D2": 0.82}  # (a basket's, a bucket's, a cart's rim under the handle)


def top(p: Placed) -> float:
    """The height of ``p``'s top surface (what stands on it stands there), px."""
    share = SURFACE.get(p.art)
    if share is not None:
        return p.fy - p.height * share
    _x0, y0, _x1, _y1 = p.box()
    return y0 + p.height * 0.06


def beside(a: Placed, b: Placed, f: Frame, side: int, gap: float) -> None:
    """``a`` on ``b``'s ground line, ``side`` of it (+1 right, -1 left), ``gap`` (px) between them;
    the other side when there is no room."""
    bx0, _by0, bx1, _by1 = b.box()
    ax0, _ay0, ax1, _ay1 = a.box()
    half_l, half_r = a.cx - ax0, ax1 - a.cx
    for s in (side, -side):
        cx = bx1 + gap + half_l if s > 0 else bx0 - gap - half_r
        if f.margin <= cx - half_l and cx + half_r <= f.W - f.margin:
            break
    a.cx = cx
    if not a.lifted and a.motion not in ("fly", "float"):  # a balloon near a chair stays up
        a.fy = b.fy
        a.z = b.z


class Template:
    """One relation kind (see the module docstring); the defaults do nothing."""

    kind: ClassVar[str]
    #: which actor is laid out (and moved) against the other: "a" (the subject) or "b" (its object)
    dependent: ClassVar[str] = "a"
    #: a relation of places (on, under, beside...): both stay where it puts them, so it holds all
    #: through the shot
    spatial: ClassVar[bool] = False

    def prepare(self, a: Placed, b: Placed, c: Placed | None) -> None:
        """Set the motions the relation needs (before sizing)."""
        settle(a if self.dependent == "a" else b)
        if self.spatial:
            for p in (a, b, c):
                if p is not None:
                    settle(p)

    def arrange(self, a: Placed, b: Placed, c: Placed | None, f: Frame) -> None:
        """Put the dependent against its anchor."""

    def path(self, dep: Placed, anchor: Placed, anchor_path: Path, f: Frame, L: float) -> Path | None:
        """The dependent's path: by default it moves with a moving anchor, else its own."""
        if anchor.motion in MOVERS:
            return offset(anchor_path, dep.cx - anchor.cx, dep.fy - anchor.fy)
        return None

    def props(self, a: Placed, b: Placed, pa: Path, pb: Path, f: Frame, L: float, key: str) -> list[Sprite]:
        """Sprites that show the relation (strings, bubbles, hearts, crumbs)."""
        return []

    def trail(self, dep: Placed, anchor: Placed, f: Frame) -> float:
        """How far behind a moving anchor the dependent reaches (px): the anchor crosses the frame
        with it, so they leave and come back together."""
        return 0.0


def arc(x0: float, y0: float, x1: float, y1: float, height: float, period: float, phase: float = 0.0,
        rest: tuple[float, float] = (0.0, 0.0)) -> Path:
    """A thrown thing's path: from (x0, y0) to (x1, y1) over ``period`` s, ``height`` px above the
    straight line at the middle, again and again; ``rest``: the shares of the period it stays at
    its start (in the kicker's foot, the thrower's hand) and at its end (in the catcher's mouth)."""
    tau = f"(mod(t+{f3(phase)},{f3(period)})/{f3(period)})"
    r0, r1 = rest
    if r0 or r1:
        tau = f"clip(({tau}-{f3(r0)})/{f3(max(0.05, 1 - r0 - r1))},0,1)"
    return Path(f"{f3(x0)}+{f3(x1 - x0)}*{tau}",
                f"{f3(y0)}+{f3(y1 - y0)}*{tau}-{f3(4 * height)}*{tau}*(1-{tau})")


def swing(p: Placed, period: float, forward: tuple[float, ...]) -> None:
    """``p`` moves in beats once every ``period`` s: tilted ``forward`` degrees (towards where it
    looks; negative: back) in turn, in step with a thrown thing's :func:`arc`."""
    p.pose = "swing:" + f"{period:g}:" + ",".join(f"{-p.direction * d:g}" for d in forward)


def distance(a: Placed, b: Placed) -> float:
    return math.hypot(a.cx - b.cx, a.fy - b.fy)


def bob(p: Placed, H: int, fy: float | None = None) -> str:
    """``p``'s feet height as its motion bobs it (a walk's step, a run's bounce, a flyer's glide)."""
    fy = p.fy if fy is None else fy
    h, mo = p.height, p.motion
    if mo == "walk":
        return f"{f3(fy)}-{f3(h * 0.035)}*abs(sin(PI*t*2))"
    if mo == "run":
        return f"{f3(fy)}-{f3(h * 0.09)}*abs(sin(PI*t*3.2))"
    if mo == "drive":
        return f"{f3(fy)}-{f3(max(1.0, h * 0.008))}*abs(sin(PI*t*7))"
    if mo == "fly":
        return f"{f3(fy)}+{f3(H * 0.03)}*sin(2*PI*t/1.6)"
    if mo == "swim":
        return f"{f3(fy)}+{f3(H * 0.025)}*sin(2*PI*t/2.4)"
    if mo == "bounce":
        return f"{f3(fy)}-{f3(min(h * 0.6, H * 0.14))}*abs(sin(PI*(t+{f3(0.45 * (p.index % 2))})/0.9))"
    if mo == "float":
        return f"{f3(fy)}+{f3(H * 0.03)}*sin(2*PI*t/3.0+{p.index})"
    return f3(fy)
