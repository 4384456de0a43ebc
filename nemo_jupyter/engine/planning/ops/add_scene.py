""""Add a sunset scene at the end": a 5-second scene at the start or the end."""

from __future__ import annotations

from typing import Any, ClassVar

from nemo_jupyter.draft_format import TRACK_VIDEO

from ..catalogue import seconds, span
from ..common import MAX_MS, _int
from ..compose import actor_dicts
from ..draftops import _fade, _find_track, _seg_kind, _segments, _sg, _tracks, _tt
from ..labels import _subject_label
from ..scenes import setting_keys
from .base import EditContext, EditOp

ADD_MS = 5_000


class AddScene(EditOp):
    name: ClassVar[str] = "add_scene"

    def wants(self, ctx: EditContext) -> bool:
        return bool(ctx.brief.what.scenes and ctx.brief.edit.add_scene)

    def apply(self, ctx: EditContext) -> None:
        draft, total = ctx.draft, ctx.total
        video = _find_track(draft, TRACK_VIDEO, "Video", kinds=("scene", "image", "video"), create=True)
        assert video is not None
        subj = ctx.brief.what.scenes[0]
        at_start = ctx.brief.edit.at_start
        grown = min(MAX_MS, total + ADD_MS)
        add = grown - total
        if add <= 0:
            ctx.note("ed_max_length")
            return
        for track in _tracks(draft):
            for other in _segments(track):
                st, d = _int(other.get("st")), _int(other.get("d"))
                if _tt(track) != TRACK_VIDEO and st == 0 and d >= total and _seg_kind(track, other) in (
                        "music", "audio", "ambient"):
                    other["d"] = d + add
                elif at_start:
                    other["st"] = st + add
        st = 0 if at_start else total
        seg: dict[str, Any] = {"id": ctx.ids.new("scene"), "n": _subject_label(subj, "en").capitalize(), "st": st,
                               "d": add, "k": "scene", "scene": subj.scene, "cam": "zoom_in"}
        if subj.els:
            seg["el"] = list(subj.els)
        seg.update(setting_keys(subj, ctx.brief.setting))
        acts = actor_dicts(subj, relations=ctx.brief.relations)
        if acts:
            seg["act"] = acts
        sg = _sg(video)
        if at_start:
            if sg and isinstance(sg[0], dict):
                sg[0].setdefault("tr", "fade")
                sg[0].setdefault("trd", _fade(_int(sg[0].get("d"))))
            sg.insert(0, seg)
        else:
            seg["tr"], seg["trd"] = "fade", _fade(add)
            sg.append(seg)
        ctx.total = grown
        draft["d"] = grown
        ctx.step(self.name, {"scene": subj.scene, "at": "start" if at_start else "end"},
                 {"id": seg["id"], "duration_s": grown / 1000})
        ctx.say("ed_scene_added_start" if at_start else "ed_scene_added_end", scene=_subject_label(subj, ctx.lang),
                span=span(ctx.lang, st, add), total=seconds(grown, ctx.lang))
