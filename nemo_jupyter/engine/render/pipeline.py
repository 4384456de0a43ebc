"""Draft → one FFmpeg filter graph → MP4.

Scenes are painted once as stills; FFmpeg loops them, moves the camera with ``crop``/``zoompan``
expressions of ``t``, overlays the moving sprites, cross-fades with ``xfade`` and overlays text,
so the encoder dominates the render time. Audio is mixed in numpy into one WAV.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import tempfile
import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NamedTuple

from ... import draft_format as F
from .encode.ffmpeg import PREVIEW_QUALITIES, audio_args, quality_settings, run_ffmpeg, video_args
from .encode.graph import Graph, _Builder, _f
from .encode.overlays import overlay_pictures, overlay_texts
from .errors import RenderError
from .kept import Kept
from .picture.actors import Staged, stage
from .picture.art import ATTRIBUTION, LICENCE
from .picture.elements import Sprite
from .picture.layout import CLOSE, uses_art
from .picture.safe import text_band
from .picture.scenes import element_sprites, look_key, look_parts, paint_scene
from .picture.scenes.scenery import SceneLayers
from .sound import audio as A
from .timeline.clips import Clip, chunk_boundaries, plan_clips
from .timeline.reading import (
    DEFAULT_TRD_MS,
    FPS,
    _ms,
    draft_duration,
    output_size,
    render_size,
    segments,
    validate_draft,
)
from .timeline.window import ChunkWindow


@dataclass
class RenderResult:
    path: Path
    duration: float
    width: int
    height: int
    size: int


# -- the render ------------------------------------------------------------------------------------

def _slots() -> int:
    env = os.environ.get("NEMO_RENDER_SLOTS", "")
    if env.isdigit() and int(env) > 0:
        return int(env)
    return max(1, (os.cpu_count() or 2) // 2)


#: concurrent full renders in this process, bounded by the cores (x264 already uses them all);
#: previews have one slot more, so a preview can run beside a full render (the queue decides)
_SLOTS = threading.BoundedSemaphore(_slots())
_PREVIEW_SLOTS = threading.BoundedSemaphore(_slots() + 1)


def render_draft(draft: dict[str, Any], out_path: Path, *, resolve: Callable[[str], Path | None],
                 quality: str = "high", resolution: str | None = None,
                 progress: Callable[[float], None] | None = None, cancel: threading.Event | None = None,
                 workdir: Path | None = None, window: tuple[int, int] | None = None,
                 background: threading.Event | None = None) -> RenderResult:
    """Render ``draft`` to an H.264/AAC MP4 at ``out_path`` (see the module docstring).

    At most ``NEMO_RENDER_SLOTS`` (default: half the cores, at least one) full renders run at
    once in a process, previews one more; the others wait here (a set ``cancel`` ends the wait
    with RenderCancelled). ``cancel`` is checked between every painting step and kills FFmpeg.
    ``background`` set: FFmpeg yields the CPU (a preview runs beside this render).

    ``window=(first, end)`` renders only the output frames ``first..end-1`` and no audio: a
    chunk of the whole render, cut at a boundary from :func:`chunk_boundaries` (the cluster
    renders chunks in parallel and joins them without re-encoding). Every decision (painting,
    shot variations, transitions, text timing) is taken from the whole draft, so the frames
    are those of the whole render.
    """
    quality_settings(quality)
    problems = validate_draft(draft, resolve=resolve)
    if problems:
        raise RenderError("The draft cannot be rendered: " + "; ".join(problems))
    slots = _PREVIEW_SLOTS if quality in PREVIEW_QUALITIES else _SLOTS
    while not slots.acquire(timeout=0.1):
        if cancel is not None and cancel.is_set():
            raise _cancelled()
    try:
        return _render(draft, out_path, resolve=resolve, quality=quality, resolution=resolution,
                       progress=progress, cancel=cancel, workdir=workdir, window=window, background=background)
    finally:
        slots.release()


def _render(draft: dict[str, Any], out_path: Path, *, resolve: Callable[[str], Path | None],
            quality: str, resolution: str | None, progress: Callable[[float], None] | None,
            cancel: threading.Event | None, workdir: Path | None,
            window: tuple[int, int] | None = None, background: threading.Event | None = None) -> RenderResult:
    W, H = render_size(draft, resolution, quality)

    def check() -> None:
        if cancel is not None and cancel.is_set():
            raise _cancelled()

    total = draft_duration(draft)
    n_total = max(1, round(total * FPS))
    try:
        win = ChunkWindow.of(window, n_total)
    except ValueError as exc:
        raise RenderError(str(exc)) from None
    duration = (win.end - win.first) / FPS
    out_path = Path(out_path)
    out_path.parent.mkdir(parents=True, exist_ok=True)
    if workdir is not None:
        Path(workdir).mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix="nemo-render-", dir=str(workdir) if workdir else None))
    part = out_path.with_name(f".{out_path.name}.{os.getpid()}.{threading.get_ident()}.part.mp4")
    try:
        check()
        clips = plan_clips(draft, n_total, resolve)
        try:
            win.select(clips)
        except ValueError as exc:
            raise RenderError(str(exc)) from None
        g = Graph()
        b = _Builder(W, H, tmp, g, check)
        if quality in PREVIEW_QUALITIES:
            b.png_level = 0
        # paint each scene family once (a panorama larger than the frame); every shot of it is a
        # crop/flip of that panorama with its own camera, sprites shifted in time, and its own el
        seed_base = int(_ms((draft.get("m") or {}).get("seed"), 0))
        fam_of = scene_families(clips)
        # the sound is mixed and encoded beside the pictures, and joined to them at the end (copied)
        sound_pool = ThreadPoolExecutor(max_workers=1)
        audio_job = sound_pool.submit(_sound, draft, duration, resolve, tmp, quality, cancel) if win.audio else None
        try:
            return _pictures_then_join(draft, resolve, out_path, part, tmp, b, g, clips, win, fam_of, seed_base, W, H,
                                       n_total, duration, quality, audio_job, progress, cancel, background, check)
        finally:
            # a cancelled render does not wait for the mix (it stops at its next check, and its
            # files go with the work folder)
            sound_pool.shutdown(wait=cancel is None or not cancel.is_set(), cancel_futures=True)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
        if part.exists():
            with contextlib.suppress(OSError):
                part.unlink()


class _Paintings:
    """Families' paintings kept for the next render that needs the same one (the 4 used last):
    painting is deterministic, so the chunks of one render on a cluster worker (or a re-render
    here) paint each scene once. Their layers are only read afterwards."""

    def __init__(self, size: int = 4) -> None:
        self._kept: Kept[SceneLayers] = Kept(size)

    def __call__(self, look: str, W: int, H: int, pw: int, ph: int, seed: int, dur: float, par: int,
                 hints: frozenset[str], check: Callable[[], None] | None = None) -> SceneLayers:
        """The painting of ``look`` (a family, with a time of day and a weather: :func:`look_key`);
        ``check`` runs between its painting steps (a cancel stops it there)."""
        fam, tod, wx = look_parts(look)
        return self._kept.get_or_make((look, W, H, pw, ph, seed, dur, par, hints), lambda: paint_scene(
            fam, W, H, pw, ph, seed=seed, dur=dur, parallax_width=par, hints=hints, check=check, tod=tod, wx=wx),
            check)

    def cache_clear(self) -> None:
        self._kept.clear()


_painted = _Paintings()


def _pictures_then_join(draft: dict[str, Any], resolve: Callable[[str], Path | None], out_path: Path, part: Path, tmp: Path, b: _Builder, g: Graph,
                        clips: list[Clip], win: ChunkWindow, fam_of: dict[int, str], seed_base: int, W: int, H: int,
                        n_total: int, duration: float, quality: str, audio_job: Future[Path] | None,
                        progress: Callable[[float], None] | None, cancel: threading.Event | None,
                        background: threading.Event | None, check: Callable[[], None]) -> RenderResult:
    """Paint, build the graph, encode the pictures; then join the sound (if any) without re-encoding."""
    painted: dict[str, Any] = {}
    for fam in dict.fromkeys(fam_of[c.index] for c in clips if c.index in fam_of and win.builds(c)):
        pp = family_paint(fam, [c for c in clips if fam_of.get(c.index) == fam], W, H)
        check()
        painted[fam] = _painted(fam, W, H, pp.width, pp.height, seed_base, pp.seconds, pp.parallax, pp.hints, check)
    fam_labels: dict[str, tuple[list[str], list[str] | None]] = {}
    for fam, layers in painted.items():
        uses = sum(1 for c in clips if fam_of.get(c.index) == fam and c.kind == "scene" and win.builds(c))
        bgi, fgi = b.family_inputs(fam, layers)
        bgl = [g.label("p") for _ in range(uses)]
        g.chains.append(f"[{bgi}:v]split={uses}" + "".join(f"[{x}]" for x in bgl))
        fgl = None
        if fgi is not None:
            fgl = [g.label("q") for _ in range(uses)]
            g.chains.append(f"[{fgi}:v]split={uses}" + "".join(f"[{x}]" for x in fgl))
        fam_labels[fam] = (bgl, fgl)
        for sp in layers.sprites:
            sp.extras["tag"] = fam
    labels: list[str] = []
    texts = segments(draft, F.TRACK_TEXT)  # ground actors stand above those at the bottom
    seen: dict[str, int] = {}   # shots of each family so far, in the whole draft
    built: dict[str, int] = {}  # ... and among the clips this render builds
    for clip in clips:
        check()
        if clip.kind == "scene":
            fam = fam_of[clip.index]
            cam = _cam(clip, fam)
            k = seen.get(fam, 0)
            seen[fam] = k + 1
            if not win.builds(clip):
                continue
            layers = painted[fam]
            bgl, fgl = fam_labels[fam]
            u = built.get(fam, 0)  # this shot's copy of the family's inputs
            built[fam] = u + 1
            els = [str(e) for e in clip.seg.get("el") or [] if isinstance(e, str)]
            family = look_parts(fam)[0]
            extra = element_sprites(els, layers.sprites, W, H, clip.frames / FPS,
                                    seed=seed_base * 1000 + clip.index, night=layers.night, family=family,
                                    weather=layers.weather)
            own = [_shift(sp, 4.3 * k + (0.0 if k == 0 else 1.7)) for sp in layers.sprites]
            shot = shot_of(clip)
            staged = stage(clip.seg.get("act"), family, W, H, clip.frames / FPS, cam=cam,
                           haze=layers.haze, band=text_band(texts, clip.seg, W, H), shot=shot)
            labels.append(b.scene_clip(clip, layers, bgl[u], fgl[u] if fgl else None, cam, k,
                                       own + extra + staged.sprites, zoom=close_zoom(shot, staged, W, H)))
        elif not win.builds(clip):
            continue
        elif clip.kind == "image":
            labels.append(b.image_clip(clip, str(clip.seg.get("cam") or "still")))
        elif clip.kind == "video":
            labels.append(b.video_clip(clip))
        else:
            labels.append(b.blank_clip(clip))
    # every clip: same time base, frame-exact timestamps, same format (xfade/concat need it)
    for j, lab in enumerate(labels):
        out = g.label("n")
        g.chains.append(f"[{lab}]settb=1/{FPS},setpts=N,setsar=1,format=yuv420p[{out}]")
        labels[j] = out
    check()
    acc = join_clips(g, win.clips(clips), labels, fade_from_black=win.fades_from_black)
    if win.lead_in:
        cut = g.label("v")
        g.chains.append(f"[{acc}]trim=start_frame={win.lead_in},setpts=PTS-STARTPTS[{cut}]")
        acc = cut
    # texts, then overlays (a logo watermark), on the global timeline
    acc = overlay_texts(g, b, draft, acc, win, n_total, tmp, check)
    acc = overlay_pictures(g, b, draft, acc, win, n_total, resolve, tmp, check)
    n_out = win.end - win.first
    g.chains.append(f"[{acc}]trim=end_frame={n_out},setsar=1,format=yuv420p[vout]")
    script = tmp / "graph.txt"
    script.write_text(";\n".join(g.chains), encoding="utf-8")
    args: list[str] = []
    for inp_args in g.inputs:
        args += inp_args
    # one filter thread: the graph is light, and slice threads only fight x264 for the cores
    meta: list[str] = []
    if uses_art(draft):  # OpenMoji art is CC BY-SA: the video says so (every chunk, too)
        meta = ["-metadata", f"comment={ATTRIBUTION}", "-metadata", f"copyright=Illustrations {LICENCE}"]
    pictures = tmp / "pictures.mp4" if audio_job is not None else part
    # (the pictures alone are read once by the join: only the final file needs its index first)
    faststart = ["-movflags", "+faststart"] if pictures == part else []
    args += ["-filter_complex_threads", "1", "-/filter_complex", str(script),
             "-map", "[vout]", "-an", *video_args(quality, FPS, (W, H)), *faststart,
             "-frames:v", str(n_out), "-t", _f(duration), *meta, "-f", "mp4", str(pictures)]
    check()
    run_ffmpeg(args, duration=duration, progress=progress, cancel=cancel, what="FFmpeg (render)",
               background=background)
    if audio_job is not None:  # the sound, mixed and encoded meanwhile: both streams copied
        sound = audio_job.result()
        run_ffmpeg(["-i", str(pictures), "-i", str(sound), "-map", "0:v", "-map", "1:a", "-c", "copy",
                    "-t", _f(duration), *meta, "-movflags", "+faststart", "-f", "mp4", str(part)],
                   cancel=cancel, what="FFmpeg (join)")
    os.replace(part, out_path)
    if progress is not None:
        with contextlib.suppress(Exception):
            progress(100.0)
    return RenderResult(out_path, duration, W, H, out_path.stat().st_size)


def _sound(draft: dict[str, Any], duration: float, resolve: Callable[[str], Path | None], tmp: Path,
           quality: str, cancel: threading.Event | None) -> Path:
    """The draft's sound, mixed and encoded to AAC while the pictures are painted."""
    wav = A.mix_draft(draft, duration, resolve, tmp / "audio.wav", cancel)
    if cancel is not None and cancel.is_set():
        wav.unlink(missing_ok=True)
        raise _cancelled()
    m4a = tmp / "audio.m4a"
    run_ffmpeg(["-i", str(wav), *audio_args(quality), "-f", "mp4", str(m4a)], cancel=cancel,
               what="FFmpeg (sound)")
    return m4a


