"""One argument grammar for ``%%nemo``, ``%nemo SUBCOMMAND`` and ``python -m nemo_jupyter``.

Each front end parses its words into a typed object (as jupyter-ai's ``%%ai`` does): the
cell line into :class:`CellArgs`, a line magic into :class:`LineArgs`, the command line into
:class:`CliArgs`. The options they share (render quality, resolution, timeout, embedding,
the conversation's name) are declared once here, so the magic and the CLI cannot drift apart
(manim's lesson). Nothing here imports IPython: the magics turn :class:`ArgumentsError` into
IPython's ``UsageError``.
"""

from __future__ import annotations

import argparse
from dataclasses import dataclass, field
from pathlib import Path

from .._version import __version__
from ..client.models import QUALITIES, RESOLUTIONS, RenderOptions
from ..conversation.routing import shell_words

__all__ = [
    "QUALITIES",
    "RESOLUTIONS",
    "SUBCOMMANDS",
    "ArgumentsError",
    "CellArgs",
    "CliArgs",
    "HelpShown",
    "LineArgs",
    "RenderOptions",
    "cell_parser",
    "cli_parser",
    "parse_cell",
    "parse_cli",
    "parse_line",
    "split_line",
    "sub_parser",
]

SUBCOMMANDS: dict[str, str] = {
    "help": "list these subcommands (each takes --help); help scenes: what the engine can draw",
    "credits": "show the credits left on the backend",
    "status": "show the current timeline (alias: timeline)",
    "timeline": "show the current timeline as a table and a one-line summary",
    "upload": "upload files or URLs to the conversation: %nemo upload PATH|URL ...",
    "new": "start a fresh video: %nemo new [NAME] creates conversation NAME and switches to it",
    "sessions": "list the conversations of this kernel (%%nemo -s NAME starts another)",
    "use": "make NAME the current conversation: %nemo use NAME",
    "backend": "show the backend in use, or switch: %nemo backend [local|cloud|URL]",
    "jobs": "list unfinished renders (kept across kernel restarts); --resume ID gets one, --cancel ID stops it",
    "versions": "the draft's versions: version, cell, change, when (the current one marked)",
    "undo": "go back to the previous version (%nemo undo N: to version N); nothing is sent or spent",
    "export": "render the current draft to MP4 and show it here",
    "config": "show the settings (change them with %config NemoMagics.<name> = ...)",
    "chat": "open the chat widget (prompt box, streaming reply, Cancel)",
    "compare": "compare prompts side by side (cell form: one prompt per line)",
    "pack": "write a lesson pack: %nemo pack PATH.html [VAR] (a batch, a comparison, or every video)",
}
_WITH_SESSION = ("status", "timeline", "credits", "export", "upload", "jobs", "chat", "versions", "undo")
_WITH_OUTPUT = ("sessions", "jobs", "config", "backend", "upload", "versions", "credits")


class ArgumentsError(ValueError):
    """The words do not parse; the message says what is wrong and shows the usage."""


class HelpShown(Exception):
    """``--help`` was asked for and printed: nothing else to do."""


# -- the typed results ----------------------------------------------------------------------------


@dataclass(frozen=True)
class _Common:
    """What the cell line and the subcommands share: the conversation, an output variable, render options
    (the client's value object: ``None`` fields are the front end's default, a NemoMagics setting) and
    whether to embed the video (``None``: the setting)."""

    session: str | None = None
    output: str | None = None          # the variable that gets the result (-o VAR)
    render: RenderOptions = field(default_factory=RenderOptions)
    embed: bool | None = None


@dataclass(frozen=True)
class CellArgs(_Common):
    """``%%nemo [-x] [-s NAME] [-o VAR] [--no-interpolate] [render options]``."""

    export: bool = False
    interpolate: bool | None = None
    fresh: bool = False                # ask again even if the cell ran before unchanged
    max_credits: float | None = None   # refuse a turn that typically costs more
    each: str | None = None            # --each VAR: one video per row of VAR
    uploads: tuple[str, ...] = ()      # --upload COL: the columns whose files each row uploads first
    concurrency: int | None = None     # --concurrency N: rows at once (default: what the backend takes)
    type: str = "cell"


@dataclass(frozen=True)
class LineArgs(_Common):
    """``%nemo SUBCOMMAND ...``: ``command`` names the subcommand, the other fields its arguments."""

    command: str = "help"
    items: tuple[str, ...] = ()        # upload: PATH|URL ...
    prompts: tuple[str, ...] = ()      # compare: PROMPT ...
    backends: tuple[str, ...] = ()     # compare --backends a,b
    name: str | None = None            # use NAME
    spec: str | None = None            # backend [local|cloud|URL]
    topic: str | None = None           # help [SUBCOMMAND]
    resume: str | None = None          # jobs --resume ID
    cancel: str | None = None          # jobs --cancel ID
    version: int | None = None         # undo [N]
    path: str | None = None            # pack PATH.html
    source: str | None = None          # pack [VAR]
    title: str | None = None           # pack --title
    edit: bool = False                 # timeline --edit: the timeline widget, to edit by hand
    type: str = "line"


