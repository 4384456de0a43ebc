"""Shared fixtures: isolated user dirs, one real engine per test session, small real media.

- autouse ``_isolated_dirs`` (session): ``NEMO_CONFIG_DIR`` and ``NEMO_ENGINE_HOME`` point at
  temporary dirs; ``NEMO_TOKEN`` and ``NEMO_BACKEND`` are unset. Tests never touch real user dirs.
- ``engine`` (session): one real engine subprocess on a free loopback port; ``.url``, ``.home``
  (URL uploads from 127.0.0.1 allowed: ``--allow-url-host``).
- ``engine_env``: ``NEMO_BACKEND=<engine.url>`` and ``NEMO_ENGINE_HOME=<engine.home>`` for one test.
- ``cloud_server`` (module) / ``cloud``: the fake NemoVideo cloud of ``tests/fakecloud.py`` on
  loopback, reset for each test (``prepare``), for what the embedded engine cannot stand in for.
- ``make_media``: a factory of small real media files made with FFmpeg:
  ``image(name, w, h, color)``, ``video(name, seconds, w, h)``, ``audio(name, seconds)``,
  ``text(name, content)``; each returns the file's Path.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from nemo_jupyter.engine.launcher import EngineProcess, start_engine, stop_engine


@pytest.fixture(scope="session", autouse=True)
def _isolated_dirs(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    saved = {k: os.environ.get(k) for k in ("NEMO_CONFIG_DIR", "NEMO_ENGINE_HOME", "NEMO_TOKEN", "NEMO_BACKEND")}
    base = tmp_path_factory.mktemp("nemo-user")
    os.environ["NEMO_CONFIG_DIR"] = str(base / "config")
    os.environ["NEMO_ENGINE_HOME"] = str(base / "engine-home")
    os.environ.pop("NEMO_TOKEN", None)
    os.environ.pop("NEMO_BACKEND", None)
    yield
    # An engine some test started through ensure_engine() in the default home: stop it too.
    stop_engine(base / "engine-home")
    for key, value in saved.items():
        if value is None:
            os.environ.pop(key, None)
        else:
            os.environ[key] = value


@pytest.fixture(scope="session")
def engine(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EngineProcess]:
    """One real engine process for the whole test session (idle timeout off)."""
    home = tmp_path_factory.mktemp("engine")
    # URL-upload tests fetch from servers on loopback: allow it, as a class allows its file server
    proc = start_engine(home, port=0, idle_timeout=0, timeout=60, extra_args=["--allow-url-host", "127.0.0.1"])
    try:
        yield proc
    finally:
        proc.stop()


@pytest.fixture
def engine_env(engine: EngineProcess, monkeypatch: pytest.MonkeyPatch) -> EngineProcess:
    monkeypatch.setenv("NEMO_BACKEND", engine.url)
    monkeypatch.setenv("NEMO_ENGINE_HOME", str(engine.home))
    return engine


class MediaFactory:
    """Small real media files made with FFmpeg (for upload tests)."""

    def __init__(self, root: Path) -> None:
        import imageio_ffmpeg

        self.root = root
        self.ffmpeg = imageio_ffmpeg.get_ffmpeg_exe()

    def _run(self, *args: str) -> None:
        subprocess.run([self.ffmpeg, "-hide_banner", "-loglevel", "error", "-y", *args],
                       check=True, capture_output=True, timeout=120)

    def image(self, name: str = "photo.png", w: int = 320, h: int = 240, color: str = "red") -> Path:
        out = self.root / name
        self._run("-f", "lavfi", "-i", f"color=c={color}:s={w}x{h}", "-frames:v", "1", str(out))
        return out

    def video(self, name: str = "clip.mp4", seconds: float = 1.0, w: int = 320, h: int = 240) -> Path:
        out = self.root / name
        self._run("-f", "lavfi", "-i", f"testsrc2=s={w}x{h}:r=30:d={seconds}",
                  "-f", "lavfi", "-i", f"sine=frequency=440:duration={seconds}",
                  "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p",
                  "-c:a", "aac", "-shortest", str(out))
        return out

    def audio(self, name: str = "music.wav", seconds: float = 1.0) -> Path:
        out = self.root / name
        self._run("-f", "lavfi", "-i", f"sine=frequency=330:duration={seconds}", str(out))
        return out

    def text(self, name: str = "script.txt", content: str = "Hello class.\nThis is our script.\n") -> Path:
        out = self.root / name
        out.write_text(content, encoding="utf-8")
        return out


@pytest.fixture
def make_media(tmp_path: Path) -> MediaFactory:
    root = tmp_path / "media"
    root.mkdir(exist_ok=True)
    return MediaFactory(root)


@pytest.fixture(scope="module")
def cloud_server() -> Iterator[object]:
    from fakecloud import running_cloud

    with running_cloud() as cloud:
        yield cloud


@pytest.fixture
def cloud(cloud_server: object, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> object:
    from fakecloud import prepare

    return prepare(cloud_server, tmp_path, monkeypatch)


@pytest.fixture
def ip(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[Any, Any, Any]]:
    """A real IPython shell with ``%load_ext nemo_jupyter``, run in ``tmp_path``, every display
    call recorded: ``(shell, recorder, magics)``; its own ``NEMO_CONFIG_DIR`` (token, job list). The magics' settings a test may change are put
    back afterwards (the shell is one instance, shared by every test file)."""
    from _helpers import Recorder
    from IPython.core.interactiveshell import InteractiveShell

    monkeypatch.chdir(tmp_path)
    # each test is a user of its own: renders other tests (or notebooks run by them) left in a
    # shared job list are no part of what this test sees
    monkeypatch.setenv("NEMO_CONFIG_DIR", str(tmp_path / "nemo-config"))
    shell = InteractiveShell.instance()
    shell.run_line_magic("load_ext", "nemo_jupyter")
    magics = shell.magics_manager.registry["NemoMagics"]
    saved_pub = shell.display_pub
    recorder = Recorder(shell=shell)
    shell.display_pub = recorder
    try:
        yield shell, recorder, magics
    finally:
        shell.display_pub = saved_pub
        magics.max_credits = 0.0
        magics.conversations.current = "default"
