"""Running FFmpeg: find the binary, encoder settings, progress, cancel, errors.

FFmpeg comes from the ``imageio-ffmpeg`` wheel (no system FFmpeg needed).
There is no ffprobe: see :mod:`.probe`.
"""

from __future__ import annotations

import contextlib
import math
import os
import signal
import subprocess
import threading
import time
from collections import deque
from collections.abc import Callable, Sequence
from functools import lru_cache
from pathlib import Path

from ...processes import GUARD, child_popen_kwargs, kill_tree
from ..errors import RenderCancelled, RenderError

#: x264 settings per quality. "high" is what the engine ships by default.
#: The benchmark encodes its reference with exactly these settings.
#: ``maxrate`` (optional) caps the video bitrate; ``short_side``/``long_side`` (optional) cap the
#: output size whatever resolution was asked (see :func:`capped_size`).
#: ``ceiling`` (optional) is the bitrate a 1080p30 render may not exceed (kb/s of video; smaller and
#: larger frames scale it by their pixels): rain, snow and particles change every pixel of every
#: frame, and at a constant quality alone a 90 s rainy 1080p video was 126 MB (11.7 Mb/s); the cap
#: keeps it under 8 Mb/s with the sound, where frames show no loss a viewer sees (looked at).
QUALITY: dict[str, dict[str, str]] = {
    "high": {"preset": "veryfast", "crf": "21", "ceiling": "6800", "audio_bitrate": "160k"},
    "medium": {"preset": "veryfast", "crf": "24", "ceiling": "4200", "audio_bitrate": "128k"},
    "low": {"preset": "ultrafast", "crf": "26", "ceiling": "2600", "audio_bitrate": "96k"},
    # a preview to watch in seconds: 640x360 at most (360 on the short side), the size the
    # notebook's player shows a video at (640 px wide at most), so a preview looks as sharp
    # there as the full render and costs half the pixels of 854x480 (measured: 1.6 s against
    # 2.3 s for 30 s on two cores); the fastest encoder settings and a low bitrate; same timeline,
    # same sound (AAC's fast coder: a quarter of the default coder's CPU, 64k to a preview's ear)
    "preview": {"preset": "ultrafast", "crf": "27", "maxrate": "900k", "audio_bitrate": "64k",
                "audio_rate": "32000", "audio_coder": "fast", "short_side": "360", "long_side": "640"},
}

#: qualities rendered in the preview lane of the queue (small, seconds long, ahead of full renders)
PREVIEW_QUALITIES = frozenset({"preview"})

AUDIO_RATE = 48000


def kill_group(proc: subprocess.Popen[str] | subprocess.Popen[bytes], *, terminate: bool = False) -> None:
    """Stop ``proc`` with its whole process group (it leads one: see :func:`child_popen_kwargs`):
    killed at once, or with ``terminate`` asked to stop (SIGTERM). Where there are no process
    groups (Windows) the process and its children. Never raises."""
    killpg = getattr(os, "killpg", None)
    sig = getattr(signal, "SIGTERM" if terminate else "SIGKILL", None)
    if killpg is not None and sig is not None:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            killpg(proc.pid, sig)
        return
    if terminate:
        with contextlib.suppress(OSError):
            proc.terminate()
    else:
        kill_tree(proc.pid, timeout=2)


@lru_cache(maxsize=1)
def ffmpeg_exe() -> str:
    """The FFmpeg binary: ``NEMO_FFMPEG`` if set, else the one shipped by imageio-ffmpeg."""
    env = os.environ.get("NEMO_FFMPEG")
    if env:
        return env
    try:
        import imageio_ffmpeg
    except ImportError as exc:  # pragma: no cover - a declared dependency
        raise RenderError("FFmpeg is missing: install the 'imageio-ffmpeg' package.") from exc
    return str(imageio_ffmpeg.get_ffmpeg_exe())


def quality_settings(quality: str) -> dict[str, str]:
    try:
        return QUALITY[quality]
    except KeyError:
        raise RenderError(
            f"Unknown quality {quality!r}: use one of {', '.join(sorted(QUALITY))}."
        ) from None


