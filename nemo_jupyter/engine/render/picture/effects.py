"""Scene effects that move: lightning, firework bursts, aurora curtains, falling and flowing
water, sweeping stage lights, confetti. Like :mod:`.elements`, each maker returns
:class:`~.elements.Sprite` overlays (frames drawn once, moved by FFmpeg expressions of ``t``).
"""

from __future__ import annotations

import math

import numpy as np
from PIL import Image, ImageDraw, ImageFilter

from .elements import Sprite, one_frame
from .frames import spark
from .paint import Colour


def _f(v: float) -> str:
    return f"{v:.3f}"


def _even(v: float) -> int:
    i = max(2, round(v))
    return i + (i % 2)


def lightning(W: int, H: int, rng: np.random.Generator, *, n: int = 2, period: float = 3.4) -> list[Sprite]:
    """Jagged bolts that flash for a fraction of a second, each on its own beat."""
    s = min(W, H) / 1080
    out = []
    for i in range(n):
        w, h = _even(220 * s), _even(H * rng.uniform(0.45, 0.6))
        img = Image.new("RGBA", (w, h), (0, 0, 0, 0))
        d = ImageDraw.Draw(img)
        pts = [(w / 2, 0.0)]
        y = 0.0
        while y < h:
            y += h * rng.uniform(0.08, 0.16)
            pts.append((float(np.clip(w / 2 + rng.uniform(-0.35, 0.35) * w, 4, w - 4)), min(y, h)))
        glow = img.copy()
        ImageDraw.Draw(glow).line(pts, fill=(170, 190, 255, 160), width=max(6, int(22 * s)))
        glow = glow.filter(ImageFilter.GaussianBlur(10 * s + 1))
        d.line(pts, fill=(255, 255, 255, 255), width=max(2, int(6 * s)))
        glow.alpha_composite(img)
        x = rng.uniform(0.15, 0.8) * W
        t0 = rng.uniform(0.4, period - 0.5) + i * 1.3
        p = period + i * 1.1
        out.append(Sprite(f"bolt{i}", [glow], _f(x), "0",
                          enable=f"lt(mod(t-{_f(t0)},{_f(p)}),0.12)+between(mod(t-{_f(t0)},{_f(p)}),0.2,0.28)"))
    return out


def flash(W: int, H: int, bolts: list[Sprite]) -> list[Sprite]:
    """The sky lighting up with each bolt (a pale wash over the top of the frame)."""
    h = _even(H * 0.6)
    arr = np.zeros((h, _even(W), 4), dtype=np.uint8)
    arr[..., :3] = (220, 225, 255)
    arr[..., 3] = (np.linspace(90, 0, h)[:, None]).astype(np.uint8)
    img = Image.fromarray(arr, "RGBA")
    return [Sprite("flash", [img], "0", "0", enable=b.enable) for b in bolts]


def _burst_frames(r: float, colour: Colour, n: int = 10) -> list[Image.Image]:
    size = _even(r * 2.4)
    c = size / 2
    rays = 18
    out = []
    for k in range(n):
        t = (k + 1) / n
        img = Image.new("RGBA", (size, size), (0, 0, 0, 0))
        d = ImageDraw.Draw(img)
        rad = r * (1 - (1 - t) ** 2)
        fade = int(255 * (1 - t ** 3))
        for j in range(rays):
            a = 2 * math.pi * j / rays
            for q in range(4):  # a trail of sparks along each ray, dropping slightly
                rr = rad * (1 - q * 0.12)
                x, y = c + math.cos(a) * rr, c + math.sin(a) * rr + t * t * r * 0.15
                sz = max(1.5, r * 0.035 * (1 - q * 0.2))
                col = tuple(min(255, v + 60 * (q == 0)) for v in colour)
                d.ellipse((x - sz, y - sz, x + sz, y + sz), fill=(*col, max(0, fade - q * 50)))
        if k == 0:
            d.ellipse((c - r * 0.15, c - r * 0.15, c + r * 0.15, c + r * 0.15), fill=(255, 255, 230, 230))
        out.append(img.filter(ImageFilter.GaussianBlur(max(0.6, r * 0.01))))
    return out


def fireworks(W: int, H: int, rng: np.random.Generator, *, n: int = 5,
              y_range: tuple[float, float] = (0.12, 0.45)) -> list[Sprite]:
    """Bursts blooming over the sky in turn: each sprite loops one burst and a pause, its frames
    rotated so the bursts take turns; it is overlaid only while its burst shows."""
    s = min(W, H) / 1080
    palette = [(255, 90, 110), (255, 210, 90), (120, 210, 255), (190, 130, 255), (120, 255, 160)]
    out = []
    fps = 8
    for i in range(n):
        r = rng.uniform(120, 200) * s
        burst = _burst_frames(r, palette[i % len(palette)])
        blank = Image.new("RGBA", burst[0].size, (0, 0, 0, 0))
        total = max(len(burst) + 4, round(rng.uniform(2.4, 3.4) * fps))
        k0 = int(rng.integers(0, total))
        seq = burst + [blank] * (total - len(burst))
        frames = [seq[(m + k0) % total] for m in range(total)]
        size = burst[0].width
        x = rng.uniform(0.1, 0.9) * W - size / 2
        y = rng.uniform(*y_range) * H - size / 2
        out.append(Sprite(f"burst{i}", frames, _f(x), _f(y), fps=float(fps),
                          enable=f"lt(mod(floor(t*{fps})+{k0},{total}),{len(burst)})"))
    return out