def join_clips(g: Graph, clips: list[Clip], labels: list[str], *, fade_from_black: bool = True) -> str:
    """Concatenate the clip streams; a fade cross-dissolves only its own few frames.

    ``xfade`` over whole clips costs work on every frame, so each clip is split into its
    body and the short ends that take part in a transition; ``xfade`` blends just those ends
    and ``concat`` joins the pieces in order.
    """
    pieces: list[str] = []
    pending_tail: str | None = None
    for j, (clip, lab) in enumerate(zip(clips, labels, strict=True)):
        td_in = clip.fade_in
        td_out = clips[j + 1].fade_in if j + 1 < len(clips) else 0
        body_end = clip.frames - td_out
        outs = []
        head = body = tail = ""
        if td_in:
            head = g.label("h")
            outs.append(head)
        if body_end > td_in:
            body = g.label("m")
            outs.append(body)
        if td_out:
            tail = g.label("e")
            outs.append(tail)
        src = lab
        if j == 0 and fade_from_black and clip.seg.get("tr") == "fade":
            faded = g.label("v")
            fd = min(_ms(clip.seg.get("trd"), DEFAULT_TRD_MS) / 1000, clip.frames / FPS / 2)
            g.chains.append(f"[{lab}]fade=t=in:st=0:d={_f(fd)}[{faded}]")
            src = faded
        if len(outs) == 1:
            g.chains.append(f"[{src}]null[{outs[0]}]")
        else:
            g.chains.append(f"[{src}]split={len(outs)}" + "".join(f"[{o}_s]" for o in outs))
            if head:
                g.chains.append(f"[{head}_s]trim=end_frame={td_in},setpts=PTS-STARTPTS[{head}]")
            if body:
                g.chains.append(f"[{body}_s]trim=start_frame={td_in}:end_frame={body_end},setpts=PTS-STARTPTS[{body}]")
            if tail:
                g.chains.append(f"[{tail}_s]trim=start_frame={body_end},setpts=PTS-STARTPTS[{tail}]")
        if td_in and pending_tail is not None:
            x = g.label("x")
            g.chains.append(f"[{pending_tail}][{head}]xfade=transition=fade:duration={_f(td_in / FPS)}:offset=0[{x}]")
            pieces.append(x)
        if body:
            pieces.append(body)
        pending_tail = tail or None
    if len(pieces) == 1:
        return pieces[0]
    out = g.label("v")
    g.chains.append("".join(f"[{p}]" for p in pieces) + f"concat=n={len(pieces)}:v=1:a=0[{out}]")
    return out