def capped_size(quality: str, w: int, h: int) -> tuple[int, int]:
    """``w``x``h`` scaled down (never up) to the quality's size cap, even sides, aspect kept."""
    q = quality_settings(quality)
    short, long_ = int(q.get("short_side") or 0), int(q.get("long_side") or 0)
    k = 1.0
    if short and min(w, h) > short:
        k = short / min(w, h)
    if long_ and max(w, h) * k > long_:
        k = long_ / max(w, h)
    if k < 1.0:  # nearest even sides: 1920x1080 -> 640x360
        w, h = max(2, round(w * k / 2) * 2), max(2, round(h * k / 2) * 2)
    return w - w % 2, h - h % 2


def ceiling_kbps(quality: str, size: tuple[int, int] = (1920, 1080)) -> int | None:
    """The video bitrate cap of ``quality`` for frames of ``size`` (kb/s), None when it has none."""
    q = quality_settings(quality)
    if not q.get("ceiling"):
        return None
    pixels = max(1, size[0] * size[1]) / (1920 * 1080)
    return max(300, round(int(q["ceiling"]) * math.pow(pixels, 0.85)))


def video_args(quality: str, fps: int = 30, size: tuple[int, int] | None = None) -> list[str]:
    """The H.264 encoder arguments of ``quality`` (for frames of ``size``: the bitrate cap scales with them)."""
    q = quality_settings(quality)
    video = ["-c:v", "libx264", "-preset", q["preset"], "-crf", q["crf"]]
    if q.get("tune"):
        video += ["-tune", q["tune"]]
    cap = ceiling_kbps(quality, size or (1920, 1080))
    if q.get("maxrate"):
        rate = q["maxrate"]
        video += ["-maxrate", rate, "-bufsize", f"{int(rate.rstrip('k')) * 2}k"]
    elif cap:  # a buffer of 1.5 s: the cap holds over any few seconds, not just on average
        video += ["-maxrate", f"{cap}k", "-bufsize", f"{cap * 3 // 2}k"]
    return [*video, "-pix_fmt", "yuv420p", "-r", str(fps)]


def audio_args(quality: str) -> list[str]:
    """The AAC encoder arguments of ``quality``."""
    q = quality_settings(quality)
    coder = ["-aac_coder", q["audio_coder"]] if q.get("audio_coder") else []
    return ["-c:a", "aac", *coder, "-b:a", q["audio_bitrate"], "-ar", q.get("audio_rate") or str(AUDIO_RATE),
            "-ac", "2"]


def output_args(quality: str, fps: int = 30, size: tuple[int, int] | None = None) -> list[str]:
    """The encoder arguments every engine render (and the benchmark's reference) uses.

    (The engine encodes the sound beside the painting, with :func:`audio_args`, and muxes it
    into the video encode with ``-c:a copy``: the same settings, off the critical path.)
    """
    return [*video_args(quality, fps, size), *audio_args(quality), "-movflags", "+faststart"]


_NOISE = ("frame=", "size=", "Press [q]", "Last message repeated", "    ", "Stream mapping",
          "Input #", "Output #", "Metadata", "Duration:", "encoder", "handler_name", "vendor_id",
          "major_brand", "minor_version", "compatible_brands", "Side data", "cpb:", "[libx264",
          "[aac", "video:", "Stream #", "  Stream", "[out#", "[vost#", "[aost#", "Enter command")


def meaningful_tail(lines: Sequence[str], n: int = 6) -> str:
    """The last lines of FFmpeg's stderr that say something about a failure."""
    keep = [ln.rstrip() for ln in lines if ln.strip() and not ln.lstrip().startswith(_NOISE)]
    return "\n".join(keep[-n:]) if keep else "\n".join(ln.rstrip() for ln in list(lines)[-n:])


