"""Cost of narration: a 30 s narrated explainer against the same video without narration, one run.

    python benchmarks/narration.py [--runs N] [--quality high] [--keep DIR]

The draft comes from the planner ("make a 30-second explainer from my script with a voice-over",
a six-sentence TXT script): scenes per sentence, captions, soft music. "plain" is the same draft
with its voice segments taken out (captions, music and pictures unchanged).

Prints, one figure per line:
  plain_s          wall time of rendering the draft without narration
  narrated_cold_s  the narrated draft with an empty voice cache: every sentence synthesised in the render
  narrated_warm_s  the narrated draft with the sentences already cached (as after planning in the engine)
  ratio_cold       narrated_cold / plain                       (target: <= 1.25)
  ratio_warm       narrated_warm / plain
  speech_s         seconds of speech in the video; sentences: how many
The renders alternate, so load elsewhere hits all alike. Exits 1 when the target is missed.
"""

from __future__ import annotations

import argparse
import copy
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from nemo_jupyter.engine.planner import plan
from nemo_jupyter.engine.render import render_draft
from nemo_jupyter.engine.render.sound import voice as V

TARGET = 1.25
SCRIPT = (
    "Every cup of coffee starts on a farm in the mountains. "
    "Farmers pick the ripe cherries by hand. "
    "The beans are dried in the sun and shipped across the ocean. "
    "In our city roastery we roast them in small batches. "
    "Then we grind them fresh for every order. "
    "Come to our cafe and taste the whole journey."
)


def drafts() -> tuple[dict[str, Any], dict[str, Any]]:
    asset = {"filename": "script.txt", "file_type": "text", "cdn_url": "https://cdn.example/script.txt",
             "text": SCRIPT}
    p = plan("make a 30-second explainer from my script with a voice-over", None, [asset])
    assert p.draft is not None, p.reply
    narrated = p.draft
    plain = copy.deepcopy(narrated)
    for t in plain["t"]:
        t["sg"] = [s for s in t["sg"] if s.get("k") != "voice"]
    plain["t"] = [t for t in plain["t"] if t["sg"]]
    return narrated, plain


def timed(draft: dict[str, Any], out: Path, quality: str) -> float:
    t0 = time.perf_counter()
    render_draft(draft, out, resolve=lambda s: None, quality=quality)
    return time.perf_counter() - t0


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--runs", type=int, default=2)
    ap.add_argument("--quality", default="high")
    ap.add_argument("--keep", type=Path, default=None, help="keep the MP4s in this folder")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="nemo-bench-narration-") as tmp_s:
        tmp = Path(tmp_s)
        out_dir = args.keep or tmp
        out_dir.mkdir(parents=True, exist_ok=True)
        V.configure(tmp / "plan-cache")
        narrated, plain = drafts()
        voices = [s for t in narrated["t"] for s in t["sg"] if s.get("k") == "voice"]
        times: dict[str, list[float]] = {"plain": [], "cold": [], "warm": []}
        for run in range(args.runs):
            times["plain"].append(timed(plain, out_dir / "plain.mp4", args.quality))
            V.close_workers()
            V.configure(tmp / f"cold-{run}")  # empty: the render synthesises every sentence
            times["cold"].append(timed(narrated, out_dir / "narrated.mp4", args.quality))
            times["warm"].append(timed(narrated, out_dir / "narrated.mp4", args.quality))
        V.close_workers()
    med = {k: statistics.median(v) for k, v in times.items()}
    ratio_cold, ratio_warm = med["cold"] / med["plain"], med["warm"] / med["plain"]
    print(f"duration_s       {narrated['d'] / 1000:.1f}")
    print(f"sentences        {len(voices)}")
    print(f"speech_s         {sum(s['d'] for s in voices) / 1000:.1f}")
    print(f"plain_s          {med['plain']:.2f}")
    print(f"narrated_cold_s  {med['cold']:.2f}")
    print(f"narrated_warm_s  {med['warm']:.2f}")
    print(f"ratio_cold       {ratio_cold:.3f}   (target <= {TARGET})")
    print(f"ratio_warm       {ratio_warm:.3f}")
    return 0 if ratio_cold <= TARGET else 1


if __name__ == "__main__":
    sys.exit(main())
