"""Frames of real renders, and what tests measure on them: where the pixels of one colour are, how
many separate things a mask holds, whether a region changed (plain functions, no fixtures)."""

from __future__ import annotations

import colorsys
import subprocess
from pathlib import Path
from typing import Any

import numpy as np

from nemo_jupyter.engine.render import ffmpeg_exe, render_draft
from nemo_jupyter.engine.render.picture.colour import TARGETS

Box = tuple[int, int, int, int]


def scene_draft(acts: list[dict[str, Any]] | None, *, scene: str = "park", d: int = 2000, w: int = 320,
                h: int = 180, texts: list[dict[str, Any]] | None = None, **seg: Any) -> dict[str, Any]:
    s = {"id": "v0", "k": "scene", "scene": scene, "cam": "still", "st": 0, "d": d, **seg}
    if acts:
        s["act"] = acts
    tracks: list[dict[str, Any]] = [{"tt": 0, "sg": [s]}]
    if texts:
        tracks.append({"tt": 7, "sg": [{"id": f"t{i}", "st": 0, "d": d, **t} for i, t in enumerate(texts)]})
    return {"t": tracks, "d": d, "m": {"width": w, "height": h, "fps": 30}}


def render(tmp: Path, draft: dict[str, Any], name: str) -> Path:
    out = tmp / name
    render_draft(draft, out, resolve=lambda _s: None, quality="preview")
    return out


def frame(path: Path, t: float, w: int, h: int) -> np.ndarray:
    raw = subprocess.run([ffmpeg_exe(), "-v", "error", "-ss", f"{t:.3f}", "-i", str(path), "-frames:v", "1",
                          "-f", "rawvideo", "-pix_fmt", "rgb24", "-"], capture_output=True, check=True).stdout
    return np.frombuffer(raw, dtype=np.uint8)[: w * h * 3].reshape(h, w, 3).astype(np.float32)


def changed(a: np.ndarray, b: np.ndarray, thr: float = 40) -> np.ndarray:
    return np.abs(a - b).max(axis=2) > thr


def hue_mask(img: np.ndarray, colour: str, tol: float = 0.05, min_sat: float = 0.35) -> np.ndarray:
    """Pixels of about the hue of colour word ``colour`` (saturated ones only)."""
    r, g, b = (img[..., k] / 255 for k in range(3))
    mx, mn = np.maximum(np.maximum(r, g), b), np.minimum(np.minimum(r, g), b)
    sat = np.where(mx > 0, (mx - mn) / np.maximum(mx, 1e-6), 0)
    d = np.maximum(mx - mn, 1e-6)
    hue = np.where(mx == r, ((g - b) / d) % 6, np.where(mx == g, (b - r) / d + 2, (r - g) / d + 4)) / 6
    tr, tg, tb = (int(TARGETS[colour][i:i + 2], 16) / 255 for i in (1, 3, 5))
    h0 = colorsys.rgb_to_hls(tr, tg, tb)[0]
    dh = np.minimum(np.abs(hue - h0), 1 - np.abs(hue - h0))
    return (dh < tol) & (sat > min_sat) & (mx > 0.25)


def box(mask: np.ndarray, least: int = 20) -> Box | None:
    ys, xs = np.nonzero(mask)
    if len(xs) < least:
        return None
    return int(xs.min()), int(ys.min()), int(xs.max()), int(ys.max())


def centre(mask: np.ndarray) -> tuple[float, float]:
    ys, xs = np.nonzero(mask)
    return float(xs.mean()), float(ys.mean())


def erode(mask: np.ndarray, k: int = 1) -> np.ndarray:
    out = mask.copy()
    for _ in range(k):
        m = out.copy()
        m[1:] &= out[:-1]
        m[:-1] &= out[1:]
        m[:, 1:] &= out[:, :-1]
        m[:, :-1] &= out[:, 1:]
        out = m
    return out


def dilate(mask: np.ndarray, k: int = 1) -> np.ndarray:
    """``mask`` grown by ``k`` px: the parts of one thing split by its outlines joined again."""
    out = mask.copy()
    for _ in range(k):
        m = out.copy()
        m[1:] |= out[:-1]
        m[:-1] |= out[1:]
        m[:, 1:] |= out[:, :-1]
        m[:, :-1] |= out[:, 1:]
        out = m
    return out


def _labels(mask: np.ndarray) -> np.ndarray:
    """A label per pixel of ``mask``, one per 4-connected part (label propagation in numpy)."""
    h, w = mask.shape
    big = np.iinfo(np.int64).max
    lab = np.where(mask, np.arange(h * w, dtype=np.int64).reshape(h, w), big)
    while True:
        m = lab.copy()
        m[1:] = np.minimum(m[1:], lab[:-1])
        m[:-1] = np.minimum(m[:-1], lab[1:])
        m[:, 1:] = np.minimum(m[:, 1:], lab[:, :-1])
        m[:, :-1] = np.minimum(m[:, :-1], lab[:, 1:])
        m = np.where(mask, m, big)
        if np.array_equal(m, lab):
            break
        lab = m
    return lab


def components(mask: np.ndarray) -> list[int]:
    """Sizes of the 4-connected parts of ``mask``."""
    _vals, counts = np.unique(_labels(mask)[mask], return_counts=True)
    return sorted((int(c) for c in counts), reverse=True)


def largest(mask: np.ndarray) -> np.ndarray:
    """The biggest 4-connected part of ``mask`` alone (all False when the mask is empty)."""
    if not mask.any():
        return mask
    lab = _labels(mask)
    vals, counts = np.unique(lab[mask], return_counts=True)
    return lab == vals[int(np.argmax(counts))]


def count_things(mask: np.ndarray, share: float = 0.25) -> int:
    """How many things a mask shows: its parts at least ``share`` of the biggest part."""
    parts = components(mask)
    if not parts:
        return 0
    return sum(1 for c in parts if c >= share * parts[0])
