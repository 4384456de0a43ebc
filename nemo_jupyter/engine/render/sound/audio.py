"""Audio: music synthesised per mood, ambient beds, uploaded audio, narration, all mixed in numpy to one WAV.

Narration (``voice`` segments, :mod:`.narration`) is mixed on its own bus; everything else is
ducked under it (``narration.DUCK_DB`` lower while a sentence is spoken).

Everything is deterministic from a seed. Music is rendered as a short loop (a few bars,
wrapped round so decays cross the seam without a click) and tiled over the segment.
"""

from __future__ import annotations

import functools
import subprocess
import threading
import wave
import zlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from .... import draft_format as F
from ..encode.ffmpeg import AUDIO_RATE, ffmpeg_exe
from ..errors import RenderCancelled, RenderError
from ..kept import Kept
from .loudness import Mix, sound_kind, target_lufs, volume

SR = AUDIO_RATE

# mood -> (bpm, root midi note, progression of chords as semitone lists, drums, brightness)
MOODS: dict[str, dict[str, Any]] = {
    "soft": {"bpm": 76, "root": 60, "chords": [[0, 4, 7, 11], [7, 11, 14, 17], [9, 12, 16, 19], [5, 9, 12, 16]],
             "drums": False, "arp": "up", "pad": 0.22, "lead": 0.12},
    "calm": {"bpm": 64, "root": 57, "chords": [[0, 4, 7, 11], [5, 9, 12, 16], [0, 4, 7, 14], [5, 9, 12, 16]],
             "drums": False, "arp": "slow", "pad": 0.26, "lead": 0.08},
    "lofi": {"bpm": 82, "root": 62, "chords": [[0, 3, 7, 10], [5, 9, 12, 15], [-2, 2, 5, 9], [3, 7, 10, 14]],
             "drums": "lofi", "arp": "jazz", "pad": 0.18, "lead": 0.1},
    "upbeat": {"bpm": 118, "root": 60, "chords": [[0, 4, 7], [7, 11, 14], [9, 12, 16], [5, 9, 12]],
               "drums": "pop", "arp": "eighths", "pad": 0.14, "lead": 0.14},
    "epic": {"bpm": 88, "root": 57, "chords": [[0, 3, 7], [-4, 0, 3], [3, 7, 10], [-2, 2, 5]],
             "drums": "epic", "arp": "ostinato", "pad": 0.28, "lead": 0.12},
}


def midi_hz(n: float) -> float:
    return float(440.0 * 2 ** ((n - 69) / 12))


def _env(n: int, attack: float, release: float, decay: float | None = None) -> np.ndarray:
    """Attack/decay/release envelope of ``n`` samples (times in seconds); never starts or ends abruptly."""
    t = np.arange(n, dtype=np.float32) / SR
    a = np.clip(t / max(attack, 0.004), 0, 1)
    r = np.clip((n / SR - t) / max(release, 0.004), 0, 1)
    e = a * r
    if decay:
        e *= np.exp(-t / decay).astype(np.float32)
    return e.astype(np.float32)


def _tone(freq: float, dur: float, *, harmonics: tuple[float, ...] = (1.0,), detune: float = 0.0,
          phase: float = 0.0) -> np.ndarray:
    n = int(dur * SR)
    t = np.arange(n, dtype=np.float32) / SR
    out = np.zeros(n, dtype=np.float32)
    for k, amp in enumerate(harmonics, start=1):
        if amp:
            out += amp * np.sin(2 * np.pi * freq * k * t + phase * k).astype(np.float32)
            if detune:
                out += amp * 0.6 * np.sin(2 * np.pi * freq * k * (1 + detune) * t).astype(np.float32)
    return out


