"""Render jobs over real HTTP: both poll shapes, persistence, attach, failures, downloads."""

from __future__ import annotations

import asyncio
import json
import os
import re
import time
from pathlib import Path
from typing import Any

import pytest
from _helpers import cloud_session
from fakecloud import FAKE_MP4, FAST, FakeCloud, status
from starlette.requests import Request

from nemo_jupyter import (
    AsyncNemo,
    Nemo,
    NemoError,
    NotExportable,
    RenderCancelled,
    RenderError,
    RenderFailed,
    RenderJob,
    RenderTimeout,
    Video,
)


def _stored_jobs() -> dict[str, Any]:
    path = Path(os.environ["NEMO_CONFIG_DIR"]) / "jobs.json"
    return json.loads(path.read_text()) if path.exists() else {}


@pytest.mark.parametrize("shape", ["success", "bare"])
def test_export_wait_download_both_poll_shapes(cloud: FakeCloud, tmp_path: Path, shape: str) -> None:
    cloud.poll_shape = shape
    cloud.polls_to_finish = 3
    nemo, s = cloud_session(cloud, "make a forest video")
    job = s.export(quality="high", resolution="1080p")
    assert job.id.startswith("render_") and job.session_id == s.id
    submitted = cloud.calls("POST", "/api/render/proxy/lambda")[0].json
    assert submitted["id"] == job.id and submitted["sessionId"] == s.id
    assert submitted["output"] == {"format": "mp4", "quality": "high", "resolution": "1080p"}
    assert submitted["draft"]["t"][0]["sg"]
    seen: list[tuple[float, str]] = []
    video = job.wait(timeout=10, on_progress=lambda p, st: seen.append((p, st)))
    assert [st for _, st in seen] == ["processing", "processing", "completed"]
    assert seen[-1][0] == 100 and seen[0][0] < 100
    assert isinstance(video, Video) and video.url and video.url.endswith(f"{job.id}.mp4")
    if shape == "bare":
        assert video.duration == 10.0 and video.size == len(FAKE_MP4)
    out = video.download(tmp_path / "out" / "forest.mp4")
    assert out.read_bytes() == FAKE_MP4 and video.path == out
    assert not [p for p in out.parent.iterdir() if p.name != "forest.mp4"]   # no half files left
    assert f'src="{video.url}"' in video._repr_html_()        # outside the cwd: the URL
    assert job.id not in _stored_jobs()
    nemo.close()


def test_job_id_is_persisted_at_submit_and_survives_a_restart(cloud: FakeCloud) -> None:
    cloud.polls_to_finish = 2
    nemo, s = cloud_session(cloud, "make a forest video")
    job = s.export()
    stored = _stored_jobs()
    assert stored[job.id]["backend"] == cloud.url and stored[job.id]["session_id"] == s.id
    nemo.close()
    # "kernel restart": a new client finds the job and can finish it
    fresh = Nemo(cloud.url, **FAST)
    listed = fresh.jobs()
    assert [j.id for j in listed] == [job.id]
    again = RenderJob.attach(fresh, job.id)
    assert again.session_id == s.id
    video = again.wait(timeout=10)
    assert video.job_id == job.id
    assert fresh.jobs() == [] and job.id not in _stored_jobs()
    fresh.close()


def test_jobs_are_listed_per_backend(cloud: FakeCloud) -> None:
    nemo, s = cloud_session(cloud, "make a forest video")
    job = s.export()
    assert [j.id for j in nemo.jobs()] == [job.id]
    other = Nemo("http://127.0.0.1:9", token="nmv_usr_other", **FAST)
    assert other.jobs() == []
    nemo.close()


def test_failed_render_carries_the_reason(cloud: FakeCloud) -> None:
    cloud.fail_render = "segment 3 has no source"
    nemo, s = cloud_session(cloud, "make a forest video")
    job = s.export()
    with pytest.raises(RenderFailed) as info:
        job.wait(timeout=10)
    assert info.value.reason == "segment 3 has no source" and info.value.job_id == job.id
    assert "segment 3 has no source" in str(info.value)
    assert job.id not in _stored_jobs()
    nemo.close()