@dataclass(frozen=True)
class CliArgs:
    """``python -m nemo_jupyter "PROMPT" [-o PATH] [--backend B] [--no-export] [render options] [-q]``."""

    prompt: str
    output: Path | None = None
    backend: str | None = None
    export: bool = True
    quiet: bool = False
    render: RenderOptions = field(default_factory=RenderOptions)
    type: str = "cli"


# -- the grammar ----------------------------------------------------------------------------------


class _Parser(argparse.ArgumentParser):
    """argparse that raises :class:`ArgumentsError` instead of exiting, and prints --help."""

    def __init__(self, *args: object, **kw: object) -> None:
        kw.setdefault("add_help", False)
        super().__init__(*args, **kw)  # type: ignore[arg-type]
        self.add_argument("-h", "--help", action="store_true", help="show this help and exit")

    def error(self, message: str) -> None:  # type: ignore[override]
        raise ArgumentsError(f"{self.prog}: {message}\n{self.format_usage().strip()}  (see {self.prog} --help)")

    def parse(self, argv: list[str]) -> argparse.Namespace:
        if "-h" in argv or "--help" in argv:
            print(self.format_help())
            raise HelpShown
        ns = self.parse_args(argv)
        if ns.help:
            print(self.format_help())
            raise HelpShown
        return ns


def _add_render_options(p: argparse.ArgumentParser, *, embed: bool = True, quality_default: str | None = None,
                        timeout_default: float | None = None) -> None:
    where = f"default {quality_default}" if quality_default else "default: NemoMagics.quality"
    p.add_argument("--quality", choices=QUALITIES, default=quality_default, help=f"render quality ({where})")
    p.add_argument("--resolution", choices=RESOLUTIONS, default=None, help="output resolution")
    if embed:
        p.add_argument("--embed", action="store_true", default=None,
                       help="embed the MP4 in the notebook (base64) instead of linking the file")
    tail = f" (default {timeout_default:g})" if timeout_default else ""
    p.add_argument("--timeout", type=float, default=timeout_default,
                   help=f"give up waiting for the render after N seconds{tail}")


def _add_session(p: argparse.ArgumentParser, help: str = "the conversation to use") -> None:
    p.add_argument("-s", "--session", metavar="NAME", default=None, help=help)


def _render(ns: argparse.Namespace) -> RenderOptions:
    return RenderOptions(quality=getattr(ns, "quality", None), resolution=getattr(ns, "resolution", None),
                         timeout=getattr(ns, "timeout", None))


def cell_parser() -> _Parser:
    p = _Parser(prog="%%nemo", description="Send the cell to NemoVideo; the reply streams in below.",
                epilog="Line subcommands: %nemo help")
    p.add_argument("-x", "--export", action="store_true", help="render the result to MP4 and show it in the cell")
    _add_session(p, "use the conversation NAME (several can run side by side)")
    p.add_argument("-o", "--output", metavar="VAR", default=None, help="store the reply in the variable VAR")
    p.add_argument("--no-interpolate", dest="interpolate", action="store_false", default=None,
                   help="send {braces} exactly as typed")
    p.add_argument("--fresh", action="store_true",
                   help="ask the backend again even if this cell ran before unchanged (may spend credits)")
    p.add_argument("--max-credits", type=float, default=None, metavar="N",
                   help="refuse the turn if it typically costs more than N credits (default: NemoMagics.max_credits); "
                        "with --each, the whole batch")
    p.add_argument("--each", metavar="VAR", default=None,
                   help="one video per row of VAR (a DataFrame or a list of dicts): the cell is a template, "
                        "{column} is the row's value")
    p.add_argument("--upload", metavar="COL", action="append", default=None,
                   help="with --each: a column of files (paths or URLs) each row uploads first "
                        "(default: photo, image, logo, clip, audio, music, script columns)")
    p.add_argument("--concurrency", type=int, default=None, metavar="N",
                   help="with --each: rows at once (default: what the backend runs at once)")
    _add_render_options(p)
    return p