def _add(buf: np.ndarray, sig: np.ndarray, start: float, pan: float = 0.0, gain: float = 1.0) -> None:
    """Add a mono signal at ``start`` seconds into a stereo loop buffer, wrapping round."""
    n = buf.shape[0]
    i = int(start * SR) % n
    left, right = gain * np.sqrt((1 - pan) / 2), gain * np.sqrt((1 + pan) / 2)
    pos = 0
    while pos < len(sig):
        take = min(len(sig) - pos, n - i)
        buf[i:i + take, 0] += sig[pos:pos + take] * left
        buf[i:i + take, 1] += sig[pos:pos + take] * right
        pos += take
        i = 0


def _noise(n: int, rng: np.random.Generator) -> np.ndarray:
    return rng.standard_normal(n).astype(np.float32)


@functools.lru_cache(maxsize=256)
def _fast_len(n: int) -> int:
    """The smallest length >= ``n`` with no prime factor above 5 (an FFT of a length with a large
    prime factor is several times slower: a 23.4 s lofi loop took 0.43 s instead of 0.08 s)."""
    best = 1 << max(0, (n - 1).bit_length())
    p5 = 1
    while p5 < best:
        p35 = p5
        while p35 < best:
            m = p35
            while m < n:
                m *= 2
            best = min(best, m)
            p35 *= 3
        p5 *= 5
    return best


def _shape(x: np.ndarray, fn: Callable[[np.ndarray], np.ndarray]) -> np.ndarray:
    """Filter ``x`` by a frequency response ``fn(freqs_hz)`` (FFT, zero phase, circular: a loop
    stays seamless). A length the FFT is slow at is padded round (wrapping) to one it is fast at."""
    x = x.astype(np.float32, copy=False)  # single precision throughout: twice as fast
    n = len(x)
    m = _fast_len(n)
    left = (m - n) // 2
    y = np.pad(x, (left, m - n - left), mode="wrap") if m != n else x
    spec = np.fft.rfft(y)
    freqs = np.fft.rfftfreq(m, 1 / SR).astype(np.float32)
    out = np.fft.irfft(spec * fn(freqs).astype(np.float32, copy=False), n=m).astype(np.float32, copy=False)
    return out[left:left + n] if m != n else out


#: synthesised stems (music loops, ambient beds) kept for the next render of the same sound: a
#: preview and then the full render, or a re-render after an edit that left the sound alone
KEEP_BYTES = 96 * 2**20
_kept: Kept[np.ndarray] = Kept(KEEP_BYTES, weight=lambda a: int(a.nbytes))


def _keep(key: tuple[Any, ...], make: Callable[[], np.ndarray]) -> np.ndarray:
    """``make()``, or the array it made before for ``key`` (read-only; least recently used ones go
    first once they hold over :data:`KEEP_BYTES`)."""

    def made() -> np.ndarray:
        arr = make()
        arr.setflags(write=False)
        return arr

    return _kept.get_or_make(key, made)


def synth_music(mood: str, seconds: float, seed: int = 0) -> np.ndarray:
    """Stereo float32 music of ``seconds`` for ``mood`` (falls back to "soft")."""
    spec = MOODS.get(mood, MOODS["soft"])
    loop_len = len(spec["chords"]) * 2 * (4 * (60.0 / spec["bpm"]))  # as _music_loop reckons it
    buf = _keep(("music", mood, seed, SR), lambda: _music_loop(mood, seed))
    reps = int(np.ceil(seconds / loop_len))
    out = np.tile(buf, (reps, 1))[: round(seconds * SR)]
    peak = float(np.abs(out).max()) or 1.0
    return out * (0.85 / peak)  # v=1.0 is close to full scale; the mix limiter catches sums


