"""What goes into a lesson pack (``%nemo pack PATH.html [VAR]``, :func:`pack`): a batch's
DataFrame, a comparison (its takes and votes), or every video of the notebook (each
conversation's videos and every batch run in this kernel). Each source becomes a list of
:class:`~.pack.PackVideo`; what cannot go in (a row that failed, a video whose file is gone)
is said, never dropped silently. :mod:`.pack` writes the page.
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..client.brief import Brief
from ..client.draft import Draft
from ..client.encoding import canonical_json
from ..conversation import Conversation, Conversations
from ..conversation.batch import COLUMNS
from ..conversation.batch_rows import Checklist, Transcript, cues_of
from . import batching
from .pack import EMBED_LIMIT_MB, PackVideo, write_pack

__all__ = ["PackPlan", "pack", "plan_pack"]

@dataclass
class PackPlan:
    """The videos of a pack, its title, a comparison's votes, and what was left out (with why)."""

    videos: list[PackVideo] = field(default_factory=list)
    title: str = "Our videos"
    votes: list[dict[str, Any]] = field(default_factory=list)
    vote_columns: list[str] = field(default_factory=list)
    left_out: list[str] = field(default_factory=list)


def _num(value: Any) -> float | None:
    try:
        n = float(value)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(n) else n


def _text(value: Any) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    return str(value)


def _is_batch(frame: Any) -> bool:
    return all(c in getattr(frame, "columns", ()) for c in ("prompt", "status", "file", "checklist"))


def _is_comparison(frame: Any) -> bool:
    return all(c in getattr(frame, "columns", ()) for c in ("take", "prompt", "file", "status"))


def from_batch(frame: Any, plan: PackPlan) -> None:
    """Each row of a batch's DataFrame that made its video."""
    uploads = {c for c in frame.columns if str(c).lower() in batching.UPLOAD_COLUMNS}
    fields = [c for c in frame.columns if c not in COLUMNS and c not in uploads and c != "name"]
    for name, row in frame.iterrows():
        file = _text(row.get("file"))
        if row.get("status") != "done" or not file:
            why = _text(row.get("reason")) or ("not rendered (the batch ran without -x)" if row.get("status") == "done"
                                              else _text(row.get("status")))
            plan.left_out.append(f"{name}: {why}")
            continue
        if not Path(file).is_file():
            plan.left_out.append(f"{name}: its video {file} is not there any more (run the batch again)")
            continue
        transcript = row.get("transcript")
        cues = list(transcript.cues) if isinstance(transcript, Transcript) else []
        checklist = row.get("checklist")
        plan.videos.append(PackVideo(
            title=_text(row.get("title")) or str(name), file=Path(file), name=str(name),
            fields={str(c): _text(row.get(c)) for c in fields}, prompt=_text(row.get("prompt")), cues=cues,
            checklist=checklist if isinstance(checklist, Checklist) else Checklist(),
            duration=_num(row.get("duration_s"))))


def from_comparison(source: Any, plan: PackPlan) -> None:
    """The takes of a comparison (a ``CompareWidget``, or its ``results`` DataFrame) and its votes."""
    takes = getattr(source, "takes", None)
    hidden = bool(getattr(source, "blind", False)) and not bool(getattr(source, "revealed", False))
    if takes is not None:
        order = list(getattr(source, "order", range(len(takes))))
        for position, index in enumerate(order):
            t = takes[index]
            path = t.video.path if t.video is not None else None
            name = f"Take {chr(65 + position)}" if position < 26 else t.name
            if path is None or not Path(path).is_file():
                plan.left_out.append(f"{name}: {t.error or t.status} (no video)")
                continue
            note = ("★ starred. " if t.star else "") + (f"Note: {t.note}" if t.note else "")
            plan.videos.append(PackVideo(
                title=name if hidden else ((t.draft.title if t.draft is not None else "") or name), file=Path(path),
                name=name, prompt="" if hidden else t.prompt, cues=cues_of(t.draft), note=note.strip(),
                duration=float(t.video.duration) if t.video is not None and t.video.duration else None))
        tally = getattr(source, "tally", None)
        if tally is not None and len(getattr(source, "_rankings", [])):
            plan.votes = [{k: _text(v) for k, v in r.items()} for r in tally.to_dict("records")]
            plan.vote_columns = [str(c) for c in tally.columns]
        plan.title = "Our comparison"
        return
    for _i, row in source.iterrows():
        file = _text(row.get("file"))
        name = _text(row.get("take"))
        if not file or not Path(file).is_file():
            plan.left_out.append(f"{name}: {_text(row.get('status'))} (no video)")
            continue
        plan.videos.append(PackVideo(title=_text(row.get("title")) or name, file=Path(file), name=name,
                                     prompt=_text(row.get("prompt")), duration=_num(row.get("duration_s"))))
    plan.title = "Our comparison"


