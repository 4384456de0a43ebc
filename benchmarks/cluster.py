"""Rendering on a Dask LocalCluster vs the engine alone, and what splitting a render costs.

    python benchmarks/cluster.py [--workers 2] [--resolution 1080p]

Prints, in one run on this machine:

1. eight concurrent 10 s renders: on the engine alone (its render slots: half the cores) and
   on a LocalCluster of ``--workers`` worker processes (one thread each), wall time for all
   eight and the mean / worst time a render waited for its video;
2. one 30 s render (the README's forest prompt) whole vs split into scene chunks on the cluster;
3. the split-and-join overhead, measured sequentially in this process: the chunks rendered one
   after another plus the join, against the whole render, in CPU seconds (this process and its
   FFmpeg children) and wall seconds. Target: at most 5 % of the render.

From the measured parts it predicts the time of one 30 s render and of a class of 30 renders
for 4, 16 and 64 workers. On a 2-core machine parity is expected: the cluster's workers share
the same two cores the engine alone uses.
"""

from __future__ import annotations

import argparse
import itertools
import os
import resource
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from nemo_jupyter.engine.cluster.join import join_chunks
from nemo_jupyter.engine.cluster.renderer import ClusterRenderer, plan_chunks
from nemo_jupyter.engine.planner import plan
from nemo_jupyter.engine.render import audio as A
from nemo_jupyter.engine.render import pipeline, render_draft
from nemo_jupyter.engine.render.pipeline import chunk_boundaries

FOREST = "generate a 30-second video of a forest with birds and soft background music"
TEN_S = [
    "a 10-second video of a city at night, then the ocean",
    "a 10-second video of snowy mountains, then a forest",
    "a 10-second sunset over the desert, then the night sky",
    "a 10-second video of flowers, then rain in the city",
    "a 10-second underwater scene, then the beach",
    "a 10-second video of space, then a forest with birds",
    "a 10-second video of a lake, then mountains",
    "a 10-second video of a volcano, then the ocean",
]


def no_media(src: str) -> Path | None:
    return None


def cpu() -> float:
    me, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime


def draft_of(prompt: str) -> dict:
    d = plan(prompt, None, []).draft
    assert d is not None, prompt
    return d


