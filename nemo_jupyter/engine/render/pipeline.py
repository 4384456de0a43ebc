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
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from PIL import Image, ImageFilter, ImageOps

from ... import draft_format as F
from . import audio as A
from .actor_layout import uses_art
from .actors import actor_sprites
from .art import ATTRIBUTION, LICENCE
from .elements import Sprite
from .errors import RenderError
from .ffmpeg import output_args, quality_settings, run_ffmpeg
from .scenes import FAMILIES, element_sprites, paint_scene
from .text import render_text
from .validate import shape_problems
from .window import ChunkWindow, boundaries

FPS = F.FPS
DEFAULT_TRD_MS = 800


@dataclass
class RenderResult:
    path: Path
    duration: float
    width: int
    height: int
    size: int


@dataclass
class Clip:
    kind: str                 # scene | image | video | blank
    seg: dict[str, Any]
    index: int
    frames: int = 0           # total frames of this clip stream (with lead/tail)
    lead: int = 0             # frames shown before the segment's start (under the fade in)
    tail: int = 0             # frames after its end (under the next fade)
    fade_in: int = 0          # xfade length into this clip, frames (0 = cut)
    path: Path | None = None  # media file for image/video


@dataclass
class Graph:
    inputs: list[list[str]] = field(default_factory=list)
    chains: list[str] = field(default_factory=list)
    n_labels: int = 0

    def add_input(self, *args: str) -> int:
        self.inputs.append(list(args))
        return len(self.inputs) - 1

    def label(self, prefix: str = "l") -> str:
        self.n_labels += 1
        return f"{prefix}{self.n_labels}"


# -- sizes and segments ----------------------------------------------------------------------------

def output_size(draft: dict[str, Any], resolution: str | None) -> tuple[int, int]:
    m = draft.get("m") or {}
    try:
        w, h = int(m.get("width") or 1920), int(m.get("height") or 1080)
    except (TypeError, ValueError):
        raise RenderError("The draft's m.width/m.height are not numbers.") from None
    if w < 64 or h < 64 or w > 4096 or h > 4096:
        raise RenderError(f"Output size {w}x{h} is out of range (64..4096 pixels per side).")
    if resolution in (None, "", "source"):
        pass
    elif resolution in ("1080p", "720p", "480p", "360p"):
        short = int(resolution[:-1])
        k = short / min(w, h)
        w, h = round(w * k), round(h * k)
    else:
        raise RenderError(f"Unknown resolution {resolution!r}: use '1080p' or '720p'.")
    return w - w % 2, h - h % 2


def _ms(v: object, default: float = 0.0) -> float:
    try:
        return float(v)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return default


def segments(draft: dict[str, Any], tt: int) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for track in draft.get("t") or []:
        if isinstance(track, dict) and track.get("tt") == tt:
            out += [sg for sg in track.get("sg") or [] if isinstance(sg, dict)]
    return sorted(out, key=lambda sg: _ms(sg.get("st")))


def video_kind(seg: dict[str, Any]) -> str:
    k = seg.get("k")
    if k in F.VIDEO_KINDS:
        return str(k)
    if seg.get("src"):
        src = str(seg["src"]).lower().split("?")[0]
        if src.endswith((".png", ".jpg", ".jpeg", ".webp", ".gif", ".bmp")):
            return "image"
        return "video"
    return "scene"


def draft_duration(draft: dict[str, Any]) -> float:
    d = _ms(draft.get("d"), 0.0)
    if d <= 0:
        ends = [_ms(sg.get("st")) + _ms(sg.get("d")) for tt in (F.TRACK_VIDEO, F.TRACK_AUDIO, F.TRACK_TEXT)
                for sg in segments(draft, tt)]
        d = max(ends, default=0.0)
    return d / 1000.0


# -- validation ------------------------------------------------------------------------------------

