"""From the prompt to something to look at: storyboard, preview and full render, in one run.

    python benchmarks/preview.py [--keep DIR]

Starts a fresh embedded engine (real HTTP on loopback) and drives it with the client, for the
30 s forest prompt. Prints, one figure per line:
  draft_s                 prompt -> draft (the chat turn)
  storyboard_after_draft  draft -> storyboard strip in the client          (target: <= 1 s)
  prompt_to_preview_s     prompt -> a playable preview MP4 on disk (640x360)
  preview_render_s        the preview's render alone (submit -> completed, polled every 0.1 s)
  preview_x               30 s / preview_render_s                          (target: >= 15x)
  prompt_to_full_s        prompt -> the full 1080p MP4 on disk (a new session, same prompt)
  full_render_s           the full render alone
  preview_vs_full         full_render_s / preview_render_s
  reference_preview_s     a bare FFmpeg encode of a synthetic source of the preview's size with
                          its settings, same run (what the machine can do right now)
  reference_854x480_s     the same bare encode at 854x480, the largest preview the issue allows
                          (what the preview's size saves on this machine, same run)
  repeat_export_s         the same preview exported again (content address: no render, no file)
Exits 1 when a target is missed.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from nemo_jupyter import Nemo
from nemo_jupyter.engine.launcher import start_engine
from nemo_jupyter.engine.render import ffmpeg_exe, output_args
from nemo_jupyter.engine.render.encode.ffmpeg import capped_size

PROMPT = "generate a 30-second video of a forest with birds and soft background music"
DURATION = 30.0
TARGET_PREVIEW_X = 15.0
TARGET_STORYBOARD_S = 1.0


def reference_encode(out: Path, size: tuple[int, int]) -> float:
    cmd = [ffmpeg_exe(), "-hide_banner", "-nostdin", "-loglevel", "error", "-y",
           "-f", "lavfi", "-i", f"testsrc2=size={size[0]}x{size[1]}:rate=30", "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000",
           "-t", str(DURATION), "-map", "0:v", "-map", "1:a", *output_args("preview"), str(out)]
    t0 = time.perf_counter()
    subprocess.run(cmd, check=True)
    return time.perf_counter() - t0


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--keep", type=Path, default=None, help="keep the MP4s in this folder")
    args = ap.parse_args(argv)
    tmp = Path(tempfile.mkdtemp(prefix="nemo-preview-bench-"))
    out = args.keep or tmp / "out"
    out.mkdir(parents=True, exist_ok=True)
    engine = start_engine(tmp / "home", idle_timeout=0)
    try:
        # a steady 0.1 s poll: the figures are the renders', not the client's growing poll pauses
        nemo = Nemo(engine.url, poll_interval=0.1, poll_backoff=1.0, poll_max_interval=0.1)
        s = nemo.session()
        t0 = time.perf_counter()
        s.ask(PROMPT)
        t_draft = time.perf_counter()
        board = s.storyboard()
        t_board = time.perf_counter()
        job = s.export(quality="preview")
        t_submit = time.perf_counter()
        video = job.wait(timeout=600)
        t_done = time.perf_counter()
        path = video.download(out / "forest-preview.mp4")
        t_preview = time.perf_counter()
        t_repeat0 = time.perf_counter()
        again = s.export(quality="preview").wait(timeout=60)
        t_repeat = time.perf_counter() - t_repeat0

        s2 = nemo.session()
        t1 = time.perf_counter()
        s2.ask(PROMPT)
        t1_submit = time.perf_counter()
        full = s2.export(quality="high", resolution="1080p").wait(timeout=1200)
        t1_done = time.perf_counter()
        full_path = full.download(out / "forest-1080p.mp4")
        t_full = time.perf_counter()
        size = capped_size("preview", 1920, 1080)
        ref = reference_encode(tmp / "reference.mp4", size)
        ref_480 = reference_encode(tmp / "reference-480.mp4", (854, 480))
    finally:
        engine.stop()
    preview_render = t_done - t_submit
    full_render = t1_done - t1_submit
    storyboard_s = t_board - t_draft
    preview_x = DURATION / preview_render
    print(f"draft_s: {t_draft - t0:.2f} s")
    print(f"storyboard_after_draft: {storyboard_s:.2f} s ({len(board) if board else 0} stills; "
          f"target <= {TARGET_STORYBOARD_S:g} s)")
    print(f"prompt_to_preview_s: {t_preview - t0:.2f} s ({path.stat().st_size / 1e6:.1f} MB)")
    print(f"preview_render_s: {preview_render:.2f} s")
    print(f"preview_x: {preview_x:.1f}x real time (target >= {TARGET_PREVIEW_X:g}x)")
    print(f"prompt_to_full_s: {t_full - t1:.2f} s ({full_path.stat().st_size / 1e6:.1f} MB)")
    print(f"full_render_s: {full_render:.2f} s")
    print(f"preview_vs_full: {full_render / preview_render:.1f}x faster")
    print(f"reference_preview_s: {ref:.2f} s (bare encode, same settings, {size[0]}x{size[1]}; "
          f"{DURATION / ref:.1f}x real time)")
    print(f"reference_854x480_s: {ref_480:.2f} s (the same at 854x480; {DURATION / ref_480:.1f}x real time)")
    print(f"repeat_export_s: {t_repeat:.3f} s (same file: {Path(again.path or '') == path})")
    shutil.rmtree(tmp, ignore_errors=True)
    ok = preview_x >= TARGET_PREVIEW_X and storyboard_s <= TARGET_STORYBOARD_S and board is not None
    print("result: " + ("PASS" if ok else "FAIL"))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