def run_ffmpeg(args: Sequence[str], *, duration: float | None = None,
               progress: Callable[[float], None] | None = None,
               cancel: threading.Event | None = None,
               cwd: Path | None = None, what: str = "FFmpeg",
               background: threading.Event | None = None) -> None:
    """Run ``ffmpeg args...``; report progress 0..100 from ``-progress pipe:1``.

    ``cancel`` set -> FFmpeg is terminated (then killed) and :class:`RenderCancelled` raised.
    ``background`` set -> FFmpeg runs at a low CPU priority (nice 10) until it is cleared, so a
    preview started beside this render gets the cores first.
    A non-zero exit -> :class:`RenderError` with the last meaningful stderr lines.
    """
    cmd = [ffmpeg_exe(), "-hide_banner", "-nostdin", "-loglevel", "error", "-y",
           "-progress", "pipe:1", "-nostats", *args]
    proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, cwd=cwd, text=True, errors="replace",
                            **child_popen_kwargs())
    GUARD.watch(proc.pid)  # dies with the engine where the OS has no parent-death signal (macOS, Windows)
    err_lines: deque[str] = deque(maxlen=60)

    def read_err() -> None:
        assert proc.stderr is not None
        for line in proc.stderr:
            err_lines.append(line)

    def read_out() -> None:
        assert proc.stdout is not None
        last_sent = 0.0
        last_value = -1.0
        for line in proc.stdout:
            key, _, value = line.strip().partition("=")
            if progress is None or not duration:
                continue
            if key == "out_time_us" and value.lstrip("-").isdigit():
                pct = max(0.0, min(99.9, int(value) / 1e6 / duration * 100.0))
                now = time.monotonic()
                if pct > last_value and now - last_sent >= 0.25:
                    last_sent, last_value = now, pct
                    _safe_call(progress, pct)

    threads = [threading.Thread(target=read_err, daemon=True), threading.Thread(target=read_out, daemon=True)]
    for t in threads:
        t.start()
    cancelled = False
    niced = False
    try:
        while True:
            try:
                proc.wait(timeout=0.05)
                break
            except subprocess.TimeoutExpired:
                if background is not None and background.is_set() != niced:
                    niced = not niced
                    set_priority(proc.pid, BACKGROUND_NICE if niced else 0)
                if cancel is not None and cancel.is_set():
                    cancelled = True
                    kill_group(proc, terminate=True)
                    try:
                        proc.wait(timeout=0.5)  # the output is thrown away: no need to wait for a clean end
                    except subprocess.TimeoutExpired:
                        kill_group(proc)
                        proc.wait()
                    break
    finally:
        if proc.poll() is None:  # an exception (KeyboardInterrupt, shutdown) while it runs
            kill_group(proc)
            proc.wait()
        GUARD.forget(proc.pid)
    for t in threads:
        t.join(timeout=2)
    if cancelled:
        raise RenderCancelled("The render was cancelled.")
    if proc.returncode != 0:
        tail = meaningful_tail(list(err_lines))
        raise RenderError(f"{what} failed (exit code {proc.returncode}): {tail or 'no message'}")


#: the niceness of a full render's FFmpeg while a preview runs beside it
BACKGROUND_NICE = 10


def set_priority(pid: int, nice: int) -> None:
    """Set the niceness of every thread of process ``pid`` (Linux niceness is per thread).

    Lowering it again needs the privilege to do so; without it the process stays niced (it
    still finishes, only yields to other work). Never raises.
    """
    if not hasattr(os, "setpriority"):  # Windows: a priority class for the whole process
        import psutil

        cls = "BELOW_NORMAL_PRIORITY_CLASS" if nice > 0 else "NORMAL_PRIORITY_CLASS"
        with contextlib.suppress(psutil.Error, OSError, AttributeError):
            psutil.Process(pid).nice(getattr(psutil, cls))
        return
    tids: list[int] = []
    with contextlib.suppress(OSError):
        tids = [int(t) for t in os.listdir(f"/proc/{pid}/task") if t.isdigit()]
    for tid in tids or [pid]:
        with contextlib.suppress(OSError, AttributeError):
            os.setpriority(os.PRIO_PROCESS, tid, nice)


def _safe_call(cb: Callable[[float], None], value: float) -> None:
    with contextlib.suppress(Exception):  # a broken progress callback must not break the render
        cb(value)
