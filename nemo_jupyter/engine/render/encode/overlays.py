"""What is drawn over the joined clips, on the global timeline: the texts (titles, captions, cards,
each coming in as its ``anim`` says) and the overlays (a logo watermark in its corner).

A text is one still (or, typed on, a few stills) that exists only during its window; a rise moves
it with the overlay's own ``y`` expression, so neither costs work outside its window.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from PIL import Image, ImageOps

from .... import draft_format as F
from ..errors import RenderError
from ..picture.framing import logo_image
from ..text.text import render_text, typed_frames
from ..timeline.reading import FPS, _ms, overlays, segments
from ..timeline.window import ChunkWindow
from .graph import Graph, _Builder, _f, _png

__all__ = ["RISE", "TYPE_CPS", "overlay_pictures", "overlay_texts"]

#: a rising text travels this share of the frame's height while it fades in
RISE = 0.035
#: a typed text appears at this many characters a second (at most ``TYPE_MAX_S`` seconds, a third
#: of its time on screen), in at most ``TYPE_STEPS`` steps
TYPE_CPS, TYPE_MAX_S, TYPE_STEPS = 24.0, 1.6, 16


def overlay_texts(g: Graph, b: _Builder, draft: dict[str, Any], acc: str, win: ChunkWindow, n_total: int,
                  tmp: Path, check: Callable[[], None]) -> str:
    """Overlay every text segment of ``draft`` on stream ``acc``; the new stream's label."""
    W, H = b.W, b.H
    for i, sg in enumerate(segments(draft, F.TRACK_TEXT)):
        txt = str(sg.get("txt") or "").strip()
        if not txt:
            continue
        kind = str(sg.get("k") or "text")
        st = _ms(sg.get("st")) / 1000
        en = min(n_total / FPS, st + _ms(sg.get("d")) / 1000)
        if en <= st or not win.shows(st, en, FPS):
            continue  # (a chunk draws only the texts it shows)
        check()
        spr = render_text(txt, W, H, kind=kind, pos=sg.get("pos"), sz=sg.get("sz"), col=sg.get("col"),
                          role=sg.get("role"))
        anim = str(sg.get("anim") or "fade")
        fin = min(_ms(sg.get("fi"), 400) / 1000, (en - st) / 3)
        fout = min(_ms(sg.get("fo"), 400) / 1000, (en - st) / 3)
        a_f, b_f = round(st * FPS), max(round(st * FPS) + 1, round(en * FPS))
        a_f, b_f = max(a_f, win.first), min(b_f, win.end)
        tl = g.label("t")
        fades = ""
        if anim == "type":
            typing = min(TYPE_MAX_S, len(txt) / TYPE_CPS, (en - st) / 3)
            steps = max(1, min(TYPE_STEPS, round(typing * FPS)))
            per = max(1, round(typing * FPS / steps))  # output frames each step stays
            stills = typed_frames(spr, steps)
            for k, im in enumerate(stills):
                _png(im, tmp / f"text{i}_{k:03d}.png", b.png_level)
            inp = g.add_input("-framerate", f"{FPS}/{per}", "-i", str(tmp / f"text{i}_%03d.png"))
            held = max(0, round(en * FPS) - round(st * FPS) - len(stills) * per)
            # typed on from its own start (frames before a chunk's first are cut by the shift below)
            first = round(st * FPS)
            if fout > 0:
                fades += f",fade=t=out:st={_f(en - fout)}:d={_f(fout)}:alpha=1"
            if win.first:
                fades += f",setpts=PTS-{win.first}/({FPS}*TB)"
            g.chains.append(f"[{inp}:v]format=yuva420p,fps={FPS},tpad=stop_mode=clone:stop={held},"
                            f"setpts=(N+{first})/({FPS}*TB){fades}[{tl}]")
        else:
            inp = g.add_input("-framerate", str(FPS), "-i", _png(spr.image, tmp / f"text{i}.png", b.png_level))
            if fin > 0:
                fades += f",fade=t=in:st={_f(st)}:d={_f(fin)}:alpha=1"
            if fout > 0:
                fades += f",fade=t=out:st={_f(en - fout)}:d={_f(fout)}:alpha=1"
            if win.first:  # fades on the whole timeline, then into the chunk's own time
                fades += f",setpts=PTS-{win.first}/({FPS}*TB)"
            # the sprite exists only during its window: no work before or after it
            g.chains.append(f"[{inp}:v]format=yuva420p,loop=loop={max(0, b_f - a_f - 1)}:size=1:start=0,"
                            f"setpts=(N+{a_f})/({FPS}*TB){fades}[{tl}]")
        y: str = str(spr.y)
        if anim == "rise":
            t0 = st - win.first / FPS
            dur = max(0.2, min(0.8, (en - st) / 3))
            dy = max(2, round(H * RISE))
            y = f"'{spr.y}+{dy}*pow(1-clip((t-{_f(t0)})/{_f(dur)},0,1),2)'"
        out = g.label("v")
        g.chains.append(f"[{acc}][{tl}]overlay=x={spr.x}:y={y}:eof_action=pass[{out}]")
        acc = out
    return acc


