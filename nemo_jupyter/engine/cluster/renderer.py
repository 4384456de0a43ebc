"""The engine's side of cluster rendering: cut, submit, watch, join.

:meth:`ClusterRenderer.render` has the signature of :func:`..render.render_draft`, so the
render queue uses either without knowing which. One render:

1. plan the chunks at scene boundaries (:func:`plan_chunks`), at least ``MIN_CHUNK_S`` long;
2. hand the draft's media to Dask by content hash and submit one task per chunk, with a
   priority (previews first; an owner with several renders running goes behind others);
3. mix the audio for the whole timeline here, while the workers render;
4. fold the workers' progress events into one percentage; a set ``cancel`` cancels the
   tasks and sets the chunk's cancel event (FFmpeg stops on the worker); a lost worker's chunk
   is rescheduled by Dask (and retried on an error), and the whole render has a deadline, so a
   job never hangs;
5. join the chunks without re-encoding and mux the audio (:mod:`.join`).
"""

from __future__ import annotations

import contextlib
import hashlib
import itertools
import os
import shutil
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ... import draft_format as F
from ..render import RenderCancelled, RenderError, RenderResult
from ..render.pipeline import chunk_boundaries, output_size, validate_draft
from ..render.sound import audio as A
from ..render.timeline.reading import segments
from .join import join_chunks
from .tasks import cancel_event_name, progress_topic, render_chunk

__all__ = ["MIN_CHUNK_S", "ClusterRenderer", "plan_chunks"]

#: a chunk costs a process start, a painting and an encoder warm-up: keep it worth that
MIN_CHUNK_S = 2.0
#: retries of a chunk that failed with an error (a lost worker is rescheduled by Dask anyway)
RETRIES = 2


def plan_chunks(n_total: int, cuts: list[int], fps: int = F.FPS, min_s: float = MIN_CHUNK_S,
                max_chunks: int | None = None) -> list[tuple[int, int]]:
    """Frame windows that cover ``0..n_total`` and start only at ``cuts`` (scene boundaries),
    merging pieces shorter than ``min_s`` into their neighbour. With ``max_chunks`` (the renderer
    passes two per worker) short scenes are merged further, at the cuts nearest to an even
    split: each chunk costs a fixed start-up, and more chunks than the workers can take at once
    only add that cost (two per worker still lets a preview overtake a long render)."""
    min_f = round(min_s * fps)
    edges = [0]
    for c in sorted(cuts):
        if c - edges[-1] >= min_f and n_total - c >= min_f:
            edges.append(c)
    inner = edges[1:]
    if max_chunks is not None and len(inner) + 1 > max(1, max_chunks):
        k = max(1, max_chunks)
        chosen: list[int] = []
        for i in range(1, k):
            target = i * n_total / k
            free = [c for c in inner if c not in chosen and (not chosen or c > chosen[-1])]
            if free:
                chosen.append(min(free, key=lambda c: abs(c - target)))
        inner = chosen
    edges = [0, *inner, n_total]
    return list(itertools.pairwise(edges))


def _media_of(draft: dict[str, Any], resolve: Callable[[str], Path | None]) -> dict[str, Path]:
    media: dict[str, Path] = {}
    for tt in (F.TRACK_VIDEO, F.TRACK_AUDIO):
        for sg in segments(draft, tt):
            src = sg.get("src")
            if src and str(src) not in media:
                path = resolve(str(src))
                if path is not None and Path(path).is_file():
                    media[str(src)] = Path(path)
    return media


