"""What creators and teachers ship (issue 22), each example of its "Why" through the Python API (and the
coffee promo through ``%%nemo``), on the real engine, with real renders read back: the brand and the end
card by OCR of frames, the logo in its corner on frames through the video, the screenshot inside its
drawn phone, the voice-over on the voice track and in no title, the loudness by FFmpeg's ebur128, the
size of a rainy city at 1080p."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from _promo import APP_BLUE, LOGO_RED, frame, loudness, promo_media, share_of, words_on
from IPython.utils.capture import capture_output

from nemo_jupyter import Nemo
from nemo_jupyter import draft_format as df
from nemo_jupyter.engine.planner import plan

COFFEE = ("a 15-second vertical promo for my coffee brand 'Bean There' with my photos: put my logo in the top "
          "right corner, the caption 'Fresh roast every morning', end with 'Order now at beanthere.com'")
SNEAKER = ("a 15-second ad for my sneakers with my product photos, the text 'Run lighter', and end with "
           "'AirStep 2 – out now'")
APP = ("a 15-second promo for my study app: show my app screenshot, my logo in the top right corner, and a "
       "voiceover saying 'Stay focused, study smarter with FocusFlow.'")


@pytest.fixture(scope="module")
def media(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    return promo_media(tmp_path_factory.mktemp("creator"))


@pytest.fixture
def nemo(engine: Any) -> Any:
    with Nemo(backend=engine.url) as n:
        yield n


def segs(draft: dict[str, Any], *kinds: str) -> list[dict[str, Any]]:
    return sorted((s for t in draft["t"] for s in t["sg"] if s.get("k") in kinds), key=lambda s: s["st"])


def export(session: Any, out: Path, quality: str = "low", resolution: str | None = "720p") -> Path:
    return Path(session.export(quality=quality, resolution=resolution).wait().download(out))


def checklist(reply_brief: dict[str, Any], what: str) -> list[dict[str, Any]]:
    return [c for c in reply_brief["checklist"] if c["what"] == what]


# -- the coffee promo ------------------------------------------------------------------------------
def test_coffee_promo_brand_card_caption_end_card_and_logo_in_its_corner(nemo: Any, media: dict[str, Path],
                                                                         tmp_path: Path) -> None:
    s = nemo.session()
    s.upload(media["cup"], media["cafe"], media["logo"])
    reply = s.ask(COFFEE)
    d = reply.draft.to_json()
    total = d["d"]
    assert total == 15_000 and d["m"]["title"] == "Bean There"  # the file is named after the brand
    titles = segs(d, "title")
    brand = next(t for t in titles if t.get("role") == "brand")
    end = next(t for t in titles if t.get("role") == "end_card")
    assert brand["txt"] == "Bean There" and brand["st"] == 0
    assert end["txt"] == "Order now at beanthere.com" and end["st"] >= 0.75 * total and end["st"] + end["d"] == total
    (caption,) = [c for c in segs(d, "caption") if c["txt"] == "Fresh roast every morning"]
    assert brand["st"] + brand["d"] <= caption["st"] < end["st"]
    # the photos are the pictures, in upload order; the logo is not one of them: it is a corner overlay
    video = segs(d, "image", "video")
    assert [v["n"] for v in video][:2] == ["coffee_cup.jpg", "cafe.jpg"] and all("logo" not in v["n"] for v in video)
    (logo,) = segs(d, "overlay")
    assert logo["corner"] == "top_right" and logo["w"] < 0.2 and logo["d"] >= 0.9 * total
    assert "not done" not in reply.text.lower() and "differently" not in reply.text.lower(), reply.text

    out = export(s, tmp_path / "coffee.mp4")
    assert "bean there" in words_on(frame(out, 1.5))                       # the brand card
    assert "order now" in words_on(frame(out, 0.93 * total / 1000))        # the end card, at the end
    assert "order now" not in words_on(frame(out, 1.5))
    assert "fresh roast" in words_on(frame(out, 7.0))
    for t in (0.1, 0.5, 0.9):  # the logo, small, in the top right corner, through the video
        img = frame(out, t * total / 1000)
        assert share_of(img, LOGO_RED, (0.78, 0.0, 1.0, 0.1)) > 0.03, t
        assert share_of(img, LOGO_RED, (0.0, 0.0, 0.75, 1.0)) < 0.002, t
    integrated, peak = loudness(out)
    assert abs(integrated - df.LOUDNESS["social"]) <= 1.0 and peak <= df.TRUE_PEAK_DB, (integrated, peak)


def test_coffee_promo_through_the_magics_is_saved_under_the_brand(ip: Any, engine: Any, media: dict[str, Path],
                                                                  tmp_path: Path) -> None:
    shell, rec, magics = ip
    magics.backend = engine.url
    magics.refresh_hz = 50.0
    magics.conversations.current = "coffee"
    with capture_output(display=False):
        assert shell.run_cell(f"%nemo upload {media['cup']} {media['cafe']} {media['logo']}").success
        result = shell.run_cell(f"%%nemo -x -o rep --quality preview\n{COFFEE}")
    assert result.success, result.error_in_exec
    videos = [c["data"]["text/html"] for c in rec.calls if "<video" in c["data"].get("text/html", "")]
    m = re.search(r'<video src="(nemo_outputs/[^"]+\.mp4)"', videos[-1])
    assert m and Path(m.group(1)).name == "bean-there.mp4", m and m.group(1)
    out = tmp_path / m.group(1)
    assert "bean there" in words_on(frame(out, 1.5))
    reply = shell.user_ns["rep"]
    assert "introducing" not in reply.text.lower()


# -- the sneaker ad --------------------------------------------------------------------------------
def test_sneaker_ad_product_photos_as_hero_shots_and_a_final_card(nemo: Any, media: dict[str, Path],
                                                                  tmp_path: Path) -> None:
    s = nemo.session()
    s.upload(media["shoe1"], media["shoe2"])
    d = s.ask(SNEAKER).draft.to_json()
    total = d["d"]
    shots = segs(d, "image")
    assert [v["n"] for v in shots][:2] == ["airstep_1.jpg", "airstep_2.jpg"]  # upload order
    assert len(shots) >= 3 and all(v["d"] <= 5_000 for v in shots)  # not one photo zooming for 15 s
    assert [v.get("frame") for v in shots][:2] == ["hero", "hero"]
    (end,) = [t for t in segs(d, "title") if t.get("role") == "end_card"]
    assert end["txt"] == "AirStep 2 – out now" and end["st"] >= 0.75 * total
    assert any(c["txt"] == "Run lighter" for c in segs(d, "caption"))
    out = export(s, tmp_path / "sneaker.mp4", quality="preview", resolution=None)
    hero = frame(out, 1.0)
    # cut out: the studio grey of the photo is gone from the corners (a gradient backdrop), the shoe is centred
    assert share_of(hero, (232, 232, 235), (0.0, 0.0, 0.12, 0.2), tol=6) < 0.5
    assert share_of(hero, (30, 110, 220), (0.25, 0.3, 0.75, 0.75)) > 0.05
    assert "run lighter" in words_on(frame(out, 3.0))
    assert "airstep" in words_on(frame(out, 14.0)).replace(" ", "")


# -- the app ad ------------------------------------------------------------------------------------
def test_app_ad_screenshot_in_a_phone_logo_in_its_corner_and_the_voiceover_spoken(nemo: Any, media: dict[str, Path],
                                                                                  tmp_path: Path) -> None:
    s = nemo.session()
    s.upload(media["screen"], media["logo"])
    reply = s.ask(APP)
    d = reply.draft.to_json()
    line = "Stay focused, study smarter with FocusFlow."
    voices = segs(d, "voice")
    assert [v["txt"] for v in voices] == [line]                     # on the voice track
    assert all(line not in str(t.get("txt")) for t in segs(d, "title", "caption", "text"))  # in no title
    assert not any(t.get("txt") in ("Introducing", "Designed for you", "Available now")
                   for t in segs(d, "title", "caption", "voice"))  # no stock ad words said or shown
    shots = segs(d, "image")
    assert shots and all(v["n"] == "app_screen.png" and v.get("frame") == "phone" for v in shots)
    (logo,) = segs(d, "overlay")
    assert logo["corner"] == "top_right"
    out = export(s, tmp_path / "app.mp4", quality="preview", resolution=None)
    img = frame(out, 7.0)
    # the screenshot, inside a dark phone: its blue header in the middle, the bezel dark on both sides
    assert share_of(img, APP_BLUE, (0.35, 0.0, 0.65, 0.5)) > 0.03
    arr = np.asarray(img.convert("L"), dtype=int)
    blue_rows = np.nonzero((np.abs(np.asarray(img, dtype=int) - np.array(APP_BLUE)).max(axis=2) < 50).any(axis=1))[0]
    row = arr[int(np.median(blue_rows))]
    cols = np.nonzero(np.abs(np.asarray(img, dtype=int)[int(np.median(blue_rows))] - np.array(APP_BLUE))
                       .max(axis=1) < 50)[0]
    left, right = cols.min(), cols.max()
    assert row[max(0, left - 6):left].min() < 45 and row[right + 1:right + 7].min() < 45  # the bezel
    v = voices[0]
    assert v["st"] >= 0 and v["st"] + v["d"] <= d["d"]


# -- captions at their moment ----------------------------------------------------------------------
def test_a_caption_at_10_s_starts_at_10_s(nemo: Any, tmp_path: Path) -> None:
    s = nemo.session()
    d = s.ask("a 30-second video of the ocean, add the caption 'Deep blue' at 10 s").draft.to_json()
    (cap,) = [c for c in segs(d, "caption") if c["txt"] == "Deep blue"]
    assert cap["st"] == 10_000
    out = export(s, tmp_path / "ocean.mp4", quality="preview", resolution=None)
    bottom = (0.1, 0.7, 0.9, 1.0)
    assert "deep blue" in words_on(frame(out, 11.0), bottom)
    assert "deep blue" not in words_on(frame(out, 9.0), bottom)


@pytest.mark.parametrize("prompt", [
    "a 20-second video about the water cycle with the caption 'Clouds!' when the clouds form",
    "a 2-minute narrated lesson about the water cycle with the caption 'Clouds!' when the clouds form",
])
def test_a_caption_when_x_shows_over_the_scene_of_x(prompt: str) -> None:
    r = plan(prompt, None, [])
    d = r.draft
    assert d is not None and r.brief is not None
    (asked,) = [t for t in r.brief["texts"] if t["text"] == "Clouds!"]
    assert asked["status"] == "done" and asked["moment"]["scene"] == 1
    (cap,) = [c for c in segs(d, "caption") if c["txt"] == "Clouds!"]
    pictures = segs(d, "scene")
    over = [p for p in pictures if p["st"] <= cap["st"] < p["st"] + p["d"]]
    assert over and "cloud" in str(over[0].get("act")) + str(over[0].get("el")), over
    assert (cap["st"], cap["d"]) == (over[0]["st"], over[0]["d"])


def test_a_greeting_message_is_the_greeting_s_title() -> None:
    r = plan("a get well soon video for my friend with the message 'Get well soon'", None, [])
    assert r.draft is not None
    (title,) = [t for t in segs(r.draft, "title") if t["txt"] == "Get well soon"]
    assert title["role"] == "greeting" and title["st"] == 0 and title["anim"] == "rise"


# -- narration that carries the lesson -------------------------------------------------------------
def speech_share(d: dict[str, Any]) -> float:
    return sum(v["d"] for v in segs(d, "voice")) / d["d"]


def test_the_lessons_points_are_said_in_full_sentences_and_fill_the_video() -> None:
    r = plan("a narrated lesson about how the Egyptians built the pyramids in 3 steps: cutting stone, moving "
             "blocks on sledges, building layer by layer", None, [])
    d = r.draft
    assert d is not None
    said = [v["txt"] for v in segs(d, "voice")]
    assert said[:3] == ["First, cutting stone.", "Then, moving blocks on sledges.", "Finally, building layer by layer."]
    assert [c["txt"] for c in segs(d, "caption")] == said  # the voice says the captions it shows
    assert speech_share(d) >= 0.6


def test_a_long_lesson_says_how_much_is_silent_and_offers_the_shorter_video() -> None:
    r = plan("a 2-minute narrated lesson about the water cycle", None, [])
    d = r.draft
    assert d is not None and d["d"] == 120_000
    assert speech_share(d) < 0.6
    m = re.search(r"fills ([\d.]+) s of the 120 s \(([\d.]+) s without speech\); say \"make it ([\d.]+) seconds\"",
                  r.reply)
    assert m, r.reply
    speech, silent, fit = (float(x) for x in m.groups())
    assert speech + silent == pytest.approx(120, abs=0.2) and speech < fit < 60
    shorter = plan(f"a {fit:g}-second narrated lesson about the water cycle", None, [])
    assert shorter.draft is not None and speech_share(shorter.draft) >= 0.6


def test_chinese_narration_on_a_topic_with_no_script_of_its_own() -> None:
    r = plan("做一个关于长城的视频，配上中文旁白", None, [])
    d = r.draft
    assert d is not None
    voices = segs(d, "voice")
    assert voices and all(v["voice"].startswith("espeak:cmn") or v["voice"] == "joe" for v in voices)
    assert all(re.search(r"[\u4e00-\u9fff]", v["txt"]) for v in voices)
    assert [c["txt"] for c in segs(d, "caption")] == [v["txt"] for v in voices]


# -- sound and size --------------------------------------------------------------------------------
@pytest.mark.parametrize(("aspect", "loud", "target"), [
    ("vertical", None, df.LOUDNESS["social"]),
    ("square", None, df.LOUDNESS["social"]),
    ("", None, df.LOUDNESS["web"]),
    ("", "broadcast", df.LOUDNESS["broadcast"]),
])
def test_loudness_is_normalised_for_where_the_video_goes(nemo: Any, tmp_path: Path, aspect: str, loud: str | None,
                                                         target: float) -> None:
    s = nemo.session()
    d = s.ask(f"a 6-second {aspect} video of a beach with waves and upbeat music").draft.to_json()
    if loud:
        d["m"]["loud"] = loud
    job = s.export(quality="preview", draft=d)
    out = Path(job.wait().download(tmp_path / "loud.mp4"))
    integrated, peak = loudness(out)
    assert abs(integrated - target) <= 1.0, integrated
    assert peak <= df.TRUE_PEAK_DB, peak


def test_rain_does_not_blow_up_a_1080p_file(nemo: Any, tmp_path: Path) -> None:
    """12 s of a rainy city at 1080p high stays under 8 Mb/s with its sound: 90 s stay under 90 MB."""
    s = nemo.session()
    d = s.ask("a 12-second video of a city in heavy rain with rain sounds").draft.to_json()
    assert any("rain" in (v.get("el") or []) or v.get("scene") == "rain" for v in segs(d, "scene"))
    out = export(s, tmp_path / "rain.mp4", quality="high", resolution="1080p")
    mbps = out.stat().st_size * 8 / 12 / 1e6
    assert mbps <= 8.0, mbps
    assert mbps * 90 / 8 <= 90


# -- every example through %%nemo ------------------------------------------------------------------
def _sneaker(d: dict[str, Any]) -> None:
    assert [v.get("frame") for v in segs(d, "image")][:2] == ["hero", "hero"]
    (end,) = [t for t in segs(d, "title") if t.get("role") == "end_card"]
    assert end["st"] >= 0.75 * d["d"] and any(c["txt"] == "Run lighter" for c in segs(d, "caption"))


def _app(d: dict[str, Any]) -> None:
    line = "Stay focused, study smarter with FocusFlow."
    assert [v["txt"] for v in segs(d, "voice")] == [line]
    assert all(line not in str(t.get("txt")) for t in segs(d, "title", "caption", "text"))
    assert all(v.get("frame") == "phone" for v in segs(d, "image"))
    (logo,) = segs(d, "overlay")
    assert logo["corner"] == "top_right" and logo["w"] < 0.2 and logo["d"] >= 0.9 * d["d"]


def _caption_at_10(d: dict[str, Any]) -> None:
    assert [c["st"] for c in segs(d, "caption") if c["txt"] == "Deep blue"] == [10_000]


def _when(d: dict[str, Any]) -> None:
    (cap,) = [c for c in segs(d, "caption") if c["txt"] == "Clouds!"]
    (under,) = [p for p in segs(d, "scene") if p["st"] == cap["st"]]
    assert "cloud" in str(under.get("act")) + str(under.get("el")) and under["d"] == cap["d"]


def _greeting(d: dict[str, Any]) -> None:
    assert [(t["txt"], t["role"], t["st"]) for t in segs(d, "title")] == [("Get well soon", "greeting", 0)]


def _lesson(d: dict[str, Any]) -> None:
    said = [v["txt"] for v in segs(d, "voice")]
    assert said[:3] == ["First, cutting stone.", "Then, moving blocks on sledges.", "Finally, building layer by layer."]
    assert speech_share(d) >= 0.6


def _chinese(d: dict[str, Any]) -> None:
    voices = segs(d, "voice")
    assert voices and all(re.search(r"[\u4e00-\u9fff]", v["txt"]) for v in voices)


@pytest.mark.parametrize(("prompt", "files", "check"), [
    (SNEAKER, ["shoe1", "shoe2"], _sneaker),
    (APP, ["screen", "logo"], _app),
    ("a 30-second video of the ocean, add the caption 'Deep blue' at 10 s", [], _caption_at_10),
    ("a 20-second video about the water cycle with the caption 'Clouds!' when the clouds form", [], _when),
    ("a get well soon video for my friend with the message 'Get well soon'", [], _greeting),
    ("a narrated lesson about how the Egyptians built the pyramids in 3 steps: cutting stone, moving blocks on "
     "sledges, building layer by layer", [], _lesson),
    ("做一个关于长城的视频，配上中文旁白", [], _chinese),
], ids=["sneaker", "app", "caption-at-10s", "when", "greeting", "lesson", "chinese"])
def test_every_example_through_the_magics(ip: Any, engine: Any, media: dict[str, Path], prompt: str,
                                          files: list[str], check: Any, request: pytest.FixtureRequest) -> None:
    shell, _rec, magics = ip
    magics.backend = engine.url
    magics.refresh_hz = 50.0
    with capture_output(display=False):
        assert shell.run_cell(f"%nemo new {request.node.callspec.id}").success
        if files:
            assert shell.run_cell("%nemo upload " + " ".join(str(media[f]) for f in files)).success
        result = shell.run_cell(f"%%nemo -o rep\n{prompt}")
    assert result.success, result.error_in_exec
    draft = shell.user_ns["rep"].draft
    assert draft is not None
    check(draft.to_json())


def test_the_logo_moves_by_words_and_in_the_dataframe() -> None:
    from nemo_jupyter import Draft

    assets = [{"filename": n, "file_type": "image", "cdn_url": f"cdn://{n}", "width": w, "height": h}
              for n, w, h in (("bread.jpg", 1200, 900), ("logo.png", 600, 300))]
    first = plan("a 10-second video of a forest", None, assets)
    assert first.draft is not None and not segs(first.draft, "overlay")
    put = plan("put my logo in the bottom left corner", first.draft, assets)
    assert put.draft is not None
    (logo,) = segs(put.draft, "overlay")
    assert (logo["corner"], logo["st"], logo["d"]) == ("bottom_left", 0, 10_000) and logo["w"] < 0.2
    moved = plan("move my logo to the top right corner", put.draft, assets)
    assert moved.draft is not None and [s["corner"] for s in segs(moved.draft, "overlay")] == ["top_right"]
    # in the DataFrame: the overlay is a row, its corner and width in "extra"
    df = Draft(moved.draft).to_dataframe()
    (row,) = df.index[df["kind"] == "overlay"]
    df.at[row, "extra"] = {**df.at[row, "extra"], "corner": "bottom_right", "w": 0.08}
    (back,) = segs(Draft.from_dataframe(df).to_json(), "overlay")
    assert (back["corner"], back["w"], back["src"]) == ("bottom_right", 0.08, "cdn://logo.png")
