"""Rendering on a Dask cluster: scene-boundary chunks, joined without re-encoding.

Real parts: a ``distributed.LocalCluster`` with two worker processes on loopback, real FFmpeg,
and the real engine over HTTP for the end-to-end case. The chunked result is compared with the
single-process render of the same draft: frame count, frames at the cuts, and the audio.
"""

from __future__ import annotations

import itertools
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import httpx
import numpy as np
import pytest

from nemo_jupyter.engine.cluster.join import join_chunks
from nemo_jupyter.engine.cluster.renderer import ClusterRenderer, plan_chunks
from nemo_jupyter.engine.render import RenderCancelled, ffmpeg_exe, render_draft
from nemo_jupyter.engine.render.pipeline import chunk_boundaries
from nemo_jupyter.engine.render.sound import audio as A

pytestmark = pytest.mark.slow

W, H, FPS = 320, 180, 30


def four_scene_draft(scene_ms: int = 2500, w: int = W, h: int = H, n: int = 4) -> dict[str, Any]:
    """Four scenes (or ``n``, repeating them): fades, one cut, a title over a scene boundary, music."""
    fams = [("forest", "fade", "zoom_in"), ("city", "fade", "pan_left"), ("ocean", "cut", "still"),
            ("mountains", "fade", "pan_right")]
    segs = [{"id": f"s{i}", "k": "scene", "scene": f, "st": i * scene_ms, "d": scene_ms, "tr": tr, "cam": cam,
             "el": ["birds"]} for i, (f, tr, cam) in enumerate(fams * (n // 4) + fams[:n % 4])]
    d = n * scene_ms
    return {"t": [{"tt": 0, "sg": segs},
                  {"tt": 1, "sg": [{"k": "music", "mood": "upbeat", "st": 0, "d": d, "v": 0.6}]},
                  {"tt": 7, "sg": [{"k": "title", "txt": "Across the cut", "st": max(0, scene_ms - 700), "d": 1600}]}],
            "d": d, "m": {"width": w, "height": h, "title": "Chunks"}}


def no_media(src: str) -> Path | None:
    return None


def frames(path: Path, w: int = W, h: int = H) -> np.ndarray:
    raw = subprocess.run([ffmpeg_exe(), "-loglevel", "error", "-i", str(path), "-f", "rawvideo",
                          "-pix_fmt", "rgb24", "-"], capture_output=True, check=True).stdout
    return np.frombuffer(raw, np.uint8).reshape(-1, h, w, 3)


def frame_count(path: Path) -> int:
    """Decoded frames (scaled down to a few pixels, so a 1080p video costs no memory)."""
    raw = subprocess.run([ffmpeg_exe(), "-loglevel", "error", "-i", str(path), "-vf", "scale=32:18",
                          "-f", "rawvideo", "-pix_fmt", "gray", "-"], capture_output=True, check=True).stdout
    return len(raw) // (32 * 18)


def pcm(path: Path) -> np.ndarray:
    raw = subprocess.run([ffmpeg_exe(), "-loglevel", "error", "-i", str(path), "-f", "f32le", "-ac", "1",
                          "-ar", "48000", "-"], capture_output=True, check=True).stdout
    return np.frombuffer(raw, np.float32)


def psnr(a: np.ndarray, b: np.ndarray) -> float:
    mse = float(((a.astype(np.float64) - b.astype(np.float64)) ** 2).mean())
    return 99.0 if mse == 0 else 10 * np.log10(255.0**2 / mse)


def assert_same_video(whole: Path, chunked: Path, cuts: list[int]) -> None:
    fw, fc = frames(whole), frames(chunked)
    assert fc.shape == fw.shape, f"{fc.shape[0]} frames chunked vs {fw.shape[0]} whole"
    for c in cuts:
        for f in (c - 1, c, c + 1):
            assert psnr(fw[f], fc[f]) > 32, f"frame {f} at the cut {c} differs from the whole render"
        # no seam: the step across the cut is no larger than in the whole render
        step_c = np.abs(fc[c].astype(int) - fc[c - 1].astype(int)).mean()
        step_w = np.abs(fw[c].astype(int) - fw[c - 1].astype(int)).mean()
        assert step_c < step_w + 3, f"a visible jump at frame {c}: {step_c:.1f} vs {step_w:.1f}"


def assert_continuous_audio(whole: Path, chunked: Path, cuts: list[int]) -> None:
    aw, ac = pcm(whole), pcm(chunked)
    assert abs(len(aw) - len(ac)) <= 1024
    n = min(len(aw), len(ac))
    corr = float(np.corrcoef(aw[:n], ac[:n])[0, 1])
    assert corr > 0.99, f"the audio differs from the whole render (correlation {corr:.3f})"
    typical = float(np.percentile(np.abs(np.diff(ac[:n])), 99.9))
    for c in cuts:
        i = int(c / FPS * 48000)
        win = ac[i - 960:i + 960]  # 40 ms around the cut
        rms, rms_near = float(np.sqrt((win**2).mean())), float(np.sqrt((ac[i - 9600:i + 9600] ** 2).mean()))
        assert rms > 0.3 * rms_near, f"a gap in the sound at the cut {c} (rms {rms:.4f} vs {rms_near:.4f})"
        jump = float(np.abs(np.diff(win)).max())
        assert jump <= 2.0 * typical + 1e-3, f"a click at the cut {c}: step {jump:.4f} vs typical {typical:.4f}"


# -- chunk planning and the window, without Dask -------------------------------------------------

def test_plan_chunks_starts_only_at_scene_boundaries_and_merges_short_pieces() -> None:
    assert plan_chunks(300, [75, 150, 225]) == [(0, 75), (75, 150), (150, 225), (225, 300)]
    assert plan_chunks(300, [20, 150, 290]) == [(0, 150), (150, 300)]  # < 2 s pieces merged
    assert plan_chunks(40, [20]) == [(0, 40)]
    assert plan_chunks(300, []) == [(0, 300)]
    # many short scenes on few workers: at most max_chunks, cut near an even split
    cuts = list(range(75, 1200, 75))  # sixteen 2.5 s scenes
    assert plan_chunks(1200, cuts, max_chunks=4) == [(0, 300), (300, 600), (600, 900), (900, 1200)]
    assert plan_chunks(1200, cuts, max_chunks=1) == [(0, 1200)]
    assert plan_chunks(300, [75, 150, 225], max_chunks=8) == plan_chunks(300, [75, 150, 225])


def test_chunk_boundaries_are_the_starts_of_scene_bodies() -> None:
    n, cuts = chunk_boundaries(four_scene_draft(), no_media)
    assert n == 300
    # fades of 800 ms (24 frames) are centred on the boundary: the body starts 12 frames after it;
    # the cut into the third scene is the boundary itself
    assert cuts == [75 + 12, 150, 225 + 12]


def test_chunks_rendered_separately_and_joined_equal_the_whole_render(tmp_path: Path) -> None:
    draft = four_scene_draft()
    n, cuts = chunk_boundaries(draft, no_media)
    whole = render_draft(draft, tmp_path / "whole.mp4", resolve=no_media).path
    edges = [0, *cuts, n]
    parts = []
    for i, (a, b) in enumerate(itertools.pairwise(edges)):
        part = render_draft(draft, tmp_path / f"c{i}.mp4", resolve=no_media, window=(a, b)).path
        assert len(frames(part)) == b - a
        assert "Audio" not in subprocess.run([ffmpeg_exe(), "-i", str(part)], capture_output=True,
                                             text=True).stderr
        parts.append(part)
    wav = A.mix_draft(draft, n / FPS, no_media, tmp_path / "a.wav")
    joined = join_chunks(parts, wav, tmp_path / "joined.mp4", quality="high", frames=n)
    assert_same_video(whole, joined, cuts)
    assert_continuous_audio(whole, joined, cuts)


def _audio_stream(path: Path) -> str:
    err = subprocess.run([ffmpeg_exe(), "-hide_banner", "-i", str(path)], capture_output=True, text=True).stderr
    return next(line.split("Audio:", 1)[1].split(",")[1].strip() for line in err.splitlines() if "Audio:" in line)


def test_a_joined_preview_has_the_sound_settings_of_a_preview_on_one_machine(tmp_path: Path) -> None:
    draft = four_scene_draft(scene_ms=1500)
    n, cuts = chunk_boundaries(draft, no_media)
    whole = render_draft(draft, tmp_path / "whole.mp4", resolve=no_media, quality="preview").path
    edges = [0, *cuts, n]
    parts = [render_draft(draft, tmp_path / f"c{i}.mp4", resolve=no_media, quality="preview", window=(a, b)).path
             for i, (a, b) in enumerate(itertools.pairwise(edges))]
    wav = A.mix_draft(draft, n / FPS, no_media, tmp_path / "a.wav")
    joined = join_chunks(parts, wav, tmp_path / "joined.mp4", quality="preview", frames=n)
    assert _audio_stream(whole) == "32000 Hz"  # the preview tier's own AAC rate
    assert _audio_stream(joined) == _audio_stream(whole)


def test_a_window_that_does_not_start_at_a_scene_boundary_is_refused(tmp_path: Path) -> None:
    from nemo_jupyter.engine.render import RenderError

    with pytest.raises(RenderError, match="scene"):
        render_draft(four_scene_draft(), tmp_path / "x.mp4", resolve=no_media, window=(10, 150))


def test_the_engine_without_dask_does_not_import_dask() -> None:
    code = ("import sys; from nemo_jupyter.engine.jobs import RenderQueue; import nemo_jupyter.engine.__main__;"
            "import nemo_jupyter.engine.render, nemo_jupyter.engine.cluster; import nemo_jupyter;"
            "print(sorted(m for m in sys.modules if m.split('.')[0] in ('dask', 'distributed')))")
    env = {k: v for k, v in os.environ.items() if k != "NEMO_DASK_SCHEDULER"}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True)
    assert out.stdout.strip() == "[]"


# -- a real LocalCluster -------------------------------------------------------------------------

@pytest.fixture(scope="module")
def cluster() -> Any:
    distributed = pytest.importorskip("distributed")
    lc = distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None,
                                  host="127.0.0.1")
    renderer = ClusterRenderer(distributed.Client(lc), lc, spec="test")
    yield renderer
    renderer.close()


def test_a_four_scene_draft_on_two_workers_matches_the_single_process_render(cluster: ClusterRenderer,
                                                                             tmp_path: Path) -> None:
    draft = four_scene_draft()
    whole = render_draft(draft, tmp_path / "whole.mp4", resolve=no_media).path
    seen: list[float] = []
    res = cluster.render(draft, tmp_path / "cluster.mp4", resolve=no_media, progress=seen.append)
    _, cuts = chunk_boundaries(draft, no_media)
    assert res.duration == pytest.approx(10.0) and (res.width, res.height) == (W, H)
    assert_same_video(whole, res.path, cuts)
    assert_continuous_audio(whole, res.path, cuts)
    assert seen and seen[-1] == 100.0 and seen == sorted(seen)
    # the work was spread: both workers ran chunks
    assert len(cluster.client.run(os.getpid)) == 2


def test_a_draft_too_short_to_split_is_one_chunk_with_its_sound(cluster: ClusterRenderer, tmp_path: Path) -> None:
    draft = four_scene_draft(scene_ms=500)  # 2 s: no piece would be worth a worker
    n, cuts = chunk_boundaries(draft, no_media)
    assert plan_chunks(n, cuts) == [(0, n)]
    res = cluster.render(draft, tmp_path / "short.mp4", resolve=no_media)
    assert frame_count(res.path) == n == 60
    assert float(np.sqrt((pcm(res.path) ** 2).mean())) > 0.002, "the music is missing"


def test_uploaded_media_travel_with_the_task(cluster: ClusterRenderer, tmp_path: Path) -> None:
    from PIL import Image

    photo = tmp_path / "engine-only" / "photo.png"
    photo.parent.mkdir()
    Image.new("RGB", (400, 300), (220, 30, 30)).save(photo)
    draft = four_scene_draft()
    draft["t"][0]["sg"][1] = {"id": "p", "k": "image", "src": "https://cdn/photo.png", "st": 2500, "d": 2500,
                              "cam": "zoom_in", "tr": "fade"}
    resolve = {"https://cdn/photo.png": photo}.get
    res = cluster.render(draft, tmp_path / "photo.mp4", resolve=resolve)
    mid = frames(res.path)[round(3.75 * FPS)]
    assert mid[..., 0].mean() > 150 and mid[..., 1].mean() < 90, "the uploaded photo is not in the video"


def _ffmpeg_children() -> int:
    import psutil

    return sum(1 for p in psutil.Process().children(recursive=True) if "ffmpeg" in p.name().lower())


def test_cancel_stops_the_workers_within_a_second_or_two(cluster: ClusterRenderer, tmp_path: Path) -> None:
    draft = four_scene_draft(scene_ms=6000, w=640, h=360)
    cancel = threading.Event()
    started: list[float] = []

    def on_progress(p: float) -> None:
        if p > 0 and not started:
            started.append(time.monotonic())
            cancel.set()

    t0 = time.monotonic()
    with pytest.raises(RenderCancelled):
        cluster.render(draft, tmp_path / "c.mp4", resolve=no_media, progress=on_progress, cancel=cancel)
    assert started and time.monotonic() - started[0] < 3.0
    # FFmpeg on the workers stops too (Dask alone cannot interrupt a running task)
    deadline = time.monotonic() + 3
    while time.monotonic() < deadline and sum(cluster.client.run(_ffmpeg_children).values()):
        time.sleep(0.1)
    assert sum(cluster.client.run(_ffmpeg_children).values()) == 0, "FFmpeg still runs on a worker"
    # the workers are free again: a short render goes through at once
    assert time.monotonic() - t0 < 60
    assert cluster.render(four_scene_draft(scene_ms=1000), tmp_path / "after.mp4", resolve=no_media).duration > 2


def test_a_short_preview_of_another_user_overtakes_a_long_render(cluster: ClusterRenderer, tmp_path: Path) -> None:
    """Fairness across workers: B's preview chunks go ahead of A's waiting chunks."""
    # 8 chunks of 5 s on 2 workers: when A's first chunk is done, several of its chunks still wait
    long_draft = four_scene_draft(scene_ms=5000, w=640, h=360, n=8)
    finished: dict[str, float] = {}
    started = threading.Event()

    def render(name: str, draft: dict[str, Any], quality: str, **kw: Any) -> None:
        cluster.render(draft, tmp_path / f"{name}.mp4", resolve=no_media, quality=quality, owner=name, **kw)
        finished[name] = time.monotonic()

    a = threading.Thread(target=render, args=("A", long_draft, "high"),
                         kwargs={"progress": lambda p: started.set() if p > 0 else None})
    a.start()
    assert started.wait(120), "A's render never started"
    render("B", four_scene_draft(scene_ms=500), "preview")
    a.join(300)
    assert set(finished) == {"A", "B"}
    assert finished["B"] < finished["A"], "B's 2 s preview waited for all of A's long render"


def test_a_worker_killed_mid_render_still_yields_the_video(cluster: ClusterRenderer, tmp_path: Path) -> None:
    draft = four_scene_draft(scene_ms=4000, w=640, h=360)
    killed: list[int] = []

    def kill_a_busy_worker(p: float) -> None:
        if killed or p <= 0:
            return
        busy = [addr for addr, keys in cluster.client.processing().items() if keys]
        pids = cluster.client.run(os.getpid)
        if busy:
            killed.append(pids[busy[0]])
            os.kill(pids[busy[0]], signal.SIGKILL)

    res = cluster.render(draft, tmp_path / "k.mp4", resolve=no_media, progress=kill_a_busy_worker)
    assert killed, "no worker was busy to kill"
    assert frame_count(res.path) == 16 * FPS
    # the nanny brought the worker back
    deadline = time.monotonic() + 30
    while len(cluster.client.scheduler_info()["workers"]) < 2 and time.monotonic() < deadline:
        time.sleep(0.2)


def test_the_engine_started_with_a_scheduler_renders_on_the_cluster(cluster: ClusterRenderer, tmp_path: Path,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    """``NEMO_DASK_SCHEDULER=tcp://...`` (what ``--dask`` sets): a prompt over real HTTP, chunks on Dask."""
    from nemo_jupyter import Nemo
    from nemo_jupyter.engine.launcher import start_engine

    address = cluster.client.scheduler.address
    monkeypatch.setenv("NEMO_DASK_SCHEDULER", address)
    proc = start_engine(tmp_path / "home", idle_timeout=0, timeout=90)
    try:
        log = (tmp_path / "home" / "engine.log").read_text(encoding="utf-8")
        assert "rendering on the Dask cluster" in log
        # how many renders it runs at once (a batch keeps about twice that many rows going): the
        # cluster's worker threads, and its preview lane
        health = httpx.get(f"{proc.url}/health", trust_env=False).json()
        assert health["render_slots"] == cluster.slots() + 1
        nemo = Nemo(backend=proc.url)
        s = nemo.session()
        s.ask("a 6-second video of a city at night, then the ocean, with the title \"Two places\"")
        video = s.export(quality="low").wait()
        out = video.download(tmp_path / "two.mp4")
        assert frame_count(Path(out)) == 6 * FPS
        prefixes = cluster.client.run_on_scheduler(lambda dask_scheduler: list(dask_scheduler.task_prefixes))
        assert "nemo-chunk" in prefixes
    finally:
        proc.stop()


# -- dask-gateway (a real gateway server on loopback, with its local backend) --------------------

def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def gateway(tmp_path: Path) -> Any:
    pytest.importorskip("dask_gateway_server.backends.local")
    api, web, tcp = _free_port(), _free_port(), _free_port()
    bindir = Path(sys.executable).parent
    (tmp_path / "gateway_config.py").write_text(f"""
c.DaskGateway.backend_class = "dask_gateway_server.backends.local.UnsafeLocalBackend"
c.DaskGateway.authenticator_class = "dask_gateway_server.auth.SimpleAuthenticator"
c.DaskGateway.address = "127.0.0.1:{api}"
c.Proxy.address = "127.0.0.1:{web}"
c.Proxy.tcp_address = "127.0.0.1:{tcp}"
c.ClusterConfig.worker_threads = 1
c.ClusterConfig.worker_cores = 1
c.ClusterConfig.worker_memory = "1 G"
c.ClusterConfig.scheduler_cmd = [{str(bindir / 'dask')!r}, "scheduler"]
c.ClusterConfig.worker_cmd = [{str(bindir / 'dask')!r}, "worker"]
c.UnsafeLocalBackend.clusters_directory = {str(tmp_path / 'clusters')!r}
""", encoding="utf-8")
    log = (tmp_path / "gateway.log").open("wb")
    proc = subprocess.Popen([str(bindir / "dask-gateway-server"), "-f", str(tmp_path / "gateway_config.py")],
                            cwd=tmp_path, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    import httpx

    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{web}/api/health", timeout=1, trust_env=False).status_code == 200:
                break
        except httpx.HTTPError:
            time.sleep(0.3)
    else:
        proc.kill()
        pytest.fail("dask-gateway-server did not start: " + (tmp_path / "gateway.log").read_text()[-2000:])
    # what a JupyterHub deployment sets for its users (Dask reads it as gateway.address, ...)
    yield {"DASK_GATEWAY__ADDRESS": f"http://127.0.0.1:{web}", "DASK_GATEWAY__PROXY_ADDRESS": f"tcp://127.0.0.1:{tcp}",
           "DASK_GATEWAY__AUTH__TYPE": "basic"}
    os.killpg(proc.pid, signal.SIGTERM)
    try:
        proc.wait(15)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
    log.close()


def test_an_engine_on_a_dask_gateway_cluster_renders(gateway: dict[str, str], tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    """``--dask gateway`` with the gateway's address from Dask's config, as on a JupyterHub."""
    from nemo_jupyter import Nemo
    from nemo_jupyter.engine.launcher import start_engine

    for key, value in gateway.items():
        monkeypatch.setenv(key, value)
    monkeypatch.setenv("NEMO_DASK_SCHEDULER", "gateway")
    proc = start_engine(tmp_path / "home", idle_timeout=0, timeout=120)
    try:
        s = Nemo(backend=proc.url).session()
        s.ask("a 4-second video of a forest, then the ocean")
        out = s.export(quality="low").wait(timeout=300).download(tmp_path / "gw.mp4")
        assert frame_count(Path(out)) == 4 * FPS
        assert "rendering on the Dask cluster gateway" in (tmp_path / "home" / "engine.log").read_text("utf-8")
    finally:
        proc.stop()
