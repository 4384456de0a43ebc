"""A conversation that behaves like a notebook: where it stands, versions, undo, replay instead of resend.

:class:`NotebookMemory` is held by a :class:`~nemo_jupyter.conversation.orchestrator.Conversation`.
It keeps where the conversation stands: its backend session (``session``), its place in its
chain of turns (``cursor``), which cell made which turn (so re-executing a cell rewinds to just
before it), the draft it stands on when that is not the backend's latest (after an undo or a
replay: ``expected``), the numbered versions and the conversation's language. The turn log
itself is :class:`~nemo_jupyter.conversation.replay.ReplayStore`; the sentences are in
:mod:`.words`.
"""

from __future__ import annotations

import dataclasses
import enum
import json
import time
from pathlib import Path
from typing import Final

from ..client.draft import Draft
from ..client.encoding import canonical_json
from ..client.exceptions import NemoError
from ..client.models import Brief, UploadedFile
from .protocols import ChatClient, ChatSession
from .replay import Entry, ReplayStore, chain, root_key
from .results import TurnResult
from .routing import Intent
from .versions import Restore, Version, Versions
from .words import Hints, memory_text, zh_change

__all__ = ["UNSET", "NotebookMemory", "is_new_video", "upload_fingerprint"]


class _Unset(enum.Enum):
    UNSET = "UNSET"

    def __repr__(self) -> str:
        return "UNSET"


UNSET: Final = _Unset.UNSET
"""``expected`` when the conversation stands on the backend's own latest draft."""

Expected = Draft | _Unset | None


def _json_of(draft: Draft | None) -> dict[str, object] | None:
    return None if draft is None else draft.to_json()


def _same_draft(a: Draft | None, b: Draft | None) -> bool:
    return canonical_json(_json_of(a)) == canonical_json(_json_of(b))


def _draft_from(raw: object) -> Draft | None:
    return Draft.from_json(raw) if isinstance(raw, dict) else None


def _strs(value: object) -> list[str]:
    return [str(v) for v in value] if isinstance(value, list) else []


def _video_content(draft: Draft | None) -> set[str]:
    """The video track's segments without their ids and timing (to tell a new video from an edit)."""
    return {s.content() for s in draft.segments() if s.track_type == "video"} if draft is not None else set()


def is_new_video(before: Draft | None, after: Draft | None, changes: list[str]) -> bool:
    """True when ``after`` is a different video, not an edit of ``before``."""
    b, a = _video_content(before), _video_content(after)
    return bool(b and a and not (a & b) and len(changes) >= 4)


