"""The client against the real embedded engine over loopback HTTP (no fakes)."""

from __future__ import annotations

from pathlib import Path

import pytest

from nemo_jupyter import Nemo, NotExportable, SessionNotFound, TextEvent


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
