""""Make it about the ocean instead": new scenes over the same length, the other tracks kept."""

from __future__ import annotations

from typing import ClassVar

from nemo_jupyter.draft_format import TRACK_VIDEO

from ..catalogue import join
from ..draftops import _find_track, _segments
from ..labels import _subject_label
from ..scenes import _plan_scene_segments
from .base import EditContext, EditOp


class ReplaceScenes(EditOp):
    name: ClassVar[str] = "plan_scenes"

    def wants(self, ctx: EditContext) -> bool:
        return bool(ctx.brief.what.scenes and (ctx.brief.edit.replace_scenes or ctx.brief.req.generation))

    def apply(self, ctx: EditContext) -> None:
        subjects = ctx.brief.what.scenes
        video = _find_track(ctx.draft, TRACK_VIDEO, "Video", kinds=("scene", "image", "video"), create=True)
        assert video is not None
        for seg in _segments(video):
            ctx.ids.used.discard(str(seg.get("id")))
        segs, spans, _dropped, _labels = _plan_scene_segments(subjects, ctx.total, ctx.ids, ctx.lang,
                                                              relations=ctx.brief.relations,
                                                              setting=ctx.brief.setting)
        video["sg"] = segs
        ctx.step(self.name, {"subjects": [_subject_label(s, "en") for s in subjects][:20],
                             "duration_s": ctx.total / 1000},
                 {"scenes": len(segs), "segments": [s["id"] for s in segs][:50]})
        words = [_subject_label(s, ctx.lang) for s, _a, _b in spans]
        ctx.say("ed_scenes_replaced", names=join(ctx.lang, words), scenes=ctx.scenes(len(segs)))
