"""Command line: ``python -m nemo_jupyter "PROMPT" -o out.mp4``.

Sends the prompt, streams the reply to the terminal, renders the draft and
downloads the MP4. On a fresh machine it uses the embedded local engine; no
account is needed. Exit status: 0 done, 1 the backend or the render said no
(the message says what to do), 2 bad arguments, 130 interrupted.
"""

from __future__ import annotations

import asyncio
import os
import sys
import time
from pathlib import Path
from typing import TextIO

from ..client.exceptions import NemoError
from ..conversation import Conversations, Intent
from ..conversation.formats import checklist_plain
from .arguments import CliArgs, parse_cli
from .display import format_elapsed, timeline_summary, video_info
from .live import TerminalLive
from .naming import output_path

__all__ = ["main"]

CLI_HINTS: dict[str, dict[str, str]] = {
    "en": {
        "export": "export it (this command renders unless --no-export is given)",
        "timeline": 'look at the timeline (run again with the prompt "status")',
        "edit": "describe the change in words in your next prompt",
        "send": 'ask for "{label}" in your next prompt',
        "export_invite": "Run the command again without --no-export to render it.",
    },
    "zh": {
        "export": "导出视频（本命令默认会导出，除非加 --no-export）",
        "timeline": "查看时间线（用提示词「状态」再运行一次）",
        "edit": "在下一个提示词里用文字描述修改",
        "send": "在下一个提示词里说「{label}」",
        "export_invite": "去掉 --no-export 再运行一次即可渲染。",
    },
}


#: how long the engine a command starts stays once idle and no kernel uses it (seconds), unless
#: NEMO_ENGINE_IDLE says otherwise: long enough for the next command, short enough to go away
CLI_ENGINE_IDLE_S = 60


def engine_notice(nemo: object) -> str | None:
    """What the command says about the local engine it leaves running, or None (no engine)."""
    info_of = getattr(nemo, "engine_info", None)
    try:
        info = info_of() if callable(info_of) else None
    except OSError:  # the engine's files unreadable: nothing known to tell
        return None
    if info is None:
        return None
    others = [pid for pid in info.holders if pid != os.getpid()]
    stop = "`python -m nemo_jupyter.engine --stop` stops it now"
    if not info.linger:
        return f"The local engine (pid {info.pid}) keeps running: it was started without an idle stop; {stop}."
    if others:
        return (f"The local engine (pid {info.pid}) keeps running while {len(others)} other program(s) use it, "
                f"then stops after {info.linger:g} s idle; {stop}.")
    return (f"The local engine (pid {info.pid}) keeps running for {info.linger:g} s once idle, then stops on "
            f"its own (NEMO_ENGINE_IDLE=SECONDS changes that); {stop}.")


def default_output(prompt: str) -> Path:
    """``nemo_outputs/<prompt-slug>.mp4`` (then ``-2``, ``-3``, ...): never an existing file."""
    return output_path(prompt, prompt=True)


async def _run(args: CliArgs, out: TextIO, err: TextIO) -> int:
    conversations = Conversations(args.backend or None, hints=CLI_HINTS)
    try:
        conv = conversations.get()
        printer = TerminalLive(out, err, quiet=args.quiet)
        command = conv.parse(args.prompt)
        intent = command.intent
        if not args.quiet:
            err.write(f"[{conv.badge}] {args.prompt}\n")
        wants_video = args.export and intent is Intent.CHAT
        target = args.output or default_output(args.prompt)
        start = time.monotonic()
        result = await conv.run(command, on_update=printer, export=wants_video, options=args.render,
                                path=target if wants_video else None)
        printer.finish_text()
        if intent is not Intent.CHAT or not printer.shown or (
                result.text != result.raw_text and result.text.strip() not in printer.shown):
            # non-chat answers, silent turns and translated GUI words: print the final words
            out.write(result.text + "\n")
        for change in result.changes:
            out.write(f"  - {change}\n")
        for line in checklist_plain(result.brief):   # what was asked, item by item (✓ ≈ ✗)
            out.write(line + "\n")
        summary = timeline_summary(result.draft)
        if summary and intent is Intent.CHAT and not any(summary in change for change in result.changes):
            out.write(summary + "\n")
        if result.video is not None:
            path = Path(result.video.path or target)
            if args.output and path.resolve() != target.resolve():  # an identical export's file: put it here
                path = await result.video.adownload(target)   # a link or a copy; DownloadError if it cannot be
            info = video_info(path, duration=result.video.duration)
            out.write(f"Saved {path} ({info}) in {format_elapsed(time.monotonic() - start)}\n")
        elif wants_video:
            out.write("No video was rendered.\n")
        out.flush()
        return 0
    finally:
        notice = engine_notice(conversations.nemo) if conversations.has_client else None
        await conversations.aclose()
        if notice:
            err.write(notice + "\n")


def main(argv: list[str] | None = None, *, out: TextIO | None = None, err: TextIO | None = None) -> int:
    out = out or sys.stdout
    err = err or sys.stderr
    args = parse_cli(argv)
    os.environ.setdefault("NEMO_ENGINE_IDLE", str(CLI_ENGINE_IDLE_S))  # read where the engine is started
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

