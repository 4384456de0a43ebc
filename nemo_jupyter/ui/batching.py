"""``%%nemo --each VAR`` and :func:`batch`: one video per row of a table, with one progress
display for the whole batch and a gallery of the rows at the end.

::

    %%nemo --each words -x --quality preview -o gallery
    a 10-second video of a {english}, with the title "{word}" and a narrator saying "{word}"

The cell is a template: ``{column}`` is the row's value (``{row['a column']}`` for a column
whose name is not a Python name), ``{var}`` a variable of the notebook, as in any ``%%nemo``
cell; nothing is evaluated, and a ``{name}`` that is neither is refused before anything is sent.
Each row runs in its own conversation (``VAR/<row name>``: a ``name`` column, else the index)
through :class:`~nemo_jupyter.conversation.batch.Batch`; a column of files (``photo``, ``image``,
``logo``, ``clip``, ``audio``, ``music``, ``script``, or any named with ``--upload COL``) is
uploaded by each row first. This module only turns the table into rows, drives the batch on the
client's loop and draws it (:mod:`.gallery`).
"""

from __future__ import annotations

import contextlib
import math
import os
import queue
import sys
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any, Protocol, TextIO

from IPython.core.error import UsageError
from IPython.display import display as _ipy_display

from ..client.draft import Draft
from ..client.exceptions import NemoError, TurnCancelled
from ..client.loop import submit
from ..client.models import RenderOptions, file_type_of
from ..client.secrets import get_logger, swallowed
from ..conversation import Conversations
from ..conversation.batch import Batch
from ..conversation.batch_rows import BatchRow
from ..conversation.words import is_zh
from . import naming
from .gallery import Gallery, final_bundle, progress_bundle, summary_text
from .interpolate import interpolate, unresolved

__all__ = ["KEPT", "UPLOAD_COLUMNS", "BatchHost", "batch", "make_rows", "run_cell", "running_magics"]

log = get_logger("nemo_jupyter.ui")

display: Callable[..., Any] = _ipy_display

#: columns whose files each row uploads before its prompt (when no ``--upload`` names them), and the
#: role each file plays in the video (``--upload`` columns: by the file's type)
UPLOAD_COLUMNS: dict[str, str] = {
    "photo": "photo", "photos": "photo", "image": "photo", "images": "photo", "picture": "photo",
    "pictures": "photo", "logo": "logo", "clip": "clip", "clips": "clip", "audio": "music", "music": "music",
    "script": "script", "product": "product", "screenshot": "screenshot", "background": "background"}
_ROLE_OF_TYPE = {"image": "photo", "video": "clip", "audio": "music", "text": "script"}
#: how a prompt names a row's file in its role (English, Chinese), when the template does not: a backend
#: uses an upload the prompt names ("with my photo"), not one it never mentions
_MENTION: dict[str, tuple[str, str, tuple[str, ...]]] = {   # role: (English, Chinese, words that name it already)
    "photo": (", with my photo", "，用我的照片", ("photo", "picture", "image", "selfie", "照片", "图片", "相片")),
    "logo": (", with my logo", "，加上我的logo", ("logo", "watermark", "标志", "水印")),
    "clip": (", with my clip", "，用我的视频片段", ("clip", "footage", "my video", "片段", "素材", "我的视频")),
    "music": (", with my music", "，用我的音乐", ("music", "song", "track", "audio", "音乐", "歌", "音频")),
    "script": (", with my script", "，用我的脚本", ("script", "my text", "my notes", "脚本", "文稿", "讲稿")),
    "product": (", with my product photo", "，用我的产品照片", ("product", "产品", "商品")),
    "screenshot": (", with my screenshot", "，用我的截图", ("screenshot", "screen", "截图", "截屏")),
    "background": (", with my picture as the background", "，用我的图片作为背景", ("background", "backdrop", "背景")),
}

KEPT: dict[str, Any] = {}
"""The batches of this kernel, by name, as DataFrames (``%nemo pack`` with no VAR packs them too)."""


class BatchHost(Protocol):
    """What a batch needs of the magics (:class:`~nemo_jupyter.ui.magics.NemoMagics`)."""

    conversations: Conversations
    output_dir: str
    refresh_hz: float
    max_credits: float
    replay: bool

    def ns(self) -> dict[str, Any]: ...

    def render_options(self, render: RenderOptions | None) -> RenderOptions: ...

    def embed_for(self, embed: bool | None) -> bool: ...


