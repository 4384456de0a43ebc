"""Narration in the renderer: real voices (Piper, eSpeak NG), the sentence cache, ducking, captions in time.

Everything is judged from the audio: the mixed WAV or the rendered MP4's AAC track decoded by FFmpeg.
"""

from __future__ import annotations

import itertools
import subprocess
import wave
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from nemo_jupyter.engine.render import ffmpeg_exe, render_draft, validate_draft
from nemo_jupyter.engine.render.sound import audio as A
from nemo_jupyter.engine.render.sound import narration as N
from nemo_jupyter.engine.render.sound import voice as V

SR = 48000
SCRIPT = [
    "Our coffee is roasted in small batches every morning.",
    "Each bag is sealed within an hour of roasting.",
    "Try it today and taste the difference.",
]
GAP_MS = 700


@pytest.fixture
def voice_cache(tmp_path: Path) -> Iterator[Path]:
    V.configure(tmp_path / "voice-cache")
    yield tmp_path / "voice-cache"
    V.configure(None)


def narrated_draft(sentences: list[str], *, music: str | None = None, voice: str = "joe", lang: str = "en",
                   rate: float = 1.0) -> dict[str, Any]:
    """Sentences one after another with GAP_MS between them, captions on the same windows (as the planner lays
    sentences spoken longer than a caption takes to read)."""
    durs = V.spoken_seconds([V.utterance(s, voice, rate, lang) for s in sentences])
    st, vo, caps = 500, [], []
    for i, (s, d) in enumerate(zip(sentences, durs, strict=True)):
        ms = round(d * 1000)
        vo.append({"id": f"vo{i}", "k": "voice", "st": st, "d": ms, "txt": s, "voice": voice, "rate": rate})
        caps.append({"id": f"cap{i}", "k": "caption", "st": st, "d": ms, "txt": s, "pos": "bottom"})
        st += ms + GAP_MS
    total = st + 300
    audio = ([{"id": "bgm", "k": "music", "mood": music, "st": 0, "d": total, "v": 0.8}] if music else []) + vo
    return {"t": [{"tt": 0, "sg": [{"id": "s0", "k": "scene", "scene": "cafe", "st": 0, "d": total}]},
                  {"tt": 1, "n": "Audio", "sg": audio}, {"tt": 7, "sg": caps}],
            "d": total, "m": {"width": 640, "height": 360, "lang": lang}}


def without_voice(draft: dict[str, Any]) -> dict[str, Any]:
    out = {**draft, "t": [dict(t) for t in draft["t"]]}
    for t in out["t"]:
        t["sg"] = [sg for sg in t["sg"] if sg.get("k") != "voice"]
    return out


def only_voice(draft: dict[str, Any]) -> dict[str, Any]:
    out = {**draft, "t": [dict(t) for t in draft["t"]]}
    for t in out["t"]:
        t["sg"] = [sg for sg in t["sg"] if t["tt"] != 1 or sg.get("k") == "voice"]
    return out


def read_mix(path: Path) -> np.ndarray:
    with wave.open(str(path), "rb") as wf:
        x = np.frombuffer(wf.readframes(wf.getnframes()), dtype="<i2").astype(np.float64) / 32768
    return x.reshape(-1, 2)


def mp4_audio(path: Path) -> np.ndarray:
    res = subprocess.run([ffmpeg_exe(), "-v", "error", "-i", str(path), "-map", "0:a:0", "-ac", "2", "-ar", str(SR),
                          "-f", "f32le", "-"], capture_output=True, check=True)
    return np.frombuffer(res.stdout, dtype=np.float32).astype(np.float64).reshape(-1, 2)


def db(x: np.ndarray) -> float:
    return float(20 * np.log10(np.sqrt(np.mean(np.square(x))) + 1e-12))


def window(seg: dict[str, Any], pad_ms: float = 0.0) -> slice:
    return slice(int((seg["st"] + pad_ms) / 1000 * SR), int((seg["st"] + seg["d"] - pad_ms) / 1000 * SR))


