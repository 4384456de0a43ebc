"""Actors (OpenMoji art) in rendered scenes: present in their box, moving, inside every frame
shape, credited in the MP4; plus the layout defaults without rendering."""

from __future__ import annotations

import copy
import json
import subprocess
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from nemo_jupyter import draft_format as F
from nemo_jupyter.engine.render import ffmpeg_exe, render_draft
from nemo_jupyter.engine.render.picture import art as A
from nemo_jupyter.engine.render.picture.layout import place

W, H = 480, 270


def scene_draft(acts: list[dict[str, Any]] | None, *, scene: str = "forest", d: int = 2000, w: int = W,
                h: int = H, cam: str = "still", segs: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    if segs is None:
        segs = [{"k": "scene", "scene": scene, "cam": cam, "st": 0, "d": d, **({"act": acts} if acts else {})}]
    return {"t": [{"tt": 0, "sg": [{"id": f"v{i}", **s} for i, s in enumerate(segs)]}], "d": d,
            "m": {"width": w, "height": h, "fps": 30}}


def render(tmp_path: Path, dr: dict[str, Any], name: str) -> Path:
    out = tmp_path / name
    render_draft(dr, out, resolve=lambda _s: None, quality="preview")
    return out


def frame(path: Path, t: float, w: int = W, h: int = H) -> np.ndarray:
    raw = subprocess.run([ffmpeg_exe(), "-v", "error", "-ss", f"{t:.3f}", "-i", str(path), "-frames:v", "1",
                          "-f", "rawvideo", "-pix_fmt", "rgb24", "-"], capture_output=True, check=True).stdout
    return np.frombuffer(raw, dtype=np.uint8)[: w * h * 3].reshape(h, w, 3).astype(np.float32)


def changed(a: np.ndarray, b: np.ndarray, thr: float = 40) -> np.ndarray:
    return np.abs(a - b).max(axis=2) > thr


def box(mask: np.ndarray) -> tuple[int, int, int, int] | None:
    ys, xs = np.nonzero(mask)
    if len(xs) < 20:
        return None
    return int(xs.min()), int(ys.min()), int(xs.max()), int(ys.max())


# -- without rendering ---------------------------------------------------------------------------

def test_art_is_rasterised_crisply_at_the_height_asked() -> None:
    soft = {}
    for hgt in (40, 300, 900):
        img = A.raster("1F408", hgt)
        assert img.height == hgt and img.mode == "RGBA"
        alpha = np.asarray(img.getchannel("A"))
        assert alpha[0].max() > 0 and alpha[-1].max() > 0  # cropped to the drawing
        soft[hgt] = np.mean((alpha > 10) & (alpha < 245))
    # drawn from the vectors at each size: edges stay about a pixel wide (an enlarged bitmap
    # would have blurry edges that grow with it)
    assert soft[900] < 0.02 and soft[900] < soft[300] / 2
    assert A.raster("1F408", 300) is A.raster("1F408", 300)  # cached
    assert A.normal_id("1f408") == "1F408" and A.normal_id("U+1F680") == "1F680" and A.normal_id("nope") is None


@pytest.mark.parametrize("size", list(F.SIZES_1080.values()))
def test_defaults_keep_several_actors_inside_every_frame_shape(size: tuple[int, int]) -> None:
    w, h = size
    arts = {"cat": "1F408", "dog": "1F415", "rocket": "1F680", "elephant": "1F418", "sunflower": "1F33B",
            "car": "1F697"}
    acts = [{"s": s, "art": a} for s, a in arts.items()]  # no motion, position, size or depth given
    placed = place(acts, "park", w, h)
    assert len(placed) == 6
    for p in placed:
        assert 0 <= p.cx <= w and p.height <= 0.85 * h and p.width <= 0.9 * w + 2
        assert p.fy - p.height >= 0 and p.fy <= h
    assert [p.z for p in placed] == sorted((p.z for p in placed), reverse=True)  # far ones drawn first
    near = max(placed, key=lambda p: -p.z)
    far = max(placed, key=lambda p: p.z)
    assert far.fy < near.fy  # farther away stands higher up the ground


def test_a_subject_name_alone_finds_its_art_when_the_emoji_names_are_installed() -> None:
    pytest.importorskip("emoji")
    placed = place([{"s": "cat"}, {"s": "rocket"}], "park", W, H)
    assert sorted(p.art for p in placed) == ["1F408", "1F680"]


def test_movers_look_where_they_go_and_unknown_art_is_skipped() -> None:
    right = place([{"s": "cat", "art": "1F408", "mo": "walk", "x": 0.2}], "park", W, H)[0]
    left = place([{"s": "x", "art": "1F415", "mo": "walk", "x": 0.2}, {"s": "cat", "art": "1F408", "mo": "walk",
                                                                       "x": 0.2}], "park", W, H)
    assert right.direction == 1 and right.flip  # the cat art faces left: mirrored to walk right
    assert any(p.direction == -1 and not p.flip for p in left)
    assert place([{"s": "quokka-ish", "art": "ZZZZ"}], "park", W, H) == []


# -- rendered ------------------------------------------------------------------------------------

@pytest.mark.slow
def test_actor_is_drawn_where_the_draft_puts_it_with_its_label_and_credit(tmp_path: Path) -> None:
    cat = {"s": "cat", "art": "1F408", "mo": "still", "x": 0.3, "y": 0.85, "h": 0.35, "lbl": "cat"}
    bare = render(tmp_path, scene_draft(None), "bare.mp4")
    with_cat = render(tmp_path, scene_draft([cat]), "cat.mp4")
    a, b = frame(bare, 1.0), frame(with_cat, 1.0)
    bb = box(changed(a, b))
    assert bb is not None
    x0, y0, x1, y1 = bb
    # the drawing spans about 0.35 H, feet near 0.85 H, centred near 0.3 W (the label sits just below)
    assert abs((x0 + x1) / 2 - 0.3 * W) < 0.1 * W
    assert 0.8 * H < y1 < 0.99 * H and y0 > 0.35 * H
    outside = changed(a, b).copy()
    outside[y0:y1 + 1, x0:x1 + 1] = False
    assert outside.mean() < 0.002  # nothing else changed
    # the label: new white text pixels, next to the cat
    ys, xs = np.nonzero((b.min(axis=2) > 215) & changed(a, b, 60))
    assert len(xs) > 15 and abs(xs.mean() - 0.3 * W) < 0.08 * W
    assert y0 - 0.15 * H < ys.mean() < y1 + 0.12 * H

    def meta(p: Path) -> dict[str, Any]:
        out = subprocess.run([ffmpeg_exe(), "-v", "error", "-i", str(p), "-f", "ffmetadata", "-"],
                             capture_output=True, text=True, check=True).stdout
        return {k: v for line in out.splitlines() if "=" in line for k, v in [line.split("=", 1)]}

    assert "OpenMoji" in meta(with_cat).get("comment", "") and "CC BY-SA 4.0" in meta(with_cat)["comment"]
    assert "OpenMoji" not in json.dumps(meta(bare))


@pytest.mark.slow
def test_walking_actor_moves_across_and_a_flyer_bobs(tmp_path: Path) -> None:
    acts = [{"s": "dog", "art": "1F415", "mo": "walk", "x": 0.3, "y": 0.9, "h": 0.3}]
    bare = render(tmp_path, scene_draft(None, scene="park", d=3000), "bare.mp4")
    dog = render(tmp_path, scene_draft(acts, scene="park", d=3000), "dog.mp4")
    centres = []
    for t in (0.5, 1.5, 2.5):
        bb = box(changed(frame(bare, t), frame(dog, t)))
        assert bb is not None, t
        centres.append((bb[0] + bb[2]) / 2)
    steps = np.diff(centres)
    assert (np.all(steps > 4) or np.all(steps < -4)), centres  # steadily one way


@pytest.mark.slow
def test_every_motion_shows_its_actor_and_moves_or_breathes(tmp_path: Path) -> None:
    arts = {"still": "1F9D1", "walk": "1F408", "run": "1F415", "drive": "1F697", "fly": "1F426", "swim": "1F41F",
            "float": "1F388", "orbit": "1FA90", "bounce": "26BD", "bloom": "1F33B", "erupt": "1F30B",
            "launch": "1F680", "turn": "1F45F", "sway": "1F334"}
    assert set(arts) == set(F.MOTIONS)
    seg = 1600
    segs = [{"k": "scene", "scene": "sky", "cam": "still", "st": i * seg, "d": seg, "tr": "cut",
             "act": [{"s": mo, "art": arts[mo], "mo": mo, "x": 0.5, "h": 0.3}]} for i, mo in enumerate(F.MOTIONS)]
    plain = copy.deepcopy(segs)
    for sg in plain:
        sg.pop("act")
    d = seg * len(segs)
    with_a = render(tmp_path, scene_draft(None, d=d, segs=segs), "acts.mp4")
    bare = render(tmp_path, scene_draft(None, d=d, segs=plain), "bare.mp4")
    for i, mo in enumerate(F.MOTIONS):
        t0 = i * seg / 1000 + 0.55  # launch: still on or just above its pad
        f1, f2 = frame(with_a, t0), frame(with_a, t0 + 0.4)
        here = changed(frame(bare, t0), f1)
        assert here.mean() > 0.01, f"{mo}: no actor visible"
        assert np.abs(f1 - f2).mean() > 0.05, f"{mo}: nothing moves"


@pytest.mark.slow
@pytest.mark.parametrize("size", [(270, 480), (360, 360)])
def test_actors_and_labels_fit_tall_and_square_frames(tmp_path: Path, size: tuple[int, int]) -> None:
    w, h = size
    acts = [{"s": "cat", "art": "1F408", "lbl": "a cat"}, {"s": "piano", "art": "1F3B9", "lbl": "piano"},
            {"s": "balloon", "art": "1F388", "mo": "float", "lbl": "balloon"}]
    bare = render(tmp_path, scene_draft(None, scene="party", w=w, h=h), "bare.mp4")
    acted = render(tmp_path, scene_draft(acts, scene="party", w=w, h=h), "acted.mp4")
    diff = changed(frame(bare, 1.0, w, h), frame(acted, 1.0, w, h))
    assert diff.mean() > 0.05
    # every actor's drawing stays inside the frame: nothing touches the side edges
    assert not diff[:, :2].any() and not diff[:, -2:].any()


def test_ground_actors_stand_above_a_caption_shown_during_their_shot() -> None:
    from nemo_jupyter.engine.render.picture.safe import text_band
    from nemo_jupyter.engine.render.text.text import FEET_CLEAR, render_text

    def ground_floor(texts: list[dict[str, Any]], seg: dict[str, Any], W: int, H: int) -> float | None:
        return text_band(texts, seg, W, H).floor

    W, H = 640, 360
    texts = [{"k": "caption", "txt": "Crack the eggs", "st": 2000, "d": 1500},
             {"k": "title", "txt": "Breakfast", "st": 0, "d": 3000},            # centred: not in the way
             {"k": "text", "txt": "Bottom note", "pos": "bottom", "st": 20000, "d": 1000}]
    top = render_text("Crack the eggs", W, H, kind="caption").y / H               # where the caption is drawn
    assert 0.7 < top < 0.95
    shot = {"st": 0, "d": 9000}
    floor = ground_floor(texts, shot, W, H)
    assert floor == pytest.approx(top - FEET_CLEAR)
    assert ground_floor(texts, {"st": 9000, "d": 9000}, W, H) is None             # no caption during it
    note = ground_floor(texts, {"st": 19000, "d": 3000}, W, H)                   # a text placed at the bottom
    assert note is not None and 0.7 < note + FEET_CLEAR < 0.95
    acts = [{"s": "egg", "art": "1F95A", "mo": "still", "x": 0.5, "y": 0.86, "h": 0.2},
            {"s": "bird", "art": "1F426", "mo": "fly", "x": 0.3, "y": 0.9, "h": 0.1}]
    free = {p.subject: p for p in place(acts, "kitchen", W, H)}
    lifted = {p.subject: p for p in place(acts, "kitchen", W, H, floor)}
    assert free["egg"].fy == pytest.approx(0.86 * H) and lifted["egg"].fy <= floor * H + 0.5
    # a flyer flies above the caption too: no text covers an actor
    assert free["bird"].fy > floor * H and lifted["bird"].fy <= floor * H + 0.5
