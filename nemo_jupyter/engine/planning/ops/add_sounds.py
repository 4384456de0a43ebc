""""Add rain", "add birds", "add rain sounds": moving elements on the scenes and ambient sound."""

from __future__ import annotations

from typing import Any, ClassVar

from nemo_jupyter.draft_format import AMBIENT, ELEMENTS, TRACK_VIDEO

from ..common import _name
from ..draftops import _find_track, _seg_kind, _segments, _sg
from ..tracks import _ambient_segment, _ambient_track
from ..vocabulary import _ELEMENT_NAMES, _MODIFIER_SCENES, _SOUND_NAMES
from .base import EditContext, EditOp


def _wanted(ctx: EditContext) -> tuple[list[str], list[str]]:
    what = ctx.brief.what
    sounds = list(dict.fromkeys(ctx.brief.audio.global_sounds + [s for subj in what.scenes for s in subj.sounds]))
    els: list[str] = []
    for subj in what.scenes:
        if subj.scene in _MODIFIER_SCENES and not any(s.scene not in _MODIFIER_SCENES for s in what.scenes):
            els.append(_MODIFIER_SCENES[subj.scene])
        els.extend(subj.els)
    els = list(dict.fromkeys(e for e in els if e in ELEMENTS))
    if sounds and ctx.brief.edit.sound_word:
        els = []  # "add rain sounds": the sound only
    return sounds, els


class AddSounds(EditOp):
    name: ClassVar[str] = "add_ambient"

    def wants(self, ctx: EditContext) -> bool:
        sounds, els = _wanted(ctx)
        adding = ctx.brief.edit.add_word and not ctx.stepped("plan_scenes", "add_scene", "swap_scene")
        return adding and bool(sounds or els) and ctx.total > 0

    def apply(self, ctx: EditContext) -> None:
        sounds, els = _wanted(ctx)
        video = _find_track(ctx.draft, TRACK_VIDEO, "Video")
        n_el = 0
        if video and els:
            for seg in _segments(video):
                if _seg_kind(video, seg) != "scene":
                    continue
                old_els: list[Any] = seg["el"] if isinstance(seg.get("el"), list) else []
                new_els = old_els + [e for e in els if e not in old_els]
                if new_els != old_els:
                    seg["el"] = new_els
                    n_el += 1
            if n_el:
                ctx.step("add_elements", {"elements": els}, {"segments": n_el})
                names = [_name(_ELEMENT_NAMES, e, ctx.lang) for e in els]
                ctx.say(f"added {' and '.join(names)} to {n_el} scene(s)", f"给{n_el}个场景加上了{'、'.join(names)}")
        for snd in sounds:
            if snd not in AMBIENT:
                continue
            track = _ambient_track(ctx.draft, snd)
            if _segments(track):
                ctx.say(f"the {_name(_SOUND_NAMES, snd, 'en')} sound was already there",
                        f"{_name(_SOUND_NAMES, snd, 'zh')}本来就有")
                continue
            seg = _ambient_segment(ctx.ids, snd, 0, ctx.total)
            _sg(track).append(seg)
            ctx.step(self.name, {"sound": snd, "start_s": 0, "end_s": ctx.total / 1000}, {"id": seg["id"]})
            ctx.say(f"added {_name(_SOUND_NAMES, snd, 'en')} sound", f"加上了{_name(_SOUND_NAMES, snd, 'zh')}")
