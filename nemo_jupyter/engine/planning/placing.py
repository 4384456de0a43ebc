"""Texts of a brief in their roles on a new draft: when each shows and how it comes in.

* A brand, a title and a greeting's message with no moment open the video, one after the other.
* An end card (a call to action) holds the last seconds (:func:`end_card_ms`).
* A caption with a moment keeps it ("at 10 s", "at the end"); one said "when the clouds form"
  shows over the scene that shows it (:func:`resolve_when`, matched on the scene's subjects,
  elements, place and caption); one with no moment shows between the opening and the end card,
  the captions of a prompt spread in its order.
* Each text comes in as its video's kind asks (:data:`ANIMS`: an ad's cards rise, a lesson's
  captions are typed on).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import replace
from typing import Any

from .brief import Brief, Scene, TextAsk
from .catalogue import scene_name, subject_name
from .common import CAPTION_MS, TITLE_MS
from .scenes import _Spans

#: how texts come in, by kind of video and segment kind (``anim``: fade | rise | type)
ANIMS: dict[str | None, dict[str, str]] = {
    "ad": {"title": "rise", "caption": "fade"},
    "greeting": {"title": "rise", "caption": "fade"},
    "lesson": {"title": "fade", "caption": "type"},
    "list": {"title": "rise", "caption": "type"},
    "story": {"title": "fade", "caption": "fade"},
    None: {"title": "fade", "caption": "fade"},
}
#: the roles that open a video when no moment is asked, in this order
OPENERS = ("brand", "title", "greeting")
#: a caption with no moment lasts at least this long where there is room (ms)
MIN_CAPTION_MS = 1_500


def anim_for(template: str | None, kind: str) -> str:
    return ANIMS.get(template, ANIMS[None]).get(kind, "fade")


def end_card_ms(total: int) -> int:
    """How long an end card holds: a fifth of the video, 3 to 5 seconds (never more than half)."""
    return max(min(3_000, total // 2), min(5_000, total // 5, total // 2))


def _timed(q: TextAsk) -> bool:
    return q.st is not None or q.end_ms is not None or q.at_end or q.middle or q.when is not None


def _words(text: str) -> set[str]:
    """Words of ``text`` for matching: lower case, a plural's "s" taken off; CJK as pairs of characters."""
    out: set[str] = set()
    for w in re.findall(r"[^\W\d_]+", text.lower()):
        if any(ord(c) > 0x2E80 for c in w):
            out |= {w[i:i + 2] for i in range(max(1, len(w) - 1))}
        elif len(w) > 2:
            out.add(w[:-1] if w.endswith("s") and len(w) > 3 else w)
    return out


_STOP = frozenset({"the", "and", "when", "with", "its", "their", "they", "from", "into", "that", "this", "then"})


def scene_words(scene: Scene, lang: str) -> set[str]:
    """What a scene shows, as words: its place, its elements, its subjects, its caption."""
    parts: list[str] = [scene.scene.replace("_", " "), scene_name(scene.scene, lang), scene_name(scene.scene, "en"),
                        *(e for e in scene.els), *(scene.label_terms or [])]
    for a in scene.actors:
        parts += [a.s.replace("_", " "), a.word, subject_name(a.s, lang), subject_name(a.s, "en")]
    if scene.caption:
        parts.append(scene.caption)
    out: set[str] = set()
    for p in parts:
        if p:
            out |= _words(p)
    return out


def resolve_when(texts: Iterable[TextAsk], spans: _Spans, lang: str) -> dict[int, tuple[int, int]]:
    """The scene that shows each "when X" text: its index is set as the text's ``scene``; returns its
    span (ms) by ``id`` of the text."""
    words = [scene_words(s, lang) for s, _a, _b in spans]
    out: dict[int, tuple[int, int]] = {}
    for q in texts:
        if not q.when or q.st is not None:
            continue
        want = _words(q.when) - _STOP
        best, score = None, 0
        for i, sw in enumerate(words):
            got = len(want & sw)
            if got > score:
                best, score = i, got
        if best is not None:
            _s, a, b = spans[best]
            q.scene = best
            out[id(q)] = (a, b)
    return out


def place(brief: Brief, total: int, spans: _Spans) -> list[TextAsk]:
    """The brief's shown texts, each as a copy given its moment in a new video of ``total`` ms (the
    brief keeps what was asked), in the order they are best laid down: openers, end card, captions."""
    asked = brief.shown_texts()
    scene_of = resolve_when(asked, spans, brief.language.split("-")[0])
    texts = [replace(q) for q in asked]
    for q in texts:
        if id_of(q, asked) in scene_of:
            q.st, q.end_ms = scene_of[id_of(q, asked)]
    t, nxt, last = 0, 0, None
    for q in texts:  # a brand, then a title, then a greeting's words; texts of one role share a slot
        if q.role in OPENERS and not _timed(q):
            if last is not None and q.role != last:
                t = nxt
            q.st, q.length = t, q.length or TITLE_MS
            nxt = min(total - TITLE_MS, t + q.length) if total > 2 * TITLE_MS else t
            last = q.role
    t = nxt
    ends = [q for q in texts if q.role == "end_card"]
    end_at = total
    for q in ends:
        if q.at_end and q.st is None:
            q.length = q.length or end_card_ms(total)
            end_at = min(end_at, total - q.length)
    free = [q for q in texts if q.kind == "caption" and not _timed(q)]
    opened = t if any(q.role in OPENERS for q in texts) else 0
    room = end_at - opened
    if free and (opened or end_at < total) and room >= MIN_CAPTION_MS * len(free):
        slot = room // len(free)
        for i, q in enumerate(free):
            q.st, q.length = opened + i * slot, min(slot, 2 * CAPTION_MS)
    return [q for q in texts if q.role in OPENERS] + ends + [q for q in texts if q.role not in OPENERS
                                                             and q.role != "end_card"]


def id_of(copy: TextAsk, asked: list[TextAsk]) -> int:
    """The ``id`` of the asked text ``copy`` was made from (same words at the same place of the prompt)."""
    return next((id(q) for q in asked if q.start == copy.start and q.text == copy.text), id(copy))


def title_of(brief: Brief) -> str | None:
    """What a video is called by what its prompt asked: the brand, a title, a greeting's message, an
    ad's product (never an end card or a stock caption)."""
    for role in OPENERS:
        q = next((q for q in brief.texts if q.role == role and q.text.strip()), None)
        if q is not None:
            return q.text.strip()
    if brief.template == "ad":
        product = next((a for a in brief.actors() if a.role == "product" and (a.phrase or a.word)), None)
        if product is not None:
            name = (product.phrase or product.word).strip()
            return name[:1].upper() + name[1:]
    return None


def segment_keys(q: TextAsk, template: str | None) -> dict[str, Any]:
    """The keys a text segment of ``q`` carries beyond its text and time: its role and how it comes in."""
    return {"role": q.role, "anim": anim_for(template, q.kind)}
