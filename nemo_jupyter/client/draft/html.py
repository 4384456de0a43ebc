"""A draft as HTML: the notebook table with time bars, and the pandas Styler of the timeline frame.

Backend text is always HTML-escaped and secrets masked.
"""

from __future__ import annotations

import html
import json
from typing import TYPE_CHECKING, Any

from ..secrets import redact
from .reader import DraftView
from .values import _BAR_COLOURS, _COLOURS, COLUMNS, _num, _pct, _py, _short, fmt_seconds

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd
    from pandas.io.formats.style import Styler

__all__ = ["draft_html", "to_styled"]


def to_styled(df: pd.DataFrame, caption: str) -> Styler:
    """The timeline DataFrame as a pandas Styler, one colour per track type, backend text HTML-escaped."""
    colours = [_COLOURS.get(str(t), _COLOURS["other"]) for t in df["track_type"]]

    def paint(row: pd.Series) -> list[str]:
        colour = colours[df.index.get_loc(row.name)]
        return [f"background-color: {colour}; color: #111827"] * len(row)

    def cell(value: Any) -> str:
        # Escape here, not with escape="html": pandas escapes only str cells, not dicts or lists.
        value = _py(value)
        if value is None:
            return ""
        text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, default=str)
        return html.escape(redact(text))

    def seconds(value: Any) -> str:
        number = _num(_py(value))
        return "" if number is None else f"{number:.2f}"

    def volume(value: Any) -> str:
        number = _num(_py(value))
        return "" if number is None else _pct(number)

    formats: dict[str, Any] = {c: cell for c in COLUMNS}
    formats.update(start=seconds, end=seconds, volume=volume)
    styler = df.style.apply(paint, axis=1).format(formats)
    return styler.hide(axis="index").set_caption(html.escape(redact(caption)))


def draft_html(draft: DraftView) -> str:
    def esc(text: str) -> str:
        return html.escape(redact(text))

    head = f"<strong>{esc(draft._caption())}</strong>"
    if draft.is_empty:
        return f'<div class="nemo-draft">{head}<p>Timeline is empty</p></div>'
    total = max(draft.duration, draft.end) or 1.0
    cells = ("#", "track", "kind", "start", "end", "label / text", "source", "volume", "")
    out = [
        '<div class="nemo-draft">', head,
        '<table class="nemo-draft-table" style="border-collapse:collapse">',
        "<thead><tr>" + "".join(f"<th style='text-align:left;padding:2px 6px'>{c}</th>" for c in cells)
        + "</tr></thead><tbody>",
    ]
    names = dict(enumerate(draft.track_names()))
    for s in draft._segments():
        colour, bar = _COLOURS.get(s.type, _COLOURS["other"]), _BAR_COLOURS.get(s.type, _BAR_COLOURS["other"])
        start, end = s.timing.start, s.timing.end
        left = 100.0 * (start or 0.0) / total
        width = 100.0 * max((end or 0.0) - (start or 0.0), 0.0) / total
        left, width = min(max(left, 0.0), 100.0), min(max(width, 0.0), 100.0 - min(max(left, 0.0), 100.0))
        shown = " / ".join(_short(x, 80) for x in (s.name_value, s.text) if x is not None and x != "")
        src, vol, kind = s.source, s.volume_fraction, s.kind
        row = [
            str(s.track + 1), names.get(s.track, ""), "" if kind is None else _short(kind, 30),
            fmt_seconds(start), fmt_seconds(end), shown, "" if src is None else _short(src, 60),
            "" if vol is None else _pct(vol),
        ]
        tds = "".join(f"<td style='padding:2px 6px'>{esc(str(c))}</td>" for c in row)
        bar_html = (
            "<td style='padding:2px 6px;min-width:120px'><div style='position:relative;height:8px;"
            "background:#e5e7eb'><div style='position:absolute;top:0;height:8px;"
            f"left:{left:.2f}%;width:{width:.2f}%;background:{bar}'></div></div></td>"
        )
        out.append(f"<tr style='background:{colour};color:#111827'>{tds}{bar_html}</tr>")
    out.append("</tbody></table></div>")
    return "".join(out)
