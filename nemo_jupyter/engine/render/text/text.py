"""Text overlays drawn once as RGBA sprites: wrapped, outlined, shadowed, inside safe margins."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from PIL import Image, ImageDraw, ImageFilter

from ..errors import RenderError
from .fonts import font_for, load_font

SAFE = 0.05  # safe margin, fraction of each side
MAX_CHARS = 1500  # characters drawn on one overlay at most


@dataclass
class TextSprite:
    image: Image.Image  # RGBA
    x: int
    y: int
    #: each line's box in the sprite (x, y, width, height) and its characters: what a type-on reveals
    lines: list[tuple[int, int, int, int, str]] = field(default_factory=list)
    #: the box or band behind the words alone (None: none), shown from the start of a type-on
    backing: Image.Image | None = None


#: roles drawn as a card: the words on a band that holds them apart from the picture
CARD_ROLES = ("brand", "end_card")


def parse_colour(col: object, default: tuple[int, int, int] = (255, 255, 255)) -> tuple[int, int, int]:
    if isinstance(col, str):
        m = re.fullmatch(r"#?([0-9a-fA-F]{6})", col.strip())
        if m:
            v = int(m.group(1), 16)
            return (v >> 16) & 255, (v >> 8) & 255, v & 255
    return default


def _is_cjk(ch: str) -> bool:
    o = ord(ch)
    return (0x2E80 <= o <= 0x9FFF) or (0xAC00 <= o <= 0xD7AF) or (0xF900 <= o <= 0xFAFF) or (0xFF00 <= o <= 0xFFEF)


def _tokens(text: str) -> Iterator[str]:
    """Break units: words for spaced scripts, single characters for CJK (lazily: a caller that has
    enough lines stops early)."""
    for m in re.finditer(r"\s+|\S+", text):
        word = m.group(0)
        if any(_is_cjk(c) for c in word):
            buf = ""
            for c in word:
                if _is_cjk(c):
                    if buf:
                        yield buf
                        buf = ""
                    yield c
                else:
                    buf += c
            if buf:
                yield buf
        else:
            yield word


# Unicode line breaking (UAX #14) where it matters for captions: no line starts with a character
# of the classes CL, CP, EX, IS, NS, IN or CJ (closing brackets and quotes, 。，、！？：；, iteration
# marks, small kana, ー, …) and none ends with one of OP or an opening quote (「（《【“ ...).
# Brackets and quotes are told by their general category (Ps/Pi open, Pe/Pf close); the
# punctuation of the other classes is listed here.
_NO_BREAK_BEFORE = frozenset(
    "!?,.:;%‼‽⁇⁈⁉…‥"                      # EX, IS, NS, IN, PO (ASCII and general)
    "、。〃々〻〜゛゜ゝゞ゠・ヽヾ"                 # CL, NS of the CJK symbols
    "，．：；！？％｡､･"                     # fullwidth and halfwidth forms
    "ぁぃぅぇぉっゃゅょゎゕゖァィゥェォッャュョヮヵヶーㇰㇱㇲㇳㇴㇵㇶㇷㇸㇹㇺㇻㇼㇽㇾㇿｧｨｩｪｫｬｭｮｯｰ"  # CJ
    "︐︑︒︓︔︕︖︙"                            # vertical forms
)
_NO_BREAK_AFTER = frozenset("¡¿")


def closes(ch: str) -> bool:
    """No line may start with ``ch`` (a closing bracket or quote, 。，、！？, small kana...)."""
    return unicodedata.category(ch) in ("Pe", "Pf") or ch in _NO_BREAK_BEFORE


def opens(ch: str) -> bool:
    """No line may end with ``ch`` (an opening bracket or quote: 「（《“ ...)."""
    return unicodedata.category(ch) in ("Ps", "Pi") or ch in _NO_BREAK_AFTER


def _units(text: str) -> Iterator[str]:
    """The pieces a line may break between: :func:`_tokens` with a closing mark kept on the
    piece before it and an opening one on the piece after it (「你好！」 stays one piece)."""
    prev: str | None = None
    for tok in _tokens(text):
        if prev is not None and ((not tok.isspace() and closes(tok[0]))
                                 or (not prev.isspace() and opens(prev[-1]))):
            prev += tok
            continue
        if prev is not None:
            yield prev
        prev = tok
    if prev is not None:
        yield prev


def _fitting_prefix(line: str, font: object, max_width: int) -> int:
    """How many characters of ``line`` (one piece too long for a line) go on this line: the
    longest prefix that fits, moved back so the next line does not start with a closing mark
    nor this one end with an opening one (unless that would leave nothing)."""
    lo, hi = 1, len(line)  # the longest prefix that fits (at least one character)
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if font.getlength(line[:mid]) > max_width:  # type: ignore[attr-defined]
            hi = mid - 1
        else:
            lo = mid
    cut = lo
    while cut > 1 and cut < len(line) and (closes(line[cut]) or opens(line[cut - 1])):
        cut -= 1
    bad = cut < len(line) and (closes(line[cut]) or opens(line[cut - 1]))
    return lo if bad else cut


def wrap(text: str, font: object, max_width: int, max_lines: int | None = None) -> list[str]:
    """``text`` in lines no wider than ``max_width``, broken by the Unicode rules (between words,
    between CJK characters, never before a closing mark or after an opening one); with
    ``max_lines``, it stops after one line more than that (so a 200,000-character text costs what
    a screenful costs)."""
    lines: list[str] = []
    for para in text.splitlines() or [""]:
        if max_lines is not None and len(lines) > max_lines:
            break
        line = ""
        for tok in _units(para):
            if max_lines is not None and len(lines) > max_lines:
                break
            cand = line + tok
            if line and font.getlength(cand.strip()) > max_width:  # type: ignore[attr-defined]
                lines.append(line.strip())
                line = tok.lstrip()
            else:
                line = cand
            # a single piece longer than the line: break it by characters
            while font.getlength(line.strip()) > max_width and len(line.strip()) > 1:  # type: ignore[attr-defined]
                cut = _fitting_prefix(line, font, max_width)
                lines.append(line[:cut].strip())
                line = line[cut:]
                if max_lines is not None and len(lines) > max_lines:
                    break
        if line.strip():
            lines.append(line.strip())
    return lines or [""]


@dataclass
class _Layout:
    """Where and how a text overlay is drawn, worked out without drawing it."""

    font: Any
    lines: list[str]
    widths: list[int]
    size: int
    line_h: int
    pad: int
    stroke: int
    width: int    # of the sprite
    height: int
    x: int        # in the frame (even)
    y: int


def _layout(txt: str, width: int, height: int, *, kind: str, pos: str | None, sz: float | None) -> _Layout:
    # no frame shows more characters than this legibly: the rest is cut (with "…"); a long script
    # belongs in captions over time, and a 200,000-character text must not hold a render for minutes
    if len(txt) > MAX_CHARS:
        txt = txt[:MAX_CHARS].rstrip() + "…"
    short = min(width, height)
    scale = short / 1080.0
    default, default_pos = {"title": (88.0, "center"), "caption": (52.0, "bottom")}.get(kind, (64.0, "center"))
    try:
        base = float(sz) if sz else default  # type: ignore[arg-type]
    except (TypeError, ValueError):
        base = default
    base = min(max(base, 12.0), 240.0)  # readable, and never wider than the frame
    pos = pos if pos in ("top", "center", "bottom") else default_pos
    size = max(12, round(base * scale))
    try:
        font_path = font_for(txt)
    except RenderError:
        # emoji and pictographs that no installed font has are left out rather than failing
        kept = "".join(ch for ch in txt if unicodedata.category(ch) not in ("So", "Cs", "Co", "Cn", "Sk")
                       and not (0xFE00 <= ord(ch) <= 0xFE0F or ch == "\u200d"))
        if not any(ch.isprintable() and not ch.isspace() for ch in kept) or kept == txt:
            raise
        txt = re.sub(r"\s{2,}", " ", kept).strip()
        font_path = font_for(txt)
    max_w = int(width * (1 - 2 * SAFE))
    max_h = int(height * (1 - 2 * SAFE)) // (1 if pos == "center" else 2)
    # start near the size at which the text fills the box (glyphs ~0.55 em wide, lines 1.15 em)
    fill = int((max_w * max_h * 0.8 / (0.55 * 1.15 * max(1, len(txt)))) ** 0.5)
    size = max(min(size, 14), min(size, fill * 2))
    while True:
        font = load_font(font_path, size)
        inner_w = max_w - 2 * int(size * 0.4)
        asc, desc = font.getmetrics()
        line_h = int((asc + desc) * 1.15)
        fit = max(1, int(max_h * 0.9 - 2 * int(size * 0.4)) // max(1, line_h))
        lines = wrap(txt, font, inner_w, max_lines=fit)
        block_h = line_h * len(lines)
        if block_h <= max_h * 0.9 or size <= 14:
            break
        size = int(size * 0.88)
    if len(lines) > fit:  # more text than the frame holds even at the smallest size: end with an ellipsis
        lines = lines[:fit]
        lines[-1] = lines[-1].rstrip(" .,;:") + "…"
        block_h = line_h * len(lines)
    stroke = max(2, size // 14)
    pad = int(size * 0.4)
    widths = [int(font.getlength(ln)) for ln in lines]
    img_w = min(max_w, max(widths) + 2 * pad + 2 * stroke)
    img_h = block_h + 2 * pad
    margin_x = int(width * SAFE)
    margin_y = int(height * SAFE)
    fx = margin_x + (max_w - img_w) // 2
    if pos == "top":
        fy = margin_y
    elif pos == "bottom":
        fy = height - margin_y - img_h
    else:
        fy = (height - img_h) // 2
    # even coordinates keep chroma aligned in yuv420p overlays
    return _Layout(font, lines, widths, size, line_h, pad, stroke, img_w, img_h, fx - fx % 2, fy - fy % 2)


def render_text(txt: str, width: int, height: int, *, kind: str = "title", pos: str | None = None,
                sz: float | None = None, col: object = None, role: object = None) -> TextSprite:
    """Draw ``txt`` for a ``width``×``height`` frame; returns the sprite and where it goes. A
    ``role`` of :data:`CARD_ROLES` (a brand, an end card) is drawn on a band."""
    lay = _layout(txt, width, height, kind=kind, pos=pos, sz=sz)
    colour = parse_colour(col)
    font, pad, stroke, size, img_w, img_h = lay.font, lay.pad, lay.stroke, lay.size, lay.width, lay.height
    img = Image.new("RGBA", (img_w, img_h), (0, 0, 0, 0))
    card = role in CARD_ROLES
    if kind == "caption" or card:  # a soft box behind captions keeps them readable anywhere
        box = Image.new("RGBA", (img_w, img_h), (0, 0, 0, 0))
        ImageDraw.Draw(box).rounded_rectangle((0, 0, img_w - 1, img_h - 1), radius=pad,
                                              fill=(12, 14, 20, 170) if card else (0, 0, 0, 120))
        img.alpha_composite(box)
    backing = img.copy() if (kind == "caption" or card) else None
    shadow = Image.new("RGBA", (img_w, img_h), (0, 0, 0, 0))
    sd = ImageDraw.Draw(shadow)
    td = ImageDraw.Draw(img)
    off = max(2, size // 18)
    y = pad
    placements = []
    for ln, lw in zip(lay.lines, lay.widths, strict=False):
        x = (img_w - lw) // 2
        placements.append((x, y, ln))
        sd.text((x + off, y + off), ln, font=font, fill=(0, 0, 0, 170), stroke_width=stroke, stroke_fill=(0, 0, 0, 170))
        y += lay.line_h
    shadow = shadow.filter(ImageFilter.GaussianBlur(max(2, size // 16)))
    base_img = Image.new("RGBA", (img_w, img_h), (0, 0, 0, 0))
    base_img.alpha_composite(img)
    base_img.alpha_composite(shadow)
    td = ImageDraw.Draw(base_img)
    outline = (20, 20, 20, 255) if sum(colour) > 200 else (250, 250, 250, 255)
    boxes = []
    for (x, yy, ln), lw in zip(placements, lay.widths, strict=False):
        td.text((x, yy), ln, font=font, fill=(*colour, 255), stroke_width=stroke, stroke_fill=outline)
        boxes.append((max(0, x - stroke - off), yy, lw + 2 * (stroke + off), lay.line_h + off, ln))
    return TextSprite(base_img, lay.x, lay.y, boxes, backing)


def typed_frames(spr: TextSprite, steps: int) -> list[Image.Image]:
    """``steps`` stills of ``spr`` typed on: each shows a few more of its words (characters, for CJK),
    line after line; the last shows it whole. The band or box behind the words shows from the first."""
    img = spr.image
    boxes = spr.lines
    units = [len(list(_tokens(ln))) for *_b, ln in boxes] or [1]
    total = max(1, sum(units))
    steps = max(1, min(steps, total))
    back = spr.backing if spr.backing is not None else Image.new("RGBA", img.size, (0, 0, 0, 0))
    out = []
    for k in range(1, steps + 1):
        shown = round(total * k / steps)
        reveal = Image.new("L", img.size, 0)
        d = ImageDraw.Draw(reveal)
        for (x, y, w, h, ln), n in zip(boxes, units, strict=False):
            if shown <= 0:
                break
            take = min(n, shown)
            d.rectangle((x, y, x + round(w * _width_share(ln, take)), y + h), fill=255)
            shown -= take
        out.append(img if k == steps else Image.composite(img, back, reveal))
    return out


def _width_share(line: str, tokens: int) -> float:
    """The share of ``line``'s width its first ``tokens`` words (or CJK characters) take, by characters."""
    toks = list(_tokens(line))
    if tokens >= len(toks):
        return 1.0
    return len("".join(toks[:tokens])) / max(1, len(line))


#: the gap between a ground actor's feet and the top of a caption under it (fraction of the height)
FEET_CLEAR = 0.01
