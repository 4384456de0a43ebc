"""Join chunk MP4s without re-encoding the video, and mux the whole timeline's audio.

Every chunk is an H.264 stream with the same encoder settings, starting on a key frame at a
scene boundary; FFmpeg's concat demuxer copies them one after another, and the audio (mixed
once for the whole timeline, so there is no seam in it) is encoded with the quality's own AAC
settings (``audio_args``, as a render on one machine) and muxed in the same pass.
"""

from __future__ import annotations

import threading
from pathlib import Path

from ..render.encode.ffmpeg import audio_args, run_ffmpeg

__all__ = ["join_chunks"]


def join_chunks(parts: list[Path], wav: Path, out: Path, *, quality: str, frames: int,
                cancel: threading.Event | None = None, fps: int = 30) -> Path:
    """Write ``out``: the chunks' video copied in order plus ``wav`` encoded as AAC."""
    listing = out.with_name(f".{out.name}.concat.txt")
    part = out.with_name(f".{out.name}.join.part.mp4")
    out.parent.mkdir(parents=True, exist_ok=True)
    # concat demuxer syntax: one quoted path a line; a quote inside a path is escaped as '\''
    listing.write_text("".join("file '" + str(p).replace("'", "'\\''") + "'\n" for p in parts), encoding="utf-8")
    try:
        run_ffmpeg(["-f", "concat", "-safe", "0", "-i", str(listing), "-i", str(wav),
                    "-map", "0:v:0", "-map", "1:a:0", "-map_metadata", "0", "-c:v", "copy",
                    *audio_args(quality),
                    "-frames:v", str(frames), "-t", f"{frames / fps:.4f}", "-movflags", "+faststart",
                    "-f", "mp4", str(part)],
                   cancel=cancel, what="FFmpeg (joining the chunks)")
        part.replace(out)
    finally:
        for p in (listing, part):
            p.unlink(missing_ok=True)
    return out
