"""Volume edits under the leveller (``render/sound/loudness.py``): prompts to the real engine over HTTP,
previews rendered through FFmpeg, the sound read back with FFmpeg's ebur128 (integrated loudness, true
peak) and as samples (the level of the voice and of the music in their own windows).

A volume is a gain against its kind's default: music that is the only sound turned down makes the
whole video quieter by what the reply says; music turned down under a voice leaves the voice where it
was; "louder" on a video already at its platform's loudness is said, and nothing clips."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from _promo import loudness

from nemo_jupyter import Nemo
from nemo_jupyter import draft_format as df
from nemo_jupyter.engine.render import ffmpeg_exe

SR = 48000
MUSIC_ONLY = "a 6-second vertical video of a sunset with soft music"
NARRATED = ("a 10-second vertical video of a forest with soft music and a voiceover saying "
            "'Welcome to the forest. Listen to the trees.'")
SOCIAL = df.LOUDNESS["social"]


@pytest.fixture
def nemo(engine: Any) -> Any:
    with Nemo(backend=engine.url) as n:
        yield n


def sounds(draft: dict[str, Any]) -> list[dict[str, Any]]:
    return [sg for t in draft["t"] if t["tt"] == df.TRACK_AUDIO for sg in t["sg"]]


def render(session: Any, draft: dict[str, Any], out: Path) -> Path:
    return Path(session.export(quality="preview", draft=draft).wait().download(out))


def samples(video: Path) -> np.ndarray:
    """The video's sound, decoded by FFmpeg: stereo float32 at 48 kHz."""
    res = subprocess.run([ffmpeg_exe(), "-hide_banner", "-nostdin", "-loglevel", "error", "-i", str(video),
                          "-map", "0:a", "-f", "f32le", "-ac", "2", "-ar", str(SR), "-"],
                         capture_output=True, check=True, timeout=120)
    return np.frombuffer(res.stdout, dtype=np.float32).reshape(-1, 2)


def level_db(x: np.ndarray, windows: list[tuple[float, float]]) -> float:
    """RMS level (dBFS) of ``x`` over the windows (seconds)."""
    parts = np.concatenate([x[int(a * SR):int(b * SR)] for a, b in windows])
    return float(20 * np.log10(np.sqrt(np.mean(parts.astype(np.float64) ** 2))))


def said_db(reply: str, way: str) -> int:
    m = re.search(rf"about (\d+) dB {way}", reply)
    assert m, reply
    return int(m.group(1))


def test_music_alone_turned_down_makes_the_video_quieter_by_what_the_reply_says(nemo: Any, tmp_path: Path) -> None:
    s = nemo.session()
    d0 = s.ask(MUSIC_ONLY).draft.to_json()
    assert [sg["k"] for sg in sounds(d0)] == ["music"] and sounds(d0)[0]["v"] == df.VOLUME["music"]
    r = s.ask("make the music quieter")
    d1 = r.draft.to_json()
    assert "only sound" in r.text, r.text
    said = said_db(r.text, "quieter")
    said_lufs = float(re.findall(r"(-\d+) LUFS", r.text)[0])
    i0, p0 = loudness(render(s, d0, tmp_path / "before.mp4"))
    i1, p1 = loudness(render(s, d1, tmp_path / "after.mp4"))
    assert abs(i0 - SOCIAL) <= 1.0, i0                       # at its default: the platform's loudness
    assert abs((i0 - i1) - said) <= 1.0, (i0, i1, said)      # quieter by what the reply says (about 6 dB)
    assert 5.0 <= i0 - i1 <= 7.0, (i0, i1)
    assert abs(i1 - said_lufs) <= 1.0, (i1, r.text)
    assert max(p0, p1) <= df.TRUE_PEAK_DB, (p0, p1)


