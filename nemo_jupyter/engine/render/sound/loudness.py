"""The finished mix made as loud as where the video goes expects, its peaks kept under the ceiling,
and what a sound's volume means under it (the one place of that rule).

The target comes from the draft (``m.loud``: ``social`` -14 LUFS, ``web`` -16, ``broadcast`` -23, or a
number), else from its shape: a 9:16 or 1:1 video goes to social platforms (-14 LUFS), others to the
web (-16). The integrated loudness is measured by FFmpeg's ``ebur128`` filter (ITU-R BS.1770, gated),
the mix is turned up or down, and a look-ahead limiter holds the sample peaks at
:data:`SAMPLE_CEILING_DB`, low enough that the true peak of the encoded AAC stays at or under
-1 dBTP (:data:`~nemo_jupyter.draft_format.TRUE_PEAK_DB`).

**Volumes under the leveller.** The gain is the one that brings the *reference* mix to the target:
the same sounds, each at its kind's default volume (:data:`~nemo_jupyter.draft_format.VOLUME`;
a muted sound is left out). A sound's ``v`` is then a true gain against its default: a video whose
only sound is music at half its default plays 6 dB under the target; voice at its default with the
music turned down keeps the voice where it was and lowers the music alone. The whole never plays
louder than the target: when the sounds add up to more (some turned above their defaults) the mix
is turned down as a whole to the target, so "louder" past it changes the balance, not the loudness.
:func:`plays_at` says from the draft alone where a video plays when that follows without measuring
(every sound turned by the same amount), which is how the planner words a volume edit.
"""

from __future__ import annotations

import math
import re
import subprocess
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .... import draft_format as F
from ..encode.ffmpeg import AUDIO_RATE, ffmpeg_exe
from ..timeline.reading import _ms, segments, video_kind

__all__ = ["SAMPLE_CEILING_DB", "Mix", "Sound", "destination", "limit", "measure", "normalise", "plays_at",
           "sound_kind", "sounds", "target_lufs", "volume"]

SR = AUDIO_RATE
#: sample peaks are held here: the encoder and the peaks between samples add up to about 1 dB
SAMPLE_CEILING_DB = -2.3
#: a quiet mix is turned up by this much at most (a nearly silent one is left as it is)
MAX_GAIN_DB = 24.0
_BLOCK = 96          # samples: 2 ms at 48 kHz
_REACH = 4           # blocks of look-ahead and hold on each side (8 ms)
_INTEGRATED = re.compile(r"I:\s+(-?[\d.]+|-inf)\s+LUFS")


def _loud(draft: dict[str, Any]) -> tuple[str, float]:
    m = draft.get("m") if isinstance(draft.get("m"), dict) else {}
    assert isinstance(m, dict)
    loud = m.get("loud")
    if isinstance(loud, (int, float)) and not isinstance(loud, bool) and -40 <= loud <= -6:
        return "custom", float(loud)
    if isinstance(loud, str) and loud in F.LOUDNESS:
        return loud, F.LOUDNESS[loud]
    aspect = m.get("aspect")
    if aspect not in F.SIZES_1080:
        try:
            w, h = int(m.get("width") or 16), int(m.get("height") or 9)
        except (TypeError, ValueError):
            w, h = 16, 9
        aspect = "9:16" if h > w else ("1:1" if h == w else "16:9")
    where = "social" if aspect in ("9:16", "1:1") else "web"
    return where, F.LOUDNESS[where]


def target_lufs(draft: dict[str, Any]) -> float:
    """The integrated loudness ``draft`` is made to, in LUFS (see the module docstring)."""
    return _loud(draft)[1]


def destination(draft: dict[str, Any]) -> str:
    """Where ``draft`` goes, as its target says: ``social`` | ``web`` | ``broadcast`` | ``custom`` (LUFS given)."""
    return _loud(draft)[0]


# -- what a volume means -------------------------------------------------------------------------------

def volume(sg: dict[str, Any], kind: str) -> float:
    """A segment's volume: its ``v`` (0-1), else its kind's default (``draft_format.VOLUME``)."""
    return float(min(1.0, max(0.0, _ms(sg.get("v"), F.VOLUME.get(kind, 1.0)))))


def sound_kind(sg: dict[str, Any]) -> str:
    """The kind of an audio segment's sound: ``music`` | ``audio`` (an upload) | ``ambient`` | ``voice``."""
    return str(sg.get("k") or ("audio" if sg.get("src") else "music"))


@dataclass(frozen=True)
class Sound:
    """One sound the mix hears: an audio segment, or the sound of a video clip (kind ``video``)."""

    id: str
    kind: str
    volume: float
    segment: dict[str, Any] = field(compare=False, repr=False, default_factory=dict)  # the draft's own

    @property
    def default(self) -> float:
        return F.VOLUME.get(self.kind, 1.0)

    @property
    def offset_db(self) -> float:
        """How far it is turned from its default, in dB (0: at its default)."""
        return 20 * math.log10(self.volume / self.default)