def test_deadline_raises_render_timeout_with_the_job_id(cloud: FakeCloud) -> None:
    cloud.polls_to_finish = 10_000
    nemo, s = cloud_session(cloud, "make a forest video")
    job = s.export()
    with pytest.raises(RenderTimeout) as info:
        job.wait(timeout=0.3)
    assert info.value.job_id == job.id and "attach" in str(info.value)
    assert job.id in _stored_jobs()          # kept to re-attach later
    nemo.close()


def test_poll_cadence_grows_and_is_capped(cloud: FakeCloud) -> None:
    cloud.polls_to_finish = 5
    nemo = Nemo(cloud.url, **{**FAST, "poll_interval": 0.05, "poll_backoff": 2.0, "poll_max_interval": 0.15})
    s = nemo.session()
    s.ask("make a forest video")
    job = s.export()
    polled: list[float] = []
    job.wait(timeout=10, on_progress=lambda p, st: polled.append(time.monotonic()))
    assert len(polled) == 5
    assert job._job.pauses == pytest.approx([0.05, 0.1, 0.15, 0.15])   # ×2 each time, capped at 0.15
    assert polled[-1] - polled[0] >= sum(job._job.pauses) - 0.01
    nemo.close()


def test_cancel(cloud: FakeCloud) -> None:
    cloud.polls_to_finish = 100
    nemo, s = cloud_session(cloud, "make a forest video")
    job = s.export()
    job.cancel()
    assert cloud.calls("POST", rf"/api/render/proxy/lambda/{job.id}/cancel")
    assert job.id not in _stored_jobs()
    with pytest.raises(RenderCancelled):
        RenderJob.attach(nemo, job.id).wait(timeout=5)
    nemo.close()


def test_download_falls_back_to_the_proxy_endpoint(cloud: FakeCloud, tmp_path: Path) -> None:
    cloud.output_url_broken = True
    nemo, s = cloud_session(cloud, "make a forest video")
    video = s.export().wait(timeout=10)
    path = video.download(tmp_path / "v.mp4")
    assert path.read_bytes() == FAKE_MP4
    fallback = cloud.calls("GET", rf"/api/render/proxy/{video.job_id}/download")
    assert fallback and fallback[0].headers["authorization"].startswith("Bearer ")
    nemo.close()


def test_failed_download_leaves_no_half_file(cloud: FakeCloud, tmp_path: Path) -> None:
    cloud.output_url_broken = True
    nemo, s = cloud_session(cloud, "make a forest video")
    video = s.export().wait(timeout=10)
    cloud.script("GET /api/render/proxy/.*/download", status(500), times=10)
    with pytest.raises(RenderError):
        video.download(tmp_path / "dl" / "v.mp4")
    assert list((tmp_path / "dl").iterdir()) == []
    nemo.close()


def test_token_is_not_sent_to_another_origin(cloud: FakeCloud, tmp_path: Path) -> None:
    nemo, s = cloud_session(cloud, "make a forest video")
    job = s.export()
    foreign = cloud.url.replace("127.0.0.1", "localhost") + f"/cdn/{job.id}.mp4"   # another origin

    def done(request: Request) -> Any:
        from starlette.responses import JSONResponse

        return JSONResponse({"success": True, "data": {"id": job.id, "status": "completed", "progress": 100,
                                                       "outputUrl": foreign}})

    cloud.script(f"GET /api/render/proxy/lambda/{job.id}", done)
    video = job.wait(timeout=10)
    assert video.url == foreign
    video.download(tmp_path / "a.mp4")
    cdn = cloud.calls("GET", r"/cdn/.*")[-1]
    assert "authorization" not in cdn.headers
    assert cloud.calls("GET", f"/api/render/proxy/lambda/{job.id}")[-1].headers["authorization"].startswith("Bearer ")
    nemo.close()


