"""The storyboard strip: one still per scene (and every few seconds of a long one), from the draft.

Nothing is encoded: each still is painted the way the renderer paints the shot (the same scene
family, crop, flip, camera, foreground, sprites at that moment and the text overlays shown
then), only small. An upload shows as itself (an image fitted to the frame, a clip's frame at
that point). It takes well under a second for a usual draft, so a notebook can show the
strip the moment a draft exists, long before a video is ready.

    frames = storyboard(draft, resolve=..., width=240)  # [StoryFrame(t, st, d, segment, label, image)]
"""

from __future__ import annotations

import math
import subprocess
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PIL import Image, ImageOps

from ... import draft_format as F
from .encode.expr import ExprError, evaluate
from .encode.ffmpeg import ffmpeg_exe
from .encode.graph import _camera_margin, close_crop
from .errors import RenderCancelled, RenderError
from .picture.actors import stage
from .picture.framing import framed
from .picture.safe import text_band
from .picture.scenes import element_sprites, look_parts, paint_scene
from .pipeline import _cam, _shift, close_zoom, family_paint, scene_families, shot_of
from .text.text import render_text
from .timeline.clips import Clip, plan_clips
from .timeline.reading import FPS, _ms, draft_duration, output_size, segments

__all__ = ["MAX_FRAMES", "StoryFrame", "sample_times", "storyboard"]

MAX_FRAMES = 12      # stills in a strip at most (long drafts are sampled evenly)
EVERY_S = 8.0        # a long shot gets a still every this many seconds


@dataclass
class StoryFrame:
    t: float             # seconds on the timeline
    st: int              # the shot's start and length, ms
    d: int
    segment: str | None  # the shot's segment id
    label: str           # the shot's name ("Forest with birds"), or its kind
    image: Image.Image   # RGB, width x height


def sample_times(draft: dict[str, Any]) -> list[tuple[float, dict[str, Any]]]:
    """(time, segment) of each still: the middle of every video segment, more for long ones."""
    total = draft_duration(draft)
    out: list[tuple[float, dict[str, Any]]] = []
    for sg in segments(draft, F.TRACK_VIDEO):
        st, d = _ms(sg.get("st")) / 1000, _ms(sg.get("d")) / 1000
        if d <= 0 or st >= total:
            continue
        d = min(d, total - st)
        n = max(1, math.ceil(d / EVERY_S - 0.25))
        out += [(st + d * (i + 0.5) / n, sg) for i in range(n)]
    if not out and total > 0:  # only text: one still in the middle
        out = [(total / 2, {})]
    if len(out) > MAX_FRAMES:
        step = len(out) / MAX_FRAMES
        out = [out[int(i * step + step / 2)] for i in range(MAX_FRAMES)]
    return out


def storyboard(draft: dict[str, Any], *, resolve: Callable[[str], Path | None], width: int = 240,
               cancel: threading.Event | None = None) -> list[StoryFrame]:
    """The stills of ``draft``, each ``width`` pixels wide (the draft's aspect ratio)."""
    W0, H0 = output_size(draft, None)
    W = max(32, int(width)) // 2 * 2
    H = max(32, round(W * H0 / W0)) // 2 * 2
    total = draft_duration(draft)
    n_total = max(1, round(total * FPS))
    clips = plan_clips(draft, n_total, resolve)
    starts, pos = [], 0
    for c in clips:  # where each clip's own frames begin on the timeline
        starts.append(pos - c.lead)
        pos += c.frames - c.lead - c.tail
    painter = _Painter(draft, clips, W, H)
    texts = segments(draft, F.TRACK_TEXT)
    out: list[StoryFrame] = []
    for t, sg in sample_times(draft):
        if cancel is not None and cancel.is_set():
            raise RenderCancelled("The storyboard was cancelled.")
        j = next((i for i, c in enumerate(clips) if c.seg is sg), None)
        if j is None:
            img = Image.new("RGB", (W, H), (0, 0, 0))
        else:
            local = max(0.0, t - starts[j] / FPS)
            img = painter.still(clips[j], local)
        for tx in texts:
            st = _ms(tx.get("st")) / 1000
            if st <= t < st + _ms(tx.get("d")) / 1000 and str(tx.get("txt") or "").strip():
                try:
                    spr = render_text(str(tx["txt"]), W, H, kind=str(tx.get("k") or "text"), pos=tx.get("pos"),
                                      sz=tx.get("sz"), col=tx.get("col"))
                except RenderError:
                    continue
                base = img.convert("RGBA")
                base.alpha_composite(spr.image, (max(0, spr.x), max(0, spr.y)))
                img = base.convert("RGB")
        label = str(sg.get("n") or sg.get("scene") or sg.get("k") or "") if sg else ""
        out.append(StoryFrame(round(t, 2), int(_ms(sg.get("st"))), int(_ms(sg.get("d"))),
                              str(sg["id"]) if sg.get("id") else None, label, img))
    return out


