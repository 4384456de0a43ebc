"""Shots that move the story: successive segments of one scene are a wide shot, a close-up on its
actors and the action's beat (seen from the other side, later in the motion), cut together, in
the video as in its storyboard."""

from __future__ import annotations

import subprocess
from pathlib import Path

import numpy as np
import pytest
from _frames import box, changed, erode, frame, hue_mask

from nemo_jupyter.engine.render import ffmpeg_exe, render_draft
from nemo_jupyter.engine.render.storyboard import storyboard

pytestmark = pytest.mark.slow
W, H = 320, 180


def shots_draft(kinds: list[str], acts: bool = True) -> dict[str, object]:
    segs = []
    for i, kind in enumerate(kinds):
        seg = {"id": f"v{i}", "k": "scene", "scene": "park", "cam": "still", "st": i * 1500, "d": 1500, "shot": kind}
        if acts:
            seg["act"] = [{"s": "dog", "art": "1F415", "mo": "still", "x": 0.3, "h": 0.3, "col": "blue"}]
        if i:
            seg["tr"] = "cut"
        segs.append(seg)
    return {"t": [{"tt": 0, "sg": segs}], "d": 1500 * len(kinds), "m": {"width": W, "height": H, "fps": 30}}


def test_close_up_and_beat_frame_the_actor_anew(tmp_path: Path) -> None:
    video = tmp_path / "shots.mp4"
    render_draft(shots_draft(["wide", "close", "beat"]), video, resolve=lambda _s: None, quality="preview")
    bare = tmp_path / "bare.mp4"
    render_draft(shots_draft(["wide", "close", "beat"], acts=False), bare, resolve=lambda _s: None, quality="preview")
    boxes = []
    for k in range(3):
        img = frame(video, k * 1.5 + 0.7, W, H)
        dog = box(erode(hue_mask(img, "blue", min_sat=0.5) & changed(img, frame(bare, k * 1.5 + 0.7, W, H))))
        assert dog is not None, k
        boxes.append(dog)
    (w0, _, w1, wy1), (_, cy0, _, cy1), (b0, _, b1, _) = boxes
    wide_h, close_h = wy1 - boxes[0][1], cy1 - cy0
    assert 1.25 < close_h / wide_h < 1.7                      # nearer
    assert abs((b0 + b1) / 2 - (W - (w0 + w1) / 2)) < 0.08 * W  # from the other side
    # the background changes too: the close-up is the park enlarged about the dog
    a, b = frame(bare, 0.7, W, H), frame(bare, 2.2, W, H)
    assert np.abs(a - b).mean() > 8
    cuts = subprocess.run([ffmpeg_exe(), "-i", str(video), "-vf", "select='gt(scene,0.2)',showinfo", "-f", "null", "-"],
                          capture_output=True, text=True).stderr.count("pts_time")
    assert cuts >= 2  # an editor's cuts, found by FFmpeg's scene detection


def test_storyboard_frames_the_shots_like_the_video(tmp_path: Path) -> None:
    draft = shots_draft(["wide", "close"])
    video = tmp_path / "s.mp4"
    render_draft(draft, video, resolve=lambda _s: None, quality="preview")
    stills = storyboard(draft, resolve=lambda _s: None, width=W)
    for still in stills:
        img = np.asarray(still.image.convert("RGB").resize((W, H)), dtype=np.float32)
        ref = frame(video, still.t, W, H)
        assert np.abs(img - ref).mean() < 14, still.t  # the same picture (up to encoding)
