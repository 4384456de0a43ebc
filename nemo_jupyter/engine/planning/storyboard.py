"""What a new draft's scenes say and show beyond the backgrounds: captions per scene, one scene
per script sentence, the video's title, and honest notes about what could not be drawn."""

from __future__ import annotations

import re
from typing import Any

from .brief import Brief, Scene
from .draftops import _fade, _Ids
from .labels import _subject_label, actor_name
from .scenes import _Spans
from .topics import mood as topic_mood
from .topics import title as topic_title
from .vocabulary import _CAM_CYCLE

_PRODUCT_TOPICS = ("product_launch", "unboxing")


def product_prompt(brief: Brief) -> bool:
    """An ad, launch, promo or unboxing: its product is shown as a hero shot."""
    what = brief.what
    return what.weak_subject or any(t in _PRODUCT_TOPICS for t in what.topics) or any(
        s.scene == "product" for s in what.scenes)


def scene_captions(spans: _Spans, ids: _Ids, anim: str = "fade") -> list[dict[str, Any]]:
    """A caption over each scene that has one ("Evaporation" over the evaporation scene)."""
    out = []
    for subj, st, end in spans:
        if subj.caption and end > st:
            out.append({"id": ids.new("caption"), "n": subj.caption[:30], "st": st, "d": end - st, "k": "caption",
                        "txt": subj.caption, "pos": "bottom", "sz": 54, "col": "#ffffff", "anim": anim})
    return out


def script_scenes(captions: list[dict[str, Any]], fallback: list[Scene], lang: str, ids: _Ids,
                  analyse: Any, *, hero: bool = False) -> tuple[list[dict[str, Any]], list[Scene]]:
    """One scene per caption sentence, drawing what that sentence names.

    ``analyse(text)`` gives a sentence's subjects. A sentence naming nothing drawable keeps the
    scene before it (or the prompt's subjects, in turn). Linear in the number of sentences.
    """
    from .compose import actor_dicts

    segs: list[dict[str, Any]] = []
    used: list[Scene] = []
    prev: Scene | None = None
    for i, cap in enumerate(captions):
        found = analyse(str(cap.get("txt", "")))
        subj = found[0] if found else (prev or (fallback[i % len(fallback)] if fallback else None))
        if subj is None:
            subj = Scene(scene="abstract", els=[], sounds=[], label_terms=[], pos=0)
        if found and len(found) > 1:  # several scenes named in one sentence: their actors share the first
            for other in found[1:]:
                for a in other.actors:
                    if len(subj.actors) < 6 and all(x.s != a.s for x in subj.actors):
                        subj.actors.append(a)
        prev = subj
        used.append(subj)
        st, d = int(cap["st"]), int(cap["d"])
        seg: dict[str, Any] = {"id": ids.new("scene"), "n": _subject_label(subj, "en").capitalize()[:80], "st": st,
                               "d": d, "k": "scene", "scene": subj.scene, "cam": _CAM_CYCLE[i % len(_CAM_CYCLE)]}
        if subj.els:
            seg["el"] = list(subj.els)
        acts = actor_dicts(subj, hero=hero)
        if acts:
            seg["act"] = acts
        if i > 0:
            seg["tr"], seg["trd"] = "fade", _fade(d)
        segs.append(seg)
    return segs, used


def video_title(brief: Brief, spans: _Spans, lang: str) -> str | None:
    """A topic's title, or the main subject's name when the background was only chosen for it (an ad's
    theme has none: its title would be a stock caption, "Introducing")."""
    for t in brief.what.topics:
        if t in _PRODUCT_TOPICS:
            continue
        got = topic_title(t, lang if lang in ("zh",) else "en")
        if got:
            return got
    if spans and not spans[0][0].named_scene and spans[0][0].actors:
        name = actor_name(spans[0][0].actors[0], lang)
        return name if lang == "zh" else name[:1].upper() + name[1:]
    return None


def video_mood(brief: Brief) -> str | None:
    for t in brief.what.topics:
        got = topic_mood(t)
        if got:
            return got
    return None


_ABOUT = re.compile(r"(?<![a-z])(?:of|about|on|showing|featuring|explaining)\s+(?:an?\s+|the\s+|some\s+|my\s+|our\s+)?"
                    r"(?P<what>[a-z][a-z' -]{2,40}?)(?=\s*(?:[,.;!?]|$)|\s+(?:with|and|for|in|at|then|that|which)(?![a-z]))")


def unnamed_subject(norm: str) -> str | None:
    """What a prompt is about when nothing in it can be drawn ("quantum computing"), if it says."""
    m = _ABOUT.search(norm)
    return m.group("what").strip() if m else None

