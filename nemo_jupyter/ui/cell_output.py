"""What a ``%%nemo`` cell shows under itself once a turn is over: the reply, the credits spent,
the readable timeline, the storyboard strip and the video (linked or embedded).

Each is one ``display`` call with ``text/html`` (or Markdown) and ``text/plain``, so a notebook,
a terminal IPython and nbconvert all show something readable.
"""

from __future__ import annotations

import dataclasses
import html
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, Protocol

from IPython.display import display as _ipy_display

from ..client.draft import Draft
from ..client.loop import run_sync
from ..client.models import Brief, Video
from ..client.storyboard import attribution_html
from ..conversation import Conversation, Intent, TurnResult
from ..conversation.words import memory_text
from . import display as view
from . import timeline_table
from .live import Live
from .notebook_words import preview_note

__all__ = ["NemoReply", "Player", "cannot_serve_files", "display", "failed_bundle", "show_checklist", "show_player",
           "show_result", "show_timeline", "show_video"]

display: Callable[..., Any] = _ipy_display  # IPython's display() is untyped


@dataclasses.dataclass(repr=False)
class NemoReply(TurnResult):
    """A :class:`~nemo_jupyter.conversation.TurnResult` returned by the magic.

    The magic already drew it in the cell, so its first display as the cell's value
    is skipped (``_`` and ``Out`` still hold it); later displays show it in full.
    """

    video_path: str | None = None

    def __post_init__(self) -> None:
        self._skip_display = True

    def _ipython_display_(self) -> None:
        if self.__dict__.get("_skip_display"):
            self._skip_display = False
            return
        display(self._repr_mimebundle_(), raw=True)

    @classmethod
    def of(cls, result: TurnResult, **extra: Any) -> NemoReply:
        own = vars(result)
        fields = {f.name: own[f.name] for f in dataclasses.fields(TurnResult)}
        return cls(**fields, **extra)


def failed_bundle(live: Live) -> dict[str, str]:
    """The live text so far, and that the turn failed (the error follows below the cell)."""
    text = live.text or ""
    md = (view.escape_markdown(text) + "\n\n" if text else "") + "*The turn failed (see the error below).*"
    return {"text/markdown": md, "text/plain": (text + "\n" if text else "") + "The turn failed."}


def show_result(result: TurnResult, live: Live, conv: Conversation | None, *, embed: bool,
                timeline_shown: bool = False, checklist_shown: bool = False,
                player: Player | None = None) -> NemoReply:
    """The final reply in the live display, then the checklist, the timeline, the strip and the video it
    calls for (into ``player``, the one that played the preview, when there is one)."""
    md = view.result_markdown(result, checklist=False)
    plain = view.result_plain(result, checklist=False)
    spent = credits_line(result)
    if spent:
        md, plain = md + "\n\n" + view.escape_markdown(spent), plain + "\n" + spent
    live.final({"text/markdown": md, "text/plain": plain})
    if not checklist_shown:
        show_checklist(result)
    wants = result.intent in (Intent.STATUS, Intent.UNDO) or (
        result.intent is Intent.CHAT and bool(result.changes or result.reused))
    if wants and result.draft is not None:
        if not timeline_shown:
            show_timeline(result.draft, zh=result.zh)
        if conv is not None and result.video is None and result.changes and not result.reused:
            show_storyboard(conv)
    video_path = None
    if result.video is not None:
        video_path = show_video(result.video, None, embed=embed, player=player)
    return NemoReply.of(result, video_path=video_path)


def show_checklist(brief: TurnResult | Brief | None) -> None:
    """Under the reply: what the message asked, item by item (✓ ≈ ✗), one line when all is done."""
    if isinstance(brief, TurnResult):
        brief = brief.brief
    table = view.checklist_html(brief)
    if table:
        display({"text/html": table, "text/plain": view.checklist_text(brief)}, raw=True)


def credits_line(result: TurnResult) -> str | None:
    """What the turn cost and what is left (nothing for a replayed turn or a free backend)."""
    if result.credits_spent is None or result.reused:
        return None
    spent = memory_text(result.zh, "spent", spent=result.credits_spent, available=result.credits_left)
    return f"{result.cost_line}. {spent}" if result.cost_line else spent


def show_timeline(draft: Draft, *, zh: bool = False) -> None:
    """The one-line summary and the readable table of the draft."""
    summary = timeline_table.summary(draft, zh=zh)
    table = timeline_table.table_html(draft, zh=zh)
    plain = summary + ("\n" + timeline_table.table_text(draft, zh=zh) if table else "")
    display({"text/html": f"<p><b>{html.escape(summary)}</b></p>{table}", "text/plain": plain}, raw=True)


def show_storyboard(conv: Conversation) -> None:
    """The draft's storyboard strip, the moment the draft exists (small: it is kept in the notebook)."""
    board = run_sync(conv.storyboard(width=160))
    if board is not None:
        display({"text/html": board._repr_html_(), "text/plain": str(board)}, raw=True)


class Player(Protocol):
    """A player already under the cell (the preview's :class:`~nemo_jupyter.widgets.VideoWidget`)."""

    note: str

    def show(self, video: Video | str | os.PathLike[str] | None = None, *, stage: str = ..., note: str = ...) -> None: ...


def show_player(video: Video, *, zh: bool = False) -> Player | None:
    """A player under the cell, playing ``video`` (a preview, said so under it) until the
    full-quality file is swapped into it; None where widgets are not available."""
    try:
        from .widgets import VideoWidget

        player = VideoWidget(video, stage="preview", note=preview_note(zh))
    except (ImportError, FileNotFoundError, ValueError):
        return None
    display(player)
    return player


def show_video(video: Video, path: Path | None, *, embed: bool, player: Player | None = None) -> str | None:
    """The player (a link to the file beside the notebook, or embedded); returns the path shown.
    ``player``: the one that played the preview takes the final file (the same player, no second one)."""
    local = video.path or path
    if player is not None and local is not None and Path(local).exists() and not embed:
        player.show(Path(local), stage="final")
        try:
            return Path(os.path.abspath(local)).relative_to(Path.cwd().resolve()).as_posix()
        except ValueError:
            return str(local)
    if local is None or not Path(local).exists():
        url = video.url if video.url and video.url.lower().startswith(("http://", "https://")) else None
        display({"text/plain": f"Video: {url or 'not available'}",
                 "text/html": f'<a href="{view.html_attr(url)}">video</a>' if url else "<em>video not available</em>"},
                raw=True)
        return None
    local = Path(local)
    rel = None
    try:
        rel = Path(os.path.abspath(local)).relative_to(Path.cwd().resolve()).as_posix()
    except ValueError:
        embed = True  # outside the notebook's folder: the front end cannot serve it
    info = view.video_info(local, duration=video.duration)
    plain = f"Video saved to {rel or local} ({info})"
    credit = view.video_credit(local)  # the art's CC BY-SA credit, when the video shows OpenMoji art
    display({"text/html": view.video_html(local, rel_url=rel, embed=embed) + f"<div><small>{info}</small></div>"
             + attribution_html(credit), "text/plain": plain + (f"\n{credit}" if credit else "")}, raw=True)
    return str(rel or local)


def cannot_serve_files() -> bool:
    """Front ends that do not serve files beside the notebook by relative URL: Colab and VS Code."""
    return "google.colab" in sys.modules or bool(os.environ.get("VSCODE_PID") or os.environ.get("VSCODE_CWD"))
