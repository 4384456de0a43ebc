"""Render speed against a bare FFmpeg encode measured in the same run.

    python benchmarks/render.py [--runs N] [--keep DIR]

Prints, one figure per line:
  engine_1080p_s     wall time of the engine rendering the 30 s 1080p forest video at "high"
  reference_1080p_s  wall time of a bare FFmpeg encode of a synthetic source (testsrc2 + sine) of
                     the same size, length, codec and encoder settings
  ratio              engine / reference                        (target: <= 1.3)
  preview_x          30 s / wall time of a "preview" render (640x360; benchmarks/preview.py
                     holds its target, from the prompt)
  *_cpu_s, cpu_ratio CPU seconds of the same runs (less noisy on a shared machine; not a target)
With --runs N > 1 every figure is measured N times and the spread is printed too.
Exits 1 when a target is missed.
"""

from __future__ import annotations

import copy
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from _measure import cpu_seconds, fmt, parser, report, workdirs

from nemo_jupyter.engine.render import ffmpeg_exe, output_args, render_draft

DURATION = 30
TARGET_RATIO = 1.3
PROMPT = "generate a 30-second video of a forest with birds and soft background music"


def forest_draft() -> dict[str, Any]:
    """The draft the planner makes for the forest prompt, plus a title for the first 3 seconds."""
    try:
        from nemo_jupyter.engine.planner import plan

        draft = plan(PROMPT, None, []).draft
    except Exception:  # the planner is another module; keep the benchmark standing alone
        draft = None
    if not draft:
        seg = DURATION * 1000 // 4
        cams = ["zoom_in", "pan_right", "rise", "pan_left"]
        draft = {
            "t": [
                {"tt": 0, "n": "Video", "sg": [
                    {"id": f"v{i}", "k": "scene", "scene": "forest", "el": ["birds"], "cam": cams[i],
                     "st": i * seg, "d": seg, **({"tr": "fade", "trd": 800} if i else {})} for i in range(4)]},
                {"tt": 1, "n": "BGM", "sg": [
                    {"id": "m1", "k": "music", "mood": "soft", "st": 0, "d": DURATION * 1000, "v": 0.35},
                    {"id": "a1", "k": "ambient", "snd": "birds", "st": 0, "d": DURATION * 1000, "v": 0.45}]},
            ],
            "d": DURATION * 1000,
            "m": {"width": 1920, "height": 1080, "fps": 30},
        }
    draft = copy.deepcopy(draft)
    if not any(tr.get("tt") == 7 for tr in draft["t"]):
        draft["t"].append({"tt": 7, "n": "Title", "sg": [
            {"id": "t1", "k": "title", "txt": "A Walk in the Forest", "st": 0, "d": 3000, "pos": "center"}]})
    return draft


def time_engine(draft: dict[str, Any], out: Path, quality: str, resolution: str | None, work: Path,
                cpu: list[float] | None = None) -> float:
    c0, t0 = cpu_seconds(), time.perf_counter()
    render_draft(draft, out, resolve=lambda _src: None, quality=quality, resolution=resolution, workdir=work)
    if cpu is not None:
        cpu.append(cpu_seconds() - c0)
    return time.perf_counter() - t0


def time_reference(out: Path, width: int, height: int, quality: str, cpu: list[float] | None = None) -> float:
    cmd = [ffmpeg_exe(), "-hide_banner", "-nostdin", "-loglevel", "error", "-y",
           "-f", "lavfi", "-i", f"testsrc2=size={width}x{height}:rate=30",
           "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000",
           "-t", str(DURATION), "-map", "0:v", "-map", "1:a", *output_args(quality, 30, (width, height)), str(out)]
    c0, t0 = cpu_seconds(), time.perf_counter()
    subprocess.run(cmd, check=True)
    if cpu is not None:
        cpu.append(cpu_seconds() - c0)
    return time.perf_counter() - t0


def main(argv: list[str] | None = None) -> int:
    ap = parser(__doc__)
    args = ap.parse_args(argv)
    draft = forest_draft()
    engine_s: list[float] = []
    ref_s: list[float] = []
    ratios: list[float] = []
    preview_x: list[float] = []
    engine_cpu: list[float] = []
    ref_cpu: list[float] = []
    with workdirs(args.keep) as (tmp, outdir):
        for _ in range(max(1, args.runs)):
            # alternate the order so a burst of load elsewhere does not always hit the same one
            e = time_engine(draft, outdir / "engine_1080p.mp4", "high", None, tmp, engine_cpu)
            r = time_reference(outdir / "reference_1080p.mp4", 1920, 1080, "high", ref_cpu)
            engine_s.append(e)
            ref_s.append(r)
            ratios.append(e / r)
            p = time_engine(draft, outdir / "engine_preview.mp4", "preview", None, tmp)
            preview_x.append(DURATION / p)
    return report([("engine_1080p_s", engine_s), ("reference_1080p_s", ref_s)], ratios, TARGET_RATIO,
                  cpu=("engine_1080p", engine_cpu, "reference_1080p", ref_cpu),
                  extra=(f"preview_x: {fmt(preview_x, 'x')} real time (640x360)",))


if __name__ == "__main__":
    sys.exit(main())
