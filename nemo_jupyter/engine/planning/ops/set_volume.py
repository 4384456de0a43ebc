""""Louder music", "set the music to 50%", "the music is too loud": the music turned, and the reply
saying what the ear gets, under the leveller that sets every video to its loudness target.

What a volume means there is written once, in ``render/sound/loudness.py``: a sound's ``v`` is a
gain against its kind's default, and the whole never plays louder than the target. So:

* "quieter" halves the music (6 dB down); "louder" doubles it (6 dB up, at most 100%);
* music that is the video's only sound plays at the target from its default up: "quieter" starts
  from the level it plays at (a 70% that plays as 35% goes to 18%, not 35%), "louder" stops at the
  default and, already there, changes nothing: the reply says the video already plays at the
  loudness set for where it goes (louder would only be turned down again);
* music beside other sounds (a voice, ambient sounds, a clip's sound) changes its balance with
  them, which keep their level unless the sounds together would pass the target.

The reply says the figure the ear gets (the whole video's dB and LUFS when that follows from the
draft, else the music's dB against the other sounds); the ask is accounted for as an item of the
brief (``volume:up`` / ``volume:down`` / ``volume:<percent>``): done, done differently or not done.
"""

from __future__ import annotations

import math
from typing import Any, ClassVar

from nemo_jupyter import draft_format as F

from ...render.sound import loudness as L
from ..brief import Outcome
from ..catalogue import join, say
from .base import EditContext, EditOp
from .remove_music import music_segments

#: "louder" / "quieter": twice / half the amplitude
STEP_DB = 6.0
_STEP = 10 ** (STEP_DB / 20)


def _ambient_named(ctx: EditContext) -> bool:
    return bool(ctx.brief.audio.global_sounds or any(s.sounds for s in ctx.brief.what.scenes))


def _pct(v: float) -> int:
    return round(v * 100)


def _db(delta: float) -> int:
    return max(1, round(abs(delta)))


def _lufs(x: float) -> str:
    return f"{x:.0f}"


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
        audio, lang = ctx.brief.audio, ctx.brief.language
        musics = [seg for _track, seg in music_segments(ctx.draft)]
        target = self._target(ctx)
        up = target is None and audio.louder and not audio.quieter
        key = f"volume:{_pct(target)}" if target is not None else ("volume:up" if up else "volume:down")
        outcome = ctx.brief.asks.setdefault(key, Outcome())
        others = [s for s in L.sounds(ctx.draft) if all(s.segment is not m for m in musics)]
        alone = not others
        default = F.VOLUME["music"]
        first = musics[0]
        old = L.volume(first, L.sound_kind(first))
        before = L.plays_at(ctx.draft)
        was_up = any(s.offset_db > 0.05 for s in L.sounds(ctx.draft))
        where = say(lang, f"loud_{L.destination(ctx.draft)}")
        goal = L.target_lufs(ctx.draft)

        def kept(reason: str, **params: Any) -> None:
            outcome.not_done(reason, **params)
            ctx.say(f"kept the music volume at {_pct(old)}%", f"音乐音量保持{_pct(old)}%")

        if target is not None:
            new = target
        elif up:
            if alone and old >= default:
                kept("r_at_target", lufs=_lufs(goal), where=where)
                return
            if old >= 1.0:
                kept("r_volume_max")
                return
            new = min(1.0, old * _STEP if old > 0 else default)
            if alone:
                new = min(new, default)  # past its default a lone sound plays no louder
        else:
            start = min(old, default) if alone else old  # from the level it plays at
            new = round(start / _STEP, 2)
            if new < 0.01 or new >= old:
                kept("r_volume_min", level=_pct(old))
                return
        new = round(max(0.0, min(1.0, new)), 2)
        if target is None and abs(new - default) <= 0.015:
            new = default  # 18% twice is its default again, not 36%
        for seg in musics:
            seg["v"] = new
        after = L.plays_at(ctx.draft)
        outcome.done()
        ctx.say(f"set the music volume to {_pct(new)}%", f"把音乐音量调到{_pct(new)}%")
        change: float | None = None
        if alone and before is not None and after is not None:
            # the music is the only sound: the whole video moves with it, up to the target
            change = after - before
            if abs(change) < 0.5:
                outcome.substituted("r_same_level", lufs=_lufs(goal), default=_pct(default), where=where)
            else:
                ctx.notes.append(say(lang, "vol_whole_louder" if change > 0 else "vol_whole_quieter",
                                     db=_db(change), lufs=_lufs(after)))
        elif old > 0 and new > 0:
            # beside other sounds: its balance with them
            change = 20 * math.log10(new / old)
            if abs(change) >= 0.5 and others:
                ctx.notes.append(say(lang, "vol_balance_louder" if change > 0 else "vol_balance_quieter",
                                     db=_db(change), others=join(lang, self._names(ctx, others))))
        if after is not None and alone and (change is None or change >= 0.5) and after >= goal - 0.05:
            ctx.notes.append(say(lang, "vol_at_target", where=where))
        elif not alone and new > 0:
            if any(s.offset_db > 0.05 for s in L.sounds(ctx.draft)):
                ctx.notes.append(say(lang, "vol_capped", target=_lufs(goal), where=where))
            elif change is not None and abs(change) >= 0.5 and not was_up:
                # (a mix that was above its target and turned down as a whole is not turned down now)
                ctx.notes.append(say(lang, "vol_others_kept"))
        ctx.step(self.name, {"target": "music", "volume": new},
                 {"ids": [sg.get("id") for sg in musics],
                  "change_db": round(change, 1) if change is not None else None,
                  "plays_at_lufs": round(after, 1) if after is not None else None})

    @staticmethod
    def _names(ctx: EditContext, others: list[L.Sound]) -> list[str]:
        """The other sounds by name, in the reply's language ("narration", "bird song", ...)."""
        lang = ctx.brief.language
        out: list[str] = []
        for s in others:
            if s.kind == "ambient" and s.segment.get("snd") in F.AMBIENT:
                name = say(lang, f"sound_{s.segment['snd']}")
            else:
                name = say(lang, {"voice": "snd_voice", "video": "snd_clip"}.get(s.kind, "snd_audio"))
            if name not in out:
                out.append(name)
        return out
