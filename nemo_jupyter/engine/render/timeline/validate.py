"""The one draft validator's rules: types, sizes and shape of a draft the engine accepts.

:func:`shape_problems` checks what every endpoint that takes a draft needs: a track list,
tracks and segments that are objects, each known segment key of :mod:`draft_format` of its
type (a volume between 0 and 1, a speaking rate between 0.25 and 4, ...), a start >= 0 and a
duration > 0 in ms, the size limits below (tracks, segments, text, canvas, one hour), and
something on the timeline. The API answers the first problem (422, code 4003), so a bad draft
is refused with a message that names the limit and what to do, never an "internal error"
minutes later in the renderer. :func:`nemo_jupyter.engine.render.validate_draft` runs these
first and then the renderer's own rules (sources, the canvas it can paint), so the API and the
renderer cannot disagree about a draft.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Iterator
from typing import Any

__all__ = [
    "EMPTY",
    "MAX_CANVAS_PIXELS",
    "MAX_CANVAS_SIDE",
    "MAX_DURATION_MS",
    "MAX_SEGMENTS",
    "MAX_TEXT_CHARS",
    "MAX_TOTAL_TEXT_CHARS",
    "MAX_TRACKS",
    "shape_problems",
]

EMPTY = "Nothing on the timeline yet: describe a video first, then export."
MAX_TRACKS = 50
MAX_SEGMENTS = 2000                 # all tracks together (the planner makes at most 600 a track)
MAX_TEXT_CHARS = 1000               # one title or caption
MAX_TOTAL_TEXT_CHARS = 100_000      # every text segment together
MAX_DURATION_MS = 3_600_000         # one hour
MAX_CANVAS_SIDE = 4096
MAX_CANVAS_PIXELS = 3840 * 2160     # 4K


def _num(v: Any) -> bool:
    return isinstance(v, int | float) and not isinstance(v, bool) and math.isfinite(v)


def _name(limit: int) -> Callable[[Any], bool]:
    return lambda v: isinstance(v, str) and len(v) <= limit


def _ms(low: float, high: float) -> Callable[[Any], bool]:
    return lambda v: _num(v) and low <= v <= high


# key -> (check, what it must be)
_SEGMENT_KEYS: dict[str, tuple[Callable[[Any], bool], str]] = {
    "id": (lambda v: isinstance(v, str | int) and not isinstance(v, bool), "a string"),
    "n": (_name(200), "a string of at most 200 characters"),
    "k": (_name(40), "a kind name such as 'scene' or 'caption'"),
    "src": (_name(2000), "an upload URL or sandbox path (a string)"),
    "ss": (_ms(0, MAX_DURATION_MS), "a number of ms >= 0"),
    "scene": (_name(40), "a scene family name"),
    "el": (lambda v: isinstance(v, list) and len(v) <= 20 and all(isinstance(x, str) for x in v),
           "a list of at most 20 element names"),
    "act": (lambda v: isinstance(v, list) and len(v) <= 20 and all(isinstance(x, dict) for x in v),
            "a list of at most 20 actor objects"),
    "cam": (_name(40), "a camera motion name"),
    "tr": (_name(40), "'fade' or 'cut'"),
    "trd": (_ms(0, 60_000), "a number of ms between 0 and 60000"),
    "v": (_ms(0, 1), "a volume between 0.0 and 1.0"),
    "fi": (_ms(0, MAX_DURATION_MS), "a number of ms >= 0"),
    "fo": (_ms(0, MAX_DURATION_MS), "a number of ms >= 0"),
    "mood": (_name(40), "a mood name"),
    "snd": (_name(40), "an ambient sound name"),
    "txt": (lambda v: isinstance(v, str), "a string"),
    "voice": (_name(80), "a voice name"),
    "rate": (_ms(0.25, 4), "a speaking rate between 0.25 and 4"),
    "pos": (_name(40), "'top', 'center' or 'bottom'"),
    "sz": (_ms(1, 1000), "a text size in px between 1 and 1000"),
    "col": (_name(32), "a colour such as '#ffffff'"),
    "tod": (_name(40), "a time of day: 'dawn', 'day', 'dusk' or 'night'"),
    "wx": (_name(40), "a weather name such as 'rain'"),
    "shot": (_name(40), "a shot: 'wide', 'close' or 'beat'"),
    "anim": (_name(40), "'fade', 'rise' or 'type'"),
    "corner": (_name(40), "'top_left', 'top_right', 'bottom_left' or 'bottom_right'"),
    "w": (lambda v: _num(v) and 0 < v <= 1, "a width between 0 and 1 of the frame's width"),
    "frame": (_name(40), "'phone', 'laptop' or 'hero'"),
}
_ACTOR_NUMBERS = ("x", "y", "h", "z")


def _count(v: Any) -> bool:
    return isinstance(v, int) and not isinstance(v, bool) and 1 <= v <= 1000


def _index(v: Any) -> bool:
    return isinstance(v, int) and not isinstance(v, bool) and 0 <= v < 1000


def _relation(v: Any) -> bool:
    return (isinstance(v, dict) and isinstance(v.get("k"), str) and len(v["k"]) <= 40 and _index(v.get("o"))
            and ("o2" not in v or _index(v["o2"])))


# actor key -> (check, what it must be)
_ACTOR_KEYS: dict[str, tuple[Callable[[Any], bool], str]] = {
    "n": (_count, "a whole number of copies between 1 and 1000"),
    "sc": (_ms(0.05, 10), "a size factor between 0.05 and 10 (1 is the usual size)"),
    "col": (_name(32), "a colour name such as 'blue'"),
    "rel": (_relation, "a relation such as {\"k\": \"under\", \"o\": 1} (the other actor's index)"),
    "id": (_name(40), "an actor id such as 'a1'"),
}


def _segment_problem(sg: dict[str, Any], where: str) -> str | None:
    st: Any = sg.get("st", 0)
    d: Any = sg.get("d")
    if not _num(st) or st < 0:
        return f"{where}: start 'st' must be a number of ms >= 0."
    if not _num(d) or d <= 0:
        return f"{where}: duration 'd' must be a number of ms > 0."
    if st + d > MAX_DURATION_MS:
        return (f"{where} ends at {(st + d) / 1000:.0f} s; a video can be at most {MAX_DURATION_MS // 60_000} "
                "minutes long. Shorten it or split it into several videos.")
    for key, (check, what) in _SEGMENT_KEYS.items():
        if key in sg and sg[key] is not None and not check(sg[key]):
            return f"{where}: '{key}' must be {what}, not {json.dumps(sg[key])[:60]}."
    txt = sg.get("txt")
    if isinstance(txt, str) and len(txt) > MAX_TEXT_CHARS:
        return (f"{where}: the text has {len(txt)} characters; the limit is {MAX_TEXT_CHARS} per text segment. "
                "Shorten it or split it into several segments.")
    for i, actor in enumerate(sg.get("act") or []):
        if not isinstance(actor.get("s", ""), str):
            return f"{where}, actor {i}: 's' must be a subject name (a string)."
        for key in _ACTOR_NUMBERS:
            if key in actor and actor[key] is not None and not (_num(actor[key]) and -1 <= actor[key] <= 2):
                return f"{where}, actor {i}: '{key}' must be a number (0-1 is the frame; -1 to 2 is allowed)."
        for key, (check, what) in _ACTOR_KEYS.items():
            if key in actor and actor[key] is not None and not check(actor[key]):
                return f"{where}, actor {i}: '{key}' must be {what}, not {json.dumps(actor[key])[:60]}."
    return None


def _meta_problem(m: Any) -> str | None:
    if m is None:
        return None
    if not isinstance(m, dict):
        return "The draft's metadata 'm' must be an object like {\"width\": 1920, \"height\": 1080}."
    w, h = m.get("width"), m.get("height")
    for key, v in (("width", w), ("height", h)):
        if v is not None and not (isinstance(v, int) and not isinstance(v, bool) and 16 <= v <= MAX_CANVAS_SIDE):
            return f"The draft's 'm.{key}' must be a whole number of pixels between 16 and {MAX_CANVAS_SIDE}."
    if isinstance(w, int) and isinstance(h, int) and w * h > MAX_CANVAS_PIXELS:
        return (f"The draft's canvas is {w}x{h} = {w * h / 1e6:.1f} Mpx; the limit is "
                f"{MAX_CANVAS_PIXELS / 1e6:.1f} Mpx (4K). Use 1920x1080 or smaller.")
    fps = m.get("fps")
    if fps is not None and not (_num(fps) and 1 <= fps <= 60):
        return "The draft's 'm.fps' must be a number between 1 and 60."
    title = m.get("title")
    if title is not None and not (isinstance(title, str) and len(title) <= 500):
        return "The draft's 'm.title' must be a string of at most 500 characters."
    return None


def _problems(draft: Any) -> Iterator[str]:
    if not isinstance(draft, dict):
        yield "The draft must be a JSON object with tracks under 't'."
        return
    tracks = draft.get("t")
    if not isinstance(tracks, list):
        yield "The draft has no track list 't'."
        return
    if len(tracks) > MAX_TRACKS:
        yield f"The draft has {len(tracks)} tracks; the limit is {MAX_TRACKS}. Merge or remove tracks."
        return
    why = _meta_problem(draft.get("m"))
    if why:
        yield why
    total = draft.get("d")
    if total is not None and (not _num(total) or total <= 0 or total > MAX_DURATION_MS):
        yield f"The draft duration 'd' must be between 1 ms and {MAX_DURATION_MS // 60_000} minutes."
    segments = text_chars = 0
    for i, tr in enumerate(tracks):
        if not isinstance(tr, dict):
            yield f"Track {i} is not an object."
            continue
        tt = tr.get("tt")
        if tt is not None and not (isinstance(tt, int) and not isinstance(tt, bool)):
            yield f"Track {i}: the track type 'tt' must be a whole number (0 video, 1 audio, 7 text)."
        segs = tr.get("sg", [])
        if not isinstance(segs, list):
            yield f"Track {i}: 'sg' must be a list of segments."
            continue
        segments += len(segs)
        if segments > MAX_SEGMENTS:
            yield (f"The draft has more than {MAX_SEGMENTS} segments (the limit for one video): "
                   "merge segments or split the video into several.")
            return
        for j, sg in enumerate(segs):
            if not isinstance(sg, dict):
                yield f"Track {i}, segment {j} is not an object."
                continue
            why = _segment_problem(sg, f"Track {i}, segment {j}")
            if why:
                yield why
            if isinstance(sg.get("txt"), str):
                text_chars += len(sg["txt"])
    if text_chars > MAX_TOTAL_TEXT_CHARS:
        yield (f"The draft's texts have {text_chars} characters together; the limit is {MAX_TOTAL_TEXT_CHARS}. "
               "Shorten the captions or split the video into several.")
    if not segments:
        yield EMPTY


def shape_problems(draft: Any) -> list[str]:
    """What is wrong with ``draft``, most basic first (empty: the engine accepts it).

    An empty timeline is a problem of its own (:data:`EMPTY`), said only when nothing else is wrong.
    """
    problems = list(_problems(draft))
    return [EMPTY] if problems == [EMPTY] else [p for p in problems if p != EMPTY]
