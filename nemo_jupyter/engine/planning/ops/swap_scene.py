""""Change the forest to a desert": one scene family swapped for another, ids kept."""

from __future__ import annotations

from typing import ClassVar

from nemo_jupyter.draft_format import TRACK_VIDEO

from ..compose import actor_dicts
from ..draftops import _segments, _tracks, _tt
from ..labels import _subject_label
from .base import EditContext, EditOp


def present_scenes(ctx: EditContext) -> set[str]:
    return {str(s.get("scene")) for t in _tracks(ctx.draft) if _tt(t) == TRACK_VIDEO for s in _segments(t)}


class SwapScene(EditOp):
    name: ClassVar[str] = "swap_scene"

    def wants(self, ctx: EditContext) -> bool:
        subjects = ctx.brief.what.scenes
        return bool(len(subjects) >= 2 and subjects[0].scene in present_scenes(ctx)
                    and subjects[1].scene != subjects[0].scene and ctx.brief.edit.swap)

    def apply(self, ctx: EditContext) -> None:
        src_subj, dst_subj = ctx.brief.what.scenes[0], ctx.brief.what.scenes[1]
        changed_ids = []
        for track in _tracks(ctx.draft):
            if _tt(track) != TRACK_VIDEO:
                continue
            for seg in _segments(track):
                if seg.get("scene") == src_subj.scene:
                    seg["scene"] = dst_subj.scene
                    seg["n"] = _subject_label(dst_subj, "en").capitalize()
                    if dst_subj.els:
                        seg["el"] = list(dst_subj.els)
                    else:
                        seg.pop("el", None)
                    acts = actor_dicts(dst_subj)
                    if acts:  # "change the park to a beach": the dog stays; "... to a whale": the whale
                        seg["act"] = acts
                    changed_ids.append(seg.get("id"))
        ctx.step(self.name, {"from": src_subj.scene, "to": dst_subj.scene}, {"ids": changed_ids[:50]})
        ctx.say(f"changed {len(changed_ids)} {_subject_label(src_subj, 'en')} scene(s) to "
                f"{_subject_label(dst_subj, 'en')}",
                f"把{len(changed_ids)}个{_subject_label(src_subj, 'zh')}场景换成了{_subject_label(dst_subj, 'zh')}")