def validate_draft(draft: dict[str, Any], *, resolve: Callable[[str], Path | None] | None = None) -> list[str]:
    """Problems that make ``draft`` unrenderable; ``[]`` means it can be rendered.

    The shape rules of :func:`.validate.shape_problems` come first (what the API checks at
    submit). Unknown scene families are not problems (they fall back to ``abstract``). With ``resolve``,
    segments whose ``src`` does not map to an existing file are reported by id.
    """
    problems = shape_problems(draft)   # the API's rules first: one validator, one shape
    if not isinstance(draft, dict) or not isinstance(draft.get("t"), list):
        return problems
    try:
        output_size(draft, None)
    except RenderError as exc:
        problems.append(str(exc))
    total = draft_duration(draft)
    if total <= 0:
        problems.append("The draft's duration 'd' is missing or not positive.")
    elif total > 3600:
        problems.append(f"The draft is {total:.0f} s long; the engine renders at most one hour.")
    vids = segments(draft, F.TRACK_VIDEO)
    texts = segments(draft, F.TRACK_TEXT)
    if not vids and not texts:
        problems.append("The draft has nothing to show: add a scene, an image or a video segment.")
    for tt in (F.TRACK_VIDEO, F.TRACK_AUDIO, F.TRACK_TEXT):
        for i, sg in enumerate(segments(draft, tt)):
            name = f"segment {sg.get('id') or i} ({F.TRACK_KINDS[tt]} track)"
            st, d = sg.get("st"), sg.get("d")
            if not isinstance(st, (int, float)) or not isinstance(d, (int, float)):
                problems.append(f"{name}: 'st' and 'd' must be numbers (milliseconds).")
                continue
            if st < 0 or d <= 0:
                problems.append(f"{name}: start {st} ms / duration {d} ms must be >= 0 / > 0.")
            if isinstance(sg.get("ss"), (int, float)) and sg["ss"] < 0:
                problems.append(f"{name}: in-point 'ss' must be >= 0.")
            needs_src = (tt == F.TRACK_VIDEO and video_kind(sg) in ("image", "video")) or (
                tt == F.TRACK_AUDIO and sg.get("k") == "audio")
            if needs_src:
                src = sg.get("src")
                if not src:
                    problems.append(f"{name}: a {sg.get('k') or 'media'} segment needs a 'src'.")
                elif resolve is not None:
                    path = resolve(str(src))
                    if path is None or not Path(path).is_file():
                        problems.append(f"{name}: its source {src} is not an uploaded file of this session.")
            if tt == F.TRACK_AUDIO and sg.get("k") == "voice" and not str(sg.get("txt") or "").strip() \
                    and not sg.get("src"):
                problems.append(f"{name}: a voice segment needs 'txt' (the words) or a 'src' recording.")
            if tt == F.TRACK_TEXT and not str(sg.get("txt") or "").strip():
                problems.append(f"{name}: a text segment needs 'txt'.")
    return problems


# -- clips -----------------------------------------------------------------------------------------

def plan_clips(draft: dict[str, Any], total_frames: int, resolve: Callable[[str], Path | None]) -> list[Clip]:
    segs = [sg for sg in segments(draft, F.TRACK_VIDEO) if _ms(sg.get("d")) > 0]
    spans: list[tuple[int, int, Clip]] = []
    cursor = 0
    for i, sg in enumerate(segs):
        a = max(0, round(_ms(sg.get("st")) / 1000 * FPS))
        end = min(total_frames, round((_ms(sg.get("st")) + _ms(sg.get("d"))) / 1000 * FPS))
        a = max(a, cursor)
        if i + 1 < len(segs):
            nxt = max(a, round(_ms(segs[i + 1].get("st")) / 1000 * FPS))
            end = min(end, nxt) if end > a else nxt
        if end - a < 1:
            continue
        if a > cursor:
            spans.append((cursor, a, Clip("blank", {}, -1)))
        kind = video_kind(sg)
        clip = Clip(kind, sg, i)
        if kind in ("image", "video"):
            p = resolve(str(sg.get("src")))
            if p is None or not Path(p).is_file():
                raise RenderError(f"Segment {sg.get('id') or i}: its source {sg.get('src')} cannot be found.")
            clip.path = Path(p)
        spans.append((a, end, clip))
        cursor = end
    if cursor < total_frames:
        if spans and spans[-1][2].kind != "blank" and total_frames - cursor <= FPS // 2:
            a, _, c = spans[-1]
            spans[-1] = (a, total_frames, c)  # stretch the last clip over a tiny rounding gap
        else:
            spans.append((cursor, total_frames, Clip("blank", {}, -1)))
    clips = []
    for j, (a, b, clip) in enumerate(spans):
        clip.frames = b - a
        if j > 0 and clip.kind != "blank" and clip.seg.get("tr", "fade") == "fade" and spans[j - 1][2].kind != "blank":
            td = round(_ms(clip.seg.get("trd"), DEFAULT_TRD_MS) / 1000 * FPS)
            td = min(td, b - a, spans[j - 1][1] - spans[j - 1][0])
            if td >= 2:
                clip.fade_in = td
        clips.append(clip)
    for j, clip in enumerate(clips):
        if clip.fade_in:
            clip.lead = clip.fade_in // 2
            clips[j - 1].tail = clip.fade_in - clip.lead
    for clip in clips:
        clip.frames += clip.lead + clip.tail
    return clips