def _music_loop(mood: str, seed: int) -> np.ndarray:
    """The few bars of ``mood`` that :func:`synth_music` tiles, wrapped round at the seam."""
    spec = MOODS.get(mood, MOODS["soft"])
    rng = np.random.default_rng(zlib.crc32(f"{mood}:{seed}".encode()))
    beat = 60.0 / spec["bpm"]
    bar = 4 * beat
    chords = spec["chords"]
    bars = len(chords) * 2  # two passes: the second with a melody variation
    loop_len = bars * bar
    buf = np.zeros((int(loop_len * SR), 2), dtype=np.float32)
    root = spec["root"]
    scale = [0, 2, 4, 7, 9, 12, 14, 16] if mood != "epic" else [0, 2, 3, 5, 7, 8, 10, 12]
    for b in range(bars):
        ch = chords[b % len(chords)]
        t0 = b * bar
        # pad: soft detuned chord with slow attack and release that overlaps the next bar
        for j, semi in enumerate(ch):
            f = midi_hz(root + semi)
            dur = bar * 1.15
            harm = (1.0, 0.35, 0.15, 0.06) if mood != "epic" else (1.0, 0.5, 0.33, 0.25, 0.18, 0.12)
            sig = _tone(f, dur, harmonics=harm, detune=0.004) * _env(int(dur * SR), bar * 0.3, bar * 0.35)
            _add(buf, sig, t0, pan=(j / max(1, len(ch) - 1) - 0.5) * 0.6, gain=spec["pad"] / len(ch))
        # bass
        bf = midi_hz(root + ch[0] - 24 + (12 if mood == "upbeat" else 0))
        steps = [0, 2] if mood in ("soft", "calm") else ([0, 1.5, 2, 3] if mood == "lofi" else [0, 1, 2, 3])
        for st in steps:
            dur = beat * (1.8 if len(steps) == 2 else 0.9)
            sig = _tone(bf, dur, harmonics=(1.0, 0.4, 0.1)) * _env(int(dur * SR), 0.01, 0.08, decay=beat * 1.5)
            _add(buf, sig, t0 + st * beat, gain=0.32 if mood != "epic" else 0.4)
        # arpeggio / ostinato
        arp = spec["arp"]
        notes = [root + 12 + s for s in ch]
        if arp in ("up", "eighths", "ostinato", "jazz"):
            sub = 2 if arp != "ostinato" else 4
            for k in range(4 * sub):
                if arp == "jazz" and rng.random() < 0.35:
                    continue
                n = notes[k % len(notes)] if arp != "ostinato" else root + ch[k % 2 * (len(ch) - 1)]
                dur = beat / sub * 2.5
                sig = _tone(midi_hz(n), dur, harmonics=(1.0, 0.2, 0.1, 0.05)) * _env(int(dur * SR), 0.004, 0.05,
                                                                                   decay=beat * 0.6)
                _add(buf, sig, t0 + k * beat / sub, pan=0.35 * np.sin(k), gain=0.13)
        elif arp == "slow":
            for k in range(4):
                n = notes[k % len(notes)]
                dur = beat * 2.5
                sig = _tone(midi_hz(n), dur, harmonics=(1.0, 0.1)) * _env(int(dur * SR), 0.01, 0.3, decay=beat)
                _add(buf, sig, t0 + k * beat, pan=-0.3 + 0.2 * k, gain=0.12)
        # melody on the second pass
        if b >= len(chords) and spec["lead"]:
            pos = 0.0
            while pos < 4:
                ln = float(rng.choice([0.5, 1.0, 1.0, 1.5, 2.0]))
                if rng.random() < 0.8:
                    n = root + 12 + int(rng.choice(scale))
                    dur = beat * ln * 1.2
                    sig = _tone(midi_hz(n), dur, harmonics=(1.0, 0.25, 0.12)) * _env(int(dur * SR), 0.02, 0.15,
                                                                                     decay=beat * 2)
                    vib = 1 + 0.003 * np.sin(2 * np.pi * 5 * np.arange(len(sig)) / SR)
                    _add(buf, (sig * vib).astype(np.float32), t0 + pos * beat, pan=0.1, gain=spec["lead"])
                pos += ln
        # drums
        drums = spec["drums"]
        if drums:
            for q in range(4):
                t = t0 + q * beat
                if drums == "epic":
                    if q in (0, 2):
                        _add(buf, _timpani(rng), t, gain=0.5)
                    continue
                if q in (0, 2) or (drums == "pop"):
                    _add(buf, _kick(), t, gain=0.55 if drums == "pop" else 0.4)
                if q in (1, 3):
                    _add(buf, _snare(rng, soft=drums == "lofi"), t + (0.02 if drums == "lofi" else 0), gain=0.25)
                for h in range(2):
                    _add(buf, _hat(rng), t + h * beat / 2 + (0.03 * h if drums == "lofi" else 0),
                         pan=0.3, gain=0.07 if drums == "lofi" else 0.09)
    if mood == "lofi":  # vinyl crackle and a softer top end
        n = buf.shape[0]
        crackle = (rng.random(n) < 0.0006).astype(np.float32) * rng.uniform(-1, 1, n).astype(np.float32) * 0.2
        buf += crackle[:, None]
        for c in range(2):
            buf[:, c] = _shape(buf[:, c], lambda f: 1 / np.sqrt(1 + (f / 4500) ** 4))
    return buf


