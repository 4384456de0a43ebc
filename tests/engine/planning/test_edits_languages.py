"""Edits of an open video in the nine languages: every edit operation of ``planning/ops/`` (and a
question, and a new video asked with one open), each phrased three ways per language as people type
them (``edit_phrasings.json``), run on a real draft through the planner.

Each case checks what the draft became (or that it stayed as it was, for a question), the brief's
kind and checklist (nothing not done or left pending), and that the reply is in the prompt's
language: no English sentence words in a reply to another language (quoted text and file names
aside), Japanese with kana, Korean with Hangul, Chinese with neither, the others detected as their
language by the engine's own detector (or ending with their invitation to export). The third phrasing of every
list was held out of the tuning: its cases are named ``held``, the others ``tune``
(``pytest -k held`` / ``-k tune`` gives each pass rate).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from nemo_jupyter.draft_format import SCENES
from nemo_jupyter.engine import planner
from nemo_jupyter.engine.planning.catalogue import say
from nemo_jupyter.engine.planning.language import detect_language

Draft = dict[str, Any]
PHRASINGS: dict[str, dict[str, list[str]]] = {
    op: table for op, table in json.loads((Path(__file__).parent / "edit_phrasings.json").read_text("utf-8")).items()
    if op != "about"}

FOREST = "a 20-second video of a forest with birds, soft music and the title 'Spring Walk'"
PARK = "a 20-second video of a cat in a park, then a beach, with the caption 'Hello' at 5s"
SCRIPT = {"filename": "script.txt", "file_type": "text", "cdn_url": "https://cdn.example/script.txt",
          "text": "The forest wakes up. Birds sing in the trees. The sun comes through the leaves."}
LOGO = {"filename": "logo.png", "file_type": "image", "cdn_url": "https://cdn.example/logo.png",
        "width": 400, "height": 400}
PHOTOS = [{"filename": f"holiday{i}.jpg", "file_type": "image", "cdn_url": f"https://cdn.example/holiday{i}.jpg",
           "width": 1600, "height": 1200} for i in (1, 2)]


@cache
def _base(name: str) -> str:
    """A base draft as JSON (each case gets its own copy)."""
    if name == "forest":
        draft = planner._plan(FOREST, None, []).draft
    elif name == "park":
        draft = planner._plan(PARK, None, []).draft
    elif name == "silent":
        draft = planner._plan("remove the music", json.loads(_base("forest")), []).draft
    else:  # "narrated": the forest, narrated from the script
        draft = planner._plan("add narration", json.loads(_base("forest")), [SCRIPT]).draft
    assert draft is not None
    return json.dumps(draft)


def segs(draft: Draft, k: str | None = None) -> list[dict[str, Any]]:
    return [s for t in draft["t"] for s in t["sg"] if k is None or s.get("k") == k]


def video(draft: Draft) -> list[dict[str, Any]]:
    return sorted((s for t in draft["t"] if t["tt"] == 0 for s in t["sg"] if s.get("k") != "overlay"),
                  key=lambda s: s["st"])


def scenes(draft: Draft) -> list[str]:
    return [str(s.get("scene")) for s in video(draft)]


def actors(draft: Draft) -> set[str]:
    return {a["s"] for s in video(draft) for a in s.get("act", [])}


def music_v(draft: Draft) -> float:
    (v,) = {s["v"] for s in segs(draft, "music")}
    return float(v)


def scene_length(draft: Draft, family: str) -> int:
    return sum(s["d"] for s in video(draft) if s.get("scene") == family)


# -- what each operation must have done (before, after) -------------------------------------------
def _added_actor(b: Draft, a: Draft) -> None:
    new = actors(a) - actors(b)
    assert new and new <= {"dog", "fox", "deer"}, new
    assert scenes(a) == scenes(b)


def _removed_cat(b: Draft, a: Draft) -> None:
    assert "cat" in actors(b) and "cat" not in actors(a) and scenes(a) == scenes(b)


def _removed_birds(b: Draft, a: Draft) -> None:
    assert not any("birds" in s.get("el", []) for s in video(a)), video(a)
    assert not [s for s in segs(a, "ambient") if s.get("snd") == "birds"]
    assert segs(a, "music") and segs(a, "title")


def _scene_at(end: bool) -> Callable[[Draft, Draft], None]:
    def check(b: Draft, a: Draft) -> None:
        assert a["d"] == b["d"] + 5000 and len(video(a)) == len(video(b)) + 1
        assert scenes(a)[-1 if end else 0] == "beach", scenes(a)
    return check


def _added_rain(b: Draft, a: Draft) -> None:
    rain = [s for s in segs(a, "ambient") if s.get("snd") == "rain"] + [s for s in video(a) if "rain" in s.get("el", [])]
    assert rain and scenes(a) == scenes(b)


def _title(text: str | None) -> Callable[[Draft, Draft], None]:
    def check(b: Draft, a: Draft) -> None:
        assert [s["txt"] for s in segs(a, "title")] == ([text] if text else [])
        assert scenes(a) == scenes(b) and segs(a, "music")
    return check


def _caption_at_5(b: Draft, a: Draft) -> None:
    assert [(s["txt"], s["st"]) for s in segs(a, "caption")] == [("Welcome", 5000)]
    assert [s["txt"] for s in segs(a, "title")] == ["Spring Walk"]


def _no_captions(b: Draft, a: Draft) -> None:
    assert segs(b, "caption") and not segs(a, "caption") and scenes(a) == scenes(b)


def _script_captions(b: Draft, a: Draft) -> None:
    texts = [s["txt"] for s in segs(a, "caption")]
    assert len(texts) >= 2 and all(t in SCRIPT["text"] for t in texts), texts
    assert not segs(a, "voice")


def _swapped_scene(b: Draft, a: Draft) -> None:
    assert set(scenes(a)) == {"desert"} and [s["id"] for s in video(a)] == [s["id"] for s in video(b)]


def _swapped_actor(b: Draft, a: Draft) -> None:
    assert "cat" in actors(b) and "dog" in actors(a) and "cat" not in actors(a)


def _beach_longer(b: Draft, a: Draft) -> None:
    assert scene_length(a, "beach") > scene_length(b, "beach")
    assert scene_length(a, "park") == scene_length(b, "park") and a["d"] > b["d"]


def _ocean(b: Draft, a: Draft) -> None:
    assert set(scenes(a)) == {"ocean"} and a["d"] == b["d"]


def _mood_changed(b: Draft, a: Draft) -> None:
    moods = {s.get("mood") for s in segs(a, "music")}
    assert len(moods) == 1 and moods < {"epic", "upbeat", "calm"}, moods


def _no_music(b: Draft, a: Draft) -> None:
    assert not segs(a, "music") and segs(a, "ambient") and scenes(a) == scenes(b)


def _music_added(b: Draft, a: Draft) -> None:
    assert not segs(b, "music") and len(segs(a, "music")) == 1


def _volume(test: Callable[[float], bool]) -> Callable[[Draft, Draft], None]:
    def check(b: Draft, a: Draft) -> None:
        assert test(music_v(a)), music_v(a)
    return check


def _length(test: Callable[[int], bool]) -> Callable[[Draft, Draft], None]:
    def check(b: Draft, a: Draft) -> None:
        assert test(a["d"]) and scenes(a) == scenes(b), a["d"]
    return check


def _aspect(aspect: str) -> Callable[[Draft, Draft], None]:
    def check(b: Draft, a: Draft) -> None:
        assert a["m"]["aspect"] == aspect and scenes(a) == scenes(b)
    return check


def _logo(b: Draft, a: Draft) -> None:
    overlays = [s for s in segs(a) if s.get("k") == "overlay"]
    assert [(s["src"], s.get("corner")) for s in overlays] == [(LOGO["cdn_url"], "top_right")]


def _narrated(b: Draft, a: Draft) -> None:
    assert not segs(b, "voice") and len(segs(a, "voice")) == 3


def _narration_removed(b: Draft, a: Draft) -> None:
    assert segs(b, "voice") and not segs(a, "voice") and segs(a, "caption")


def _slower(b: Draft, a: Draft) -> None:
    before = {s.get("rate") for s in segs(b, "voice")}
    after = {s.get("rate") for s in segs(a, "voice")}
    assert len(after) == 1 and min(after) < min(before), (before, after)


def _photos(b: Draft, a: Draft) -> None:
    assert [s.get("src") for s in video(a)] == [p["cdn_url"] for p in PHOTOS]


def _new_video(b: Draft, a: Draft) -> None:
    assert "forest" not in scenes(a) and a["m"].get("title") != "Spring Walk"
    assert not any(s.get("txt") == "Spring Walk" for s in segs(a))


#: operation -> (base draft, uploads, check of (before, after) or None for a question, the brief's kind)
OPS: dict[str, tuple[str, list[dict[str, Any]], Callable[[Draft, Draft], None] | None, str]] = {
    "add_actor": ("forest", [], _added_actor, "edit"),
    "remove_actor": ("park", [], _removed_cat, "edit"),
    "remove_element": ("forest", [], _removed_birds, "edit"),
    "add_scene_end": ("forest", [], _scene_at(end=True), "edit"),
    "add_scene_start": ("forest", [], _scene_at(end=False), "edit"),
    "add_sound": ("forest", [], _added_rain, "edit"),
    "change_title": ("forest", [], _title("Autumn Walk"), "edit"),
    "remove_title": ("forest", [], _title(None), "edit"),
    "add_caption": ("forest", [], _caption_at_5, "edit"),
    "remove_captions": ("park", [], _no_captions, "edit"),
    "script_captions": ("forest", [SCRIPT], _script_captions, "edit"),
    "swap_scene": ("forest", [], _swapped_scene, "edit"),
    "swap_actor": ("park", [], _swapped_actor, "edit"),
    "resize_scene": ("park", [], _beach_longer, "edit"),
    "replace_scenes": ("forest", [], _ocean, "edit"),
    "set_mood": ("forest", [], _mood_changed, "edit"),
    "remove_music": ("forest", [], _no_music, "edit"),
    "add_music": ("silent", [], _music_added, "edit"),
    "volume_down": ("forest", [], _volume(lambda v: v < 0.35), "edit"),
    "volume_up": ("forest", [], _volume(lambda v: v > 0.35), "edit"),
    "volume_percent": ("forest", [], _volume(lambda v: v == 0.5), "edit"),
    "duration": ("forest", [], _length(lambda d: d == 30_000), "edit"),
    "longer_by": ("forest", [], _length(lambda d: d == 30_000), "edit"),
    "shorter": ("forest", [], _length(lambda d: d < 20_000), "edit"),
    "vertical": ("forest", [], _aspect("9:16"), "edit"),
    "square": ("forest", [], _aspect("1:1"), "edit"),
    "logo": ("forest", [LOGO], _logo, "edit"),
    "narrate": ("forest", [SCRIPT], _narrated, "edit"),
    "remove_narration": ("narrated", [SCRIPT], _narration_removed, "edit"),
    "slower_voice": ("narrated", [SCRIPT], _slower, "edit"),
    "use_uploads": ("forest", PHOTOS, _photos, "edit"),
    "question": ("forest", [], None, "question"),
    "new_video": ("forest", [], _new_video, "new"),
}

# -- the reply's language ---------------------------------------------------------------------------
#: English sentence words that no other of the nine languages writes ("no", "was", "scene" and "format"
#: are left out: Spanish, German, Italian and German words too)
_ENGLISH = frozenset([
    "the", "and", "with", "to", "of", "is", "are", "were", "removed", "added", "changed", "kept", "made",
    "set", "say", "render", "there", "its", "it", "from", "now", "already", "instead", "than", "which",
    "that", "this", "music", "scenes", "title", "sound", "sounds", "captions", "caption", "voice", "louder",
    "quieter", "length", "video's", "sentences", "spoken", "seconds", "corner", "your", "yet"])
_QUOTED = re.compile(r"[\"“„«「『《](?:[^\"“”„«»「」『』《》\n]{1,200})[\"”“»」』》]|'[^'\n]{1,80}'")
_NAMES = re.compile(r"[\w.-]+\.(?:png|jpg|txt|mp3)|Joe|Piper|eSpeak NG|LUFS|\d+(?:[.,]\d+)?\s*(?:s|dB|%)(?!\w)")
_LATIN_WORD = re.compile(r"[A-Za-z][A-Za-z']+")


def english_words(reply: str) -> list[str]:
    text = _NAMES.sub(" ", _QUOTED.sub(" ", reply))
    return [w for w in _LATIN_WORD.findall(text) if w.lower() in _ENGLISH]


def check_language(reply: str, lang: str) -> None:
    assert reply.strip()
    if lang == "en":
        assert not re.search(r"[\u3040-\u30ff\uac00-\ud7af\u4e00-\u9fff]", reply), reply
        return
    assert english_words(reply) == [], reply
    if lang == "ja":
        assert re.search(r"[\u3040-\u30ff]", reply), reply
    elif lang == "ko":
        assert re.search(r"[\uac00-\ud7af]", reply), reply
    elif lang == "zh":
        assert re.search(r"[\u4e00-\u9fff]", reply) and not re.search(r"[\u3040-\u30ff\uac00-\ud7af]", reply), reply
    else:  # the engine's own detector says so, or the reply ends with this language's invitation to export
        said = detect_language(_NAMES.sub(" ", _QUOTED.sub(" ", reply)))
        assert said == lang or reply.endswith(say(lang, "tail_export")), (said, reply)


#: cases the engine gets wrong, with the reason (strict: a fix makes them fail, so the mark goes too)
KNOWN = {("square", "it", 1): "'cambia in 1:1' has no word of Italian alone (cambia: Spanish too; in: English and German "
                              "too): the language is unclear and, with no session language, the reply is English"}
CASES = [pytest.param(op, lang, i, id=f"{op}-{lang}-{'held' if i == 2 else 'tune'}{i}",
                      marks=[pytest.mark.xfail(reason=KNOWN[op, lang, i], strict=True)] if (op, lang, i) in KNOWN else [])
         for op, table in PHRASINGS.items() for lang, phrasings in table.items() for i in range(len(phrasings))]


def test_every_operation_and_language_is_phrased() -> None:
    assert set(PHRASINGS) == set(OPS)
    for op, table in PHRASINGS.items():
        assert set(table) == {"en", "zh", "ja", "ko", "es", "fr", "de", "pt", "it"}, op
        assert all(len(p) == 3 for p in table.values()), op


@pytest.mark.parametrize(("op", "lang", "i"), CASES)
def test_edit_in_every_language(op: str, lang: str, i: int) -> None:
    prompt = PHRASINGS[op][lang][i]
    base_name, assets, check, kind = OPS[op]
    before = json.loads(_base(base_name))
    r = planner._plan(prompt, json.loads(_base(base_name)), [dict(a) for a in assets])
    assert r.brief is not None and r.brief["kind"] == kind, (r.brief and r.brief["kind"], r.reply)
    if check is None:  # a question: answered, nothing changed
        assert r.draft is None and "20" in r.reply, r.reply
    else:
        assert r.draft is not None, r.reply
        check(before, r.draft)
    # an edit does all it was asked; a new video may leave a part out, but says so (the painter's limits)
    left = [c for c in r.brief["checklist"] if c["status"] == "pending" or (
        c["status"] == "not_done" and (kind == "edit" or not c["note"]))]
    assert left == [], left
    check_language(r.reply, lang)


def test_an_unclear_language_follows_the_session() -> None:
    r = planner._plan("cambia in 1:1", json.loads(_base("forest")), [], language="it")
    assert r.draft is not None and r.draft["m"]["aspect"] == "1:1"
    check_language(r.reply, "it")


def test_the_language_check_can_fail() -> None:
    with pytest.raises(AssertionError):
        check_language("Entfernt: the title. Say \"export\" to render it.", "de")
    with pytest.raises(AssertionError):
        check_language("タイトルを削除しました。", "ko")
    check_language("Titel entfernt. Sag „exportieren“, um es zu rendern.", "de")


def test_korean_particles_follow_the_sound_before_them() -> None:
    assert say("ko", "ed_removed", names="새") == "새를 없앴어요"           # no final consonant: 를
    assert say("ko", "ed_removed", names="숲") == "숲을 없앴어요"           # a final consonant: 을
    assert say("ko", "ed_scene_swapped", scenes="장면 3개", a="숲", b="물") == "숲 장면 3개를 물로 바꿨어요"  # ㄹ: 로
    assert say("ko", "ed_title_changed", text="“봄 산책”") == "제목을 “봄 산책”으로 바꿨어요"  # inside the quote
    assert say("ko", "ed_format", aspect="9:16", width=1080, height=1920).endswith("(1080×1920)으로 바꿨어요")


def test_numbers_as_each_language_writes_them() -> None:
    from nemo_jupyter.engine.planning.catalogue import seconds, span

    assert span("de", 6_666, 6_667) == "6,7–13,3 s" and span("en", 6_666, 6_667) == "6.7-13.3 s"
    assert seconds(20_000, "fr") == "20" and span("ja", 0, 7_500) == "0〜7.5秒"


HELP = {"en": "help", "zh": "帮助", "ja": "ヘルプ", "ko": "도움말", "es": "ayuda", "fr": "aide", "de": "hilfe",
        "pt": "ajuda", "it": "aiuto"}
DRAW = {"en": "what can you draw?", "zh": "你能画什么", "ja": "何が描ける？", "ko": "뭘 그릴 수 있어?",
        "es": "¿qué puedes dibujar?", "fr": "que peux-tu dessiner ?", "de": "was kannst du zeichnen?",
        "pt": "o que você pode desenhar?", "it": "cosa puoi disegnare?"}


@pytest.mark.parametrize("lang", sorted(HELP))
def test_help_and_what_can_be_drawn_in_every_language(lang: str) -> None:
    from nemo_jupyter.engine.planning.lexicon import lexicon

    forest = json.loads(_base("forest"))
    helped = planner._plan(HELP[lang], forest, [])
    assert helped.draft is None and helped.brief is not None and helped.brief["kind"] == "help"
    assert helped.reply == say(lang, "help", n_scenes=len(SCENES))  # the whole help text, in the language asked
    drawn = planner._plan(DRAW[lang], forest, [])
    assert drawn.draft is None and drawn.brief is not None and drawn.brief["kind"] == "capabilities"
    assert str(len(lexicon().subjects)) in drawn.reply
    check_language(drawn.reply, lang)
