"""What an edit asks of the current video, read once from the prompt's words.

The edit operations (``ops/``) read these flags instead of the prompt: "add a fox to the forest
scene" (``adding``, ``into_scenes``), "add a sunset scene at the start" (``add_scene``, ``at_start``),
"remove the title", "change the title to ...", "captions from my script", "replace the scenes",
"change the forest to a desert" (``swap``), "more music", "the volume" ... (:func:`read_edit`, the
brief's ``edit``). :func:`read_edit_asks` reads the rest of an edit in the prompt's own words into
the brief's other parts: the music quieter or louder, at a percent, removed or muted; the video
longer or shorter, or by how much; a new video or a change of this one; the uploads to use; the
narrator added, removed, slower, faster or another voice.

English and Chinese are read through the patterns of ``cues.py`` (and ``parse.py``); the other
languages through the ``edit_words`` of their grammar file (:mod:`.edit_words`), so that a new
word or a new language is a data entry.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import cache

from ..brief import Brief, EditAsk
from ..common import MAX_MS, MIN_MS, _parse_cn_number
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
from ..timing import _find_duration
from .edit_words import Cue, EditVerbs, cues, edit_words
from .grammar import Tag
from .timing_words import find_duration

_ADDING = re.compile(r"^\s*(?:please\s+|now\s+|and\s+|also\s+|(?:can|could|would|will)\s+you\s+(?:please\s+)?)*"
                     r"(?:add|put|include|insert|place|bring|give\s+it)(?![a-z])|"
                     r"^\s*(?:加上|添加|加|放)")
_INTO = re.compile(r"(?<![a-z])(?:to|in|into|on)\s+(?:the|every|each|all|both)(?![a-z])|(?:到|在).{0,8}(?:场景|画面)")
_SOUND_WORD = re.compile(r"(?<![a-z])(?:sounds?|noise|audio|ambience)(?![a-z])|声")
_CHANGE_TITLE = re.compile(r"(?:change|rename|set|update|make|replace)\s+(?:the\s+)?(?:title|heading)|"
                           r"(?:title|heading)\s+(?:to|should be|as)|标题(?:改|换)|(?:改|换)标题")
_SCENE_WORD = re.compile(r"(?<![a-z])(?:scenes?|parts?|shots?|sections?|bits?)(?![a-z])|场景|部分|镜头|那段|段")
_MORE = re.compile(r"(?<![a-z])more\s|一点|一些|点儿")
_SET_TO = re.compile(r"(?<![a-z])(?:change|switch|set|make)(?![a-z]).{0,30}(?<![a-z])(?:to|it)(?![a-z])")
_ABOUT_VOLUME = re.compile(r"volume|音量|声音")
_ZH_PERCENT = re.compile(r"百分之(?P<n>[零一二两三四五六七八九十百\d]+)")
#: the nouns an edit acts on, removed when a removing verb or a negation governs them
_REMOVABLE = ("title", "caption", "music", "voice")
_NEG_REACH = 12   # a negation this close before a noun negates it ("sin título", "ohne Titel")
_DELTA_REACH = 30  # a "longer" word this close to a duration makes it a change ("10 Sekunden länger")
_ADD_REACH = 4     # an "add" word this close: "aggiungi 10 secondi", "10秒追加して"
_CLAUSE = re.compile(r"[,;.!?:\n，；。！？：、]")


def _clause_of(norm: str, start: int, end: int) -> tuple[int, int]:
    """The clause around ``norm[start:end]``, between punctuation."""
    a = max((m.end() for m in _CLAUSE.finditer(norm, 0, start)), default=0)
    m = _CLAUSE.search(norm, end)
    return a, m.start() if m else len(norm)


def read_edit(norm: str, lang: str = "en", tags: Sequence[Tag] = ()) -> EditAsk:
    """The edit cues of a normalised prompt: English and Chinese patterns, then ``lang``'s own words."""
    ask = EditAsk(
        adding=bool(_ADDING.search(norm)), into_scenes=bool(_INTO.search(norm)),
        add_scene=bool(_ADD_SCENE.search(norm)), at_start=bool(_AT_START_WORD.search(norm)),
        add_word=bool(_ADD_WORD.search(norm)), sound_word=bool(_SOUND_WORD.search(norm)),
        change_title=bool(_CHANGE_TITLE.search(norm)), remove_title=bool(_REMOVE_TITLE.search(norm)),
        remove_captions=bool(_REMOVE_CAPTIONS.search(norm)),
        captions_from_script=bool(_CAPTIONS_FROM_SCRIPT.search(norm)),
        replace_scenes=bool(_REPLACE_SCENES.search(norm)), scene_word=bool(_SCENE_WORD.search(norm)),
        swap=bool(_SWAP.search(norm)), more=bool(_MORE.search(norm)), set_to=bool(_SET_TO.search(norm)),
        about_volume=bool(_ABOUT_VOLUME.search(norm)), words=len(norm.split()))
    if lang in ("en", "zh") or edit_words(lang).empty:
        return ask
    reading = _Reading(norm, lang, tags)
    has = reading.has
    removed = reading.removed
    ask.adding = ask.adding or "add" in has
    ask.add_word = ask.add_word or bool(has & {"add", "use"}) or {"caption", "script"} <= has
    ask.add_scene = ask.add_scene or (bool(has & {"add", "begin"}) and "scene" in has)
    ask.into_scenes = ask.into_scenes or "every" in has
    ask.at_start = ask.at_start or "begin" in has or any(t.cat == "at_start" for t in tags)
    ask.sound_word = ask.sound_word or "sound" in has
    ask.change_title = ask.change_title or ("title" in has and "change" in has)
    ask.remove_title = ask.remove_title or "title" in removed
    ask.remove_captions = ask.remove_captions or ("caption" in removed and "script" not in has)
    ask.captions_from_script = ask.captions_from_script or bool(has & {"caption", "script"})
    ask.replace_scenes = ask.replace_scenes or "instead" in has
    ask.scene_word = ask.scene_word or "scene" in has
    ask.swap = ask.swap or "change" in has
    ask.more = ask.more or "more" in has
    ask.set_to = ask.set_to or "change" in has
    ask.about_volume = ask.about_volume or "volume" in has
    return ask