def scene_families(clips: list[Clip]) -> dict[int, str]:
    """The painting each scene clip is cut from, by clip index: its family with the time of day and
    the weather asked (:func:`look_key`; unknown families: abstract)."""
    return {clip.index: look_key(clip.seg) for clip in clips if clip.kind == "scene"}


class FamilyPaint(NamedTuple):
    """How a family is painted for its shots: a panorama larger than the frame (taller for a
    rise, wider with parallax for a pan), long enough for the longest shot, with hints."""

    width: int
    height: int
    parallax: int
    seconds: float
    hints: frozenset[str]


def family_paint(fam: str, shots: list[Clip], W: int, H: int) -> FamilyPaint:
    """The painting of ``fam`` that its ``shots`` (clips of a W x H render) need; the renderer and
    the storyboard both paint from it, so a storyboard still is the video's frame."""
    cams = {_cam(c, fam) for c in shots}
    hints = {str(e) for c in shots for e in (c.seg.get("el") or []) if isinstance(e, str)}
    if any(c.seg.get("act") for c in shots):
        # a family's own props make room for the draft's (the product's cup, the volcano)
        hints |= {"actors"} | {f"art:{a.get('art')}" for c in shots for a in c.seg.get("act") or []
                               if isinstance(a, dict)}
    return FamilyPaint(width=int(W * 1.35) // 2 * 2,
                       height=int(H * 1.2) // 2 * 2 if "rise" in cams else H,
                       parallax=int(W * 1.6) // 2 * 2 if cams & {"pan_left", "pan_right"} else 0,
                       seconds=max(c.frames for c in shots) / FPS, hints=frozenset(hints))