# -- the table as rows --------------------------------------------------------------------------------
def _blank(value: Any) -> bool:
    if value is None:
        return True
    if isinstance(value, float) and math.isnan(value):
        return True
    return isinstance(value, str) and not value.strip()


def _text(value: Any) -> str:
    return "" if _blank(value) else str(value)


def _records(table: Any, what: str) -> list[tuple[Any, dict[str, Any]]]:
    """``(index, fields)`` of each row of a DataFrame, or of a list of dicts (index: its position)."""
    import pandas as pd

    if isinstance(table, pd.DataFrame):
        named = not isinstance(table.index, pd.RangeIndex)
        return [(idx if named else pos, {str(k): v for k, v in rec.items()})
                for pos, (idx, rec) in enumerate(zip(table.index, table.to_dict("records"), strict=True))]
    if isinstance(table, Sequence) and not isinstance(table, (str, bytes)) and \
            all(isinstance(r, Mapping) for r in table):
        return [(i, {str(k): v for k, v in r.items()}) for i, r in enumerate(table)]
    raise UsageError(f"{what} is a {type(table).__name__}: give a DataFrame or a list of dicts, one per video.")


def _files(fields: Mapping[str, Any], column: str) -> list[str]:
    value = fields.get(column)
    values = value if isinstance(value, (list, tuple)) else [value]
    return [str(v).strip() for v in values if not _blank(v)]


def _role(column: str, files: Sequence[str]) -> str:
    role = UPLOAD_COLUMNS.get(column.lower())
    if role is None and files:
        role = _ROLE_OF_TYPE.get(file_type_of(files[0]) or "", "photo")
    return role or "photo"


def _mention(prompt: str, roles: Sequence[str]) -> str:
    """``prompt``, naming each role it has a file for and does not name yet ("..., with my photo")."""
    zh = is_zh(prompt)
    low = prompt.lower()
    for role in dict.fromkeys(roles):
        en, cn, words = _MENTION[role]
        if not any(w in low for w in words):
            prompt = prompt.rstrip("。.!！ ") + (cn if zh else en)
            low = prompt.lower()
    return prompt


def make_rows(template: str, table: Any, *, namespace: Mapping[str, Any] | None = None,
              uploads: Sequence[str] | None = None, what: str = "the table") -> list[BatchRow]:
    """One :class:`BatchRow` per row of ``table``: the template filled, its name, its uploads.

    Raises ``UsageError`` for a table that is not one, an upload column it lacks, or a ``{name}``
    in the template that is no column and no variable (nothing has been sent then)."""
    records = _records(table, what)
    columns = list(dict.fromkeys(k for _i, f in records for k in f))
    if uploads:
        missing = [c for c in uploads if c not in columns]
        if missing:
            raise UsageError(f"--upload {', '.join(missing)}: no such column in {what} "
                             f"(its columns: {', '.join(columns) or 'none'}).")
        upload_columns = list(uploads)
    else:
        upload_columns = [c for c in columns if c.lower() in UPLOAD_COLUMNS]
    base = dict(namespace or {})
    rows: list[BatchRow] = []
    seen: dict[str, int] = {}
    for index, fields in records:
        texts = {k: _text(v) for k, v in fields.items()}
        ns = {**base, "row": texts, **{k: v for k, v in texts.items() if k.isidentifier()}}
        if not rows:
            unknown = unresolved(template, ns)
            if unknown:
                raise UsageError(
                    f"The template names {', '.join('{' + u + '}' for u in unknown)}, which is no column of {what} "
                    f"(its columns: {', '.join(columns) or 'none'}) and no variable of the notebook. "
                    "Fix the name, or write {{" + unknown[0] + "}} for the braces themselves.")
        name = _text(fields.get("name")) or str(index)
        seen[name] = seen.get(name, 0) + 1
        if seen[name] > 1:
            name = f"{name}-{seen[name]}"
        prompt = interpolate(template, ns).strip()
        files = {c: _files(fields, c) for c in upload_columns}
        prompt = _mention(prompt, [_role(c, f) for c, f in files.items() if f])
        rows.append(BatchRow(name=name, fields=fields, prompt=prompt,
                             uploads=tuple(f for fs in files.values() for f in fs)))
    return rows


