"""What the composition edits share: the scene segments of a draft and their actors by subject."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from nemo_jupyter.draft_format import TRACK_VIDEO

from ..brief import Actor
from ..draftops import _seg_kind, _segments, _tracks, _tt
from .base import EditContext


def scene_acts(ctx: EditContext) -> Iterator[tuple[dict[str, Any], list[dict[str, Any]]]]:
    """Each scene segment of the working draft with its list of actors (a list in the draft)."""
    for track in _tracks(ctx.draft):
        if _tt(track) != TRACK_VIDEO:
            continue
        for seg in _segments(track):
            acts = seg.get("act")
            if _seg_kind(track, seg) == "scene" and isinstance(acts, list):
                yield seg, acts


def entries(ctx: EditContext, actor: Actor) -> list[dict[str, Any]]:
    """The draft's actor entries drawing ``actor``'s subject, in every scene."""
    return [a for _seg, acts in scene_acts(ctx) for a in acts if isinstance(a, dict) and a.get("s") == actor.s]


def named(ctx: EditContext) -> list[Actor]:
    """The brief's actors, once per subject."""
    out: list[Actor] = []
    for a in ctx.brief.actors():
        if a.role != "mentioned" and all(x.s != a.s for x in out):
            out.append(a)
    return out