def test_failed_submit_is_retried_once_with_a_new_id(cloud: FakeCloud) -> None:
    nemo, s = cloud_session(cloud, "make a forest video")

    def fail(request: Request) -> Any:
        from starlette.responses import JSONResponse

        return JSONResponse({"success": False, "error": "lambda busy"})

    cloud.script("POST /api/render/proxy/lambda", fail)
    job = s.export()
    ids = [r.json["id"] for r in cloud.calls("POST", "/api/render/proxy/lambda")]
    assert len(ids) == 2 and ids[0] != ids[1] and job.id == ids[1]
    assert list(_stored_jobs()) == [job.id]
    cloud.script("POST /api/render/proxy/lambda", fail, times=2)
    with pytest.raises(RenderError) as info:
        s.export()
    assert "twice" in str(info.value)
    assert len(cloud.calls("POST", "/api/render/proxy/lambda")) == 4
    nemo.close()


def test_empty_draft_is_not_exportable_and_nothing_is_sent(cloud: FakeCloud) -> None:
    nemo, s = cloud_session(cloud)
    with pytest.raises(NotExportable):
        s.export()
    s.ask("hello")
    cloud.sessions[s.id].draft = {"t": [{"tt": 0, "sg": []}]}
    with pytest.raises(NotExportable):
        s.export()
    assert not cloud.calls("POST", "/api/render/proxy/lambda")
    nemo.close()


def test_sandbox_sources_are_mapped_to_cdn_urls_before_render(cloud: FakeCloud, tmp_path: Path) -> None:
    nemo, s = cloud_session(cloud)
    clip = tmp_path / "beach.mp4"
    clip.write_bytes(b"\x00" * 2048)
    [up] = s.upload(clip)
    cloud.sessions[s.id].draft = {"t": [{"tt": 0, "sg": [{"n": "beach", "st": 0, "d": 5000, "k": "video",
                                                          "src": "/mnt/userdata/beach.mp4", "zz": 1}]}], "d": 5000}
    s.export().wait(timeout=10)
    seg = cloud.calls("POST", "/api/render/proxy/lambda")[0].json["draft"]["t"][0]["sg"][0]
    assert seg["src"] == up.cdn_url and seg["zz"] == 1      # mapped, unknown keys kept
    nemo.close()


