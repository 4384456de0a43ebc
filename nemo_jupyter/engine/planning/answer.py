"""Answers to questions about the current video ("how long is my video?"): read from the draft,
worded from the message catalogues; the draft never changes."""

from __future__ import annotations

from typing import Any

from .brief import Brief
from .catalogue import join, mood_name, quote, say, scene_name
from .common import Plan, _secs
from .draftops import _seg_kind, _segments, _tracks


def answer(brief: Brief, draft: dict[str, Any] | None, language: str) -> Plan:
    """What the current video is, in one or two sentences (or that there is none yet)."""
    if not isinstance(draft, dict):
        return Plan(draft=None, reply=say(language, "question_no_draft"), steps=[], understood=False,
                    language=language)
    m = draft.get("m") if isinstance(draft.get("m"), dict) else {}
    assert isinstance(m, dict)
    total = draft.get("d") if isinstance(draft.get("d"), int) else 0
    scenes: list[str] = []
    shots = 0
    texts: list[str] = []
    music = say(language, "answer_no_music")
    for track in _tracks(draft):
        for seg in _segments(track):
            kind = _seg_kind(track, seg)
            if kind == "scene":
                shots += 1
                name = scene_name(str(seg.get("scene")), language)
                if name not in scenes:
                    scenes.append(name)
            elif kind in ("image", "video"):
                shots += 1
                scenes.append(str(seg.get("n") or kind))
            elif kind in ("title", "caption") and len(texts) < 4:
                texts.append(quote(language, str(seg.get("txt", ""))))
            elif kind == "music":
                vol = seg.get("v")
                music = say(language, "answer_music", mood=mood_name(str(seg.get("mood")), language),
                            volume=round(float(vol) * 100) if isinstance(vol, (int, float)) else 30)
    title = m.get("title")
    reply = say(language, "answer", length=_secs(total if isinstance(total, int) else 0),
                aspect=m.get("aspect", "16:9"), width=m.get("width", "?"), height=m.get("height", "?"),
                title=say(language, "answer_title", title=quote(language, str(title))) if title else "",
                scenes=shots, labels=join(language, scenes[:6]), music=music,
                texts=say(language, "answer_texts", texts=join(language, texts)) if texts else "")
    return Plan(draft=None, reply=reply, steps=[], understood=False, language=language)