def sub_parser(name: str) -> _Parser:
    p = _Parser(prog=f"%nemo {name}", description=SUBCOMMANDS[name])
    if name in _WITH_SESSION:
        _add_session(p)
    if name in _WITH_OUTPUT:
        p.add_argument("-o", "--output", metavar="VAR", default=None, help="also store the answer in VAR")
    if name == "upload":
        p.add_argument("items", nargs="*", metavar="PATH|URL", help="files or http(s) URLs")
    elif name == "use":
        p.add_argument("name", metavar="NAME", help="conversation name")
    elif name == "backend":
        p.add_argument("spec", nargs="?", metavar="local|cloud|URL", help="switch to this backend")
    elif name == "jobs":
        p.add_argument("--resume", metavar="ID", default=None, help="wait for this job and show its video")
        p.add_argument("--cancel", metavar="ID", default=None, help="stop this render")
        _add_render_options(p)
    elif name == "new":
        p.add_argument("name", nargs="?", metavar="NAME", help="the new conversation (default: restart the current one)")
        p.add_argument("-s", "--session", dest="session", metavar="NAME", default=None, help=argparse.SUPPRESS)
    elif name == "undo":
        p.add_argument("version", nargs="?", type=int, metavar="N", help="the version to go back to")
    elif name in ("status", "timeline"):
        p.add_argument("--edit", action="store_true",
                       help="the timeline as a widget to edit by hand: drag bars and their edges, edit a text, "
                            "delete a segment (each edit a version: %%nemo undo brings the one before back)")
    elif name == "export":
        _add_render_options(p)
        p.add_argument("-o", "--output", metavar="VAR", default=None, help="store the result in VAR")
    elif name == "help":
        p.add_argument("topic", nargs="?", help="a subcommand, or scenes: what the backend can draw")
    elif name == "pack":
        p.add_argument("path", metavar="PATH.html", help="the page to write (its videos go in PATH_files/)")
        p.add_argument("source", nargs="?", metavar="VAR",
                       help="a batch's DataFrame or a comparison (default: every video of this notebook)")
        p.add_argument("--title", default=None, help="the page's title")
        p.add_argument("--embed", action="store_true", default=None,
                       help="put the videos inside the page (one file to hand out) when they are small enough")
    elif name == "compare":
        p.add_argument("prompts", nargs="*", metavar="PROMPT", help="prompts (or one per line in the cell)")
        p.add_argument("--backends", default=None, help="comma-separated backends to compare one prompt on")
    return p


def cli_parser() -> argparse.ArgumentParser:
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
    _add_render_options(p, embed=False, quality_default="high", timeout_default=900.0)
    p.add_argument("-q", "--quiet", action="store_true", help="print only the result lines")
    p.add_argument("--version", action="version", version=f"nemo_jupyter {__version__}")
    return p


# -- parsing --------------------------------------------------------------------------------------


def split_line(line: str, *, windows: bool | None = None) -> list[str]:
    """A magic's line as shell words, quotes removed (``upload "a b.png"`` is one path, also
    ``C:\\My Photos\\a.png`` on Windows: see :func:`~..conversation.routing.shell_words`);
    unbalanced quotes are an :class:`ArgumentsError`."""
    try:
        return shell_words(line, windows=windows)
    except ValueError as exc:
        raise ArgumentsError(f"%nemo: cannot read the arguments ({exc}); check the quotes.") from None


def parse_cell(argv: list[str]) -> CellArgs:
    ns = cell_parser().parse(argv)
    if ns.concurrency is not None and ns.concurrency < 1:
        raise ArgumentsError("%%nemo: --concurrency must be at least 1.")
    uploads = tuple(c.strip() for value in (ns.upload or []) for c in value.split(",") if c.strip())
    if uploads and not ns.each:
        raise ArgumentsError("%%nemo: --upload names columns of the table given with --each VAR.")
    if ns.each and ns.session:
        raise ArgumentsError(f"%%nemo: with --each each row has its own conversation ({ns.each}/<row name>); "
                             "leave -s out.")
    if ns.each and ns.interpolate is False:
        raise ArgumentsError("%%nemo: --each fills the template from each row; with --no-interpolate every row "
                             "would send the same words. Write {{braces}} for braces you want sent as they are.")
    return CellArgs(export=ns.export, session=ns.session, output=ns.output, interpolate=ns.interpolate,
                    render=_render(ns), embed=ns.embed, fresh=ns.fresh, max_credits=ns.max_credits,
                    each=ns.each, uploads=uploads, concurrency=ns.concurrency)


def parse_line(name: str, argv: list[str]) -> LineArgs:
    """``%nemo NAME ARGV...`` (``name`` must be one of :data:`SUBCOMMANDS`)."""
    ns = sub_parser(name).parse(argv)
    backends = tuple(b.strip() for b in (getattr(ns, "backends", None) or "").split(",") if b.strip())
    return LineArgs(command=name, session=getattr(ns, "session", None), items=tuple(getattr(ns, "items", ())),
                    prompts=tuple(getattr(ns, "prompts", ())), backends=backends, name=getattr(ns, "name", None),
                    spec=getattr(ns, "spec", None), topic=getattr(ns, "topic", None),
                    resume=getattr(ns, "resume", None), cancel=getattr(ns, "cancel", None),
                    version=getattr(ns, "version", None), output=getattr(ns, "output", None), render=_render(ns),
                    embed=getattr(ns, "embed", None), edit=bool(getattr(ns, "edit", False)),
                    path=getattr(ns, "path", None), source=getattr(ns, "source", None), title=getattr(ns, "title", None))


def parse_cli(argv: list[str] | None) -> CliArgs:
    """The command line (argparse's own exits: status 2 on bad arguments, 0 after --help)."""
    ns = cli_parser().parse_args(argv)
    return CliArgs(prompt=ns.prompt, output=Path(ns.output) if ns.output else None, backend=ns.backend,
                   export=ns.export, quiet=ns.quiet, render=_render(ns))
