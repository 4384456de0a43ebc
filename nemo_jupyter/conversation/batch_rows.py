"""The rows of a batch: what each asks (:class:`BatchRow`), how it went (:class:`RowRun`), and the
store that lets a re-run reuse the rows whose inputs did not change (:class:`RowStore`).

A row's key is a hash of everything that makes its video: the backend, the notebook, the filled
prompt, each uploaded file (path, size, modification time) and the render settings. A row done
under that key before (in this kernel or an earlier one: the key is kept in the replay store,
``replay.sqlite3``) is shown again with its file, nothing sent; a row whose file is gone, or that
failed, runs again.

Also here, as plain data for every front end: what a video shows, says and sounds like, timed
(:func:`cues_of`, a :class:`Transcript`; what is heard written as WebVTT captions by
:func:`captions_vtt`, the text tracks of the gallery and the lesson pack) and the brief's checklist in a DataFrame's cell (:class:`Checklist`).
"""

from __future__ import annotations

import functools
import hashlib
import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..client.brief import Brief, ChecklistItem
from ..client.draft import Draft
from ..client.encoding import canonical_json
from ..client.models import RenderOptions
from .checklist import check_mark
from .replay import Entry, ReplayStore, chain

__all__ = ["BatchRow", "Checklist", "Cue", "RowRun", "RowStore", "Transcript", "captions_vtt", "cues_of"]

NAN = math.nan


@dataclass(frozen=True)
class BatchRow:
    """One row of a batch: its ``name`` (a ``name`` column, else the index), its ``fields`` as the
    table gave them, the ``prompt`` the template made of them and the files to upload first
    (local paths or http(s) URLs, from the upload columns)."""

    name: str
    fields: Mapping[str, Any]
    prompt: str
    uploads: tuple[str, ...] = ()

    def local_uploads(self) -> list[str]:
        return [u for u in self.uploads if not _is_url(u)]

    def url_uploads(self) -> list[str]:
        return [u for u in self.uploads if _is_url(u)]


def _is_url(value: str) -> bool:
    return bool(re.match(r"(?i)https?://", value))


# -- the checklist --------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Checklist:
    """A row's brief in a DataFrame's cell: its checklist (each item asked, ✓ / ≈ / ✗, in the backend's
    words) printed as one line, ``"✓ cat · ✓ title "Katze" · ✗ voice-over (not spoken)"``; ``brief``
    is the whole :class:`~nemo_jupyter.client.brief.Brief` (None when the backend sent none)."""

    brief: Brief | None = None

    @property
    def items(self) -> tuple[ChecklistItem, ...]:
        return self.brief.checklist if self.brief is not None else ()

    @property
    def all_done(self) -> bool:
        return self.brief is not None and self.brief.all_done

    def __bool__(self) -> bool:
        return bool(self.items)

    def __len__(self) -> int:
        return len(self.items)

    def __str__(self) -> str:
        return " · ".join(f"{check_mark(i.status)} {i.label}" + (f" ({i.note})" if i.note else "") for i in self.items)

    __repr__ = __str__


# -- what a video shows and says, timed --------------------------------------------------------------------
SOUND_CUE_S = 3.0   # a sound is described for its first seconds, as captions do ("[Rain]")


@dataclass(frozen=True)
class Cue:
    """A text on screen (``title``, ``caption``, ``text``), a line said (``narration``) or a sound
    (``sound``: music or an ambience, described in brackets), in seconds."""

    start: float
    end: float
    text: str
    kind: str = "caption"

    @property
    def spoken(self) -> bool:
        return self.kind == "narration"

    @property
    def heard(self) -> bool:
        """What a captions track carries: what is said and the sounds (texts on screen are in the picture)."""
        return self.kind in ("narration", "sound")

    @property
    def who(self) -> str:
        return {"narration": "narrator", "sound": "sound"}.get(self.kind, "on screen")


