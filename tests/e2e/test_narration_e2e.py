"""Narration end to end: a TXT script uploaded over real HTTP, "narrate the script" planned by the engine,
the MP4 rendered by its queue, and the sound judged from the MP4's audio alone."""

from __future__ import annotations

import itertools
import subprocess
from pathlib import Path
from typing import Any

import imageio_ffmpeg
import numpy as np
import pytest
from test_engine_e2e import Api

pytestmark = pytest.mark.slow

SR = 48000
SCRIPT = ("Our coffee is roasted in small batches every morning.\n"
          "Each bag is sealed within an hour of roasting.\n"
          "Try it today and taste the difference.\n")


@pytest.fixture
def api(engine: Any) -> Api:
    return Api(engine.url)


def audio(path: Path) -> np.ndarray:
    # decoded as it is (stereo) and averaged: FFmpeg's own downmix adds +3 dB to a centred voice
    pcm = subprocess.run([imageio_ffmpeg.get_ffmpeg_exe(), "-v", "error", "-i", str(path), "-map", "0:a:0",
                          "-ar", str(SR), "-f", "f32le", "-"], capture_output=True, timeout=120, check=True).stdout
    return np.frombuffer(pcm, dtype=np.float32).astype(np.float64).reshape(-1, 2).mean(axis=1)


def db(x: np.ndarray) -> float:
    return float(20 * np.log10(np.sqrt(np.mean(np.square(x))) + 1e-12))


def window(a_ms: float, b_ms: float) -> slice:
    return slice(int(a_ms / 1000 * SR), int(b_ms / 1000 * SR))


def captions(draft: dict[str, Any]) -> list[dict[str, Any]]:
    return sorted((s for t in draft["t"] if t["tt"] == 7 for s in t["sg"] if s.get("k") == "caption"),
                  key=lambda s: s["st"])


def spoken(draft: dict[str, Any]) -> list[dict[str, Any]]:
    """The voice segments: where each sentence is spoken (its caption starts with it)."""
    return sorted((s for t in draft["t"] if t["tt"] == 1 for s in t["sg"] if s.get("k") == "voice"),
                  key=lambda s: s["st"])


def test_three_sentence_script_is_spoken_in_its_caption_windows(api: Api, make_media: Any, tmp_path: Path) -> None:
    api.upload(make_media.text("script.txt", SCRIPT))
    draft = api.chat("narrate the script, no music")
    caps = captions(draft)
    assert [c["txt"] for c in caps] == [line for line in SCRIPT.splitlines() if line]
    said = spoken(draft)
    assert [v["txt"] for v in said] == [c["txt"] for c in caps] and [v["st"] for v in said] == [c["st"] for c in caps]
    assert not [s for t in draft["t"] if t["tt"] == 1 for s in t["sg"] if s.get("k") == "music"]
    out = api.render(draft, tmp_path / "narrated.mp4", quality="low", resolution="720p")
    x = audio(out)
    assert abs(x.size / SR - draft["d"] / 1000) < 0.1
    silence = db(x[window(0, said[0]["st"] - 150)])
    assert silence < -70, "before the first sentence there is nothing to hear"
    for c in said:
        speech = db(x[window(c["st"], c["st"] + c["d"])])
        assert speech > -30 and speech - silence > 40, f"{c['txt']!r}: its caption window holds speech ({speech:.1f} dB)"
    for a, b in itertools.pairwise(said):
        gap = db(x[window(a["st"] + a["d"] + 120, b["st"] - 120)])
        assert gap < -55, f"the pause after {a['txt']!r} is quiet ({gap:.1f} dB)"
    assert np.abs(x).max() < 0.99, "no clipping"

    # with music: the music under the voice is >= 10 dB lower than the same music without the voice
    with_music = api.chat("add soft background music")
    assert [(c["st"], c["d"]) for c in captions(with_music)] == [(c["st"], c["d"]) for c in caps]
    y = audio(api.render(with_music, tmp_path / "music.mp4", quality="low", resolution="720p"))
    silent = {**with_music, "t": [{**t, "sg": [s for s in t["sg"] if s.get("k") != "voice"]} for t in with_music["t"]]}
    z = audio(api.render(silent, tmp_path / "music-only.mp4", quality="low", resolution="720p"))
    n = min(x.size, y.size, z.size)
    assert np.abs(y).max() < 0.99, "no clipping with music either"
    for c in said:
        w = window(c["st"], c["st"] + c["d"])
        under = db(y[:n][w] - x[:n][w])  # what is left of the music under the voice
        alone = db(z[:n][w])
        assert alone - under >= 10, f"music under {c['txt']!r}: {under:.1f} dB, without the voice {alone:.1f} dB"