def chunk_boundaries(draft: dict[str, Any], resolve: Callable[[str], Path | None]) -> tuple[int, list[int]]:
    """The draft's length in frames and the frames where a chunk may start (scene boundaries)."""
    n_total = max(1, round(draft_duration(draft) * FPS))
    return n_total, boundaries(plan_clips(draft, n_total, resolve), n_total)


def _f(v: float) -> str:
    return f"{v:.4f}"


def _png(img: Image.Image, path: Path) -> str:
    img.save(path, compress_level=1)
    return str(path)


class _Builder:
    def __init__(self, W: int, H: int, tmp: Path, g: Graph) -> None:
        self.W, self.H, self.tmp, self.g = W, H, tmp, g
        self.written: dict[int, Path] = {}
        self.keep: list[list[Image.Image]] = []

    # one input per sprite key; split when used several times
    def sprite_streams(self, sprites: list[Sprite], tag: str) -> list[str]:
        # one input per distinct set of frames (split when a clip uses it several times);
        # frames are written once per render, however many clips use them
        by_frames: dict[int, list[int]] = {}
        for i, sp in enumerate(sprites):
            by_frames.setdefault(id(sp.frames), []).append(i)
        labels: list[str] = [""] * len(sprites)
        for fid, idxs in by_frames.items():
            sp = sprites[idxs[0]]
            base = self.written.get(fid)
            if base is None:
                base = self.tmp / f"{sp.extras.get('tag', tag)}_{sp.key}_{len(self.written)}"
                self.written[fid] = base
                self.keep.append(sp.frames)  # keep the frames alive: their id() names the files
                if len(sp.frames) == 1:
                    _png(sp.frames[0], base.with_suffix(".png"))
                else:
                    for k, fr in enumerate(sp.frames):
                        _png(fr, Path(f"{base}_{k:03d}.png"))
            if len(sp.frames) == 1:
                inp = self.g.add_input("-framerate", str(FPS), "-i", str(base.with_suffix(".png")))
                rate = float(FPS)
            else:
                inp = self.g.add_input("-framerate", _f(sp.fps), "-i", f"{base}_%03d.png")
                rate = sp.fps
            lab = self.g.label("s")
            chain = (f"[{inp}:v]format=yuva420p,loop=loop=-1:size={len(sp.frames)}:start=0,"
                     f"setpts=N/({_f(rate)}*TB)")
            if len(idxs) == 1:
                self.g.chains.append(f"{chain}[{lab}]")
                labels[idxs[0]] = lab
            else:
                outs = [self.g.label("s") for _ in idxs]
                self.g.chains.append(f"{chain},split={len(idxs)}" + "".join(f"[{o}]" for o in outs))
                for i, o in zip(idxs, outs, strict=False):
                    labels[i] = o
        return labels

    def overlay_sprites(self, base: str, sprites: list[Sprite], tag: str) -> str:
        labels = self.sprite_streams(sprites, tag)
        for sp, lab in zip(sprites, labels, strict=False):
            out = self.g.label("v")
            en = f":enable='{sp.enable}'" if sp.enable else ""
            self.g.chains.append(f"[{base}][{lab}]overlay=x='{sp.x}':y='{sp.y}':shortest=1:eof_action=pass{en}[{out}]")
            base = out
        return base

    def camera(self, src: str, cam: str, bw: int, bh: int, n: int) -> str:
        W, H = self.W, self.H
        out = self.g.label("c")
        L = max(n / FPS, 0.1)
        ease = f"(0.5-0.5*cos(PI*min(t/{_f(L)},1)))"
        if cam in ("zoom_in", "zoom_out"):
            # zoompan's own frame counter 'on' drives the zoom; d=1 -> one output per input frame
            zr = 0.14
            z = f"1+{zr}*on/{n}" if cam == "zoom_in" else f"{1 + zr}-{zr}*on/{n}"
            self.g.chains.append(
                f"[{src}]zoompan=z='{z}':x='iw/2-(iw/zoom/2)':y='ih/2-(ih/zoom/2)':d=1:s={W}x{H}:fps={FPS}[{out}]")
        elif bw > W or bh > H:
            if cam == "pan_left":
                x, y = f"(iw-ow)*(1-{ease})", "(ih-oh)/2"
            elif cam == "rise":
                x, y = "(iw-ow)/2", f"(ih-oh)*(1-{ease})"
            elif cam == "pan_right":
                x, y = f"(iw-ow)*{ease}", "(ih-oh)/2"
            else:
                x, y = "(iw-ow)/2", "(ih-oh)/2"
            self.g.chains.append(f"[{src}]crop=w={W}:h={H}:x='{x}':y='{y}':exact=0[{out}]")
        else:
            return src
        return out

    def family_inputs(self, fam: str, painted: Any) -> tuple[int, int | None]:
        """Inputs for a family's panorama (and foreground strip), written once per render."""
        bg = self.g.add_input("-framerate", str(FPS), "-i", _png(painted.background, self.tmp / f"{fam}_bg.png"))
        fg = None
        if painted.foreground is not None:
            fg = self.g.add_input("-framerate", str(FPS), "-i", _png(painted.foreground, self.tmp / f"{fam}_fg.png"))
        return bg, fg

    def scene_clip(self, clip: Clip, painted: Any, bg_label: str, fg_label: str | None, cam: str,
                   occurrence: int, sprites: list[Sprite]) -> str:
        """One shot of a painted family: a crop of its panorama (flipped on odd shots), the camera,
        the foreground (parallax on pans) and the moving sprites, shifted in time per shot."""
        W, H = self.W, self.H
        n = clip.frames
        pw, ph = painted.background.size
        bw, bh = _camera_margin(cam, W, H)
        bw, bh = min(bw, pw), min(bh, ph)
        frac = (0.5, 0.12, 0.88, 0.3, 0.7)[occurrence % 5] if clip.seg.get("scene") != "product" else 0.5
        x0 = int((pw - bw) * frac) // 2 * 2
        y0 = (ph - bh) // 2 // 2 * 2
        flip = "hflip," if occurrence % 2 == 1 else ""
        src = self.g.label("b")
        pan = cam in ("pan_left", "pan_right")
        fg = painted.foreground
        if fg is not None and fg_label is not None and not pan:
            # a still foreground: composite once, before the loop
            fx = (fg.width - bw) // 2
            tmp = self.g.label("b")
            self.g.chains.append(f"[{bg_label}]{flip}crop={bw}:{bh}:{x0}:{y0}[{tmp}]")
            fgl = self.g.label("f")
            self.g.chains.append(f"[{fg_label}]{flip}crop={bw}:{fg.height}:{fx}:0[{fgl}]")
            fy = bh - fg.height if cam == "rise" else (bh - H) // 2 + H - fg.height
            self.g.chains.append(f"[{tmp}][{fgl}]overlay={0}:{fy},format=yuv420p,"
                                 f"loop=loop=-1:size=1:start=0,setpts=N/({FPS}*TB),trim=end_frame={n}[{src}]")
        else:
            self.g.chains.append(f"[{bg_label}]{flip}crop={bw}:{bh}:{x0}:{y0},format=yuv420p,"
                                 f"loop=loop=-1:size=1:start=0,setpts=N/({FPS}*TB),trim=end_frame={n}[{src}]")
        v = self.camera(src, cam, bw, bh, n)
        if fg is not None and fg_label is not None and pan:
            fl = self.g.label("f")
            self.g.chains.append(f"[{fg_label}]{flip}format=yuva420p,loop=loop=-1:size=1:start=0,"
                                 f"setpts=N/({FPS}*TB)[{fl}]")
            L = max(n / FPS, 0.1)
            ease = f"(0.5-0.5*cos(PI*min(t/{_f(L)},1)))"
            travel = fg.width - W
            x = f"-{travel}*{ease}" if cam == "pan_right" else f"-{travel}*(1-{ease})"
            out = self.g.label("v")
            self.g.chains.append(f"[{v}][{fl}]overlay=x='{x}':y={H - fg.height}:shortest=1:eof_action=pass[{out}]")
            v = out
        return self.overlay_sprites(v, sprites, f"clip{clip.index}")

    def image_clip(self, clip: Clip, cam: str) -> str:
        assert clip.path is not None
        W, H = self.W, self.H
        try:
            with Image.open(clip.path) as im:
                im = ImageOps.exif_transpose(im).convert("RGB")
        except OSError as exc:
            raise RenderError(f"Segment {clip.seg.get('id') or clip.index}: cannot read image "
                              f"{clip.path.name}: {exc}") from None
        margin = 1.12
        bw, bh = int(W * margin) // 2 * 2, int(H * margin) // 2 * 2
        cover = ImageOps.fit(im, (bw // 4, bh // 4), Image.Resampling.BILINEAR).filter(ImageFilter.GaussianBlur(12))
        canvas = cover.resize((bw, bh), Image.Resampling.BILINEAR)
        contained = ImageOps.contain(im, (bw, bh), Image.Resampling.LANCZOS)
        if contained.width >= bw * 0.9 and contained.height >= bh * 0.9:
            canvas = ImageOps.fit(im, (bw, bh), Image.Resampling.LANCZOS)
        else:
            canvas.paste(contained, ((bw - contained.width) // 2, (bh - contained.height) // 2))
        n = clip.frames
        inp = self.g.add_input("-framerate", str(FPS), "-i", _png(canvas, self.tmp / f"image{clip.index}.png"))
        src = self.g.label("b")
        self.g.chains.append(f"[{inp}:v]format=yuv420p,loop=loop=-1:size=1:start=0,setpts=N/({FPS}*TB),"
                             f"trim=end_frame={n}[{src}]")
        if cam not in F.CAMERA or cam == "still":
            cam = "zoom_in" if clip.index % 2 == 0 else "pan_right"
        return self.camera(src, cam, bw, bh, n)

    def video_clip(self, clip: Clip) -> str:
        assert clip.path is not None
        W, H = self.W, self.H
        ss = max(0.0, _ms(clip.seg.get("ss")) / 1000 - clip.lead / FPS)
        n = clip.frames
        inp = self.g.add_input("-ss", _f(ss), "-t", _f(n / FPS + 0.5), "-i", str(clip.path))
        out = self.g.label("b")
        self.g.chains.append(
            f"[{inp}:v:0]scale={W}:{H}:force_original_aspect_ratio=decrease,"
            f"pad={W}:{H}:(ow-iw)/2:(oh-ih)/2:color=black,setsar=1,fps={FPS},format=yuv420p,"
            f"setpts=PTS-STARTPTS,tpad=stop_mode=clone:stop=-1,trim=end_frame={n}[{out}]")
        return out

    def blank_clip(self, clip: Clip) -> str:
        out = self.g.label("b")
        self.g.chains.append(f"color=c=black:s={self.W}x{self.H}:r={FPS},format=yuv420p,"
                             f"trim=end_frame={clip.frames}[{out}]")
        return out


# -- the render ------------------------------------------------------------------------------------

def _camera_margin(cam: str, W: int, H: int) -> tuple[int, int]:
    if cam in ("pan_left", "pan_right"):
        return int(W * 1.2) // 2 * 2, H
    if cam == "rise":
        return W, int(H * 1.2) // 2 * 2
    return W, H


def _slots() -> int:
    env = os.environ.get("NEMO_RENDER_SLOTS", "")
    if env.isdigit() and int(env) > 0:
        return int(env)
    return max(1, (os.cpu_count() or 2) // 2)


#: concurrent renders in this process, bounded by the cores (x264 already uses them all)
_SLOTS = threading.BoundedSemaphore(_slots())


def render_draft(draft: dict[str, Any], out_path: Path, *, resolve: Callable[[str], Path | None],
                 quality: str = "high", resolution: str | None = None,
                 progress: Callable[[float], None] | None = None, cancel: threading.Event | None = None,
                 workdir: Path | None = None, window: tuple[int, int] | None = None) -> RenderResult:
    """Render ``draft`` to an H.264/AAC MP4 at ``out_path`` (see the module docstring).

    At most ``NEMO_RENDER_SLOTS`` (default: half the cores, at least one) renders run at once
    in a process; the others wait here (a set ``cancel`` ends the wait with RenderCancelled).

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
    while not _SLOTS.acquire(timeout=0.1):
        if cancel is not None and cancel.is_set():
            raise _cancelled()
    try:
        return _render(draft, out_path, resolve=resolve, quality=quality, resolution=resolution,
                       progress=progress, cancel=cancel, workdir=workdir, window=window)
    finally:
        _SLOTS.release()


def _render(draft: dict[str, Any], out_path: Path, *, resolve: Callable[[str], Path | None],
            quality: str, resolution: str | None, progress: Callable[[float], None] | None,
            cancel: threading.Event | None, workdir: Path | None,
            window: tuple[int, int] | None = None) -> RenderResult:
    W, H = output_size(draft, resolution)
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
        if cancel is not None and cancel.is_set():
            raise _cancelled()
        clips = plan_clips(draft, n_total, resolve)
        try:
            win.select(clips)
        except ValueError as exc:
            raise RenderError(str(exc)) from None
        g = Graph()
        b = _Builder(W, H, tmp, g)
        # paint each scene family once (a panorama larger than the frame); every shot of it is a
        # crop/flip of that panorama with its own camera, sprites shifted in time, and its own el
        seed_base = int(_ms((draft.get("m") or {}).get("seed"), 0))
        fam_of: dict[int, str] = {}
        for clip in clips:
            if clip.kind == "scene":
                fam = str(clip.seg.get("scene") or "abstract")
                fam_of[clip.index] = fam if fam in FAMILIES else "abstract"
        with ThreadPoolExecutor(max_workers=2) as pool:
            audio_job = (pool.submit(A.mix_draft, draft, duration, resolve, tmp / "audio.wav", cancel)
                         if win.audio else None)
            painted: dict[str, Any] = {}
            for fam in dict.fromkeys(fam_of[c.index] for c in clips if c.index in fam_of and win.builds(c)):
                shots = [c for c in clips if fam_of.get(c.index) == fam]
                cams = {_cam(c, fam) for c in shots}
                pw = int(W * 1.35) // 2 * 2
                ph = int(H * 1.2) // 2 * 2 if "rise" in cams else H
                par = int(W * 1.6) // 2 * 2 if cams & {"pan_left", "pan_right"} else 0
                longest = max(c.frames for c in shots) / FPS
                hints = frozenset(str(e) for c in shots for e in (c.seg.get("el") or []) if isinstance(e, str))
                if any(c.seg.get("act") for c in shots):
                    # a family's own props make room for the draft's (the product's cup, the volcano)
                    hints |= {"actors"} | {f"art:{a.get('art')}" for c in shots for a in c.seg.get("act") or []
                                           if isinstance(a, dict)}
                painted[fam] = paint_scene(fam, W, H, pw, ph, seed=seed_base, dur=longest, parallax_width=par,
                                           hints=hints)
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
            seen: dict[str, int] = {}   # shots of each family so far, in the whole draft
            built: dict[str, int] = {}  # ... and among the clips this render builds
            for clip in clips:
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
                    extra = element_sprites(els, layers.sprites, W, H, clip.frames / FPS,
                                            seed=seed_base * 1000 + clip.index, night=layers.night)
                    own = [_shift(sp, 4.3 * k + (0.0 if k == 0 else 1.7)) for sp in layers.sprites]
                    acts = actor_sprites(clip.seg.get("act"), fam, W, H, clip.frames / FPS, cam=cam,
                                         haze=layers.haze)
                    labels.append(b.scene_clip(clip, layers, bgl[u], fgl[u] if fgl else None, cam, k,
                                               own + extra + acts))
                elif not win.builds(clip):
                    continue
                elif clip.kind == "image":
                    labels.append(b.image_clip(clip, str(clip.seg.get("cam") or "still")))
                elif clip.kind == "video":
                    labels.append(b.video_clip(clip))
                else:
                    labels.append(b.blank_clip(clip))
            wav = audio_job.result() if audio_job is not None else None
        # every clip: same time base, frame-exact timestamps, same format (xfade/concat need it)
        for j, lab in enumerate(labels):
            out = g.label("n")
            g.chains.append(f"[{lab}]settb=1/{FPS},setpts=N,setsar=1,format=yuv420p[{out}]")
            labels[j] = out
        if cancel is not None and cancel.is_set():
            raise _cancelled()
        acc = join_clips(g, win.clips(clips), labels, fade_from_black=win.fades_from_black)
        if win.lead_in:
            cut = g.label("v")
            g.chains.append(f"[{acc}]trim=start_frame={win.lead_in},setpts=PTS-STARTPTS[{cut}]")
            acc = cut
        # text overlays on the global timeline
        for i, sg in enumerate(segments(draft, F.TRACK_TEXT)):
            txt = str(sg.get("txt") or "").strip()
            if not txt:
                continue
            kind = str(sg.get("k") or "text")
            spr = render_text(txt, W, H, kind=kind, pos=sg.get("pos"), sz=sg.get("sz"), col=sg.get("col"))
            st = _ms(sg.get("st")) / 1000
            en = min(n_total / FPS, st + _ms(sg.get("d")) / 1000)
            if en <= st or not win.shows(st, en, FPS):
                continue
            fin = min(_ms(sg.get("fi"), 400) / 1000, (en - st) / 3)
            fout = min(_ms(sg.get("fo"), 400) / 1000, (en - st) / 3)
            inp = g.add_input("-framerate", str(FPS), "-i", _png(spr.image, tmp / f"text{i}.png"))
            tl = g.label("t")
            a_f, b_f = round(st * FPS), max(round(st * FPS) + 1, round(en * FPS))
            a_f, b_f = max(a_f, win.first), min(b_f, win.end)
            fades = ""
            if fin > 0:
                fades += f",fade=t=in:st={_f(st)}:d={_f(fin)}:alpha=1"
            if fout > 0:
                fades += f",fade=t=out:st={_f(en - fout)}:d={_f(fout)}:alpha=1"
            if win.first:  # fades on the whole timeline, then into the chunk's own time
                fades += f",setpts=PTS-{win.first}/({FPS}*TB)"
            # the sprite exists only during its window: no work before or after it
            g.chains.append(f"[{inp}:v]format=yuva420p,loop=loop={max(0, b_f - a_f - 1)}:size=1:start=0,"
                            f"setpts=(N+{a_f})/({FPS}*TB){fades}[{tl}]")
            out = g.label("v")
            g.chains.append(f"[{acc}][{tl}]overlay=x={spr.x}:y={spr.y}:eof_action=pass[{out}]")
            acc = out
        n_out = win.end - win.first
        g.chains.append(f"[{acc}]trim=end_frame={n_out},setsar=1,format=yuv420p[vout]")
        ain = g.add_input("-i", str(wav)) if wav is not None else None
        script = tmp / "graph.txt"
        script.write_text(";\n".join(g.chains), encoding="utf-8")
        args: list[str] = []
        for inp_args in g.inputs:
            args += inp_args
        # one filter thread: the graph is light, and slice threads only fight x264 for the cores
        maps = ["-map", f"{ain}:a"] if ain is not None else ["-an"]
        args += ["-filter_complex_threads", "1", "-/filter_complex", str(script),
                 "-map", "[vout]", *maps, *output_args(quality, FPS),
                 "-frames:v", str(n_out), "-t", _f(duration)]
        if uses_art(draft):  # OpenMoji art is CC BY-SA: the video says so (every chunk, too)
            args += ["-metadata", f"comment={ATTRIBUTION}", "-metadata", f"copyright=Illustrations {LICENCE}"]
        args += ["-f", "mp4", str(part)]
        run_ffmpeg(args, duration=duration, progress=progress, cancel=cancel, what="FFmpeg (render)")
        os.replace(part, out_path)
        if progress is not None:
            with contextlib.suppress(Exception):
                progress(100.0)
        return RenderResult(out_path, duration, W, H, out_path.stat().st_size)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
        if part.exists():
            with contextlib.suppress(OSError):
                part.unlink()


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


def _cam(clip: Clip, family: str) -> str:
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


__all__ = ["RenderResult", "chunk_boundaries", "output_size", "render_draft", "validate_draft"]