def _kick() -> np.ndarray:
    n = int(0.35 * SR)
    t = np.arange(n, dtype=np.float32) / SR
    f = 45 + 90 * np.exp(-t / 0.04)
    ph = 2 * np.pi * np.cumsum(f) / SR
    return (np.sin(ph) * np.exp(-t / 0.12) * np.clip(t / 0.002, 0, 1)).astype(np.float32)


def _snare(rng: np.random.Generator, soft: bool = False) -> np.ndarray:
    n = int(0.25 * SR)
    t = np.arange(n, dtype=np.float32) / SR
    nz = _shape(_noise(n, rng), lambda f: ((f > 800) & (f < (6000 if soft else 10000))).astype(np.float32))
    body = np.sin(2 * np.pi * 190 * t) * 0.5
    return ((nz * 0.6 + body) * np.exp(-t / (0.09 if soft else 0.06)) * np.clip(t / 0.002, 0, 1)).astype(np.float32)


def _hat(rng: np.random.Generator) -> np.ndarray:
    n = int(0.06 * SR)
    t = np.arange(n, dtype=np.float32) / SR
    nz = _shape(_noise(n, rng), lambda f: (f > 6000).astype(np.float32))
    return (nz * np.exp(-t / 0.015) * np.clip(t / 0.001, 0, 1)).astype(np.float32)


def _timpani(rng: np.random.Generator) -> np.ndarray:
    n = int(1.2 * SR)
    t = np.arange(n, dtype=np.float32) / SR
    f = 70 + 25 * np.exp(-t / 0.08)
    ph = 2 * np.pi * np.cumsum(f) / SR
    body = np.sin(ph) + 0.4 * np.sin(ph * 1.5)
    nz = _shape(_noise(n, rng), lambda fr: 1 / (1 + (fr / 400) ** 2)) * np.exp(-t / 0.05)
    return ((body * np.exp(-t / 0.45) + nz * 0.5) * np.clip(t / 0.003, 0, 1)).astype(np.float32)


# -- ambient -------------------------------------------------------------------------------------------

def synth_ambient(kind: str, seconds: float, seed: int = 0) -> np.ndarray:
    """Stereo float32 ambient sound ``kind`` of ``seconds`` (kept for the next render: see :func:`_keep`)."""
    kept = _keep(("ambient", kind, round(seconds * SR), seed, SR), lambda: _ambient(kind, seconds, seed))
    out: np.ndarray = kept.copy()
    return out