def captions(draft: dict[str, Any]) -> list[dict[str, Any]]:
    return next(t["sg"] for t in draft["t"] if t["tt"] == 7)


def gaps(draft: dict[str, Any], margin_ms: float = 120) -> list[slice]:
    caps = captions(draft)
    return [slice(int((a["st"] + a["d"] + margin_ms) / 1000 * SR), int((b["st"] - margin_ms) / 1000 * SR))
            for a, b in itertools.pairwise(caps)]


def test_voices_ship_and_speak(voice_cache: Path) -> None:
    names = [v["name"] for v in V.catalogue()]
    assert "joe" in names and "espeak:cmn" in names
    assert V.default_voice("en").name == "joe" and V.default_voice("en").natural
    assert V.default_voice("zh-CN").name == "espeak:cmn"
    utts = [V.utterance(SCRIPT[0], "joe"), V.utterance("我们的咖啡每天早上新鲜烘焙。", None, 1.0, "zh-CN"),
            V.utterance("Le café est torréfié chaque matin.", None, 1.0, "fr")]
    for path, secs in zip(V.synthesize(utts), V.spoken_seconds(utts), strict=True):
        sig = V.read_wav(path)
        assert 0.8 < secs < 8.0
        assert -26 < db(sig) < -16, "every sentence is levelled to about -19 dBFS of voiced speech"
        assert np.abs(sig).max() < 0.9


def test_slower_rate_is_longer_and_unknown_voice_falls_back(voice_cache: Path, tmp_path: Path) -> None:
    fast, slow = V.spoken_seconds([V.utterance(SCRIPT[1], "joe", V.RATE_MAX), V.utterance(SCRIPT[1], "joe", V.RATE_MIN)])
    assert slow > fast * 1.25
    e_fast, e_slow = V.spoken_seconds([V.utterance(SCRIPT[1], "espeak:en-us", 1.25),
                                       V.utterance(SCRIPT[1], "espeak:en-us", 0.8)])
    assert e_slow > e_fast * 1.25
    # the same sentence lasts as long when synthesised again, to a frame or two of trimming
    V.configure(tmp_path / "another-cache")
    assert V.spoken_seconds([V.utterance(SCRIPT[1], "joe", V.RATE_MAX)])[0] == pytest.approx(fast, abs=0.07)  # two frames at 30 fps
    assert V.utterance("Hello there.", "no-such-voice").voice == "joe"
    assert V.next_voice("joe", "en").name != "joe"
    with pytest.raises(V.RenderError, match="Unknown voice"):
        V.voice("espeak:../../etc")


def test_edit_of_one_sentence_resynthesises_one(voice_cache: Path, tmp_path: Path) -> None:
    draft = narrated_draft(SCRIPT)
    before = V.stats.synthesised
    A.mix_draft(draft, draft["d"] / 1000, lambda s: None, tmp_path / "a.wav")
    assert V.stats.synthesised == before  # narrated_draft measured them: all three are cached
    edited = narrated_draft([SCRIPT[0], "Every bag is sealed within the hour.", SCRIPT[2]])
    assert V.stats.synthesised == before + 1
    A.mix_draft(edited, edited["d"] / 1000, lambda s: None, tmp_path / "b.wav")
    slower = [dict(sg, rate=0.9) if sg.get("id") == "vo2" else sg for sg in edited["t"][1]["sg"]]
    edited["t"][1]["sg"] = slower
    A.mix_draft(edited, edited["d"] / 1000, lambda s: None, tmp_path / "c.wav")
    assert V.stats.synthesised == before + 2, "a slower last sentence is one more synthesis, nothing else"