def concurrent(render, drafts: list[dict], out: Path, resolution: str) -> tuple[float, list[float]]:
    latencies: list[float] = [0.0] * len(drafts)
    t0 = time.monotonic()

    def one(i: int) -> None:
        render(drafts[i], out / f"r{i}.mp4", resolve=no_media, resolution=resolution)
        latencies[i] = time.monotonic() - t0

    threads = [threading.Thread(target=one, args=(i,)) for i in range(len(drafts))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return time.monotonic() - t0, latencies


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--resolution", default="1080p")
    args = ap.parse_args()
    from distributed import Client, LocalCluster

    out = Path(tempfile.mkdtemp(prefix="nemo-bench-cluster-"))
    lc = LocalCluster(n_workers=args.workers, threads_per_worker=1, processes=True, dashboard_address=None,
                      host="127.0.0.1", silence_logs=50)
    cluster = ClusterRenderer(Client(lc), lc, spec="LocalCluster")
    print(f"machine: {os.cpu_count()} cores; LocalCluster: {args.workers} worker processes; {args.resolution}")
    try:
        # warm both paths (imports, fonts, the workers' first painting)
        short = draft_of("a 3-second video of a forest")
        render_draft(short, out / "warm.mp4", resolve=no_media, resolution="360p")
        cluster.render(short, out / "warm2.mp4", resolve=no_media, resolution="360p")

        # 1. eight concurrent 10 s renders
        drafts = [draft_of(p) for p in TEN_S]
        wall_e, lat_e = concurrent(render_draft, drafts, out, args.resolution)
        wall_c, lat_c = concurrent(cluster.render, drafts, out, args.resolution)
        print("\n1. eight concurrent 10 s renders")
        print(f"   engine alone : all done in {wall_e:6.1f} s; a render waited {statistics.mean(lat_e):5.1f} s on "
              f"average, {max(lat_e):5.1f} s at worst")
        print(f"   LocalCluster : all done in {wall_c:6.1f} s; a render waited {statistics.mean(lat_c):5.1f} s on "
              f"average, {max(lat_c):5.1f} s at worst  (x{wall_e / wall_c:.2f} throughput)")

        # 2. one 30 s render, whole vs chunks on the cluster
        forest = draft_of(FOREST)
        pipeline._painted.cache_clear()  # each measured render paints its scenes itself
        t, c = time.monotonic(), cpu()
        render_draft(forest, out / "whole.mp4", resolve=no_media, resolution=args.resolution)
        whole_wall, whole_cpu = time.monotonic() - t, cpu() - c
        t = time.monotonic()
        cluster.render(forest, out / "cluster.mp4", resolve=no_media, resolution=args.resolution)
        cl_wall = time.monotonic() - t
        n, cuts = chunk_boundaries(forest, no_media)
        windows = plan_chunks(n, cuts)
        print(f"\n2. one 30 s render ({len(windows)} scene chunks)")
        print(f"   whole, one process  : {whole_wall:6.1f} s")
        print(f"   chunks on cluster   : {cl_wall:6.1f} s  (x{whole_wall / cl_wall:.2f})")

        # 3. split + join overhead, sequential in this process (a worker paints a scene once and
        # keeps it for its next chunks: here the chunks share one cold cache)
        pipeline._painted.cache_clear()
        t, c = time.monotonic(), cpu()
        parts, chunk_walls = [], []
        for i, win in enumerate(windows):
            t1 = time.monotonic()
            parts.append(render_draft(forest, out / f"c{i}.mp4", resolve=no_media, resolution=args.resolution,
                                      window=win).path)
            chunk_walls.append(time.monotonic() - t1)
        t_audio = time.monotonic()
        wav = A.mix_draft(forest, n / 30, no_media, out / "a.wav")
        audio_wall = time.monotonic() - t_audio
        t_join = time.monotonic()
        join_chunks(parts, wav, out / "joined.mp4", quality="high", frames=n)
        join_wall = time.monotonic() - t_join
        split_wall, split_cpu = time.monotonic() - t, cpu() - c
        over_cpu = (split_cpu - whole_cpu) / whole_cpu * 100
        over_wall = (split_wall - whole_wall) / whole_wall * 100
        print("\n3. split and join overhead (chunks one after another + audio + join, vs whole)")
        print(f"   CPU : {split_cpu:6.1f} s vs {whole_cpu:6.1f} s whole -> overhead {over_cpu:+5.1f} %  (target <= 5 %)")
        print(f"   wall: {split_wall:6.1f} s vs {whole_wall:6.1f} s whole -> overhead {over_wall:+5.1f} %")
        print(f"   of which: audio mix {audio_wall:.2f} s, join (copy + AAC) {join_wall:.2f} s; chunks "
              + ", ".join(f"{w:.1f}" for w in chunk_walls) + " s")

        # 4. what the measured parts predict
        serial = audio_wall + join_wall                      # on the engine, once per render
        per_chunk_fixed = max(0.0, (sum(chunk_walls) - whole_wall + audio_wall) / len(windows))
        body = whole_wall / len(windows)
        print("\n4. predicted from these figures (one chunk per worker at a time; transfer not counted)")
        for workers in (4, 16, 64):
            one = serial + per_chunk_fixed + body * -(-len(windows) // min(workers, len(windows)))
            rounds = -(-30 * len(windows) // workers)
            klass = rounds * (body + per_chunk_fixed) + serial
            print(f"   {workers:3d} workers: one 30 s render {one:5.1f} s (x{whole_wall / one:.1f});"
                  f" a class of 30 such renders {klass:6.1f} s vs {30 * whole_wall:6.1f} s on one engine slot")
        print("   one render stops scaling at its scene count; a class scales with workers until the engine's"
              f" per-render audio + join ({serial:.1f} s each) dominates.")
    finally:
        cluster.close()
        for p in itertools.chain(out.glob("*.mp4"), out.glob("*.wav")):
            p.unlink(missing_ok=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