def curtain(W: int, H: int, rng: np.random.Generator, colour: Colour = (90, 255, 170),
            top: float = 0.05, height: float = 0.45) -> list[Sprite]:
    """Aurora: tall soft ribbons of light drifting sideways (a tileable strip)."""
    period = _even(W * 0.8)
    tw, th = W + period, _even(H * height)
    xs = np.arange(tw, dtype=np.float32)
    p = 2 * np.pi / period
    base = th * 0.55 + np.sin(xs * p + 1) * th * 0.18 + np.sin(xs * p * 3 + 2) * th * 0.06
    rows = np.arange(th, dtype=np.float32)[:, None]
    d = base[None, :] - rows
    streaks = 0.55 + 0.45 * np.sin(xs * p * 11 + np.sin(xs * p * 2) * 3) ** 2
    a = np.clip(d / (th * 0.5), 0, 1) ** 0.8 * np.exp(-np.clip(-d, 0, None) / (th * 0.04))
    a *= streaks[None, :] * np.clip(d / (th * 0.02) + 1, 0, 1)
    arr = np.zeros((th, tw, 4), dtype=np.float32)
    col = np.array(colour, dtype=np.float32)
    pink = np.array((230, 90, 200), dtype=np.float32)
    mixk = np.clip(1 - d / (th * 0.5), 0, 1)[..., None] * 0.6
    arr[..., :3] = col * (1 - mixk) + pink * mixk
    arr[..., 3] = np.clip(a * 190, 0, 255)
    img = Image.fromarray(arr.astype(np.uint8), "RGBA").filter(ImageFilter.GaussianBlur(3))
    speed = 9 * min(W, H) / 1080
    return [Sprite("aurora", [img], f"-mod(t*{_f(speed)},{period})", _f(H * top))]


def falling_water(x: float, y: float, w: float, h: float, rng: np.random.Generator,
                  colour: Colour = (235, 248, 255)) -> list[Sprite]:
    """A waterfall's sheet: streaks falling inside the fall (``x``, ``y`` its top left, frame px),
    as a short loop of frames so nothing spills over the cliff edge."""
    w, h = _even(w), _even(h)
    tile = Image.new("RGBA", (w, h), (0, 0, 0, 0))
    d = ImageDraw.Draw(tile)
    for _ in range(int(w * 0.9)):
        sx, sy = rng.uniform(0, w), rng.uniform(0, h)
        ln = rng.uniform(0.08, 0.25) * h
        a = int(rng.uniform(70, 200))
        for dy in (0, -h):
            d.line([(sx, sy + dy), (sx, sy + dy + ln)], fill=(*colour, a), width=max(1, int(w * 0.012)))
    arr = np.asarray(tile)
    n = 16
    frames = [Image.fromarray(np.roll(arr, round(k * h / n), axis=0), "RGBA") for k in range(n)]
    return [Sprite("fall", frames, _f(x), _f(y), fps=15.0)]


def flow(W: int, y: float, band: float, rng: np.random.Generator, *, speed: float,
         colour: Colour = (230, 245, 255), key: str = "flow") -> list[Sprite]:
    """Glints on moving water: short light dashes in a band, scrolled sideways (tileable)."""
    period = _even(W / 2)
    tw, th = W + period, _even(band)
    img = Image.new("RGBA", (tw, th), (0, 0, 0, 0))
    d = ImageDraw.Draw(img)
    for _ in range(int(period / 6)):
        x0, yy = rng.uniform(0, period), rng.uniform(0, th)
        ln = rng.uniform(0.02, 0.06) * W * (0.4 + yy / th)
        a = int(rng.uniform(60, 170))
        for k in range(3):
            xx = x0 + k * period
            if xx < tw:
                d.line([(xx, yy), (xx + ln, yy)], fill=(*colour, a), width=max(1, int(th * 0.03)))
    x = f"-mod(t*{_f(abs(speed))},{period})" if speed >= 0 else f"mod(t*{_f(abs(speed))},{period})-{period}"
    return [Sprite(key, [img], x, _f(y))]


