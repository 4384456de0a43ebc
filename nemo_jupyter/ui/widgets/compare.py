"""``CompareWidget``: takes side by side, in a grid that helps choose.

The running, timing and charging of the takes is :class:`~nemo_jupyter.conversation.compare.
Comparison` (conversation layer); this widget maps its state to traits and turns clicks into
calls. Each column shows its player, its timeline with the segments no other take has
outlined, what differs from the others (``Draft.diff``), a star and a note; the bar plays,
pauses and scrubs every player together. ``blind=True`` shuffles the columns and hides
prompts, titles, replies and backends until :meth:`reveal`; each person's ranking is
collected by the widget and :attr:`tally` is the DataFrame. :meth:`export_results` writes
the CSV and a self-contained HTML page (posters inlined, links to the files).
"""

from __future__ import annotations

import concurrent.futures
import contextlib
import random
import threading
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import anywidget
import traitlets

from ...client.models import Video
from ...conversation import Conversation, Conversations
from ...conversation.compare import Comparison, Take, take_name, tally
from ..naming import output_path
from ._base import Throttle, checklist_state, compact_timeline, css, esm, redact
from ._snapshot import (
    StaticCopy,
    checklist_block,
    esc,
    page,
    relative_link,
    spreadsheet_safe,
    table,
    video_block,
)
from .chat import MAX_TEXT, WIDGET_HINTS
from .video import VideoSource

MIN_COLUMNS, MAX_COLUMNS = 2, 6
#: the static copy's table: what fits beside a notebook (the CSV and ``results`` have every column)
TABLE_COLUMNS = ["take", "prompt", "title", "duration_s", "time_to_draft_s", "time_to_render_s", "status", "star",
                 "note", "file"]