class _Painter:
    """Paints the shots of one draft; each scene family is painted once, like the renderer does."""

    def __init__(self, draft: dict[str, Any], clips: list[Clip], W: int, H: int) -> None:
        self.W, self.H = W, H
        self.seed = int(_ms((draft.get("m") or {}).get("seed"), 0))
        self.texts = segments(draft, F.TRACK_TEXT)  # actors stand above the bottom ones, as in the video
        self.fam_of = scene_families(clips)
        self.clips = clips
        self.painted: dict[str, Any] = {}
        self.occurrence: dict[int, int] = {}
        seen: dict[str, int] = {}
        for c in clips:
            if c.index in self.fam_of:
                fam = self.fam_of[c.index]
                self.occurrence[c.index] = seen.get(fam, 0)
                seen[fam] = seen.get(fam, 0) + 1

    def _layers(self, fam: str) -> Any:
        if fam not in self.painted:
            pp = family_paint(fam, [c for c in self.clips if self.fam_of.get(c.index) == fam], self.W, self.H)
            family, tod, wx = look_parts(fam)
            self.painted[fam] = paint_scene(family, self.W, self.H, pp.width, pp.height, seed=self.seed,
                                            dur=pp.seconds, parallax_width=pp.parallax, hints=pp.hints,
                                            tod=tod, wx=wx)
        return self.painted[fam]

    def still(self, clip: Clip, t: float) -> Image.Image:
        W, H = self.W, self.H
        if clip.kind == "image" and clip.path is not None:
            try:
                with Image.open(clip.path) as im:
                    return framed(ImageOps.exif_transpose(im).convert("RGB"), W, H, str(clip.seg.get("frame") or ""))
            except OSError:
                return Image.new("RGB", (W, H), (0, 0, 0))
        if clip.kind == "video" and clip.path is not None:
            return _video_frame(clip.path, _ms(clip.seg.get("ss")) / 1000 + t, W, H)
        if clip.kind != "scene":
            return Image.new("RGB", (W, H), (0, 0, 0))
        return self._scene(clip, t)

    def _scene(self, clip: Clip, t: float) -> Image.Image:
        W, H = self.W, self.H
        fam = self.fam_of[clip.index]
        layers = self._layers(fam)
        family = look_parts(fam)[0]
        k = self.occurrence[clip.index]
        cam = _cam(clip, fam)
        bg = layers.background
        pw, ph = bg.size
        bw, bh = _camera_margin(cam, W, H)
        bw, bh = min(bw, pw), min(bh, ph)
        frac = (0.5, 0.12, 0.88, 0.3, 0.7)[k % 5] if clip.seg.get("scene") != "product" else 0.5
        x0, y0 = int((pw - bw) * frac) // 2 * 2, (ph - bh) // 2 // 2 * 2
        flip = k % 2 == 1
        pano = ImageOps.mirror(bg) if flip else bg
        shot = pano.crop((x0, y0, x0 + bw, y0 + bh)).convert("RGBA")
        fg = layers.foreground
        if fg is not None:
            fgi = ImageOps.mirror(fg) if flip else fg
            if cam not in ("pan_left", "pan_right"):
                fx = (fgi.width - bw) // 2
                fy = bh - fgi.height if cam == "rise" else (bh - H) // 2 + H - fgi.height
                shot.alpha_composite(fgi.crop((fx, 0, fx + bw, fgi.height)), (0, max(0, fy)))
        kind = shot_of(clip)
        staged = stage(clip.seg.get("act"), family, W, H, clip.frames / FPS, cam=cam, haze=layers.haze,
                       band=text_band(self.texts, clip.seg, W, H), shot=kind)
        zoom = close_zoom(kind, staged, W, H)
        if zoom is not None:  # a close-up: the part about the actors, enlarged
            cw, ch, zx, zy = close_crop(zoom, bw, bh, W, H)
            shot = shot.crop((zx, zy, zx + cw, zy + ch)).resize((bw, bh), Image.Resampling.BICUBIC)
        n = max(1, clip.frames)
        L = max(n / FPS, 0.1)
        ease = 0.5 - 0.5 * math.cos(math.pi * min(t / L, 1.0))
        if cam in ("zoom_in", "zoom_out"):
            z = 1 + 0.14 * min(t * FPS / n, 1.0) if cam == "zoom_in" else 1.14 - 0.14 * min(t * FPS / n, 1.0)
            cw, ch = bw / z, bh / z
            frame = shot.crop((int((bw - cw) / 2), int((bh - ch) / 2), int((bw + cw) / 2), int((bh + ch) / 2)))
            frame = frame.resize((W, H), Image.Resampling.BILINEAR)
        else:
            if cam == "pan_left":
                x, y = (bw - W) * (1 - ease), (bh - H) / 2
            elif cam == "pan_right":
                x, y = (bw - W) * ease, (bh - H) / 2
            elif cam == "rise":
                x, y = (bw - W) / 2, (bh - H) * (1 - ease)
            else:
                x, y = (bw - W) / 2, (bh - H) / 2
            frame = shot.crop((int(x), int(y), int(x) + W, int(y) + H))
        if fg is not None and cam in ("pan_left", "pan_right"):
            fgi = ImageOps.mirror(fg) if flip else fg
            travel = fgi.width - W
            fx = -travel * ease if cam == "pan_right" else -travel * (1 - ease)
            frame.alpha_composite(_clip_to(fgi, int(fx), H - fgi.height, W, H), (0, 0))
        els = [str(e) for e in clip.seg.get("el") or [] if isinstance(e, str)]
        extra = element_sprites(els, layers.sprites, W, H, clip.frames / FPS,
                                seed=self.seed * 1000 + clip.index, night=layers.night, family=family,
                                weather=layers.weather)
        own = [_shift(sp, 4.3 * k + (0.0 if k == 0 else 1.7)) for sp in layers.sprites]
        for sp in own + extra + staged.sprites:
            _draw_sprite(frame, sp, t, W, H)
        return frame.convert("RGB")


