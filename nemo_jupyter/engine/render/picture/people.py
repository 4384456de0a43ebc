"""Whole people: a person who acts or stands in a place is drawn from head to feet.

OpenMoji draws most people as busts (head and shoulders: "girl", "teacher", "cook") and a few as
plain full-body figures ("person standing", "person walking", "person running"). A whole person
is composed from both: the bust (its face, hair, hat and clothes), a torso in the bust's shirt
colour with arms and hands, and the legs of the full-body figure in the pose of the motion
(standing, walking, running), in trouser colour. A rider (pose ``sit``) keeps the bust and the
torso: it sits on its horse or bicycle. Busts drawn against a backdrop of their own (the teacher's
blackboard) lend their face from the plain person instead.
"""

from __future__ import annotations

import functools

import numpy as np
from PIL import Image, ImageDraw

from . import art as A
from .kinds import kind_of

#: the kinds drawn as busts by OpenMoji, which get a whole body
BUSTS = ("person", "person-role", "person-fantasy")
LEGS = {"stand": "1F9CD", "walk": "1F6B6", "run": "1F3C3"}
SKIN = (252, 234, 43)
TROUSERS = (63, 75, 107)
OUTLINE = (0, 0, 0)
BUST, TORSO, LEG = 0.56, 0.14, 0.34   # shares of the whole height (the torso overlaps the bust a little)


def needs_body(art: str) -> bool:
    return kind_of(art) in BUSTS


def pose_for(motion: str, pose: str) -> str:
    """The legs a person's motion asks for: ``stand``, ``walk``, ``run`` or ``sit`` (no legs)."""
    if pose == "sit":
        return "sit"
    if motion == "run":
        return "run"
    if motion in ("walk", "drive"):
        return "walk"
    return "stand"


