""""Add lo-fi music", "change the music to epic", "use my song as the music"."""

from __future__ import annotations

from typing import Any, ClassVar

from nemo_jupyter.draft_format import SCENES, TRACK_AUDIO, TRACK_VIDEO

from ..common import MUSIC_V, _name
from ..draftops import _find_track, _segments, _sg, _tracks, _tt
from ..tracks import _audio_segment, _music_segment
from ..uploads import _media_assets
from ..vocabulary import _DEFAULT_MOOD, _MOOD_NAMES
from .base import EditContext, EditOp
from .remove_music import music_segments


def first_scene(draft: dict[str, Any]) -> str:
    for track in _tracks(draft):
        if _tt(track) == TRACK_VIDEO:
            for seg in _segments(track):
                scene = seg.get("scene")
                if isinstance(scene, str) and scene in SCENES:
                    return scene
    return "abstract"


class SetMusic(EditOp):
    name: ClassVar[str] = "set_music"

    def _mood_change(self, ctx: EditContext) -> bool:
        brief, audio = ctx.brief, ctx.brief.audio
        return audio.mood is not None and bool(
            audio.music_asked or brief.edit.more or brief.edit.words <= 2
            or (brief.edit.set_to and not brief.what.scenes and not brief.texts))

    def _song(self, ctx: EditContext) -> bool:
        return "audio" in ctx.brief.req.uploads_ref and bool(_media_assets(ctx.assets, ("audio",)))

    def wants(self, ctx: EditContext) -> bool:
        audio = ctx.brief.audio
        if audio.no_music:
            return False
        return self._song(ctx) or self._mood_change(ctx) or bool(
            audio.music_asked and not music_segments(ctx.draft)
            and (ctx.brief.edit.add_word or audio.mood or audio.volume is not None))

    def apply(self, ctx: EditContext) -> None:
        audio = ctx.brief.audio
        musics = music_segments(ctx.draft)
        if self._song(ctx):
            a = _media_assets(ctx.assets, ("audio",))[0]
            for track, seg in musics:
                _sg(track).remove(seg)
            bgm_track = _find_track(ctx.draft, TRACK_AUDIO, "BGM", kinds=("music", "audio"), create=True)
            assert bgm_track is not None
            vol = audio.volume if audio.volume is not None else MUSIC_V
            seg = _audio_segment(ctx.ids, max(1, ctx.total), a, vol)
            _sg(bgm_track).append(seg)
            ctx.step(self.name, {"source": str(a.get("filename"))[:80], "volume": vol}, {"id": seg["id"]})
            ctx.say(f"used {a.get('filename')} as background music", f"用{a.get('filename')}作背景音乐")
            return
        mood = audio.mood or _DEFAULT_MOOD.get(first_scene(ctx.draft), "soft")
        if musics:
            for _track, seg in musics:
                seg["k"] = "music"
                seg["mood"] = mood
                seg["n"] = _name(_MOOD_NAMES, mood, "en").capitalize() + " music"
                seg.pop("src", None)
                seg.pop("ss", None)
            ctx.step(self.name, {"mood": mood}, {"ids": [s.get("id") for _t, s in musics]})
            ctx.say(f"changed the music to {_name(_MOOD_NAMES, mood, 'en')}",
                    f"把音乐换成了{_name(_MOOD_NAMES, mood, 'zh')}风格")
            return
        vol = audio.volume if audio.volume is not None else MUSIC_V
        bgm_track = _find_track(ctx.draft, TRACK_AUDIO, "BGM", kinds=("music", "audio"), create=True)
        assert bgm_track is not None
        seg = _music_segment(ctx.ids, max(1, ctx.total), mood, vol)
        _sg(bgm_track).append(seg)
        ctx.step(self.name, {"mood": mood, "volume": round(vol, 2)}, {"id": seg["id"]})
        ctx.say(f"added {_name(_MOOD_NAMES, mood, 'en')} background music at {round(vol * 100)}%",
                f"加了{_name(_MOOD_NAMES, mood, 'zh')}背景音乐，音量{round(vol * 100)}%")