class CompareWidget(StaticCopy, anywidget.AnyWidget):
    """Run 2-6 takes at once, each in its own session, and choose between them.

    ``CompareWidget(["a forest at dawn", "a city at night", "the ocean"])`` starts at once
    (``start=False`` to call :meth:`start` later). ``backends`` is one backend for all, or
    one per prompt ("local", "cloud", a URL). ``export=False`` stops after the drafts.
    :meth:`variations` runs N takes of one prompt; ``blind=True`` is for a class.
    ``wait()`` blocks until all are done and returns :attr:`results`.
    """

    _esm = esm("compare")
    _css = css("nemo")
    static_title = "Nemo comparison"

    columns = traitlets.List(traitlets.Dict()).tag(sync=True)
    done = traitlets.Bool(False).tag(sync=True)
    summary = traitlets.Unicode("").tag(sync=True)
    blind = traitlets.Bool(False).tag(sync=True)
    revealed = traitlets.Bool(False).tag(sync=True)
    rankings = traitlets.Int(0).tag(sync=True)  # how many people ranked (who and how stays in the kernel)
    tally_rows = traitlets.List(traitlets.Dict()).tag(sync=True)
    exported = traitlets.Dict({}).tag(sync=True)
    check_rows = traitlets.List(traitlets.Dict()).tag(sync=True)  # every checklist item of the takes, once

    def __init__(self, prompts: Sequence[str] | str, *, backends: str | Sequence[str | None] | None = None,
                 export: bool = True, quality: str = "preview", outputs: str | Path = "nemo_outputs",
                 conversations: Sequence[Conversation] | None = None, start: bool = True, reply_hz: float = 3.0,
                 blind: bool = False, seed: int | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        if isinstance(prompts, str):
            prompts = [p for p in (line.strip() for line in prompts.splitlines()) if p]
        prompt_list = [str(p).strip() for p in prompts]
        if len(prompt_list) == 1 and backends is not None and not isinstance(backends, str) and len(backends) > 1:
            prompt_list = prompt_list * len(backends)  # one prompt on several backends
        if not (MIN_COLUMNS <= len(prompt_list) <= MAX_COLUMNS):
            raise ValueError(f"CompareWidget needs {MIN_COLUMNS} to {MAX_COLUMNS} prompts, got {len(prompt_list)}: "
                             "pass a list such as ['a forest at dawn', 'a city at night'].")
        if any(not p for p in prompt_list):
            raise ValueError("Every prompt needs some text: remove the empty one.")
        if backends is None or isinstance(backends, str):
            backend_list: list[str | None] = [backends] * len(prompt_list)
        else:
            backend_list = list(backends)
            if len(backend_list) != len(prompt_list):
                raise ValueError(f"Give one backend per prompt ({len(prompt_list)}), or a single one for all; "
                                 f"got {len(backend_list)}.")
        if conversations is not None and len(conversations) != len(prompt_list):
            raise ValueError("Give one conversation per prompt.")
        self.prompts = prompt_list
        self.export_videos = export
        self.quality = quality
        self.outputs = Path(outputs)
        self.conversations = list(conversations) if conversations is not None else self._make(backend_list)
        self._lock = threading.RLock()
        self._future: concurrent.futures.Future[Any] | None = None
        self._sources: dict[int, VideoSource] = {}
        self._source_of: dict[int, Video] = {}
        self._diff_key: tuple[int, ...] = ()
        self._timelines: dict[int, tuple[int, dict[str, Any]]] = {}
        self._differs: list[list[dict[str, Any]]] = [[] for _ in prompt_list]
        self._rankings: list[dict[str, Any]] = []
        self.comparison = Comparison(prompt_list, self.conversations, export=export, quality=quality,
                                     path_for=self._path_for, on_change=self._changed)
        self.order = list(range(len(prompt_list)))
        if blind:
            random.Random(seed).shuffle(self.order)
        for position, index in enumerate(self.order):
            self.comparison.takes[index].position = position
        self.blind = blind
        self._throttle = Throttle(lambda _value: self._sync(), hz=reply_hz)
        self._sync()
        self.on_msg(self._on_front_msg)
        if start:
            self.start()

    @classmethod
    def against_backends(cls, prompt: str, backends: Sequence[str | None], **kwargs: Any) -> CompareWidget:
        """One prompt on several backends, e.g. ``["local", "http://127.0.0.1:9000"]``."""
        return cls([prompt] * len(backends), backends=list(backends), **kwargs)

    @classmethod
    def variations(cls, prompt: str, n: int = 3, **kwargs: Any) -> CompareWidget:
        """``n`` takes of one prompt side by side, each in a session of its own."""
        return cls([prompt] * n, **kwargs)

    def _make(self, backends: list[str | None]) -> list[Conversation]:
        registries: dict[str | None, Conversations] = {}
        out = []
        for i, backend in enumerate(backends):
            registry = registries.get(backend)
            if registry is None:
                registry = registries[backend] = Conversations(backend, hints=WIDGET_HINTS)
            out.append(registry.get(f"compare-{i + 1}"))
        return out

    def _path_for(self, take: Take, quality: str) -> Path:
        title = take.facts()["title"] if take.draft is not None else ""
        label = f"{title or 'compare'}-{take.name.split()[-1].lower()}" + ("" if quality == self.quality else f"-{quality}")
        return output_path(label, self.outputs)

    def __repr__(self) -> str:
        states = ", ".join(f"{t.prompt[:30]!r}: {t.status}" for t in self.comparison.takes)
        return f"CompareWidget({states})"

    # -- public API ----------------------------------------------------------------------------
    @property
    def takes(self) -> list[Take]:
        return self.comparison.takes

    @property
    def videos(self) -> list[Video | None]:
        return [t.video for t in self.takes]

    def start(self) -> concurrent.futures.Future[Any]:
        """Start every take (once)."""
        from ...client.loop import submit

        with self._lock:
            if self._future is None:
                self._future = submit(self.comparison.run())
            return self._future

    def wait(self, timeout: float | None = None) -> Any:
        """Block until every take is done; returns :attr:`results`."""
        future = self.start()
        with contextlib.suppress(concurrent.futures.CancelledError):
            future.result(timeout)
        return self.results

    def cancel(self, take: int | None = None) -> bool:
        """Stop one take (by its index in ``prompts``) or every running one."""
        return self.comparison.cancel(take)

    def star(self, take: int, value: bool = True) -> None:
        """Mark take ``take`` (its index in ``prompts``) as a favourite, or not."""
        self.takes[take].star = bool(value)
        self._changed(take)

    def note(self, take: int, text: str) -> None:
        self.takes[take].note = redact(str(text))[:2000]
        self._changed(take)

    def render_high_quality(self, take: int, quality: str = "high") -> concurrent.futures.Future[Any]:
        """Render take ``take`` again at ``quality``; its column then plays that video."""
        from ...client.loop import submit

        return submit(self.comparison.render_high_quality(take, quality=quality))

    @property
    def results(self) -> Any:
        """A DataFrame, one row per take: prompt, title, aspect, captions, duration, timings, credits, file, star, note."""
        return self.comparison.results()

    def rank(self, voter: str, ranks: Sequence[int]) -> None:
        """One person's ranking: ``ranks[i]`` is the rank (1 = best) of the column shown ``i``-th."""
        n = len(self.takes)
        values = [int(r) for r in ranks]
        if sorted(values) != list(range(1, n + 1)):
            raise ValueError(f"Give each of the {n} takes a different rank from 1 to {n}.")
        by_take = [0] * n
        for position, rank in enumerate(values):
            by_take[self.order[position]] = rank
        self._rankings.append({"voter": str(voter)[:80] or f"person {len(self._rankings) + 1}", "ranks": by_take})
        self._changed(-1)

    @property
    def tally(self) -> Any:
        """The rankings so far as a DataFrame (Borda points, first places, mean rank), best first."""
        return tally(self._rankings, self.takes, reveal=self.revealed or not self.blind)

    @property
    def ballots(self) -> Any:
        """Every ranking collected: one row per person, one column per take."""
        import pandas as pd

        names = [take_name(p) for p in range(len(self.order))]  # as shown
        return pd.DataFrame([{"voter": r["voter"], **{names[p]: r["ranks"][i] for p, i in enumerate(self.order)}}
                             for r in self._rankings], columns=["voter", *names])

    def reveal(self) -> Any:
        """Show the names (prompts, titles, backends) and return the tally."""
        self.revealed = True
        self._changed(-1)
        return self.tally

    # -- state → traits ----------------------------------------------------------------------
    def _changed(self, index: int) -> None:
        key = tuple(id(t.draft) for t in self.takes)
        if key != self._diff_key:  # a draft came in: what sets each take apart changed
            self._diff_key = key
            self._differs = self.comparison.differences()
        self._throttle.offer(None)
        if index < 0 or self.takes[index].status in ("done", "error", "cancelled"):
            self._throttle.flush()
            if index < 0 or not any(t.running for t in self.takes):
                self.push_static()

    def _hidden(self) -> bool:
        return self.blind and not self.revealed

    def _timeline(self, take: Take) -> dict[str, Any]:
        if take.draft is None:
            return {}
        cached = self._timelines.get(take.index)
        if cached is not None and cached[0] == id(take.draft):
            return cached[1]
        data = compact_timeline(take.draft)
        self._timelines[take.index] = (id(take.draft), data)
        return data

    def _marked_timeline(self, take: Take) -> dict[str, Any]:
        """The compact timeline with ``differs`` on segments no other take has (same track type and label)."""
        data = self._timeline(take)
        if not data:
            return {}
        others: set[tuple[str, str]] = set()
        for t in self.takes:
            if t is not take:
                for tr in self._timeline(t).get("tracks", []):
                    others.update((tr["type"], s["label"]) for s in tr["segments"])
        tracks = [{**tr, "segments": [{**s, "differs": (tr["type"], s["label"]) not in others}
                                      for s in tr["segments"]]} for tr in data.get("tracks", [])]
        return {**data, "tracks": tracks}

    def _column(self, take: Take) -> dict[str, Any]:
        hidden = self._hidden()
        facts = take.facts()
        video = take.hq_video if take.hq_video is not None else take.video
        source = self._sources.get(take.index)
        if video is not None and self._source_of.get(take.index) is not video:
            try:
                source = self._sources[take.index] = VideoSource(video)
                self._source_of[take.index] = video
            except (FileNotFoundError, ValueError):
                source = None
        return {
            "name": take.name, "prompt": "" if hidden else take.prompt,
            "backend": "" if hidden else redact(take.backend),
            "reply": "" if hidden else redact(take.reply)[:MAX_TEXT], "status": take.status,
            "activity": redact(take.activity)[:200], "progress": take.progress, "error": redact(take.error)[:500],
            "queue_position": take.queue_position, "eta": take.eta, "title": "" if hidden else facts["title"],
            "aspect": facts["aspect"], "duration": None if facts["duration_s"] != facts["duration_s"] else facts["duration_s"],
            "render_s": None if take.render_s != take.render_s else take.render_s,
            "queue_s": None if take.queue_wait_s != take.queue_wait_s else take.queue_wait_s,
            "video": source.traits() if source is not None else {},
            "timeline": {**self._marked_timeline(take), "title": ""} if hidden and take.draft is not None
            else self._marked_timeline(take),
            "differs": [{"text": redact(str(d["text"]))[:200], "unique": d["unique"]} for d in self._differs[take.index]
                        if not (hidden and d.get("key") == "title")],
            "checklist": checklist_state(take.brief),
            "star": take.star, "note": take.note, "hq": {k: redact(str(v)) if isinstance(v, str) else v
                                                          for k, v in take.hq.items()},
        }

    def _sync(self) -> None:
        with self._lock, self.hold_sync():
            self.columns = [self._column(self.takes[i]) for i in self.order]
            self.check_rows = [{"key": key, "label": redact(label)[:200]} for key, label in self.comparison.check_items()]
            c = self.comparison
            n_ok = sum(1 for t in self.takes if t.status == "done")
            if c.done:
                credits = c.credits_total
                self.summary = (f"{n_ok} of {len(self.takes)} finished in {c.elapsed_s:.1f} s"
                                + (f" · {credits:g} credits used in all" if credits is not None else ""))
            else:
                self.summary = f"{n_ok} of {len(self.takes)} finished…"
            self.rankings = len(self._rankings)
            # the tally is shown at the reveal, so nobody ranks after seeing the others' votes
            rows = self.tally.to_dict("records") if self._rankings and (self.revealed or not self.blind) else []
            self.tally_rows = [{k: (None if isinstance(v, float) and v != v else v) for k, v in r.items()} for r in rows]
            self.done = c.done

    # -- export and the static copy ----------------------------------------------------------
    def _cards(self, base: Path | None) -> str:
        hidden = self._hidden()
        cards = []
        for i in self.order:
            t = self.takes[i]
            video = t.hq_video if t.hq_video is not None else t.video
            facts = t.facts()
            head = f"<strong>{esc(t.name)}</strong>{' ★' if t.star else ''}"
            bits = [] if hidden else [f"<div>{esc(t.prompt)}</div>"]
            if facts["title"] and not hidden:
                bits.append(f"<div>“{esc(facts['title'])}”</div>")
            bits.append(f"<div class='nemo-s-note'>{esc(t.status)}"
                        + (f" · {facts['duration_s']:.1f} s" if facts["duration_s"] == facts["duration_s"] else "")
                        + (f" · {esc(facts['aspect'])}" if facts["aspect"] else "") + "</div>")
            if video is not None:
                bits.append(video_block(video.path, video.url, video.duration, base=base, page=base is not None))
            bits.append(checklist_block(checklist_state(t.brief)))
            if t.note:
                bits.append(f"<div class='nemo-s-note'>Note: {esc(t.note)}</div>")
            cls = "nemo-s-col nemo-s-star" if t.star else "nemo-s-col"
            cards.append(f"<div class='{cls}'>{head}{''.join(bits)}</div>")
        return f"<div class='nemo-s-grid'>{''.join(cards)}</div>"

    def _table(self, base: Path | None) -> str:
        frame = self.results
        rows = []
        for position, i in enumerate(self.order):
            r = frame.iloc[i].to_dict()
            r["take"] = take_name(position)
            if self._hidden():
                r["prompt"] = r["title"] = "(hidden)"
            r["file"] = relative_link(r["file"], base) if r["file"] and not str(r["file"]).startswith("http") else r["file"]
            rows.append(r)
        return table(rows, TABLE_COLUMNS, wide=("prompt", "title", "note"))

    def static_body(self) -> str:
        return self._cards(None) + self._table(None) + f"<p class='nemo-s-note'>{esc(self.summary)}</p>"

    def static_text(self) -> str:
        return "Nemo comparison (static copy)\n" + "\n".join(
            f"{t.name}: {'(hidden)' if self._hidden() else t.prompt} [{t.status}]" for t in self.takes)

    def export_results(self, folder: str | Path | None = None, name: str | None = None) -> tuple[Path, Path]:
        """Write ``<name>.csv`` (the results) and ``<name>.html`` (a page with posters and links)."""
        folder = Path(folder) if folder is not None else self.outputs
        folder.mkdir(parents=True, exist_ok=True)
        stem = name or "comparison-" + time.strftime("%Y%m%d-%H%M%S")
        csv_path, html_path = folder / f"{stem}.csv", folder / f"{stem}.html"
        frame = self.results
        if self._hidden():
            frame = frame.assign(prompt="(hidden)", title="(hidden)", backend="")
        spreadsheet_safe(frame).to_csv(csv_path, index=False)   # no cell runs as a formula
        body = self._cards(folder) + self._table(folder) + f"<p>{esc(self.summary)}</p>"
        if self._rankings:
            body += "<h4>Rankings</h4>" + table(self.tally.to_dict("records"), list(self.tally.columns))
        html_path.write_text(page("Nemo comparison", body), encoding="utf-8")
        self.exported = {"csv": relative_link(csv_path), "html": relative_link(html_path)}
        return csv_path, html_path

    # -- the front end's clicks --------------------------------------------------------------
    def _on_front_msg(self, _widget: Any, content: Any, _buffers: Any) -> None:
        if not isinstance(content, dict):
            return
        kind = content.get("type")
        column = content.get("column")
        index = self.order[column] if isinstance(column, int) and 0 <= column < len(self.order) else None
        try:
            if kind == "snapshot?":
                self.push_static()
            elif kind == "star" and index is not None:
                self.star(index, bool(content.get("value")))
            elif kind == "note" and index is not None:
                self.note(index, str(content.get("text", "")))
            elif kind == "hq" and index is not None:
                self.render_high_quality(index)
            elif kind == "cancel":
                self.cancel(index)
            elif kind == "export":
                self.export_results()
            elif kind == "rank":
                self.rank(str(content.get("voter") or ""), list(content.get("ranks") or []))
            elif kind == "reveal":
                self.reveal()
            elif index is not None and index in self._sources:
                answer = self._sources[index].answer(content)
                if answer is not None:
                    msg, buffers = answer
                    self.send({**msg, "column": column}, buffers or None)
        except (ValueError, OSError) as exc:
            self.send({"type": "exported", "error": redact(str(exc))})