def cues_of(draft: Draft | None) -> list[Cue]:
    """The texts a draft shows, the lines its narrator says and its sounds, in time order."""
    if draft is None:
        return []
    out = []
    for s in draft.segments():
        if s.start is None or s.end is None or s.end <= s.start:
            continue
        start, end = round(s.start, 3), round(s.end, 3)
        text = (s.text or "").strip()
        if s.track_type == "text" and text:
            out.append(Cue(start, end, text, s.kind or "caption"))
        elif s.track_type == "audio" and s.kind == "voice" and text:
            out.append(Cue(start, end, text, "narration"))
        elif s.track_type == "audio" and s.kind in ("music", "ambient", "audio") and (s.label or "").strip():
            label = (s.label or "").strip()
            out.append(Cue(start, round(min(s.end, s.start + SOUND_CUE_S), 3),
                           f"[♪ {label}]" if s.kind == "music" else f"[{label}]", "sound"))
    return sorted(out, key=lambda c: (c.start, c.end))


@dataclass(frozen=True)
class Transcript:
    """What a video shows and says, timed (:class:`Cue`\\ s). Printed (a DataFrame's cell, a CSV)
    it is one line: ``"0:00 on screen: Katze · 0:01 narrator: die Katze · 0:00 sound: [♪ Calm music]"``."""

    cues: tuple[Cue, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.cues)

    def __len__(self) -> int:
        return len(self.cues)

    @property
    def narration(self) -> str:
        return " ".join(c.text for c in self.cues if c.spoken)

    @property
    def on_screen(self) -> str:
        return " / ".join(dict.fromkeys(c.text for c in self.cues if not c.heard))

    def __str__(self) -> str:
        return " · ".join(f"{int(c.start) // 60}:{int(c.start) % 60:02d} {c.who}: {c.text}" for c in self.cues)

    __repr__ = __str__


def _stamp(seconds: float) -> str:
    ms = max(0, round(seconds * 1000))
    h, rest = divmod(ms, 3_600_000)
    m, rest = divmod(rest, 60_000)
    s, ms = divmod(rest, 1000)
    return f"{h:02d}:{m:02d}:{s:02d}.{ms:03d}"


def _vtt_text(text: str) -> str:
    # a cue's text: no blank line (it would end the cue), no "-->", markup characters escaped
    lines = [ln.strip() for ln in text.replace("\r", "").split("\n") if ln.strip()]
    body = "\n".join(lines).replace("-->", "→")
    return body.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def captions_vtt(cues: Iterable[Cue]) -> str:
    """The captions of a video as a WebVTT file: what is heard (the narrator's lines, as the voice
    ``Narrator``, and the sounds in brackets); "" when nothing is heard."""
    out = ["WEBVTT", ""]
    n = 0
    for cue in cues:
        text = _vtt_text(cue.text)
        if not cue.heard or not text:
            continue
        n += 1
        out += [str(n), f"{_stamp(cue.start)} --> {_stamp(cue.end)}",
                ("<v Narrator>" + text) if cue.spoken else text, ""]
    return "\n".join(out) if n else ""


# -- one row's run ------------------------------------------------------------------------------------------
RUNNING = ("uploading", "drafting", "rendering")
FINAL = ("done", "failed", "skipped", "cancelled")


