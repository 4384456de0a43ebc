"""Colour words on OpenMoji art: "a blue car", "yellow ducklings", "a purple elephant".

OpenMoji SVGs are flat fills in a ``color`` group (skin and hair have groups of their own) under a
black outline in a ``line`` group. Recolouring takes the main fill of the ``color`` group (the
largest area, near-black tyres aside: a car's body, an elephant's hide, a person's clothes) and the fills of the same hue
(its shades), and moves them to the asked colour, each keeping its lightness relative to the main
fill, so shading survives; the outline, the skin, the eyes, the windows and the wheels stay as
drawn. The result is SVG text, rasterised like the original (crisp at any size).
"""

from __future__ import annotations

import colorsys
import functools
import io
import re

import numpy as np
from PIL import Image

#: the asked colour of a main fill (OpenMoji's own palette where it has one)
TARGETS: dict[str, str] = {
    "red": "#EA5A47", "orange": "#F4AA41", "yellow": "#FCEA2B", "green": "#5C9E31", "blue": "#3A7BD5",
    "purple": "#8967AA", "pink": "#F38BB4", "brown": "#A57939", "black": "#3F3F3F", "white": "#FFFFFF",
    "grey": "#9B9B9A", "gold": "#F1B31C", "silver": "#D0CFCE",
}
_ACHROMATIC = {"black", "white", "grey", "silver"}
_FILL = re.compile(r"((?:fill|stroke)\s*[=:]\s*\"?)(#[0-9a-fA-F]{6}|#[0-9a-fA-F]{3})\b")
_GROUPS = {gid: re.compile(r"<g\b[^>]*\bid=\"" + gid + r"\"[^>]*>") for gid in ("color", "color-foreground")}


def _hex(v: str) -> str:
    v = v.upper()
    return "#" + "".join(ch * 2 for ch in v[1:]) if len(v) == 4 else v


def _rgb(v: str) -> tuple[float, float, float]:
    v = _hex(v)
    return int(v[1:3], 16) / 255, int(v[3:5], 16) / 255, int(v[5:7], 16) / 255


def colour_group(svg: str, gid: str = "color") -> tuple[int, int] | None:
    """Where the ``color`` group's content (or ``color-foreground``'s: what OpenMoji draws over the
    outline, a bicycle's red frame) is in ``svg`` (start, end), nested groups included."""
    m = _GROUPS[gid].search(svg)
    if not m:
        return None
    depth = 1
    for tag in re.finditer(r"<(/?)g\b[^>]*?(/?)>", svg[m.end():]):
        if tag.group(2):  # <g/>
            continue
        depth += -1 if tag.group(1) else 1
        if depth == 0:
            return m.end(), m.end() + tag.start()
    return m.end(), len(svg)


def _areas(svg: str, spans: list[tuple[int, int]], render: object) -> dict[str, int]:
    """Visible pixels of each fill of the colour groups (drawn alone, small, over the outline)."""
    (_a0, b0), rest = spans[0], spans[1:]
    body = svg[:b0].replace("</svg>", "")  # (a group OpenMoji leaves open runs to the end)
    unclosed = len(re.findall(r"<g\b[^>]*?(?<!/)>", body)) - body.count("</g>")
    only = body + "</g>" * max(0, unclosed) + "".join(
        f"<g>{svg[a:b].replace('</svg>', '')}</g>" for a, b in rest) + "</svg>"
    png = render(only, 96)  # type: ignore[operator]
    with Image.open(io.BytesIO(png)) as im:
        arr = np.asarray(im.convert("RGBA"))
    solid = arr[arr[..., 3] > 250][:, :3].astype(np.int32)
    keys = solid[:, 0] * 65536 + solid[:, 1] * 256 + solid[:, 2]
    vals, counts = np.unique(keys, return_counts=True)
    return {f"#{int(v):06X}": int(c) for v, c in zip(vals, counts, strict=True)}