def _ambient(kind: str, seconds: float, seed: int) -> np.ndarray:
    rng = np.random.default_rng(zlib.crc32(f"amb:{kind}:{seed}".encode()))
    n = round(seconds * SR)
    out = np.zeros((n, 2), dtype=np.float32)
    t = np.arange(n, dtype=np.float32) / SR
    if kind == "birds":
        bed = _shape(_noise(n, rng), lambda f: np.exp(-(((f - 700) / 500) ** 2))) * 0.02  # soft leaves rustle
        out += bed[:, None]
        pos = rng.uniform(0, 0.8)
        while pos < seconds:
            base = rng.uniform(2500, 5200)
            pan = rng.uniform(-0.8, 0.8)
            gain = rng.uniform(0.15, 0.4)
            for _ in range(int(rng.integers(2, 6))):
                d = rng.uniform(0.05, 0.14)
                m = int(d * SR)
                tt = np.arange(m, dtype=np.float32) / SR
                sweep = base * (1 + rng.uniform(-0.3, 0.35) * tt / d)
                fm = 1 + 0.05 * np.sin(2 * np.pi * rng.uniform(30, 70) * tt)
                ph = 2 * np.pi * np.cumsum(sweep * fm) / SR
                sig = (np.sin(ph) * np.sin(np.pi * tt / d) ** 2).astype(np.float32)
                i = int(pos * SR)
                if i + m <= n:
                    out[i:i + m, 0] += sig * gain * np.sqrt((1 - pan) / 2)
                    out[i:i + m, 1] += sig * gain * np.sqrt((1 + pan) / 2)
                pos += d + rng.uniform(0.02, 0.09)
            pos += rng.uniform(0.4, 2.2)
    elif kind == "rain":
        for c in range(2):
            out[:, c] = _shape(_noise(n, rng), lambda f: 1 / np.sqrt(1 + (f / 3000) ** 2) * (f > 200)) * 0.12
        drops = np.zeros(n, dtype=np.float32)
        idx = rng.integers(0, n, int(seconds * 60))
        drops[idx] = rng.uniform(-1, 1, len(idx))
        drops = (_shape(drops, lambda f: np.exp(-(((f - 2500) / 1500) ** 2))) * 0.5).astype(np.float32)
        out[:, 0] += drops
        out[:, 1] += np.roll(drops, 311)
    elif kind == "waves":
        for c in range(2):
            nz = _shape(_noise(n, rng), lambda f: 1 / (1 + (f / 900) ** 2) * (f > 40))
            period = rng.uniform(6.5, 8.5)
            swell = (0.25 + 0.75 * np.clip(np.sin(2 * np.pi * t / period + c * 0.6), 0, 1) ** 2).astype(np.float32)
            out[:, c] = nz * swell * 0.3
    elif kind == "wind":
        lfo = (0.5 + 0.5 * np.sin(2 * np.pi * t / 7.3) * np.sin(2 * np.pi * t / 3.1 + 1)).astype(np.float32)
        for c in range(2):
            out[:, c] = _shape(_noise(n, rng), lambda f: np.exp(-(((f - 500) / 350) ** 2))) * lfo * 0.35
    elif kind == "city":
        for c in range(2):
            out[:, c] = _shape(_noise(n, rng), lambda f: 1 / (1 + (f / 250) ** 2) * (f > 30)) * 0.12
        pos = rng.uniform(0.5, 3)
        while pos < seconds:  # passing cars
            d = rng.uniform(2.5, 4.5)
            m = min(int(d * SR), n - int(pos * SR))
            if m > 0:
                tt = np.arange(m, dtype=np.float32) / SR
                car = _shape(_noise(m, rng), lambda f: np.exp(-(((f - 400) / 300) ** 2)))
                env = np.sin(np.pi * tt / d) ** 3
                pan = np.linspace(-0.9, 0.9, m) * rng.choice([-1, 1])
                i = int(pos * SR)
                out[i:i + m, 0] += car * env * 0.35 * np.sqrt((1 - pan) / 2)
                out[i:i + m, 1] += car * env * 0.35 * np.sqrt((1 + pan) / 2)
            pos += rng.uniform(2, 5)
    elif kind == "fire":
        for c in range(2):
            out[:, c] = _shape(_noise(n, rng), lambda f: 1 / (1 + (f / 300) ** 2) * (f > 30)) * 0.2
        pops = np.zeros(n, dtype=np.float32)
        idx = rng.integers(0, n, int(seconds * 12))
        pops[idx] = rng.uniform(-1, 1, len(idx))
        pops = (_shape(pops, lambda f: (f > 1500).astype(np.float32)) * 0.5).astype(np.float32)
        out[:, 0] += pops
        out[:, 1] += np.roll(pops, 97)
    out -= out.mean(axis=0, keepdims=True)
    rms = float(np.sqrt(np.mean(out ** 2))) or 1.0
    out *= 0.12 / rms  # beds at a similar loudness
    peak = float(np.abs(out).max())
    return out * (0.6 / peak) if peak > 0.6 else out


