"""The timeline as a class reads it: track, what, from, to, text, volume.

The DataFrame (``Draft.to_dataframe()``) keeps every key, ids and URLs for editing; this table
shows only what people read, with the backend's text escaped and wrapped, and headers, track
names and the summary in Chinese for a Chinese conversation.
"""

from __future__ import annotations

import html
import math
import urllib.parse
from typing import Any

from ..client.draft import Draft
from ..conversation.zh import segment_label_zh

__all__ = ["HEADERS", "summary", "table_html", "table_rows", "table_text"]

COLUMNS = ("track", "what", "from", "to", "text", "volume")
"""The keys of a row of :func:`table_rows`, in the order of :data:`HEADERS`."""

HEADERS = {
    "en": ("track", "what", "from", "to", "text", "volume"),
    "zh": ("轨道", "内容", "开始", "结束", "文字", "音量"),
}
_TRACK_ZH = {"video": "视频", "audio": "音频", "text": "文字", "other": "轨道"}
_TRACK_NAME_ZH = {"Video": "视频", "BGM": "背景音乐", "Title": "标题", "Track": "轨道", "Audio": "音频",
                  "Text": "文字", "Ambient": "环境音", "Captions": "字幕", "Voice": "旁白", "Narration": "旁白"}
_KIND_ZH = {"scene": "场景", "video": "视频", "image": "图片", "music": "音乐", "ambient": "环境音",
            "audio": "音频", "title": "标题", "caption": "字幕", "text": "文字", "voice": "旁白"}
_COLOURS = {"video": "#dbeafe", "audio": "#dcfce7", "text": "#fef3c7", "other": "#f3f4f6"}
#: the same hues as tints of the notebook's own background and text colours, so that a dark theme shows
#: dark rows with light text (where color-mix is unknown, the light rows above stay)
_TINTS = {"video": "#3b82f6", "audio": "#22c55e", "text": "#f59e0b", "other": "#9ca3af"}


def _num(value: Any) -> float | None:
    try:
        f = float(value)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(f) or math.isinf(f) else f


def _seconds(value: Any, zh: bool) -> str:
    f = _num(value)
    if f is None:
        return ""
    text = f"{f:.1f}".rstrip("0").rstrip(".") if abs(f - round(f)) > 1e-9 else f"{round(f)}"
    return f"{text} 秒" if zh else f"{text} s"


def _source_name(src: Any) -> str:
    """An upload's file name from its URL or sandbox path (never the URL itself)."""
    if not isinstance(src, str) or not src:
        return ""
    path = urllib.parse.urlsplit(src).path if "://" in src else src
    return urllib.parse.unquote(path.rstrip("/").rsplit("/", 1)[-1])[:60]


def _track_name(info: dict[str, Any], zh: bool) -> str:
    name = str(info.get("name") or "")
    kind = str(info.get("type") or "other")
    if zh:
        head = name.partition(":")[0].strip()
        return _TRACK_NAME_ZH.get(head) or name or _TRACK_ZH.get(kind, "轨道")
    return name or kind.capitalize()


def table_rows(draft: Draft | None, *, zh: bool = False) -> list[dict[str, Any]]:
    """One dict per segment: ``track``, ``what``, ``from``, ``to``, ``text``, ``volume`` (+ ``type``)."""
    if draft is None:
        return []
    df = draft.to_dataframe()
    tracks = {int(t["index"]): t for t in df.attrs.get("tracks", []) if isinstance(t, dict)}
    rows: list[dict[str, Any]] = []
    for rec, seg in zip(df.to_dict("records"), draft.segments(), strict=False):
        index = int(rec.get("track") or 0)
        info = tracks.get(index, {"name": "", "type": rec.get("track_type")})
        label = rec.get("label") if isinstance(rec.get("label"), str) else ""
        kind = rec.get("kind") if isinstance(rec.get("kind"), str) else ""
        if zh and label.lower() in (kind, *_KIND_ZH):   # a generic English word: say it in Chinese
            label = _KIND_ZH.get(label.lower(), label)
        elif zh:   # a name the backend wrote in English ("Forest: panda"): what it shows, in Chinese
            label = segment_label_zh(seg) or label
        what = label or (_KIND_ZH.get(kind, kind) if zh else kind)
        src = _source_name(rec.get("source"))
        if src and src not in what:
            what = f"{what} ({src})" if what else src
        vol = _num(rec.get("volume"))
        text = rec.get("text") if isinstance(rec.get("text"), str) else ""
        rows.append({
            "track": f"{index + 1} · {_track_name(info, zh)}", "type": str(rec.get("track_type") or "other"),
            "what": what, "from": _seconds(rec.get("start"), zh), "to": _seconds(rec.get("end"), zh),
            "text": text, "volume": f"{vol * 100:.0f}%" if vol is not None else "",
        })
    return rows