def _boxed(img: Image.Image) -> bool:
    """Whether a bust stands against a backdrop of its own: its top corners are drawn, or rows
    across its whole width fill its upper half (the teacher's chalkboard)."""
    a = np.asarray(img.getchannel("A"))
    h, w = a.shape
    corners = (a[: h // 8, : w // 8], a[: h // 8, -(w // 8):])
    if all(c.mean() > 128 for c in corners):
        return True
    rows = (a[h // 10: h * 6 // 10] > 128).mean(axis=1)
    return bool(len(rows)) and float((rows > 0.95).mean()) > 0.3


def _shirt(img: Image.Image) -> tuple[int, int, int]:
    """The bust's shirt colour: the commonest colour at the middle of its bottom rows."""
    a = np.asarray(img.convert("RGBA"))
    h, w = a.shape[:2]
    band = a[int(h * 0.9): int(h * 0.97), int(w * 0.3): int(w * 0.7)].reshape(-1, 4)
    band = band[(band[:, 3] > 250) & (band[:, :3].sum(1) > 120)][:, :3]
    if not len(band):
        return 146, 211, 245
    vals, counts = np.unique(band // 8 * 8 + 4, axis=0, return_counts=True)
    r, g, b = vals[counts.argmax()]
    return int(r), int(g), int(b)


@functools.lru_cache(maxsize=32)
def _legs(legs: str, height: int) -> Image.Image:
    """The legs of a full-body figure, below its hands, in trouser colour."""
    fig = A.raster(LEGS[legs], max(8, round(height / 0.4)))
    a = np.asarray(fig).copy()
    a = a[int(fig.height * 0.6):]
    skin = (np.abs(a[..., 0].astype(int) - SKIN[0]) < 30) & (np.abs(a[..., 1].astype(int) - SKIN[1]) < 30) \
        & (a[..., 2] < 120)
    a[skin, :3] = TROUSERS
    img = Image.fromarray(a, "RGBA")
    bb = img.getchannel("A").getbbox()
    img = img.crop(bb) if bb else img
    return img.resize((max(1, round(img.width * height / img.height)), height), Image.Resampling.LANCZOS)


#: arm poses (the forward arm; ``none``: no arms, a hug's are drawn over what is hugged): the elbow and
#: the hand as shares of the bust (x from its middle, forward; y from its top)
ARMS = {"up": ((0.64, 0.72), (0.62, 0.3)),      # raised beside the head: a balloon's or a kite's string
        "out": ((0.6, 0.95), (0.74, 0.98)),     # reaching forward: holding, feeding, giving
        "mouth": ((0.6, 1.22), (0.3, 0.76))}    # at the chin: eating, drinking
#: where the mouth and the eyes of a bust's face are (shares of the bust from its top)
MOUTH_Y, EYES_Y = 0.62, 0.42
SHOULDER = (0.4, 0.88)


def figure_key(legs: str, arms: str, forward: int) -> str:
    """What :func:`figure` draws: the legs, and the arms' pose with the side (of the art as drawn,
    before any mirroring) it reaches to (+1 right)."""
    return f"{legs}+{arms}{'r' if forward > 0 else 'l'}" if arms else legs


@functools.lru_cache(maxsize=128)
def _compose(art: str, height: int, key: str, colour: str | None) -> tuple[Image.Image, dict[str, tuple[float, float]]]:
    legs, _, pose = key.partition("+")
    arms, side = pose[:-1], (1 if pose[-1:] == "r" else -1)
    hb = max(8, round(height * (BUST if legs != "sit" else 0.78)))
    bust = A.raster(art, hb, colour)
    if _boxed(bust):
        bust = A.raster("1F9D1", hb, colour)
    shirt = _shirt(bust)
    th = max(4, round(height * TORSO))
    tw = max(6, round(bust.width * 0.6))
    lw = max(2, round(height / 90))
    arm = max(3, round(bust.width * 0.12))
    lg = _legs(legs, max(8, round(height * LEG))) if legs != "sit" else None
    pad = round(bust.width * 0.3) + arm if arms else 0  # room for an arm reaching out
    w = max(bust.width, tw + 2 * arm + 4, lg.width if lg is not None else 0) + 2 * pad
    w += w % 2
    top_torso = hb - round(th * 0.25)
    total = top_torso + th + (lg.height - round(th * 0.1) if lg is not None else 0)
    out = Image.new("RGBA", (w, total), (0, 0, 0, 0))
    cx = w / 2
    if lg is not None:
        out.alpha_composite(lg, (round(cx - lg.width / 2), total - lg.height))
    d = ImageDraw.Draw(out)
    r = arm * 0.62
    hands: list[tuple[float, float]] = []
    pts: dict[str, tuple[float, float]] = {}
    # arms down the sides, hands at the hips (but the one posed, and none in a hug)
    for s in (-1, 1):
        if arms == "none" or (arms and s == side):
            continue
        x0 = cx + s * (tw / 2) - (arm if s < 0 else 0)
        d.rounded_rectangle((x0, top_torso, x0 + arm, top_torso + th * 0.95), radius=arm // 2,
                            fill=(*shirt, 255), outline=(*OUTLINE, 255), width=lw)
        hx, hy = x0 + arm / 2, top_torso + th * 0.95
        d.ellipse((hx - r, hy - r, hx + r, hy + r), fill=(*SKIN, 255), outline=(*OUTLINE, 255), width=lw)
        hands.append((hx, hy))
        pts["hand+" if s > 0 else "hand-"] = (hx, hy)
    d.rounded_rectangle((cx - tw / 2, top_torso, cx + tw / 2, top_torso + th), radius=max(2, th // 4),
                        fill=(*shirt, 255), outline=(*OUTLINE, 255), width=lw)
    out.alpha_composite(bust, (round(cx - bust.width / 2), 0))
    pts.update(mouth=(cx, hb * MOUTH_Y), eyes=(cx, hb * EYES_Y),
               shoulder=(cx + side * bust.width * SHOULDER[0], hb * SHOULDER[1]))
    if arms in ARMS:  # the posed arm, over the bust's shoulder: shoulder, elbow, hand
        (ex, ey), (hx, hy) = ARMS[arms]
        joints = [pts["shoulder"], (cx + side * bust.width * ex, hb * ey), (cx + side * bust.width * hx, hb * hy)]
        draw_arm(d, joints, arm, lw, shirt)
        hands.append(joints[-1])
    pts["hand"] = hands[-1] if hands else (cx, top_torso + th)
    pts["arm"] = (float(arm), float(lw))  # (sizes, not a point: the sleeve's and its outline's width)
    bb = out.getchannel("A").getbbox() or (0, 0, out.width, out.height)
    side_cut = min(bb[0], out.width - bb[2])  # as much off each side: the body stays in the middle
    bb = (side_cut, bb[1], out.width - side_cut, bb[3])
    out = out.crop(bb)
    k = height / out.height
    if out.height != height:
        out = out.resize((max(1, round(out.width * k)), height), Image.Resampling.LANCZOS)
    kx = out.width / (bb[2] - bb[0])
    return out, {name: ((x - bb[0]) * kx, (y - bb[1]) * k) if name != "arm" else (x * k, max(1.0, y * k))
                 for name, (x, y) in pts.items()}


def draw_arm(d: ImageDraw.ImageDraw, joints: list[tuple[float, float]], arm: int, lw: int,
             shirt: tuple[int, int, int]) -> None:
    """A sleeve through ``joints`` (shoulder, elbow..., hand), outlined, with a hand at its end."""
    r = arm * 0.62
    for width, colour in ((arm + 2 * lw, OUTLINE), (arm, shirt)):
        d.line(joints, fill=(*colour, 255), width=width, joint="curve")
        for x, y in joints[:-1]:
            d.ellipse((x - width / 2, y - width / 2, x + width / 2, y + width / 2), fill=(*colour, 255))
    hx, hy = joints[-1]
    d.ellipse((hx - r, hy - r, hx + r, hy + r), fill=(*SKIN, 255), outline=(*OUTLINE, 255), width=lw)


def figure(art: str, height: int, legs: str, colour: str | None = None) -> Image.Image:
    """A whole person ``height`` px tall: ``art``'s bust (recoloured clothes: ``colour``) on a torso,
    on legs in the pose ``legs`` (``stand``, ``walk``, ``run``; ``sit``: no legs), its arms as
    :func:`figure_key` says (down by default)."""
    return _compose(art, height, legs, colour)[0]


def points(art: str, height: int, key: str, colour: str | None = None) -> dict[str, tuple[float, float]]:
    """Where the ``hand`` (the posed one; ``hand+`` and ``hand-``: the right and the left one, when
    they hang), the ``mouth``, the ``eyes`` and the posed arm's ``shoulder`` are on :func:`figure`'s
    drawing (px from its top-left, before mirroring)."""
    return _compose(art, height, key, colour)[1]


def arms_over(arm: float, lw: float, shirt: tuple[int, int, int],
              joints: list[list[tuple[float, float]]], size: tuple[int, int]) -> Image.Image:
    """Arms drawn on their own (a hug's, over what is hugged): each a sleeve ``arm`` px wide through
    its joints (px on a ``size`` canvas)."""
    img = Image.new("RGBA", size, (0, 0, 0, 0))
    d = ImageDraw.Draw(img)
    for j in joints:
        draw_arm(d, j, max(2, round(arm)), max(1, round(lw)), shirt)
    return img


def shirt_of(art: str, height: int, colour: str | None = None) -> tuple[int, int, int]:
    """The colour of a whole person's sleeves."""
    bust = A.raster(art, max(8, round(height * BUST)), colour)
    return _shirt(A.raster("1F9D1", bust.height, colour) if _boxed(bust) else bust)