def test_music_turned_down_under_a_voice_leaves_the_voice_where_it_was(nemo: Any, tmp_path: Path) -> None:
    s = nemo.session()
    d0 = s.ask(NARRATED).draft.to_json()
    voices = [sg for sg in sounds(d0) if sg["k"] == "voice"]
    (music,) = [sg for sg in sounds(d0) if sg["k"] == "music"]
    assert len(voices) == 2 and music["st"] == 0 and music["d"] == d0["d"]
    r = s.ask("make the music quieter")
    d1 = r.draft.to_json()
    assert "narration" in r.text and "keep their level" in r.text, r.text
    said = said_db(r.text, "quieter")
    a0 = samples(render(s, d0, tmp_path / "before.mp4"))
    a1 = samples(render(s, d1, tmp_path / "after.mp4"))
    # the voice's windows, and the music's: away from the voice's ducking (0.15 s before a sentence,
    # 0.45 s after) and from the music's fades
    spans = sorted((v["st"] / 1000, (v["st"] + v["d"]) / 1000) for v in voices)
    speech = [(a + 0.05, b - 0.1) for a, b in spans]
    edges = [music["fi"] / 1000 + 0.05, *[x for a, b in spans for x in (a - 0.25, b + 0.6)],
             (music["d"] - music["fo"]) / 1000 - 0.05]
    gaps = [(edges[i], edges[i + 1]) for i in range(0, len(edges), 2) if edges[i + 1] - edges[i] > 0.3]
    assert sum(b - a for a, b in gaps) > 1.5, gaps
    voice_change = level_db(a1, speech) - level_db(a0, speech)
    music_change = level_db(a1, gaps) - level_db(a0, gaps)
    assert abs(voice_change) <= 0.5, voice_change             # the voice stays where it was
    assert abs(music_change + said) <= 1.0, (music_change, said)  # the music alone goes down, as said
    assert level_db(a1, speech) - level_db(a1, gaps) >= level_db(a0, speech) - level_db(a0, gaps) + 5.0
    i1, p1 = loudness(tmp_path / "after.mp4")
    assert i1 < SOCIAL and p1 <= df.TRUE_PEAK_DB, (i1, p1)


def test_louder_at_the_platform_loudness_is_said_and_nothing_clips(nemo: Any, tmp_path: Path) -> None:
    s = nemo.session()
    d0 = s.ask(MUSIC_ONLY).draft.to_json()
    r = s.ask("make the music louder")
    # the video already plays at the loudness social platforms play: said, and the draft kept
    assert "Not done: louder music" in r.text and f"already plays at {SOCIAL:.0f} LUFS" in r.text, r.text
    assert r.draft.to_json() == d0
    i0, p0 = loudness(render(s, d0, tmp_path / "at-target.mp4"))
    assert abs(i0 - SOCIAL) <= 1.0 and p0 <= df.TRUE_PEAK_DB, (i0, p0)
    # asked in figures, it is set, and the reply says it plays the same; the limiter holds the peaks
    r = s.ask("set the music to 100%")
    assert sounds(r.draft.to_json())[0]["v"] == 1.0
    assert f"plays at {SOCIAL:.0f} LUFS either way" in r.text, r.text
    i1, p1 = loudness(render(s, r.draft.to_json(), tmp_path / "full.mp4"))
    assert abs(i1 - i0) <= 0.5 and p1 <= df.TRUE_PEAK_DB, (i0, i1, p1)
    # music turned far past its default under a voice: the balance changes, the whole stays at the
    # platform's loudness at most, and the true peak under the ceiling
    n = nemo.session()
    n.ask(NARRATED)
    r = n.ask("set the music to 100%")
    assert f"no louder than {SOCIAL:.0f} LUFS" in r.text, r.text
    i2, p2 = loudness(render(n, r.draft.to_json(), tmp_path / "hot.mp4"))
    assert abs(i2 - SOCIAL) <= 1.0 and p2 <= df.TRUE_PEAK_DB, (i2, p2)
