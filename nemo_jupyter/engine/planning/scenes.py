"""Scene segments for the subjects of a prompt: background family, time of day and weather,
elements, camera, shot and actors.

Successive segments of one subject move the story instead of repeating one picture: a wide shot,
then a close-up on its actors, then the action's beat (the scene seen from the other side, later
in its motion), and around again (``shot``: see :mod:`nemo_jupyter.draft_format`).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

from nemo_jupyter.draft_format import SCENES, SHOTS, TIMES_OF_DAY, WEATHER

from .brief import Relation, Scene, Setting
from .compose import actor_dicts
from .draftops import _boundaries, _fade, _Ids
from .labels import _subject_label
from .vocabulary import _CAM_CYCLE, _VARIETY

MAX_SEGMENTS = 600  # a 10-minute video in 1-second pieces

_Spans = list[tuple[Scene, int, int]]




def setting_keys(subj: Scene, setting: Setting | None = None) -> dict[str, str]:
    """The ``tod`` and ``wx`` of a scene segment: its own setting's time and weather, else those said
    of the whole video."""
    out: dict[str, str] = {}
    for key, facet, allowed in (("tod", "time", TIMES_OF_DAY), ("wx", "weather", WEATHER)):
        value = getattr(subj.setting, facet) or (getattr(setting, facet) if setting is not None else None)
        if isinstance(value, str) and value in allowed:
            out[key] = value
    return out


def _plan_scene_segments(subjects: list[Scene], total: int, ids: _Ids, lang: str, *,
                         hero: bool = False, relations: Sequence[Relation] = (),
                         setting: Setting | None = None) -> tuple[list[dict[str, Any]], _Spans, int, list[str]]:
    """Scene segments for ``subjects`` over ``total`` ms (``relations``: the brief's, drawn between the
    actors of a scene; ``setting``: the time and weather said of the whole video).

    Also returns each subject's span, how many subjects did not fit, and each
    segment's label in ``lang`` for the reply.
    """
    n = max(1, int(total / 7_500 + 0.5))
    n = max(n, math.ceil(total / 10_000))
    dropped = 0
    if len(subjects) > n:
        fit = max(1, min(len(subjects), total // 2_000, MAX_SEGMENTS))
        dropped = len(subjects) - fit
        subjects = subjects[:fit]
        n = max(n, fit)
    n = min(n, max(1, total // 1_000), MAX_SEGMENTS)  # odd drafts with huge lengths stay bounded
    k = len(subjects)
    counts = [n // k + (1 if i < n % k else 0) for i in range(k)]
    bounds = _boundaries(total, n)
    segs: list[dict[str, Any]] = []
    labels: list[str] = []
    spans: _Spans = []
    i = 0
    offset = SCENES.index(subjects[0].scene) if subjects[0].scene in SCENES else 0
    for subj, count in zip(subjects, counts, strict=True):
        span_start = bounds[i]
        for j in range(count):
            st, end = bounds[i], bounds[i + 1]
            els = list(subj.els)
            variety = _VARIETY.get(subj.scene)
            if j % 2 == 1 and variety and variety not in els and variety != subj.scene:
                els.append(variety)
            cam = "still" if subj.scene == "product" and j % 2 == 1 else _CAM_CYCLE[(offset + i) % len(_CAM_CYCLE)]
            seg: dict[str, Any] = {"id": ids.new("scene"), "n": _subject_label(subj, "en", els).capitalize(),
                                   "st": st, "d": end - st, "k": "scene", "scene": subj.scene, "cam": cam}
            seg.update(setting_keys(subj, setting))
            if els:
                seg["el"] = els
            acts = actor_dicts(subj, hero=hero, relations=relations)
            if acts:
                seg["act"] = acts
            if count > 1 and subj.scene != "product":
                seg["shot"] = SHOTS[j % len(SHOTS)]
            if i > 0 and "shot" in seg and j > 0:
                seg["tr"] = "cut"  # another shot of the same scene: a cut, as a film cuts to a close-up
            elif i > 0:
                seg["tr"] = "fade"
                seg["trd"] = _fade(end - st)
            segs.append(seg)
            labels.append(_subject_label(subj, lang, els))
            i += 1
        spans.append((subj, span_start, bounds[i]))
    return segs, spans, dropped, labels

