"""Running FFmpeg: find the binary, encoder settings, progress, cancel, errors.

FFmpeg comes from the ``imageio-ffmpeg`` wheel (no system FFmpeg needed).
There is no ffprobe: see :mod:`.probe`.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import threading
import time
from collections import deque
from collections.abc import Callable, Sequence
from functools import lru_cache
from pathlib import Path

from .errors import RenderCancelled, RenderError

#: x264 settings per quality. "high" is what the engine ships by default.
#: The benchmark encodes its reference with exactly these settings.
QUALITY: dict[str, dict[str, str]] = {
    "high": {"preset": "veryfast", "crf": "21", "audio_bitrate": "160k"},
    "medium": {"preset": "veryfast", "crf": "24", "audio_bitrate": "128k"},
    "low": {"preset": "ultrafast", "crf": "26", "audio_bitrate": "96k"},
    "preview": {"preset": "ultrafast", "crf": "26", "audio_bitrate": "96k"},
}

AUDIO_RATE = 48000


def _die_with_parent_fn() -> Callable[[], None] | None:
    """A ``preexec_fn`` asking Linux to SIGKILL the child when the engine dies (``PR_SET_PDEATHSIG``).

    Resolved once in the parent, so the child runs one libc call between fork and exec.
    Elsewhere None: the child still gets its own process group, killed on cancel and shutdown.
    """
    if not sys.platform.startswith("linux"):
        return None
    try:
        import ctypes

        prctl = ctypes.CDLL(None, use_errno=True).prctl
    except (OSError, AttributeError):  # pragma: no cover - a libc without prctl
        return None
    pr_set_pdeathsig, sigkill = 1, int(signal.SIGKILL)

    def preexec() -> None:
        prctl(pr_set_pdeathsig, sigkill, 0, 0, 0)

    return preexec


#: Every FFmpeg the engine starts gets its own process group (``start_new_session``), so cancel
#: and shutdown kill it with all its threads, and on Linux dies with the engine (even after
#: SIGKILL) instead of encoding on for minutes.
DIE_WITH_ENGINE = _die_with_parent_fn()


def kill_group(proc: subprocess.Popen[str] | subprocess.Popen[bytes], sig: int = signal.SIGKILL) -> None:
    """Send ``sig`` to ``proc``'s whole process group (it leads one: see ``DIE_WITH_ENGINE``)."""
    try:
        if hasattr(os, "killpg"):
            os.killpg(proc.pid, sig)
        else:  # pragma: no cover - Windows
            proc.kill()
    except (ProcessLookupError, PermissionError):
        pass


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


def output_args(quality: str, fps: int = 30) -> list[str]:
    """The encoder arguments every engine render (and the benchmark's reference) uses."""
    q = quality_settings(quality)
    return [
        "-c:v", "libx264", "-preset", q["preset"], "-crf", q["crf"],
        "-pix_fmt", "yuv420p", "-r", str(fps),
        "-c:a", "aac", "-b:a", q["audio_bitrate"], "-ar", str(AUDIO_RATE), "-ac", "2",
        "-movflags", "+faststart",
    ]


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
               cwd: Path | None = None, what: str = "FFmpeg") -> None:
    """Run ``ffmpeg args...``; report progress 0..100 from ``-progress pipe:1``.

    ``cancel`` set -> FFmpeg is terminated (then killed) and :class:`RenderCancelled` raised.
    A non-zero exit -> :class:`RenderError` with the last meaningful stderr lines.
    """
    cmd = [ffmpeg_exe(), "-hide_banner", "-nostdin", "-loglevel", "error", "-y",
           "-progress", "pipe:1", "-nostats", *args]
    proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, cwd=cwd, text=True, errors="replace",
                            start_new_session=True, preexec_fn=DIE_WITH_ENGINE)
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
    try:
        while True:
            try:
                proc.wait(timeout=0.05)
                break
            except subprocess.TimeoutExpired:
                if cancel is not None and cancel.is_set():
                    cancelled = True
                    kill_group(proc, signal.SIGTERM)
                    try:
                        proc.wait(timeout=2)
                    except subprocess.TimeoutExpired:
                        kill_group(proc)
                        proc.wait()
                    break
    finally:
        if proc.poll() is None:  # an exception (KeyboardInterrupt, shutdown) while it runs
            kill_group(proc)
            proc.wait()
    for t in threads:
        t.join(timeout=2)
    if cancelled:
        raise RenderCancelled("The render was cancelled.")
    if proc.returncode != 0:
        tail = meaningful_tail(list(err_lines))
        raise RenderError(f"{what} failed (exit code {proc.returncode}): {tail or 'no message'}")


def _safe_call(cb: Callable[[float], None], value: float) -> None:
    with contextlib.suppress(Exception):  # a broken progress callback must not break the render
        cb(value)