def table_html(draft: Draft | None, *, zh: bool = False) -> str:
    """An HTML table a class can read (every cell escaped, long text wrapped, nothing internal)."""
    rows = table_rows(draft, zh=zh)
    if not rows:
        return ""
    headers = HEADERS["zh" if zh else "en"]
    th = "".join(f'<th style="text-align:{"right" if i in (2, 3, 5) else "left"};padding:4px 8px">{html.escape(h)}</th>'
                 for i, h in enumerate(headers))
    body = []
    for row in rows:
        colour = _COLOURS.get(row["type"], _COLOURS["other"])
        cells = []
        for key in COLUMNS:
            style = "padding:4px 8px;vertical-align:top;text-align:left"
            if key == "text":
                style += ";white-space:normal;word-break:break-word;max-width:28em"
            elif key in ("from", "to", "volume"):
                style += ";white-space:nowrap;text-align:right"
            cells.append(f'<td style="{style}">{html.escape(str(row[key]))}</td>')
        tint = _TINTS.get(row["type"], _TINTS["other"])
        themed = (f"background:color-mix(in srgb,{tint} 18%,var(--jp-layout-color0,#fff));"
                  "color:var(--jp-content-font-color1,#111827)")
        body.append(f'<tr style="background:{colour};color:#111827;{themed}">' + "".join(cells) + "</tr>")
    return ('<table class="nemo-timeline" style="border-collapse:collapse;font-size:13px;max-width:100%">'
            f"<thead><tr>{th}</tr></thead><tbody>{''.join(body)}</tbody></table>")


def table_text(draft: Draft | None, *, zh: bool = False) -> str:
    """The same table as aligned plain text (a terminal, a saved notebook's text/plain)."""
    rows = table_rows(draft, zh=zh)
    if not rows:
        return ""
    headers = HEADERS["zh" if zh else "en"]
    cells = [list(headers)] + [[str(r[k])[:40] for k in COLUMNS] for r in rows]
    widths = [max(len(c[i]) for c in cells) for i in range(len(COLUMNS))]
    return "\n".join("  ".join(c[i].ljust(widths[i]) for i in range(len(COLUMNS))).rstrip() for c in cells)


def summary(draft: Draft | None, *, zh: bool = False) -> str:
    """One line: the client's own summary, or its Chinese form for a Chinese conversation."""
    if draft is None:
        return ""
    if not zh:
        return draft.summary()
    rows = table_rows(draft, zh=True)
    if not rows:
        return "时间线是空的"
    groups: dict[str, list[dict[str, Any]]] = {}
    for row in rows:
        groups.setdefault(row["track"], []).append(row)
    parts = []
    for n, (track, items) in enumerate(groups.items(), 1):
        name = track.split(" · ", 1)[-1]
        labels = "、".join(f"「{r['text']}」" if r["text"] else r["what"] for r in items)
        span = f"{items[0]['from'].replace(' 秒', '')}–{items[-1]['to']}"
        vol = next((r["volume"] for r in items if r["volume"]), "")
        parts.append(f"{n}. {name}：{labels}（{span}{'，' + vol if vol else ''}）")
    return f"时间线（{len(groups)} 条轨道）：" + " ".join(parts)