def _family(main: str, fills: list[str]) -> list[str]:
    """The main fill and its shades: fills of about the same hue (or greys, for a grey main)."""
    h0, l0, s0 = colorsys.rgb_to_hls(*_rgb(main))
    out = []
    for f in fills:
        h, lum, s = colorsys.rgb_to_hls(*_rgb(f))
        if s0 < 0.12:
            same = s < 0.12 and abs(lum - l0) < 0.35
        else:
            dh = min(abs(h - h0), 1 - abs(h - h0))
            same = s >= 0.12 and dh < 0.085 and abs(lum - l0) < 0.4
        if same:
            out.append(f)
    return out


def _dark(fill: str) -> bool:
    """A near-black grey (tyres, a dark frame), never the fill a colour word means."""
    _h, lum, sat = colorsys.rgb_to_hls(*_rgb(fill))
    return lum < 0.3 and sat < 0.12


def _saturated(fill: str) -> bool:
    return colorsys.rgb_to_hls(*_rgb(fill))[2] >= 0.12


def _mapped(fill: str, main: str, colour: str) -> str:
    ht, lt, st = colorsys.rgb_to_hls(*_rgb(TARGETS[colour]))
    _hm, lm, _sm = colorsys.rgb_to_hls(*_rgb(main))
    _h, lum, _s = colorsys.rgb_to_hls(*_rgb(fill))
    light = min(1.0, max(0.08, lt + (lum - lm) * 0.8))
    if colour in _ACHROMATIC:
        st = 0.03 if colour == "silver" else 0.0
    r, g, b = colorsys.hls_to_rgb(ht, light, st)
    return "#{:02X}{:02X}{:02X}".format(*(round(v * 255) for v in (r, g, b)))


@functools.lru_cache(maxsize=256)
def recoloured(svg: str, colour: str, render: object) -> str:
    """``svg`` with its main fill (and its shades) moved to ``colour`` (a key of :data:`TARGETS`);
    ``render(svg_text, side) -> PNG bytes`` draws the colour group to measure its fills."""
    if colour not in TARGETS:
        return svg
    spans = [sp for sp in (colour_group(svg), colour_group(svg, "color-foreground")) if sp is not None]
    if not spans:
        return svg
    spans = [sp for i, sp in enumerate(spans) if not any(a <= sp[0] and sp[1] <= b for a, b in spans[:i])]
    fills = [_hex(m.group(2)) for a, b in spans for m in _FILL.finditer(svg, a, b)]
    if not fills:
        return svg
    areas = _areas(svg, spans, render)
    present = [f for f in dict.fromkeys(fills) if areas.get(f, 0) > 0] or list(dict.fromkeys(fills))
    main = max(present, key=lambda f: areas.get(f, 0))
    total = sum(areas.get(f, 0) for f in present) or 1
    coloured = [f for f in present if _saturated(f) and areas.get(f, 0) >= 0.2 * total]
    if _dark(main) and coloured:  # a tractor's tyres are not its colour: its green body is (a
        main = max(coloured, key=lambda f: areas.get(f, 0))  # black and white rabbit stays black)
    over = {_hex(m.group(2)) for a, b in spans[1:] for m in _FILL.finditer(svg, a, b)}
    drawn_over = [f for f in present if _saturated(f) and f in over]
    if not _saturated(main) and drawn_over:  # a bicycle's colour is its red frame, not its white wheels
        main = max(drawn_over, key=lambda f: areas.get(f, 0))
    family = set(_family(main, present))
    table = {f: _mapped(f, main, colour) for f in family}
    out = svg
    for a, b in sorted(spans, reverse=True):
        out = out[:a] + _FILL.sub(lambda m: m.group(1) + table.get(_hex(m.group(2)), m.group(2)), out[a:b]) + out[b:]
    return out


def hue_of(colour: str) -> float:
    """The hue of a colour word (0-1), for checks."""
    return colorsys.rgb_to_hls(*_rgb(TARGETS[colour]))[0]
