"""The client against the real embedded engine over loopback HTTP (no fakes)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from nemo_jupyter import Nemo, NotExportable, SessionNotFound, TextEvent
from nemo_jupyter.engine.launcher import EngineProcess, start_engine, stop_engine


def test_local_backend_finds_the_engine_by_its_home(engine, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("NEMO_ENGINE_HOME", str(engine.home))
    nemo = Nemo("local")
    assert nemo.backend == "local"
    assert nemo.base_url.rstrip("/") == engine.url.rstrip("/")
    credits = nemo.credits()
    assert credits.available >= 0 and nemo.is_anonymous and nemo.user_id
    nemo.close()


def test_a_turn_on_the_engine(engine_env, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    nemo = Nemo(poll_interval=0.2)
    assert nemo.base_url == engine_env.url.rstrip("/")
    s = nemo.session()
    with pytest.raises(NotExportable):
        s.export()
    events = list(s.stream("make a 3-second video of a forest"))
    texts = [e for e in events if isinstance(e, TextEvent)]
    assert texts and texts[-1].text.strip()
    reply = s.ask("make it 2 seconds")
    assert reply.draft is not None and reply.draft.is_exportable
    assert reply.changes, "an edit turn reports what changed"
    assert s.state().draft == reply.draft
    job = s.export(quality="low", resolution="720p")
    assert [j.id for j in nemo.jobs()] == [job.id]
    seen: list[float] = []
    video = job.wait(timeout=180, on_progress=lambda p, st: seen.append(p))
    assert seen[-1] == 100
    path = video.download(tmp_path / "engine.mp4")
    head = path.read_bytes()[:12]
    assert head[4:8] == b"ftyp" and path.stat().st_size > 1000
    assert nemo.jobs() == []
    nemo.close()


def test_unknown_session_on_the_engine(engine_env) -> None:  # type: ignore[no-untyped-def]
    nemo = Nemo()
    s = nemo.session(session_id="does-not-exist")
    with pytest.raises(SessionNotFound):
        s.ask("make a video")
    assert s.id is None
    nemo.close()


def test_export_an_edited_draft_leaves_the_session_draft(engine_env, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    import subprocess

    import imageio_ffmpeg

    from nemo_jupyter import Draft, DraftError

    nemo = Nemo(poll_interval=0.2)
    s = nemo.session()
    reply = s.ask("make a 4-second video of the ocean")
    assert reply.draft is not None
    df = reply.draft.to_dataframe()
    video_rows = df["track_type"] == "video"
    # cut the timeline to 2 s by editing the DataFrame: the edited draft is what gets rendered
    df = df[df["start"] < 2.0].copy()
    df.loc[df["end"] > 2.0, "end"] = 2.0
    edited = Draft.from_dataframe(df, base=reply.draft)
    edited = Draft.from_json({**edited.to_json(), "d": 2000})
    assert edited != reply.draft and video_rows.any()
    video = s.export(draft=edited, quality="low", resolution="720p").wait(timeout=180)
    path = video.download(tmp_path / "edited.mp4")
    probe = subprocess.run([imageio_ffmpeg.get_ffmpeg_exe(), "-hide_banner", "-i", str(path)],
                           capture_output=True, text=True).stderr
    assert "Duration: 00:00:02.0" in probe, probe
    assert s.state().draft == reply.draft, "exporting an edited draft must not change the session's draft"
    with pytest.raises(DraftError):
        s.export(draft={"t": "not a list"})
    nemo.close()


@pytest.fixture
def private_engine(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[Path, EngineProcess]]:
    """A private engine of this test's own (``NEMO_ENGINE_HOME``), as "local" finds it: (home, first process)."""
    home = tmp_path / "engine-home"
    first = start_engine(home, port=0, idle_timeout=0, timeout=60)
    monkeypatch.setenv("NEMO_ENGINE_HOME", str(home))
    monkeypatch.delenv("NEMO_BACKEND", raising=False)
    try:
        yield home, first
    finally:
        first.stop()
        stop_engine(home)


def test_a_stopped_engine_is_replaced_and_the_call_goes_through(private_engine: tuple[Path, EngineProcess]) -> None:
    home, first = private_engine
    nemo = Nemo("local", retries=0)
    assert nemo.base_url == first.url.rstrip("/")
    s = nemo.session()
    assert s.ask("make a 3-second video of a forest").text.strip()
    sid = s.id
    first.stop()          # as after the idle timeout: the next engine gets a new port
    assert nemo.credits().available >= 0
    second = nemo.base_url
    assert second != first.url.rstrip("/")   # a private engine started in its place
    s.state()             # the draft is known: the next turn goes straight to /run_sse
    assert stop_engine(home)
    reply = s.ask("make it 2 seconds")    # the chat connect is redirected too
    assert nemo.base_url != first.url.rstrip("/")   # the private engine, on its socket
    assert s.id == sid and reply.session_id == sid   # same data dir: the session is still there
    assert reply.draft is not None and s.state().draft is not None
    nemo.close()


def test_unfinished_jobs_are_listed_after_the_engine_moves_port(tmp_path: Path,
                                                                private_engine: tuple[Path, EngineProcess]) -> None:
    import time

    _home, first = private_engine
    nemo = Nemo("local", retries=0, poll_interval=0.2)
    s = nemo.session()
    s.ask("make a 2-second video of the ocean")
    job = s.export(quality="low", resolution="720p")
    deadline = time.monotonic() + 120
    while job.poll().status != "completed":   # finished, but its video never collected
        assert time.monotonic() < deadline
        time.sleep(0.3)
    first.stop()          # the kernel restarts later and the engine comes back on a new port
    later = Nemo("local", retries=0, poll_interval=0.2)
    assert later.base_url != first.url.rstrip("/")
    listed = later.jobs()
    assert [j.id for j in listed] == [job.id]
    video = listed[0].wait(timeout=60)
    assert video.download(tmp_path / "late.mp4").stat().st_size > 1000
    assert later.jobs() == []
    nemo.close()
    later.close()
