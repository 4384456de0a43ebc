"""What the composition benchmark measures on frames: masks of one colour, boxes, centres, how many
separate things a mask holds, and contact sheets (plain numpy and Pillow, no fixtures)."""

from __future__ import annotations

import colorsys
import subprocess
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw

from nemo_jupyter.engine.render import ffmpeg_exe
from nemo_jupyter.engine.render.picture.colour import TARGETS

Box = tuple[int, int, int, int]


def frames(path: Path, times: list[float], w: int, h: int) -> list[np.ndarray]:
    out = []
    for t in times:
        raw = subprocess.run([ffmpeg_exe(), "-v", "error", "-ss", f"{t:.3f}", "-i", str(path), "-frames:v", "1",
                              "-f", "rawvideo", "-pix_fmt", "rgb24", "-"], capture_output=True, check=True).stdout
        out.append(np.frombuffer(raw, dtype=np.uint8)[: w * h * 3].reshape(h, w, 3).astype(np.float32))
    return out


def changed(a: np.ndarray, b: np.ndarray, thr: float = 30) -> np.ndarray:
    return np.abs(a - b).max(axis=2) > thr


def _hue(img: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    r, g, b = (img[..., k] / 255 for k in range(3))
    mx, mn = np.maximum(np.maximum(r, g), b), np.minimum(np.minimum(r, g), b)
    sat = np.where(mx > 0, (mx - mn) / np.maximum(mx, 1e-6), 0)
    d = np.maximum(mx - mn, 1e-6)
    hue = np.where(mx == r, ((g - b) / d) % 6, np.where(mx == g, (b - r) / d + 2, (r - g) / d + 4)) / 6
    return hue, sat, mx


def target_hue(colour: str) -> float:
    v = TARGETS[colour]
    return colorsys.rgb_to_hls(*(int(v[i:i + 2], 16) / 255 for i in (1, 3, 5)))[0]


def hue_mask(img: np.ndarray, colour: str, tol: float = 0.045, min_sat: float = 0.5) -> np.ndarray:
    hue, sat, mx = _hue(img)
    dh = np.abs(hue - target_hue(colour))
    return (np.minimum(dh, 1 - dh) < tol) & (sat > min_sat) & (mx > 0.25)


def looks(img: np.ndarray, colour: str) -> np.ndarray:
    """Pixels that look ``colour`` (achromatic colours by their lightness)."""
    hue, sat, mx = _hue(img)
    if colour in ("white", "silver"):
        return (sat < 0.16) & (mx > (0.85 if colour == "white" else 0.62))
    if colour == "black":
        return mx < 0.33
    if colour == "grey":
        return (sat < 0.16) & (mx > 0.42) & (mx < 0.75)
    if colour in ("brown", "gold", "orange"):  # dark oranges: hue near, any saturation above a little
        dh = np.abs(hue - target_hue(colour))
        return (np.minimum(dh, 1 - dh) < 0.05) & (sat > 0.3) & (mx > 0.25)
    return hue_mask(img, colour, tol=0.06, min_sat=0.3)


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
    out = mask.copy()
    for _ in range(k):
        m = out.copy()
        m[1:] |= out[:-1]
        m[:-1] |= out[1:]
        m[:, 1:] |= out[:, :-1]
        m[:, :-1] |= out[:, 1:]
        out = m
    return out


def box(mask: np.ndarray, least: int = 12) -> Box | None:
    ys, xs = np.nonzero(mask)
    if len(xs) < least:
        return None
    return int(xs.min()), int(ys.min()), int(xs.max()), int(ys.max())


def centre(mask: np.ndarray) -> tuple[float, float] | None:
    ys, xs = np.nonzero(mask)
    if len(xs) < 8:
        return None
    return float(xs.mean()), float(ys.mean())


def components(mask: np.ndarray) -> list[int]:
    """Sizes of the 4-connected parts of ``mask``, biggest first."""
    lab = labels(mask)
    _vals, counts = np.unique(lab[mask], return_counts=True)
    return sorted((int(c) for c in counts), reverse=True)


def labels(mask: np.ndarray) -> np.ndarray:
    """The 4-connected parts of ``mask``: one label each (outside: the largest int64)."""
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


def main_box(mask: np.ndarray, share: float = 0.3, least: int = 12) -> Box | None:
    """The box of a mask's big parts (at least ``share`` of its biggest, closed over thin gaps):
    an actor without the stray bits of its tag colour elsewhere (another actor's blue wing)."""
    grown = dilate(mask, 3)
    lab = labels(grown)
    vals, counts = np.unique(lab[grown], return_counts=True)
    if not len(vals):
        return None
    keep = np.isin(lab, vals[counts >= share * counts.max()]) & mask
    return box(keep, least)


def count_marked(shape: np.ndarray, mark: np.ndarray, share: float = 0.3) -> int:
    """How many separate things of ``shape`` (where the picture changed: whole bodies, outlines
    and all) carry ``mark`` (an actor's tag colour): parts at least ``share`` of the biggest."""
    lab = labels(shape)
    marked = np.unique(lab[shape & mark])
    if not len(marked):
        return 0
    vals, counts = np.unique(lab[shape], return_counts=True)
    sizes = [int(c) for v, c in zip(vals, counts, strict=True) if v in set(marked.tolist())]
    return sum(1 for c in sizes if c >= share * max(sizes))


def count_things(mask: np.ndarray, share: float = 0.3) -> int:
    """How many things a mask shows: its parts at least ``share`` of the biggest part."""
    parts = components(mask)
    return sum(1 for c in parts if c >= share * parts[0]) if parts else 0


def sheet(rows: list[tuple[str, list[np.ndarray]]], out: Path, scale: float = 0.5) -> None:
    """Rows of frames, each row under its label, as one PNG."""
    if not rows:
        return
    h0, w0 = rows[0][1][0].shape[:2]
    tw, th = int(w0 * scale), int(h0 * scale)
    cols = max(len(r[1]) for r in rows)
    img = Image.new("RGB", (cols * (tw + 4), len(rows) * (th + 18)), "white")
    d = ImageDraw.Draw(img)
    for i, (label, ims) in enumerate(rows):
        y = i * (th + 18)
        d.text((2, y + 2), label[:150], fill="black")
        for j, arr in enumerate(ims):
            img.paste(Image.fromarray(arr.astype(np.uint8)).resize((tw, th)), (j * (tw + 4), y + 16))
    out.parent.mkdir(parents=True, exist_ok=True)
    img.save(out)