def overlay_pictures(g: Graph, b: _Builder, draft: dict[str, Any], acc: str, win: ChunkWindow, n_total: int,
                     resolve: Callable[[str], Path | None], tmp: Path, check: Callable[[], None]) -> str:
    """Overlay the draft's ``overlay`` segments (a logo in its corner, ``w`` of the frame's width)."""
    W, H = b.W, b.H
    margin = round(min(W, H) * 0.04)
    for i, sg in enumerate(overlays(draft)):
        st = _ms(sg.get("st")) / 1000
        en = min(n_total / FPS, st + _ms(sg.get("d")) / 1000)
        if en <= st or not win.shows(st, en, FPS):
            continue
        check()
        path = resolve(str(sg.get("src")))
        if path is None or not Path(path).is_file():
            raise RenderError(f"Overlay {sg.get('id') or i}: its source {sg.get('src')} cannot be found.")
        try:
            with Image.open(path) as im:
                pic = ImageOps.exif_transpose(im)
                pic.load()
        except OSError as exc:
            raise RenderError(f"Overlay {sg.get('id') or i}: cannot read image {Path(path).name}: {exc}") from None
        w = _ms(sg.get("w"), F.OVERLAY_W)
        w = min(F.OVERLAY_W_MAX, max(0.02, w))
        logo = logo_image(pic, max(2, round(W * w)))
        if logo.height > H * 0.3:  # a tall logo: held to a third of the height
            logo = logo.resize((max(2, round(logo.width * H * 0.3 / logo.height)), round(H * 0.3)))
        corner = str(sg.get("corner") or "bottom_right")
        x = margin if corner.endswith("left") else W - margin - logo.width
        y = margin if corner.startswith("top") else H - margin - logo.height
        a_f, b_f = max(round(st * FPS), win.first), min(max(round(st * FPS) + 1, round(en * FPS)), win.end)
        inp = g.add_input("-framerate", str(FPS), "-i", _png(logo, tmp / f"overlay{i}.png", b.png_level))
        fade = min(0.5, (en - st) / 4)
        fades = f",fade=t=in:st={_f(st)}:d={_f(fade)}:alpha=1" if st > 0 else ""
        if en < n_total / FPS - 0.05:
            fades += f",fade=t=out:st={_f(en - fade)}:d={_f(fade)}:alpha=1"
        if win.first:
            fades += f",setpts=PTS-{win.first}/({FPS}*TB)"
        ol = g.label("o")
        g.chains.append(f"[{inp}:v]format=yuva420p,colorchannelmixer=aa=0.92,"
                        f"loop=loop={max(0, b_f - a_f - 1)}:size=1:start=0,setpts=(N+{a_f})/({FPS}*TB){fades}[{ol}]")
        out = g.label("v")
        g.chains.append(f"[{acc}][{ol}]overlay=x={x - x % 2}:y={y - y % 2}:eof_action=pass[{out}]")
        acc = out
    return acc
