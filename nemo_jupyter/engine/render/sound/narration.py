"""The narration bus: ``voice`` segments spoken (or decoded from an upload) onto the timeline, and the
ducking curve that lowers music, ambient and other sound under them.

A ``voice`` segment with ``txt`` is synthesised by :mod:`.voice` (cached by text, voice and rate);
one with only a ``src`` is a recorded voice-over and is decoded as it is. The sentence starts at the
segment's ``st``; if it is longer than ``d`` it may run on until the next voice segment (or the end),
so the last word is never cut; beyond that it fades out.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from .... import draft_format as F
from ..errors import RenderCancelled, RenderError
from . import voice as V

SR = V.SR
#: how far music and ambient sound go down under the voice
DUCK_DB = 15.0
#: the duck starts this long before a sentence and recovers over this long after it
DUCK_ATTACK, DUCK_RELEASE = 0.15, 0.45


def voice_segments(draft: dict[str, Any]) -> list[dict[str, Any]]:
    from ..timeline.reading import segments

    return [sg for sg in segments(draft, F.TRACK_AUDIO) if sg.get("k") == "voice"]


def utterances(draft: dict[str, Any]) -> list[V.Utterance | None]:
    """The utterance of each voice segment (None for a recorded voice-over with a ``src``)."""
    lang = str((draft.get("m") or {}).get("lang") or "en")
    out: list[V.Utterance | None] = []
    for sg in voice_segments(draft):
        txt = V.clean_text(str(sg.get("txt") or ""))
        out.append(V.utterance(txt, sg.get("voice"), sg.get("rate", 1.0), lang) if txt else None)
    return out


def voice_bus(draft: dict[str, Any], n: int, resolve: Callable[[str], Path | None],
              cancel: threading.Event | None = None) -> tuple[np.ndarray, np.ndarray | None, list[tuple[int, int]]]:
    """The narration as a mono float32 signal of ``n`` samples; the same at the voice's default volume
    (None when every voice is at it: the first is that); and the sample windows that hold speech."""
    from ..timeline.reading import _ms
    from .audio import decode_audio
    from .loudness import volume

    segs = voice_segments(draft)
    bus = np.zeros(n, dtype=np.float32)
    at_default: np.ndarray | None = None
    windows: list[tuple[int, int]] = []
    if not segs:
        return bus, at_default, windows
    utts = utterances(draft)
    spoken = [u for u in utts if u is not None]
    paths = iter(V.synthesize(spoken, cancel=cancel)) if spoken else iter(())
    starts = [int(_ms(sg.get("st")) / 1000 * SR) for sg in segs]
    for i, (sg, u) in enumerate(zip(segs, utts, strict=True)):
        if cancel is not None and cancel.is_set():
            raise RenderCancelled("The render was cancelled.")
        a = starts[i]
        if a >= n:
            continue
        if u is not None:
            sig = V.read_wav(next(paths))
        else:
            src = sg.get("src")
            path = resolve(str(src)) if src else None
            if path is None:
                raise RenderError(f"Voice segment {sg.get('id') or i}: it has neither 'txt' nor a source that exists.")
            dec = decode_audio(Path(path), _ms(sg.get("ss")) / 1000, _ms(sg.get("d")) / 1000)
            if dec is None:
                raise RenderError(f"Voice segment {sg.get('id') or i}: {Path(path).name} has no audio.")
            sig = dec.mean(axis=1)
        limit = min(n, starts[i + 1] if i + 1 < len(segs) else n)
        room = max(int(_ms(sg.get("d")) / 1000 * SR), limit - a)
        m = min(len(sig), room, n - a)
        if m <= 0:
            continue
        sig = sig[:m].copy()
        if m < len(sig):
            f = min(m, int(0.04 * SR))
            sig[m - f:] *= np.linspace(1, 0, f, dtype=np.float32)
        vol, default = volume(sg, "voice"), F.VOLUME["voice"]
        if 0 < vol != default and at_default is None:
            at_default = bus.copy()  # every voice before this one was at its default (or muted: left out)
        bus[a:a + m] += sig * vol
        if vol > 0:
            windows.append((a, a + m))
            if at_default is not None:
                at_default[a:a + m] += sig * default
    return bus, at_default, windows


def duck_gain(windows: list[tuple[int, int]], n: int, depth_db: float = DUCK_DB) -> np.ndarray:
    """Gain (1.0 = untouched) for everything but the voice: ``-depth_db`` under each window, smooth ramps."""
    inside = np.zeros(n, dtype=np.float32)
    att, rel = int(DUCK_ATTACK * SR), int(DUCK_RELEASE * SR)
    for a, b in windows:
        # held a little after the sentence: a short gap before the next one stays ducked
        inside[max(0, a - att):min(n, b + rel)] = 1.0
    # ramps: attack/release shaped by a moving average (no clicks, no pumping between sentences),
    # as a running sum: exact for 0/1 steps, and O(n) where a convolution was O(n x 7200) (1 s per
    # 30 s of narrated video)
    k = max(1, att)
    total = np.cumsum(inside, dtype=np.float64)
    window = total.copy()
    if n > k:
        window[k:] -= total[:-k]
    smooth = (window / k).astype(np.float32)
    floor = 10 ** (-depth_db / 20)
    gain: np.ndarray = (1.0 - (1.0 - floor) * np.clip(smooth, 0, 1)).astype(np.float32)
    return gain
