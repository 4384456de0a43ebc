"""A spoken sentence's signal made ready to mix: the silence around it trimmed, its voiced part
levelled to one loudness (so every voice and every sentence sits at the same place under the music)."""

from __future__ import annotations

import numpy as np

from ..encode.ffmpeg import AUDIO_RATE

__all__ = ["KNEE_DB", "PEAK_DB", "TARGET_RMS_DB", "level", "trim"]

SR = AUDIO_RATE
#: loudness every sentence is levelled to (RMS of its voiced part, dBFS); its peaks are softly
#: limited from KNEE_DB up to PEAK_DB, leaving headroom for the AAC encoder and the mix
TARGET_RMS_DB, KNEE_DB, PEAK_DB = -19.0, -9.0, -4.0


def _frames_db(sig: np.ndarray, win: int) -> np.ndarray:
    n = len(sig) // win
    if n == 0:
        return np.full(1, -120.0)
    fr = sig[: n * win].reshape(n, win)
    return np.asarray(20 * np.log10(np.sqrt(np.mean(fr ** 2, axis=1)) + 1e-9))


def trim(sig: np.ndarray, floor_db: float = -45.0, pad: float = 0.04) -> np.ndarray:
    """``sig`` without the silence before its first and after its last voiced 10 ms (``pad`` s kept)."""
    win = int(0.01 * SR)
    db = _frames_db(sig, win)
    loud = np.nonzero(db > max(floor_db, float(db.max()) - 40))[0]
    if len(loud) == 0:
        return sig
    a = max(0, loud[0] * win - int(pad * SR))
    b = min(len(sig), (loud[-1] + 1) * win + int(pad * SR))
    out: np.ndarray = sig[a:b].copy()
    ramp = min(len(out) // 2, int(0.005 * SR))
    if ramp:
        out[:ramp] *= np.linspace(0, 1, ramp, dtype=np.float32)
        out[-ramp:] *= np.linspace(1, 0, ramp, dtype=np.float32)
    return out


def level(sig: np.ndarray) -> np.ndarray:
    """``sig`` scaled so its voiced part has TARGET_RMS_DB RMS, peaks softly limited to PEAK_DB."""
    win = int(0.02 * SR)
    db = _frames_db(sig, win)
    voiced = db > float(db.max()) - 30
    n = len(db) * win
    frames = sig[:n].reshape(-1, win)[voiced] if len(sig) >= win else sig[None, :]
    rms = float(np.sqrt(np.mean(frames ** 2))) or 1.0
    peak = float(np.abs(sig).max()) or 1.0
    # never more than 12 dB of limiting: a sentence with wild peaks is turned down instead
    gain = min(10 ** (TARGET_RMS_DB / 20) / rms, 10 ** ((PEAK_DB + 12) / 20) / peak)
    out = sig * gain
    knee, ceil = 10 ** (KNEE_DB / 20), 10 ** (PEAK_DB / 20)
    over = np.abs(out) > knee
    if over.any():
        a = np.abs(out[over])
        out[over] = np.sign(out[over]) * (knee + (ceil - knee) * np.tanh((a - knee) / (ceil - knee)))
    return out.astype(np.float32)
