""""Add captions for hello, world and bye" on a video that exists: one caption per scene span."""

from __future__ import annotations

from typing import ClassVar

from nemo_jupyter.draft_format import TRACK_TEXT, TRACK_VIDEO

from ..catalogue import join, quote
from ..draftops import _boundaries, _find_track, _segments, _sg, _tracks, _tt
from .base import EditContext, EditOp


class CaptionList(EditOp):
    name: ClassVar[str] = "add_captions"

    def wants(self, ctx: EditContext) -> bool:
        return bool(ctx.brief.what.captions_for) and ctx.total > 0

    def apply(self, ctx: EditContext) -> None:
        items = ctx.brief.what.captions_for
        video = [s for t in _tracks(ctx.draft) if _tt(t) == TRACK_VIDEO for s in _segments(t)]
        starts = sorted({int(s.get("st", 0)) for s in video if isinstance(s.get("st"), int)})
        # One caption over each scene when the counts match, else spread evenly over the video.
        bounds = [*starts, ctx.total] if len(starts) == len(items) else _boundaries(ctx.total, len(items))
        track = _find_track(ctx.draft, TRACK_TEXT, "Captions", kinds=("caption",), create=True)
        assert track is not None
        for seg in _segments(track):
            ctx.ids.used.discard(str(seg.get("id")))
        track["sg"] = []
        for text, st, end in zip(items, bounds, bounds[1:], strict=False):
            if end > st:
                _sg(track).append({"id": ctx.ids.new("caption"), "n": text[:30], "st": st, "d": end - st,
                                   "k": "caption", "txt": text, "pos": "bottom", "sz": 54, "col": "#ffffff"})
        ctx.step(self.name, {"captions": items[:12]}, {"segments": len(_sg(track))})
        ctx.say("ed_captions_added", texts=join(ctx.lang, [quote(ctx.lang, t) for t in items]))