def _clip_to(img: Image.Image, x: int, y: int, W: int, H: int) -> Image.Image:
    """``img`` placed at (x, y) on a transparent W x H layer (parts outside are cut)."""
    layer = Image.new("RGBA", (W, H), (0, 0, 0, 0))
    layer.paste(img, (x, y), img if img.mode == "RGBA" else None)
    return layer


def _draw_sprite(frame: Image.Image, sp: Any, t: float, W: int, H: int) -> None:
    if not sp.frames:
        return
    img = sp.frames[int(t * sp.fps) % len(sp.frames)]
    names = {"t": t, "W": W, "H": H, "main_w": W, "main_h": H, "w": img.width, "h": img.height,
             "overlay_w": img.width, "overlay_h": img.height, "n": t * FPS}
    try:
        if sp.enable and not evaluate(sp.enable, **names):
            return
        x, y = evaluate(sp.x, **names), evaluate(sp.y, **names)
    except ExprError:
        return
    if not (math.isfinite(x) and math.isfinite(y)):
        return
    frame.alpha_composite(_clip_to(img.convert("RGBA"), int(x), int(y), W, H))


def _video_frame(path: Path, t: float, W: int, H: int) -> Image.Image:
    """One frame of an uploaded clip at ``t`` seconds, letterboxed to W x H (black if unreadable)."""
    vf = f"scale={W}:{H}:force_original_aspect_ratio=decrease,pad={W}:{H}:(ow-iw)/2:(oh-ih)/2:color=black"
    try:
        raw = subprocess.run([ffmpeg_exe(), "-v", "error", "-ss", f"{max(0.0, t):.3f}", "-i", str(path),
                              "-frames:v", "1", "-vf", vf, "-f", "rawvideo", "-pix_fmt", "rgb24", "-"],
                             capture_output=True, timeout=20, check=False).stdout
    except (OSError, subprocess.TimeoutExpired):
        raw = b""
    if len(raw) < W * H * 3:
        return Image.new("RGB", (W, H), (0, 0, 0))
    return Image.frombytes("RGB", (W, H), raw[: W * H * 3])
