""""No music", "mute": the background music (and with "mute", every sound) removed."""

from __future__ import annotations

from typing import Any, ClassVar

from nemo_jupyter.draft_format import TRACK_AUDIO

from ..draftops import _drop_empty_tracks, _seg_kind, _segments, _sg, _tracks, _tt
from .base import EditContext, EditOp


def music_segments(draft: dict[str, Any]) -> list[tuple[dict[str, Any], dict[str, Any]]]:
    """(track, segment) of every background-music segment (synthesised or uploaded)."""
    out = []
    for track in _tracks(draft):
        if _tt(track) != TRACK_AUDIO:
            continue
        for seg in _segments(track):
            if _seg_kind(track, seg) in ("music", "audio"):
                out.append((track, seg))
    return out


class RemoveMusic(EditOp):
    name: ClassVar[str] = "set_music"

    def wants(self, ctx: EditContext) -> bool:
        return ctx.brief.audio.no_music

    def apply(self, ctx: EditContext) -> None:
        removed = 0
        for track, seg in music_segments(ctx.draft):
            _sg(track).remove(seg)
            removed += 1
        silent = ctx.brief.audio.silent
        if silent:
            for track in _tracks(ctx.draft):
                if _tt(track) == TRACK_AUDIO:
                    for seg in list(_segments(track)):
                        _sg(track).remove(seg)
                        removed += 1
        _drop_empty_tracks(ctx.draft, (TRACK_AUDIO,))
        ctx.step(self.name, {"mood": "none"}, {"removed": removed})
        if removed:
            ctx.say("ed_music_sounds_removed" if silent else "ed_music_removed")
        else:
            ctx.say("ed_no_music_to_remove")