# -- driving a batch ------------------------------------------------------------------------------------
class _Sink:
    """Where the batch is drawn: one redrawn display handle in a notebook, a line every few seconds
    (when the counts changed) in a terminal, nothing when ``out`` is None and not a notebook."""

    def __init__(self, notebook: bool, out: TextIO | None = None) -> None:
        self.notebook = notebook
        self.out = out
        self.handle: Any = None
        self.last_line = ""
        self.last_print = 0.0

    def draw(self, bundle: dict[str, str], line: str) -> None:
        if self.notebook:
            if self.handle is None:
                self.handle = display(bundle, raw=True, display_id=True)
            else:
                self.handle.update(bundle, raw=True)
            return
        now = time.monotonic()
        if self.out is not None and line != self.last_line and now - self.last_print >= 2.0:
            print(line, file=self.out, flush=True)
            self.last_line, self.last_print = line, now

    def final(self, bundle: dict[str, str]) -> None:
        if self.notebook:
            if self.handle is None:
                self.handle = display(bundle, raw=True, display_id=True)
            else:
                self.handle.update(bundle, raw=True)
        elif self.out is not None:
            print(bundle["text/plain"], file=self.out, flush=True)


def _notebook_front_end() -> bool:
    try:
        from IPython import get_ipython
        from IPython.core.displaypub import DisplayPublisher
    except ImportError:  # pragma: no cover
        return False
    shell = get_ipython()  # type: ignore[no-untyped-call]
    pub = getattr(shell, "display_pub", None)
    return pub is not None and type(pub) is not DisplayPublisher


def _drive(job: Batch, sink: _Sink, hz: float) -> None:
    """Run ``job`` on the client's loop; redraw ``sink`` from this thread at most ``hz`` times a second."""
    changed: queue.Queue[None] = queue.Queue()
    job.on_change = lambda: changed.put(None)
    future = submit(job.run())
    interval = 1.0 / max(hz, 0.5)

    said: list[str] = []

    def draw() -> None:
        if job.cost_line and not said and not sink.notebook and sink.out is not None:
            said.append(job.cost_line)   # a terminal says the cost once, before the counts
            print(job.cost_line, file=sink.out, flush=True)
        summary = job.summary()
        sink.draw(progress_bundle(job.name, summary, job.runs, cost_line=job.cost_line, at_once=job.running_at_once),
                  summary_text(job.name, summary, at_once=job.running_at_once))

    try:
        drawn = 0.0
        while not future.done():
            news = False
            with contextlib.suppress(queue.Empty):
                changed.get(timeout=interval)
                news = True
            while not changed.empty():
                changed.get_nowait()
            if news or time.monotonic() - drawn >= 1.0:   # the counts changed, or the time left did
                draw()
                drawn = time.monotonic()
                time.sleep(interval if sink.notebook else 0)   # at most ``hz`` redraws a second
    except KeyboardInterrupt:
        # stop waiting, nothing more: renders keep going on the backend; a re-run picks them up
        async def stop() -> None:
            job.cancel(render=False)

        submit(stop())
        with swallowed(log, "waiting for the interrupted batch"):
            future.result(timeout=5)
        summary = job.summary()
        sink.final(final_bundle(job.name, summary, job.runs, at_once=job.running_at_once))
        raise TurnCancelled(f"The batch {job.name} was interrupted: {summary.done} of {summary.total} rows done "
                            "(kept), the others stopped waiting; renders already started keep going.",
                            hint="Run the cell again: the rows done are reused, the others are finished.") from None
    try:
        future.result()
    except NemoError:
        sink.final({"text/plain": f"{job.name}: not started.", "text/html": f"<em>{job.name}: not started.</em>"})
        raise


def _run(job: Batch, *, notebook: bool, out: TextIO | None, hz: float, output: str | None, embed: bool,
         show: bool) -> Any:
    sink = _Sink(notebook, out=out)
    _drive(job, sink, hz)
    frame = job.results()
    KEPT[job.name] = frame
    sink.final(final_bundle(job.name, job.summary(), job.runs, cost_line=job.cost_line,
                            at_once=job.running_at_once, credits_total=job.credits_total, output=output))
    if show and notebook:
        display(Gallery(frame, embed=embed))
    return frame


def _path_for(name: str, folder: str) -> Callable[[BatchRow, Draft | None], Path]:
    def path(row: BatchRow, _draft: Draft | None) -> Path:
        return naming.output_path(f"{name} {row.name}", folder)
    return path


def _place(conversations: Conversations) -> str:
    place = conversations.place
    return place() if callable(place) else place


