"""One video per row: :class:`Batch` runs one conversation per row of a table, as many at once
as the backend takes, and keeps each row's outcome so that a re-run does only what changed.

- **Rows at once.** An engine says how many renders it runs at once (its render lanes, or the
  slots of its Dask cluster: ``/health``'s ``render_slots``); a batch keeps about twice that many
  rows going, so the engine's queue never runs dry while the next rows talk and download. The
  cloud says nothing: four rows at once (its rate limits answer 429, which the client waits out).
  ``concurrency=`` sets it.
- **Failures stay in their row.** A row that fails (a photo that is not there, a prompt the
  backend cannot make a video of, a render that fails) ends ``failed`` with its reason; the
  others go on.
- **Re-runs do only the rest.** Each row has a key (:class:`~.batch_rows.RowStore`): a row done
  under the same key before, its file still there, is shown again (``reused``), nothing sent.
  A row started but not finished (a kernel restarted mid-batch), or asked again with other render
  settings, runs in a conversation whose chain is the one before (its place holds what the row
  asks), so its upload and turn are replayed, not sent again, and its render, still running on the
  backend, is picked up.
- **Costs first.** On a charging backend the batch says what it typically costs before sending
  anything and refuses a batch over ``max_credits``; rows stop starting before they would pass
  it. Chat turns (what is charged) go one at a time there, so each row's credits are its own;
  renders (free) still overlap.

The state is plain data (:class:`~.batch_rows.RowRun` per row, :meth:`Batch.summary`); front
ends draw it (``ui/gallery.py``) and :meth:`Batch.results` is the DataFrame ``-o VAR`` keeps.
"""

from __future__ import annotations

import asyncio
import contextlib
import math
import os
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..client.draft import Draft
from ..client.exceptions import NemoError, RenderCancelled, TurnCancelled
from ..client.models import Credits, RenderOptions
from ..client.secrets import get_logger
from ..client.uploads import check_files
from .batch_rows import BatchRow, Checklist, RowRun, RowStore, captions_vtt, cues_of
from .costs import GENERATION_COST, CostKeeper
from .memory import upload_fingerprint
from .orchestrator import Conversation
from .progress import Progress, fold
from .protocols import ChatClient
from .replay import ReplayStore, chain, root_key
from .results import TurnUpdate
from .words import Hints, is_zh

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

__all__ = ["CLOUD_CONCURRENCY", "COLUMNS", "Batch", "BatchSummary"]

log = get_logger("nemo_jupyter.conversation")

NAN = math.nan
CLOUD_CONCURRENCY = 4      # rows at once on a backend that does not say (the cloud)
MAX_CONCURRENCY = 32

#: the columns a batch adds after the row's own (a row's column of the same name becomes ``<name>_row``)
COLUMNS = ["prompt", "status", "reason", "title", "duration_s", "file", "captions_file", "transcript", "checklist",
           "credits", "reused", "conversation", "elapsed_s"]

_WORDS: dict[str, tuple[str, str]] = {   # key: (English, Chinese)
    "cost": ("This batch makes {n} new video(s): typically about {total} credits ({each} each); "
             "{available} available.",
             "这批要生成 {n} 个新视频：通常约需 {total} 积分（每个 {each}）；可用 {available}。"),
    "over": ("This batch makes {n} new video(s), typically about {total} credits, over the limit of {limit}.",
             "这批要生成 {n} 个新视频，通常约需 {total} 积分，超过了上限 {limit}。"),
    "over_hint": ("Raise the limit (--max-credits N), or run fewer rows (say, words.head(5)): rows made "
                  "before cost nothing again.",
                  "提高上限（--max-credits N），或少跑几行（例如 words.head(5)）：已经做好的行不会再花积分。"),
    "cap": ("not run: it would pass the batch's limit of {limit} credits ({spent} spent so far)",
            "未运行：会超过这批的上限 {limit} 积分（已花 {spent}）"),
    "no_video": ("the backend made no video of this prompt: {reply}",
                 "后端没有为这条提示生成视频：{reply}"),
    "cancelled": ("stopped before it finished (its render, if one started, keeps going: run the cell "
                  "again to pick it up)",
                  "在完成前停止了（已开始的渲染会继续：再运行这个单元格即可取回）"),
}


