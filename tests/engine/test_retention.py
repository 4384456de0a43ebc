"""Retention: the engine prunes finished renders by age and by total size (an export of a pruned
render renders again). (The client's replay log: tests/conversation/test_conversation.py.)"""

from __future__ import annotations

import os
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from nemo_jupyter.engine.disk import GRACE_SECONDS, PRUNED_REASON, Retention, prune_renders
from nemo_jupyter.engine.launcher import EngineProcess, start_engine
from nemo_jupyter.engine.store import Store


@pytest.fixture(scope="module")
def keeper(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EngineProcess]:
    proc = start_engine(tmp_path_factory.mktemp("keeper"), idle_timeout=0,
                        extra_args=["--keep-renders-days", "1", "--keep-renders-mb", "500"])
    yield proc
    proc.stop()


def _draft(scene: str) -> dict[str, Any]:
    return {"t": [{"tt": 0, "sg": [{"st": 0, "d": 1000, "k": "scene", "scene": scene}]}], "d": 1000,
            "m": {"width": 320, "height": 180}}


def _render(http: httpx.Client, draft: dict[str, Any]) -> dict[str, Any]:
    job = f"r_{uuid.uuid4().hex[:10]}"
    r = http.post("/api/render/proxy/lambda", json={"id": job, "draft": draft, "output": {"quality": "preview"}})
    assert r.status_code == 200, r.text
    deadline = time.monotonic() + 120
    while True:
        data = http.get(f"/api/render/proxy/lambda/{job}").json()["data"]
        if data["status"] in ("completed", "failed"):
            return dict(data)
        assert time.monotonic() < deadline
        time.sleep(0.2)


def test_old_renders_are_pruned_and_exported_again(keeper: EngineProcess) -> None:
    http = httpx.Client(base_url=keeper.url, timeout=60, trust_env=False)
    token = http.post("/api/auth/anonymous-token", headers={"X-Client-Id": str(uuid.uuid4())}).json()["data"]["token"]
    http.headers["Authorization"] = f"Bearer {token}"
    old = _render(http, _draft("forest"))
    fresh = _render(http, _draft("ocean"))
    assert old["status"] == fresh["status"] == "completed"
    two_days_ago = time.time() - 2 * 86400
    old_file = keeper.home / "renders" / f"{old['id']}.mp4"
    os.utime(old_file, (two_days_ago, two_days_ago))
    _render(http, _draft("city"))             # a render finishes: the engine prunes
    deadline = time.monotonic() + 20
    while old_file.exists():
        assert time.monotonic() < deadline, "the two-day-old render was kept"
        time.sleep(0.2)
    gone = http.get(f"/api/render/proxy/lambda/{old['id']}").json()["data"]
    assert gone["status"] == "failed" and gone["error"] == PRUNED_REASON and gone["outputUrl"] is None
    assert httpx.get(old["outputUrl"], trust_env=False).status_code == 404
    assert (keeper.home / "renders" / f"{fresh['id']}.mp4").is_file()     # within a day: kept
    again = _render(http, _draft("forest"))   # the same draft: rendered anew, not "reused" from nothing
    assert again["status"] == "completed" and not again.get("reused")
    assert httpx.get(again["outputUrl"], trust_env=False).status_code == 200


def _finished(store: Store, job_id: str, size: int, age: float) -> Path:
    store.add_job(job_id, "anon_x", None, _draft("forest"), "preview", None, cache_key=f"k-{job_id}")
    path = store.render_path(job_id)
    path.write_bytes(b"\0" * size)
    store.finish_job(job_id, "completed", media_key=store.new_key(), size=size)
    stamp = time.time() - age
    os.utime(path, (stamp, stamp))
    return path


def test_renders_over_the_size_limit_go_oldest_first(tmp_path: Path) -> None:
    store = Store(tmp_path)
    hour = 3600.0
    files = [_finished(store, f"r{i}", 400 * 1024, age=(10 - i) * hour) for i in range(6)]   # r0 oldest
    fresh = _finished(store, "r_new", 400 * 1024, age=GRACE_SECONDS / 10)
    removed = prune_renders(store, Retention(renders_days=0, renders_mb=1.0))
    assert removed == ["r0.mp4", "r1.mp4", "r2.mp4", "r3.mp4", "r4.mp4"], removed   # down to 1 MB, oldest first
    assert [p.exists() for p in files] == [False] * 5 + [True] and fresh.exists()
    job = store.get_job("r0")
    assert job is not None and job.status == "failed" and job.error == PRUNED_REASON and job.media_key is None
    assert store.finished_render("k-r0") is None and store.finished_render("k-r5") is not None
    assert prune_renders(store, Retention(renders_days=0, renders_mb=0)) == []   # 0: no size limit
    store.close()


def test_retention_settings_come_from_flags_and_the_environment(tmp_path: Path) -> None:
    assert Retention.from_env({}) == Retention()
    env = {"NEMO_KEEP_RENDERS_DAYS": "3", "NEMO_KEEP_RENDERS_MB": "0", "NEMO_KEEP_VERSIONS": "20"}
    assert Retention.from_env(env) == Retention(renders_days=3, renders_mb=0, versions=20)
    for bad in ({"NEMO_KEEP_RENDERS_MB": "lots"}, {"NEMO_KEEP_RENDERS_DAYS": "-1"}, {"NEMO_KEEP_VERSIONS": "0"}):
        with pytest.raises(ValueError):
            Retention.from_env(bad)
    from nemo_jupyter.engine.launcher import EngineStartError

    with pytest.raises(EngineStartError) as info:
        start_engine(tmp_path / "bad", idle_timeout=0, extra_args=["--keep-renders-mb", "-5"])
    assert "--keep-renders-mb" in str(info.value)
