"""Preview first, as a notebook gets it: how soon something plays, and what it costs the full render.

    python benchmarks/preview_first.py [--seconds 30]

Starts a fresh embedded engine (real HTTP on loopback) and runs the README's prompt through the
conversation layer twice, each time in a new session with a new title (so nothing is reused):
once as ``%%nemo -x`` does (``preview_first=True``), once without. Prints, one figure per line:
  draft_s                 prompt -> draft (the chat turn), with preview first
  first_playable_s        prompt -> the preview on disk, sent as the "preview" update   (target: <= draft_s + 5 s)
  full_with_preview_s     prompt -> the full-quality 1080p file, with the preview beside it
  full_alone_s            prompt -> the full-quality file, no preview (same run: the reference)
  preview_overhead        full_with_preview_s / full_alone_s - 1 (what the preview costs the final file)
  waited_without_s        what a user waited before anything played without a preview (= full_alone_s)
Exits 1 when the target is missed.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from nemo_jupyter.client.loop import run_sync
from nemo_jupyter.client.nemo import AsyncNemo
from nemo_jupyter.conversation import Conversation, TurnUpdate
from nemo_jupyter.engine.launcher import start_engine

PROMPT = "generate a {s}-second video of a forest with birds and soft background music titled \"{title}\""
TARGET_FIRST_PLAYABLE_AFTER_DRAFT_S = 5.0


def _run(url: str, out: Path, seconds: int, title: str, preview_first: bool) -> dict[str, float]:
    conv = Conversation(AsyncNemo(backend=url))
    marks: dict[str, float] = {}
    t0 = time.perf_counter()

    def on_update(update: TurnUpdate) -> None:
        now = time.perf_counter() - t0
        if update.kind == "state" and "draft_s" not in marks:
            marks["draft_s"] = now
        if update.kind == "preview":
            marks["first_playable_s"] = now

    result = run_sync(conv.run(PROMPT.format(s=seconds, title=title), export=True, resolution="1080p",
                               path=out / f"{title}.mp4", preview_first=preview_first, on_update=on_update))
    marks["full_s"] = time.perf_counter() - t0
    assert result.video is not None and (out / f"{title}.mp4").exists()
    return marks


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--seconds", type=int, default=30, help="the video's length (default 30)")
    args = ap.parse_args(argv)
    tmp = Path(tempfile.mkdtemp(prefix="nemo-preview-first-bench-"))
    engine = start_engine(tmp / "engine", port=0, idle_timeout=0, timeout=60)
    try:
        out = tmp / "out"
        stamp = str(int(time.time()))
        alone = _run(engine.url, out, args.seconds, f"alone-{stamp}", preview_first=False)
        first = _run(engine.url, out, args.seconds, f"first-{stamp}", preview_first=True)
    finally:
        engine.stop()
        shutil.rmtree(tmp, ignore_errors=True)
    playable = first.get("first_playable_s", float("nan"))
    overhead = first["full_s"] / alone["full_s"] - 1
    print(f"draft_s                 {first['draft_s']:.2f}")
    print(f"first_playable_s        {playable:.2f}")
    print(f"full_with_preview_s     {first['full_s']:.2f}")
    print(f"full_alone_s            {alone['full_s']:.2f}")
    print(f"preview_overhead        {overhead:+.1%}")
    print(f"waited_without_s        {alone['full_s']:.2f}")
    ok = playable <= first["draft_s"] + TARGET_FIRST_PLAYABLE_AFTER_DRAFT_S
    if not ok:
        print(f"MISSED: the preview played {playable - first['draft_s']:.1f} s after the draft "
              f"(target {TARGET_FIRST_PLAYABLE_AFTER_DRAFT_S:g} s)")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
