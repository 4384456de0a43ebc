"""A full engine disk (a real one: a small tmpfs filled to the last byte) is answered on every
endpoint with a typed 507 that says what to free, never a 500 or "internal error"; nothing is
half-written, the engine stays healthy, and once space is freed everything works again."""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from fulldisk import FullDiskEngine, full_disk_engine

from nemo_jupyter import Nemo, StorageFull, StreamError

SEA = "make a 3-second video of the sea"


@pytest.fixture(scope="module")
def small_disk(tmp_path_factory: pytest.TempPathFactory) -> Iterator[FullDiskEngine]:
    with full_disk_engine(tmp_path_factory.mktemp("full-disk") / "home") as eng:
        yield eng


def _client(url: str) -> tuple[httpx.Client, str]:
    http = httpx.Client(base_url=url, timeout=60, trust_env=False)
    token = http.post("/api/auth/anonymous-token", headers={"X-Client-Id": str(uuid.uuid4())}).json()["data"]["token"]
    http.headers["Authorization"] = f"Bearer {token}"
    sid = http.post("/api/tasks/me/with-session/nemo_agent", json={}).json()["data"]["session_id"]
    return http, str(sid)


def _snapshot(http: httpx.Client, sid: str) -> dict[str, Any]:
    state = http.get(f"/api/state/nemo_agent/me/{sid}/latest").json()["data"]["state"]
    versions = http.get(f"/api/state/nemo_agent/me/{sid}/versions", params={"drafts": 0}).json()["data"]
    return {"draft": state["draft"], "uploads": [u["filename"] for u in state["video_infos"]],
            "versions": [v["version"] for v in versions["versions"]], "current": versions["current"]}


def _turn(http: httpx.Client, sid: str, text: str) -> list[dict[str, Any]]:
    body = {"session_id": sid, "new_message": {"parts": [{"text": text}]}}
    with http.stream("POST", "/run_sse", json=body) as r:
        assert r.status_code == 200
        raw = r.read().decode()
    return [json.loads(line[5:]) for line in raw.splitlines() if line.startswith("data: {")]


def _assert_507(r: httpx.Response) -> None:
    assert r.status_code == 507, (r.status_code, r.text[:300])
    body = r.json()
    message = body.get("message") or body.get("error")
    assert body.get("code") == 507, body
    assert "disk is full" in message and "Free some space" in message and "internal" not in message.lower()


def test_a_full_disk_is_a_typed_507_everywhere_and_nothing_is_lost(small_disk: FullDiskEngine) -> None:
    http, sid = _client(small_disk.url)
    _turn(http, sid, SEA)
    before = _snapshot(http, sid)
    assert before["draft"] and before["current"] == 1
    draft = before["draft"]
    small_disk.fill()
    try:
        _assert_507(http.post("/api/tasks/me/with-session/nemo_agent", json={"task_name": "x"}))
        _assert_507(http.put(f"/api/state/nemo_agent/me/{sid}/draft",
                             json={"draft": {**draft, "d": 2000}, "note": "shorter"}))
        _assert_507(http.post("/api/render/proxy/lambda", json={
            "id": f"r_{uuid.uuid4().hex[:8]}", "sessionId": sid, "draft": draft, "output": {"quality": "preview"}}))
        events = _turn(http, sid, "make it 5 seconds")
        assert events and events[-1].get("errorCode") == "DISK_FULL", events
        assert "disk is full" in events[-1]["errorMessage"]
        r = http.post(f"/api/upload-video/nemo_agent/me/{sid}", files=[("files", ("notes.txt", b"Hello. " * 10))])
        assert r.status_code in (413, 507) and "disk" in r.json()["message"], r.text
        assert small_disk.healthy()
        assert _snapshot(http, sid) == before, "a full disk changed nothing"
        assert "notes" not in small_disk.leftovers()
    finally:
        small_disk.free()
    events = _turn(http, sid, "make it 5 seconds")   # space again: the same requests work
    assert not any("errorCode" in e for e in events), events
    after = _snapshot(http, sid)
    assert after["draft"]["d"] == 5000 and after["current"] == 2
    assert http.post("/api/tasks/me/with-session/nemo_agent", json={}).json()["code"] == 0


def test_the_client_says_the_backend_is_full(small_disk: FullDiskEngine, tmp_path: Path,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NEMO_CONFIG_DIR", str(tmp_path / "config"))
    nemo = Nemo(small_disk.url, retries=0)
    s = nemo.session()
    s.ask(SEA)
    small_disk.fill()
    try:
        with pytest.raises(StorageFull) as full:
            nemo.session("another").ask(SEA)                  # a new session cannot be stored
        assert "disk is full" in full.value.message and full.value.hint
        with pytest.raises(StreamError) as turn:
            s.ask("make it 6 seconds")
        assert "disk is full" in turn.value.message
        with pytest.raises(StorageFull):
            s.export(quality="preview")
        assert nemo.jobs() == []                              # the refused export left no job id
    finally:
        small_disk.free()
    assert s.ask("make it 6 seconds").draft.duration == 6.0   # type: ignore[union-attr]
    nemo.close()


def test_a_render_that_meets_a_full_disk_fails_with_the_reason(small_disk: FullDiskEngine) -> None:
    http, sid = _client(small_disk.url)
    _turn(http, sid, "make a 30-second video of a forest with birds")
    job = f"r_{uuid.uuid4().hex[:8]}"
    r = http.post("/api/render/proxy/lambda", json={"id": job, "sessionId": sid, "output": {"quality": "medium"},
                                                     "draft": _snapshot(http, sid)["draft"]})
    assert r.status_code == 200, r.text
    deadline = time.monotonic() + 60
    while http.get(f"/api/render/proxy/lambda/{job}").json()["data"]["status"] == "pending":
        assert time.monotonic() < deadline
        time.sleep(0.1)
    small_disk.fill()
    try:
        deadline = time.monotonic() + 120
        while True:
            data = http.get(f"/api/render/proxy/lambda/{job}").json()["data"]
            if data["status"] in ("completed", "failed"):
                break
            assert time.monotonic() < deadline, data
            time.sleep(0.3)
        if data["status"] == "failed":   # (a render done before the disk filled has nothing to say)
            assert "disk is full" in data["error"], data
        assert small_disk.healthy()
    finally:
        small_disk.free()
