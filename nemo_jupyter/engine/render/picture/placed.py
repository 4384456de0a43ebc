"""What the layout decides for each actor of a shot, and the frame it decides it in.

A :class:`Placed` actor is one subject of the ``act`` list, or a group of its copies (``n``): an
anchor (the feet of the front copy, in the middle of the group), the copies around it, its size,
depth, colour, motion and the relation it is in. The layout (:mod:`.layout`), the relation
templates (:mod:`.relations`) and the sprites (:mod:`.actors`) all read and write these.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from . import people as P
from .scenes.registry import Facts

#: motions that keep an actor's feet on the ground (a shadow under it)
GROUNDED = {"still", "walk", "run", "drive", "bounce", "bloom", "erupt", "launch", "turn", "sway"}
#: motions that cross the frame
MOVERS = {"walk", "run", "drive", "fly", "swim"}


@dataclass
class Copy:
    """One copy of a group, relative to the group's anchor: feet offset (px), scale, and the frame
    its motion loop starts at (copies do not move in step)."""

    dx: float
    dy: float
    scale: float = 1.0
    phase: int = 0


@dataclass(frozen=True)
class Rel:
    """The relation an actor is in: ``kind`` to the actor at index ``other`` (and ``third``: between)."""

    kind: str
    other: int
    third: int | None = None


@dataclass
class Placed:
    index: int
    subject: str
    art: str
    motion: str
    cx: float           # anchor: centre, px
    fy: float           # anchor: feet (bottom of the drawing), px
    height: int         # drawing height of one copy, px
    z: float            # 0 near .. 1 far
    label: str | None
    direction: int      # +1 moving / looking right, -1 left
    flip: bool          # mirror the art (so movers look where they go)
    turn_up: float      # degrees to turn the art upright (rockets, planes)
    width: int = 0      # drawing width of one copy, px
    colour: str | None = None
    kind: str = ""      # what it is (the subject's group: "animal-mammal", "person", ...), when known
    copies: list[Copy] = field(default_factory=lambda: [Copy(0.0, 0.0)])
    rel: Rel | None = None
    lifted: bool = False    # carried, ridden on, standing on something: no shadow on the ground
    order: float = 0.0      # draw order among equals: a relation puts one in front of the other
    links: set[int] = field(default_factory=set)  # actors it is related to (they may touch)
    asked: int = 1          # copies asked for (``n``)
    pose: str = ""          # how a relation holds it: sit, grow, bitten, sipped, peck, work, tend, lean
    floating: bool = False  # held on a string (a balloon)
    figure: str = ""        # a person drawn whole: its legs (stand, walk, run; sit: none) (:mod:`.people`)
    arms: str = ""          # and its forward arm's pose (up, out, mouth; none: a hug's arms are drawn over)

    @property
    def drawn(self) -> str:
        """The whole person's drawing (:func:`.people.figure_key`): legs, and arms reaching forward."""
        if not self.figure:
            return ""
        return P.figure_key(self.figure, self.arms, -self.direction if self.flip else self.direction)

    @property
    def count(self) -> int:
        return len(self.copies)

    def box(self) -> tuple[float, float, float, float]:
        """The group's drawing box (x0, y0, x1, y1), px, at its anchor."""
        x0 = min(self.cx + c.dx - self.width * c.scale / 2 for c in self.copies)
        x1 = max(self.cx + c.dx + self.width * c.scale / 2 for c in self.copies)
        y0 = min(self.fy + c.dy - self.height * c.scale for c in self.copies)
        y1 = max(self.fy + c.dy for c in self.copies)
        return x0, y0, x1, y1

    @property
    def box_w(self) -> float:
        x0, _y0, x1, _y1 = self.box()
        return x1 - x0

    @property
    def box_h(self) -> float:
        _x0, y0, _x1, y1 = self.box()
        return y1 - y0

    def shift(self, dx: float, dy: float = 0.0) -> None:
        self.cx += dx
        self.fy += dy

    def resize(self, factor: float) -> None:
        """Scale the drawing (and the group's spacing) by ``factor`` about the anchor."""
        factor = max(0.05, factor)
        self.height = max(8, round(self.height * factor))
        self.width = max(4, round(self.width * factor))
        for c in self.copies:
            c.dx *= factor
            c.dy *= factor

    @property
    def person(self) -> bool:
        return self.kind.startswith("person")

    @property
    def animal(self) -> bool:
        return self.kind.startswith("animal")


@dataclass
class Frame:
    """The frame a shot's actors are laid out in: its size, its family, and the band left free by
    the texts shown meanwhile (``ceiling``: below a title at the top; ``floor``: above a caption at
    the bottom; ``boxes``: texts in the middle, to keep clear of), px."""

    W: int
    H: int
    look: Facts
    floor: float
    ceiling: float
    boxes: list[tuple[float, float, float, float]] = field(default_factory=list)  # texts in the middle, px
    cam: str = "still"   # the shot's camera motion

    @property
    def margin(self) -> float:
        return 0.02 * self.W

    @property
    def short(self) -> int:
        return min(self.W, self.H)

    def inset(self, z: float) -> float:
        """How far from each side of the frame a still actor at depth ``z`` stands, so that the
        camera's pan (near things slide more: parallax) or zoom never carries it out of the frame."""
        m = self.margin
        if self.cam in ("pan_left", "pan_right"):
            return m + 0.1 * self.W * (1.5 - 0.9 * z)
        if self.cam in ("zoom_in", "zoom_out"):
            return self.W / 2 - (self.W / 2 - m) / 1.14
        return m

    def ground(self, z: float) -> float:
        """The ground line at depth ``z`` (px), never under the floor."""
        far, near = self.look.ground
        return min(self.floor, (far * z + near * (1 - z)) * self.H)
