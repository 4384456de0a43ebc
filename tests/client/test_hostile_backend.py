"""A hostile backend (tampered, broken or without end) against the client: what it sends never
becomes markup, and nothing it pushes costs memory, disk or time without end. Every case ends in
a typed error that says what happened, within its bound, and leaves nothing behind (no ``.part``
file, no job id); the client stays usable (the next request works)."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import textwrap
import time
import tracemalloc
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import pytest
from _helpers import HOSTILE_STORYBOARD, assert_inert, cloud_session
from fakecloud import FAKE_MP4, FakeCloud, envelope
from starlette.requests import Request
from starlette.responses import Response, StreamingResponse

from nemo_jupyter import DownloadError, Nemo, StreamTooLarge, TurnTimeout
from nemo_jupyter.client.settings import Limits, Timeouts


def test_a_storyboard_from_a_hostile_backend_is_inert(cloud: FakeCloud) -> None:
    nemo, s = cloud_session(cloud, "make a forest video")
    cloud.script("POST /api/storyboard/.*", envelope(HOSTILE_STORYBOARD))
    board = s.storyboard()
    assert board is not None and len(board) == 1, board   # only the data:image/png still is kept
    assert board.frames[0].mime == "image/png" and board.frames[0].start_ms == 0
    assert_inert(board._repr_html_())
    cloud.script("POST /api/storyboard/.*", envelope({**HOSTILE_STORYBOARD, "frames": HOSTILE_STORYBOARD["frames"][:3]}))
    assert s.storyboard() is None                          # nothing drawable: no strip at all
    nemo.close()


# -- chat turns without end ---------------------------------------------------------------------
def _stream(chunks: Callable[[], AsyncIterator[bytes]]) -> Callable[[Request], Response]:
    return lambda request: StreamingResponse(chunks(), media_type="text/event-stream")


async def _endless_text() -> AsyncIterator[bytes]:
    frame = b'data: {"type": "text", "content": "lorem ipsum dolor sit amet, consectetur "}\n\n'
    while True:
        yield frame * 50
        await asyncio.sleep(0)


async def _endless_line() -> AsyncIterator[bytes]:
    yield b'data: {"type": "text", "content": "'
    while True:
        yield b"x" * 65536
        await asyncio.sleep(0)


async def _lively_forever() -> AsyncIterator[bytes]:
    while True:   # real events (not keep-alives), a few a second, never an end
        yield b'data: {"type": "tool_call", "name": "thinking", "args": {}}\n\n'
        await asyncio.sleep(0.1)


@pytest.mark.parametrize(("name", "body", "expected", "words"), [
    ("endless-text", _endless_text, StreamTooLarge, "characters"),
    ("endless-line", _endless_line, StreamTooLarge, "one event"),
])
def test_a_turn_without_end_stops_at_its_bound(cloud: FakeCloud, name: str, body: Any, expected: type,
                                               words: str) -> None:
    nemo, s = cloud_session(cloud, "make a forest video")
    cloud.script("POST /run_sse", _stream(body))
    tracemalloc.start()
    t0 = time.monotonic()
    try:
        with pytest.raises(expected) as info:
            s.ask("add a caption")
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert time.monotonic() - t0 < 90
    assert words in info.value.message and info.value.hint, info.value
    assert peak < 160 * 1024 * 1024, f"{peak / 1e6:.0f} MB held"     # bounded, not growing with the stream
    assert s.ask("add a title").text                                  # the session works on
    nemo.close()


def test_a_lively_turn_that_never_ends_stops_at_the_turn_deadline(cloud: FakeCloud) -> None:
    nemo, s = cloud_session(cloud, "make a forest video", timeouts=Timeouts(turn_total=2.0))
    cloud.script("POST /run_sse", _stream(_lively_forever))
    t0 = time.monotonic()
    with pytest.raises(TurnTimeout) as info:
        s.ask("add a caption")
    assert 1.5 < time.monotonic() - t0 < 15 and "2 s" in info.value.message
    nemo.close()


# -- downloads without end ----------------------------------------------------------------------
async def _endless_body() -> AsyncIterator[bytes]:
    while True:
        yield b"\x00" * 65536
        await asyncio.sleep(0)


async def _trickle() -> AsyncIterator[bytes]:
    while True:
        yield b"\x00"
        await asyncio.sleep(0.2)


def _video(cloud: FakeCloud, **settings: Any) -> tuple[Nemo, Any]:
    nemo, s = cloud_session(cloud, "make a forest video", **settings)
    video = s.export().wait(timeout=30)
    video.session = s
    return nemo, video


def _parts(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


def test_an_endless_download_stops_at_its_size_and_leaves_nothing(cloud: FakeCloud, tmp_path: Path) -> None:
    nemo, video = _video(cloud, limits=Limits(download_mb=4))
    cloud.script("GET /cdn/.*", lambda r: StreamingResponse(_endless_body(), media_type="video/mp4"))
    with pytest.raises(DownloadError) as info:
        video.download(tmp_path / "out" / "v.mp4")
    assert "larger than the 4 MB" in info.value.message and info.value.job_id == video.job_id
    assert _parts(tmp_path / "out") == []                              # no .part, no half video
    cloud.script("GET /cdn/.*", lambda r: StreamingResponse(_endless_body(), media_type="video/mp4",
                                                           headers={"Content-Length": str(10 * 1024 ** 3)}))
    with pytest.raises(DownloadError):                                 # refused before a byte is stored
        video.download(tmp_path / "out" / "v.mp4")
    assert _parts(tmp_path / "out") == []
    assert video.download(tmp_path / "out" / "v.mp4").read_bytes() == FAKE_MP4   # then a good one works
    nemo.close()


def test_a_trickling_download_stops_at_its_deadline(cloud: FakeCloud, tmp_path: Path) -> None:
    nemo, video = _video(cloud, timeouts=Timeouts(download=2.0))
    cloud.script("GET /cdn/.*", lambda r: StreamingResponse(_trickle(), media_type="video/mp4"))
    t0 = time.monotonic()
    with pytest.raises(DownloadError) as info:
        video.download(tmp_path / "dl" / "v.mp4")
    assert time.monotonic() - t0 < 20 and "did not finish within 2 s" in info.value.message
    assert _parts(tmp_path / "dl") == []
    nemo.close()


def test_a_killed_client_leaves_no_part_file_behind_for_long(cloud: FakeCloud, tmp_path: Path) -> None:
    """A client killed mid-download cannot remove its .part file; the next download there does."""
    nemo, video = _video(cloud)
    cloud.script("GET /cdn/.*", lambda r: StreamingResponse(_trickle(), media_type="video/mp4"))
    folder = tmp_path / "dl"
    target = folder / "final.mp4"
    code = textwrap.dedent(f"""
        from nemo_jupyter import Nemo
        nemo = Nemo({cloud.url!r}, retries=0)
        nemo.attach({video.job_id!r}).download({str(target)!r})
    """)
    child = subprocess.Popen([sys.executable, "-c", code], env={**os.environ})
    deadline = time.monotonic() + 60
    while not [n for n in _parts(folder) if n.endswith(".part")]:
        assert time.monotonic() < deadline and child.poll() is None, "the child never started downloading"
        time.sleep(0.1)
    os.kill(child.pid, signal.SIGKILL)
    child.wait(10)
    assert [n for n in _parts(folder) if n.endswith(".part")]         # what a killed client leaves
    assert video.download(target) == target and target.read_bytes() == FAKE_MP4
    assert _parts(folder) == ["final.mp4"]                             # ... and the next download removes
    nemo.close()


# -- Video.download(path) --------------------------------------------------------------------------
def test_download_to_a_folder_that_cannot_be_made_is_a_download_error(cloud: FakeCloud, tmp_path: Path) -> None:
    nemo, video = _video(cloud)
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    with pytest.raises(DownloadError) as info:
        video.download(blocker / "sub" / "v.mp4")
    assert "Cannot make the folder" in info.value.message and info.value.hint
    first = video.download(tmp_path / "first.mp4")
    again = video.session.export().wait(timeout=30)     # the same export: that file, reused
    assert again.cached
    with pytest.raises(DownloadError):
        again.download(blocker / "v.mp4")
    assert first.is_file()
    nemo.close()


def test_download_of_a_reused_render_leaves_the_video_at_the_path_asked(cloud: FakeCloud, tmp_path: Path,
                                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    nemo, s = cloud_session(cloud, "make a forest video")
    first = s.export().wait(timeout=30)
    made = first.download("forest.mp4")
    assert made == Path("forest.mp4") and made.read_bytes() == FAKE_MP4
    again = s.export().wait(timeout=30)                  # the same draft, the same settings: that file
    assert again.cached and cloud.render_submits == 1
    out = again.download("final.mp4")
    assert out == Path("final.mp4"), out                  # the path asked for, not the older file's
    assert Path("final.mp4").read_bytes() == FAKE_MP4 and Path("forest.mp4").is_file()
    assert again.download("final.mp4") == Path("final.mp4")   # asked twice: still there, still that path
    nemo.close()
