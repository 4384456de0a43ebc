"""Edits of the current draft: the operations of :mod:`.ops` run on a copy; ids and unknown keys are kept."""

from __future__ import annotations

import copy
from typing import Any

from .brief import Brief
from .catalogue import lang_of, sentences
from .common import Plan
from .draftops import _duration_of, _Ids
from .messages import _edit_reply, _finish_reply, _not_understood
from .ops.base import EditContext
from .ops.registry import OPS, SCENE_OPS
from .ops.replace_scenes import ReplaceScenes
from .ops.resize_scene import ResizeScene


def _edit(brief: Brief, draft_in: dict[str, Any], assets: list[dict[str, Any]], language: str) -> Plan:
    draft = copy.deepcopy(draft_in)
    ctx = EditContext(brief=brief, draft=draft, assets=assets, lang=lang_of(language), ids=_Ids(draft),
                      total=_duration_of(draft))
    ctx.resize_scene = ResizeScene.asked(ctx)
    for op in SCENE_OPS:
        if op.wants(ctx):
            op.apply(ctx)
            break
    for op in OPS:
        if op.wants(ctx):
            op.apply(ctx)

    if not ctx.steps and not ctx.done and brief.what.scenes and not brief.what.removed_words and ctx.total > 0:
        # Only subjects ("sunset over the sea"): new scenes, the rest of the video kept.
        ReplaceScenes().apply(ctx)
    if not ctx.steps and ctx.done:
        # Understood, but nothing to change ("make it 30 seconds" when it already is).
        return Plan(draft=None, reply=_finish_reply(_edit_reply(ctx.done, ctx.lang), ctx.notes, brief, ctx.lang),
                    steps=[], understood=True, language=language)
    if not ctx.steps:
        refusal = _not_understood(brief, language, has_draft=True)
        if ctx.notes:
            refusal.reply = sentences(language, ctx.notes)
        return refusal
    reply = _finish_reply(_edit_reply(ctx.done, ctx.lang), ctx.notes, brief, ctx.lang)
    return Plan(draft=draft, reply=reply, steps=ctx.steps, understood=True, language=language)