# -- uploaded audio and the mix ---------------------------------------------------------------------

def decode_audio(path: Path, start: float, seconds: float) -> np.ndarray | None:
    """Decode ``seconds`` of ``path`` from ``start`` to stereo float32 at 48 kHz; None when it has no audio."""
    cmd = [ffmpeg_exe(), "-hide_banner", "-nostdin", "-loglevel", "error", "-ss", f"{max(0.0, start):.3f}",
           "-t", f"{seconds:.3f}", "-i", str(path), "-map", "0:a:0?", "-f", "f32le", "-ac", "2", "-ar", str(SR), "-"]
    res = subprocess.run(cmd, capture_output=True, timeout=600)
    if res.returncode != 0:
        msg = res.stderr.decode("utf-8", "replace").strip().splitlines()
        raise RenderError(f"Cannot decode the audio of {path.name}: {msg[-1] if msg else 'FFmpeg failed'}")
    data = np.frombuffer(res.stdout, dtype=np.float32)
    if data.size < 2:
        return None
    out: np.ndarray = data[: data.size // 2 * 2].reshape(-1, 2).copy()
    return out


def _fade(sig: np.ndarray, fi: float, fo: float) -> None:
    n = sig.shape[0]
    a, b = min(n, int(fi * SR)), min(n, int(fo * SR))
    if a > 0:
        sig[:a] *= np.linspace(0, 1, a, dtype=np.float32)[:, None] ** 2
    if b > 0:
        sig[n - b:] *= np.linspace(1, 0, b, dtype=np.float32)[:, None] ** 2


def _loop_to(sig: np.ndarray, n: int) -> np.ndarray:
    if sig.shape[0] >= n:
        return sig[:n]
    # loop with a short crossfade at each seam
    x = int(0.05 * SR)
    out = np.zeros((n, 2), dtype=np.float32)
    pos = 0
    while pos < n:
        take = min(sig.shape[0], n - pos)
        piece = sig[:take].copy()
        if pos > 0 and take > x:
            piece[:x] *= np.linspace(0, 1, x, dtype=np.float32)[:, None]
        out[pos:pos + take] += piece
        pos += max(1, sig.shape[0] - (x if sig.shape[0] > 2 * x else 0))
    return out


def _span(sg: dict[str, Any], n: int) -> tuple[int, int]:
    """A segment's first sample and how many of its samples fit in a mix of ``n`` samples."""
    from ..timeline.reading import _ms

    a = int(_ms(sg.get("st")) / 1000 * SR)
    return a, min(n - a, int(_ms(sg.get("d")) / 1000 * SR))


def _synthesised(sg: dict[str, Any], i: int, m: int) -> tuple[np.ndarray, float, float] | None:
    """The synthesised sound of audio segment ``i`` (music or ambient) over ``m`` samples, with its
    default fade-in and fade-out in seconds; None for music with the mood "none"."""
    if sound_kind(sg) == "music":
        mood = str(sg.get("mood") or "soft")
        return None if mood == "none" else (synth_music(mood, m / SR, seed=i), 1.5, 2.0)
    return synth_ambient(str(sg.get("snd") or "wind"), m / SR, seed=i), 1.0, 1.0


def warm_stems(draft: dict[str, Any], duration: float) -> None:
    """Synthesise the draft's music and ambient stems into the stem store, as the mix of a render
    of ``duration`` seconds will ask for them (the engine does it in the background when a draft is
    made, so the first preview finds its sound made)."""
    from ..timeline.reading import segments

    n = round(duration * SR)
    for i, sg in enumerate(segments(draft, F.TRACK_AUDIO)):
        _a, m = _span(sg, n)
        if m > 0 and sound_kind(sg) in ("music", "ambient"):
            _synthesised(sg, i, m)


def mix_draft(draft: dict[str, Any], duration: float, resolve: Callable[[str], Path | None], out_wav: Path,
              cancel: threading.Event | None = None, *, level: bool = True) -> Path:
    """Mix every audio source of ``draft`` over ``duration`` seconds into a 48 kHz stereo WAV, made as
    loud as where the video goes expects for its sounds at their defaults (``level``, :class:`.loudness.Mix`;
    False: as mixed, only the peaks limited), so that a volume stays a gain against its default."""
    from ..timeline.reading import _ms, segments, video_kind
    from .narration import duck_gain, voice_bus

    n = round(duration * SR)
    mix = Mix(n)
    voice, voice_at_default, windows = voice_bus(draft, n, resolve, cancel)
    for i, sg in enumerate(segments(draft, F.TRACK_AUDIO)):
        if cancel is not None and cancel.is_set():
            raise RenderCancelled("The render was cancelled.")
        if sg.get("k") == "voice":
            continue
        a, m = _span(sg, n)
        if m <= 0:
            continue
        k = sound_kind(sg)
        vol = volume(sg, k)
        if k in ("music", "ambient"):
            made = _synthesised(sg, i, m)
            if made is None:
                continue
            sig, fi_d, fo_d = made
        else:
            src = sg.get("src")
            path = resolve(str(src)) if src else None
            if path is None:
                raise RenderError(f"Audio segment {sg.get('id') or i}: its source {src} cannot be found.")
            dec = decode_audio(Path(path), _ms(sg.get("ss")) / 1000, m / SR)
            if dec is None:
                raise RenderError(f"Audio segment {sg.get('id') or i}: {Path(path).name} has no audio.")
            peak = float(np.abs(dec).max()) or 1.0
            sig = _loop_to(dec / max(1.0, peak / 0.9), m)
            fi_d, fo_d = 0.5, 1.0
        sig = sig[:m].copy()
        _fade(sig, _ms(sg.get("fi"), fi_d * 1000) / 1000, _ms(sg.get("fo"), fo_d * 1000) / 1000)
        mix.add(a, sig, vol, F.VOLUME.get(k, 1.0))
    for sg in segments(draft, F.TRACK_VIDEO):
        if video_kind(sg) != "video" or not sg.get("src"):
            continue
        vol = volume(sg, "video")
        if vol <= 0:
            continue
        path = resolve(str(sg["src"]))
        if path is None:
            continue
        a, m = _span(sg, n)
        if m <= 0:
            continue
        dec = decode_audio(Path(path), _ms(sg.get("ss")) / 1000, m / SR)
        if dec is None:
            continue
        sig = dec[:m].copy()
        _fade(sig, 0.05, 0.1)
        mix.add(a, sig, vol, F.VOLUME["video"])
    out = mix.levelled(target_lufs(draft), duck=duck_gain(windows, n) if windows else None,
                       voice=voice if windows else None, voice_at_default=voice_at_default, level=level)
    pcm = (np.clip(out, -1, 1) * 32767).astype("<i2")
    if cancel is not None and cancel.is_set():
        raise RenderCancelled("The render was cancelled.")
    with wave.open(str(out_wav), "wb") as wf:
        wf.setnchannels(2)
        wf.setsampwidth(2)
        wf.setframerate(SR)
        wf.writeframes(pcm.tobytes())
    return out_wav
