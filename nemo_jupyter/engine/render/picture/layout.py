"""Where actors stand: the draft's ``act`` entries completed, grouped, related and fitted.

Only ``s`` (subject) is required in a draft; this module fills in the rest for the scene it is
in: the ground line of each family (near and far, from its scenes.json entry), where flyers fly
and swimmers swim, a size that shrinks with depth (times the entry's size factor ``sc``),
positions that spread several subjects over the frame, a motion that suits the subject, and which
way it looks. Then the composition the entry asks for:

* ``n`` copies as one group that can be counted (:mod:`.groups`);
* ``col``: the art recoloured (:mod:`.colour`, applied when the frames are drawn);
* ``rel``: the actor placed against another by its relation's template (:mod:`.relations`; an
  actor in a relation ignores its own ``x``/``y``);
* and a fit that never collides: everything whole in the frame, between the texts shown meanwhile
  (``floor``, ``ceiling``), actors that are not related side by side instead of over one another,
  the far drawn before the near.

Sizes work in every aspect ratio (16:9, 9:16, 1:1).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

from .... import draft_format as F
from . import art as A
from . import groups as G
from . import people as P
from .kinds import kind_of
from .placed import GROUNDED, MOVERS, Frame, Placed, Rel
from .relations import template
from .scenes.registry import facts

SKY_Y = 0.32            # flyers' default height (their feet), fraction of the frame height
BASE_SIZE = 0.36        # default size of a near actor: sqrt(w*h) as a fraction of the short side
FREE = ("fly", "swim", "float", "orbit", "launch")  # motions not standing on the ground
Box = tuple[float, float, float, float]

__all__ = ["GROUNDED", "MOVERS", "Placed", "default_motion", "place", "size_factor", "uses_art"]


def _num(v: object, lo: float, hi: float) -> float | None:
    if isinstance(v, bool) or not isinstance(v, (int, float)) or math.isnan(float(v)):
        return None
    return min(hi, max(lo, float(v)))


def default_motion(art: str) -> str:
    """A motion for art that comes without one (the planner usually sets ``mo``)."""
    kind = kind_of(art)
    if kind in ("household", "furniture", "place-building", "place-other", "tool", "office", "dishware"):
        return "still"
    code = art.split("-")[0]
    try:
        cp = int(code, 16)
    except ValueError:
        return "still"
    if code in ("1F680",):
        return "launch"
    if code in ("1F30B", "1F386", "1F387", "26F2"):
        return "erupt"
    if code in ("1F388", "1F47B", "2601", "1F9D1-200D-1F680"):
        return "float"
    if code in ("1FA90", "1F30D", "1F30E", "1F30F", "1F311", "1F315", "1F319"):
        return "orbit"
    if 0x1F337 <= cp <= 0x1F33C or code in ("1F490", "1F331", "1F332", "1F333", "1F334", "1F335", "1FAB4"):
        return "sway" if code in ("1F332", "1F333", "1F334", "1F335") else "bloom"
    if code in ("26BD", "1F3C0", "1F3C8", "1F3BE", "1F3D0", "1F3B1"):
        return "bounce"
    if 0x1F680 <= cp <= 0x1F6FF or code in ("1F3CE", "1F3CD"):
        return "drive"
    if code in ("1F426", "1F985", "1F98B", "1F41D", "1F54A", "1F987", "1F989", "1F99C", "2708", "1F681"):
        return "fly"
    if code in ("1F41F", "1F420", "1F421", "1F42C", "1F433", "1F40B", "1F988", "1F419", "1F9AD"):
        return "swim"
    return "still"


def size_factor(art: str) -> float:
    """Default size of art relative to a person-sized subject (balls are small, elephants big)."""
    code = art.split("-")[0]
    cp = int(code, 16) if all(c in "0123456789ABCDEF" for c in code) else 0
    if code in ("26BD", "1F3C0", "1F3C8", "1F3BE", "1F3D0", "1F98B", "1F41D", "1F41E", "1F41C", "1F997",
                "1F99F", "1F381", "1F4F1", "231A", "1F48D", "1F511") or 0x1F345 <= cp <= 0x1F37F:
        return 0.6
    if code in ("1F418", "1F992", "1F995", "1F996", "1F40B", "1F3F0", "1F3EF", "1F5FC", "1F5FD", "1F30B",
                "1F68C", "1F69A", "1F6F3", "1F333", "1F332", "1F334", "1F3A1", "1F3A2", "1F9A3", "1F98F") \
            or 0x1F3E0 <= cp <= 0x1F3EF or 0x1F682 <= cp <= 0x1F686:
        return 1.4
    return 1.0


def _rel(a: dict[str, Any], index: dict[int, int]) -> Rel | None:
    """The entry's relation, with the other actors' indexes among the drawn ones."""
    r = a.get("rel")
    if not isinstance(r, dict) or r.get("k") not in F.RELATION_KINDS:
        return None
    other = r.get("o")
    third = r.get("o2")
    if not isinstance(other, int) or isinstance(other, bool) or other not in index:
        return None
    t = index[third] if isinstance(third, int) and not isinstance(third, bool) and third in index else None
    return Rel(str(r["k"]), index[other], t)


def place(acts: object, family: str, W: int, H: int, floor: float | None = None,
          ceiling: float | None = None, boxes: Sequence[Box] = (), cam: str = "still") -> list[Placed]:
    """The draft's actors of one scene, completed, grouped, related and sized for a ``W``×``H``
    frame, in draw order (far first).

    Entries without drawable art are skipped (the planner only writes art it knows). ``floor``
    and ``ceiling`` (fractions of the height): the free band between the texts shown during the
    shot; actors stand above the floor and keep their heads under the ceiling; ``boxes``
    (fractions): texts in the middle of the frame, which actors keep clear of."""
    if not isinstance(acts, list):
        return []
    items: list[tuple[dict[str, Any], str]] = []
    index: dict[int, int] = {}
    for k, a in enumerate(acts):
        if isinstance(a, dict):
            subject = str(a.get("s") or "")
            code = A.normal_id(a.get("art")) or A.art_for_text(subject) or A.art_for_name(subject)
            if code:
                index[k] = len(items)
                items.append((a, code))
    f = frame_for(family, W, H, floor, ceiling, boxes, cam)
    n = len(items)
    out: list[Placed] = []
    for i, (a, code) in enumerate(items):
        mo = a.get("mo") if a.get("mo") in F.MOTIONS else default_motion(code)
        col = a.get("col") if a.get("col") in F.COLOURS else None
        lbl = a.get("lbl")
        p = Placed(i, str(a.get("s") or code), code, str(mo), 0.0, 0.0, 0, 0.0,
                   str(lbl).strip() if isinstance(lbl, str) and lbl.strip() else None, 1, False, 0.0,
                   colour=col, kind=kind_of(code), rel=_rel(a, index))
        out.append(p)
    # the motions each relation needs, before anything is sized
    for p in out:
        tpl = template(p.rel.kind) if p.rel else None
        if p.rel and tpl:
            tpl.prepare(p, out[p.rel.other], out[p.rel.third] if p.rel.third is not None else None)
    for p, (a, _code) in zip(out, items, strict=True):
        _size_and_spot(p, a, f, n)
    for p, (a, _code) in zip(out, items, strict=True):
        count = a.get("n")
        if isinstance(count, int) and not isinstance(count, bool) and count > 1:
            G.arrange(p, count, f)
    _spread(out, f)
    _relate(out, f)
    _fit(out, f)
    # far ones first: nearer actors are drawn over them; at one depth, what a relation puts in front
    # goes in front, then small ones in front of big
    return sorted(out, key=lambda p: (-round(p.z, 2), p.order, -p.width * p.height, p.index))


def frame_for(family: str, W: int, H: int, floor: float | None = None, ceiling: float | None = None,
              boxes: Sequence[Box] = (), cam: str = "still") -> Frame:
    """The frame of a shot of ``family`` (the free band given as fractions of the frame)."""
    return Frame(W, H, facts(family), H * (floor if floor is not None else 1.0),
                 H * (ceiling if ceiling is not None else 0.0),
                 [(b[0] * W, b[1] * H, b[2] * W, b[3] * H) for b in boxes], cam)


def _size_and_spot(p: Placed, a: dict[str, Any], f: Frame, n: int) -> None:
    """Default depth, position and size of ``p`` from its entry (``x``, ``y``, ``h``, ``z``, ``sc``)."""
    W, H, i, mo, code = f.W, f.H, p.index, p.motion, p.art
    z = _num(a.get("z"), 0.0, 1.0)
    if z is None:
        z = 0.0 if n == 1 else (0.35 * (i % 3) / 2 if n <= 3 else 0.5 * (i % 3) / 2)
    x = _num(a.get("x"), -0.2, 1.2)
    if x is None:
        x = 0.5 if n == 1 else 0.14 + 0.72 * i / (n - 1)
    y = _num(a.get("y"), 0.0, 1.2)
    if y is None:
        if mo == "fly":
            y = SKY_Y + 0.08 * (i % 3)
        elif mo == "swim":
            y = (f.look.swim or 0.6) + 0.05 * (i % 2)
        elif mo in ("float", "orbit"):
            y = 0.45
        else:
            y = f.ground(z) / H
    if y * H > f.floor and mo not in FREE and not p.lifted:
        y = f.floor / H
    code_up = A.UPRIGHT.get(code, 0.0) if mo in ("launch", "fly", "float", "still", "turn") else 0.0
    if P.needs_body(code):  # a whole person, with legs for its motion
        p.figure = P.pose_for(mo, p.pose)
    probe = P.figure(code, 144, p.figure) if p.figure else A.raster(code, 144)
    aspect = probe.width / probe.height
    if code_up:
        rad = math.radians(code_up)
        aspect = (aspect * abs(math.cos(rad)) + abs(math.sin(rad))) / (aspect * abs(math.sin(rad)) + abs(math.cos(rad)))
    h = _num(a.get("h"), 0.02, 1.0)
    if h is not None:
        # a fraction of the frame height; on tall frames the short side limits it a little
        height = h * H if W >= H else h * math.sqrt(W * H)
    else:
        size = BASE_SIZE * f.short * (1 - 0.55 * z) * (0.82 if n > 3 else 1.0) * size_factor(code)
        if mo == "turn":
            size *= 1.35
        height = size / math.sqrt(aspect)
    sc = _num(a.get("sc"), 0.2, 4.0)
    if sc is not None:
        height *= sc
    # never wider than most of the frame (a hero product leaves room around it), never taller
    height = min(height, (0.62 if mo == "turn" else 0.8) * W / aspect, 0.8 * H)
    height = max(8, round(height))
    direction = 1 if (i % 2 == 0) == (x <= 0.6) else -1
    if mo not in MOVERS:
        direction = 1 if x <= 0.5 else -1  # still subjects look towards the middle
    faces_right = code in A.FACES_RIGHT
    flip = (direction > 0) != faces_right if mo in MOVERS or mo in ("still", "bounce") else False
    if code_up:
        flip = False
    width = height * aspect
    cx, fy = x * W, y * H
    if mo not in MOVERS and mo != "orbit":  # whole in the frame, with a small margin
        m = f.margin
        cx = min(max(cx, width / 2 + m), W - width / 2 - m) if width < W - 2 * m else W / 2
    if mo not in ("launch", "bounce", "orbit"):
        fy = max(fy, height + 0.02 * H)
    p.cx, p.fy, p.height, p.z, p.width = cx, fy, int(height), z, round(width)
    p.direction, p.flip, p.turn_up = direction, flip, code_up


def _spread(placed: list[Placed], f: Frame) -> None:
    """Actors put on the very same spot (a planner's default) stand side by side instead."""
    for i, p in enumerate(placed):
        for q in placed[:i]:
            if abs(p.cx - q.cx) < 0.04 * f.W and abs(p.fy - q.fy) < 0.06 * f.H and p.motion != "orbit":
                step = (p.box_w + q.box_w) / 2 * 0.9
                side = 1 if (i % 2) else -1
                cx = q.cx + side * step
                if not (p.box_w / 2 <= cx <= f.W - p.box_w / 2):
                    cx = q.cx - side * step
                p.cx = min(max(cx, p.box_w / 2 + f.margin), f.W - p.box_w / 2 - f.margin)


def _relate(placed: list[Placed], f: Frame) -> None:
    """Each relation's template puts its dependent against its anchor, anchors first."""
    done: set[int] = set()

    def settle(p: Placed, depth: int = 0) -> None:
        if p.index in done or depth > len(placed):
            return
        done.add(p.index)
        if p.rel is None:
            return
        tpl = template(p.rel.kind)
        if tpl is None:
            return
        b = placed[p.rel.other]
        c = placed[p.rel.third] if p.rel.third is not None else None
        if tpl.dependent == "a":
            settle(b, depth + 1)  # the anchor first
        for other in (b, c):
            if other is not None:
                p.links.add(other.index)
                other.links.add(p.index)
        tpl.arrange(p, b, c, f)

    for p in placed:
        settle(p)
    _unpile(placed, f)


SIDE_BY_SIDE = {"beside", "near", "left_of", "right_of", "look_at", "talk_to", "feed", "play_with"}


def _unpile(placed: list[Placed], f: Frame) -> None:
    """Actors put beside one same anchor ("a girl and a cat near a chair") stand one after the
    other outwards, never over one another; on the anchor's other side when there is no room."""
    for i, p in enumerate(placed):
        if p.rel is None or p.rel.kind not in SIDE_BY_SIDE or p.motion in MOVERS:
            continue
        anchor = placed[p.rel.other]
        for q in placed[:i]:
            if q is anchor or (q.rel is not None and q.rel.other == p.index) or not _hits(p.box(), q.box()):
                continue
            if abs(p.fy - q.fy) > 0.5 * max(p.box_h, q.box_h):
                continue  # one up in the air, the other on the ground
            x0, _y0, x1, _y1 = q.box()
            half_l, half_r = p.cx - p.box()[0], p.box()[2] - p.cx
            gap = 0.02 * f.W
            out = 1 if p.cx >= anchor.cx else -1
            cx = x1 + gap + half_l if out > 0 else x0 - gap - half_r
            if not (f.margin <= cx - half_l and cx + half_r <= f.W - f.margin):  # the anchor's other side
                taken = [r.box() for r in placed[:i] if r is not p and r is not anchor]
                bx0, _by0, bx1, _by1 = anchor.box()
                edge = bx0 if out > 0 else bx1
                for box in taken:
                    if (box[2] <= bx0 + 1) if out > 0 else (box[0] >= bx1 - 1):
                        edge = min(edge, box[0]) if out > 0 else max(edge, box[2])
                cx = edge - gap - half_r if out > 0 else edge + gap + half_l
            p.cx = cx


def _clusters(placed: list[Placed]) -> list[list[Placed]]:
    """Actors tied by relations, together (each one alone otherwise)."""
    seen: set[int] = set()
    out = []
    for p in placed:
        if p.index in seen:
            continue
        group, todo = [], [p.index]
        while todo:
            k = todo.pop()
            if k in seen:
                continue
            seen.add(k)
            group.append(placed[k])
            todo.extend(placed[k].links)
        out.append(group)
    return out


def _box(group: list[Placed]) -> tuple[float, float, float, float]:
    boxes = [p.box() for p in group]
    return (min(b[0] for b in boxes), min(b[1] for b in boxes), max(b[2] for b in boxes), max(b[3] for b in boxes))


def _scale(group: list[Placed], factor: float, ox: float, oy: float) -> None:
    for p in group:
        p.cx = ox + (p.cx - ox) * factor
        p.fy = oy + (p.fy - oy) * factor
        p.resize(factor)


def _shift(group: list[Placed], dx: float, dy: float = 0.0) -> None:
    for p in group:
        p.shift(dx, dy)


def _fit(placed: list[Placed], f: Frame) -> None:
    """Every group of related actors whole in the frame, inside the band between the texts; groups
    that stand still side by side, never over one another."""
    clusters = [g for g in _clusters(placed) if not any(p.motion in ("orbit", "launch") for p in g)]
    top_room = f.ceiling + 0.015 * f.H
    if f.cam in ("zoom_in", "zoom_out"):  # the zoom would carry what is near the top out of the frame
        top_room = max(top_room, f.H / 2 - (f.H / 2 - top_room) / 1.14)
    for g in clusters:
        x0, y0, x1, y1 = _box(g)
        # a rising camera starts with the world higher by a tenth of the frame (more for near things)
        top = top_room + (0.1 * f.H * (1.4 - 0.8 * min(p.z for p in g)) if f.cam == "rise" else 0.0)
        if any(p.motion in ("fly", "float") for p in g) and not f.boxes:
            top += 0.03 * f.H  # a flyer's glide lifts it that much (actors.bob; a text in the middle keeps it up)
        standing = any(p.motion not in FREE and not p.lifted for p in g)
        if y1 > f.floor:
            _shift(g, 0, f.floor - y1)
            y0, y1 = y0 - (y1 - f.floor), f.floor
        if y0 < top:
            if standing:  # smaller, feet where they are
                _scale(g, max(0.2, (y1 - top) / max(1.0, y1 - y0)), (x0 + x1) / 2, y1)
            else:  # lower, then smaller
                drop = min(top - y0, max(0.0, f.floor - y1))
                _shift(g, 0, drop)
                x0, y0, x1, y1 = _box(g)
                if y0 < top:
                    _scale(g, max(0.2, (y1 - top) / max(1.0, y1 - y0)), (x0 + x1) / 2, y1)
        x0, y0, x1, y1 = _box(g)
        room = f.W - 2 * _inset(g, f)
        if x1 - x0 > room:
            _scale(g, room / (x1 - x0), (x0 + x1) / 2, y1)
    still = [g for g in clusters if not any(p.motion in MOVERS for p in g)]
    _side_by_side(still, f)
    for g in clusters:  # inside the frame (movers: where they start from does not matter)
        if any(p.motion in MOVERS for p in g):
            continue
        x0, _y0, x1, _y1 = _box(g)
        inset = _inset(g, f)
        if x0 < inset:
            _shift(g, inset - x0)
        elif x1 > f.W - inset:
            _shift(g, f.W - inset - x1)
        for box in f.boxes:
            _clear(g, box, f)


def _hits(a: Box, b: Box) -> bool:
    return min(a[2], b[2]) - max(a[0], b[0]) > 0 and min(a[3], b[3]) - max(a[1], b[1]) > 0


def _clear(g: list[Placed], box: Box, f: Frame) -> None:
    """Keep a still group out of a text's box: under it if it stays big enough there, else beside
    it if there is room, else under it, smaller."""
    if not _hits(_box(g), box):
        return
    gap = 0.02 * f.H
    x0, y0, x1, y1 = _box(g)
    below = (y1 - box[3] - gap) / max(1.0, y1 - y0)
    if below >= 0.6:
        _scale(g, min(1.0, below), (x0 + x1) / 2, y1)
        return
    w = x1 - x0
    left_room, right_room = box[0] - gap - f.margin, f.W - f.margin - box[2] - gap
    options = [(abs(box[0] - gap - x1), box[0] - gap - x1) if left_room >= w else None,
               (abs(box[2] + gap - x0), box[2] + gap - x0) if right_room >= w else None]
    moves = [o for o in options if o is not None]
    if moves:
        _shift(g, min(moves)[1])
        return
    if y1 > box[3] + gap:
        _scale(g, max(0.25, below), (x0 + x1) / 2, y1)


def _inset(g: list[Placed], f: Frame) -> float:
    """How far from the sides a still group stands (its nearest member slides most in a pan)."""
    return f.inset(min(p.z for p in g)) if not any(p.motion in MOVERS for p in g) else f.margin


def _overlap(a: tuple[float, float, float, float], b: tuple[float, float, float, float]) -> bool:
    """Whether two boxes share the same band of height (a sky actor is not in a ground actor's way)."""
    v = min(a[3], b[3]) - max(a[1], b[1])
    return v > 0.3 * min(a[3] - a[1], b[3] - b[1])


def _side_by_side(groups: list[list[Placed]], f: Frame) -> None:
    """Still groups in one band of height stand apart, in their order from left to right, as near to
    where they were as the room allows; all get smaller when they do not fit."""
    bands: list[list[list[Placed]]] = []
    for g in sorted(groups, key=lambda g: _box(g)[3]):
        for band in bands:
            if any(_overlap(_box(g), _box(o)) for o in band):
                band.append(g)
                break
        else:
            bands.append([g])
    gap = 0.025 * f.W
    for band in bands:
        if len(band) < 2:
            continue
        band.sort(key=lambda g: (_box(g)[0] + _box(g)[2]) / 2)
        inset = max(_inset(g, f) for g in band)
        room = f.W - 2 * inset - gap * (len(band) - 1)
        total = sum(_box(g)[2] - _box(g)[0] for g in band)
        if total > room:
            for g in band:
                x0, _y0, x1, y1 = _box(g)
                _scale(g, room / total, (x0 + x1) / 2, y1)
        # left to right: no overlap; then back from the right edge when the last one spills over
        edge = inset
        for g in band:
            x0, _y0, _x1, _y1 = _box(g)
            if x0 < edge:
                _shift(g, edge - x0)
            edge = _box(g)[2] + gap
        edge = f.W - inset
        for g in reversed(band):
            _x0, _y0, x1, _y1 = _box(g)
            if x1 > edge:
                _shift(g, edge - x1)
            edge = _box(g)[0] - gap


#: how much closer a close-up is than the wide shot
CLOSE = 1.45


def shot_focus(placed: list[Placed], f: Frame) -> tuple[float, float]:
    """The point a close-up closes in on (px): the middle of the actors, at their feet."""
    if not placed:
        return f.W / 2, 0.62 * f.H
    boxes = [p.box() for p in placed if p.motion not in ("orbit", "launch")] or [p.box() for p in placed]
    x = (min(b[0] for b in boxes) + max(b[2] for b in boxes)) / 2
    y = max(b[3] for b in boxes)
    return min(max(x, 0.3 * f.W), 0.7 * f.W), min(max(y, 0.5 * f.H), 0.95 * f.H)


def frame_shot(placed: list[Placed], f: Frame, shot: str) -> tuple[float, float] | None:
    """Frame the actors for a shot: ``close`` brings them :data:`CLOSE` times nearer about
    :func:`shot_focus` (returned, for the background to follow), refitted in the frame; ``beat``
    shows the scene from the other side (mirrored). ``wide`` leaves them as laid out."""
    if shot == "beat":
        for p in placed:
            p.cx = f.W - p.cx
            for c in p.copies:
                c.dx = -c.dx
            p.direction = -p.direction
            p.flip = not p.flip if not p.turn_up else p.flip
        return None
    if shot != "close":
        return None
    fx, fy = shot_focus(placed, f)
    _scale(placed, CLOSE, fx, fy)
    _fit(placed, f)
    return fx, fy


def uses_art(draft: dict[str, Any]) -> bool:
    """Whether any scene of ``draft`` shows an actor with drawable art (its video credits it)."""
    for track in draft.get("t") or []:
        if isinstance(track, dict) and track.get("tt") == F.TRACK_VIDEO:
            for sg in track.get("sg") or []:
                if isinstance(sg, dict) and place(sg.get("act"), str(sg.get("scene") or "abstract"), 320, 180):
                    return True
    return False