def sounds(draft: dict[str, Any]) -> list[Sound]:
    """Every sound ``draft`` makes heard: audio segments and clips not muted (``v`` 0), music not of
    the mood "none", voices with words or a recording. (A clip may turn out to have no sound track:
    it is counted here, and adds nothing to the mix.)"""
    total = _ms(draft.get("d"))
    out: list[Sound] = []
    for i, sg in enumerate(segments(draft, F.TRACK_AUDIO)):
        kind = sound_kind(sg)
        if (kind == "music" and sg.get("mood") == "none") or (kind == "voice" and not (sg.get("txt") or sg.get("src"))):
            continue
        if total > 0 and _ms(sg.get("st")) >= total:
            continue
        v = volume(sg, kind)
        if v > 0:
            out.append(Sound(str(sg.get("id") or f"a{i}"), kind, v, sg))
    for i, sg in enumerate(segments(draft, F.TRACK_VIDEO)):
        if video_kind(sg) == "video" and sg.get("src") and (v := volume(sg, "video")) > 0:
            out.append(Sound(str(sg.get("id") or f"v{i}"), "video", v, sg))
    return out


def plays_at(draft: dict[str, Any]) -> float | None:
    """The integrated loudness (LUFS) the levelled ``draft`` plays at, when the draft alone says it:
    every sound turned by the same amount from its default (one sound, or all together) plays at the
    target plus that amount, never above the target; every sound at or above its default plays at
    the target. None when the sounds are turned by different amounts, some down (their balance then
    decides, measured at render), or when there is no sound."""
    target = target_lufs(draft)
    offsets = [s.offset_db for s in sounds(draft)]
    if not offsets:
        return None
    if min(offsets) >= 0:
        return target
    if max(offsets) - min(offsets) < 0.05:
        return target + min(0.0, offsets[0])
    return None


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


def normalise(mix: np.ndarray, target: float, reference: float | None = None) -> tuple[np.ndarray, float | None]:
    """``mix`` levelled and limited; also the loudness it had (None: silent, unchanged).

    ``reference`` is the loudness (LUFS) of the same sounds at their kinds' default volumes (None:
    the mix is at its defaults): the mix is turned by the gain that brings the reference to
    ``target``, so it plays ``before - reference`` dB from the target, and at most at the target."""
    before = measure(mix)
    if before is None:
        return limit(mix), None
    aim = target + min(0.0, before - reference) if reference is not None else target
    gain_db = min(MAX_GAIN_DB, aim - before)
    out = limit(mix * np.float32(10 ** (gain_db / 20)))
    after = measure(out)
    if after is not None and abs(aim - after) > 0.4 and gain_db < MAX_GAIN_DB:
        # the limiter took some loudness away (loud peaks): once more from the original, a little louder
        gain_db = min(MAX_GAIN_DB, gain_db + aim - after)
        out = limit(mix * np.float32(10 ** (gain_db / 20)))
    return out, before


class Mix:
    """A stereo mix of ``n`` samples as the sounds are set and, beside it (only once a sound is turned
    from its default), the same sounds at their defaults: the reference :func:`normalise` levels by."""

    def __init__(self, n: int) -> None:
        self.mix = np.zeros((n, 2), dtype=np.float32)
        self._turned: np.ndarray | None = None  # the sounds at their defaults minus as set

    def add(self, a: int, sig: np.ndarray, vol: float, default: float) -> None:
        """Add stereo ``sig`` from sample ``a`` at volume ``vol`` (its kind's default: ``default``)."""
        self.mix[a:a + sig.shape[0]] += sig * vol
        if vol > 0 and vol != default:
            if self._turned is None:
                self._turned = np.zeros_like(self.mix)
            self._turned[a:a + sig.shape[0]] += sig * (default - vol)

    def levelled(self, target: float, *, duck: np.ndarray | None = None, voice: np.ndarray | None = None,
                 voice_at_default: np.ndarray | None = None, level: bool = True) -> np.ndarray:
        """The mix, ducked by the gain ``duck`` with the mono ``voice`` over it, made ``target`` LUFS
        for sounds at their defaults (:func:`normalise`; ``level`` False: only the peaks limited). It
        takes the mix: nothing more can be added."""
        mix, reference = self.mix, None
        self.mix = np.zeros((0, 2), dtype=np.float32)
        if level and (self._turned is not None or voice_at_default is not None):
            # the same sounds at their defaults, measured, then let go before the mix is levelled
            at_default = self._turned if self._turned is not None else np.zeros_like(mix)
            self._turned = None
            at_default += mix
            if duck is not None:
                at_default *= duck[:, None]
            if voice is not None:
                at_default += (voice_at_default if voice_at_default is not None else voice)[:, None]
            reference = measure(at_default)
            del at_default
        if duck is not None:
            mix *= duck[:, None]
        if voice is not None:
            mix += voice[:, None]
        return normalise(mix, target, reference)[0] if level else limit(mix)