class _Reading:
    """The edit cues of one prompt in one language, and which of its nouns are removed."""

    def __init__(self, norm: str, lang: str, tags: Sequence[Tag]) -> None:
        self.norm, self.lang = norm, lang
        self.cues = cues(norm, lang)
        self.has = {c.table for c in self.cues}
        self.verbs = EditVerbs(norm, lang)
        negs = [t for t in tags if t.cat == "neg"]
        self.removed: set[str] = set()
        for c in self.of(*_REMOVABLE):
            if self.verbs.removing(c.start) or any(0 <= c.start - t.end <= _NEG_REACH for t in negs):
                self.removed.add(c.table)
        music = [t for t in tags if t.cat == "musicword"]
        if any(self.verbs.removing(t.start) or any(0 <= t.start - n.end <= _NEG_REACH for n in negs) for t in music):
            self.removed.add("music")
        if music:
            self.has.add("music")

    def of(self, *tables: str) -> list[Cue]:
        return [c for c in self.cues if c.table in tables]

    def words(self, table: str) -> set[str]:
        return {c.text for c in self.of(table)}


@cache
def _percent(lang: str) -> re.Pattern[str] | None:
    words = sorted(edit_words(lang).table("percent"), key=len, reverse=True)
    if not words:
        return None
    return re.compile(r"(?P<n>\d{1,3}(?:[.,]\d+)?)\s*(?:" + "|".join(re.escape(w) for w in words) + ")")


def read_edit_asks(brief: Brief, norm: str, lang: str, tags: Sequence[Tag]) -> None:
    """The asks of an edit in ``lang``'s own words, into the brief's audio, length, request and voice
    (English and Chinese ones were read with the prompt's other parts; Chinese says a percent in words,
    "百分之五十")."""
    if lang == "zh" and brief.audio.volume is None and (m := _ZH_PERCENT.search(norm)):
        value = _parse_cn_number(m.group("n"))
        if value is not None:
            brief.audio.volume = max(0.0, min(1.0, value / 100))
    if lang in ("en", "zh") or edit_words(lang).empty:
        return
    r = _Reading(norm, lang, tags)
    has = r.has
    _music(brief, r)
    _length(brief, r)
    _request(brief, r)
    _voice(brief, r)
    if "uploads" in has and has & {"use", "change", "add", "instead"}:
        brief.req.uploads_ref.add("image")  # "nimm stattdessen meine Fotos", "usa mis fotos"