def test_video_html_uses_a_relative_path_under_the_cwd(cloud: FakeCloud, tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    nemo, s = cloud_session(cloud, "make a forest video")
    video = s.export().wait(timeout=10)
    path = video.download()
    assert path == Path("nemo_outputs") / f"{video.job_id}.mp4" and path.exists()
    html = video._repr_html_()
    assert f'src="nemo_outputs/{video.job_id}.mp4"' in html and "<video controls" in html
    nemo.close()


def test_wait_rides_out_a_short_outage(cloud: FakeCloud) -> None:
    cloud.polls_to_finish = 2
    nemo, s = cloud_session(cloud, "make a forest video")
    job = s.export()
    cloud.script("GET /api/render/proxy/lambda/.*", status(503), times=4)   # a whole poll fails (3 attempts), then one more 503
    video = job.wait(timeout=10)
    assert video.job_id == job.id
    nemo.close()


def test_attach_to_an_unknown_job_is_a_render_error(cloud: FakeCloud) -> None:
    nemo = Nemo(cloud.url, **FAST)
    job = RenderJob.attach(nemo, "render_123")
    with pytest.raises(RenderError) as info:
        job.wait(timeout=5)
    assert info.value.job_id == "render_123" and "export again" in str(info.value)
    nemo.close()


def _add_jobs(args: tuple[str, int]) -> None:
    from nemo_jupyter.client.jobs import JobStore

    path, worker = args
    store = JobStore(Path(path))
    for i in range(25):
        store.add(f"render_{worker}_{i}", backend="http://b", session_id=None)


def test_job_store_loses_nothing_when_kernels_race(tmp_path: Path) -> None:
    import multiprocessing

    from nemo_jupyter.client.jobs import JobStore

    path = tmp_path / "jobs.json"
    with multiprocessing.get_context("fork").Pool(4) as pool:
        pool.map(_add_jobs, [(str(path), w) for w in range(4)])
    assert len(JobStore(path).for_backend("http://b")) == 100


def test_render_ids_are_unique_within_one_millisecond(cloud: FakeCloud, monkeypatch: pytest.MonkeyPatch) -> None:
    nemo, s = cloud_session(cloud, "make a forest video")
    import nemo_jupyter.client.render_api as client_module

    frozen = time.time()
    monkeypatch.setattr(client_module.time, "time", lambda: frozen)
    first, second = s.export(), s.export()
    assert first.id != second.id
    assert all(re.fullmatch(r"render_\d+_[0-9a-f]+", j.id) for j in (first, second))
    assert sorted(_stored_jobs()) == sorted([first.id, second.id])
    assert len(cloud.calls("POST", "/api/render/proxy/lambda")) == 2
    nemo.close()


def test_submit_answered_409_is_retried_once_with_a_new_id(cloud: FakeCloud) -> None:
    nemo, s = cloud_session(cloud, "make a forest video")
    cloud.script("POST /api/render/proxy/lambda", status(409, {"success": False, "error": "duplicate id"}))
    job = s.export()
    ids = [r.json["id"] for r in cloud.calls("POST", "/api/render/proxy/lambda")]
    assert len(ids) == 2 and ids[0] != ids[1] and job.id == ids[1]
    assert list(_stored_jobs()) == [job.id]
    nemo.close()


def test_submit_clearly_refused_with_4xx_forgets_the_id(cloud: FakeCloud) -> None:
    nemo, s = cloud_session(cloud, "make a forest video")
    cloud.script("POST /api/render/proxy/lambda", status(400, {"success": False, "error": "bad draft"}))
    with pytest.raises(NemoError):
        s.export()
    assert len(cloud.calls("POST", "/api/render/proxy/lambda")) == 1
    assert _stored_jobs() == {}
    nemo.close()


def test_submit_that_timed_out_keeps_the_id(cloud: FakeCloud) -> None:
    nemo = Nemo(cloud.url, **{**FAST, "timeout": 0.5})
    s = nemo.session()
    s.ask("make a forest video")

    async def slow_accept(request: Request) -> Any:
        response = await cloud._render_submit(request)   # the backend takes the job...
        await asyncio.sleep(1.5)                         # ...but answers too late
        return response

    cloud.script("POST /api/render/proxy/lambda", slow_accept)
    job = s.export()          # the answer was lost, but the job is found by its id (issue 12)
    ids = list(cloud.jobs)    # (the handler records the request twice: read what the cloud accepted)
    assert len(ids) == 1 and list(_stored_jobs()) == ids == [job.id]
    assert [j.id for j in nemo.jobs()] == ids     # the accepted job is still found
    nemo.close()


def test_submit_cancelled_mid_request_keeps_the_id(cloud: FakeCloud) -> None:
    async def main() -> list[str]:
        nemo = AsyncNemo(cloud.url, **FAST)
        s = nemo.session()
        await s.ask("make a forest video")

        async def slow_accept(request: Request) -> Any:
            response = await cloud._render_submit(request)
            await asyncio.sleep(1.0)
            return response

        cloud.script("POST /api/render/proxy/lambda", slow_accept)
        task = asyncio.ensure_future(s.export())
        for _ in range(200):
            await asyncio.sleep(0.02)
            if cloud.jobs:
                break
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        await nemo.aclose()
        return list(cloud.jobs)

    accepted = asyncio.run(main())
    assert accepted and list(_stored_jobs()) == accepted