@dataclass
class RowRun:
    """Where one row stands while the batch runs, and what came out (see :data:`RECORDED`)."""

    row: BatchRow
    key: str = ""                # what it asks and how it is rendered: a row done under it is reused
    ask: str = ""                # what it asks: its conversation replays the turn made for it before
    status: str = "queued"       # queued | uploading | drafting | rendering | done | failed | skipped | cancelled
    activity: str = ""
    percent: float | None = None
    reason: str = ""             # why it failed, was skipped or was cancelled
    reused: bool = False         # done in an earlier run with the same inputs: nothing sent
    title: str = ""
    duration_s: float = NAN
    file: str = ""               # the MP4 (absolute path), "" before or without a render
    captions_file: str = ""      # the WebVTT beside it
    cues: list[Cue] = field(default_factory=list)   # what it shows, says and sounds like, timed
    checklist: Checklist = field(default_factory=Checklist)
    reply: str = ""
    credits: float = NAN
    conversation: str = ""
    session_id: str | None = None
    started: float | None = None  # monotonic
    elapsed_s: float = NAN

    @property
    def running(self) -> bool:
        return self.status in RUNNING

    @property
    def final(self) -> bool:
        return self.status in FINAL

    @property
    def transcript(self) -> Transcript:
        return Transcript(tuple(self.cues))

    def record(self) -> Entry:
        """What is kept for a re-run (plain JSON)."""
        return {"kind": "batch-row", "status": "done", "title": self.title, "duration_s": _num(self.duration_s),
                "file": self.file, "captions_file": self.captions_file, "reply": self.reply,
                "cues": [[c.start, c.end, c.text, c.kind] for c in self.cues],
                "brief": self.checklist.brief.to_json() if self.checklist.brief is not None else None,
                "credits": _num(self.credits),
                "conversation": self.conversation, "session_id": self.session_id, "elapsed_s": _num(self.elapsed_s)}

    def load(self, entry: Entry) -> None:
        """Take a kept row's outcome (it is shown again: nothing sent, nothing spent)."""
        self.status, self.reused, self.reason = "done", True, ""
        self.title = str(entry.get("title") or "")
        self.duration_s = _float(entry.get("duration_s"))
        self.file = str(entry.get("file") or "")
        self.captions_file = str(entry.get("captions_file") or "")
        self.reply = str(entry.get("reply") or "")
        cues = entry.get("cues")
        self.cues = [Cue(float(c[0]), float(c[1]), str(c[2]), str(c[3])) for c in (cues if isinstance(cues, list)
                     else []) if isinstance(c, list) and len(c) == 4]
        self.checklist = Checklist(Brief.from_json(entry.get("brief")))
        self.credits = 0.0          # nothing spent this time
        self.conversation = str(entry.get("conversation") or "")
        sid = entry.get("session_id")
        self.session_id = str(sid) if sid else None
        self.elapsed_s = 0.0


def _num(value: float) -> float | None:
    return None if value is None or (isinstance(value, float) and math.isnan(value)) else value


def _float(value: object) -> float:
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else NAN


# -- the store ----------------------------------------------------------------------------------------------
@functools.lru_cache(maxsize=512)
def _digest(path: str, _size: int, _mtime_ns: int) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def upload_print(paths: Iterable[str]) -> list[str]:
    """Each upload as its key sees it: a local file by its content (a drawing saved again, the same,
    is the same input), a URL as given."""
    out = []
    for p in paths:
        if _is_url(p):
            out.append(p)
            continue
        try:
            path = Path(p).resolve()
            st = path.stat()
            out.append(f"{path.name}|{_digest(str(path), st.st_size, st.st_mtime_ns)}")
        except (OSError, ValueError):
            out.append(f"{p}|missing")
    return out


class RowStore:
    """Rows done before, by key, in the replay store (``None``: nothing is kept, nothing reused)."""

    def __init__(self, store: ReplayStore | None, root: str) -> None:
        self.store = store
        self.root = root

    def turn_key(self, row: BatchRow) -> str:
        """What the row asks: the backend and notebook (``root``), the prompt and the uploads. Its
        conversation's chain starts from it, so the same ask replays its upload and turn."""
        return chain(self.root, "batch-ask", canonical_json({"prompt": row.prompt,
                                                             "uploads": upload_print(row.uploads)}))

    def key(self, row: BatchRow, options: RenderOptions, *, export: bool) -> str:
        """The row's key: what it asks (:meth:`turn_key`) and how it is rendered."""
        payload = {"ask": self.turn_key(row), "export": export, "quality": options.quality,
                   "resolution": options.resolution}
        return chain(self.root, "batch-row", canonical_json(payload))

    def done(self, key: str, *, export: bool) -> Entry | None:
        """The kept outcome of a row done under ``key`` whose video is still on disk, or None."""
        if self.store is None:
            return None
        entry = self.store.turn(key)
        if entry is None or entry.get("kind") != "batch-row" or entry.get("status") != "done":
            return None
        file = entry.get("file")
        if export and not (isinstance(file, str) and file and Path(file).is_file()):
            return None     # the video was deleted: make it again (the render cache may still have it)
        return entry

    def put(self, run: RowRun) -> None:
        if self.store is not None and run.key:
            self.store.put_turn(run.key, run.record())