def _prompt_of(conv: Conversation, draft: Draft | None) -> str:
    """The words that made ``draft`` (the version that holds it), or the conversation's first prompt."""
    if draft is not None:
        key = canonical_json(draft.to_json())
        for v in conv.versions:
            if v.draft is not None and canonical_json(v.draft.to_json()) == key:
                return v.prompt
    return conv.memory.origin_prompt() or conv.last_prompt or ""


def from_conversation(conv: Conversation, plan: PackPlan, seen: set[str]) -> None:
    """Each video a conversation of this kernel made (once each), with the brief of the turn that made it."""
    draft: Draft | None = None
    brief: Brief | None = None
    mine: list[PackVideo] = []
    for result in conv.history:
        draft = result.draft if result.draft is not None else draft
        brief = result.brief if result.brief is not None else brief
        video = result.video
        if video is None or video.path is None:
            continue
        path = Path(video.path).resolve()
        if str(path) in seen:
            continue
        seen.add(str(path))
        if not path.is_file():
            plan.left_out.append(f"{conv.name}: its video {video.path} is not there any more")
            continue
        mine.append(PackVideo(title=(draft.title if draft is not None else "") or conv.video_label(draft),
                              file=path, name=conv.name, prompt=_prompt_of(conv, draft), cues=cues_of(draft),
                              checklist=Checklist(brief), duration=float(video.duration) if video.duration else None))
    plan.videos += mine


def from_notebook(conversations: Conversations | None, plan: PackPlan) -> None:
    """Every video of this kernel: each conversation's, then each batch's rows."""
    batches = dict(batching.KEPT)
    seen: set[str] = set()
    if conversations is not None:
        for name, conv in conversations.items():
            if any(name.startswith(f"{b}/") for b in batches):
                continue   # a batch's row: it comes with its batch, fields and all
            from_conversation(conv, plan, seen)
    for frame in batches.values():
        before = len(plan.videos)
        from_batch(frame, plan)
        fresh = []
        for v in plan.videos[before:]:
            key = str(v.file.resolve())
            if key not in seen:
                seen.add(key)
                fresh.append(v)
        plan.videos[before:] = fresh
    plan.title = "Our videos"


def plan_pack(source: Any = None, *, conversations: Conversations | None = None) -> PackPlan:
    """The videos of ``source``: a batch's DataFrame, a comparison, a list of video files, or None
    (every video of the notebook)."""
    plan = PackPlan()
    if source is None:
        from_notebook(conversations, plan)
    elif _is_batch(source):
        from_batch(source, plan)
        plan.title = str(source.attrs.get("nemo_batch") or "Our videos")
    elif (hasattr(source, "takes") and hasattr(source, "tally")) or _is_comparison(source):
        from_comparison(source, plan)
    elif isinstance(source, (list, tuple)) and all(isinstance(p, (str, os.PathLike)) for p in source):
        for p in source:
            path = Path(p)
            if path.is_file():
                plan.videos.append(PackVideo(title=path.stem, file=path))
            else:
                plan.left_out.append(f"{p}: no such file")
    else:
        raise TypeError(f"Cannot make a lesson pack of a {type(source).__name__}: give a batch's DataFrame "
                        "(%%nemo --each ... -o VAR), a comparison (CompareWidget or its results), a list of MP4 "
                        "paths, or nothing for every video of the notebook.")
    return plan


def pack(path: str | os.PathLike[str], source: Any = None, *, title: str | None = None, embed: bool = False,
         embed_limit_mb: float = EMBED_LIMIT_MB, quiet: bool = False) -> Path:
    """Write a lesson pack of ``source`` to ``path`` (see :func:`plan_pack`); returns the page's path.

    The page plays from disk in any browser with no kernel, server or network; its videos go in
    ``<path>_files/`` beside it, or inside it with ``embed`` when together under ``embed_limit_mb``.
    What could not go in is printed (unless ``quiet``)."""
    conversations = None
    if source is None:
        magics = batching.running_magics()
        conversations = magics.conversations if magics is not None else None
    plan = plan_pack(source, conversations=conversations)
    if not plan.videos:
        why = "; ".join(plan.left_out) or "no video has been made in this notebook yet"
        raise ValueError(f"Nothing to put in a lesson pack: {why}.")
    page, inside = write_pack(path, plan.videos, title=title or plan.title, votes=plan.votes or None,
                      vote_columns=plan.vote_columns, embed=embed, embed_limit_mb=embed_limit_mb)
    if not quiet:
        print(f"Lesson pack: {page} ({len(plan.videos)} video{'s' if len(plan.videos) != 1 else ''}"
              + ("" if inside else f", the videos in {page.stem}_files/ beside it") + "). It opens from disk in any "
              "browser, no internet needed: hand out the page" + ("" if inside else " and its folder") + ".")
        for line in plan.left_out:
            print(f"  left out: {line}")
    return page
