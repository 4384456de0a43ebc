""""Louder music", "set the music to 50%", "the music is too loud"."""

from __future__ import annotations

from typing import ClassVar

from ..common import ASKED_MUSIC_V, _float
from .base import EditContext, EditOp
from .remove_music import music_segments


def _ambient_named(ctx: EditContext) -> bool:
    return bool(ctx.brief.audio.global_sounds or any(s.sounds for s in ctx.brief.what.scenes))


class SetVolume(EditOp):
    name: ClassVar[str] = "set_volume"

    def _about_music(self, ctx: EditContext) -> bool:
        return ctx.brief.audio.music_asked or ctx.brief.edit.about_volume

    def _target(self, ctx: EditContext) -> float | None:
        audio = ctx.brief.audio
        if audio.volume is not None and (self._about_music(ctx) or not ctx.brief.texts):
            return audio.volume
        return None

    def wants(self, ctx: EditContext) -> bool:
        audio = ctx.brief.audio
        if audio.no_music:
            return False
        target = self._target(ctx)
        if not music_segments(ctx.draft):
            if (target is not None or audio.louder or audio.quieter) and self._about_music(ctx):
                ctx.notes.append("现在没有音乐；说“加上轻柔的音乐”可以添加。" if ctx.zh else
                                 "There is no music to change; say \"add soft music\" to add some.")
            return False
        return target is not None or ((audio.louder or audio.quieter)
                                      and (self._about_music(ctx) or not _ambient_named(ctx)))

    def apply(self, ctx: EditContext) -> None:
        audio = ctx.brief.audio
        musics = music_segments(ctx.draft)
        target = self._target(ctx)
        for _track, seg in musics:
            old = _float(seg.get("v"), ASKED_MUSIC_V)
            new = target if target is not None else old + (0.2 if audio.louder and not audio.quieter else -0.2)
            seg["v"] = round(max(0.0, min(1.0, new)), 2)
        level = round(_float(musics[0][1].get("v"), 0) * 100)
        ctx.step(self.name, {"target": "music", "volume": level / 100}, {"ids": [s.get("id") for _t, s in musics]})
        ctx.say(f"set the music volume to {level}%", f"把音乐音量调到{level}%")
