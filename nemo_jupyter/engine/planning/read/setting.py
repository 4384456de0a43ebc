"""Where and when: the place of each scene, the time of day, the weather and the season.

A time, weather or season word belongs to the scene whose clause holds it; said outside every
scene's clause ("..., all at night"), it is said of the whole video (``Brief.setting``) and every
scene takes it. A weather word with a sound word ("rain sounds", "the sound of rain", "雨の音") is a
sound, not the weather.
Backgrounds that are themselves a time or a weather (``sunset``, ``night_sky``, ``rain``, ``snow``,
``storm``) say that time or weather, and name a place only when nothing else does.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from itertools import pairwise

from ..brief import Brief, Scene, Setting
from .grammar import Tag

#: backgrounds that say a time or a weather rather than a place
TIME_SCENES = {"sunset": ("time", "dusk"), "night_sky": ("time", "night"), "aurora": ("time", "night"),
               "rain": ("weather", "rain"), "snow": ("weather", "snow"), "storm": ("weather", "storm")}
_FACETS = {"time": "time", "timeev": "time", "weather": "weather", "season": "season"}
_SOUND_GAP = 16


#: what may stand between a sound word and its weather ("the sound *of the* rain", "el sonido *de la* lluvia")
_OF = re.compile(r"\s*(?:of|of the|de|de la|del|de los|du|de l'|des|von|vom|der|des|da|do|das|della|del|dei|"
                 r"della|dello|degli|delle|di)?\s*$")


def _a_sound(t: Tag, sounds: Sequence[Tag], norm: str) -> bool:
    """A weather word that names a sound: "rain sounds", "雨の音", or after a sound word, "the sound of rain"."""
    return any(0 <= s.start - t.end <= _SOUND_GAP for s in sounds) or any(
        0 <= t.start - s.end <= _SOUND_GAP and _OF.match(norm[s.end:t.start]) for s in sounds)


def _owner(scenes: Sequence[Scene], pos: int) -> Scene | None:
    inside = [s for s in scenes if min(s.pos, s.begin if s.begin >= 0 else s.pos) <= pos
              < (s.end if s.end > s.pos else s.pos + 1)]
    return inside[-1] if inside else None


def read_setting(brief: Brief, tags: Sequence[Tag], norm: str,
                 scene_words: Sequence[tuple[int, int]] = ()) -> None:
    """Fill ``brief.setting`` and each scene's ``setting`` from ``tags`` of the normalised prompt
    (``scene_words``: the spans of its background words)."""
    scenes = brief.what.scenes
    sounds = [t for t in tags if t.cat == "sound"]
    heard = {id(t) for t in tags if t.cat == "weather" and _a_sound(t, sounds, norm)}
    said_spans = [(t.start, t.end) for t in tags if t.cat in ("time", "weather") and id(t) not in heard]
    actor_spans = [(a.start, a.end) for s in scenes for a in s.actors if a.start >= 0]
    inside_list = brief.what.list_span or (-1, -1)
    for t in tags:
        facet = _FACETS.get(t.cat)
        place = t.cat == "place"
        if facet is None and not place:
            continue
        if inside_list[0] <= t.start < inside_list[1]:
            continue  # "reuse the rain water": an item's words, not the video's weather
        if t.cat != "timeev" and any(a <= t.start < b for a, b in actor_spans):
            continue  # "snowman", "night owl": part of a subject's name (but "해가 뜨는": the sun, at dawn)
        if id(t) in heard:
            continue  # "rain sounds", "the sound of rain": a sound, not the weather
        owner = _owner(scenes, t.start)
        target: Setting = owner.setting if owner is not None else brief.setting
        if place and any(0 <= a - t.end <= 1 for a, _b in scene_words):
            continue  # "a restaurant kitchen": the kitchen is the place
        if place:
            if target.place is None:
                target.place = str(t.value)
                target.said["place"] = t.text.strip()
            continue
        assert facet is not None
        if getattr(target, facet) is None:
            setattr(target, facet, str(t.value))
            target.said[facet] = t.text.strip()
    for scene in scenes:
        inherent = TIME_SCENES.get(scene.scene)
        said = inherent if any(a <= scene.pos < b for a, b in said_spans) else None
        # ("a Christmas video" is a snowy picture, but no one said snow)
        if said and getattr(scene.setting, said[0]) is None and getattr(brief.setting, said[0]) is None:
            setattr(scene.setting, said[0], said[1])
        if scene.setting.place is None and inherent is None and scene.named_scene and scene.scene not in (
                "abstract", "product"):
            scene.setting.place = scene.scene
        for facet in ("time", "weather", "season"):
            if getattr(scene.setting, facet) is None and getattr(brief.setting, facet) is not None:
                setattr(scene.setting, facet, getattr(brief.setting, facet))
                if facet in brief.setting.said:
                    scene.setting.said[facet] = brief.setting.said[facet]
    for prev, scene in pairwise(scenes):  # "a city at night, neon lights": one city, still at night
        if scene.scene == prev.scene and not scene.actors:
            for facet in ("time", "weather"):
                if getattr(scene.setting, facet) is None and getattr(prev.setting, facet) is not None:
                    setattr(scene.setting, facet, getattr(prev.setting, facet))
    if len(scenes) == 1 and brief.setting.place is None:
        brief.setting.place = scenes[0].setting.place
        if "place" in scenes[0].setting.said:
            brief.setting.said["place"] = scenes[0].setting.said["place"]