def test_music_ducks_at_least_10_db_under_the_voice(voice_cache: Path, tmp_path: Path) -> None:
    draft = narrated_draft(SCRIPT, music="soft")
    dur = draft["d"] / 1000
    # the stems as mixed (the finished mix is then levelled as a whole: tests/test_deliverables.py)
    both = read_mix(A.mix_draft(draft, dur, lambda s: None, tmp_path / "both.wav", level=False))
    music = read_mix(A.mix_draft(without_voice(draft), dur, lambda s: None, tmp_path / "music.wav", level=False))
    voice = read_mix(A.mix_draft(only_voice(draft), dur, lambda s: None, tmp_path / "voice.wav", level=False))
    assert np.abs(both).max() < 0.99, "no clipping"
    under = both - voice  # what is left of the music in the narrated mix
    for cap in captions(draft):
        w = window(cap)
        assert db(music[w]) - db(under[w]) >= 10.0
        assert db(voice[w]) - db(under[w]) >= 8.0, "the voice sits clearly above the ducked music"
    # music comes back when the narration is over
    tail = slice(int((captions(draft)[-1]["st"] + captions(draft)[-1]["d"] + 800) / 1000 * SR), None)
    if both[tail].shape[0] > SR // 10:
        assert abs(db(music[tail]) - db(both[tail])) < 3.0


def test_duck_gain_shape() -> None:
    g = N.duck_gain([(SR, 2 * SR)], 4 * SR)
    assert g[0] == pytest.approx(1.0)
    assert g[int(1.2 * SR)] == pytest.approx(10 ** (-N.DUCK_DB / 20), rel=1e-3)
    assert g[int(3.5 * SR)] == pytest.approx(1.0)
    assert np.abs(np.diff(g)).max() < 0.01, "smooth ramps, no clicks"


def test_duck_gain_is_the_moving_average_of_the_speech_windows() -> None:
    """The running sum gives the same ramps as the moving-average convolution it replaced."""
    n = 3 * SR
    windows = [(100, 9000), (20000, 21000), (40000, 90000), (n - 500, n + 400)]
    inside = np.zeros(n, dtype=np.float64)
    att, rel = int(N.DUCK_ATTACK * SR), int(N.DUCK_RELEASE * SR)
    for a, b in windows:
        inside[max(0, a - att):min(n, b + rel)] = 1.0
    smooth = np.convolve(inside, np.ones(att) / att, mode="full")[:n]
    floor = 10 ** (-N.DUCK_DB / 20)
    want = 1.0 - (1.0 - floor) * np.clip(smooth, 0, 1)
    got = N.duck_gain(windows, n)
    assert got.shape == (n,) and got.dtype == np.float32
    assert float(np.abs(got - want).max()) < 1e-5
    assert N.duck_gain([], 0).shape == (0,) and N.duck_gain([(0, 10)], 50).shape == (50,)


def test_voice_segment_needs_words_or_recording() -> None:
    draft = narrated_draft(SCRIPT[:1])
    draft["t"][1]["sg"][0]["txt"] = "  "
    assert any("voice segment needs 'txt'" in p for p in validate_draft(draft))


@pytest.mark.slow
def test_rendered_script_speaks_in_each_caption_window_and_is_quiet_between(voice_cache: Path,
                                                                            tmp_path: Path) -> None:
    draft = narrated_draft(SCRIPT)  # no music
    res = render_draft(draft, tmp_path / "n.mp4", resolve=lambda s: None, quality="low")
    audio = mp4_audio(res.path)
    assert abs(audio.shape[0] / SR - draft["d"] / 1000) < 0.1
    silence = db(audio[: int(0.4 * SR)])
    assert silence < -70
    for cap in captions(draft):
        speech = db(audio[window(cap)])
        assert speech > -30, f"caption {cap['txt']!r}: its window holds speech ({speech:.1f} dBFS)"
        assert speech - silence > 40
    for gap in gaps(draft):
        assert db(audio[gap]) < -55, "the gaps between sentences are quiet"
    assert np.abs(audio).max() < 0.99
