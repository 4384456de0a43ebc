"""Uploaded pictures in their roles: a screenshot inside a drawn phone or laptop, a product photo as
a hero shot (cut out when its background is plain, on a studio backdrop), a photo filling the frame
when it nearly has the frame's shape, and a logo made ready to sit in a corner.

Each function returns a still (Pillow) that the encoder moves with its camera; nothing here runs
per frame.
"""

from __future__ import annotations

import numpy as np
from PIL import Image, ImageDraw, ImageFilter, ImageOps

__all__ = ["FILL_LOSS", "cut_out", "device", "fill_or_contain", "framed", "hero", "logo_image", "plain_background"]

#: a photo fills the frame (cropped, no blurred bands) when cropping loses at most this share of it:
#: a 3:4 or 2:3 portrait photo in a 9:16 video, a 4:3 photo in a 16:9 one
FILL_LOSS = 0.3
#: a background is plain when its border pixels vary by at most this much (0-255, per channel)
_PLAIN_SPREAD = 14.0
#: ... and a pixel belongs to it within this colour distance
_BG_DISTANCE = 24.0
_MASK_SIDE = 360


def _crop_loss(iw: int, ih: int, W: int, H: int) -> float:
    a, b = iw / max(1, ih), W / max(1, H)
    return 1.0 - min(a / b, b / a)


