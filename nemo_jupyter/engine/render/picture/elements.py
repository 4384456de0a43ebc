"""Moving elements: small RGBA sprites (some with a few animation frames) that FFmpeg overlays
with x/y expressions of the scene's own time ``t``.

Each maker returns a list of :class:`Sprite`; sprites sharing a ``key`` share one FFmpeg input
(split), so ten fireflies cost one decoded sprite, not ten.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
from PIL import Image, ImageDraw, ImageFilter

from .paint import Colour


@dataclass
class Sprite:
    key: str                     # sprites with the same key share frames
    frames: list[Image.Image]    # RGBA
    x: str                       # FFmpeg overlay expressions (t = seconds into the scene)
    y: str
    fps: float = 10.0            # animation speed of ``frames``
    enable: str | None = None    # overlay enable expression
    extras: dict[str, object] = field(default_factory=dict)


_SINGLE: dict[int, tuple[Image.Image, list[Image.Image]]] = {}


def one_frame(img: Image.Image) -> list[Image.Image]:
    """The same one-frame list for the same (cached) image, so the pipeline writes it once."""
    hit = _SINGLE.get(id(img))
    if hit is None or hit[0] is not img:
        if len(_SINGLE) > 512:
            _SINGLE.clear()
        hit = _SINGLE[id(img)] = (img, [img])
    return hit[1]


def _f(v: float) -> str:
    return f"{v:.3f}"


def _even(v: float) -> int:
    i = round(v)
    return i - i % 2


# -- birds ----------------------------------------------------------------------------------

def bird_frames(span: float, colour: Colour, n_birds: int, rng: np.random.Generator,
                frames: int = 8) -> list[Image.Image]:
    """A loose flock; each frame is one step of the wing cycle (phase-shifted per bird)."""
    w = _even(span * (2.2 + n_birds * 0.9))
    h = _even(span * 2.6)
    birds = [(rng.uniform(span * 0.7, w - span * 0.7), rng.uniform(span * 0.6, h - span * 0.6),
              rng.uniform(0.7, 1.1), rng.uniform(0, 2 * math.pi)) for _ in range(n_birds)]
    out = []
    for f in range(frames):
        big = Image.new("RGBA", (w * 2, h * 2), (0, 0, 0, 0))
        d = ImageDraw.Draw(big)
        for bx, by, s, ph in birds:
            a = math.sin(2 * math.pi * f / frames + ph)
            half = span * s  # half wingspan, in the 2x image
            cx, cy = bx * 2, by * 2
            lift = a * half * 0.55
            lw = max(2, int(span * s * 0.16))
            for side in (-1, 1):
                mid = (cx + side * half * 0.5, cy - lift - half * 0.12)
                tip = (cx + side * half, cy - lift * 1.5 + half * 0.15)
                d.line([(cx, cy), mid, tip], fill=(*colour, 255), width=lw, joint="curve")
            d.ellipse((cx - lw * 1.1, cy - lw * 0.8, cx + lw * 1.1, cy + lw * 0.8), fill=(*colour, 255))
        out.append(big.resize((w, h), Image.Resampling.LANCZOS))
    return out


def birds(W: int, H: int, dur: float, rng: np.random.Generator, *, colour: Colour = (40, 40, 48),
          flocks: int = 2, y_range: tuple[float, float] = (0.12, 0.4), scale: float = 1.0) -> list[Sprite]:
    s = min(W, H) / 1080 * scale
    out = []
    for i in range(flocks):
        span = (22 + 10 * (i % 2 == 0)) * s * rng.uniform(0.85, 1.2)
        frames = bird_frames(span, colour, int(rng.integers(3, 7)), rng)
        fw = frames[0].width
        cross = rng.uniform(7.0, 11.0) * (1.0 if span > 26 * s else 1.35)
        y0 = H * rng.uniform(*y_range)
        start = rng.uniform(0.05, 0.45)  # fraction of the way across at t=0
        ltr = i % 2 == 0
        prog = f"mod(t/{_f(cross)}+{_f(start)},1)"
        x = f"-{fw}+(W+{fw})*{prog}" if ltr else f"W-(W+{fw})*{prog}"
        if not ltr:
            frames = [fr.transpose(Image.Transpose.FLIP_LEFT_RIGHT) for fr in frames]
        y = f"{_f(y0)}+{_f(H * 0.02)}*sin(t*0.9+{_f(rng.uniform(0, 6))})"
        out.append(Sprite(f"birds{int(scale * 10)}{i}", frames, x, y, fps=12.0))
    return out


# -- clouds ---------------------------------------------------------------------------------

def cloud_image(w: int, h: int, colour: Colour, rng: np.random.Generator, shade: Colour | None = None,
                alpha: int = 235) -> Image.Image:
    big = Image.new("RGBA", (w, h), (0, 0, 0, 0))
    d = ImageDraw.Draw(big)
    shade = shade or tuple(int(c * 0.86) for c in colour)  # type: ignore[assignment]
    n = int(rng.integers(6, 10))
    for i in range(n):
        cx = w * (0.18 + 0.64 * i / max(1, n - 1)) + rng.uniform(-w * 0.05, w * 0.05)
        r = h * rng.uniform(0.2, 0.3) * (1.2 - abs(i / max(1, n - 1) - 0.5))
        cy = h * 0.6 - r * 0.4
        d.ellipse((cx - r, cy - r, cx + r, h * 0.66 + r * 0.1), fill=(*shade, alpha))  # type: ignore[misc]
        d.ellipse((cx - r * 0.92, cy - r * 0.98, cx + r * 0.92, cy + r * 0.7), fill=(*colour, alpha))
    return big.filter(ImageFilter.GaussianBlur(max(1.5, h * 0.025)))


def clouds(W: int, H: int, dur: float, rng: np.random.Generator, *, colour: Colour = (250, 250, 252),
           n: int = 3, y_range: tuple[float, float] = (0.05, 0.3), alpha: int = 235,
           shade: Colour | None = None) -> list[Sprite]:
    s = min(W, H) / 1080
    out = []
    for i in range(n):
        cw = _even(rng.uniform(380, 620) * s)
        ch = _even(cw * rng.uniform(0.38, 0.5))
        img = cloud_image(cw, ch, colour, rng, shade, alpha)
        speed = rng.uniform(14, 30) * s
        x0 = rng.uniform(-cw * 0.5, W)
        x = f"mod({_f(x0)}+{_f(speed)}*t+{cw},W+{cw})-{cw}"
        y = _f(H * rng.uniform(*y_range))
        out.append(Sprite(f"cloud{i}", [img], x, y))
    return out


# -- twinkling stars, fireflies ----------------------------------------------------------------

def _glint_frames(size: int, colour: Colour, frames: int = 8, rays: bool = True) -> list[Image.Image]:
    out = []
    c = size / 2
    yy, xx = np.mgrid[0:size, 0:size].astype(np.float32)
    d = np.sqrt((xx - c) ** 2 + (yy - c) ** 2) / c
    core = np.clip(1 - d, 0, 1) ** 3
    cross = (np.exp(-((xx - c) / (size * 0.03)) ** 2) + np.exp(-((yy - c) / (size * 0.03)) ** 2)) * np.clip(1 - d, 0, 1) ** 1.5
    for f in range(frames):
        b = 0.25 + 0.75 * (0.5 + 0.5 * math.sin(2 * math.pi * f / frames))
        a = np.clip((core * 1.4 + (cross * 0.9 if rays else 0)) * b, 0, 1)
        arr = np.zeros((size, size, 4), dtype=np.uint8)
        arr[..., :3] = colour
        arr[..., 3] = (a * 255).astype(np.uint8)
        out.append(Image.fromarray(arr, "RGBA"))
    return out


def twinkles(W: int, H: int, dur: float, rng: np.random.Generator, *, n: int = 8,
             y_max: float = 0.5, colour: Colour = (255, 250, 235)) -> list[Sprite]:
    s = min(W, H) / 1080
    size = _even(max(12, 40 * s))
    frames = _glint_frames(size, colour)
    out = []
    for _ in range(n):
        x = _f(rng.uniform(0, W - size))
        y = _f(rng.uniform(0, H * y_max - size))
        sp = Sprite("twinkle", frames, x, y, fps=rng.uniform(5, 9))
        out.append(sp)
    return out


def fireflies(W: int, H: int, dur: float, rng: np.random.Generator, *, n: int = 10,
              y_range: tuple[float, float] = (0.5, 0.9), colour: Colour = (255, 236, 120)) -> list[Sprite]:
    s = min(W, H) / 1080
    size = _even(max(10, 34 * s))
    frames = _glint_frames(size, colour, rays=False)
    out = []
    for _ in range(n):
        x0, y0 = rng.uniform(0.05, 0.95) * W, rng.uniform(*y_range) * H
        ax, ay = rng.uniform(30, 90) * s, rng.uniform(15, 45) * s
        fx, fy, ph = rng.uniform(0.15, 0.4), rng.uniform(0.2, 0.5), rng.uniform(0, 6)
        x = f"{_f(x0)}+{_f(ax)}*sin(t*{_f(fx)}+{_f(ph)})"
        y = f"{_f(y0)}+{_f(ay)}*sin(t*{_f(fy)}+{_f(ph * 1.7)})"
        out.append(Sprite("firefly", frames, x, y, fps=rng.uniform(3, 6)))
    return out


def shooting_star(W: int, H: int, dur: float, rng: np.random.Generator) -> list[Sprite]:
    s = min(W, H) / 1080
    w, h = _even(260 * s), _even(90 * s)
    img = Image.new("RGBA", (w * 2, h * 2), (0, 0, 0, 0))
    d = ImageDraw.Draw(img)
    steps = 40
    for i in range(steps):
        t = i / steps
        x, y = w * 2 * t, h * 2 * t
        r = 1 + 5 * t * s * 2
        d.ellipse((x - r, y - r, x + r, y + r), fill=(255, 255, 255, int(255 * t ** 2)))
    img = img.resize((w, h), Image.Resampling.LANCZOS)
    period = max(3.0, min(dur, 6.0))
    t0 = rng.uniform(0.5, max(0.6, period - 1.2))
    x0, y0 = rng.uniform(0.1, 0.6) * W, rng.uniform(0.05, 0.25) * H
    xe = f"{_f(x0)}+{_f(700 * s)}*mod(t-{_f(t0)},{_f(period)})"
    ye = f"{_f(y0)}+{_f(240 * s)}*mod(t-{_f(t0)},{_f(period)})"
    return [Sprite("shooting", [img], xe, ye, enable=f"lt(mod(t-{_f(t0)},{_f(period)}),0.9)*gte(t,{_f(t0)})")]


# -- precipitation: tall tileable textures scrolled by the overlay --------------------------

def rain(W: int, H: int, dur: float, rng: np.random.Generator, *, colour: Colour = (200, 210, 230),
         density: float = 1.0, width: float = 1.0) -> list[Sprite]:
    s = min(W, H) / 1080
    tile = Image.new("RGBA", (W + 40, H), (0, 0, 0, 0))
    d = ImageDraw.Draw(tile)
    n = int(900 * density * W * H / (1920 * 1080))
    for _ in range(n):
        x, y = rng.uniform(0, W + 40), rng.uniform(0, H)
        ln = rng.uniform(25, 60) * s
        a = int(rng.uniform(90, 190))
        for dy in (0, -H, H):
            d.line([(x, y + dy), (x - ln * 0.18, y + dy + ln)], fill=(*colour, a), width=max(1, round(2.5 * s * width)))
    tall = Image.new("RGBA", (W + 40, H * 2))
    tall.paste(tile, (0, 0))
    tall.paste(tile, (0, H))
    speed = 1400 * s
    return [Sprite("rain", [tall], "-20", f"mod(t*{_f(speed)},{H})-{H}")]


def snow(W: int, H: int, dur: float, rng: np.random.Generator, *, density: float = 1.0) -> list[Sprite]:
    s = min(W, H) / 1080
    pad = _even(60 * s)
    tile = np.zeros((H, W + 2 * pad, 4), dtype=np.float32)
    n = int(420 * density * W * H / (1920 * 1080))
    big = Image.new("RGBA", (W + 2 * pad, H), (0, 0, 0, 0))
    d = ImageDraw.Draw(big)
    for _ in range(n):
        x, y = rng.uniform(0, W + 2 * pad), rng.uniform(0, H)
        r = rng.uniform(1.5, 6.5) * s
        a = int(rng.uniform(150, 250))
        for dy in (0, -H, H):
            d.ellipse((x - r, y + dy - r, x + r, y + dy + r), fill=(255, 255, 255, a))
    big = big.filter(ImageFilter.GaussianBlur(0.8 * s + 0.3))
    del tile
    tall = Image.new("RGBA", (W + 2 * pad, H * 2))
    tall.paste(big, (0, 0))
    tall.paste(big, (0, H))
    speed = 110 * s
    return [Sprite("snow", [tall], f"-{pad}+{_f(pad * 0.7)}*sin(t*0.6)", f"mod(t*{_f(speed)},{H})-{H}")]


# -- bubbles, leaves, petals, fish, butterflies ------------------------------------------------

def bubbles(W: int, H: int, dur: float, rng: np.random.Generator, *, n: int = 12) -> list[Sprite]:
    s = min(W, H) / 1080
    out = []
    for i in range(3):
        size = _even((18 + 14 * i) * s) + 4
        img = Image.new("RGBA", (size * 4, size * 4), (0, 0, 0, 0))
        d = ImageDraw.Draw(img)
        d.ellipse((4, 4, size * 4 - 4, size * 4 - 4), outline=(220, 245, 255, 220), width=max(2, size // 5),
                  fill=(200, 240, 255, 50))
        d.ellipse((size * 1.0, size * 0.9, size * 1.7, size * 1.5), fill=(255, 255, 255, 200))
        frames = [img.resize((size, size), Image.Resampling.LANCZOS)]
        for _ in range(n // 3):
            x0 = rng.uniform(0.05, 0.95) * W
            speed = rng.uniform(60, 140) * s
            off = rng.uniform(0, H)
            x = f"{_f(x0)}+{_f(12 * s)}*sin(t*1.7+{_f(off)})"
            y = f"H-mod(t*{_f(speed)}+{_f(off)},H+{size})"
            out.append(Sprite(f"bubble{i}", frames, x, y))
    return out


def _leaf(size: int, colour: Colour) -> Image.Image:
    img = Image.new("RGBA", (size * 2, size * 2), (0, 0, 0, 0))
    d = ImageDraw.Draw(img)
    d.ellipse((size * 0.5, size * 0.2, size * 1.5, size * 1.8), fill=(*colour, 240))
    d.line([(size, size * 0.1), (size, size * 1.9)], fill=(*tuple(int(c * 0.6) for c in colour), 255),
           width=max(1, size // 10))
    return img


def falling(W: int, H: int, dur: float, rng: np.random.Generator, *, kind: str = "leaves",
            n: int = 8, colours: tuple[Colour, ...] = ((214, 120, 40), (190, 70, 40), (230, 170, 50))) -> list[Sprite]:
    """Leaves or petals spinning down with a sway."""
    s = min(W, H) / 1080
    out = []
    for i, col in enumerate(colours):
        size = _even((26 if kind == "leaves" else 16) * s) + 2
        base = _leaf(size, col) if kind == "leaves" else _petal(size, col)
        frames = []
        for f in range(8):
            ang = 360 * f / 8
            sq = abs(math.cos(2 * math.pi * f / 8)) * 0.7 + 0.3
            fr = base.resize((base.width, max(2, int(base.height * sq))), Image.Resampling.BILINEAR)
            canvas = Image.new("RGBA", base.size, (0, 0, 0, 0))
            canvas.paste(fr, (0, (base.height - fr.height) // 2))
            frames.append(canvas.rotate(ang, resample=Image.Resampling.BILINEAR))
        for _ in range(max(1, n // len(colours))):
            x0 = rng.uniform(0.0, 1.0) * W
            speed = rng.uniform(50, 110) * s
            off = rng.uniform(0, H)
            x = f"{_f(x0)}+{_f(60 * s)}*sin(t*{_f(rng.uniform(0.5, 1.1))}+{_f(off)})"
            y = f"mod(t*{_f(speed)}+{_f(off)},H+{2 * size})-{2 * size}"
            out.append(Sprite(f"{kind}{i}", frames, x, y, fps=rng.uniform(5, 9)))
    return out


def gusts(W: int, H: int, dur: float, rng: np.random.Generator, *, n: int = 9,
          colours: tuple[Colour, ...] = ((214, 120, 40), (120, 160, 60), (230, 170, 50))) -> list[Sprite]:
    """Wind: leaves blown across the frame, fast and tumbling, with a few white streaks of air."""
    s = min(W, H) / 1080
    out = []
    for i, col in enumerate(colours):
        size = _even(24 * s) + 2
        base = _leaf(size, col)
        frames = [base.rotate(360 * f / 8, resample=Image.Resampling.BILINEAR) for f in range(8)]
        for _ in range(max(1, n // len(colours))):
            speed = rng.uniform(380, 620) * s
            y0, off = rng.uniform(0.15, 0.85) * H, rng.uniform(0, W)
            x = f"mod(t*{_f(speed)}+{_f(off)},W+{2 * size})-{2 * size}"
            y = f"{_f(y0)}+{_f(40 * s)}*sin(t*{_f(rng.uniform(2.0, 3.5))}+{_f(off)})"
            out.append(Sprite(f"gust{i}", frames, x, y, fps=rng.uniform(10, 16)))
    streak = Image.new("RGBA", (_even(260 * s), _even(10 * s) + 2), (0, 0, 0, 0))
    d = ImageDraw.Draw(streak)
    d.line([(2, streak.height / 2), (streak.width - 2, streak.height / 2)], fill=(255, 255, 255, 110),
           width=max(1, int(3 * s)))
    streak = streak.filter(ImageFilter.GaussianBlur(1.5 * s + 0.3))
    for k in range(4):
        speed, y0, off = rng.uniform(700, 1000) * s, rng.uniform(0.1, 0.7) * H, rng.uniform(0, W)
        out.append(Sprite("streak", [streak], f"mod(t*{_f(speed)}+{_f(off)},W+{streak.width})-{streak.width}",
                          f"{_f(y0)}+{_f(10 * s)}*sin(t*4+{k})"))
    return out


def _petal(size: int, colour: Colour) -> Image.Image:
    img = Image.new("RGBA", (size * 2, size * 2), (0, 0, 0, 0))
    ImageDraw.Draw(img).ellipse((size * 0.6, size * 0.3, size * 1.4, size * 1.7), fill=(*colour, 235))
    return img


def fish(W: int, H: int, dur: float, rng: np.random.Generator, *, n: int = 4) -> list[Sprite]:
    s = min(W, H) / 1080
    palette = [(255, 150, 60), (250, 210, 70), (90, 200, 230), (240, 110, 140)]
    out = []
    for i in range(n):
        fw = _even(rng.uniform(70, 120) * s)
        fh = _even(fw * 0.55)
        col = palette[i % len(palette)]
        frames = []
        for f in range(4):
            img = Image.new("RGBA", (fw * 2, fh * 2), (0, 0, 0, 0))
            d = ImageDraw.Draw(img)
            wag = math.sin(2 * math.pi * f / 4) * fh * 0.25
            d.polygon([(fw * 0.55, fh), (0, fh * 0.35 + wag), (0, fh * 1.65 + wag)], fill=(*col, 255))
            d.ellipse((fw * 0.4, fh * 0.3, fw * 1.95, fh * 1.7), fill=(*col, 255))
            d.ellipse((fw * 0.9, fh * 0.55, fw * 1.15, fh * 1.45), fill=(255, 255, 255, 90))
            d.ellipse((fw * 1.55, fh * 0.75, fw * 1.72, fh * 0.92), fill=(20, 20, 30, 255))
            frames.append(img.resize((fw, fh), Image.Resampling.LANCZOS))
        ltr = i % 2 == 0
        if not ltr:
            frames = [fr.transpose(Image.Transpose.FLIP_LEFT_RIGHT) for fr in frames]
        cross = rng.uniform(9, 16)
        start = rng.uniform(0, 1)
        prog = f"mod(t/{_f(cross)}+{_f(start)},1)"
        x = f"-{fw}+(W+{fw})*{prog}" if ltr else f"W-(W+{fw})*{prog}"
        y = f"{_f(H * rng.uniform(0.2, 0.7))}+{_f(20 * s)}*sin(t*0.8+{_f(start * 6)})"
        out.append(Sprite(f"fish{i}", frames, x, y, fps=6))
    return out


def butterflies(W: int, H: int, dur: float, rng: np.random.Generator, *, n: int = 3) -> list[Sprite]:
    s = min(W, H) / 1080
    palette = [(250, 140, 40), (120, 160, 250), (240, 90, 160)]
    out = []
    for i in range(n):
        bw = _even(64 * s)
        col = palette[i % 3]
        frames = []
        for f in range(4):
            img = Image.new("RGBA", (bw * 2, bw * 2), (0, 0, 0, 0))
            d = ImageDraw.Draw(img)
            sq = [1.0, 0.6, 0.2, 0.6][f]
            c = bw
            for side in (-1, 1):
                ww = bw * 0.85 * sq
                d.ellipse((c + min(0, side * ww), c - bw * 0.8, c + max(0, side * ww), c + bw * 0.1), fill=(*col, 255))
                d.ellipse((c + min(0, side * ww * 0.75), c - bw * 0.1, c + max(0, side * ww * 0.75), c + bw * 0.6),
                          fill=(*tuple(int(v * 0.8) for v in col), 255))
            d.ellipse((c - bw * 0.08, c - bw * 0.6, c + bw * 0.08, c + bw * 0.55), fill=(40, 30, 30, 255))
            frames.append(img.resize((bw, bw), Image.Resampling.LANCZOS))
        x0, y0 = rng.uniform(0.15, 0.85) * W, rng.uniform(0.35, 0.7) * H
        ph = rng.uniform(0, 6)
        x = f"{_f(x0)}+{_f(W * 0.18)}*sin(t*0.35+{_f(ph)})"
        y = f"{_f(y0)}+{_f(H * 0.08)}*sin(t*0.9+{_f(ph)})"
        out.append(Sprite(f"butterfly{i}", frames, x, y, fps=10))
    return out


def element(name: str, W: int, H: int, dur: float, rng: np.random.Generator, *, night: bool = False) -> list[Sprite]:
    """The generic ``el`` elements of draft_format.ELEMENTS."""
    if name == "birds":
        return birds(W, H, dur, rng, colour=(235, 235, 240) if night else (40, 40, 48))
    if name == "clouds":
        return clouds(W, H, dur, rng, colour=(120, 125, 150) if night else (250, 250, 252), n=2)
    if name == "stars":
        return twinkles(W, H, dur, rng)
    if name == "rain":
        return rain(W, H, dur, rng)
    if name == "snow":
        return snow(W, H, dur, rng)
    if name == "fireflies":
        return fireflies(W, H, dur, rng)
    if name == "bubbles":
        return bubbles(W, H, dur, rng)
    if name == "leaves":
        return falling(W, H, dur, rng)
    return []


#: the sprite key prefix each ``el`` element uses (so a scene that already has it does not get it twice)
ELEMENT_KEYS: dict[str, str] = {
    "birds": "birds", "clouds": "cloud", "stars": "twinkle", "rain": "rain", "snow": "snow",
    "fireflies": "firefly", "bubbles": "bubble", "leaves": "leaves",
}
