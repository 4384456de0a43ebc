"""The client side of issue 13: repeated exports return the same file, queue fields, storyboard.

Real engine over real HTTP on loopback; the fake cloud for the protocol's documented shapes.
"""

from __future__ import annotations

import os
import time
import uuid
from pathlib import Path
from typing import Any

import pytest
from fakecloud import FAST, FakeCloud

from nemo_jupyter import AsyncNemo, Nemo
from nemo_jupyter.client.jobs import normalize_poll
from nemo_jupyter.client.loop import run_sync
from nemo_jupyter.conversation import Conversation, Progress, TurnUpdate, fold
from nemo_jupyter.conversation.compare import RenderClock


def _files(*dirs: Path) -> list[str]:
    return sorted(str(p) for d in dirs if d.exists() for p in d.rglob("*") if p.is_file())


def test_a_repeated_identical_export_returns_the_same_file_at_once(engine_env: Any, tmp_path: Path) -> None:
    conv = Conversation(AsyncNemo(backend=engine_env.url, poll_interval=0.2))
    run_sync(conv.run("generate a 2-second video of a snowy mountain with the title \"Same File\""))
    outputs = tmp_path / "nemo_outputs"
    first = run_sync(conv.export(quality="preview", path=outputs / "first.mp4"))
    assert first.path == outputs / "first.mp4" and first.path.stat().st_size > 1000
    before = _files(outputs, engine_env.home / "renders")
    t0 = time.monotonic()
    updates: list[TurnUpdate] = []
    again = run_sync(conv.export(quality="preview", path=outputs / "second.mp4",
                                 on_update=updates.append))  # Run All, once more
    elapsed = time.monotonic() - t0
    assert elapsed < 0.5, f"{elapsed:.2f} s"
    assert again.cached and Path(again.path).resolve() == first.path.resolve()
    # a comparison's clock reads the reused file as a render finished at once, not as one never done
    clock, state = RenderClock(), Progress()
    for update in updates:
        state = fold(state, update)
        clock.update(state)
    assert clock.render_s == pytest.approx(0.0, abs=0.5)
    assert _files(outputs, engine_env.home / "renders") == before  # no new file anywhere
    # other settings are another video
    other = run_sync(conv.export(quality="medium", resolution="720p", path=outputs / "hq.mp4"))
    assert not other.cached and other.path == outputs / "hq.mp4"
    # an explicit download of the cached video copies it where asked
    copy = run_sync(again.adownload(tmp_path / "elsewhere.mp4"))
    assert copy.read_bytes() == first.path.read_bytes()


def test_an_identical_export_from_another_notebook_folder_lands_in_that_folder(engine_env: Any,
                                                                               tmp_path: Path) -> None:
    """A notebook serves only files under its own folder: a reused render is linked there (no new render)."""
    prompt = f'generate a 2-second video of a lake with the title "Two Folders {uuid.uuid4().hex[:6]}"'
    videos = []
    for folder in ("lesson-a", "lesson-b"):
        conv = Conversation(AsyncNemo(backend=engine_env.url, poll_interval=0.2))
        run_sync(conv.run(prompt))
        out = tmp_path / folder / "nemo_outputs" / "video.mp4"
        videos.append(run_sync(conv.export(quality="preview", path=out)))
        assert Path(videos[-1].path) == out and out.is_file(), f"the video is not in {folder}"
    assert videos[1].cached
    a, b = (Path(v.path) for v in videos)
    assert a.read_bytes() == b.read_bytes()
    assert os.path.samefile(a, b) or a.stat().st_size == b.stat().st_size  # linked where the disk allows it


def test_a_new_client_also_finds_the_file_and_a_deleted_file_is_rendered_again(engine_env: Any,
                                                                                tmp_path: Path) -> None:
    nemo = Nemo(engine_env.url, poll_interval=0.2)
    s = nemo.session()
    s.ask(f'make a 1-second video of the ocean with the title "Tide {uuid.uuid4().hex[:6]}"')  # new here
    video = s.export(quality="preview").wait(timeout=120)
    path = video.download(tmp_path / "ocean.mp4")
    fresh = Nemo(engine_env.url, poll_interval=0.2).session(session_id=s.id)
    job = fresh.export(quality="preview")
    assert job.status == "completed"
    assert Path(job.wait(timeout=5).path).resolve() == path.resolve()
    path.unlink()
    job = fresh.export(quality="preview")  # the file is gone: ask the backend (it still has it)
    again = job.wait(timeout=60)
    assert not again.cached
    assert job.poll().reused  # the engine answered with its own earlier render
    assert again.download(tmp_path / "ocean2.mp4").stat().st_size > 1000


def test_poll_answers_with_and_without_the_optional_queue_fields() -> None:
    plain = normalize_poll({"success": True, "data": {"id": "r", "status": "pending", "progress": 0}})
    assert plain.queue_position is None and plain.estimated_seconds is None and not plain.reused
    queued = normalize_poll({"success": True, "data": {"id": "r", "status": "pending", "progress": 0,
                                                       "queuePosition": 3, "estimatedSeconds": 41.5}})
    assert queued.queue_position == 3 and queued.estimated_seconds == 41.5
    bare = normalize_poll({"status": "processing", "progress": 40, "queue_position": "2",
                           "estimated_seconds": "junk"})
    assert bare.queue_position == 2 and bare.estimated_seconds is None
    assert normalize_poll({"status": "pending", "queuePosition": 0}).queue_position is None


def test_the_storyboard_comes_from_the_engine_and_not_from_the_cloud(engine_env: Any, cloud: FakeCloud) -> None:
    s = Nemo(engine_env.url).session()
    assert s.storyboard() is None  # nothing said yet
    s.ask("make a 20-second video of a forest, then a city at night")
    board = s.storyboard(width=160)
    assert board is not None and len(board) >= 2 and board.width == 160
    html = board._repr_html_()
    assert html.count("<img") == len(board) and "data:image/jpeg;base64," in html
    assert "0:0" in html  # each still says where it is on the timeline
    c = Nemo(cloud.url, **FAST).session()
    c.ask("make a forest video")
    assert c.storyboard() is None  # the cloud has no storyboard: nothing, no error


def test_engine_poll_carries_position_and_estimate_while_queued(engine_env: Any) -> None:
    nemo = Nemo(engine_env.url, poll_interval=0.1)
    s = nemo.session()
    s.ask("make a 40-second video of a desert at sunset")
    seen: list[Any] = []
    job = s.export(quality="medium", resolution="720p")
    job.wait(timeout=300, on_progress=lambda pct, status: seen.append(job._job.last))
    estimates = [r.estimated_seconds for r in seen if r.status in ("pending", "processing")]
    assert estimates and all(e is not None and e >= 0 for e in estimates)
    assert os.path.exists(engine_env.home / "renders")
