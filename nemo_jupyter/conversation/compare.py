"""Comparison: several takes run at once, timed, charged and told apart.

A take is one prompt in one conversation (its own backend session). :class:`Comparison` runs
every take as a task on the caller's loop: the turn, then (``export=True``) the render and
the download. It measures what a person choosing between takes needs, honestly:

- ``time_to_draft_s``: from sending the prompt to the reply;
- ``queue_wait_s``: from submitting the render until the backend reports it running
  (``pending`` → ``processing`` in the job polls; the queue position while it waits);
- ``time_to_render_s``: from the render's own start to its finish, so three equal renders that
  queue behind each other report three equal times;
- ``credits_used``: measured once per account; 0 when the balance did not move (a free
  engine); per take only when each take has an account of its own.

:meth:`Comparison.differences` says what sets each take apart from the others, in words
(:mod:`.takes`); each take's brief is its checklist, one column of :meth:`Comparison.results` per
item; :func:`tally` turns people's rankings into a DataFrame. Presentation (the
CompareWidget, the exported page) only draws this state.
"""

from __future__ import annotations

import asyncio
import math
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from ..client.draft import Draft
from ..client.exceptions import RenderCancelled, TurnCancelled
from ..client.models import Brief, Video
from ..client.secrets import get_logger
from .checklist import check_mark
from .orchestrator import Conversation
from .progress import Progress, fold
from .results import TurnUpdate
from .takes import differences

log = get_logger("nemo_jupyter.conversation")

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

NAN = math.nan

#: ``time_to_render_s`` is the render itself (start to finish); the queue is ``queue_wait_s``
RESULT_COLUMNS = ["prompt", "backend", "time_to_draft_s", "time_to_render_s", "tracks", "duration_s",
                  "credits_used", "queue_wait_s", "take", "title", "aspect", "captions", "file", "hq_file",
                  "status", "star", "note"]

RUNNING = ("waiting", "drafting", "queued", "rendering")


def take_name(i: int) -> str:
    """``Take A``, ``Take B``, ... (``Take AA`` past Z)."""
    letters = ""
    n = i
    while True:
        letters = chr(65 + n % 26) + letters
        n = n // 26 - 1
        if n < 0:
            return f"Take {letters}"


class RenderClock:
    """Times one render from the folded progress state: queue wait first, then the render itself."""

    def __init__(self) -> None:
        self.submitted = time.monotonic()
        self.started: float | None = None
        self.finished: float | None = None

    def update(self, state: Progress) -> None:
        now = time.monotonic()
        status = state.status
        if self.started is None and (status == "processing" or (status is None and (state.percent or 0) > 0
                                                                 and state.tool == "rendering…")):
            self.started = now
        if self.finished is None and (status == "completed" or state.tool == "rendered"):
            self.finished = now
            if self.started is None:  # finished between two polls: the wait cannot be told apart
                self.started = self.submitted

    @property
    def queue_wait_s(self) -> float:
        return round(self.started - self.submitted, 2) if self.started is not None else NAN

    @property
    def render_s(self) -> float:
        if self.finished is None:
            return NAN
        return round(self.finished - (self.started if self.started is not None else self.submitted), 2)


@dataclass
class Take:
    """One column of a comparison: its prompt, its state while it runs and what came out."""

    index: int
    prompt: str
    conversation: Conversation
    status: str = "waiting"  # waiting | drafting | queued | rendering | done | error | cancelled
    reply: str = ""
    activity: str = ""
    progress: float = -1.0
    error: str = ""
    queue_position: int | None = None
    eta: str = ""  # while queued or rendering: "2nd · ~12 s", "~8 s left" (Progress.eta)
    draft: Draft | None = None
    brief: Brief | None = None  # what the prompt asked, item by item, with each item's outcome
    video: Video | None = None
    time_to_draft_s: float = NAN
    queue_wait_s: float = NAN
    render_s: float = NAN
    credits_used: float = NAN
    star: bool = False
    note: str = ""
    hq: dict[str, str | float] = field(default_factory=dict)  # status, progress, eta, error, file
    hq_video: Video | None = None
    position: int = -1  # where it is shown (blind mode shuffles); its name follows it

    @property
    def name(self) -> str:
        return take_name(self.index if self.position < 0 else self.position)

    @property
    def backend(self) -> str:
        """The take's backend, as its conversation shows it."""
        return self.conversation.badge

    @property
    def running(self) -> bool:
        return self.status in RUNNING

    def facts(self) -> dict[str, str | float | int]:
        """Title, aspect, captions, duration and track count read from the draft (and the video)."""
        d = self.draft
        captions: list[str] = []
        tracks = 0
        if d is not None:
            segments = list(d.segments())
            tracks = len({s.track for s in segments})
            for s in segments:
                text = (s.text or "").strip() if s.track_type == "text" else ""
                if text and text not in captions:
                    captions.append(text)
        duration = float((self.video.duration if self.video else 0) or 0) or float(d.duration if d else 0) or NAN
        return {"title": (d.title if d else "") or "", "aspect": (d.aspect if d else "") or "",
                "captions": " / ".join(captions), "duration_s": duration, "tracks": tracks}