def beams(W: int, H: int, rng: np.random.Generator, colours: tuple[Colour, ...] = ((255, 240, 200),),
          n: int = 3, top: float = 0.0) -> list[Sprite]:
    """Stage spotlights: soft cones from the rig, swinging slowly from side to side."""
    s = min(W, H) / 1080
    out = []
    for i in range(n):
        h = _even(H * 0.95)
        w = _even(h * 0.55)
        yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
        half = 6 * s + yy / h * w * 0.45
        a = np.clip(1 - np.abs(xx - w / 2) / half, 0, 1) ** 1.5 * (0.25 + 0.55 * yy / h)
        arr = np.zeros((h, w, 4), dtype=np.uint8)
        arr[..., :3] = colours[i % len(colours)]
        arr[..., 3] = (a * 120).astype(np.uint8)
        img = Image.fromarray(arr, "RGBA")
        x0 = W * (0.2 + 0.6 * i / max(1, n - 1)) - w / 2
        ph = rng.uniform(0, 6)
        out.append(Sprite(f"beam{i}", [img], f"{_f(x0)}+{_f(W * 0.08)}*sin(t*0.6+{_f(ph)})", _f(H * top)))
    return out


def confetti(W: int, H: int, rng: np.random.Generator, n: int = 18) -> list[Sprite]:
    """Little paper pieces fluttering down in party colours."""
    s = min(W, H) / 1080
    palette = [(255, 80, 120), (255, 210, 60), (80, 200, 255), (140, 230, 120), (200, 120, 255)]
    out = []
    for i, col in enumerate(palette):
        size = _even(20 * s) + 2
        frames = []
        for k in range(8):
            img = Image.new("RGBA", (size * 2, size * 2), (0, 0, 0, 0))
            sq = abs(math.cos(math.pi * k / 8)) * 0.8 + 0.2
            ImageDraw.Draw(img).rectangle((size * 0.6, size * (1 - 0.5 * sq), size * 1.4, size * (1 + 0.5 * sq)),
                                          fill=(*col, 255))
            frames.append(img.rotate(45 * k, resample=Image.Resampling.BILINEAR))
        for _ in range(max(1, n // len(palette))):
            x0, speed, off = rng.uniform(0, W), rng.uniform(60, 130) * s, rng.uniform(0, H)
            x = f"{_f(x0)}+{_f(40 * s)}*sin(t*{_f(rng.uniform(0.8, 1.6))}+{_f(off)})"
            y = f"mod(t*{_f(speed)}+{_f(off)},H+{2 * size})-{2 * size}"
            out.append(Sprite(f"confetti{i}", frames, x, y, fps=rng.uniform(6, 10)))
    return out


def fog_banks(W: int, H: int, rng: np.random.Generator, n: int = 4) -> list[Sprite]:
    """Banks of fog drifting slowly across the middle of the frame."""
    out = []
    for i in range(n):
        w, h = _even(W * rng.uniform(0.6, 0.9)), _even(H * rng.uniform(0.12, 0.2))
        yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
        d = ((xx - w / 2) / (w / 2)) ** 2 + ((yy - h / 2) / (h / 2)) ** 2
        arr = np.zeros((h, w, 4), dtype=np.uint8)
        arr[..., :3] = (232, 236, 240)
        arr[..., 3] = (np.clip(1 - d, 0, 1) ** 1.5 * 150).astype(np.uint8)
        img = Image.fromarray(arr, "RGBA")
        speed, y0, off = rng.uniform(8, 20) * W / 1920, rng.uniform(0.35, 0.75) * H, rng.uniform(0, W)
        out.append(Sprite(f"fog{i}", [img], f"mod(t*{_f(speed)}+{_f(off)},W+{w})-{w}", _f(y0 - h / 2)))
    return out


def particles(art: str, index: int, X: str, Y: str, fh: int, key: str, short: int) -> list[Sprite]:
    """Sparks or lava thrown up from the top of an erupting actor (feet at ``X``, ``Y``, ``fh``
    tall), falling back under gravity."""
    fireworks = art.split("-")[0] in ("1F386", "1F387", "1F9E8", "2728")
    palette = ([(255, 90, 90), (255, 220, 90), (120, 200, 255), (200, 120, 255)] if fireworks
               else [(255, 120, 30), (255, 190, 60), (230, 70, 20)])
    rng = np.random.default_rng(index * 7919 + len(art))
    out = []
    g = short * 1.4
    for k in range(14):
        col = palette[k % len(palette)]
        img = spark(max(6, int(short * (0.022 if fireworks else 0.036))), col)
        period = rng.uniform(1.1, 1.7)
        ph = rng.uniform(0, period)
        vx = rng.uniform(-0.3, 0.3) * short
        vy = rng.uniform(0.5, 0.85) * short
        tau = f"mod(t+{_f(ph)},{_f(period)})"
        sx = f"({X})+{_f(vx)}*{tau}-{img.width // 2}"
        sy = f"({Y})-{_f(fh * 0.92)}-{_f(vy)}*{tau}+{_f(g / 2)}*{tau}*{tau}-{img.height // 2}"
        out.append(Sprite(f"{key}spark{k % len(palette)}", one_frame(img), sx, sy))
    return out