def _music(brief: Brief, r: _Reading) -> None:
    audio, has = brief.audio, r.has
    if has & {"too_loud", "too_quiet"} and "music" in has:
        # "on n'entend pas la musique", "音楽がよく聞こえない": a complaint about the level, never a removal
        audio.no_music = audio.silent = False
        audio.music_asked = True
        audio.louder, audio.quieter = "too_quiet" in has, "too_loud" in has
        return
    if "music" in r.removed or "mute" in has:
        audio.no_music, audio.music_asked, audio.mood = True, False, None
        audio.silent = audio.silent or "mute" in has
        return
    pattern = _percent(r.lang)
    m = pattern.search(r.norm) if pattern else None
    if m and audio.volume is None:
        audio.volume = max(0.0, min(1.0, float(m.group("n").replace(",", ".")) / 100))
    heard = bool(has & {"music", "volume", "sound"})
    if "too_loud" in has:
        audio.quieter, audio.louder = True, False
    elif "too_quiet" in has:
        audio.louder, audio.quieter = True, False
    elif heard:
        audio.quieter = audio.quieter or "quieter" in has
        audio.louder = audio.louder or ("louder" in has and not audio.quieter)


def _length(brief: Brief, r: _Reading) -> None:
    length, has = brief.length, r.has
    heard = bool(has & {"music", "volume", "sound"})
    # "줄여" shortens a video and quiets the music: the music word decides
    volume_words = r.words("quieter") | r.words("louder") if heard else set()
    longer = [c for c in r.of("longer") if c.text not in volume_words]
    shorter = [c for c in r.of("shorter") if c.text not in volume_words]
    length.longer = length.longer or bool(longer)
    length.shorter = length.shorter or bool(shorter)
    ms, start, end = _find_duration(r.norm)
    if ms is None:
        ms, start, end = find_duration(r.norm, r.lang)
    if ms is None:
        return
    if length.duration_ms is None and length.duration_delta is None:
        if brief.texts or brief.edit.add_scene or ("length" not in has and (r.of("scene") or brief.what.scenes)):
            return  # "at 5 s": a text's moment, or a scene's
        # "30秒にして", "change la durée à 30 secondes": no text to time, so the length of the video
        length.duration_ms = max(MIN_MS, min(MAX_MS, ms))
    # the words of the duration's own clause, close to it ("mach es 10 Sekunden länger", "あと10秒伸ばして")
    a, b = _clause_of(r.norm, start, end)
    near = [c for c in r.cues if a <= c.start < b and start - _DELTA_REACH <= c.start <= end + _DELTA_REACH]
    added = [c for c in near if c.table == "add" and (0 <= start - c.end <= _ADD_REACH or 0 <= c.start - end <= _ADD_REACH)]
    grow = any(c.table in ("longer", "more") for c in near) or (bool(added) and not r.of("scene"))
    cut = any(c in shorter for c in near)
    if grow or cut:  # "mach es 10 Sekunden länger", "aggiungi 10 secondi", "10초 더"
        length.duration_delta = ms if grow and not cut else -ms
        length.duration_ms = None
        length.duration_note = None
        length.longer = length.shorter = False


def _request(brief: Brief, r: _Reading) -> None:
    has = r.has
    if "video" in has and has & {"create", "new"} and "instead" not in has:
        brief.req.generation = True  # "mach ein neues Video von ...", "夜の街の新しい動画を作って"
    first = min(r.cues, key=lambda c: c.start, default=None)
    lead = first is not None and first.table in ("add", "remove", "change", "use", "quieter", "louder", "longer",
                                                  "shorter") and not r.norm[:first.start].strip(" ,.!¡¿?")
    if lead or has & {"instead", "change"}:
        brief.req.edit_lead = True


def _voice(brief: Brief, r: _Reading) -> None:
    ask, has = brief.voice, r.has
    if ask is None:
        return
    if "voice" in r.removed:
        ask.remove, ask.add = True, False
        return
    ask.slower = ask.slower or "slower" in has
    ask.faster = ask.faster or ("faster" in has and not ask.slower)
    if ask.different is None:
        ask.different = ("female" if "female_voice" in has else "male" if "male_voice" in has
                         else "next" if "other_voice" in has else None)
    narrate = "narrate" in has or ("voice" in has and "add" in has)
    if narrate and not ask.remove and not ask.voice_edit:
        ask.add = True
        brief.narration = True