class Comparison:
    """Run takes side by side; ``on_change(index)`` is called whenever take ``index`` changed
    (``-1`` for the whole comparison). All methods run on one event loop."""

    def __init__(self, prompts: Sequence[str], conversations: Sequence[Conversation], *, export: bool = True,
                 quality: str = "preview", path_for: Callable[[Take, str], Path | None] | None = None,
                 on_change: Callable[[int], None] | None = None) -> None:
        if len(prompts) != len(conversations):
            raise ValueError("Give one conversation per prompt.")
        self.takes = [Take(i, p, c) for i, (p, c) in enumerate(zip(prompts, conversations, strict=True))]
        self.export = export
        self.quality = quality
        self.path_for = path_for or (lambda _take, _quality: None)
        self.on_change = on_change or (lambda _i: None)
        self.credits_total: float | None = None
        self.elapsed_s: float = NAN
        self.done = False

    def _shared(self) -> list[bool]:
        """Per take: whether its account (its client) is shared with another take."""
        ids = [id(t.conversation.nemo) for t in self.takes]
        return [ids.count(x) > 1 for x in ids]

    # -- running ------------------------------------------------------------------------------
    def _set(self, take: Take, **values: object) -> None:
        for key, value in values.items():
            setattr(take, key, value)
        self.on_change(take.index)

    async def _balance(self, conv: Conversation) -> float | None:
        try:
            value = await conv.credits()
        except Exception as exc:  # a balance must never fail a comparison
            log.debug("reading the credits failed: %s: %s", type(exc).__name__, exc)
            return None
        available = value.available
        return float(available) if isinstance(available, (int, float)) else None

    async def run(self) -> None:
        """Every take at once; returns when all are finished, failed or cancelled."""
        start = time.monotonic()
        shares = self._shared()
        shared = [t.conversation for t, s in zip(self.takes, shares, strict=True) if s]
        before = await self._balance(shared[0]) if shared else None
        await asyncio.gather(*(self.run_take(t, own_account=not s) for t, s in zip(self.takes, shares, strict=True)),
                             return_exceptions=True)
        if shared and before is not None:
            after = await self._balance(shared[0])
            if after is not None:
                self.credits_total = max(before - after, 0.0)
                if self.credits_total == 0:  # nothing charged (a free engine): 0 for each, not "unknown"
                    for t, s in zip(self.takes, shares, strict=True):
                        if s:
                            t.credits_used = 0.0
        elif not shared:
            used = [t.credits_used for t in self.takes if not math.isnan(t.credits_used)]
            self.credits_total = sum(used) if used else None
        self.elapsed_s = round(time.monotonic() - start, 2)
        self.done = True
        self.on_change(-1)

    async def run_take(self, take: Take, *, own_account: bool = True) -> None:
        conv = take.conversation
        own_before = await self._balance(conv) if own_account else None
        t0 = time.monotonic()
        self._set(take, status="drafting", activity="sending…", error="")
        try:
            # the comparison renders next (when it exports): the reply does not invite an export
            result = await conv.run(take.prompt, on_update=self._follower(take, None), invite_export=not self.export)
            take.time_to_draft_s = round(time.monotonic() - t0, 2)
            take.draft, take.brief = result.draft, result.brief
            self._set(take, reply=result.text, activity="",
                      status="rendering" if self.export else "done")
            if self.export:
                clock = RenderClock()
                take.video = await conv.export(quality=self.quality, on_update=self._follower(take, clock),
                                               path=self.path_for(take, self.quality))
                take.queue_wait_s, take.render_s = clock.queue_wait_s, clock.render_s
                self._set(take, status="done", activity="", progress=-1.0, queue_position=None, eta="")
        except (TurnCancelled, RenderCancelled, asyncio.CancelledError):
            self._set(take, status="cancelled", activity="cancelled", progress=-1.0, queue_position=None, eta="")
        except Exception as exc:  # shown in the column; one failing take must not stop the others
            self._set(take, status="error", error=str(exc) or type(exc).__name__,
                      activity="", progress=-1.0, queue_position=None, eta="")
        finally:
            if own_before is not None:
                after = await self._balance(conv)
                if after is not None:
                    take.credits_used = max(own_before - after, 0.0)

    def _follower(self, take: Take, clock: RenderClock | None) -> Callable[[TurnUpdate], None]:
        """Fold the take's updates with the one reducer and map each state to the take."""
        state = Progress()

        def on_update(update: TurnUpdate) -> None:
            nonlocal state
            state = fold(state, update)
            if state.kind == "text":
                take.reply = state.text
                self.on_change(take.index)
            elif state.kind in ("tool", "notice") and state.activity:
                self._set(take, activity=state.activity)
            elif state.kind == "progress":
                if clock is not None:
                    clock.update(state)
                pct = -1.0 if state.waiting or state.percent is None else state.percent
                self._set(take, status="queued" if state.waiting else "rendering", progress=pct,
                          queue_position=state.queue_position, activity="" if state.waiting else (state.tool or ""),
                          eta=state.eta)
        return on_update

    def _hq_follower(self, take: Take) -> Callable[[TurnUpdate], None]:
        """The ``on_update`` of a take's high-quality render: its ``hq`` status, progress and the
        queue place and estimate in words, as the column's own render shows them."""
        state = Progress()

        def on_update(update: TurnUpdate) -> None:
            nonlocal state
            state = fold(state, update)
            if state.kind == "progress":
                pct = -1.0 if state.waiting or state.percent is None else state.percent
                self._set(take, hq={"status": "queued" if state.waiting else "rendering", "progress": pct,
                                    "eta": state.eta})
        return on_update

    def cancel(self, index: int | None = None) -> bool:
        """Stop one take (``index``) or every running one. True if something was running."""
        stopped = False
        for t in self.takes:
            if index is None or t.index == index:
                stopped = bool(t.conversation.cancel()) or stopped  # a turn, a render or a high-quality render
        return stopped

    async def render_high_quality(self, index: int, *, quality: str = "high") -> Video | None:
        """Render take ``index`` again at ``quality`` (its draft is still in its session)."""
        take = self.takes[index]
        if take.status != "done":
            raise ValueError(f"{take.name} is not finished yet: wait for it before the high-quality render.")
        self._set(take, hq={"status": "rendering", "progress": 0.0})
        try:
            video = await take.conversation.export(quality=quality, on_update=self._hq_follower(take),
                                                   path=self.path_for(take, quality))
        except Exception as exc:
            cancelled = isinstance(exc, (TurnCancelled, RenderCancelled))
            self._set(take, hq={"status": "cancelled" if cancelled else "failed", "error": "" if cancelled else str(exc)})
            return None
        take.hq_video = video
        self._set(take, hq={"status": "done", "file": video.path.name if video.path else str(video.url or "")})
        return video

    # -- telling them apart -------------------------------------------------------------------
    def differences(self, *, limit: int = 8) -> list[list[dict[str, str | bool]]]:
        """Per take, what sets its video apart from the others, in words (:func:`.takes.differences`:
        its length, shape, title, scenes, actors, captions, music, sounds, files; never keys or
        JSON). Each line is ``{"text", "unique"}``; ``unique`` when only this take has it."""
        zh = bool(self.takes) and all(t.conversation.zh for t in self.takes)   # a Chinese comparison
        return differences([t.draft for t in self.takes], zh=zh, limit=limit)

    def check_items(self) -> list[tuple[str, str]]:
        """Every item the takes' checklists hold, each once, in order: ``(key, label)`` (the key tells
        the same item apart across takes: what it is and its label; a label two items share, such
        as an actor and its colour, says which: ``red boat (colour)``)."""
        seen: dict[str, tuple[str, str]] = {}
        for t in self.takes:
            for item in t.brief.checklist if t.brief is not None else ():
                seen.setdefault(f"{item.what}|{item.label}", (item.label, item.what))
        labels = [label for label, _what in seen.values()]
        out: list[tuple[str, str]] = []
        used: set[str] = set()
        for key, (label, what) in seen.items():
            name = label if labels.count(label) == 1 or what in ("actor", "") else f"{label} ({what})"
            n, base = 2, name
            while name in used:
                name, n = f"{base} {n}", n + 1
            used.add(name)
            out.append((key, name))
        return out

    def results(self) -> pd.DataFrame:
        """One row per take (:data:`RESULT_COLUMNS`, then one ``check: <item>`` column per item of the
        takes' checklists: ``✓``, ``≈ <with what>``, ``✗ <why>``, or empty where a take was not asked
        it); ``attrs`` hold the totals. Prompts are whole (``to_html`` / the widget's table wrap them)."""

        rows = []
        for t in self.takes:
            facts = t.facts()
            path = t.video.path if t.video else None
            hq_path = t.hq_video.path if t.hq_video else None
            rows.append({
                "take": t.name, "prompt": t.prompt, "backend": t.backend, **facts,
                "time_to_draft_s": t.time_to_draft_s, "queue_wait_s": t.queue_wait_s, "time_to_render_s": t.render_s,
                "credits_used": t.credits_used,
                "file": str(path) if path else str((t.video.url if t.video else "") or ""),
                "hq_file": str(hq_path) if hq_path else "",
                "status": t.status, "star": t.star, "note": t.note,
            })
        items = self.check_items()
        for t, row in zip(self.takes, rows, strict=True):
            own = {f"{i.what}|{i.label}": i for i in (t.brief.checklist if t.brief is not None else ())}
            for key, label in items:
                item = own.get(key)
                row[f"check: {label}"] = "" if item is None else (
                    check_mark(item.status) + (f" {item.note}" if item.note else ""))
        frame = results_class()(rows, columns=[*RESULT_COLUMNS, *(f"check: {label}" for _k, label in items)])
        frame.attrs["credits_used_total"] = self.credits_total
        frame.attrs["elapsed_s"] = self.elapsed_s
        return frame


