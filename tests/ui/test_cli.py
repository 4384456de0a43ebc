"""``python -m nemo_jupyter "PROMPT"`` end to end, as a user runs it (a subprocess)."""

from __future__ import annotations

import os
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
    assert "✓ Everything asked for is done" in proc.stdout          # the brief, one line when all is done
    proc = _cli("a lighthouse and a hologram", "--no-export", "--backend", engine.url, cwd=tmp_path)
    assert "  ≈ lighthouse — drawn as" in proc.stdout and "  ✗ hologram — I have no drawing of it" in proc.stdout
    assert not (tmp_path / "snow.mp4").exists()
    proc = _cli("credits", "--backend", engine.url, cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    # the free engine says so, not a number that never goes down ("100000 credits")
    assert proc.stdout.startswith("This backend (the local engine) charges nothing") and "100000" not in proc.stdout


def test_a_config_folder_that_cannot_be_written_is_said_without_a_traceback(engine: Any, tmp_path: Path) -> None:
    blocker = tmp_path / "full-home"
    blocker.write_text("a file where the config folder should be")
    proc = subprocess.run([sys.executable, "-m", "nemo_jupyter", "make a 3-second video of rain", "--backend",
                           engine.url, "--no-export"], cwd=tmp_path, capture_output=True, text=True, timeout=120,
                          check=False, env={**os.environ, "NEMO_CONFIG_DIR": str(blocker / "nemo")})
    assert proc.returncode == 1, proc.stderr
    assert "error: Cannot write" in proc.stderr and "NEMO_CONFIG_DIR" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_an_identical_export_is_saved_at_the_path_asked_for(engine: Any, tmp_path: Path) -> None:
    args = ("make a 2-second video of a lighthouse", "--backend", engine.url, "--quality", "preview")
    first = _cli(*args, "-o", "first.mp4", cwd=tmp_path)
    assert first.returncode == 0, first.stderr
    again = _cli(*args, "-o", "again.mp4", cwd=tmp_path)
    assert again.returncode == 0, again.stderr
    assert "Saved again.mp4" in again.stdout, again.stdout
    assert (tmp_path / "again.mp4").read_bytes() == (tmp_path / "first.mp4").read_bytes()
