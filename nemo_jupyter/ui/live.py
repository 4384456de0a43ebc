"""Live output while a turn runs: one state (:class:`~nemo_jupyter.conversation.Progress`), two sinks.

- :class:`TerminalLive` writes to a terminal: the reply as it streams, one line per new
  activity, "still working" every 10 s and the render's progress (a ``\\r`` bar on a TTY,
  a line every 20 % elsewhere). The command line and the magics in a terminal IPython use it.
- :class:`NotebookLive` redraws one notebook display handle at most ``hz`` times a second.

Both fold :class:`~nemo_jupyter.conversation.TurnUpdate`\\ s with the conversation layer's one
reducer and only draw the state; the widgets draw the same state as traits.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any, TextIO

from ..conversation import Progress, TurnUpdate, fold
from . import display as view

__all__ = ["Bundle", "Live", "NotebookLive", "TerminalLive"]

Bundle = dict[str, str]
"""A MIME bundle: ``{"text/plain": ..., "text/markdown": ...}``."""

BEAT_EVERY = 10.0  # seconds between "still working" lines in a terminal
PERCENT_STEP = 20.0  # a progress line every this many percent when the stream is not a TTY


class Live:
    """What the magics drive: ``feed`` updates, ``tick`` to redraw, ``final`` to leave the last word."""

    interval = 0.25

    def __init__(self) -> None:
        self.state = Progress()

    @property
    def text(self) -> str:
        return self.state.text

    def feed(self, update: TurnUpdate) -> None:
        before, self.state = self.state, fold(self.state, update)
        self.draw(before, self.state)

    def draw(self, before: Progress, state: Progress) -> None:
        """Show what changed from ``before`` to ``state``."""

    def tick(self, force: bool = False) -> None:
        """Redraw if it is time (sinks that redraw a handle)."""

    def final(self, bundle: Bundle) -> None:
        """Leave ``bundle`` as the last word of the turn."""


class TerminalLive(Live):
    """Streams the state to a terminal: reply text on ``out``, activity on ``err`` (default: ``out``).

    ``quiet`` prints nothing while the turn runs; ``bar`` draws the render's progress as one
    ``\\r``-redrawn line (default: when ``err`` is a TTY).
    """

    def __init__(self, out: TextIO, err: TextIO | None = None, *, quiet: bool = False,
                 bar: bool | None = None) -> None:
        super().__init__()
        self.out = out
        self.err = err if err is not None else out
        self.quiet = quiet
        self.bar = self.err.isatty() if bar is None else bar
        self.shown = ""          # the reply text written so far
        self.line_open = False   # the reply's last line has no newline yet
        self.bar_open = False
        self.last_beat = 0.0
        self.last_pct = -100.0

    def __call__(self, update: TurnUpdate) -> None:
        self.feed(update)

    def draw(self, before: Progress, state: Progress) -> None:
        if self.quiet:
            return
        if state.kind == "text" and state.text and state.text != before.text:  # streamed words only
            self._text(state.text)
        for tool in state.tools[len(before.tools):]:
            self._activity(f"  · {tool}\n")
        if state.kind == "heartbeat" and state.beat - self.last_beat >= BEAT_EVERY:
            self.last_beat = state.beat
            self._activity(f"  · still working ({view.format_elapsed(state.beat)})\n")
        if state.kind == "progress":
            self._progress(state)
        self.err.flush()

    def _text(self, text: str) -> None:
        self._end_bar()
        if text.startswith(self.shown):
            added = text[len(self.shown):]
        else:  # the backend replaced the streamed text
            added = ("\n" if self.line_open else "") + text
        if added:
            self.out.write(added)
            self.out.flush()
            self.line_open = not text.endswith("\n")
        self.shown = text

    def _progress(self, state: Progress) -> None:
        pct = state.percent if state.percent is not None else max(self.last_pct, 0.0)
        label = (state.render_line or state.tool or "rendering").rstrip("…")
        self._end_line()
        if self.bar:
            self.err.write("\r" + view.progress_text(pct, label))
            self.bar_open = True
        elif pct >= self.last_pct + PERCENT_STEP or pct >= 100 > self.last_pct:
            self.err.write(view.progress_text(pct, label) + "\n")
            self.last_pct = pct
        if pct >= 100:
            self._end_bar()

    def _activity(self, line: str) -> None:
        self._end_bar()
        self._end_line()
        self.err.write(line)

    def _end_bar(self) -> None:
        if self.bar_open:
            self.err.write("\n")
            self.bar_open = False

    def _end_line(self) -> None:
        """Activity lines may go to another stream: first end the reply's open line."""
        if self.line_open:
            self.out.write("\n")
            self.out.flush()
            self.line_open = False

    def finish_text(self) -> None:
        self._end_bar()
        self._end_line()

    def final(self, bundle: Bundle) -> None:
        plain = bundle.get("text/plain", "")
        self._end_bar()
        shown = self.shown.rstrip()   # the streamed reply (its trailing space aside) is not written twice
        if shown and plain.startswith(shown):
            self.out.write(plain[len(shown):])
        else:
            self._end_line()
            self.out.write(plain)
        if not plain.endswith("\n"):
            self.out.write("\n")
        self.line_open = False
        self.out.flush()


class NotebookLive(Live):
    """One display handle, redrawn at most ``hz`` times a second (and once a second for the clock)."""

    def __init__(self, hz: float, badge: str, display: Callable[..., Any]) -> None:
        super().__init__()
        self.interval = 1.0 / max(0.2, hz)
        self.badge = badge
        self.start = time.monotonic()
        self.dirty = True
        self.last_draw = 0.0
        self.draws = 0
        self.handle = display(self.bundle(), raw=True, display_id=True)

    def draw(self, before: Progress, state: Progress) -> None:
        self.dirty = True

    def bundle(self) -> Bundle:
        state = self.state
        elapsed = time.monotonic() - self.start
        if state.rendering:
            label = state.render_line or state.tool or "rendering"  # "queued · 2nd · ~12 s"
            body = f"<div>{view.escape_html(state.text)}</div>" if state.text else ""
            return {"text/html": body + view.progress_html(state.percent, label),
                    "text/plain": view.progress_text(state.percent, label.rstrip("…"))}
        return {
            "text/markdown": view.live_markdown(state.text, tool=state.tool, elapsed=elapsed,
                                                heartbeat=state.heartbeat, backend=self.badge),
            "text/plain": view.live_plain(state.text, tool=state.tool, elapsed=elapsed, heartbeat=state.heartbeat),
        }

    def tick(self, force: bool = False) -> None:
        now = time.monotonic()
        if now - self.last_draw < self.interval and not force:
            return
        if not self.dirty and not force and now - self.last_draw < 1.0:
            return  # nothing new; the elapsed counter still ticks once a second
        self.handle.update(self.bundle(), raw=True)
        self.draws += 1
        self.last_draw = now
        self.dirty = False

    def final(self, bundle: Bundle) -> None:
        self.handle.update(bundle, raw=True)
        self.draws += 1