def _say(zh: bool, key: str, **kw: object) -> str:
    return _WORDS[key][1 if zh else 0].format(**kw)


@dataclass(frozen=True)
class BatchSummary:
    """The whole batch in numbers: rows done (``reused`` of them kept from before), running,
    queued, failed, skipped or cancelled, and an estimate of the seconds left (None until a row
    has finished here)."""

    total: int
    done: int
    reused: int
    running: int
    queued: int
    failed: int
    skipped: int
    cancelled: int
    elapsed_s: float
    eta_s: float | None

    @property
    def finished(self) -> bool:
        return self.running == 0 and self.queued == 0


class Batch:
    """The rows of one batch, each in a conversation of its own (see the module's docstring).

    ``name`` names the batch (the table's variable): row ``cat`` of batch ``words`` talks in
    conversation ``words/cat``; ``adopt(conversation)`` is called with each conversation made
    (the magics put it in their registry, so ``%nemo use words/cat`` edits that video).
    ``path_for(row, draft)`` says where a row's MP4 goes. ``store`` (the replay store) keeps
    rows for re-runs; ``place`` (the notebook) is part of every key. ``on_change()`` is called
    on the client's loop whenever a row changed; all methods run on that loop.
    """

    def __init__(self, rows: Sequence[BatchRow], nemo: ChatClient, *, name: str = "batch",
                 store: ReplayStore | None = None, place: str = "", hints: Hints | None = None,
                 export: bool = True, options: RenderOptions | None = None,
                 path_for: Callable[[BatchRow, Draft | None], Path] | None = None,
                 concurrency: int | None = None, max_credits: float | None = None, fresh: bool = False,
                 template: str = "", adopt: Callable[[Conversation], object] | None = None,
                 on_change: Callable[[], None] | None = None) -> None:
        names = [r.name for r in rows]
        if len(set(names)) != len(names):
            raise ValueError("Two rows have the same name: give each row its own (a name column, or the index).")
        self.runs = [RowRun(r) for r in rows]
        self.nemo = nemo
        self.name = name
        self.store = store
        self.place = place
        self.hints = hints
        self.export = export
        self.options = options or RenderOptions()
        self.path_for = path_for
        self.concurrency = concurrency
        self.max_credits = max_credits
        self.fresh = fresh
        self.template = template
        self.adopt = adopt or (lambda _conv: None)
        self.on_change = on_change or (lambda: None)
        self.zh = is_zh(template or (rows[0].prompt if rows else ""))
        self.costs = CostKeeper(nemo, hints)
        self.cost_line: str | None = None       # said before anything is sent (charging backends)
        self.credits_before: Credits | None = None
        self.credits_total: float | None = None
        self.running_at_once = 0
        self.conversations: dict[str, Conversation] = {}
        self.started: float | None = None
        self.first_start: float | None = None
        self.finished_at: float | None = None
        self._rows_store: RowStore | None = None
        self._spent = 0.0
        self._task: asyncio.Future[Any] | None = None

    # -- the state ---------------------------------------------------------------------------------
    def summary(self) -> BatchSummary:
        count = {s: 0 for s in ("queued", "done", "failed", "skipped", "cancelled")}
        running = reused = 0
        for r in self.runs:
            if r.running:
                running += 1
            else:
                count[r.status] = count.get(r.status, 0) + 1
            reused += r.reused
        now = self.finished_at or time.monotonic()
        elapsed = now - self.started if self.started is not None else 0.0
        made = [r for r in self.runs if r.status == "done" and not r.reused]
        eta = None
        left = running + count["queued"]
        if made and self.first_start is not None and left:
            rate = len(made) / max(now - self.first_start, 1e-3)   # rows finished per second, so far
            eta = left / rate
        return BatchSummary(total=len(self.runs), done=count["done"], reused=reused, running=running,
                            queued=count["queued"], failed=count["failed"], skipped=count["skipped"],
                            cancelled=count["cancelled"], elapsed_s=round(elapsed, 2), eta_s=eta)

    def failures(self) -> list[RowRun]:
        return [r for r in self.runs if r.status in ("failed", "skipped", "cancelled")]

    def _set(self, run: RowRun, **values: Any) -> None:
        for key, value in values.items():
            setattr(run, key, value)
        self.on_change()

    # -- running --------------------------------------------------------------------------------
    async def run(self) -> None:
        """Every row (those done before are reused); returns when each has ended one way or another.

        Raises :class:`~nemo_jupyter.NemoError` before sending anything when the batch typically
        costs more than ``max_credits``."""
        self.started = time.monotonic()
        root = root_key(await self.nemo.backend_key(), self.place, "batch")
        self._rows_store = RowStore(self.store, root)   # --fresh: nothing reused, but what is made is kept
        for run in self.runs:
            run.key = self._rows_store.key(run.row, self.options, export=self.export)
            run.ask = self._rows_store.turn_key(run.row)
            entry = None if self.fresh else self._rows_store.done(run.key, export=self.export)
            if entry is not None:
                run.load(entry)
                run.conversation = self._conversation_name(run.row)
                await self._reattach(run)
        todo = [r for r in self.runs if not r.reused]
        self.on_change()
        await self._cost_first(len(todo))
        self.running_at_once = await self._at_once()
        gate = asyncio.Semaphore(self.running_at_once)
        charging = asyncio.Lock() if self.costs.charges else None
        self._task = asyncio.ensure_future(asyncio.gather(*(self._row(r, gate, charging) for r in todo),
                                                          return_exceptions=True))
        try:
            await self._task
        finally:
            self.finished_at = time.monotonic()
            for r in self.runs:
                if not r.final:   # stopped from outside (an interrupted cell)
                    r.status, r.reason = "cancelled", _say(self.zh, "cancelled")
            if self.credits_before is not None:
                after = await self.costs.balance()
                if after is not None and isinstance(after.available, (int, float)):
                    self.credits_total = max(float(self.credits_before.available) - float(after.available), 0.0)
            elif not self.costs.charges:
                self.credits_total = 0.0
            self.on_change()

    async def _cost_first(self, new_videos: int) -> None:
        if not new_videos or not self.costs.charges:
            return
        credits = await self.costs.balance()
        if not self.costs.charges:       # the backend said it is free
            return
        total = new_videos * GENERATION_COST
        if self.max_credits is not None and total > self.max_credits:
            raise NemoError(_say(self.zh, "over", n=new_videos, total=total, limit=f"{self.max_credits:g}"),
                            hint=_say(self.zh, "over_hint"))
        self.credits_before = credits
        available = credits.available if credits is not None else "?"
        self.cost_line = _say(self.zh, "cost", n=new_videos, total=total, each=GENERATION_COST, available=available)
        self.on_change()

    async def _at_once(self) -> int:
        if self.concurrency:
            return max(1, min(int(self.concurrency), MAX_CONCURRENCY))
        if self.nemo.backend == "cloud":
            return CLOUD_CONCURRENCY
        slots = await self.nemo.render_slots()
        return min(2 * slots + 1, MAX_CONCURRENCY) if slots else CLOUD_CONCURRENCY

    def _conversation_name(self, row: BatchRow) -> str:
        return f"{self.name}/{row.name}"

    def _conversation(self, run: RowRun) -> Conversation:
        """The row's conversation: its chain starts from what the row asks, so the same ask run again
        (after a restart, or rendered another way) replays its upload and turn instead of sending them."""
        place = f"{self.place}\x1fbatch-row\x1f{run.ask}"
        if self.fresh:
            place += f"\x1f{time.time_ns()}"
        conv = Conversation(self.nemo, self._conversation_name(run.row), hints=self.hints, store=self.store,
                            place=place)
        self.conversations[run.row.name] = conv
        self.adopt(conv)
        return conv

    async def _reattach(self, run: RowRun) -> None:
        """A reused row's conversation, standing just after its turn (replayed from the store: nothing
        is sent), so ``%nemo use <batch>/<row>`` edits its video, after a kernel restart too."""
        if self.store is None:
            return
        conv = self._conversation(run)
        memory, row = conv.memory, run.row
        try:
            parent = await memory.parent_for(None)
            if row.uploads:   # replayed only when each step is in the store: never sent from here
                local = [str(Path(p).expanduser()) for p in row.local_uploads()]
                parent = chain(parent, "upload", upload_fingerprint(local, row.url_uploads()))
                if (memory.entry(parent) or {}).get("kind") != "upload":
                    return
            if (memory.entry(chain(parent, "chat", row.prompt)) or {}).get("kind") != "chat":
                return
            if row.uploads:
                await conv.upload(row.local_uploads(), row.url_uploads())
            await conv.run(row.prompt, invite_export=False)
        except NemoError as exc:   # the row is reused all the same; only its conversation stays unplaced
            log.debug("the conversation of row %r was not placed: %s", row.name, exc)

    def _over_cap(self) -> bool:
        return self.max_credits is not None and self.costs.charges and \
            self._spent + GENERATION_COST > self.max_credits

    async def _row(self, run: RowRun, gate: asyncio.Semaphore, charging: asyncio.Lock | None) -> None:
        async with gate:
            run.started = time.monotonic()
            self.first_start = self.first_start or run.started
            conv = self._conversation(run)
            run.conversation = conv.name
            follow = self._follower(run)
            try:
                await self._make(run, conv, follow, charging)
            except _OverCap:
                self._set(run, status="skipped", activity="",
                          reason=_say(self.zh, "cap", limit=f"{self.max_credits:g}", spent=f"{self._spent:g}"))
            except asyncio.CancelledError:
                self._set(run, status="cancelled", reason=_say(self.zh, "cancelled"), percent=None, activity="")
                raise
            except (TurnCancelled, RenderCancelled):
                self._set(run, status="cancelled", reason=_say(self.zh, "cancelled"), percent=None, activity="")
            except Exception as exc:   # the row's own failure: listed with its reason, the others go on
                log.debug("batch row %r failed: %s: %s", run.row.name, type(exc).__name__, exc)
                self._set(run, status="failed", reason=str(exc) or type(exc).__name__, percent=None, activity="")
            finally:
                run.elapsed_s = round(time.monotonic() - run.started, 2)

    async def _make(self, run: RowRun, conv: Conversation, follow: Callable[[TurnUpdate], None],
                    charging: asyncio.Lock | None) -> None:
        row = run.row
        local = row.local_uploads()
        if local:   # every file checked before anything is sent (a missing photo is this row's failure)
            check_files(local, max_bytes=self.nemo.settings.max_upload_bytes)
        if row.uploads:
            self._set(run, status="uploading", activity="uploading…")
            await conv.upload(local, row.url_uploads(), on_update=follow)
        self._set(run, status="drafting", activity="sending…")
        async with charging if charging is not None else contextlib.nullcontext():
            if self._over_cap():   # checked here: the turns before this one have said what they cost
                raise _OverCap
            result = await conv.run(row.prompt, on_update=follow, fresh=self.fresh, invite_export=not self.export)
        if result.credits_spent is not None:
            run.credits = float(result.credits_spent)
            self._spent += run.credits
        elif not self.costs.charges:
            run.credits = 0.0
        draft = result.draft
        run.reply, run.session_id = result.text, result.session_id
        if draft is None or draft.is_empty:
            raise NemoError(_say(self.zh, "no_video", reply=" ".join(result.text.split())[:300]))
        run.title = (draft.title or "").strip()
        run.cues = cues_of(draft)
        run.duration_s = float(draft.duration or 0) or NAN
        run.checklist = Checklist(result.brief)
        if self.export:
            self._set(run, status="rendering", activity="submitting the render…", percent=0.0)
            path_for = self.path_for
            video = await conv.export(options=self.options, on_update=follow,
                                      path=None if path_for is None else (lambda d: path_for(row, d)))
            if video.path is not None:
                run.file = str(Path(video.path).resolve())
                run.captions_file = self._write_captions(run)
            if video.duration:
                run.duration_s = float(video.duration)
        run.status = "done"
        if self._rows_store is not None:
            self._rows_store.put(run)   # kept before it shows as done: a row shown done is never made again
        self._set(run, activity="", percent=None)

    @staticmethod
    def _write_captions(run: RowRun) -> str:
        """The row's captions (what is heard) as WebVTT beside its MP4 ("" when nothing is heard)."""
        text = captions_vtt(run.cues)
        if not text or not run.file:
            return ""
        path = Path(run.file).with_suffix(".vtt")
        try:
            path.write_text(text, encoding="utf-8")
        except OSError as exc:
            log.debug("could not write %s: %s", path, exc)
            return ""
        return str(path)

    def _follower(self, run: RowRun) -> Callable[[TurnUpdate], None]:
        """Fold a row's updates with the one reducer; the row shows its activity and render progress."""
        state = Progress()

        def on_update(update: TurnUpdate) -> None:
            nonlocal state
            state = fold(state, update)
            if state.kind == "progress" and run.status == "rendering":
                self._set(run, percent=None if state.waiting else state.percent,
                          activity=state.render_line or state.tool or "")
            elif state.kind in ("tool", "notice") and state.activity and run.status != "rendering":
                self._set(run, activity=state.activity)
        return on_update

    def cancel(self, *, render: bool = True) -> None:
        """Stop every row still running (``render=False``: stop waiting; renders keep going on the
        backend and a re-run picks them up). Rows not started end ``cancelled``."""
        for conv in list(self.conversations.values()):
            conv.cancel(render=render)
        if self._task is not None and not self._task.done():
            self._task.cancel()

    # -- the result ---------------------------------------------------------------------------------
    def results(self) -> pd.DataFrame:
        """One row per row of the table, indexed by the row's name: its fields, then :data:`COLUMNS`.
        ``attrs`` hold the batch's name, template, wall time, rows at once and the credits spent."""
        import pandas as pd

        records = []
        for r in self.runs:
            own = {(k if k not in COLUMNS else f"{k}_row"): v for k, v in r.row.fields.items()}
            records.append({**own, "prompt": r.row.prompt, "status": r.status, "reason": r.reason,
                            "title": r.title, "duration_s": r.duration_s, "file": _shown_path(r.file),
                            "captions_file": _shown_path(r.captions_file), "transcript": r.transcript,
                            "checklist": r.checklist, "credits": r.credits,
                            "reused": r.reused, "conversation": r.conversation, "elapsed_s": r.elapsed_s})
        frame = pd.DataFrame(records, index=pd.Index([r.row.name for r in self.runs], name="row"))
        summary = self.summary()
        frame.attrs.update({"nemo_batch": self.name, "template": self.template, "elapsed_s": summary.elapsed_s,
                            "rows_at_once": self.running_at_once, "credits_used_total": self.credits_total,
                            "reused": summary.reused, "failed": summary.failed})
        return frame


class _OverCap(Exception):
    """The row's turn would pass the batch's credit limit: it is skipped."""


def _shown_path(path: str) -> str:
    """A file as a notebook links it: relative to the working directory when under it."""
    if not path:
        return ""
    try:
        rel = Path(os.path.abspath(path)).relative_to(Path.cwd().resolve())
    except ValueError:
        return path
    return rel.as_posix()
