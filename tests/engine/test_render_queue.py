"""The render queue: fairness between users, previews first, cancel within a second, reuse of renders.

Real engine processes on loopback, real FFmpeg, real SQLite.
"""

from __future__ import annotations

import base64
import io
import os
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from PIL import Image

from nemo_jupyter.engine.jobs import RenderQueue
from nemo_jupyter.engine.launcher import EngineProcess, start_engine
from nemo_jupyter.engine.store import Store


def scene_draft(seconds: float, *, w: int = 1920, h: int = 1080, title: str | None = None) -> dict[str, Any]:
    seg = 10_000
    n = max(1, int(seconds * 1000) // seg)
    cams = ["zoom_in", "pan_right", "rise", "pan_left"]
    scenes = ["forest", "ocean", "city", "mountains"]
    sgs = [{"id": f"v{i}", "n": scenes[i % 4].title(), "k": "scene", "scene": scenes[i % 4], "el": ["birds"],
            "cam": cams[i % 4], "st": i * seg, "d": seg if n > 1 else int(seconds * 1000)} for i in range(n)]
    tracks: list[dict[str, Any]] = [
        {"tt": 0, "n": "Video", "sg": sgs},
        {"tt": 1, "n": "BGM", "sg": [{"id": "m1", "k": "music", "mood": "soft", "st": 0, "d": int(seconds * 1000)}]},
    ]
    if title:
        tracks.append({"tt": 7, "n": "Title", "sg": [{"id": "t1", "k": "title", "txt": title, "st": 0, "d": 2000}]})
    return {"t": tracks, "d": int(seconds * 1000), "m": {"width": w, "height": h, "fps": 30}}


class User:
    def __init__(self, url: str) -> None:
        self.http = httpx.Client(base_url=url, timeout=60, trust_env=False)
        r = self.http.post("/api/auth/anonymous-token", headers={"X-Client-Id": str(uuid.uuid4())})
        assert r.status_code == 200, r.text
        self.http.headers["Authorization"] = f"Bearer {r.json()['data']['token']}"

    def submit(self, draft: dict[str, Any], quality: str = "high", job_id: str | None = None) -> dict[str, Any]:
        job_id = job_id or f"render_{uuid.uuid4().hex[:12]}"
        r = self.http.post("/api/render/proxy/lambda", json={"id": job_id, "draft": draft,
                                                               "output": {"format": "mp4", "quality": quality}})
        assert r.status_code == 200, r.text
        return dict(r.json()["data"])

    def poll(self, job_id: str) -> dict[str, Any]:
        r = self.http.get(f"/api/render/proxy/lambda/{job_id}")
        assert r.status_code == 200, r.text
        return dict(r.json()["data"])

    def wait(self, job_id: str, until: set[str], timeout: float = 300) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        while True:
            d = self.poll(job_id)
            if d["status"] in until:
                return d
            assert time.monotonic() < deadline, f"{job_id} still {d['status']} after {timeout} s"
            time.sleep(0.1)


@pytest.fixture(scope="module")
def queue_engine(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EngineProcess]:
    proc = start_engine(tmp_path_factory.mktemp("queue-engine"), idle_timeout=0)
    yield proc
    proc.stop()


def _ffmpeg_of(job_id: str) -> list[int]:
    """Pids of FFmpeg processes working on ``job_id`` (their arguments name its work dir)."""
    pids = []
    for d in Path("/proc").iterdir():
        if not d.name.isdigit():
            continue
        try:
            cmd = (d / "cmdline").read_bytes().replace(b"\0", b" ")
        except OSError:
            continue
        if b"ffmpeg" in cmd and f"render-{job_id}".encode() in cmd:
            pids.append(int(d.name))
    return pids


def test_a_short_preview_of_user_b_finishes_while_user_a_renders_minutes_of_1080p_and_a_cancels_in_1s(
        queue_engine: EngineProcess) -> None:
    a, b = User(queue_engine.url), User(queue_engine.url)
    long_job = a.submit(scene_draft(240), "high")["id"]          # four minutes of 1080p
    a.wait(long_job, {"processing"}, timeout=60)
    deadline = time.monotonic() + 60
    while not _ffmpeg_of(long_job):                                # A's encode is under way
        assert time.monotonic() < deadline
        time.sleep(0.1)
    preview = b.submit(scene_draft(3), "preview")["id"]
    done = b.wait(preview, {"completed", "failed"}, timeout=120)
    assert done["status"] == "completed", done
    assert done["output"]["width"] == 640 and done["output"]["height"] == 360
    still = a.poll(long_job)
    assert still["status"] == "processing", still                # B did not wait for A's job
    assert "estimatedSeconds" in still and still["estimatedSeconds"] > 0
    t0 = time.monotonic()
    r = a.http.post(f"/api/render/proxy/lambda/{long_job}/cancel")
    assert r.status_code == 200
    ended = a.wait(long_job, {"completed", "failed"}, timeout=5)
    while _ffmpeg_of(long_job) and time.monotonic() - t0 < 5:
        time.sleep(0.05)
    elapsed = time.monotonic() - t0
    assert ended["status"] == "failed" and "cancel" in (ended["error"] or "")
    assert not _ffmpeg_of(long_job)
    assert elapsed < 1.0, f"the cancel took {elapsed:.2f} s"


def test_cancel_during_painting_takes_effect_within_a_second(queue_engine: EngineProcess) -> None:
    a = User(queue_engine.url)
    # many distinct scene families and long captions: seconds of painting before FFmpeg starts
    draft = scene_draft(120)
    families = ["forest", "ocean", "city", "mountains", "desert", "space", "underwater", "flowers",
                "night_sky", "sunset", "rain", "snow"]
    for sg, fam in zip(draft["t"][0]["sg"], families, strict=True):
        sg["scene"] = fam
    draft["t"].append({"tt": 7, "n": "Captions", "sg": [
        {"id": f"c{i}", "k": "caption", "txt": "a long caption " * 60, "st": i * 10_000, "d": 10_000}
        for i in range(12)]})
    job = a.submit(draft, "high")["id"]
    a.wait(job, {"processing"}, timeout=60)
    t0 = time.monotonic()
    a.http.post(f"/api/render/proxy/lambda/{job}/cancel")
    ended = a.wait(job, {"completed", "failed"}, timeout=5)
    assert ended["status"] == "failed" and time.monotonic() - t0 < 1.0
    # the worker is free again soon: a preview after it runs at once
    quick = a.submit(scene_draft(2), "preview")["id"]
    assert a.wait(quick, {"completed", "failed"}, timeout=120)["status"] == "completed"


def test_cancel_inside_one_1080p_family_painting_stops_it_within_a_second(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """The cancel is checked between the steps of one family's painting, not only between families:
    the family being painted when the cancel comes never finishes, and the render ends within 1 s."""
    from nemo_jupyter.engine.render import RenderCancelled, render_draft
    from nemo_jupyter.engine.render import pipeline as P

    painting, finished = threading.Event(), []
    real = P.paint_scene

    def watched(fam: str, *args: Any, **kwargs: Any) -> Any:
        painting.set()
        layers = real(fam, *args, **kwargs)
        finished.append(fam)
        return layers

    monkeypatch.setattr(P, "paint_scene", watched)
    P._painted.cache_clear()
    draft = scene_draft(40)  # four 1080p shots, each a heavy family filmed with a moving camera
    for sg, fam in zip(draft["t"][0]["sg"], ["river", "space", "aurora", "night_sky"], strict=True):
        sg["scene"] = fam
    cancel = threading.Event()
    outcome: list[BaseException | None] = []

    def run() -> None:
        try:
            render_draft(draft, tmp_path / "x.mp4", resolve=lambda src: None, cancel=cancel, workdir=tmp_path)
            outcome.append(None)
        except BaseException as exc:  # the test reads it
            outcome.append(exc)

    worker = threading.Thread(target=run, daemon=True)
    worker.start()
    assert painting.wait(60)
    time.sleep(0.05)  # inside the first family's painting (it takes far longer than this)
    t0 = time.monotonic()
    cancel.set()
    worker.join(10)
    elapsed = time.monotonic() - t0
    assert outcome and isinstance(outcome[0], RenderCancelled), outcome
    assert finished == [], f"{finished} painted to the end after the cancel"
    assert elapsed < 1.0, f"the cancel took {elapsed:.2f} s"
    assert not (tmp_path / "x.mp4").exists()
    P._painted.cache_clear()


def test_an_identical_render_returns_the_same_file_at_once_and_writes_nothing(queue_engine: EngineProcess) -> None:
    u = User(queue_engine.url)
    draft = scene_draft(2, title="Same Again")
    first = u.submit(draft, "preview")["id"]
    done = u.wait(first, {"completed", "failed"}, timeout=120)
    assert done["status"] == "completed", done
    renders = queue_engine.home / "renders"
    before = sorted(os.listdir(renders))
    t0 = time.monotonic()
    # the same draft with its keys in another order is the same render
    again = u.submit(dict(reversed(list(draft.items()))), "preview")
    elapsed = time.monotonic() - t0
    assert again["status"] == "completed" and again.get("reused") is True, again
    assert elapsed < 0.5
    assert sorted(os.listdir(renders)) == before  # no new file
    a = u.http.get(done["outputUrl"]).content
    b = u.http.get(again["outputUrl"]).content
    assert a == b and len(a) == done["output"]["size"]
    assert again["outputUrl"] != done["outputUrl"]  # each job keeps its own unguessable URL
    # another user with the same draft gets it too; other settings are another render
    other = User(queue_engine.url).submit(draft, "preview")
    assert other["status"] == "completed"
    high = u.submit(draft, "medium")
    assert high["status"] == "pending"
    u.wait(high["id"], {"completed", "failed"}, timeout=120)


def test_storyboard_strip_is_painted_from_the_draft_alone(queue_engine: EngineProcess) -> None:
    u = User(queue_engine.url)
    r = u.http.post("/api/tasks/me/with-session/nemo_agent", json={"task_name": "project", "language": "en"})
    sid = r.json()["data"]["session_id"]
    draft = scene_draft(30, w=1080, h=1920, title="Up Close")
    r = u.http.post(f"/api/storyboard/nemo_agent/me/{sid}", json={"draft": draft, "width": 180})
    assert r.status_code == 200, r.text
    data = r.json()["data"]
    assert len(data["frames"]) == 3 and data["width"] == 180 and data["height"] == 320
    assert [f["segment"] for f in data["frames"]] == ["v0", "v1", "v2"]
    for f in data["frames"]:
        img = Image.open(io.BytesIO(base64.b64decode(f["image"].split(",", 1)[1])))
        assert img.size == (180, 320)
        assert max(img.convert("L").getextrema()) > 60  # a picture, not a black box
    again = u.http.post(f"/api/storyboard/nemo_agent/me/{sid}", json={"draft": draft, "width": 180}).json()["data"]
    assert again["key"] == data["key"]
    # nothing drawn yet: a clear 422; no session: 404 / 1002
    r = u.http.get(f"/api/storyboard/nemo_agent/me/{sid}/latest")
    assert r.status_code == 422 and "describe a video" in r.json()["message"]
    assert u.http.get("/api/storyboard/nemo_agent/me/999/latest").json()["code"] == 1002


# -- the order of the queue, without rendering ---------------------------------------------------

def test_previews_go_first_and_users_take_turns(tmp_path: Path) -> None:
    store = Store(tmp_path)
    q = RenderQueue(store, lambda src, sid: None, workers=1)  # not started: nothing runs
    jobs = [("a1", "A", "high", 60), ("a2", "A", "high", 60), ("a3", "A", "high", 60),
            ("b1", "B", "high", 10), ("c1", "C", "preview", 3)]
    for job_id, user, quality, secs in jobs:
        store.add_job(job_id, user, None, scene_draft(secs), quality, None)
        q.submit(job_id)
    order = [q.position(j) for j in ("c1", "a1", "b1", "a2", "a3")]
    assert order[0] == 1                       # the preview first
    assert order[1:] == [2, 3, 4, 5]           # then A and B in turn, A's own jobs in order
    est = [q.estimate(j) or 0.0 for j in ("c1", "a1", "b1", "a2", "a3")]
    assert est[0] < est[1] < est[2] < est[3] < est[4]
    q.cancel("a2")
    assert q.position("a2") is None and q.position("a3") == 4
    assert store.get_job("a2").status == "failed"  # type: ignore[union-attr]
    store.close()