def shot_of(clip: Clip) -> str:
    """The shot a scene segment asks for: ``wide`` (the default), ``close`` or ``beat``."""
    shot = clip.seg.get("shot")
    return shot if isinstance(shot, str) and shot in F.SHOTS else "wide"


def close_zoom(shot: str, staged: Staged, W: int, H: int) -> tuple[float, float, float] | None:
    """How a close-up enlarges the background: about the actors' focus, or the frame's middle."""
    if shot != "close":
        return None
    fx, fy = staged.focus or (W / 2, 0.62 * H)
    return CLOSE, fx, fy


def _cam(clip: Clip, look: str) -> str:
    family = look_parts(look)[0]
    cam = str(clip.seg.get("cam") or "still")
    if cam not in F.CAMERA:
        cam = "still"
    if family == "product" and cam in ("pan_left", "pan_right", "rise"):
        cam = "zoom_in"  # the steam sprite is anchored to the cup: keep the cup centred
    return cam


_T = re.compile(r"(?<![A-Za-z_])t(?![A-Za-z_(])")


def _shift(sp: Sprite, dt: float) -> Sprite:
    """The same sprite, its motion shifted by ``dt`` seconds (another shot of the same scene)."""
    if dt == 0:
        return sp
    sub = f"(t+{dt:.3f})"
    return Sprite(sp.key, sp.frames, _T.sub(sub, sp.x), _T.sub(sub, sp.y), sp.fps,
                  _T.sub(sub, sp.enable) if sp.enable else None, dict(sp.extras))


def _cancelled() -> Exception:
    from .errors import RenderCancelled

    return RenderCancelled("The render was cancelled.")


__all__ = ["RenderResult", "chunk_boundaries", "draft_duration", "output_size", "render_draft", "render_size",
           "validate_draft"]