def fill_or_contain(im: Image.Image, bw: int, bh: int) -> Image.Image:
    """``im`` on a ``bw`` x ``bh`` canvas: cropped to fill it when that loses little
    (:data:`FILL_LOSS`), else whole, on its own plain background carried to the edges (a studio shot)
    or over a blurred, darkened copy of itself."""
    if _crop_loss(im.width, im.height, bw, bh) <= FILL_LOSS:
        return ImageOps.fit(im, (bw, bh), Image.Resampling.LANCZOS)
    plain = plain_background(im)
    if plain is not None:  # a studio shot: its own background goes on to the frame's edges, seamless
        canvas = Image.new("RGB", (bw, bh), plain)
        contained = ImageOps.contain(im.convert("RGB"), (bw, bh), Image.Resampling.LANCZOS)
        canvas.paste(contained, ((bw - contained.width) // 2, (bh - contained.height) // 2))
        return canvas
    cover = ImageOps.fit(im, (max(2, bw // 4), max(2, bh // 4)), Image.Resampling.BILINEAR)
    cover = cover.filter(ImageFilter.GaussianBlur(12)).point(lambda v: int(v * 0.7))
    canvas = cover.resize((bw, bh), Image.Resampling.BILINEAR)
    contained = ImageOps.contain(im, (bw, bh), Image.Resampling.LANCZOS)
    canvas.paste(contained, ((bw - contained.width) // 2, (bh - contained.height) // 2))
    return canvas


def framed(im: Image.Image, bw: int, bh: int, frame: str) -> Image.Image:
    """``im`` on a ``bw`` x ``bh`` canvas as its ``frame`` says (``phone``, ``laptop``, ``hero``, or
    none: :func:`fill_or_contain`)."""
    if frame in ("phone", "laptop"):
        return device(im, bw, bh, frame)
    if frame == "hero":
        return hero(im, bw, bh)
    return fill_or_contain(im, bw, bh)


# -- plain backgrounds and cut-outs -----------------------------------------------------------------

def _border(arr: np.ndarray) -> np.ndarray:
    h, w = arr.shape[:2]
    k = max(1, min(h, w) // 40)
    return np.concatenate([arr[:k].reshape(-1, 3), arr[-k:].reshape(-1, 3), arr[:, :k].reshape(-1, 3),
                           arr[:, -k:].reshape(-1, 3)])


def plain_background(im: Image.Image) -> tuple[int, int, int] | None:
    """The colour of ``im``'s background when it is plain (a studio shot on white, a logo on a flat
    colour), else None."""
    small = np.asarray(ImageOps.contain(im.convert("RGB"), (_MASK_SIDE, _MASK_SIDE)), dtype=np.float32)
    ring = _border(small)
    med = np.median(ring, axis=0)
    near = np.linalg.norm(ring - med, axis=1) <= _BG_DISTANCE
    if near.mean() < 0.9 or float(ring[near].std(axis=0).max()) > _PLAIN_SPREAD:
        return None
    return int(med[0]), int(med[1]), int(med[2])


def cut_out(im: Image.Image) -> Image.Image | None:
    """``im`` as RGBA with its plain background made transparent (the part of the background that
    touches the border, so a white sole on a white background stays), or None when the background
    is not plain. An image that already has transparency keeps it."""
    rgba = im.convert("RGBA")
    alpha = np.asarray(rgba.getchannel("A"))
    if alpha.min() < 250:
        return rgba
    colour = plain_background(im)
    if colour is None:
        return None
    small = ImageOps.contain(im.convert("RGB"), (_MASK_SIDE, _MASK_SIDE))
    arr = np.asarray(small, dtype=np.float32)
    near = np.linalg.norm(arr - np.asarray(colour, dtype=np.float32), axis=2) <= _BG_DISTANCE
    bg = np.zeros_like(near)
    bg[0, :], bg[-1, :], bg[:, 0], bg[:, -1] = near[0, :], near[-1, :], near[:, 0], near[:, -1]
    for i in range(2 * _MASK_SIDE):  # the background reachable from the border (grown 4-connected)
        grown = bg.copy()
        grown[1:] |= bg[:-1]
        grown[:-1] |= bg[1:]
        grown[:, 1:] |= bg[:, :-1]
        grown[:, :-1] |= bg[:, 1:]
        grown &= near
        if i % 8 == 7 and np.array_equal(grown, bg):
            break
        bg = grown
    if bg.mean() > 0.97 or bg.mean() < 0.02:
        return None  # nothing (or everything) stands out: not a cut-out
    mask = Image.fromarray(((~bg) * 255).astype(np.uint8)).resize(im.size, Image.Resampling.BILINEAR)
    mask = mask.filter(ImageFilter.GaussianBlur(max(1, min(im.size) // 400)))
    rgba.putalpha(mask)
    box = mask.point(lambda v: 255 if v > 24 else 0).getbbox()
    return rgba.crop(box) if box else rgba


# -- backdrops ----------------------------------------------------------------------------------------

def _gradient(bw: int, bh: int, inner: tuple[int, int, int], outer: tuple[int, int, int]) -> Image.Image:
    """A radial studio gradient, light in the middle."""
    sw, sh = max(2, bw // 8), max(2, bh // 8)
    y, x = np.mgrid[0:sh, 0:sw].astype(np.float32)
    r = np.sqrt(((x - sw / 2) / (sw / 2)) ** 2 + ((y - sh * 0.45) / (sh / 2)) ** 2)
    k = np.clip(r / 1.25, 0, 1)[..., None]
    img = (np.asarray(inner, np.float32) * (1 - k) + np.asarray(outer, np.float32) * k).astype(np.uint8)
    return Image.fromarray(img, "RGB").resize((bw, bh), Image.Resampling.BICUBIC)


def _average(im: Image.Image) -> tuple[int, int, int]:
    px = np.asarray(im.convert("RGB").resize((16, 16)), dtype=np.float32).reshape(-1, 3).mean(axis=0)
    return int(px[0]), int(px[1]), int(px[2])


def _mix(a: tuple[int, int, int], b: tuple[int, int, int], k: float) -> tuple[int, int, int]:
    return (round(a[0] * (1 - k) + b[0] * k), round(a[1] * (1 - k) + b[1] * k), round(a[2] * (1 - k) + b[2] * k))


def _shadow(size: tuple[int, int], box: tuple[int, int, int, int], radius: int, blur: int,
            opacity: int = 150) -> Image.Image:
    sh = Image.new("L", size, 0)
    ImageDraw.Draw(sh).rounded_rectangle(box, radius=radius, fill=opacity)
    return sh.filter(ImageFilter.GaussianBlur(blur))


def hero(im: Image.Image, bw: int, bh: int) -> Image.Image:
    """A product photo as a hero shot on a ``bw`` x ``bh`` canvas: cut out and standing on a studio
    gradient with a soft shadow when its background is plain; else the photo as a card with rounded
    corners and a shadow over a blurred copy of itself."""
    short = min(bw, bh)
    piece = cut_out(im)
    if piece is not None:
        tone = _average(piece.convert("RGB"))
        canvas = _gradient(bw, bh, _mix((246, 244, 240), tone, 0.12), _mix((70, 72, 80), tone, 0.25)).convert("RGBA")
        fit = ImageOps.contain(piece, (int(bw * 0.62), int(bh * 0.66)), Image.Resampling.LANCZOS)
        x, y = (bw - fit.width) // 2, int(bh * 0.47 - fit.height / 2)
        foot = (x + fit.width // 8, y + fit.height - short // 40, x + fit.width * 7 // 8, y + fit.height + short // 30)
        black = Image.new("RGBA", (bw, bh), (0, 0, 0, 255))
        canvas = Image.composite(black, canvas, _shadow((bw, bh), foot, short // 30, short // 30, 120))
        canvas.alpha_composite(fit, (x, y))
        return canvas.convert("RGB")
    base = im.convert("RGB")
    cover = ImageOps.fit(base, (max(2, bw // 6), max(2, bh // 6)), Image.Resampling.BILINEAR)
    canvas = cover.filter(ImageFilter.GaussianBlur(8)).point(lambda v: int(v * 0.55)).resize((bw, bh))
    card = ImageOps.contain(base, (int(bw * 0.7), int(bh * 0.74)), Image.Resampling.LANCZOS)
    x, y = (bw - card.width) // 2, (bh - card.height) // 2
    radius = max(6, short // 40)
    canvas = Image.composite(Image.new("RGB", (bw, bh)), canvas,
                             _shadow((bw, bh), (x + short // 60, y + short // 40, x + card.width + short // 60,
                                                y + card.height + short // 40), radius, short // 50, 170))
    mask = Image.new("L", card.size, 0)
    ImageDraw.Draw(mask).rounded_rectangle((0, 0, card.width - 1, card.height - 1), radius=radius, fill=255)
    canvas.paste(card, (x, y), mask)
    return canvas


# -- devices ------------------------------------------------------------------------------------------

def device(shot: Image.Image, bw: int, bh: int, kind: str) -> Image.Image:
    """A screenshot inside a drawn ``phone`` or ``laptop`` on a ``bw`` x ``bh`` canvas, on a gradient
    in the screenshot's own colours."""
    shot = shot.convert("RGB")
    tone = _average(shot)
    canvas = _gradient(bw, bh, _mix((236, 238, 244), tone, 0.35), _mix((24, 28, 40), tone, 0.3))
    draw = ImageDraw.Draw(canvas)
    short = min(bw, bh)
    if kind == "laptop":
        sw = int(min(bw * 0.66, bh * 0.62 * 16 / 10))
        sh = int(sw * 10 / 16)
        bez = max(6, sw // 40)
        x0, y0 = (bw - sw) // 2, int(bh * 0.44 - sh / 2)
        canvas = Image.composite(Image.new("RGB", (bw, bh)), canvas,
                                 _shadow((bw, bh), (x0, y0 + short // 30, x0 + sw, y0 + sh + short // 20),
                                         bez * 2, short // 35, 140))
        draw = ImageDraw.Draw(canvas)
        draw.rounded_rectangle((x0 - bez, y0 - bez, x0 + sw + bez, y0 + sh + bez), radius=bez * 2, fill=(28, 29, 33))
        canvas.paste(ImageOps.fit(shot, (sw, sh), Image.Resampling.LANCZOS), (x0, y0))
        base_h = max(8, sh // 14)
        top = y0 + sh + bez
        draw.polygon([(x0 - bez * 5, top), (x0 + sw + bez * 5, top), (x0 + sw + bez * 8, top + base_h),
                      (x0 - bez * 8, top + base_h)], fill=(196, 198, 204))
        draw.rounded_rectangle((bw // 2 - sw // 10, top, bw // 2 + sw // 10, top + base_h // 3),
                               radius=base_h // 6, fill=(160, 162, 170))
        return canvas
    ratio = min(0.62, max(0.42, shot.width / max(1, shot.height)))  # a phone screen's width / height
    ph = int(min(bh * 0.76, bw * 0.8 / ratio))
    pw = int(ph * ratio)
    bez = max(6, pw // 22)
    x0, y0 = (bw - pw) // 2, (bh - ph) // 2
    radius = pw // 7
    canvas = Image.composite(Image.new("RGB", (bw, bh)), canvas,
                             _shadow((bw, bh), (x0 + short // 50, y0 + short // 35, x0 + pw + short // 50,
                                                y0 + ph + short // 35), radius, short // 35, 150))
    draw = ImageDraw.Draw(canvas)
    draw.rounded_rectangle((x0 - bez, y0 - bez, x0 + pw + bez, y0 + ph + bez), radius=radius + bez, fill=(18, 18, 22))
    screen = ImageOps.fit(shot, (pw, ph), Image.Resampling.LANCZOS, centering=(0.5, 0.0))
    mask = Image.new("L", (pw, ph), 0)
    ImageDraw.Draw(mask).rounded_rectangle((0, 0, pw - 1, ph - 1), radius=radius, fill=255)
    canvas.paste(screen, (x0, y0), mask)
    notch_w = pw // 3
    draw.rounded_rectangle((bw // 2 - notch_w // 2, y0 - 1, bw // 2 + notch_w // 2, y0 + bez * 2),
                           radius=bez, fill=(18, 18, 22))
    return canvas


# -- logos --------------------------------------------------------------------------------------------

def logo_image(im: Image.Image, width: int) -> Image.Image:
    """A logo ready to sit in a corner: its plain background taken out, ``width`` pixels wide."""
    piece = cut_out(im) or im.convert("RGBA")
    h = max(2, round(piece.height * width / max(1, piece.width)))
    return piece.resize((max(2, width), h), Image.Resampling.LANCZOS)
