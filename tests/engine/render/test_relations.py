"""Relations between actors, drawn and animated: each kind rendered for real, its actors told apart by
colour (the subject blue, the other red, a third green) in frames extracted from the MP4, and the
relation checked on those pixels: where each one is, which way they move, what grows, what flies."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest
from _frames import box, centre, changed, erode, frame, hue_mask, render, scene_draft

from nemo_jupyter import draft_format as F
from nemo_jupyter.engine.render.picture.relations import load

pytestmark = pytest.mark.slow
W, H = 320, 180
TIMES = (0.3, 0.9, 1.5)


def actor(s: str, art: str, **k: Any) -> dict[str, Any]:
    return {"s": s, "art": art, **k}


CASES: dict[str, tuple[dict[str, Any], dict[str, Any], str]] = {
    "chase": (actor("dog", "1F415"), actor("cat", "1F408"), "park"),
    "follow": (actor("duck", "1F986"), actor("duck", "1F986"), "lake"),
    "ride": (actor("girl", "1F467"), actor("horse", "1F40E"), "countryside"),
    "hold": (actor("boy", "1F466"), actor("balloon", "1F388"), "park"),
    "carry": (actor("woman", "1F469"), actor("basket", "1F9FA"), "street"),
    "eat": (actor("boy", "1F466"), actor("apple", "1F34E"), "park"),
    "drink": (actor("girl", "1F467"), actor("milk", "1F95B"), "park"),
    "feed": (actor("girl", "1F467"), actor("duck", "1F986", n=2), "lake"),
    "throw": (actor("boy", "1F466"), actor("ball", "26BD"), "park"),
    "kick": (actor("girl", "1F467"), actor("ball", "26BD"), "park"),
    "catch": (actor("dog", "1F415"), actor("frisbee", "1F94F"), "park"),
    "build": (actor("boy", "1F466"), actor("house", "1F3E0"), "beach"),
    "grow": (actor("farmer", "1F9D1-200D-1F33E"), actor("sunflower", "1F33B"), "farm"),
    "play_with": (actor("cat", "1F408"), actor("ball", "26BD"), "park"),
    "look_at": (actor("cat", "1F408", mo="still"), actor("fish", "1F41F", mo="still"), "park"),
    "talk_to": (actor("man", "1F468"), actor("woman", "1F469"), "street"),
    "hug": (actor("boy", "1F466"), actor("dog", "1F415"), "park"),
    "fly": (actor("boy", "1F466"), actor("kite", "1FA81"), "beach"),
    "on": (actor("cat", "1F408"), actor("bed", "1F6CF", mo="still"), "park"),
    "under": (actor("dog", "1F415"), actor("tree", "1F333", h=0.7), "park"),
    "behind": (actor("cat", "1F408"), actor("dog", "1F415"), "park"),
    "in_front_of": (actor("dog", "1F415"), actor("house", "1F3E0", mo="still"), "countryside"),
    "beside": (actor("cow", "1F404"), actor("sheep", "1F411"), "farm"),
    "near": (actor("rabbit", "1F407"), actor("tree", "1F333"), "forest"),
    "left_of": (actor("cat", "1F408"), actor("dog", "1F415"), "park"),
    "right_of": (actor("cat", "1F408"), actor("dog", "1F415"), "park"),
    "above": (actor("bird", "1F426"), actor("house", "1F3E0", mo="still"), "countryside"),
    "below": (actor("cat", "1F408"), actor("bird", "1F426"), "park"),
    "inside": (actor("cat", "1F408"), actor("box", "1F4E6", mo="still"), "park"),
    "between": (actor("cat", "1F408"), actor("dog", "1F415"), "park"),
}


#: where each subject would stand without its relation: away from where the relation puts it, so a
#: relation that is not drawn fails its check
APART = {"left_of": (0.85, 0.2), "right_of": (0.15, 0.8), "beside": (0.1, 0.9), "near": (0.1, 0.9),
         "behind": (0.1, 0.8), "in_front_of": (0.1, 0.8), "look_at": (0.05, 0.9), "talk_to": (0.05, 0.9),
         "feed": (0.05, 0.9), "hug": (0.05, 0.9), "between": (0.05, 0.5), "on": (0.1, 0.8), "under": (0.1, 0.8),
         "above": (0.1, 0.8), "below": (0.1, 0.8), "inside": (0.1, 0.8), "build": (0.1, 0.9), "grow": (0.1, 0.9),
         "play_with": (0.1, 0.9), "hold": (0.1, 0.9), "carry": (0.1, 0.9), "eat": (0.1, 0.9), "drink": (0.1, 0.9)}


class Seen:
    """The subject (blue), the other (red) and a third (green) in frames of the relation's render."""

    def __init__(self, tmp: Path, kind: str) -> None:
        a, b, fam = CASES[kind]
        xa, xb = APART.get(kind, (0.3, 0.7))
        acts = [dict(a, col="blue", rel={"k": kind, "o": 1}, x=xa), dict(b, col="red", x=xb)]
        if kind == "between":
            acts.append(actor("rabbit", "1F407", col="green", x=0.85))
            acts[0]["rel"]["o2"] = 2
        bare = render(tmp, scene_draft(None, scene=fam), "bare.mp4")
        full = render(tmp, scene_draft(acts, scene=fam), "rel.mp4")
        self.frames = [frame(full, t, W, H) for t in TIMES]
        self.bare = [frame(bare, t, W, H) for t in TIMES]

    def mask(self, colour: str, k: int = 1) -> np.ndarray:
        # (eroded: the thin blend of an outline with the sky is not the actor)
        return erode(hue_mask(self.frames[k], colour, min_sat=0.5) & changed(self.frames[k], self.bare[k], 25))

    def box(self, colour: str, k: int = 1) -> tuple[int, int, int, int]:
        bb = box(self.mask(colour, k), least=8)
        assert bb is not None, f"no {colour} actor in frame {k}"
        return bb

    def at(self, colour: str, k: int = 1) -> tuple[float, float]:
        return centre(self.mask(colour, k))