class ClusterRenderer:
    """Renders drafts on a Dask cluster (see the package docstring for ``spec``)."""

    def __init__(self, client: Any, cluster: Any = None, *, spec: str = "", gateway: Any = None) -> None:
        self.client = client
        self.cluster = cluster          # ours to close (LocalCluster, gateway cluster), or None
        self.gateway = gateway          # the dask-gateway connection that made ``cluster``
        self.spec = spec
        self._lock = threading.Lock()
        self._owners: dict[str, int] = {}
        self._seq = itertools.count()

    # -- connecting ---------------------------------------------------------------------------
    @classmethod
    def connect(cls, spec: str) -> ClusterRenderer:
        try:
            from distributed import Client
        except ImportError:
            raise RenderError("Rendering on a Dask cluster needs Dask: pip install 'nemo-jupyter[dask]'.") from None
        spec = spec.strip()
        cluster: Any = None
        gateway: Any = None
        if spec == "local" or spec.startswith("local:"):
            from distributed import LocalCluster

            n = spec.partition(":")[2]
            workers = int(n) if n.isdigit() and int(n) > 0 else max(1, (os.cpu_count() or 2) // 2)
            cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                                   dashboard_address=None, host="127.0.0.1")
            client = Client(cluster)
        elif spec == "gateway" or spec.startswith("gateway://"):
            try:
                from dask_gateway import Gateway
            except ImportError:
                raise RenderError("A dask-gateway cluster needs dask-gateway: "
                                  "pip install 'nemo-jupyter[gateway]'.") from None
            # the gateway's address, proxy and auth come from Dask's config (gateway.address, ...),
            # which JupyterHub deployments set; gateway://HOST:PORT names the address here
            address = spec[len("gateway://"):] or None
            gateway = Gateway(f"http://{address}" if address else None)
            cluster = gateway.new_cluster(shutdown_on_close=True)
            cluster.adapt(minimum=int(os.environ.get("NEMO_DASK_MIN_WORKERS", "1")),
                          maximum=int(os.environ.get("NEMO_DASK_MAX_WORKERS", "16")))
            client = cluster.get_client()
        else:
            try:
                client = Client(spec, timeout=20)
            except (OSError, TimeoutError) as exc:
                raise RenderError(f"Cannot reach the Dask scheduler at {spec}: {exc}. "
                                  "Start one with `dask scheduler` or fix --dask.") from None
        return cls(client, cluster, spec=spec, gateway=gateway)

    def slots(self) -> int:
        """How many renders the engine should run at once: the cluster's worker threads."""
        try:
            info = self.client.scheduler_info()
            threads = sum(int(w.get("nthreads", 1)) for w in info.get("workers", {}).values())
        except Exception:
            threads = 0
        return max(2, threads)

    def close(self) -> None:
        with contextlib.suppress(Exception):
            self.client.close()
        for owned in (self.cluster, self.gateway):
            if owned is not None:
                with contextlib.suppress(Exception):
                    owned.close()

    # -- rendering ----------------------------------------------------------------------------
    def render(self, draft: dict[str, Any], out_path: Path, *, resolve: Callable[[str], Path | None],
               quality: str = "high", resolution: str | None = None,
               progress: Callable[[float], None] | None = None, cancel: threading.Event | None = None,
               workdir: Path | None = None, owner: str = "") -> RenderResult:
        problems = validate_draft(draft, resolve=resolve)
        if problems:
            raise RenderError("The draft cannot be rendered: " + "; ".join(problems))
        W, H = output_size(draft, resolution)
        n_total, cuts = chunk_boundaries(draft, resolve)
        windows = plan_chunks(n_total, cuts, max_chunks=2 * self.slots())
        job = f"{os.getpid()}-{next(self._seq)}-{hashlib.sha256(os.urandom(8)).hexdigest()[:8]}"
        tmp = Path(tempfile.mkdtemp(prefix="nemo-cluster-", dir=str(workdir) if workdir else None))
        with self._lock:
            running = self._owners.get(owner, 0)
            self._owners[owner] = running + 1
        priority = (100 if quality == "preview" else 0) - 10 * running
        try:
            return self._render(draft, Path(out_path), resolve, quality, resolution, progress, cancel,
                                tmp, job, windows, n_total, priority, (W, H))
        finally:
            with self._lock:
                self._owners[owner] -= 1
                if not self._owners[owner]:
                    del self._owners[owner]
            shutil.rmtree(tmp, ignore_errors=True)

    def _render(self, draft: dict[str, Any], out_path: Path, resolve: Callable[[str], Path | None],
                quality: str, resolution: str | None, progress: Callable[[float], None] | None,
                cancel: threading.Event | None, tmp: Path, job: str, windows: list[tuple[int, int]],
                n_total: int, priority: int, size: tuple[int, int]) -> RenderResult:
        from distributed import Event

        client = self.client
        done_pct = {i: 0.0 for i in range(len(windows))}
        weights = {i: (b - a) / n_total for i, (a, b) in enumerate(windows)}

        def report() -> None:
            if progress is not None:
                with contextlib.suppress(Exception):
                    progress(min(99.0, 97.0 * sum(done_pct[i] / 100 * weights[i] for i in done_pct)))

        def on_event(event: tuple[float, dict[str, Any]]) -> None:
            msg = event[1] if isinstance(event, tuple) else event
            with contextlib.suppress(Exception):
                i = int(msg["chunk"])
                done_pct[i] = max(done_pct[i], float(msg["pct"]))

        topic = progress_topic(job)
        client.subscribe_topic(topic, on_event)
        remote_cancel = Event(cancel_event_name(job), client=client)
        media = {src: (p.name, client.scatter(p.read_bytes(), hash=True))
                 for src, p in _media_of(draft, resolve).items()}
        futures = [client.submit(render_chunk, draft, win, media, quality, resolution, job, i,
                                 key=f"nemo-chunk-{job}-{i}", priority=priority, retries=RETRIES, pure=False)
                   for i, win in enumerate(windows)]
        duration = n_total / F.FPS
        deadline = time.monotonic() + 600 + 20 * duration
        try:
            wav = A.mix_draft(draft, duration, resolve, tmp / "audio.wav", cancel)
            pending = set(futures)
            while pending:
                if cancel is not None and cancel.is_set():
                    raise RenderCancelled("The render was cancelled.")
                if time.monotonic() > deadline:
                    raise RenderError(f"The cluster did not finish this render in {deadline:.0f} s; "
                                      "check that its workers are running (`dask worker ...`).")
                finished = [f for f in pending if f.done()]
                if not finished:
                    time.sleep(0.1)
                pending.difference_update(finished)
                for fut in finished:
                    if fut.status == "error":
                        exc = fut.exception()
                        if isinstance(exc, RenderCancelled):
                            raise RenderCancelled("The render was cancelled.")
                        raise RenderError(f"A worker could not render its part: {exc}")
                    if fut.status == "cancelled":
                        raise RenderError("The cluster dropped a part of this render (its workers went away).")
                    done_pct[futures.index(fut)] = 100.0
                report()
            parts = []
            for i, fut in enumerate(futures):
                part = tmp / f"chunk{i:03d}.mp4"
                part.write_bytes(fut.result())
                parts.append(part)
            if cancel is not None and cancel.is_set():
                raise RenderCancelled("The render was cancelled.")
            join_chunks(parts, wav, out_path, quality=quality, frames=n_total, cancel=cancel)
        except BaseException:
            with contextlib.suppress(Exception):
                remote_cancel.set()
            with contextlib.suppress(Exception):
                client.cancel(futures)
            raise
        finally:
            with contextlib.suppress(Exception):
                client.unsubscribe_topic(topic)
        if progress is not None:
            with contextlib.suppress(Exception):
                progress(100.0)
        W, H = size
        return RenderResult(out_path, duration, W, H, out_path.stat().st_size)

    def __call__(self, draft: dict[str, Any], out_path: Path, **kw: Any) -> RenderResult:
        return self.render(draft, out_path, **kw)

    def __repr__(self) -> str:
        return f"ClusterRenderer({self.spec!r})"

