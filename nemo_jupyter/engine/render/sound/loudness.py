"""The finished mix made as loud as where the video goes expects, its peaks kept under the ceiling.

The target comes from the draft (``m.loud``: ``social`` -14 LUFS, ``web`` -16, ``broadcast`` -23, or a
number), else from its shape: a 9:16 or 1:1 video goes to social platforms (-14 LUFS), others to the
web (-16). The integrated loudness is measured by FFmpeg's ``ebur128`` filter (ITU-R BS.1770, gated),
the mix is turned up or down to the target, and a look-ahead limiter holds the sample peaks at
:data:`SAMPLE_CEILING_DB`, low enough that the true peak of the encoded AAC stays at or under
-1 dBTP (:data:`~nemo_jupyter.draft_format.TRUE_PEAK_DB`).
"""

from __future__ import annotations

import re
import subprocess
from typing import Any

import numpy as np

from .... import draft_format as F
from ..encode.ffmpeg import AUDIO_RATE, ffmpeg_exe

__all__ = ["SAMPLE_CEILING_DB", "limit", "measure", "normalise", "target_lufs"]

SR = AUDIO_RATE
#: sample peaks are held here: the encoder and the peaks between samples add up to about 1 dB
SAMPLE_CEILING_DB = -2.3
#: a quiet mix is turned up by this much at most (a nearly silent one is left as it is)
MAX_GAIN_DB = 24.0
_BLOCK = 96          # samples: 2 ms at 48 kHz
_REACH = 4           # blocks of look-ahead and hold on each side (8 ms)
_INTEGRATED = re.compile(r"I:\s+(-?[\d.]+|-inf)\s+LUFS")


def target_lufs(draft: dict[str, Any]) -> float:
    """The integrated loudness ``draft`` is made to, in LUFS (see the module docstring)."""
    m = draft.get("m") if isinstance(draft.get("m"), dict) else {}
    assert isinstance(m, dict)
    loud = m.get("loud")
    if isinstance(loud, (int, float)) and not isinstance(loud, bool) and -40 <= loud <= -6:
        return float(loud)
    if isinstance(loud, str) and loud in F.LOUDNESS:
        return F.LOUDNESS[loud]
    aspect = m.get("aspect")
    if aspect not in F.SIZES_1080:
        try:
            w, h = int(m.get("width") or 16), int(m.get("height") or 9)
        except (TypeError, ValueError):
            w, h = 16, 9
        aspect = "9:16" if h > w else ("1:1" if h == w else "16:9")
    return F.LOUDNESS["social"] if aspect in ("9:16", "1:1") else F.LOUDNESS["web"]


def measure(mix: np.ndarray) -> float | None:
    """The integrated loudness (LUFS) of a stereo float32 mix at 48 kHz; None when it is silent."""
    if mix.size == 0:
        return None
    data = np.ascontiguousarray(mix, dtype="<f4").tobytes()
    cmd = [ffmpeg_exe(), "-hide_banner", "-nostdin", "-f", "f32le", "-ar", str(SR), "-ac", "2", "-i", "pipe:0",
           "-af", "ebur128=framelog=quiet", "-f", "null", "-"]
    res = subprocess.run(cmd, input=data, capture_output=True, timeout=600)
    found = _INTEGRATED.findall(res.stderr.decode("utf-8", "replace"))
    if res.returncode != 0 or not found or found[-1] == "-inf":
        return None
    value = float(found[-1])
    return value if value > -69.0 else None


def limit(mix: np.ndarray, ceiling_db: float = SAMPLE_CEILING_DB) -> np.ndarray:
    """``mix`` with its peaks held at ``ceiling_db`` by a look-ahead gain that never overshoots: the
    gain of each 2 ms block is the least any block within 8 ms needs, eased between blocks."""
    n = mix.shape[0]
    ceiling = 10 ** (ceiling_db / 20)
    peak = np.abs(mix).max(axis=1) if mix.ndim == 2 else np.abs(mix)
    if n == 0 or float(peak.max()) <= ceiling:
        return mix
    blocks = -(-n // _BLOCK)
    padded = np.zeros(blocks * _BLOCK, dtype=np.float32)
    padded[:n] = peak
    need = np.minimum(1.0, ceiling / np.maximum(padded.reshape(blocks, _BLOCK).max(axis=1), 1e-9))
    wide = np.pad(need, _REACH, mode="edge")
    held = np.min(np.stack([wide[k:k + blocks] for k in range(2 * _REACH + 1)]), axis=0)
    # eased: the mean over 4 blocks around each one (every block of it is within reach of the block it
    # serves, so the eased gain is never more than that block needs), then linear between block starts
    ext = np.pad(held, 2, mode="edge")
    eased = (ext[0:blocks] + ext[1:blocks + 1] + ext[2:blocks + 2] + ext[3:blocks + 3]) / 4
    nxt = np.append(eased[1:], eased[-1])
    frac = (np.arange(_BLOCK, dtype=np.float32) / _BLOCK)[None, :]
    gain = (eased[:, None] * (1 - frac) + np.minimum(eased, nxt)[:, None] * frac).reshape(-1)[:n]
    gain = np.minimum(gain, np.repeat(need, _BLOCK)[:n])
    out: np.ndarray = (mix * (gain[:, None] if mix.ndim == 2 else gain)).astype(np.float32)
    return out


def normalise(mix: np.ndarray, target: float) -> tuple[np.ndarray, float | None]:
    """``mix`` turned to ``target`` LUFS and limited; also the loudness it had (None: silent, unchanged)."""
    before = measure(mix)
    if before is None:
        return limit(mix), None
    gain_db = min(MAX_GAIN_DB, target - before)
    out = limit(mix * np.float32(10 ** (gain_db / 20)))
    after = measure(out)
    if after is not None and abs(target - after) > 0.4 and gain_db < MAX_GAIN_DB:
        # the limiter took some loudness away (loud peaks): once more from the original, a little louder
        gain_db = min(MAX_GAIN_DB, gain_db + target - after)
        out = limit(mix * np.float32(10 ** (gain_db / 20)))
    return out, before
