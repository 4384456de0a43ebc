"""The FFmpeg filter graph of a render: its inputs and labelled chains, and the builder that turns
stills, sprites, actors and texts into streams (one input per sprite, split when reused)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from PIL import Image, ImageOps

from .... import draft_format as F
from ..errors import RenderError
from ..picture.elements import Sprite
from ..picture.framing import framed
from ..timeline.clips import Clip
from ..timeline.reading import FPS, _ms
from .inputs import write_png, write_still

__all__ = ["Graph"]


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


def _f(v: float) -> str:
    return f"{v:.4f}"


def _png(img: Image.Image, path: Path, level: int = 1) -> str:
    return write_png(img, path, level)  # from the process's cache when written before


class _Builder:
    def __init__(self, W: int, H: int, tmp: Path, g: Graph, check: Callable[[], None] = lambda: None) -> None:
        self.W, self.H, self.tmp, self.g = W, H, tmp, g
        self.check = check  # raises RenderCancelled once the render is cancelled
        self.png_level = 1  # zlib level of the stills FFmpeg reads back (0: fastest, bigger files)
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
                self.check()
                base = self.tmp / f"{sp.extras.get('tag', tag)}_{sp.key}_{len(self.written)}"
                self.written[fid] = base
                self.keep.append(sp.frames)  # keep the frames alive: their id() names the files
                if len(sp.frames) == 1:
                    _png(sp.frames[0], base.with_suffix(".png"), self.png_level)
                else:
                    for k, fr in enumerate(sp.frames):
                        _png(fr, Path(f"{base}_{k:03d}.png"), self.png_level)
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
        name = fam.replace("|", "-")
        bg = self.g.add_input("-framerate", str(FPS), "-i",
                              write_still(painted.background, self.tmp / f"{name}_bg", self.png_level))
        fg = None
        if painted.foreground is not None:
            fg = self.g.add_input("-framerate", str(FPS), "-i",
                                  write_still(painted.foreground, self.tmp / f"{name}_fg", self.png_level))
        return bg, fg

    def scene_clip(self, clip: Clip, painted: Any, bg_label: str, fg_label: str | None, cam: str,
                   occurrence: int, sprites: list[Sprite],
                   zoom: tuple[float, float, float] | None = None) -> str:
        """One shot of a painted family: a crop of its panorama (flipped on odd shots), the camera,
        the foreground (parallax on pans) and the moving sprites, shifted in time per shot.
        ``zoom`` = (factor, x, y): a close-up, that much nearer about that point of the frame (the
        still is enlarged once, before it loops)."""
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
            self.g.chains.append(f"[{tmp}][{fgl}]overlay={0}:{fy}{_closer(zoom, bw, bh, W, H)},format=yuv420p,"
                                 f"loop=loop=-1:size=1:start=0,setpts=N/({FPS}*TB),trim=end_frame={n}[{src}]")
        else:
            self.g.chains.append(f"[{bg_label}]{flip}crop={bw}:{bh}:{x0}:{y0}{_closer(zoom, bw, bh, W, H)},"
                                 f"format=yuv420p,loop=loop=-1:size=1:start=0,setpts=N/({FPS}*TB),"
                                 f"trim=end_frame={n}[{src}]")
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
        frame = str(clip.seg.get("frame") or "")
        canvas = framed(im, bw, bh, frame)
        n = clip.frames
        inp = self.g.add_input("-framerate", str(FPS), "-i", write_still(canvas, self.tmp / f"image{clip.index}"))
        src = self.g.label("b")
        self.g.chains.append(f"[{inp}:v]format=yuv420p,loop=loop=-1:size=1:start=0,setpts=N/({FPS}*TB),"
                             f"trim=end_frame={n}[{src}]")
        if frame in F.FRAMES:  # a framed picture stays whole: the camera only moves in or out
            cam = cam if cam in ("zoom_in", "zoom_out") else "zoom_in"
        elif cam not in F.CAMERA or cam == "still":
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


def close_crop(zoom: tuple[float, float, float], bw: int, bh: int, W: int, H: int) -> tuple[int, int, int, int]:
    """The part of a ``bw``x``bh`` shot a close-up enlarges: (width, height, x, y), even, the zoom's
    point staying where it was in the frame (the frame is centred in the shot)."""
    z, fx, fy = zoom
    cw, ch = max(2, round(bw / z / 2) * 2), max(2, round(bh / z / 2) * 2)
    px, py = fx + (bw - W) / 2, fy + (bh - H) / 2
    x = int(min(max(0.0, px * (1 - 1 / z)), bw - cw))
    y = int(min(max(0.0, py * (1 - 1 / z)), bh - ch))
    return cw, ch, x, y


def _closer(zoom: tuple[float, float, float] | None, bw: int, bh: int, W: int, H: int) -> str:
    if zoom is None or zoom[0] <= 1.0:
        return ""
    cw, ch, x, y = close_crop(zoom, bw, bh, W, H)
    return f",crop={cw}:{ch}:{x}:{y},scale={bw}:{bh}:flags=bicubic"


def _camera_margin(cam: str, W: int, H: int) -> tuple[int, int]:
    if cam in ("pan_left", "pan_right"):
        return int(W * 1.2) // 2 * 2, H
    if cam == "rise":
        return W, int(H * 1.2) // 2 * 2
    return W, H