def run_cell(host: BatchHost, args: Any, template: str) -> None:
    """``%%nemo --each VAR [-x] [-o OUT] ...``: the cell's rows, run, drawn; the DataFrame in ``OUT``."""
    ns = host.ns()
    var = str(args.each)
    if var not in ns:
        raise UsageError(f"%%nemo --each {var}: there is no variable {var!r} in the notebook. Make the table "
                         "first (a DataFrame, or a list of dicts), one row per video.")
    rows = make_rows(template, ns[var], namespace=ns, uploads=args.uploads or None, what=var)
    if not rows:
        raise UsageError(f"%%nemo --each {var}: {var} has no rows.")
    conversations = host.conversations
    limit = args.max_credits or (host.max_credits or None)
    job = Batch(rows, conversations.nemo, name=var, store=conversations.store if host.replay else None,
                place=_place(conversations), hints=conversations.hints, export=args.export,
                options=host.render_options(args.render), path_for=_path_for(var, host.output_dir),
                concurrency=args.concurrency, max_credits=limit, fresh=args.fresh, template=template,
                adopt=conversations.put)
    frame = _run(job, notebook=_notebook_front_end(), out=sys.stdout, hz=host.refresh_hz, output=args.output,
                 embed=host.embed_for(args.embed), show=True)
    if args.output:
        ns[args.output] = frame


def running_magics() -> Any:
    """The ``NemoMagics`` of the running IPython, when ``%load_ext nemo_jupyter`` made one."""
    try:
        from IPython import get_ipython
    except ImportError:  # pragma: no cover
        return None
    shell = get_ipython()  # type: ignore[no-untyped-call]
    if shell is None:
        return None
    return shell.magics_manager.registry.get("NemoMagics")


_OWN: dict[str | None, Conversations] = {}


def batch(template: str, rows: Any, *, name: str = "batch", export: bool = True, quality: str | None = None,
          resolution: str | None = None, timeout: float | None = None, upload: Sequence[str] | None = None,
          concurrency: int | None = None, max_credits: float | None = None, fresh: bool = False,
          backend: str | None = None, output_dir: str | os.PathLike[str] | None = None,
          show: bool | None = None) -> Any:
    """One video per row of ``rows`` (a DataFrame or a list of dicts); returns the batch's DataFrame.

    ``template`` is filled per row (``{column}``; in IPython also ``{var}`` of the notebook). Each
    row is a conversation ``<name>/<row>``: with ``%load_ext nemo_jupyter`` loaded, the magics'
    own (``%nemo use name/row`` edits it; their settings give the defaults). ``export`` renders
    each row (``quality``, ``resolution``, ``timeout``); ``upload`` names the columns of files each
    row uploads first. Rows run as many at once as the backend takes (``concurrency``); a re-run
    reuses the rows whose inputs did not change (``fresh=True`` makes them all again). On a
    charging backend the typical cost is said first and ``max_credits`` caps the whole batch.
    ``show`` draws the progress and the gallery (default: in a notebook; elsewhere progress lines
    go to stderr)."""
    magics = running_magics()
    notebook = _notebook_front_end()
    if magics is not None and backend is None:
        conversations = magics.conversations
        namespace = magics.ns()
        options = magics.render_options(RenderOptions(quality=quality, resolution=resolution, timeout=timeout))
        folder = str(output_dir or magics.output_dir)
        store = conversations.store if magics.replay else None
        hz = float(magics.refresh_hz)
        limit = max_credits if max_credits is not None else (magics.max_credits or None)
    else:
        conversations = _OWN.get(backend) or _OWN.setdefault(backend, Conversations(backend, replay=True,
                                                                                     place=os.getcwd))
        namespace = {}
        options = RenderOptions(quality=quality or "high", resolution=resolution, timeout=timeout or 900.0)
        folder = str(output_dir or "nemo_outputs")
        store = conversations.store
        hz = 4.0
        limit = max_credits
    made = make_rows(template, rows, namespace=namespace, uploads=upload, what=name)
    if not made:
        raise ValueError("rows is empty: give one row per video.")
    job = Batch(made, conversations.nemo, name=name, store=store, place=_place(conversations),
                hints=conversations.hints, export=export, options=options, path_for=_path_for(name, folder),
                concurrency=concurrency, max_credits=limit, fresh=fresh, template=template, adopt=conversations.put)
    shown = True if show is None else show
    return _run(job, notebook=notebook and shown, out=sys.stderr if shown else None, hz=hz, output=None,
                embed=magics.embed_for(None) if magics is not None else False, show=shown)
