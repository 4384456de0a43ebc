"""Restarts, the launcher (one engine per data dir), idle stop and the store's transactions."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import uuid
from pathlib import Path
from typing import Any

import httpx
import pytest

from nemo_jupyter.engine.launcher import PORT_FILE, find_engine, home_id, start_engine, stop_engine
from nemo_jupyter.engine.store import STOPPED_REASON, Store, Upload

FOREST = "generate a 30-second video of a forest with birds and soft background music"


def _api(url: str, client_id: str) -> httpx.Client:
    http = httpx.Client(base_url=url, timeout=120, trust_env=False)
    token = http.post("/api/auth/anonymous-token", headers={"X-Client-Id": client_id}).json()["data"]["token"]
    http.headers["Authorization"] = f"Bearer {token}"
    return http


def _chat(http: httpx.Client, sid: str, text: str) -> list[dict[str, Any]]:
    body = {"app_name": "nemo_agent", "user_id": "me", "session_id": sid, "new_message": {"parts": [{"text": text}]}}
    out = []
    with http.stream("POST", "/run_sse", json=body) as r:
        assert r.status_code == 200
        for line in r.iter_lines():
            if line.startswith("data:") and line[5:].strip():
                out.append(json.loads(line[5:]))
    return out


def test_restart_mid_session_keeps_everything(tmp_path: Path, make_media: Any) -> None:
    home = tmp_path / "home"
    eng = start_engine(home, idle_timeout=0)
    try:
        http = _api(eng.url, "c-1")
        sid = http.post("/api/tasks/me/with-session/nemo_agent", json={"language": "en"}).json()["data"]["session_id"]
        txt = make_media.text("script.txt", "Line one.\nLine two.\n")
        with txt.open("rb") as fh:
            up = http.post(f"/api/upload-video/nemo_agent/me/{sid}", files=[("files", ("script.txt", fh))])
        assert up.json()["code"] == 0
        _chat(http, sid, FOREST)
        before = http.get(f"/api/state/nemo_agent/me/{sid}/latest").json()["data"]
        assert before["state"]["draft"] is not None
        token = http.headers["Authorization"]
    finally:
        eng.stop()
    assert find_engine(home) is None and not (home / PORT_FILE).exists()

    eng2 = start_engine(home, idle_timeout=0)
    try:
        http2 = httpx.Client(base_url=eng2.url, trust_env=False, headers={"Authorization": token})
        after = http2.get(f"/api/state/nemo_agent/me/{sid}/latest")
        assert after.status_code == 200, "the old token still works after a restart"
        data = after.json()["data"]
        assert data["state"]["draft"] == before["state"]["draft"]
        assert data["task_id"] == before["task_id"]
        files = data["state"]["video_infos"]
        assert [f["filename"] for f in files] == ["script.txt"]
        assert httpx.get(files[0]["cdn_url"], trust_env=False).text == "Line one.\nLine two.\n"
        # The conversation goes on: an edit of the restored draft.
        frames = _chat(http2, sid, "make it 15 seconds")
        deltas = [f["actions"]["stateDelta"] for f in frames if f.get("actions", {}).get("stateDelta")]
        assert deltas and deltas[-1]["draft"]["d"] == 15000
    finally:
        eng2.stop()


def _long_draft() -> dict[str, Any]:
    return {"t": [{"tt": 0, "sg": [{"id": "s1", "k": "scene", "scene": "city", "st": 0, "d": 120_000}]}],
            "d": 120_000, "m": {"width": 1920, "height": 1080, "fps": 30, "aspect": "16:9"}}


@pytest.mark.parametrize("how", ["sigterm", "sigkill"])
def test_job_running_at_shutdown_ends_failed_with_reason(tmp_path: Path, how: str) -> None:
    home = tmp_path / "home"
    eng = start_engine(home, idle_timeout=0)
    job_id = f"render_{uuid.uuid4().hex}"
    try:
        http = _api(eng.url, "c-2")
        r = http.post("/api/render/proxy/lambda", json={"id": job_id, "draft": _long_draft()})
        assert r.json()["success"] is True
        deadline = time.monotonic() + 60
        while http.get(f"/api/render/proxy/lambda/{job_id}").json()["data"]["status"] == "pending":
            assert time.monotonic() < deadline
            time.sleep(0.1)
        assert http.get(f"/api/render/proxy/lambda/{job_id}").json()["data"]["status"] == "processing"
    finally:
        if how == "sigterm":
            eng.stop()
        else:
            eng.kill()
    eng2 = start_engine(home, idle_timeout=0)
    try:
        http = _api(eng2.url, "c-2")
        data = http.get(f"/api/render/proxy/lambda/{job_id}").json()["data"]
        assert data["status"] == "failed"
        assert data["error"] == STOPPED_REASON
        assert not any((home / "tmp").iterdir()), "temp files of the dead render are gone"
    finally:
        eng2.stop()


@pytest.mark.parametrize("write", ["session", "render"])
def test_a_write_waiting_for_the_database_lock_does_not_stall_other_requests(tmp_path: Path, write: str) -> None:
    """create_session / add_job wait for SQLite's write lock in a thread, not on the event loop."""
    import sqlite3
    import threading

    home = tmp_path / "home"
    eng = start_engine(home, idle_timeout=0)
    try:
        http = _api(eng.url, "c-lock")
        draft = {"t": [{"tt": 0, "sg": [{"id": "s1", "k": "scene", "scene": "forest", "st": 0, "d": 500}]}],
                 "d": 500, "m": {"width": 320, "height": 180, "fps": 30, "aspect": "16:9"}}
        path, body = {"session": ("/api/tasks/me/with-session/nemo_agent", {"language": "en"}),
                      "render": ("/api/render/proxy/lambda", {"id": f"render_{uuid.uuid4().hex}", "draft": draft,
                                                              "output": {"quality": "preview"}})}[write]
        blocker = sqlite3.connect(home / "engine.sqlite3", isolation_level=None)
        blocker.execute("BEGIN IMMEDIATE")  # another writer holds the lock (SQLite waits up to 30 s)
        answers: list[httpx.Response] = []
        waiting = threading.Thread(target=lambda: answers.append(http.post(path, json=body)))
        try:
            waiting.start()
            time.sleep(0.5)  # the write is now waiting for the lock
            assert not answers
            t0 = time.monotonic()
            health = httpx.get(f"{eng.url}/health", timeout=5, trust_env=False)
            assert health.status_code == 200 and time.monotonic() - t0 < 2
        finally:
            blocker.execute("ROLLBACK")
            blocker.close()
            waiting.join(60)
        assert answers and answers[0].status_code == 200, answers
        if write == "render":
            http.post(f"/api/render/proxy/lambda/{body['id']}/cancel")
    finally:
        eng.stop()