class NotebookMemory:
    """Where one conversation stands in its notebook (see the module's docstring)."""

    def __init__(self, nemo: ChatClient, name: str, *, store: ReplayStore | None, place: str,
                 hints: Hints | None = None) -> None:
        self.nemo = nemo
        self.name = name
        self.hints = hints
        self.versions = Versions()
        self.replay_store = store
        self.place = place
        self.session: ChatSession | None = None  # the backend session, made at first use
        self.expected: Expected = UNSET          # the draft we stand on when it may not be the backend's
        self.language: str | None = None         # set by the first prompt (or a replayed one)
        self.cursor: str | None = None
        self.new_pending = False                 # %nemo new ran: the next step starts from a fresh key
        self._root: str | None = None
        self._cells: dict[str, str] = {}         # cell id -> the key it continued from
        self._entries: dict[str, Entry] = {}

    @property
    def zh(self) -> bool:
        return (self.language or "").startswith("zh")

    def current_session(self) -> ChatSession:
        """The backend session, made (on the backend at its first use) when there is none."""
        if self.session is None:
            self.session = self.nemo.session()
        return self.session

    @property
    def session_id(self) -> str | None:
        sid = self.session.id if self.session is not None else None
        return str(sid) if sid else None

    def drop_session(self) -> None:
        """The next message opens a new session (the old draft stays on the backend)."""
        self.session = None
        self.expected = UNSET

    # -- the chain -----------------------------------------------------------------------------------
    async def root(self) -> str:
        if self._root is None:
            self._root = root_key(await self.nemo.backend_key(), self.place, self.name)
            self._entries.setdefault(self._root, {"kind": "root", "session_id": None, "draft": None})
        if self.cursor is None:
            self.cursor = self._root
        return self.cursor

    def entry(self, key: str) -> Entry | None:
        found = self._entries.get(key)
        if found is None and self.replay_store is not None:
            found = self.replay_store.turn(key)
            if found is not None:
                self._entries[key] = found
        return found

    def remember(self, key: str, entry: Entry) -> None:
        self._entries[key] = entry
        if self.replay_store is not None:
            self.replay_store.put_turn(key, entry)

    async def parent_for(self, cell: str | None) -> str:
        """The key a step continues from: just before ``cell``'s last run if it ran, else the cursor."""
        cursor = await self.root()
        if self.new_pending:
            self.new_pending = False
            await self.fresh_start()
            cursor = await self.root()
        if cell is not None and cell in self._cells:
            parent = self._cells[cell]
            if parent != cursor and parent in self._ancestors(cursor):
                # the cell ran before, on a chain that is still ours: run it again from just before it
                self._rewind(parent)
                return parent
        return cursor

    def _ancestors(self, key: str) -> set[str]:
        seen: set[str] = set()
        entry = self.entry(key)
        while entry is not None and len(seen) < 100_000:
            parent = entry.get("parent")
            if not isinstance(parent, str) or parent in seen:
                break
            seen.add(parent)
            entry = self.entry(parent)
        return seen

    def _rewind(self, key: str) -> None:
        entry: Entry = self.entry(key) or {"session_id": None, "draft": None}
        self.cursor = key
        sid = entry.get("session_id")
        if sid is None:
            self.drop_session()        # before the first turn: the next one opens a new session
        else:
            self.adopt(str(sid))
            self.expected = _draft_from(entry.get("draft"))
        number = entry.get("version")
        known = {v.number for v in self.versions}
        self.versions.head = number if isinstance(number, int) and number in known else None

    def step(self, key: str, parent: str, cell: str | None) -> None:
        self.cursor = key
        if cell is not None:
            self._cells[cell] = parent

    def adopt(self, session_id: str) -> None:
        """Continue on the backend session ``session_id`` (a replayed turn's)."""
        if self.session is not None and str(self.session.id) == session_id:
            return
        self.session = self.nemo.session(session_id=session_id)

    # -- versions ------------------------------------------------------------------------------------
    def add_version(self, draft: Draft | None, *, prompt: str, change: str, cell: str | None, key: str,
                    kind: str = "turn", when: float | None = None) -> Version:
        for v in self.versions:
            if v.key == key:
                self.versions.head = v.number
                return v
        v = self.versions.add(draft, prompt=prompt, change=change, cell=cell, kind=kind, when=when)
        v.key = key
        return v

    def origin_prompt(self) -> str | None:
        """The prompt that started the current video (files are named after it when there is no title)."""
        v = self.versions.current
        while v is not None:
            if v.kind == "new" or v.parent is None:
                return v.prompt
            v = self.versions.get(v.parent)
        return None

    async def reconcile(self, notices: list[str]) -> None:
        """Before a real send: make the backend stand on the draft this conversation stands on."""
        if self.expected is UNSET:
            return
        expected, self.expected = self.expected, UNSET
        session = self.session
        if session is None or not session.id:
            return
        try:
            state = await session.state()
        except NemoError:
            return
        if _same_draft(state.draft, expected):
            return
        try:
            pushed = await session.push_draft(expected, note="rewound by the notebook")
        except NemoError:
            pushed = None
        if pushed is None:
            notices.append(memory_text(self.zh, "not_rewound", self.hints))

    async def restore(self, request: Restore, *, parent: str, cell: str | None,
                      charges: bool) -> tuple[Version, list[str]]:
        """Go back to an earlier version (no generation); returns it and notices for the user."""
        target = self.versions.target(request)
        self.versions.move(target.number)
        notices: list[str] = []
        session = self.session
        pushed: int | None = None
        if session is not None and session.id:
            try:
                pushed = await session.push_draft(target.draft, note=f"back to version {target.number}")
            except NemoError:
                pushed = None
        self.expected = UNSET if pushed is not None else target.draft
        if pushed is None and charges:
            notices.append(memory_text(self.zh, "restored_cloud", self.hints, n=target.number))
        key = chain(parent, "restore", str(request.version))
        self.remember(key, {"kind": "restore", "parent": parent, "session_id": self.session_id,
                            "draft": _json_of(target.draft), "version": target.number})
        self.step(key, parent, cell)
        return target, notices

    async def fresh_start(self) -> None:
        """``%nemo new``: the next prompt opens a new session (a step of the chain, so Run All repeats it)."""
        parent = await self.root()
        key = chain(parent, "new")
        self.remember(key, {"kind": "new", "parent": parent, "session_id": None, "draft": None})
        self.cursor = key
        self.drop_session()
        self.versions.head = None

    # -- turns -------------------------------------------------------------------------------------
    def record_turn(self, result: TurnResult, key: str, parent: str, cell_label: str | None, text: str) -> None:
        """After a real turn: a new version when the draft changed, and the entry a rerun replays."""
        before = self.versions.current
        if self.zh:
            result.changes = [zh_change(c) for c in result.changes]
        draft = result.draft if result.draft is not None else (before.draft if before else None)
        changed = result.draft is not None and not _same_draft(result.draft, before.draft if before else None)
        change = None
        if changed:
            new = before is not None and not _empty_draft(before.draft) and is_new_video(
                before.draft, result.draft, list(result.changes))
            title = (result.draft.title if result.draft is not None else None) or text
            if before is None or _empty_draft(before.draft) or new:
                change = ("新视频：" if self.zh else "new video: ") + _short(title, 50)
            else:
                change = _short("; ".join(result.changes) or text, 80)
            self.add_version(result.draft, prompt=text, change=change, cell=cell_label, key=key,
                             kind="new" if new else "turn")
            if new and before is not None:
                result.new_video = True
                result.changes = [memory_text(self.zh, "new_video", self.hints, n=before.number,
                                              undo=memory_text(self.zh, "undo", self.hints))]
        result.version = self.versions.head
        self.remember(key, {
            "kind": "chat", "parent": parent, "session_id": result.session_id, "text": result.text,
            "raw_text": result.raw_text,
            "actions": list(result.actions), "changes": list(result.changes), "notices": list(result.notices),
            "silent": bool(result.silent), "draft": _json_of(draft), "version_change": change,
            "new_video": bool(result.new_video), "version": result.version, "created": time.time(),
            "language": self.language, "brief": result.brief.to_json() if result.brief is not None else None})

    def replayed(self, entry: Entry, key: str, parent: str, cell: str | None, cell_label: str | None,
                 text: str, *, backend: str, charges: bool) -> TurnResult:
        """A stored turn shown again (nothing is sent)."""
        sid = entry.get("session_id")
        if sid:
            self.adopt(str(sid))
        language = entry.get("language")
        if self.language is None and isinstance(language, str):
            self.language = language
        draft = _draft_from(entry.get("draft"))
        self.expected = draft
        created = entry.get("created")
        if entry.get("version_change"):
            self.add_version(draft, prompt=text, change=str(entry["version_change"]), cell=cell_label, key=key,
                             kind="new" if entry.get("new_video") else "turn",
                             when=created if isinstance(created, float) else None)
        self.step(key, parent, cell)
        notices = [n for n in _strs(entry.get("notices")) if not n.startswith("silent turn")]
        notices.append(memory_text(self.zh, "reused", self.hints))
        return TurnResult(intent=Intent.CHAT, backend=backend, conversation=self.name,
                          text=str(entry.get("text") or ""), raw_text=str(entry.get("raw_text") or ""),
                          actions=_strs(entry.get("actions")), changes=_strs(entry.get("changes")),
                          draft=draft, notices=notices, silent=bool(entry.get("silent")), reused=True,
                          session_id=str(sid) if sid else None, version=self.versions.head,
                          new_video=bool(entry.get("new_video")), credits_spent=0 if charges else None,
                          brief=Brief.from_json(entry.get("brief")))

    async def edit(self, draft: Draft, changes: list[str], *, parent: str, cell: str | None) -> Version:
        """A draft edited by hand: the backend's draft set to it (the engine keeps versions; on the cloud
        the notebook keeps it and an export renders it), a new version, a step of the chain."""
        session = self.current_session()
        if not session.id:
            raise NemoError("There is no draft to edit yet: this conversation has not made one.",
                            hint="Describe a video in a %%nemo cell (or the chat) first.")
        pushed = await session.push_draft(draft, note="edited on the timeline")
        self.expected = UNSET if pushed is not None else draft
        key = chain(parent, "edit", canonical_json(draft.to_json()))
        change = _short("; ".join(changes), 80) or ("手动编辑" if self.zh else "edited by hand")
        version = self.add_version(draft, prompt="(timeline)", change=change, cell=cell, key=key, kind="edit")
        self.remember(key, {"kind": "edit", "parent": parent, "session_id": self.session_id,
                            "draft": _json_of(draft), "version": version.number, "created": time.time()})
        self.step(key, parent, cell)
        return version

    def record_upload(self, key: str, parent: str, cell: str | None, uploads: list[UploadedFile]) -> None:
        current = self.versions.current
        self.remember(key, {"kind": "upload", "parent": parent, "session_id": self.session_id,
                            "draft": _json_of(current.draft) if current else None, "version": self.versions.head,
                            "files": [dataclasses.asdict(u) for u in uploads], "created": time.time()})
        self.step(key, parent, cell)

    def replayed_upload(self, entry: Entry | None, key: str, parent: str,
                        cell: str | None) -> list[UploadedFile] | None:
        """The files of an upload already made at this step (nothing is sent again), or None."""
        if entry is None or entry.get("kind") != "upload" or not entry.get("session_id"):
            return None
        self.adopt(str(entry["session_id"]))
        self.step(key, parent, cell)
        out = []
        files = entry.get("files")
        for f in files if isinstance(files, list) else []:
            if isinstance(f, dict):
                try:
                    out.append(UploadedFile(**f))
                except TypeError:
                    continue
        return out

    def video_label(self, draft: Draft | None, last_prompt: str | None = None) -> str:
        """What the video is called: its title, else the prompt that started it."""
        title = draft.title if draft is not None else None
        if isinstance(title, str) and title.strip():
            return title.strip()
        return self.origin_prompt() or last_prompt or "nemo-video"


def upload_fingerprint(paths: list[str], urls: list[str]) -> str:
    """What identifies an upload step: each file by path, size and modification time; URLs as given."""
    parts = []
    for p in paths:
        try:
            st = Path(p).stat()
            parts.append(f"{Path(p).resolve()}|{st.st_size}|{st.st_mtime_ns}")
        except OSError:
            parts.append(f"{p}|missing")
    return json.dumps([*parts, *urls])


def _empty_draft(draft: Draft | None) -> bool:
    return draft is None or draft.is_empty


def _short(text: str, n: int) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= n else text[: n - 1] + "…"
