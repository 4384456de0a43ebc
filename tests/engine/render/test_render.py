"""The engine's renderer: real FFmpeg renders of small drafts, checked frame by frame."""

from __future__ import annotations

import re
import subprocess
import threading
import time
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from PIL import Image

from nemo_jupyter import draft_format as F
from nemo_jupyter.engine.render import (
    MediaError,
    RenderCancelled,
    RenderError,
    ffmpeg_exe,
    probe_media,
    render_draft,
    validate_draft,
)
from nemo_jupyter.engine.render.sound.audio import SR, _fast_len, _shape, synth_ambient, synth_music
from nemo_jupyter.engine.render.text.fonts import font_for
from nemo_jupyter.engine.render.text.text import render_text

pytestmark = pytest.mark.slow

W, H = 480, 270


# -- helpers -------------------------------------------------------------------------------------

def draft(scenes: list[dict[str, Any]] | None = None, *, d: int = 2000, w: int = W, h: int = H,
          audio: list[dict[str, Any]] | None = None, text: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    if scenes is None:
        scenes = [{"k": "scene", "scene": "forest", "cam": "pan_right", "st": 0, "d": d}]
    tracks: list[dict[str, Any]] = [{"tt": 0, "sg": [{"id": f"v{i}", **s} for i, s in enumerate(scenes)]}]
    if audio:
        tracks.append({"tt": 1, "sg": audio})
    if text:
        tracks.append({"tt": 7, "sg": text})
    return {"t": tracks, "d": d, "m": {"width": w, "height": h, "fps": 30}}


def no_files(_src: str) -> Path | None:
    return None


def render(tmp_path: Path, dr: dict[str, Any], name: str = "out.mp4", **kw: Any) -> Path:
    out = tmp_path / name
    kw.setdefault("resolve", no_files)
    res = render_draft(dr, out, **kw)
    assert res.path == out and out.is_file() and res.size == out.stat().st_size
    return out


def info(path: Path) -> str:
    return subprocess.run([ffmpeg_exe(), "-hide_banner", "-i", str(path)], capture_output=True, text=True).stderr


def count_frames(path: Path) -> int:
    err = subprocess.run([ffmpeg_exe(), "-hide_banner", "-i", str(path), "-map", "0:v", "-c", "copy", "-f", "null",
                          "-"], capture_output=True, text=True).stderr
    return int(re.findall(r"frame=\s*(\d+)", err)[-1])


def frame(path: Path, t: float) -> np.ndarray:
    m = re.search(r"(\d{2,5})x(\d{2,5})", info(path).split("Video:")[1])
    assert m
    w, h = int(m.group(1)), int(m.group(2))
    raw = subprocess.run([ffmpeg_exe(), "-v", "error", "-ss", f"{t:.3f}", "-i", str(path), "-frames:v", "1",
                          "-f", "rawvideo", "-pix_fmt", "rgb24", "-"], capture_output=True, check=True).stdout
    return np.frombuffer(raw, dtype=np.uint8)[: w * h * 3].reshape(h, w, 3).astype(np.float32)


def audio(path: Path) -> np.ndarray:
    raw = subprocess.run([ffmpeg_exe(), "-v", "error", "-i", str(path), "-map", "0:a", "-f", "f32le", "-ac", "2",
                          "-ar", "48000", "-"], capture_output=True, check=True).stdout
    return np.frombuffer(raw, dtype=np.float32).reshape(-1, 2)


def make_video(path: Path, spec: str, seconds: float, *, with_audio: bool = True) -> Path:
    cmd = [ffmpeg_exe(), "-v", "error", "-y", "-f", "lavfi", "-i", spec]
    if with_audio:
        cmd += ["-f", "lavfi", "-i", "sine=frequency=300:sample_rate=48000"]
    cmd += ["-t", str(seconds), "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p"]
    cmd += ["-c:a", "aac"] if with_audio else []
    subprocess.run([*cmd, str(path)], check=True)
    return path


# -- output format ---------------------------------------------------------------------------------

def test_output_is_h264_aac_30fps_exact_duration_with_audible_music(tmp_path: Path) -> None:
    dr = draft(d=2500, audio=[{"k": "music", "mood": "lofi", "st": 0, "d": 2500, "v": 0.8, "fi": 200, "fo": 200}])
    out = render(tmp_path, dr)
    text = info(out)
    assert re.search(r"Video: h264 .*yuv420p.*480x270.* 30 fps", text), text
    assert re.search(r"Audio: aac .*48000 Hz, stereo", text), text
    assert count_frames(out) == 75  # 2.5 s at 30 fps, exact to the frame
    a = audio(out)
    assert abs(len(a) / 48000 - 2.5) < 0.05
    assert float(np.sqrt(np.mean(a[24000:96000] ** 2))) > 0.02  # audible music in the middle
    # +faststart: the moov atom comes before the media data
    head = out.read_bytes()[:4096]
    assert head.find(b"moov") != -1 and (head.find(b"mdat") == -1 or head.find(b"moov") < head.find(b"mdat"))


def test_silent_audio_track_is_present_without_music(tmp_path: Path) -> None:
    out = render(tmp_path, draft(d=1000))
    assert "Audio: aac" in info(out)
    a = audio(out)
    assert len(a) > 40000
    assert float(np.abs(a).max()) < 1e-3


def test_1080p_and_vertical_720p_sizes(tmp_path: Path) -> None:
    out = render(tmp_path, draft(d=1000, w=1920, h=1080), "wide.mp4")
    assert re.search(r"h264 .*yuv420p.*1920x1080", info(out))
    assert count_frames(out) == 30
    vert = render(tmp_path, draft(d=1000, w=1080, h=1920), "vert.mp4", resolution="720p", quality="medium")
    assert re.search(r"h264 .*yuv420p.*720x1280", info(vert))


def test_preview_is_at_most_640x360_with_the_same_timeline_and_sound(tmp_path: Path) -> None:
    music = [{"k": "music", "mood": "lofi", "st": 0, "d": 2000, "v": 0.8, "fi": 200, "fo": 200}]
    wide = render(tmp_path, draft(d=2000, w=1920, h=1080, audio=music), "wide.mp4", quality="preview")
    assert re.search(r"h264 .*yuv420p.*640x360", info(wide)), info(wide)
    assert count_frames(wide) == 60  # the same timeline: 2 s at 30 fps
    a = audio(wide)
    assert abs(len(a) / 48000 - 2.0) < 0.05 and float(np.sqrt(np.mean(a[24000:72000] ** 2))) > 0.02
    # vertical: 360 on the short side, whatever resolution was asked for
    vert = render(tmp_path, draft(d=1000, w=1080, h=1920), "vert.mp4", resolution="1080p", quality="preview")
    assert re.search(r"h264 .*yuv420p.*360x640", info(vert)), info(vert)
    square = render(tmp_path, draft(d=1000, w=1080, h=1080), "sq.mp4", quality="preview")
    assert re.search(r"h264 .*yuv420p.*360x360", info(square)), info(square)
    # small drafts are never scaled up
    small = render(tmp_path, draft(d=1000, w=320, h=180), "small.mp4", quality="preview")
    assert re.search(r"h264 .*yuv420p.*320x180", info(small)), info(small)


# -- pictures ------------------------------------------------------------------------------------

def test_every_scene_family_renders_differently_and_is_not_flat(tmp_path: Path) -> None:
    seg = 400
    scenes = [{"k": "scene", "scene": fam, "cam": "still", "st": i * seg, "d": seg, "tr": "cut"}
              for i, fam in enumerate(F.SCENES)]
    out = render(tmp_path, draft(scenes, d=seg * len(scenes), w=320, h=180), quality="preview")
    frames = [frame(out, (i * seg + seg / 2) / 1000) for i in range(len(scenes))]
    means = []
    for fam, fr in zip(F.SCENES, frames, strict=True):
        assert fr.std() > 18, f"{fam} looks flat (std {fr.std():.1f})"
        means.append(np.concatenate([fr.reshape(-1, 3).mean(0), np.histogram(fr[..., 1], bins=8, range=(0, 255))[0] / fr[..., 1].size * 255]))
    for i in range(len(means)):
        for j in range(i + 1, len(means)):
            assert np.abs(means[i] - means[j]).max() > 6, f"{F.SCENES[i]} and {F.SCENES[j]} look alike"


def test_unknown_scene_falls_back_instead_of_failing(tmp_path: Path) -> None:
    dr = draft([{"k": "scene", "scene": "dragons", "st": 0, "d": 1000}], d=1000)
    assert validate_draft(dr) == []
    assert frame(render(tmp_path, dr), 0.5).std() > 10


def test_cross_fades_blend_two_scenes_and_keep_the_length(tmp_path: Path) -> None:
    scenes = [{"k": "scene", "scene": "night_sky", "cam": "still", "st": 0, "d": 1000},
              {"k": "scene", "scene": "desert", "cam": "still", "st": 1000, "d": 1000, "tr": "fade", "trd": 600},
              {"k": "scene", "scene": "underwater", "cam": "zoom_in", "st": 2000, "d": 1000, "tr": "cut"}]
    out = render(tmp_path, draft(scenes, d=3000), quality="preview")
    assert count_frames(out) == 90
    night, mid, desert = frame(out, 0.3).mean(), frame(out, 1.0).mean(), frame(out, 1.6).mean()
    assert night + 10 < mid < desert - 10  # halfway through the fade: between the two pictures
    assert frame(out, 2.5)[..., 2].mean() > frame(out, 2.5)[..., 0].mean() + 30  # blue water after the cut


def test_scenes_move(tmp_path: Path) -> None:
    out = render(tmp_path, draft([{"k": "scene", "scene": "birds", "cam": "pan_right", "st": 0, "d": 2500}], d=2500))
    a, b = frame(out, 0.5), frame(out, 1.5)
    assert np.abs(a - b).mean() > 2.0


def _title_diff(tmp_path: Path, txt: str) -> tuple[float, float]:
    base = [{"k": "scene", "scene": "ocean", "cam": "still", "st": 0, "d": 1500}]
    with_t = draft(base, d=1500, text=[{"k": "title", "txt": txt, "st": 0, "d": 1500, "fi": 0, "fo": 0}])
    a = frame(render(tmp_path, with_t, "t.mp4"), 0.7)
    b = frame(render(tmp_path, draft(base, d=1500), "n.mp4"), 0.7)
    diff = np.abs(a - b).mean(axis=2)
    centre = diff[H // 3: 2 * H // 3, W // 5: 4 * W // 5].mean()
    corner = diff[: H // 8, : W // 8].mean()
    return float(centre), float(corner)


def test_title_is_visible(tmp_path: Path) -> None:
    centre, corner = _title_diff(tmp_path, "Hello Forest")
    assert centre > 12 and centre > 4 * corner + 1


def test_cjk_title_renders_with_a_cjk_font(tmp_path: Path) -> None:
    path = font_for("森林之歌")
    assert "cjk" in Path(path).name.lower() or "han" in Path(path).name.lower() or "hei" in Path(path).name.lower()
    centre, corner = _title_diff(tmp_path, "森林之歌")
    assert centre > 10 and centre > 4 * corner + 1


def test_text_without_a_font_is_a_clear_error() -> None:
    with pytest.raises(RenderError, match="font"):
        font_for("\U0001d504\U0001d505 \U000e0100\U00016a40")  # scripts no installed font covers


def test_emoji_no_font_has_are_left_out_but_text_of_only_emoji_is_an_error(tmp_path: Path) -> None:
    mixed = render_text("Summer vibes \U0001f31e \u590f\u5929", W, H)
    plain = render_text("Summer vibes \u590f\u5929", W, H)
    assert mixed.image.size == plain.image.size
    dr = draft(d=1000, text=[{"k": "title", "txt": "\U0001f31e\U0001f3d6\ufe0f", "st": 0, "d": 1000}])
    with pytest.raises(RenderError, match="font"):
        render_draft(dr, tmp_path / "e.mp4", resolve=no_files, workdir=tmp_path / "w")
    assert not (tmp_path / "e.mp4").exists() and list((tmp_path / "w").iterdir()) == []


def test_uploaded_image_is_used(tmp_path: Path) -> None:
    img = tmp_path / "red.png"
    Image.new("RGB", (300, 200), (220, 20, 30)).save(img)
    dr = draft([{"k": "scene", "scene": "forest", "st": 0, "d": 1000},
                {"k": "image", "src": "cdn://red.png", "st": 1000, "d": 1500, "tr": "fade", "trd": 400}], d=2500)
    out = render(tmp_path, dr, resolve=lambda s: img if s == "cdn://red.png" else None)
    assert count_frames(out) == 75  # the cross-fade does not change the length
    fr = frame(out, 2.0)
    r, g, b = fr.reshape(-1, 3).mean(0)
    assert r > 170 and g < 60 and b < 70
    assert frame(out, 0.4).reshape(-1, 3).mean(0)[1] > 60  # the forest before it is not red


def test_uploaded_video_is_trimmed_and_its_sound_mixed(tmp_path: Path) -> None:
    src = make_video(tmp_path / "clip.mp4", "color=c=blue:s=320x240:r=30,drawbox=enable='gte(t,2)':c=green:t=fill", 4)
    dr = draft([{"k": "video", "src": "cdn://clip", "ss": 2500, "st": 0, "d": 1200, "v": 1.0}], d=1200)
    out = render(tmp_path, dr, resolve=lambda s: src)
    fr = frame(out, 0.6)
    r, g, b = fr[:, W // 3: 2 * W // 3].reshape(-1, 3).mean(0)
    assert g > 90 and b < 60, (r, g, b)  # green: the part after 2 s
    assert fr[:, :10].mean() < 20  # letterboxed 4:3 -> pillars
    assert float(np.sqrt(np.mean(audio(out)[9600:48000] ** 2))) > 0.02


def test_uploaded_audio_is_looped_to_its_segment_and_volume_applies(tmp_path: Path) -> None:
    """A segment's volume sets its level in the mix: the whole mix is then made as loud as where the
    video goes expects (sound/loudness.py), so v=0.25 is a quarter of v=1.0 beside it."""
    wav = tmp_path / "tone.wav"
    subprocess.run([ffmpeg_exe(), "-v", "error", "-f", "lavfi", "-i", "sine=frequency=500:duration=1:sample_rate=44100",
                    str(wav)], check=True)
    scenes = [{"k": "scene", "scene": "abstract", "st": 0, "d": 6000}]
    dr = draft(scenes, d=6000, w=320, h=180,
               audio=[{"k": "audio", "src": "cdn://tone", "st": 0, "d": 3000, "v": 1.0, "fi": 0, "fo": 0},
                      {"k": "audio", "src": "cdn://tone", "st": 3000, "d": 3000, "v": 0.25, "fi": 0, "fo": 0}])
    a = audio(render(tmp_path, dr, "a.mp4", resolve=lambda s: wav, quality="preview"))
    rms = np.array([np.sqrt(np.mean(a[i * 24000:(i + 1) * 24000] ** 2)) for i in range(12)])
    loud, soft = rms[1:5], rms[7:11]
    assert loud.min() > 0.03 and loud.min() > 0.7 * loud.max()  # still sounding after the 1 s source: looped
    assert 3.0 < float(np.median(loud) / np.median(soft)) < 5.5  # v=0.25 is about a quarter of v=1.0


# -- progress, cancel, temp files ------------------------------------------------------------------

def test_progress_reaches_100_and_temp_files_are_cleaned(tmp_path: Path) -> None:
    work = tmp_path / "work"
    seen: list[float] = []
    render(tmp_path, draft(d=3000, audio=[{"k": "ambient", "snd": "rain", "st": 0, "d": 3000}]),
           progress=seen.append, workdir=work)
    assert seen and seen[-1] == 100.0
    assert seen == sorted(seen)
    assert list(work.iterdir()) == []
    assert [p.name for p in tmp_path.iterdir() if p.name != "work"] == ["out.mp4"]


def test_cancel_stops_ffmpeg_and_leaves_nothing(tmp_path: Path) -> None:
    work = tmp_path / "work"
    cancel = threading.Event()
    started: list[float] = []

    def progress(p: float) -> None:
        started.append(p)
        cancel.set()

    dr = draft([{"k": "scene", "scene": "city", "cam": "zoom_in", "st": 0, "d": 60000}], d=60000, w=640, h=360)
    t0 = time.monotonic()
    with pytest.raises(RenderCancelled):
        render_draft(dr, tmp_path / "out.mp4", resolve=no_files, progress=progress, cancel=cancel, workdir=work)
    assert started, "FFmpeg never reported progress"
    assert time.monotonic() - t0 < 30
    assert not (tmp_path / "out.mp4").exists()
    assert list(work.iterdir()) == []
    assert [p.name for p in tmp_path.iterdir()] == ["work"]
    out = subprocess.run(["pgrep", "-f", str(work)], capture_output=True, text=True).stdout
    assert out.strip() == ""  # no FFmpeg left running on our files


# -- bad drafts --------------------------------------------------------------------------------------

def test_validate_draft_names_the_problems(tmp_path: Path) -> None:
    assert validate_draft(draft()) == []
    assert any("nothing to show" in p for p in validate_draft({"t": [], "d": 1000}))
    bad = draft([{"k": "scene", "scene": "forest", "st": -5, "d": 1000}])
    assert any("v0" in p and "start" in p for p in validate_draft(bad))
    missing = draft([{"k": "image", "src": "cdn://gone.png", "st": 0, "d": 1000}])
    probs = validate_draft(missing, resolve=no_files)
    assert any("v0" in p and "cdn://gone.png" in p for p in probs)
    with pytest.raises(RenderError, match="v0"):
        render_draft(missing, tmp_path / "x.mp4", resolve=no_files)
    assert not (tmp_path / "x.mp4").exists()
    assert any("duration" in p for p in validate_draft({"t": [{"tt": 0, "sg": [{"st": 0, "d": 0}]}], "d": 0}))


def test_ffmpeg_failure_is_a_render_error_with_its_reason(tmp_path: Path) -> None:
    broken = tmp_path / "broken.mp4"
    broken.write_bytes(b"\x00\x00\x00\x18ftypisom" + b"\x00" * 2000)
    dr = draft([{"k": "video", "src": "cdn://b", "st": 0, "d": 1000, "v": 0}], d=1000)
    with pytest.raises(RenderError) as exc:
        render_draft(dr, tmp_path / "out.mp4", resolve=lambda s: broken)
    assert "FFmpeg" in str(exc.value) or "decode" in str(exc.value)
    assert not (tmp_path / "out.mp4").exists()


def test_a_room_at_night_is_dimmed_to_lamplight_not_covered_in_stars() -> None:
    from nemo_jupyter.engine.render.picture.elements import ELEMENT_KEYS
    from nemo_jupyter.engine.render.picture.scenes import ROOMS_BY_DAY, element_sprites, paint_scene

    day = paint_scene("desk", 480, 270, 648, 270, seed=1, dur=4.0)
    night = paint_scene("desk", 480, 270, 648, 270, seed=1, dur=4.0, elements=["stars"])
    lum = [float(np.asarray(x.background.convert("L"), dtype=np.float32).mean()) for x in (day, night)]
    assert lum[1] < 0.75 * lum[0] and night.night and not day.night
    star = ELEMENT_KEYS["stars"]
    assert not any(sp.key.startswith(star) for sp in night.sprites)
    assert "desk" in ROOMS_BY_DAY and not element_sprites(["stars"], [], 480, 270, 4.0, seed=1, family="desk")
    outside = paint_scene("city", 480, 270, 648, 270, seed=1, dur=4.0, elements=["stars"])
    assert element_sprites(["stars"], [], 480, 270, 4.0, seed=1, family="city") and outside is not None


# -- audio synthesis -------------------------------------------------------------------------------

def test_music_moods_are_real_music_and_deterministic() -> None:
    spectra = {}
    for mood in F.MOODS:
        a = synth_music(mood, 4.0, seed=3)
        assert a.shape == (4 * 48000, 2) and a.dtype == np.float32
        assert 0.1 < float(np.abs(a).max()) <= 1.0
        assert np.array_equal(a, synth_music(mood, 4.0, seed=3))
        spec = np.abs(np.fft.rfft(a[:, 0]))
        peaks = (spec > spec.max() * 0.1).sum()
        assert peaks > 20, f"{mood} is too close to a plain tone"
        assert float(np.abs(np.diff(a[:, 0])).max()) < 0.5  # no clicks
        spectra[mood] = spec[: 4000] / spec.max()
    moods = list(spectra)
    for i in range(len(moods)):
        for j in range(i + 1, len(moods)):
            assert np.abs(spectra[moods[i]] - spectra[moods[j]]).mean() > 0.005


def _smooth(m: int) -> bool:
    for p in (2, 3, 5):
        while m % p == 0:
            m //= p
    return m == 1


def test_fast_fft_length_is_the_smallest_5_smooth_one() -> None:
    for n in [*range(1, 1200), 1123902, 350400, 999983]:
        m = _fast_len(n)
        assert m >= n and _smooth(m), (n, m)
        if n < 1200:  # the smallest one
            assert not any(_smooth(k) for k in range(n, m)), (n, m)


def test_sound_filter_is_the_same_circular_filter_at_any_length() -> None:
    """A length the FFT is slow at (a 23.4 s lofi loop: a large prime factor) is padded round to a
    fast one; the filtered sound is that of the exact circular filter at the original length."""
    lowpass = lambda f: 1 / np.sqrt(1 + (f / 4500) ** 4)  # noqa: E731 (the lofi loop's)
    for n in (1440000, 1123902, 48000 * 7 + 1):
        x = np.random.default_rng(n).standard_normal(n).astype(np.float32)
        exact = np.fft.irfft(np.fft.rfft(x.astype(np.float64)) * lowpass(np.fft.rfftfreq(n, 1 / SR)), n=n)
        got = _shape(x, lowpass)
        assert got.shape == (n,) and got.dtype == np.float32
        err = np.abs(got - exact)
        scale = float(np.sqrt(np.mean(exact ** 2)))
        if _smooth(n):
            assert float(err.max()) < 1e-4 * scale * 10
        else:  # only the few samples at the seam can differ, and then by little
            assert float(np.sqrt(np.mean(err ** 2))) < 1e-3 * scale
            assert float(err[2000:-2000].max()) < 1e-3 * scale


def test_ambient_sounds_differ() -> None:
    beds = {k: synth_ambient(k, 3.0) for k in F.AMBIENT}
    for k, a in beds.items():
        assert float(np.sqrt(np.mean(a ** 2))) > 0.01, k
    cents = {k: float((np.abs(np.fft.rfft(a[:, 0])) * np.arange(a.shape[0] // 2 + 1)).sum()
                      / np.abs(np.fft.rfft(a[:, 0])).sum()) for k, a in beds.items()}
    assert cents["birds"] > cents["waves"]  # chirps are high, swells are low


# -- probe_media -----------------------------------------------------------------------------------

def test_probe_real_media(tmp_path: Path) -> None:
    png = tmp_path / "p.png"
    Image.new("RGB", (64, 48), (1, 2, 3)).save(png)
    assert probe_media(png) == {"file_type": "image", "duration": 0.0, "width": 64, "height": 48, "fps": None,
                                "has_audio": False}
    mp4 = make_video(tmp_path / "v.mp4", "testsrc2=size=160x120:rate=25", 1.0)
    v = probe_media(mp4)
    assert (v["file_type"], v["width"], v["height"], v["fps"], v["has_audio"]) == ("video", 160, 120, 25.0, True)
    assert abs(v["duration"] - 1.0) < 0.1
    wav = tmp_path / "a.wav"
    subprocess.run([ffmpeg_exe(), "-v", "error", "-f", "lavfi", "-i", "sine=d=1.5", str(wav)], check=True)
    a = probe_media(wav)
    assert a["file_type"] == "audio" and abs(a["duration"] - 1.5) < 0.05 and a["width"] is None


@pytest.mark.parametrize(
    ("name", "content", "match"),
    [
        ("notes.png", b"hello, this is text\n", "plain text"),
        ("photo.mp4", None, "JPEG"),
        ("cut.png", "truncated", "corrupt"),
        ("bad.mp4", b"\x00\x00\x00\x18ftypisom" + b"\x01" * 500, "corrupt"),
        ("empty.wav", b"", "empty"),
    ],
)
def test_probe_rejects_corrupt_and_mislabelled(tmp_path: Path, name: str, content: object, match: str) -> None:
    path = tmp_path / name
    if content is None:
        Image.new("RGB", (32, 32), (9, 9, 9)).save(path, format="JPEG")
    elif content == "truncated":
        Image.new("RGB", (200, 200), (9, 200, 9)).save(path)
        path.write_bytes(path.read_bytes()[:120])
    else:
        assert isinstance(content, bytes)
        path.write_bytes(content)
    with pytest.raises(MediaError, match=match):
        probe_media(path)
