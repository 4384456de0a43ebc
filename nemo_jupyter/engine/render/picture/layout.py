"""Where actors stand: the draft's ``act`` entries completed with sensible defaults.

Only ``s`` (subject) is required in a draft; this module fills in the rest for the scene it is
in: the ground line of each family (near and far, from its scenes.json entry), where flyers fly and swimmers swim, a size
that shrinks with depth, positions that spread several subjects over the frame, a motion that
suits the subject, and which way it looks. Sizes work in every aspect ratio (16:9, 9:16, 1:1).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from .... import draft_format as F
from . import art as A
from .scenes.registry import facts

SKY_Y = 0.32            # flyers' default height (their feet), fraction of the frame height
BASE_SIZE = 0.36        # default size of a near actor: sqrt(w*h) as a fraction of the short side
MOVERS = {"walk", "run", "drive", "fly", "swim"}
GROUNDED = {"still", "walk", "run", "drive", "bounce", "bloom", "erupt", "launch", "turn", "sway"}


@dataclass
class Placed:
    index: int
    subject: str
    art: str
    motion: str
    cx: float           # centre, px
    fy: float           # feet (bottom of the drawing), px
    height: int         # drawing height, px
    z: float            # 0 near .. 1 far
    label: str | None
    direction: int      # +1 moving right, -1 moving left
    flip: bool          # mirror the art (so movers look where they go)
    turn_up: float      # degrees to turn the art upright (rockets, planes)
    width: int = 0      # drawing width, px (after sizing)


def _num(v: object, lo: float, hi: float) -> float | None:
    if isinstance(v, bool) or not isinstance(v, (int, float)) or math.isnan(float(v)):
        return None
    return min(hi, max(lo, float(v)))


def default_motion(art: str) -> str:
    """A motion for art that comes without one (the planner usually sets ``mo``)."""
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


def place(acts: object, family: str, W: int, H: int, floor: float | None = None) -> list[Placed]:
    """The draft's actors of one scene, completed and sized for a ``W``×``H`` frame.

    Entries without drawable art are skipped (the planner only writes art it knows). ``floor``
    (a fraction of the height): actors standing lower stand there instead, above a caption."""
    if not isinstance(acts, list):
        return []
    items: list[tuple[dict[str, Any], str]] = []
    for a in acts:
        if isinstance(a, dict):
            subject = str(a.get("s") or "")
            code = A.normal_id(a.get("art")) or A.art_for_text(subject) or A.art_for_name(subject)
            if code:
                items.append((a, code))
    look = facts(family)
    far, near = look.ground
    short = min(W, H)
    n = len(items)
    out: list[Placed] = []
    for i, (a, code) in enumerate(items):
        mo = a.get("mo") if a.get("mo") in F.MOTIONS else default_motion(code)
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
                y = (look.swim or 0.6) + 0.05 * (i % 2)
            elif mo in ("float", "orbit"):
                y = 0.45
            else:
                y = far * z + near * (1 - z)
        if floor is not None and y > floor and mo not in ("fly", "swim", "float", "orbit", "launch"):
            y = floor
        code_up = A.UPRIGHT.get(code, 0.0) if mo in ("launch", "fly", "float", "still", "turn") else 0.0
        probe = A.raster(code, 144)
        aspect = probe.width / probe.height
        if code_up:
            rad = math.radians(code_up)
            aspect = (aspect * abs(math.cos(rad)) + abs(math.sin(rad))) / (aspect * abs(math.sin(rad)) + abs(math.cos(rad)))
        h = _num(a.get("h"), 0.02, 1.0)
        if h is not None:
            # a fraction of the frame height; on tall frames the short side limits it a little
            height = h * H if W >= H else h * math.sqrt(W * H)
        else:
            size = BASE_SIZE * short * (1 - 0.55 * z) * (0.82 if n > 3 else 1.0) * size_factor(code)
            if mo == "turn":
                size *= 1.35
            height = size / math.sqrt(aspect)
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
            m = 0.02 * W
            cx = min(max(cx, width / 2 + m), W - width / 2 - m) if width < W - 2 * m else W / 2
        if mo not in ("launch", "bounce", "orbit"):
            fy = max(fy, height + 0.02 * H)
        lbl = a.get("lbl")
        out.append(Placed(i, str(a.get("s") or code), code, str(mo), cx, fy, int(height), z,
                          str(lbl).strip() if isinstance(lbl, str) and lbl.strip() else None,
                          direction, flip, code_up, round(width)))
    _spread(out, W, H)
    # far ones first: nearer actors are drawn over them; at one depth, small ones in front of big
    return sorted(out, key=lambda p: (-round(p.z, 2), -p.width * p.height, p.index))


def _spread(placed: list[Placed], W: int, H: int) -> None:
    """Actors put on the very same spot (a planner's default) stand side by side instead."""
    for i, p in enumerate(placed):
        for q in placed[:i]:
            if abs(p.cx - q.cx) < 0.04 * W and abs(p.fy - q.fy) < 0.06 * H and p.motion != "orbit":
                step = (p.width + q.width) / 2 * 0.9
                side = 1 if (i % 2) else -1
                cx = q.cx + side * step
                if not (p.width / 2 <= cx <= W - p.width / 2):
                    cx = q.cx - side * step
                p.cx = min(max(cx, p.width / 2 + 0.02 * W), W - p.width / 2 - 0.02 * W)


def uses_art(draft: dict[str, Any]) -> bool:
    """Whether any scene of ``draft`` shows an actor with drawable art (its video credits it)."""
    for track in draft.get("t") or []:
        if isinstance(track, dict) and track.get("tt") == F.TRACK_VIDEO:
            for sg in track.get("sg") or []:
                if isinstance(sg, dict) and place(sg.get("act"), str(sg.get("scene") or "abstract"), 320, 180):
                    return True
    return False
