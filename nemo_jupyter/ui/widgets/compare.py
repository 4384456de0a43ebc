"""``CompareWidget``: several prompts (or one prompt on several backends) side by side.

Every column has its own conversation (its own backend session). All columns run at
once as tasks on the client's background loop, so N turns that each wait on the network
take about as long as the slowest one, and the kernel's main thread stays free. When all
are done, :attr:`CompareWidget.results` is a pandas DataFrame and the videos play side by
side.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import math
import threading
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import anywidget
import traitlets

from ...client.exceptions import NemoError
from ._base import Throttle, css, draft_dict, esm, redact
from .chat import MAX_TEXT, WIDGET_HINTS, output_path
from .video import VideoSource

MIN_COLUMNS, MAX_COLUMNS = 2, 6

RESULT_COLUMNS = ["prompt", "backend", "time_to_draft_s", "time_to_render_s", "tracks", "duration_s",
                  "credits_used", "status"]


def _draft_stats(draft: Any) -> tuple[int, float]:
    """(tracks with segments, duration in seconds) of a draft."""
    try:
        raw = draft_dict(draft) or {}
    except (TypeError, ValueError):
        return 0, math.nan
    tracks = [t for t in raw.get("t") or [] if isinstance(t, dict) and t.get("sg")]
    try:
        duration = float(raw.get("d") or 0) / 1000.0
    except (TypeError, ValueError):
        duration = 0.0
    if not duration:
        ends = [float(s.get("st", 0) or 0) + float(s.get("d", 0) or 0) for t in tracks for s in t["sg"]
                if isinstance(s, dict)]
        duration = max(ends, default=0.0) / 1000.0
    return len(tracks), duration or math.nan


class CompareWidget(anywidget.AnyWidget):
    """Run 2-6 prompts at once, each in its own session, and compare replies, timings and videos.

    ``CompareWidget(["a forest at dawn", "a city at night", "the ocean"])`` starts at once
    (``start=False`` to call :meth:`start` later). ``backends`` is one backend for all, or
    one per prompt ("local", "cloud", a URL). ``export=False`` stops after the drafts.
    ``wait()`` blocks until all are done and returns :attr:`results`.
    """

    _esm = esm("compare")
    _css = css("nemo")

    columns = traitlets.List(traitlets.Dict()).tag(sync=True)
    done = traitlets.Bool(False).tag(sync=True)
    summary = traitlets.Unicode("").tag(sync=True)

    def __init__(self, prompts: Sequence[str], *, backends: str | Sequence[str | None] | None = None,
                 export: bool = True, quality: str = "preview", outputs: str | Path = "nemo_outputs",
                 conversations: Sequence[Any] | None = None, start: bool = True, reply_hz: float = 3.0,
                 **kwargs: Any) -> None:
        super().__init__(**kwargs)
        if isinstance(prompts, str):
            prompts = [p for p in (line.strip() for line in prompts.splitlines()) if p]
        prompts = [str(p).strip() for p in prompts]
        if len(prompts) == 1 and backends is not None and not isinstance(backends, str) and len(backends) > 1:
            prompts = prompts * len(backends)  # one prompt on several backends
        if not (MIN_COLUMNS <= len(prompts) <= MAX_COLUMNS):
            raise ValueError(f"CompareWidget needs {MIN_COLUMNS} to {MAX_COLUMNS} prompts, got {len(prompts)}: "
                             "pass a list such as ['a forest at dawn', 'a city at night'].")
        if any(not p for p in prompts):
            raise ValueError("Every prompt needs some text: remove the empty one.")
        if backends is None or isinstance(backends, str):
            backend_list: list[str | None] = [backends] * len(prompts)  # type: ignore[list-item]
        else:
            backend_list = list(backends)
            if len(backend_list) != len(prompts):
                raise ValueError(f"Give one backend per prompt ({len(prompts)}), or a single one for all; "
                                 f"got {len(backend_list)}.")
        self.prompts = prompts
        self.export_videos = export
        self.quality = quality
        self.outputs = Path(outputs)
        self._reply_hz = reply_hz
        self._lock = threading.RLock()
        self._future: concurrent.futures.Future[Any] | None = None
        self._sources: dict[int, VideoSource] = {}
        self._rows: list[dict[str, Any]] = [{} for _ in prompts]
        self.videos: list[Any] = [None] * len(prompts)
        self.replies: list[Any] = [None] * len(prompts)
        if conversations is not None:
            if len(conversations) != len(prompts):
                raise ValueError("Give one conversation per prompt.")
            self.conversations = list(conversations)
        else:
            self.conversations = self._make_conversations(backend_list)
        self._shared_accounts = self._account_sharing()
        self.columns = [
            {"prompt": p, "backend": redact(str(getattr(c, "badge", "") or "nemo")), "reply": "",
             "status": "waiting", "activity": "", "progress": -1.0, "error": "", "elapsed": 0.0,
             "video": {}}
            for p, c in zip(prompts, self.conversations, strict=True)
        ]
        self.on_msg(self._on_front_msg)
        if start:
            self.start()

    @classmethod
    def against_backends(cls, prompt: str, backends: Sequence[str | None], **kwargs: Any) -> CompareWidget:
        """One prompt on several backends, e.g. ``["local", "http://127.0.0.1:9000"]``."""
        return cls([prompt] * len(backends), backends=list(backends), **kwargs)

    # -- setup ---------------------------------------------------------------------------------
    def _make_conversations(self, backends: list[str | None]) -> list[Any]:
        from ...conversation import Conversations

        registries: dict[str | None, Any] = {}
        out = []
        for i, backend in enumerate(backends):
            registry = registries.get(backend)
            if registry is None:
                registry = registries[backend] = Conversations(backend, hints=WIDGET_HINTS)
            out.append(registry.get(f"compare-{i + 1}"))
        return out

    def _account_sharing(self) -> list[bool]:
        ids = [id(getattr(c, "nemo", c)) for c in self.conversations]
        return [ids.count(x) > 1 for x in ids]

    def __repr__(self) -> str:
        states = ", ".join(f"{c['prompt'][:30]!r}: {c['status']}" for c in self.columns)
        return f"CompareWidget({states})"

    # -- public API ----------------------------------------------------------------------------
    def start(self) -> concurrent.futures.Future[Any]:
        """Start every column (once)."""
        from ...client.loop import submit

        with self._lock:
            if self._future is None:
                self._future = submit(self._run_all())
            return self._future

    def wait(self, timeout: float | None = None) -> Any:
        """Block until every column is done; returns :attr:`results`."""
        future = self.start()
        with contextlib.suppress(concurrent.futures.CancelledError):
            future.result(timeout)
        return self.results

    def cancel(self) -> None:
        """Stop every running column."""
        for conv in self.conversations:
            conv.cancel()

    @property
    def results(self) -> Any:
        """A DataFrame: prompt, backend, time_to_draft_s, time_to_render_s, tracks, duration_s, credits_used."""
        import pandas as pd

        rows = []
        for col, row in zip(self.columns, self._rows, strict=True):
            rows.append({
                "prompt": col["prompt"],
                "backend": col["backend"],
                "time_to_draft_s": row.get("time_to_draft_s", math.nan),
                "time_to_render_s": row.get("time_to_render_s", math.nan),
                "tracks": row.get("tracks", 0),
                "duration_s": row.get("duration_s", math.nan),
                "credits_used": row.get("credits_used", math.nan),
                "status": col["status"],
            })
        frame = pd.DataFrame(rows, columns=RESULT_COLUMNS)
        frame.attrs["credits_used_total"] = getattr(self, "_credits_total", None)
        return frame

    # -- running -------------------------------------------------------------------------------
    def _update(self, i: int, **values: Any) -> None:
        with self._lock:
            cols = [dict(c) for c in self.columns]
            cols[i].update(values)
            self.columns = cols

    async def _credits(self, conv: Any) -> float | None:
        try:
            value = await conv.credits()
        except Exception:
            return None
        available = getattr(value, "available", value)
        return float(available) if isinstance(available, (int, float)) else None

    async def _run_all(self) -> None:
        start = time.monotonic()
        # columns sharing one account (one client) are charged together: measure that account once
        shared = [c for c, s in zip(self.conversations, self._shared_accounts, strict=True) if s]
        before = await self._credits(shared[0]) if shared else None
        await asyncio.gather(*(self._run_one(i) for i in range(len(self.prompts))), return_exceptions=True)
        total = None
        if shared and before is not None:
            after = await self._credits(shared[0])
            if after is not None:
                total = before - after
        self._credits_total = total
        n_ok = sum(1 for c in self.columns if c["status"] == "done")
        with self._lock:
            self.summary = (f"{n_ok} of {len(self.prompts)} finished in {time.monotonic() - start:.1f} s"
                            + (f" · {total:g} credits used in all" if total else ""))
            self.done = True

    async def _run_one(self, i: int) -> None:
        from ...client.exceptions import RenderCancelled
        from ...conversation import TurnCancelled

        conv = self.conversations[i]
        prompt = self.prompts[i]
        t0 = time.monotonic()
        row = self._rows[i]
        own_before = None if self._shared_accounts[i] else await self._credits(conv)
        throttle = Throttle(lambda text: self._update(i, reply=redact(str(text))[:MAX_TEXT]), hz=self._reply_hz)

        def on_update(update: Any) -> None:
            kind = getattr(update, "kind", "")
            elapsed = round(time.monotonic() - t0, 1)
            if kind == "text":
                throttle.offer(update.text or "")
            elif kind in ("tool", "notice") and (update.tool or update.notice):
                self._update(i, activity=redact(str(update.tool or update.notice)), elapsed=elapsed)
            elif kind == "heartbeat":
                self._update(i, activity=f"still working ({int(elapsed)}s)", elapsed=elapsed)
            elif kind == "progress":
                pct = update.percent if update.percent is not None else -1.0
                self._update(i, progress=float(pct), activity=redact(str(update.tool or "rendering…")),
                             elapsed=elapsed)

        self._update(i, status="drafting", activity="sending…")
        try:
            result = await conv.run(prompt, on_update=on_update)
            throttle.flush()
            self.replies[i] = result
            row["time_to_draft_s"] = round(time.monotonic() - t0, 2)
            tracks, duration = _draft_stats(getattr(result, "draft", None))
            row["tracks"], row["duration_s"] = tracks, duration
            self._update(i, reply=redact(str(getattr(result, "text", "") or ""))[:MAX_TEXT],
                         status="rendering" if self.export_videos else "done", activity="",
                         elapsed=round(time.monotonic() - t0, 1))
            if self.export_videos:
                t1 = time.monotonic()
                video = await conv.export(quality=self.quality, on_update=on_update,
                                          path=output_path(f"compare-{i + 1}", self.outputs))
                row["time_to_render_s"] = round(time.monotonic() - t1, 2)
                self.videos[i] = video
                if getattr(video, "duration", None):
                    row["duration_s"] = float(video.duration)
                source = VideoSource(video)
                self._sources[i] = source
                self._update(i, status="done", activity="", progress=-1.0, video=source.traits(),
                             elapsed=round(time.monotonic() - t0, 1))
        except (TurnCancelled, RenderCancelled):
            throttle.flush()
            self._update(i, status="cancelled", activity="cancelled", progress=-1.0)
        except Exception as exc:  # shown in the column; one failing prompt must not stop the others
            throttle.flush()
            if not isinstance(exc, (NemoError, OSError, ValueError)):
                exc = NemoError(f"{type(exc).__name__}: {exc}")
            self._update(i, status="error", error=redact(str(exc)), activity="", progress=-1.0)
        finally:
            if own_before is not None:
                after = await self._credits(conv)
                if after is not None:
                    row["credits_used"] = own_before - after

    def _on_front_msg(self, _widget: Any, content: Any, _buffers: Any) -> None:
        if not isinstance(content, dict):
            return
        column = content.get("column")
        source = self._sources.get(column) if isinstance(column, int) else None
        if source is None:
            return
        answer = source.answer(content)
        if answer is not None:
            msg, buffers = answer
            self.send({**msg, "column": column}, buffers or None)
