"""What an edit asks of the current video, read once from the prompt's words (``Brief.edit``).

The edit operations (``ops/``) read these flags instead of the prompt: "add a fox to the forest
scene" (``adding``, ``into_scenes``), "add a sunset scene at the start" (``add_scene``, ``at_start``),
"remove the title", "change the title to ...", "captions from my script", "replace the scenes",
"change the forest to a desert" (``swap``), "more music", "the volume" ... Cue words in English and
Chinese (the other languages' edits are read through their grammar words where the brief has them).
"""

from __future__ import annotations

import re

from ..brief import EditAsk
from ..cues import (
    _ADD_SCENE,
    _ADD_WORD,
    _AT_START_WORD,
    _CAPTIONS_FROM_SCRIPT,
    _REMOVE_CAPTIONS,
    _REMOVE_TITLE,
    _REPLACE_SCENES,
    _SWAP,
)

_ADDING = re.compile(r"^\s*(?:please\s+|now\s+|and\s+|also\s+)*(?:add|put|include|insert|place|bring|give\s+it)(?![a-z])|"
                     r"^\s*(?:加上|添加|加|放)")
_INTO = re.compile(r"(?<![a-z])(?:to|in|into|on)\s+(?:the|every|each|all|both)(?![a-z])|(?:到|在).{0,8}(?:场景|画面)")
_SOUND_WORD = re.compile(r"(?<![a-z])(?:sounds?|noise|audio|ambience)(?![a-z])|声")
_CHANGE_TITLE = re.compile(r"(?:change|rename|set|update|make|replace)\s+(?:the\s+)?(?:title|heading)|"
                           r"(?:title|heading)\s+(?:to|should be|as)|标题(?:改|换)|(?:改|换)标题")
_SCENE_WORD = re.compile(r"(?<![a-z])(?:scenes?|parts?|shots?|sections?|bits?)(?![a-z])|场景|部分|镜头|那段|段")
_MORE = re.compile(r"(?<![a-z])more\s|一点|一些|点儿")
_SET_TO = re.compile(r"(?<![a-z])(?:change|switch|set|make)(?![a-z]).{0,30}(?<![a-z])(?:to|it)(?![a-z])")
_ABOUT_VOLUME = re.compile(r"volume|音量|声音")


def read_edit(norm: str) -> EditAsk:
    """The edit cues of a normalised prompt."""
    return EditAsk(
        adding=bool(_ADDING.search(norm)), into_scenes=bool(_INTO.search(norm)),
        add_scene=bool(_ADD_SCENE.search(norm)), at_start=bool(_AT_START_WORD.search(norm)),
        add_word=bool(_ADD_WORD.search(norm)), sound_word=bool(_SOUND_WORD.search(norm)),
        change_title=bool(_CHANGE_TITLE.search(norm)), remove_title=bool(_REMOVE_TITLE.search(norm)),
        remove_captions=bool(_REMOVE_CAPTIONS.search(norm)),
        captions_from_script=bool(_CAPTIONS_FROM_SCRIPT.search(norm)),
        replace_scenes=bool(_REPLACE_SCENES.search(norm)), scene_word=bool(_SCENE_WORD.search(norm)),
        swap=bool(_SWAP.search(norm)), more=bool(_MORE.search(norm)), set_to=bool(_SET_TO.search(norm)),
        about_volume=bool(_ABOUT_VOLUME.search(norm)), words=len(norm.split()))