def overlap_x(p: tuple[int, int, int, int], q: tuple[int, int, int, int]) -> float:
    return min(p[2], q[2]) - max(p[0], q[0])


def test_every_relation_kind_has_a_template_and_is_drawn() -> None:
    assert set(load()) == set(F.RELATION_KINDS) == set(F.RELATIONS_DRAWN) == set(CASES)
    assert "rel" in F.ACT_DRAWN


@pytest.mark.parametrize("kind", sorted(CASES))
def test_relation_is_seen_in_the_frames(tmp_path: Path, kind: str) -> None:
    s = Seen(tmp_path, kind)
    a, b = s.box("blue"), s.box("red")
    (ax, ay), (bx, by) = s.at("blue"), s.at("red")
    gap = max(b[0] - a[2], a[0] - b[2])  # > 0: apart
    if kind in ("chase", "follow"):
        (ax0, _), (bx0, _) = s.at("blue", 0), s.at("red", 0)
        (ax2, _), (bx2, _) = s.at("blue", 2), s.at("red", 2)
        moving = np.sign(bx2 - bx0)
        assert moving != 0 and np.sign(ax2 - ax0) == moving  # the same way
        assert (bx - ax) * moving > 0                           # the follower behind
        for k in range(3):  # the whole chase inside the frame all along, never one of them alone
            for colour in ("blue", "red"):
                x0, _y0, x1, _y1 = s.box(colour, k)
                assert x0 > 0 and x1 < W - 1, (colour, k, (x0, x1))
    elif kind == "ride":
        assert overlap_x(a, b) > 0 and a[3] < b[3] and ay < by  # on its back
        assert abs((s.at("red", 2)[0] - s.at("red", 0)[0]) - (s.at("blue", 2)[0] - s.at("blue", 0)[0])) < 0.03 * W
    elif kind in ("hold", "carry"):
        assert gap < 0.08 * W                                   # at the hand
        if kind == "carry":  # moving together
            assert abs((s.at("red", 2)[0] - s.at("red", 0)[0]) - (s.at("blue", 2)[0] - s.at("blue", 0)[0])) < 0.03 * W
            assert abs(s.at("red", 2)[0] - s.at("red", 0)[0]) > 0.02 * W
    elif kind in ("eat", "drink"):
        assert gap < 0.05 * W and by < a[1] + 0.5 * (a[3] - a[1])  # at the head, not the feet
    elif kind == "feed":  # (the feeder's blue is its shirt: the fed stand on the ground beside it)
        assert 0 <= gap < 0.12 * W and b[3] > a[3]
        crumbs = [changed(s.frames[k], s.bare[k]) & (np.abs(s.frames[k] - (236, 196, 120)).max(axis=2) < 40)
                  for k in range(3)]
        assert max(int(c[:, a[2]:b[2] + 1].sum()) for c in crumbs) > 3  # crumbs flying to them
    elif kind in ("throw", "kick", "catch"):
        ys = [s.at("red", k)[1] for k in range(3)]
        xs = [s.at("red", k)[0] for k in range(3)]
        assert max(xs) - min(xs) > 0.05 * W or max(ys) - min(ys) > 0.05 * H  # it flies
    elif kind in ("build", "grow"):
        early, late = s.mask("red", 0).sum(), s.mask("red", 2).sum()
        assert late > early * 1.3 and gap < 0.1 * W               # it grows, beside its maker
    elif kind == "play_with":
        assert gap < 0.1 * W
        ys = [s.at("blue", k)[1] for k in range(3)]
        assert max(ys) - min(ys) > 1.5                             # hopping
    elif kind in ("look_at", "talk_to", "beside"):
        assert 0 <= gap < 0.15 * W and abs(a[3] - b[3]) < 0.08 * H
        if kind == "talk_to":  # a bubble over one, then over the other
            white = [(s.frames[k] > 235).all(axis=2) & changed(s.frames[k], s.bare[k]) for k in range(3)]
            over = [w[: min(a[1], b[1])].sum() for w in white]
            assert max(over) > 20
    elif kind == "hug":  # touching, a heart over them (red, like the other: above the boy's head)
        assert gap < 0 and s.mask("red")[: max(0, round(a[1] - 0.1 * H))].sum() > 10
    elif kind == "fly":
        assert b[3] < a[1] and s.at("red", 0) != s.at("red", 2)     # up in the air, dancing
        dark = (s.frames[1].max(axis=2) < 90) & changed(s.frames[1], s.bare[1])
        assert dark[b[3]:a[1], min(a[0], b[0]):max(a[2], b[2])].sum() > 5  # on a string
    elif kind == "on":
        assert overlap_x(a, b) > 0.5 * (a[2] - a[0]) and a[3] < b[3] and ay < by
    elif kind == "under":
        assert overlap_x(a, b) > 0 and a[3] >= b[3] - 0.06 * H and ay > by
    elif kind == "behind":
        assert overlap_x(a, b) > 0 and a[3] < b[3]
    elif kind == "in_front_of":
        assert overlap_x(a, b) > 0 and a[3] > b[3]
    elif kind == "near":
        assert 0 <= gap < 0.2 * W
    elif kind == "left_of":
        assert a[2] < b[0]
    elif kind == "right_of":
        assert a[0] > b[2]
    elif kind == "above":
        assert a[3] < b[1] and overlap_x(a, b) > 0
    elif kind == "below":
        assert a[1] > b[3] and overlap_x(a, b) > 0
    elif kind == "inside":
        assert b[0] <= ax <= b[2] and a[1] < b[1] < a[3]            # in it, its top out over the rim
    elif kind == "between":
        gx, _gy = s.at("green")
        assert min(bx, gx) < ax < max(bx, gx)
    else:  # pragma: no cover - every kind has its check
        pytest.fail(f"no check for {kind}")


def test_a_long_chase_by_a_pack_stays_whole_in_the_frame(tmp_path: Path) -> None:
    """Three foxes chasing a rabbit for 8 s: at a quarter, half and four fifths of the shot the rabbit
    and its chasers are all in the frame (a chase that crossed the frame showed the rabbit alone)."""
    acts = [actor("fox", "1F98A", col="blue", n=3, rel={"k": "chase", "o": 1}, x=0.3),
            actor("rabbit", "1F407", col="red", x=0.7)]
    fam, d = "countryside", 8000
    bare = render(tmp_path, scene_draft(None, scene=fam, d=d), "bare.mp4")
    full = render(tmp_path, scene_draft(acts, scene=fam, d=d), "chase.mp4")
    for t in (2.0, 4.0, 6.4):
        img, ref = frame(full, t, W, H), frame(bare, t, W, H)
        for colour in ("blue", "red"):
            bb = box(erode(hue_mask(img, colour, min_sat=0.5) & changed(img, ref, 25)), least=8)
            assert bb is not None, f"no {colour} actor at {t} s"
            assert bb[0] > 0 and bb[2] < W - 1, (colour, t, bb)
