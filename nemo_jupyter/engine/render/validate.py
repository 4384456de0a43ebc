"""The shape of a draft the engine accepts: the first half of the one draft validator.

:func:`shape_problems` checks what every endpoint that takes a draft needs (a track list,
segments with a start >= 0 and a duration > 0 in ms, a total under an hour, something on the
timeline). :func:`nemo_jupyter.engine.render.validate_draft` runs these first and then the
renderer's own rules (sizes, sources, text), so the API and the renderer cannot disagree about
a draft's shape. The API answers the first problem (4003).
"""

from __future__ import annotations

from typing import Any

__all__ = ["EMPTY", "shape_problems"]

EMPTY = "Nothing on the timeline yet: describe a video first, then export."
MAX_MS = 3_600_000


def shape_problems(draft: Any) -> list[str]:
    """What is wrong with the outer shape of ``draft``, in order (empty: the shape is fine)."""
    if not isinstance(draft, dict):
        return ["The draft must be a JSON object with tracks under 't'."]
    tracks = draft.get("t")
    if not isinstance(tracks, list):
        return ["The draft has no track list 't'."]
    problems: list[str] = []
    any_segment = False
    for i, tr in enumerate(tracks):
        if not isinstance(tr, dict):
            problems.append(f"Track {i} is not an object.")
            continue
        segs = tr.get("sg", [])
        if not isinstance(segs, list):
            problems.append(f"Track {i}: 'sg' must be a list of segments.")
            continue
        for j, sg in enumerate(segs):
            if not isinstance(sg, dict):
                problems.append(f"Track {i}, segment {j} is not an object.")
                continue
            st, d = sg.get("st", 0), sg.get("d")
            if not isinstance(st, int | float) or isinstance(st, bool) or st < 0:
                problems.append(f"Track {i}, segment {j}: start 'st' must be a number of ms >= 0.")
            elif not isinstance(d, int | float) or isinstance(d, bool) or d <= 0:
                problems.append(f"Track {i}, segment {j}: duration 'd' must be a number of ms > 0.")
            any_segment = True
    if not problems and not any_segment:
        problems.append(EMPTY)
    total = draft.get("d")
    if not problems and total is not None and (not isinstance(total, int | float) or total <= 0 or total > MAX_MS):
        problems.append("The draft duration 'd' must be between 1 ms and 1 hour.")
    return problems
