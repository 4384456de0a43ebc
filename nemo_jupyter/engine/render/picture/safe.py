"""Where actors may stand in a shot so that the texts shown meanwhile never cover them: the band
between a title at the top and a caption at the bottom, and the box of a text in the middle.

Text layout itself is :mod:`..text.text`'s; this module only reads where each text goes (its box,
from the same layout the text is drawn with), in every frame shape.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..errors import RenderError
from ..text.text import FEET_CLEAR, _layout
from ..timeline.reading import _ms

Box = tuple[float, float, float, float]


@dataclass
class Band:
    """Fractions of the frame: actors' feet above ``floor``, heads below ``ceiling``, and out of
    the ``boxes`` (texts in the middle of the frame)."""

    floor: float | None = None
    ceiling: float | None = None
    boxes: list[Box] = field(default_factory=list)


def text_band(texts: list[dict[str, Any]], seg: dict[str, Any], width: int, height: int) -> Band:
    """The free band of video segment ``seg``'s shot, from the texts of the draft that show during it."""
    start = _ms(seg.get("st")) / 1000
    end = start + _ms(seg.get("d")) / 1000
    band = Band()
    for sg in texts:
        txt = str(sg.get("txt") or "").strip()
        kind = str(sg.get("k") or "text")
        st = _ms(sg.get("st")) / 1000
        if not txt or not (st < end and st + _ms(sg.get("d")) / 1000 > start):
            continue
        default = "bottom" if kind == "caption" else "center"
        pos = sg.get("pos") if sg.get("pos") in ("top", "center", "bottom") else default
        try:
            lay = _layout(txt, width, height, kind=kind, pos=pos, sz=sg.get("sz"))
        except RenderError:
            continue
        x0, y0 = lay.x / width, lay.y / height
        x1, y1 = (lay.x + lay.width) / width, (lay.y + lay.height) / height
        if pos == "bottom":
            band.floor = min(band.floor if band.floor is not None else 1.0, y0 - FEET_CLEAR)
        elif pos == "top":
            band.ceiling = max(band.ceiling or 0.0, y1 + FEET_CLEAR)
        else:
            band.boxes.append((x0, y0, x1, y1))
    return band
