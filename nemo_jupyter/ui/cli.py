"""Command line: ``python -m nemo_jupyter "PROMPT" -o out.mp4``.

Sends the prompt, streams the reply to the terminal, renders the draft and
downloads the MP4. On a fresh machine it uses the embedded local engine; no
account is needed. Exit status: 0 done, 1 the backend or the render said no
(the message says what to do), 2 bad arguments, 130 interrupted.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
from pathlib import Path
from typing import TextIO

from .._version import __version__
from ..client.exceptions import NemoError
from ..conversation import Conversation, Intent, TurnUpdate
from .display import format_elapsed, progress_text, slug, timeline_summary, video_info

__all__ = ["main"]

CLI_HINTS: dict[str, dict[str, str]] = {
    "en": {
        "export": "export it (this command renders unless --no-export is given)",
        "timeline": 'look at the timeline (run again with the prompt "status")',
        "edit": "describe the change in words in your next prompt",
        "send": 'ask for "{label}" in your next prompt',
    },
    "zh": {
        "export": "导出视频（本命令默认会导出，除非加 --no-export）",
        "timeline": "查看时间线（用提示词「状态」再运行一次）",
        "edit": "在下一个提示词里用文字描述修改",
        "send": "在下一个提示词里说「{label}」",
    },
}


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="python -m nemo_jupyter",
        description="Turn a prompt into an MP4 with NemoVideo (the embedded local engine by default).",
        epilog='Example: python -m nemo_jupyter "generate a 30-second video of a forest with birds '
               'and soft background music" -o forest.mp4',
    )
    p.add_argument("prompt", help="what the video should be (quote it)")
    p.add_argument("-o", "--output", metavar="PATH", default=None,
                   help="where to save the MP4 (default: nemo_outputs/<prompt-slug>.mp4)")
    p.add_argument("--backend", default=None, metavar="local|cloud|URL",
                   help="backend to use (default: NEMO_BACKEND, else the embedded engine)")
    p.add_argument("--no-export", dest="export", action="store_false", help="only chat; do not render")
    p.add_argument("--quality", choices=["high", "medium", "preview"], default="high", help="render quality")
    p.add_argument("--resolution", choices=["720p", "1080p"], default=None, help="render resolution")
    p.add_argument("--timeout", type=float, default=900.0, help="seconds to wait for the render (default 900)")
    p.add_argument("-q", "--quiet", action="store_true", help="print only the result lines")
    p.add_argument("--version", action="version", version=f"nemo_jupyter {__version__}")
    return p


def default_output(prompt: str) -> Path:
    base = Path("nemo_outputs")
    path = base / f"{slug(prompt)}.mp4"
    n = 2
    while path.exists():
        path = base / f"{slug(prompt)}-{n}.mp4"
        n += 1
    return path


class _Printer:
    """Streams TurnUpdates to the terminal: reply text on stdout, activity on stderr."""

    def __init__(self, out: TextIO, err: TextIO, quiet: bool) -> None:
        self.out, self.err, self.quiet = out, err, quiet
        self.shown = ""
        self.last_tool: str | None = None
        self.last_beat = 0.0
        self.last_pct = -1.0
        self.tty = err.isatty()
        self.bar_open = False
        self.line_open = False

    def _end_bar(self) -> None:
        if self.bar_open:
            self.err.write("\n")
            self.bar_open = False

    def __call__(self, u: TurnUpdate) -> None:
        if self.quiet:
            return
        if u.kind == "text" and u.text:
            if u.text.startswith(self.shown):
                added = u.text[len(self.shown):]
            else:  # the backend replaced the streamed text
                added = ("\n" if self.line_open else "") + u.text
            if added:
                self.out.write(added)
                self.out.flush()
                self.line_open = not u.text.endswith("\n")
            self.shown = u.text
        elif u.kind == "tool" and u.tool and u.tool != self.last_tool and not u.tool.endswith("✓"):
            self.last_tool = u.tool
            self._end_line()
            self.err.write(f"  · {u.tool}\n")
        elif u.kind == "heartbeat" and u.elapsed - self.last_beat >= 10:
            self.last_beat = u.elapsed
            self._end_line()
            self.err.write(f"  · still working ({format_elapsed(u.elapsed)})\n")
        elif u.kind == "progress":
            pct = u.percent if u.percent is not None else max(self.last_pct, 0.0)
            self._end_line()
            if self.tty:
                self.err.write("\r" + progress_text(pct, (u.tool or "rendering").rstrip("…")))
                self.bar_open = True
            elif pct >= self.last_pct + 20 or pct >= 100 > self.last_pct:
                self.err.write(progress_text(pct, (u.tool or "rendering").rstrip("…")) + "\n")
                self.last_pct = pct
            if pct >= 100:
                self._end_bar()
        self.err.flush()

    def _end_line(self) -> None:
        """Activity lines go to stderr: first end the reply's open line on stdout."""
        if self.line_open:
            self.out.write("\n")
            self.out.flush()
            self.line_open = False

    def finish_text(self) -> None:
        self._end_bar()
        self._end_line()


async def _run(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from .. import AsyncNemo

    nemo = AsyncNemo(backend=args.backend) if args.backend else AsyncNemo()
    try:
        conv = Conversation(nemo, hints=CLI_HINTS)
        printer = _Printer(out, err, args.quiet)
        intent = conv.route(args.prompt)
        if not args.quiet:
            err.write(f"[{conv.badge}] {args.prompt}\n")
        wants_video = args.export and intent is Intent.CHAT
        target = Path(args.output) if args.output else default_output(args.prompt)
        start = time.monotonic()
        result = await conv.run(args.prompt, on_update=printer, export=wants_video, quality=args.quality,
                                resolution=args.resolution, timeout=args.timeout,
                                path=target if wants_video else None)
        printer.finish_text()
        if intent is not Intent.CHAT or not printer.shown or (
                result.text != result.raw_text and result.text.strip() not in printer.shown):
            # non-chat answers, silent turns and translated GUI words: print the final words
            out.write(result.text + "\n")
        for change in result.changes:
            out.write(f"  - {change}\n")
        summary = timeline_summary(result.draft)
        if summary and intent is Intent.CHAT and not any(summary in change for change in result.changes):
            out.write(summary + "\n")
        if result.video is not None:
            path = Path(getattr(result.video, "path", None) or target)
            info = video_info(path, duration=getattr(result.video, "duration", None))
            out.write(f"Saved {path} ({info}) in {format_elapsed(time.monotonic() - start)}\n")
        elif wants_video:
            out.write("No video was rendered.\n")
        out.flush()
        return 0
    finally:
        await nemo.aclose()


def main(argv: list[str] | None = None, *, out: TextIO | None = None, err: TextIO | None = None) -> int:
    out = out or sys.stdout
    err = err or sys.stderr
    args = _parser().parse_args(argv)
    if not args.prompt.strip():
        err.write("error: the prompt is empty. Say what the video should be, for example:\n"
                  '  python -m nemo_jupyter "make a 15-second video of the ocean"\n')
        return 2
    try:
        return asyncio.run(_run(args, out, err))
    except NemoError as exc:
        err.write(f"\nerror: {exc.message}\n")
        if exc.hint:
            err.write(f"what to do: {exc.hint}\n")
        return 1
    except KeyboardInterrupt:
        err.write("\ninterrupted (nothing was re-sent; any render keeps its id: see nemo.jobs())\n")
        return 130

