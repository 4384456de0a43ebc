"""Benchmark: a batch of 24 rows (10 s previews) against the same rows one by one, on the embedded
engine alone and on an engine rendering on a Dask LocalCluster.

    python benchmarks/batch.py [--rows 24] [--seconds 10] [--workers 2] [--skip-dask]

Each way runs in a fresh engine (its own data dir) and a fresh client config, so nothing is reused
between them; the prompts are the same 24 rows every time (a word and its English meaning, as in
``notebooks/05-vocabulary-batch.ipynb``). It prints, measured in this one run:

1. **one by one** (the reference): the rows in turn, each turn, render and download before the
   next starts, as a person running one cell after another would (``Batch`` with one row at a time);
2. **batch**: the same rows as ``%%nemo --each`` runs them on the engine alone (rows at once: twice
   the engine's render slots, plus one);
3. **batch on Dask**: the same on an engine started with ``--dask local:N`` (a LocalCluster of
   ``--workers`` worker processes; the engine's render slots are the cluster's);
4. **re-run**: the batch again with nothing changed (every row reused).

For each: the wall time, rows a minute, the time from the start to each row's video (mean, worst)
and the speed-up against the reference, with the load average before and after (the figures are
only as quiet as the machine: on two shared cores, other people's work shows). A batch gains by
keeping the engine's render lanes busy (its turns and downloads overlap the renders): on a machine
with two cores that is the preview lane beside the general one; a cluster gains with its cores.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

WORDS = [("die Katze", "cat"), ("der Hund", "dog"), ("der Apfel", "apple"), ("das Haus", "house"),
         ("der Baum", "tree"), ("die Sonne", "sun"), ("der Vogel", "bird"), ("das Pferd", "horse"),
         ("die Blume", "flower"), ("das Auto", "car"), ("der Fisch", "fish"), ("die Kuh", "cow"),
         ("el gato", "cat"), ("el perro", "dog"), ("la manzana", "apple"), ("la casa", "house"),
         ("el árbol", "tree"), ("el sol", "sun"), ("el pájaro", "bird"), ("el caballo", "horse"),
         ("la flor", "flower"), ("el coche", "car"), ("el pez", "fish"), ("la vaca", "cow")]


def rows(n: int, seconds: int) -> list:
    from nemo_jupyter.conversation.batch_rows import BatchRow

    out = []
    for i in range(n):
        word, english = WORDS[i % len(WORDS)]
        suffix = f" #{i // len(WORDS) + 1}" if i >= len(WORDS) else ""
        prompt = f'a {seconds}-second video of a {english}, with the title "{word}{suffix}" and the caption "{english}"'
        out.append(BatchRow(name=f"row{i + 1:02d}", fields={"word": word, "english": english}, prompt=prompt))
    return out


def load() -> str:
    one, five, _ = os.getloadavg()
    return f"{one:.2f} (1 min), {five:.2f} (5 min)"


class Way:
    """One engine (its own data dir, optional flags) and one client config: a batch run on it."""

    def __init__(self, root: Path, name: str, extra: list[str]) -> None:
        from nemo_jupyter.engine.launcher import start_engine

        self.root = root / name
        self.root.mkdir(parents=True)
        self.engine = start_engine(self.root / "home", port=0, idle_timeout=0, timeout=180, extra_args=extra)
        os.environ["NEMO_CONFIG_DIR"] = str(self.root / "config")
        from nemo_jupyter.client.loop import run_sync
        from nemo_jupyter.conversation import Conversations

        self.conversations = Conversations(self.engine.url, replay=True, place=str(self.root))
        run_sync(self.conversations.nemo.credits())   # the token and the connection, outside the timings
        self.slots = run_sync(self.conversations.nemo.render_slots())

    def run(self, batch_rows: list, *, at_once: int | None) -> dict[str, float]:
        from nemo_jupyter.client.loop import run_sync
        from nemo_jupyter.client.models import RenderOptions
        from nemo_jupyter.conversation.batch import Batch

        out = self.root / "videos"
        job = Batch(batch_rows, self.conversations.nemo, name="bench", store=self.conversations.store,
                    place=str(self.root), options=RenderOptions(quality="preview", timeout=900),
                    path_for=lambda row, _d: out / f"{row.name}.mp4", concurrency=at_once)
        finished: dict[str, float] = {}

        def changed() -> None:
            for r in job.runs:
                if r.status == "done" and r.row.name not in finished:
                    finished[r.row.name] = time.perf_counter()

        job.on_change = changed
        t0 = time.perf_counter()
        run_sync(job.run())
        wall = time.perf_counter() - t0
        bad = [f"{r.row.name}: {r.status} {r.reason}" for r in job.runs if r.status != "done"]
        if bad:
            raise SystemExit("rows failed: " + "; ".join(bad))
        ready = [finished.get(r.row.name, t0 + wall) - t0 for r in job.runs]
        return {"wall": wall, "at_once": job.running_at_once, "mean": statistics.mean(ready), "worst": max(ready),
                "reused": sum(r.reused for r in job.runs)}

    def close(self) -> None:
        from nemo_jupyter.client.loop import run_sync

        run_sync(self.conversations.aclose())
        self.engine.stop()


def line(name: str, n: int, m: dict[str, float], ref: dict[str, float] | None) -> str:
    speed = f", {ref['wall'] / m['wall']:.2f}x the one-by-one speed" if ref else ""
    return (f"{name}: {m['wall']:.1f} s for {n} rows ({60 * n / m['wall']:.1f} rows/min), {m['at_once']:.0f} at once; "
            f"video ready after {m['mean']:.1f} s on average, the last after {m['worst']:.1f} s{speed}")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--rows", type=int, default=24)
    ap.add_argument("--seconds", type=int, default=10, help="length of each video (previews)")
    ap.add_argument("--workers", type=int, default=2, help="LocalCluster worker processes")
    ap.add_argument("--skip-dask", action="store_true")
    args = ap.parse_args()
    os.environ.pop("NEMO_TOKEN", None)
    os.environ.pop("NEMO_DASK_SCHEDULER", None)
    batch_rows = rows(args.rows, args.seconds)
    print(f"{args.rows} rows of {args.seconds} s previews; {os.cpu_count()} cores; load before: {load()}")
    with tempfile.TemporaryDirectory(prefix="nemo-bench-batch-") as tmp:
        root = Path(tmp)
        results: list[tuple[str, dict[str, float]]] = []
        ways = [("one by one", "alone-ref", [], 1), ("batch", "alone-batch", [], None)]
        if not args.skip_dask:
            ways.append((f"batch on Dask (LocalCluster, {args.workers} workers)", "dask", ["--dask",
                                                                                          f"local:{args.workers}"], None))
        ref: dict[str, float] | None = None
        for name, folder, extra, at_once in ways:
            way = Way(root, folder, extra)
            try:
                measured = way.run(batch_rows, at_once=at_once)
                print(line(name, args.rows, measured, ref) + f" [engine render slots: {way.slots}]", flush=True)
                results.append((name, measured))
                if ref is None:
                    ref = measured
                elif folder == "alone-batch":
                    again = way.run(batch_rows, at_once=None)
                    print(f"re-run, nothing changed: {again['wall']:.2f} s, {again['reused']:.0f} of {args.rows} "
                          "rows reused", flush=True)
            finally:
                way.close()
    print(f"load after: {load()}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