_ENSURE = "import sys; from pathlib import Path; from nemo_jupyter.engine.launcher import ensure_engine_address; " \
          "a = ensure_engine_address(Path(sys.argv[1])); print(a.url, a.socket)"


def test_two_kernels_starting_at_once_get_one_engine(tmp_path: Path) -> None:
    home = tmp_path / "shared"
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(Path(__file__).resolve().parents[2]), env.get("PYTHONPATH", "")])
    procs = [subprocess.Popen([sys.executable, "-c", _ENSURE, str(home)], stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, env=env, text=True) for _ in range(2)]
    try:
        outs = [p.communicate(timeout=90) for p in procs]
        answers = [o[0].split() for o in outs]
        assert all(p.returncode == 0 for p in procs), outs
        assert answers[0] == answers[1]          # one engine, on its private Unix socket
        url, sock = answers[0]
        assert find_engine(home) == url
        info = json.loads((home / PORT_FILE).read_text())
        with httpx.Client(transport=httpx.HTTPTransport(uds=sock), trust_env=False) as http:
            assert http.get(f"{url}/health").json()["home"] == home_id(home)
        log = (home / "engine.log").read_text()
        assert log.count("nemo engine listening") == 1, log
        assert info["url"] == url and info["socket"] == sock
    finally:
        assert stop_engine(home) is True
    assert find_engine(home) is None


def test_stale_port_files_are_not_trusted(tmp_path: Path, engine: Any) -> None:
    home = tmp_path / "stale"
    home.mkdir()
    # A dead pid.
    (home / PORT_FILE).write_text(json.dumps({"url": "http://127.0.0.1:9", "pid": 2**22 + 12345}))
    assert find_engine(home) is None
    # A live engine, but for another data dir.
    (home / PORT_FILE).write_text(json.dumps({"url": engine.url, "pid": engine.pid}))
    assert find_engine(home) is None
    assert stop_engine(home) is False
    assert find_engine(engine.home) == engine.url


def test_idle_engine_stops_on_its_own(tmp_path: Path) -> None:
    home = tmp_path / "idle"
    eng = start_engine(home, idle_timeout=0.03)  # 1.8 s
    deadline = time.monotonic() + 30
    while eng.alive() and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not eng.alive()
    assert not (home / PORT_FILE).exists()
    assert "idle" in (home / "engine.log").read_text()


def test_store_upload_is_all_or_nothing(tmp_path: Path) -> None:
    store = Store(tmp_path / "h")
    sid = store.create_session("u1", "p", "en").session_id
    a, b = tmp_path / "a.txt", tmp_path / "b.txt"
    a.write_text("a")
    b.write_text("b")
    key = store.new_key()
    up1 = Upload(key, sid, "a.txt", "text", None, None, None, None, "h", 1, "a")
    up2 = Upload(key, sid, "b.txt", "text", None, None, None, None, "h", 1, "b")  # same key: must fail
    with pytest.raises(FileExistsError):
        store.add_uploads([(up1, a), (up2, b)])
    assert store.uploads(sid) == []
    assert not any((tmp_path / "h" / "uploads").iterdir())


def test_store_failed_turn_leaves_previous_draft(tmp_path: Path) -> None:
    store = Store(tmp_path / "h")
    sid = store.create_session("u1", "p", None).session_id
    store.record_turn(sid, "hi", "ok", draft={"t": [], "d": 1}, language="en")
    with pytest.raises(TypeError):
        store.record_turn(sid, "again", "ok", draft={"bad": object()}, language="en")
    sess = store.get_session(sid)
    assert sess is not None and sess.draft == {"t": [], "d": 1} and sess.language == "en"
    assert [t["text"] for t in store.turns(sid)] == ["hi", "ok"]
