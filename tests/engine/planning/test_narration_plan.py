"""Narration in the planner: prompts, storyboard from a script, fitting a fixed length, edits that re-synthesise
only what changed. The voices are real (their sentence cache is a temporary folder per test)."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from nemo_jupyter import draft_format as df
from nemo_jupyter.client.draft import Draft
from nemo_jupyter.engine.planner import Plan, _plan
from nemo_jupyter.engine.planning import narration as N
from nemo_jupyter.engine.render.sound import voice as V

SCRIPT_TEXT = ("Welcome to our coffee shop. We roast our beans every morning in the city. "
               "Come and taste a fresh cup today.")


def script(text: str = SCRIPT_TEXT) -> dict[str, Any]:
    return {"filename": "script.txt", "file_type": "text", "cdn_url": "https://cdn.example/script.txt", "text": text}


def image(i: int) -> dict[str, Any]:
    return {"filename": f"photo{i}.jpg", "file_type": "image", "cdn_url": f"https://cdn.example/photo{i}.jpg",
            "duration": 0, "width": 1600, "height": 1200}


@pytest.fixture(autouse=True)
def voice_cache(tmp_path: Path) -> Iterator[Path]:
    V.configure(tmp_path / "voice-cache")
    yield tmp_path / "voice-cache"
    V.configure(None)


def ok(prompt: str, draft: dict[str, Any] | None, assets: list[dict[str, Any]]) -> Plan:
    p = _plan(prompt, draft, assets)
    assert p.understood, p.reply
    assert p.draft is not None, p.reply
    return p


def voices(d: dict[str, Any]) -> list[dict[str, Any]]:
    return N.voice_segments(d)


def track(d: dict[str, Any], tt: int, kind: str | None = None) -> list[dict[str, Any]]:
    out = [s for t in d["t"] if t["tt"] == tt for s in t["sg"] if kind is None or s.get("k") == kind]
    return sorted(out, key=lambda s: s["st"])


def check_in_time(d: dict[str, Any]) -> None:
    """Each sentence has a caption on exactly its spoken window; nothing overlaps; all inside the video."""
    vo, caps = voices(d), track(d, df.TRACK_TEXT, "caption")
    assert [c["txt"] for c in caps] == [v["txt"] for v in vo]
    # a caption starts with its sentence and shows while it is spoken, or long enough to read
    # when the pause after it has room, gone before the next sentence
    for i, (c, v) in enumerate(zip(caps, vo, strict=True)):
        assert c["st"] == v["st"] and c["d"] >= v["d"]
        end = vo[i + 1]["st"] - N.CAPTION_CLEAR_MS if i + 1 < len(vo) else d["d"]
        assert c["st"] + c["d"] <= max(end, v["st"] + v["d"])
        read = max(N.READ_MIN_MS, N.READ_MS_PER_CHAR * len(c["txt"]))
        assert c["d"] == max(v["d"], min(read, end - c["st"]))
    for a, b in itertools.pairwise(vo):
        assert a["st"] + a["d"] < b["st"]
    assert vo[-1]["st"] + vo[-1]["d"] <= d["d"]
    video = track(d, df.TRACK_VIDEO)
    assert video[0]["st"] == 0 and video[-1]["st"] + video[-1]["d"] == d["d"]
    for a, b in itertools.pairwise(video):
        assert a["st"] + a["d"] == b["st"]
    # the spoken length in the draft is the synthesised one
    utts = [V.utterance(v["txt"], v["voice"], v["rate"], d["m"].get("lang", "en")) for v in vo]
    assert [v["d"] for v in vo] == [round(s * 1000) for s in V.spoken_seconds(utts)]


def test_narrate_the_script_storyboards_one_scene_per_sentence() -> None:
    p = ok("narrate the script", None, [script()])
    d = p.draft
    assert d is not None
    vo = voices(d)
    assert [v["txt"] for v in vo] == ["Welcome to our coffee shop.", "We roast our beans every morning in the city.",
                                      "Come and taste a fresh cup today."]
    assert {v["voice"] for v in vo} == {"joe"} and {v["rate"] for v in vo} == {1.0}
    check_in_time(d)
    scenes = track(d, df.TRACK_VIDEO)
    assert len(scenes) == 3
    assert scenes[1]["scene"] == "city", "the second sentence names a city: its picture depicts it"
    for v, s in zip(vo, scenes, strict=True):  # each sentence is spoken over its own picture
        assert s["st"] <= v["st"] and v["st"] + v["d"] <= s["st"] + s["d"]
    speech = sum(v["d"] for v in vo)
    assert speech < d["d"] < speech + 4_000, "durations follow the spoken length"
    assert "Joe" in p.reply and "no narration" in p.reply
    assert [s.name for s in p.steps][-2:] == ["narrate", "storyboard"]


@pytest.mark.parametrize(("prompt", "lang"), [
    ("explain the water cycle to 10 year olds in 30 seconds with a narrator", "en"),
    ("用旁白讲解水循环", "zh"),
])
def test_a_narrated_topic_says_each_step_over_its_own_scene(prompt: str, lang: str) -> None:
    """A topic's steps keep their own pictures (clouds for condensation, rain for precipitation)
    and the narrator says a whole sentence for each, not the one-word caption."""
    plain = ok(prompt.replace(" with a narrator", "").replace("用旁白", ""), None, []).draft
    assert plain is not None
    p = ok(prompt, None, [])
    d = p.draft
    assert d is not None
    vo = voices(d)
    check_in_time(d)
    scenes = track(d, df.TRACK_VIDEO)
    drawn = [(s["scene"], [a["s"] for a in s.get("act") or []]) for s in track(plain, df.TRACK_VIDEO)]
    assert [(s["scene"], [a["s"] for a in s.get("act") or []]) for s in scenes] == drawn
    assert [s["scene"] for s in scenes] == ["ocean", "sky", "rain", "river"]
    for v, s in zip(vo, scenes, strict=True):  # each sentence over its own step's picture
        assert s["st"] <= v["st"] and v["st"] + v["d"] <= s["st"] + s["d"]
    words = [c["txt"] for c in track(plain, df.TRACK_TEXT, "caption")]
    for said, caption in zip([v["txt"] for v in vo], words, strict=True):
        assert len(said) > 2 * len(caption), (said, caption)  # a sentence, not the caption word
    assert ("condensation" in vo[1]["txt"]) if lang == "en" else ("凝结" in vo[1]["txt"])
    if lang == "en":
        assert sum(v["d"] for v in vo) > 20_000, "30 s of video is mostly spoken"
        assert "sky with clouds" in p.reply and "the topic's script" in p.reply
    else:
        assert "有云的天空" in p.reply and "Ocean" not in p.reply


def test_a_narrated_list_is_said_over_its_items_scenes_not_the_intro() -> None:
    p = ok("a narrated video about the human heart with captions: the heart pumps blood, blood carries oxygen, "
           "exercise keeps it strong", None, [])
    d = p.draft
    assert d is not None
    check_in_time(d)
    # the points in full sentences, one after the other, then summed up (issue 22)
    assert [v["txt"] for v in voices(d)] == [
        "First, the heart pumps blood.", "Then, blood carries oxygen.", "Finally, exercise keeps it strong.",
        "To sum up: the heart pumps blood, blood carries oxygen, exercise keeps it strong."]
    assert [c["txt"] for c in track(d, df.TRACK_TEXT, "caption")] == [v["txt"] for v in voices(d)]
    scenes = track(d, df.TRACK_VIDEO)
    assert len(scenes) == 3 and all({a["s"] for a in s.get("act", [])} == {"anatomical_heart"} for s in scenes)


def test_short_sentences_are_not_pictures_that_flash_by() -> None:
    """With no length asked, each sentence and its pause last at least MIN_SLOT_MS, and a caption
    stays long enough to read: "Whisk them" is said in under a second."""
    p = ok("a narrated video with the steps: crack the eggs, whisk them, fry in butter", None, [])
    d = p.draft
    assert d is not None
    check_in_time(d)
    vo = voices(d)
    assert [v["txt"] for v in vo] == ["First, crack the eggs.", "Then, whisk them.", "Finally, fry in butter.",
                                      "To sum up: crack the eggs, whisk them, fry in butter."]
    vo = vo[:3]
    assert any(v["d"] < N.MIN_SLOT_MS - N.GAP for v in vo)  # short ones: the rule is what spaces them
    for a, b in itertools.pairwise(vo):
        assert b["st"] - a["st"] == max(N.MIN_SLOT_MS, a["d"] + N.GAP)
    assert d["d"] >= vo[-1]["st"] + N.MIN_SLOT_MS
    assert all(c["d"] >= N.READ_MIN_MS for c in track(d, df.TRACK_TEXT, "caption"))
    for s in track(d, df.TRACK_VIDEO):  # every picture stays a while
        assert s["d"] >= 2_000


def test_text_and_images_promo_is_narrated_with_photos_in_order() -> None:
    assets = [image(1), image(2), image(3), script()]
    p = ok("turn my text and images into a 30-second promotional video", None, assets)
    d = p.draft
    assert d is not None and d["d"] == 30_000
    check_in_time(d)
    video = track(d, df.TRACK_VIDEO)
    assert [s["src"] for s in video] == [a["cdn_url"] for a in assets[:3]]
    for v, s in zip(voices(d), video, strict=True):
        assert s["st"] <= v["st"] and v["st"] + v["d"] <= s["st"] + s["d"]
    assert "30-second narrated" in p.reply


def test_more_sentences_than_photos_share_them_in_order() -> None:
    text = "One. Two is here. Three comes next. Four is the last one."
    p = ok("turn my text and images into a video", None, [image(1), image(2), script(text)])
    d = p.draft
    assert d is not None
    video, vo = track(d, df.TRACK_VIDEO), voices(d)
    assert [s["src"] for s in video] == [image(1)["cdn_url"], image(2)["cdn_url"]]
    assert video[0]["st"] <= vo[1]["st"] and vo[1]["st"] + vo[1]["d"] <= video[1]["st"]
    assert video[1]["st"] <= vo[2]["st"]


def test_fixed_length_adapts_the_rate_or_says_it_does_not_fit() -> None:
    natural = ok("narrate the script", None, [script()]).draft
    assert natural is not None
    speech = sum(v["d"] for v in voices(natural))
    # less than the words and the tightest pauses take at the natural rate
    asked = round(speech + N.TIGHT_LEAD + N.TIGHT_GAP + N.TIGHT_TAIL - 200, -2)
    fitted = ok(f"make a {asked / 1000:.1f}-second video from my script with a voice-over", None, [script()])
    d = fitted.draft
    assert d is not None
    rate = voices(d)[0]["rate"]
    assert 1.0 < rate <= V.RATE_MAX
    assert d["d"] == asked, fitted.reply
    assert f"{rate:.2f}×" in fitted.reply
    check_in_time(d)
    too_short = ok("make a 3-second video from my script with a voice-over", None, [script()])
    d = too_short.draft
    assert d is not None and d["d"] > 3_000
    assert voices(d)[0]["rate"] == V.RATE_MAX
    over = (d["d"] - 3_000) / 1000
    assert "does not fit in 3 s" in too_short.reply and f"{over:.1f} s more" in too_short.reply


def test_edit_one_sentence_resynthesises_one(voice_cache: Path) -> None:
    d = ok("narrate the script", None, [script()]).draft
    before = V.stats.synthesised
    p = ok('change the second sentence to "Our beans are roasted at dawn."', d, [script()])
    assert V.stats.synthesised == before + 1, "exactly the changed sentence is synthesised again"
    e = p.draft
    assert e is not None
    assert [v["txt"] for v in voices(e)][1] == "Our beans are roasted at dawn."
    assert [v["id"] for v in voices(e)] == [v["id"] for v in voices(d)]
    assert not [s for s in track(e, df.TRACK_TEXT) if s.get("k") == "title" and "dawn" in s.get("txt", "")]
    check_in_time(e)
    words = Draft(d).diff(Draft(e))
    assert any("Changed narration text" in w and "roasted at dawn" in w for w in words), words
    assert "sentence 2" in p.reply


def test_slower_different_and_no_narration() -> None:
    d = ok("narrate the script", None, [script()]).draft
    assert d is not None
    slow = ok("a slower voice", d, [script()]).draft
    assert slow is not None
    assert {v["rate"] for v in voices(slow)} == {0.85}
    assert sum(v["d"] for v in voices(slow)) > sum(v["d"] for v in voices(d))
    check_in_time(slow)
    other = ok("a different voice", slow, [script()])
    assert other.draft is not None
    assert {v["voice"] for v in voices(other.draft)} == {"espeak:en-us"}
    assert "only natural English voice is Joe" in other.reply
    check_in_time(other.draft)
    gone = ok("no narration", other.draft, [script()])
    assert gone.draft is not None and not voices(gone.draft)
    assert next(c["txt"] for c in track(gone.draft, df.TRACK_TEXT, "caption")) == "Welcome to our coffee shop."
    added = ok("add narration", gone.draft, [script()])
    assert added.draft is not None and len(voices(added.draft)) == 3
    check_in_time(added.draft)


def test_narration_over_an_existing_video_keeps_its_length() -> None:
    d = ok("a 20-second video of a forest with birds", None, []).draft
    p = ok("add captions from my script and a voice-over", d, [script()])
    e = p.draft
    assert e is not None and e["d"] == 20_000
    check_in_time(e)
    assert {s["scene"] for s in track(e, df.TRACK_VIDEO)} == {"forest"}


def test_chinese_script_uses_the_espeak_mandarin_voice() -> None:
    zh = script("我们的咖啡每天早上新鲜烘焙。欢迎今天来尝一杯！")
    p = ok("给我的脚本配旁白", None, [zh])
    d = p.draft
    assert d is not None
    assert [v["txt"] for v in voices(d)] == ["我们的咖啡每天早上新鲜烘焙。", "欢迎今天来尝一杯！"]
    assert {v["voice"] for v in voices(d)} == {"espeak:cmn"}
    check_in_time(d)
    assert "旁白" in p.reply


def test_narration_without_words_says_what_to_do() -> None:
    d = ok("a 10-second video of the ocean", None, []).draft
    p = _plan("add narration", d, [])
    assert "upload a TXT script or add captions" in p.reply
    assert _plan("no narration", d, []).reply.startswith("There is no narration")


def test_asks() -> None:
    a = N.asks("Make a video with a voice-over", "make a video with a voice-over")
    assert a.add and not a.remove
    assert N.asks("no narration please", "no narration please").remove
    assert N.asks("make the voice slower", "make the voice slower").slower
    assert N.asks("speak faster", "speak faster").faster
    assert N.asks("use a female voice", "use a female voice").different == "female"
    c = N.asks("Change the 3rd sentence to: We open at 7.", "change the 3rd sentence to: we open at 7.").change
    assert c == (3, "We open at 7.")
    assert N.asks("把第二句改成「新的句子」", "把第二句改成「新的句子」").change == (2, "新的句子")
    assert not N.asks("a video of a talking cat", "a video of a talking cat").any
