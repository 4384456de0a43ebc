"""Benchmark: comparing N prompts at once costs about as much as the slowest one alone.

Against the slow stand-in cloud (``benchmarks/slowcloud.py``: turns and renders that wait
on the network for seconds, with little CPU), it measures in one run:

1. the wall time of a :class:`~nemo_jupyter.widgets.CompareWidget` of 3 prompts
   (draft + render each, all columns concurrently on the background loop);
2. the wall time of the slowest of those prompts alone (same client, same steps);

and prints both and their ratio. Target: ratio <= 1.3 (``--check`` exits 1 above it).

    python benchmarks/compare.py [--think 2 --stream 1.5 --render 3] [--check]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import slowcloud

PROMPTS = [
    "a 10-second video of a forest at dawn with soft music",
    "a city skyline at night, lo-fi music, title 'Urban Dreams'",
    "ocean waves at sunset, calm music and a short title",
]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--think", type=float, default=2.0, help="seconds before a reply starts (x1.0-1.4 per prompt)")
    parser.add_argument("--stream", type=float, default=1.5, help="seconds a reply streams")
    parser.add_argument("--render", type=float, default=3.0, help="seconds a render takes")
    parser.add_argument("--poll", type=float, default=0.5, help="client render poll interval, seconds")
    parser.add_argument("--target", type=float, default=1.3)
    parser.add_argument("--check", action="store_true", help="exit 1 when the ratio is above the target")
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="nemo-bench-"))
    os.environ["NEMO_CONFIG_DIR"] = str(work / "config")  # a throwaway client id and token cache
    os.environ.pop("NEMO_TOKEN", None)
    os.chdir(work)  # videos go to ./nemo_outputs here

    from nemo_jupyter.client.loop import run_sync
    from nemo_jupyter.client.nemo import AsyncNemo
    from nemo_jupyter.conversation import Conversation
    from nemo_jupyter.widgets import CompareWidget

    options = slowcloud.Options(think=args.think, stream=args.stream, render=args.render)
    with slowcloud.serve(options) as (url, cloud):
        def client() -> AsyncNemo:
            return AsyncNemo(backend=url, poll_interval=args.poll, poll_backoff=1.0, poll_max_interval=args.poll)

        nemo = client()
        run_sync(nemo.credits())  # token and connection set up outside the timings

        t0 = time.perf_counter()
        widget = CompareWidget(PROMPTS, conversations=[Conversation(nemo, f"bench-{i}") for i in range(3)],
                               export=True, quality="preview")
        frame = widget.wait(600)
        compare_wall = time.perf_counter() - t0
        failed = [c for c in widget.columns if c["status"] != "done"]
        if failed:
            print("some columns failed:", [c["error"] for c in failed], file=sys.stderr)
            return 2

        totals = frame["time_to_draft_s"] + frame["time_to_render_s"]
        slowest = int(totals.idxmax())
        prompt = PROMPTS[slowest]

        conv = Conversation(nemo, "bench-alone")

        async def alone() -> None:
            await conv.run(prompt)
            await conv.export(quality="preview", path=Path("nemo_outputs") / "alone.mp4")

        t1 = time.perf_counter()
        run_sync(alone(), timeout=600)
        alone_wall = time.perf_counter() - t1
        run_sync(nemo.aclose())

    ratio = compare_wall / alone_wall
    plans = [cloud.plan(p) for p in PROMPTS]
    print(f"slow cloud: think {args.think} s, stream {args.stream} s, render {args.render} s "
          f"(x1.0-1.4 per prompt), client poll every {args.poll} s")
    print(frame[["prompt", "time_to_draft_s", "time_to_render_s", "tracks", "duration_s"]].to_string(index=False))
    print("server-side latency per prompt (s): "
          + ", ".join(f"{p['think'] + p['stream'] + p['render']:.1f}" for p in plans))
    print(f"compare 3 prompts (concurrent):  {compare_wall:6.2f} s")
    print(f"slowest prompt alone (#{slowest + 1}):   {alone_wall:6.2f} s")
    print(f"ratio: {ratio:.2f} (target <= {args.target})  -> {'OK' if ratio <= args.target else 'ABOVE TARGET'}")
    return 1 if args.check and ratio > args.target else 0


if __name__ == "__main__":
    sys.exit(main())
