"""The edit operations, in the order they run.

``SCENE_OPS``: at most one runs, the first whose ``wants`` is true (they all rewrite the video
track). ``OPS``: each runs when it wants to, in this order. A new operation is a module in
this folder with one :class:`~.base.EditOp` subclass, added to one of these tuples.
"""

from __future__ import annotations

from .add_actors import AddActors
from .add_scene import AddScene
from .add_sounds import AddSounds
from .add_text import AddText
from .base import EditOp
from .caption_list import CaptionList
from .duration import EditDuration
from .narrate import Narrate
from .place_logo import PlaceLogo
from .recompose import Recompose
from .remove_elements import RemoveElements
from .remove_music import RemoveMusic
from .remove_text import RemoveCaptions, RemoveTitle
from .replace_scenes import ReplaceScenes
from .resize_scene import ResizeScene
from .script_captions import ScriptCaptions
from .set_format import SetFormat
from .set_music import SetMusic
from .set_volume import SetVolume
from .swap_actor import SwapActor
from .swap_scene import SwapScene
from .use_uploads import UseUploads

SCENE_OPS: tuple[EditOp, ...] = (CaptionList(), SwapActor(), SwapScene(), UseUploads(), Recompose(), AddActors(),
                                 AddScene(), ResizeScene(), ReplaceScenes())
OPS: tuple[EditOp, ...] = (
    EditDuration(), SetFormat(), RemoveMusic(), SetMusic(), AddSounds(), RemoveElements(),
    RemoveTitle(), RemoveCaptions(), AddText(), ScriptCaptions(), Narrate(), PlaceLogo(),
    SetVolume(),  # last: its reply says how the music sits among the sounds the others left
)
