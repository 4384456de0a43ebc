"""``python -m nemo_jupyter "PROMPT"`` end to end, as a user runs it (a subprocess)."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import imageio_ffmpeg
import pytest


def _cli(*args: str, cwd: Path, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "nemo_jupyter", *args], cwd=cwd, capture_output=True,
                          text=True, timeout=timeout, check=False)


def _duration(path: Path) -> float:
    proc = subprocess.run([imageio_ffmpeg.get_ffmpeg_exe(), "-hide_banner", "-i", str(path)],
                          capture_output=True, text=True, check=False)
    assert "Video: h264" in proc.stderr and "Audio: aac" in proc.stderr, proc.stderr[-400:]
    m = re.search(r"Duration: (\d+):(\d+):([\d.]+)", proc.stderr)
    assert m
    return int(m.group(1)) * 3600 + int(m.group(2)) * 60 + float(m.group(3))


def test_empty_prompt_is_a_usage_error(tmp_path: Path) -> None:
    proc = _cli("  ", cwd=tmp_path)
    assert proc.returncode == 2
    assert "the prompt is empty" in proc.stderr


def test_unreachable_backend_exits_non_zero_with_a_hint(tmp_path: Path) -> None:
    proc = _cli("make a 5-second video of rain", "--backend", "http://127.0.0.1:9", cwd=tmp_path)
    assert proc.returncode == 1
    assert "error: Could not reach the backend" in proc.stderr
    assert "what to do:" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_prompt_to_mp4_on_the_engine(engine: Any, tmp_path: Path) -> None:
    proc = _cli("make a 3-second video of the ocean with upbeat music", "--backend", engine.url,
                "--quality", "preview", "--resolution", "720p", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    videos = list((tmp_path / "nemo_outputs").glob("*.mp4"))
    assert len(videos) == 1
    assert _duration(videos[0]) == pytest.approx(3, abs=0.1)
    saved = re.search(r"Saved (\S+) \((\d+\.\d) s, ([\d.]+ [KM]?B)\)", proc.stdout)
    assert saved, proc.stdout
    assert Path(saved.group(1)) == videos[0].relative_to(tmp_path)
    assert float(saved.group(2)) == pytest.approx(3, abs=0.1)
    assert "Timeline" in proc.stdout          # the one-line summary
    assert "rendering" in proc.stderr         # progress went to stderr
    assert "local engine" in proc.stderr      # the backend badge
    assert proc.stdout.count("Made a 3-second") == 1, proc.stdout   # the streamed reply is not printed again


def test_no_export_and_a_credits_prompt(engine: Any, tmp_path: Path) -> None:
    proc = _cli("make a 4-second video of snow", "--no-export", "-o", "snow.mp4", "--backend", engine.url,
                cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() and "Timeline" in proc.stdout
    assert not (tmp_path / "snow.mp4").exists()
    proc = _cli("credits", "--backend", engine.url, cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith("Credits:")
