"""Actions seen in real frames: what a viewer must see of hold, hug, look at, kick, catch, eat and feed
(the hand that holds the string, the arms around the hugged one, the head raised to what is above,
the ball against the foot and in the mouth, the food under the eyes and in the mouths of the fed).
The subject is tagged blue (a person's shirt), the other red; frames are extracted from the MP4."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest
from _frames import box, changed, components, dilate, erode, frame, hue_mask, largest, render, scene_draft

pytestmark = pytest.mark.slow
W, H = 640, 360
SKIN = np.array((252, 234, 43), dtype=np.float32)


class Shot:
    def __init__(self, tmp: Path, a: dict[str, Any], b: dict[str, Any], kind: str, scene: str,
                 times: tuple[float, ...], d: int = 2000) -> None:
        acts = [dict(a, col="blue", rel={"k": kind, "o": 1}), dict(b, col="red")]
        full = render(tmp, scene_draft(acts, scene=scene, d=d, w=W, h=H), "act.mp4")
        bare = render(tmp, scene_draft(None, scene=scene, d=d, w=W, h=H), "bare.mp4")
        self.frames = [frame(full, t, W, H) for t in times]
        self.bare = [frame(bare, t, W, H) for t in times]

    def changed(self, k: int) -> np.ndarray:
        return changed(self.frames[k], self.bare[k], 25)

    def mask(self, colour: str, k: int) -> np.ndarray:
        return erode(hue_mask(self.frames[k], colour, min_sat=0.5) & self.changed(k))

    def box(self, colour: str, k: int) -> tuple[int, int, int, int]:
        bb = box(self.mask(colour, k), least=8)
        assert bb is not None, f"no {colour} in frame {k}"
        return bb

    def skin(self, k: int) -> np.ndarray:
        return (np.abs(self.frames[k] - SKIN).max(axis=2) < 40) & self.changed(k)

    def dark(self, k: int) -> np.ndarray:
        return (self.frames[k].max(axis=2) < 90) & self.changed(k)


def person(s: str = "girl", art: str = "1F467", **k: Any) -> dict[str, Any]:
    return {"s": s, "art": art, "mo": "still", **k}


def test_a_held_balloons_string_ends_in_a_raised_hand(tmp_path: Path) -> None:
    """The hand that holds a balloon shows beside the head, outside the body, and the string runs
    from it to the balloon (it ran from the hip behind the hair to the shoulder)."""
    s = Shot(tmp_path, person(x=0.5), {"s": "balloon", "art": "1F388", "x": 0.2}, "hold", "park", (0.5,))
    blue, red = s.mask("blue", 0), s.box("red", 0)
    _bx0, by0, _bx1, by1 = box(blue) or (0, 0, 0, 0)
    torso = blue[by1 - max(2, (by1 - by0) // 6): by1 + 1].any(axis=0).nonzero()[0]  # the shirt's hem
    cx, half = (torso.min() + torso.max()) / 2, (torso.max() - torso.min()) / 2
    skin = s.skin(0)
    ys, xs = np.nonzero(skin[: by1 - (by1 - by0) // 2])
    out = (np.abs(xs - cx) > 0.8 * half) & (np.sign(xs - cx) == np.sign((red[0] + red[2]) / 2 - cx))
    assert out.sum() > 6, "no hand raised towards the balloon"
    hy = int(ys[out].min())
    string = s.dark(0)[red[3] + 1: hy, min(red[0], int(xs[out].min())) - 3: max(red[2], int(xs[out].max())) + 3]
    assert string.any(axis=1).mean() > 0.7, "no string between the hand and the balloon"


def test_a_hug_puts_the_arms_around_the_hugged_one_at_the_chest(tmp_path: Path) -> None:
    """The hugger's sleeves cross over the hugged dog (rows where blue runs between red), whose top
    is at the hugger's chest, and whose drawing overlaps the hugger's middle."""
    s = Shot(tmp_path, person("boy", "1F466", x=0.2), {"s": "dog", "art": "1F415", "x": 0.8}, "hug", "park", (0.5,))
    blue, red = s.mask("blue", 0), dilate(s.mask("red", 0), 1)
    rb, bb = s.box("red", 0), s.box("blue", 0)
    assert rb[1] < (bb[1] + bb[3]) / 2, "the hugged one is not up at the chest"
    # the sleeves reach out of the hugger's outline over it: blue beyond the shirt's hem (where
    # hanging arms end), inside the hugged one's box, red just above that or just below
    _x0, y0, _x1, y1 = bb
    hem = np.nonzero(blue[y1 - max(2, (y1 - y0) // 6): y1 + 1].any(axis=0))[0]
    out = blue.copy()
    out[:, hem.min(): hem.max() + 1] = False
    near = np.zeros_like(red)
    for d in range(1, 9):  # (outlines between them)
        near[d:] |= red[:-d]
        near[:-d] |= red[d:]
    over = int((out & near)[rb[1]: rb[3] + 1, rb[0]: rb[2] + 1].sum())
    assert over >= 40, f"no arms over the hugged one ({over} px)"


def test_a_looker_raises_its_head_to_a_bird_above(tmp_path: Path) -> None:
    """A cat looking at a parrot above it: the half of the cat towards the parrot rises against the
    other half, compared with the same cat standing alone facing the same way."""
    cat = {"s": "cat", "art": "1F408", "mo": "still"}
    s = Shot(tmp_path, dict(cat, x=0.5), {"s": "parrot", "art": "1F99C", "mo": "fly", "x": 0.25, "y": 0.22},
             "look_at", "park", (0.5,))
    alone = tmp_path / "alone"
    alone.mkdir()
    ref = Shot(alone, dict(cat, x=0.7), {"s": "rock", "art": "1FAA8", "x": 0.95, "h": 0.05}, "near", "park", (0.5,))

    def rise(shot: Shot, towards: int) -> float:
        m = largest(shot.mask("blue", 0))  # the cat (a parrot's wing is blue too)
        x0, _y0, x1, _y1 = box(m) or (0, 0, 1, 1)
        mid = (x0 + x1) // 2
        ys_l, ys_r = np.nonzero(m[:, :mid])[0], np.nonzero(m[:, mid:])[0]
        front, back = (ys_l, ys_r) if towards < 0 else (ys_r, ys_l)
        return float(back.mean() - front.mean())  # > 0: the front is higher

    towards = -1 if s.box("red", 0)[0] < (box(largest(s.mask("blue", 0))) or (0, 0, 0, 0))[0] else 1
    assert towards == -1  # the parrot is on the left of the cat, which faces it (the alone cat faces left)
    assert rise(s, towards) > rise(ref, towards) + 0.04 * H, (rise(s, towards), rise(ref, towards))


def test_a_kicked_ball_rests_against_the_foot_then_flies(tmp_path: Path) -> None:
    """The ball stands on the ground against the kicker's foot for a beat (the same spot at two
    frames, touching the legs' outline), then flies off."""
    s = Shot(tmp_path, person("boy", "1F466", x=0.2), {"s": "ball", "art": "26BD", "x": 0.6}, "kick", "park",
             (0.1, 0.3, 0.9))
    r0, r1 = s.box("red", 0), s.box("red", 1)
    assert abs(r0[0] - r1[0]) <= 2 and abs(r0[3] - r1[3]) <= 2, "the ball does not rest at the foot"
    bb = s.box("blue", 0)
    dark = s.dark(0)
    legs = dark[bb[3]:, bb[0]: bb[2] + 1]
    feet = bb[3] + int(np.nonzero(legs.any(axis=1))[0].max())
    assert abs(r0[3] - feet) <= 4, f"the ball is not on the kicker's ground ({r0}, feet at {feet})"
    near = dark[r0[3] - (r0[3] - r0[1]) // 2: r0[3] + 1].copy()
    near[:, max(0, r0[0] - 1): r0[2] + 2] = False
    xs = np.nonzero(near.any(axis=0))[0]
    assert xs.size and min(np.abs(xs - r0[0]).min(), np.abs(xs - r0[2]).min()) <= 3, "the ball does not touch the foot"
    assert abs(s.box("red", 2)[0] - r0[0]) > 0.1 * W, "the ball does not fly off"


def test_a_caught_ball_stays_a_beat_in_the_mouth(tmp_path: Path) -> None:
    s = Shot(tmp_path, {"s": "dog", "art": "1F415", "mo": "still", "x": 0.2}, {"s": "ball", "art": "26BD", "x": 0.6},
             "catch", "park", (1.35, 1.65))
    dog0, dog1 = s.box("blue", 0), s.box("blue", 1)
    for k, dog in ((0, dog0), (1, dog1)):
        rb = s.box("red", k)
        assert rb[0] <= dog[2] + 2 and rb[2] >= dog[0] - 2, f"the ball is not at the dog (frame {k})"
        assert (rb[1] + rb[3]) / 2 < (dog[1] + dog[3]) / 2, f"the ball is not at the head (frame {k})"
    assert abs(s.box("red", 0)[0] - s.box("red", 1)[0]) <= 3, "the ball does not stay in the mouth"


def test_food_is_at_the_mouth_under_the_eyes(tmp_path: Path) -> None:
    """A girl eating an apple: the apple touches her face but its top is under her eyes (the face's
    upper half stays clear)."""
    s = Shot(tmp_path, person(x=0.5), {"s": "apple", "art": "1F34E", "x": 0.8}, "eat", "park", (0.5,))
    rb, bb = s.box("red", 0), s.box("blue", 0)
    face = s.skin(0)[: bb[1] + 2]
    sizes = components(face)
    assert sizes and sizes[0] > 50
    fb = box(face) or (0, 0, 0, 0)
    assert rb[0] <= fb[2] + 2 and rb[2] >= fb[0] - 2, "the food is away from the face"
    assert rb[1] > fb[1] + 0.45 * (fb[3] - fb[1]), f"the food covers the eyes ({rb}, face {fb})"


def test_fed_ones_get_their_food_at_the_mouth_never_over_their_heads(tmp_path: Path) -> None:
    s = Shot(tmp_path, person(x=0.3), {"s": "duck", "art": "1F986", "n": 2, "x": 0.8}, "feed", "lake",
             tuple(0.1 + 0.15 * k for k in range(10)))
    at_mouth = 0
    for k in range(len(s.frames)):
        rb = s.box("red", k)
        crumbs = s.changed(k) & (np.abs(s.frames[k] - (236, 196, 120)).max(axis=2) < 40)
        crumbs[:, : rb[0]] = False  # (the feeder's hair is of about that colour)
        # the fed ones' whole drawings (a mallard's head is green): what changed over their bodies' columns
        drawn = (s.changed(k) & ~dilate(crumbs, 2))[:, rb[0] + 4: rb[2] - 3].sum(axis=1) > 2
        top = int(np.nonzero(drawn)[0].min())
        assert crumbs[: max(0, top - 2)].sum() <= 2, f"food over the heads (frame {k})"
        assert crumbs[top + (rb[3] - top) * 3 // 5:].sum() <= 2, f"food on the ground, not in the mouths (frame {k})"
        at_mouth += int(crumbs[top: top + (rb[3] - top) // 2].sum() > 3)
    assert at_mouth >= 2, "no food at the mouths"