_RESULTS: list[type] = []


def results_class() -> type[pd.DataFrame]:
    """The DataFrame :meth:`Comparison.results` returns: a pandas DataFrame in every way, shown in a
    notebook whole (no prompt cut at 50 characters) as a table whose text columns wrap, every
    cell escaped."""
    if _RESULTS:
        return _RESULTS[0]
    import pandas as pd

    class ComparisonResults(pd.DataFrame):
        @property
        def _constructor(self) -> type[ComparisonResults]:
            return ComparisonResults

        def _repr_html_(self) -> str:
            wide = [c for c in self.columns if c in ("prompt", "title", "captions", "note", "file", "hq_file")
                    or str(c).startswith("check: ")]
            styler = self.style.format(escape="html", precision=2, na_rep="").hide(axis="index")
            styler = styler.format_index(escape="html", axis=1)
            styler = styler.set_properties(**{"text-align": "left", "vertical-align": "top"})
            if wide:
                styler = styler.set_properties(subset=wide, **{"white-space": "normal", "min-width": "12em",
                                                               "max-width": "30em", "overflow-wrap": "anywhere"})
            return str(styler.to_html())

    _RESULTS.append(ComparisonResults)
    return ComparisonResults


def tally(rankings: Sequence[Mapping[str, Sequence[int] | str]], takes: Sequence[Take], *, reveal: bool) -> pd.DataFrame:
    """People's rankings as a DataFrame: one row per take, best first.

    ``rankings``: ``{"voter", "ranks"}`` where ``ranks[i]`` is the rank (1 = best) given to
    take ``i``. Points are Borda counts (n - rank + 1 for n takes). The prompt is only in the
    table once ``reveal`` is true.
    """
    import pandas as pd

    n = len(takes)
    rows = []
    for t in takes:
        ranks = [int(r["ranks"][t.index]) for r in rankings if len(r.get("ranks", [])) == n]
        rows.append({
            "take": t.name,
            "prompt": t.prompt if reveal else "(hidden)",
            "points": sum(n - r + 1 for r in ranks),
            "first_places": sum(1 for r in ranks if r == 1),
            "mean_rank": round(sum(ranks) / len(ranks), 2) if ranks else NAN,
            "votes": len(ranks),
        })
    frame = pd.DataFrame(rows, columns=["take", "prompt", "points", "first_places", "mean_rank", "votes"])
    return frame.sort_values(["points", "first_places"], ascending=False, kind="stable").reset_index(drop=True)
