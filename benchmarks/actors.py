"""Cost of actors: a scene with six moving actors against the same scene without them, one run.

    python benchmarks/actors.py [--runs N] [--seconds S] [--keep DIR]

Prints, one figure per line:
  bare_s      wall time of the engine rendering a 1080p forest scene at "high" with no actors
  actors_s    the same draft with six moving actors (walk, run, fly, bounce, sway, bloom), labels on two
  ratio       actors / bare                                   (target: <= 1.3)
  *_cpu_s, cpu_ratio   CPU seconds of the same runs (less noisy on a shared machine; not a target)
The two renders alternate, so load elsewhere hits both alike. Exits 1 when the target is missed.
"""

from __future__ import annotations

import copy
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from _measure import cpu_seconds, parser, report, workdirs

from nemo_jupyter.engine.render import render_draft

TARGET = 1.3
ACTORS = [
    {"s": "cat", "art": "1F408", "mo": "walk", "x": 0.2, "lbl": "cat"},
    {"s": "dog", "art": "1F415", "mo": "run", "x": 0.4, "z": 0.2},
    {"s": "bird", "art": "1F426", "mo": "fly", "x": 0.6, "z": 0.3, "lbl": "bird"},
    {"s": "ball", "art": "26BD", "mo": "bounce", "x": 0.75, "z": 0.1},
    {"s": "tree", "art": "1F333", "mo": "sway", "x": 0.9, "z": 0.6},
    {"s": "sunflower", "art": "1F33B", "mo": "bloom", "x": 0.55, "z": 0.4},
]


def scene_draft(seconds: int, actors: bool) -> dict[str, Any]:
    seg: dict[str, Any] = {"id": "v0", "k": "scene", "scene": "forest", "el": ["birds"], "cam": "pan_right",
                           "st": 0, "d": seconds * 1000}
    if actors:
        seg["act"] = copy.deepcopy(ACTORS)
    return {"t": [{"tt": 0, "n": "Video", "sg": [seg]},
                  {"tt": 1, "n": "BGM", "sg": [{"id": "m1", "k": "music", "mood": "soft", "st": 0,
                                                "d": seconds * 1000, "v": 0.35}]}],
            "d": seconds * 1000, "m": {"width": 1920, "height": 1080, "fps": 30}}


def timed(draft: dict[str, Any], out: Path, work: Path, cpu: list[float]) -> float:
    c0, t0 = cpu_seconds(), time.perf_counter()
    render_draft(draft, out, resolve=lambda _src: None, quality="high", workdir=work)
    cpu.append(cpu_seconds() - c0)
    return time.perf_counter() - t0


def main(argv: list[str] | None = None) -> int:
    ap = parser(__doc__)
    ap.add_argument("--seconds", type=int, default=20)
    args = ap.parse_args(argv)
    bare_s: list[float] = []
    act_s: list[float] = []
    bare_cpu: list[float] = []
    act_cpu: list[float] = []
    with workdirs(args.keep) as (tmp, outdir):
        for i in range(max(1, args.runs)):
            order = (False, True) if i % 2 == 0 else (True, False)
            for with_actors in order:
                d = scene_draft(args.seconds, with_actors)
                if with_actors:
                    act_s.append(timed(d, outdir / "actors.mp4", tmp, act_cpu))
                else:
                    bare_s.append(timed(d, outdir / "bare.mp4", tmp, bare_cpu))
    ratios = [a / b for a, b in zip(act_s, bare_s, strict=True)]
    return report([("bare_s", bare_s), ("actors_s", act_s)], ratios, TARGET,
                  cpu=("actors", act_cpu, "bare", bare_cpu))


if __name__ == "__main__":
    sys.exit(main())
