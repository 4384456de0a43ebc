"""A conversation that behaves like a notebook: versions, undo, replay instead of resend, costs.

:class:`NotebookMemory` is mixed into :class:`~nemo_jupyter.conversation.orchestrator.Conversation`.
It keeps the conversation's place in its chain of turns (``cursor``), which cell made which
turn (so re-executing a cell rewinds to just before it), the draft the conversation stands on
when that is not the backend's latest (after an undo or a replay: ``_expected``), and the
credits a turn costs. The turn log itself is :class:`~nemo_jupyter.conversation.replay.ReplayStore`.
"""

from __future__ import annotations

import inspect
import json
import re
import time
from pathlib import Path
from typing import Any

from ..client.exceptions import NemoError
from .protocols import ChatClient
from .replay import ReplayStore, canonical, chain, render_key, root_key
from .versions import Restore, Version, Versions

__all__ = ["EDIT_COST", "GENERATION_COST", "UNSET", "NotebookMemory", "words"]

GENERATION_COST = 100   # PROTOCOL.md: about 100 credits per generated clip
EDIT_COST = 50          # about 50 per editing turn; export is free


class _Unset:
    def __repr__(self) -> str:
        return "UNSET"


UNSET: Any = _Unset()

WORDS: dict[str, dict[str, str]] = {
    "en": {
        "reused": "(reused, no credits spent)",
        "undo": 'say "undo"',
        "new_video": "Started a new video; the previous one is version {n}, {undo} brings it back.",
        "restored": "Back to version {n} ({change}). Nothing was sent, nothing spent.",
        "restored_cloud": ("The cloud keeps its own latest draft: an export renders version {n}, but a new "
                           "prompt edits the cloud's latest timeline."),
        "not_rewound": ("The cloud cannot be set back to the draft above this cell: this prompt edits its "
                        "latest timeline."),
        "cost": "{available} credits available; {what} typically costs about {cost}",
        "a_new_video": "a new video", "an_edit": "an edit",
        "cost_export": "{available} credits available; an export is free (the protocol charges nothing for it)",
        "spent": "Credits: {spent} spent, {available} left.",
        "over_budget": "This turn typically costs about {cost} credits ({what}), over the limit of {limit}.",
        "budget_hint": "Raise the limit (--max-credits N or %config NemoMagics.max_credits = N), or skip this cell.",
        "first": "first version", "fresh": "fresh start",
    },
    "zh": {
        "reused": "（沿用上次的结果，未花费积分）",
        "undo": "说「撤销」",
        "new_video": "开始了一个新视频；之前的视频是版本 {n}，{undo}可以找回。",
        "restored": "已回到版本 {n}（{change}）。没有发送任何内容，也没有花费积分。",
        "restored_cloud": "云端保留它自己的最新草稿：导出会渲染版本 {n}，但新的提示会修改云端最新的时间线。",
        "not_rewound": "云端无法回到本单元格上方的草稿：这条提示会修改云端最新的时间线。",
        "cost": "可用积分 {available}；{what}通常约需 {cost} 积分",
        "a_new_video": "生成新视频", "an_edit": "一次修改",
        "cost_export": "可用积分 {available}；导出不花费积分",
        "spent": "积分：本次花费 {spent}，剩余 {available}。",
        "over_budget": "这一步通常约需 {cost} 积分（{what}），超过了上限 {limit}。",
        "budget_hint": "提高上限（--max-credits N 或 %config NemoMagics.max_credits = N），或跳过这个单元格。",
        "first": "第一个版本", "fresh": "重新开始",
    },
}


def words(zh: bool, key: str, hints: dict[str, dict[str, str]] | None = None, **kw: Any) -> str:
    lang = "zh" if zh else "en"
    text = {**WORDS[lang], **(hints or {}).get(lang, {})}[key]
    return text.format(**kw) if kw else text


async def _maybe(value: Any) -> Any:
    return await value if inspect.isawaitable(value) else value


def _json_of(draft: Any) -> Any:
    if draft is None:
        return None
    fn = getattr(draft, "to_json", None)
    return fn() if callable(fn) else draft


def _draft_from(raw: Any) -> Any:
    if raw is None:
        return None
    from ..client.draft import Draft

    return Draft.from_json(raw)


def _video_content(raw: Any) -> set[str]:
    """The video track's segments without their ids and timing (to tell a new video from an edit)."""
    out: set[str] = set()
    if not isinstance(raw, dict):
        return out
    for track in raw.get("t") or []:
        if isinstance(track, dict) and track.get("tt") in (0, None):
            for seg in track.get("sg") or []:
                if isinstance(seg, dict):
                    out.add(json.dumps({k: v for k, v in seg.items() if k not in ("id", "st", "d", "et")},
                                       sort_keys=True, default=str))
    return out


def is_new_video(before: Any, after: Any, changes: list[str]) -> bool:
    """True when ``after`` is a different video, not an edit of ``before``."""
    b, a = _video_content(_json_of(before)), _video_content(_json_of(after))
    return bool(b and a and not (a & b) and len(changes) >= 4)


class NotebookMemory:
    """The notebook side of a conversation (mixed into ``Conversation``)."""

    name: str
    nemo: ChatClient
    hints: dict[str, dict[str, str]] | None
    history: list[Any]
    _session: Any

    def _memory_setup(self, store: ReplayStore | None, place: str) -> None:
        self.versions = Versions()
        self.replay_store = store
        self.place = place
        self.cursor: str | None = None
        self._root: str | None = None
        self._cells: dict[str, str] = {}         # cell id -> the key it continued from
        self._entries: dict[str, dict[str, Any]] = {}
        self._expected: Any = UNSET              # the draft we stand on when it may not be the backend's
        self.spent = 0                           # credits spent by this conversation in this kernel
        self.language: str | None = None
        self._new_pending = False                # %nemo new ran: the next step starts from a fresh key
        self._free = False                       # the backend said it charges nothing
        self.last_upload_reused = False
        self._export_credits: tuple[Any, str | None] = (None, None)  # read before a render, and said

    # -- identity and the chain ----------------------------------------------------------------------
    @property
    def zh(self) -> bool:
        return (self.language or "").startswith("zh")

    async def backend_key(self) -> str:
        fn = getattr(self.nemo, "backend_key", None)
        if callable(fn):
            return str(await _maybe(fn()))
        return str(getattr(self.nemo, "backend", None) or "backend")

    @property
    def charges(self) -> bool:
        """Whether the backend spends credits (the embedded engine never does)."""
        return str(getattr(self.nemo, "backend", "local")) != "local" and not self._free

    async def root(self) -> str:
        if self._root is None:
            self._root = root_key(await self.backend_key(), self.place, self.name)
            self._entries.setdefault(self._root, {"kind": "root", "session_id": None, "draft": None})
        if self.cursor is None:
            self.cursor = self._root
        return self.cursor

    def entry(self, key: str) -> dict[str, Any] | None:
        found = self._entries.get(key)
        if found is None and self.replay_store is not None:
            found = self.replay_store.turn(key)
            if found is not None:
                self._entries[key] = found
        return found

    def remember(self, key: str, entry: dict[str, Any]) -> None:
        self._entries[key] = entry
        if self.replay_store is not None:
            self.replay_store.put_turn(key, entry)

    async def parent_for(self, cell: str | None) -> str:
        """The key a step continues from: just before ``cell``'s last run if it ran, else the cursor."""
        cursor = await self.root()
        if self._new_pending:
            self._new_pending = False
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
        entry = self.entry(key) or {"session_id": None, "draft": None}
        self.cursor = key
        sid = entry.get("session_id")
        if sid is None:
            self._session = None           # before the first turn: the next one opens a new session
            self._expected = UNSET
        else:
            self.adopt(str(sid))
            self._expected = _draft_from(entry.get("draft"))
        number = entry.get("version")
        known = {v.number for v in self.versions}
        self.versions.head = number if isinstance(number, int) and number in known else None

    def step(self, key: str, parent: str, cell: str | None) -> None:
        self.cursor = key
        if cell is not None:
            self._cells[cell] = parent

    def adopt(self, session_id: str) -> None:
        """Continue on the backend session ``session_id`` (a replayed turn's)."""
        if self._session is not None and str(getattr(self._session, "id", None)) == session_id:
            return
        self._session = self.nemo.session(session_id=session_id)

    # -- versions ------------------------------------------------------------------------------------
    def add_version(self, draft: Any, *, prompt: str, change: str, cell: str | None, key: str,
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
        if self._expected is UNSET:
            return
        expected, self._expected = self._expected, UNSET
        session = self._session
        if session is None or not getattr(session, "id", None):
            return
        try:
            state = await _maybe(session.state())
        except NemoError:
            return
        if canonical(_json_of(getattr(state, "draft", None))) == canonical(_json_of(expected)):
            return
        from ..client.draft_versions import push_draft

        try:
            pushed = await push_draft(session, expected, note="rewound by the notebook")
        except (NemoError, AttributeError):
            pushed = None
        if pushed is None:
            notices.append(words(self.zh, "not_rewound", self.hints))

    async def restore(self, request: Restore, *, parent: str, cell: str | None) -> tuple[Version, list[str]]:
        """Go back to an earlier version (no generation); returns it and notices for the user."""
        target = self.versions.target(request)
        self.versions.move(target.number)
        notices: list[str] = []
        session = self._session
        pushed: int | None = None
        if session is not None and getattr(session, "id", None):
            from ..client.draft_versions import push_draft

            try:
                pushed = await push_draft(session, target.draft, note=f"back to version {target.number}")
            except (NemoError, AttributeError):
                pushed = None
        self._expected = UNSET if pushed is not None else target.draft
        if pushed is None and self.charges:
            notices.append(words(self.zh, "restored_cloud", self.hints, n=target.number))
        key = chain(parent, "restore", str(request.version))
        self.remember(key, {"kind": "restore", "parent": parent, "session_id": getattr(session, "id", None),
                            "draft": _json_of(target.draft), "version": target.number})
        self.step(key, parent, cell)
        return target, notices

    async def fresh_start(self) -> None:
        """``%nemo new``: the next prompt opens a new session (a step of the chain, so Run All repeats it)."""
        parent = await self.root()
        key = chain(parent, "new")
        self.remember(key, {"kind": "new", "parent": parent, "session_id": None, "draft": None})
        self.cursor = key
        self._session = None
        self._expected = UNSET
        self.versions.head = None

    # -- turns -------------------------------------------------------------------------------------
    def record_turn(self, result: Any, key: str, parent: str, cell_label: str | None, text: str) -> None:
        """After a real turn: a new version when the draft changed, and the entry a rerun replays."""
        before = self.versions.current
        if self.zh:
            result.changes = [zh_change(c) for c in result.changes]
        draft = result.draft if result.draft is not None else (before.draft if before else None)
        changed = result.draft is not None and canonical(_json_of(result.draft)) != canonical(
            _json_of(before.draft if before else None))
        change = None
        if changed:
            new = before is not None and not _empty_draft(before.draft) and is_new_video(
                before.draft, result.draft, list(result.changes))
            title = getattr(result.draft, "title", None) or text
            if before is None or _empty_draft(before.draft) or new:
                change = ("新视频：" if self.zh else "new video: ") + _short(title, 50)
            else:
                change = _short("; ".join(result.changes) or text, 80)
            self.add_version(result.draft, prompt=text, change=change, cell=cell_label, key=key,
                             kind="new" if new else "turn")
            if new and before is not None:
                result.new_video = True
                result.changes = [words(self.zh, "new_video", self.hints, n=before.number,
                                        undo=words(self.zh, "undo", self.hints))]
        result.version = self.versions.head
        self.remember(key, {
            "kind": "chat", "parent": parent, "session_id": result.session_id, "text": result.text,
            "raw_text": result.raw_text,
            "actions": list(result.actions), "changes": list(result.changes), "notices": list(result.notices),
            "silent": bool(result.silent), "draft": _json_of(draft), "version_change": change,
            "new_video": bool(result.new_video), "version": result.version, "created": time.time(),
            "language": self.language})

    def replayed(self, entry: dict[str, Any], key: str, parent: str, cell: str | None, cell_label: str | None,
                 text: str) -> dict[str, Any]:
        """A stored turn shown again: the fields of its TurnResult (nothing is sent)."""
        sid = entry.get("session_id")
        if sid:
            self.adopt(str(sid))
        if self.language is None and isinstance(entry.get("language"), str):
            self.language = entry["language"]
        draft = _draft_from(entry.get("draft"))
        self._expected = draft
        if entry.get("version_change"):
            self.add_version(draft, prompt=text, change=str(entry["version_change"]), cell=cell_label, key=key,
                             kind="new" if entry.get("new_video") else "turn",
                             when=entry.get("created") if isinstance(entry.get("created"), float) else None)
        self.step(key, parent, cell)
        notices = [str(n) for n in entry.get("notices") or [] if not str(n).startswith("silent turn")]
        notices.append(words(self.zh, "reused", self.hints))
        return {"text": str(entry.get("text") or ""), "raw_text": str(entry.get("raw_text") or ""),
                "actions": list(entry.get("actions") or []), "changes": list(entry.get("changes") or []),
                "draft": draft, "notices": notices, "silent": bool(entry.get("silent")), "reused": True,
                "session_id": str(sid) if sid else None, "version": self.versions.head,
                "new_video": bool(entry.get("new_video")), "credits_spent": 0 if self.charges else None}

    def record_upload(self, key: str, parent: str, cell: str | None, uploads: list[Any]) -> None:
        import dataclasses

        current = self.versions.current
        files = [dataclasses.asdict(u) if dataclasses.is_dataclass(u) and not isinstance(u, type) else None
                 for u in uploads]
        self.remember(key, {"kind": "upload", "parent": parent, "session_id": getattr(self._session, "id", None),
                            "draft": _json_of(current.draft) if current else None, "version": self.versions.head,
                            "files": [f for f in files if f is not None], "created": time.time()})
        self.step(key, parent, cell)

    def replayed_upload(self, entry: dict[str, Any] | None, key: str, parent: str,
                        cell: str | None) -> list[Any] | None:
        """The files of an upload already made at this step (nothing is sent again), or None."""
        if entry is None or entry.get("kind") != "upload" or not entry.get("session_id"):
            return None
        from ..client.models import UploadedFile

        self.adopt(str(entry["session_id"]))
        self.step(key, parent, cell)
        out = []
        for f in entry.get("files") or []:
            if isinstance(f, dict):
                try:
                    out.append(UploadedFile(**f))
                except TypeError:
                    continue
        return out

    def video_label(self, draft: Any) -> str:
        """What the video is called: its title, else the prompt that started it."""
        title = getattr(draft, "title", None)
        if isinstance(title, str) and title.strip():
            return title.strip()
        return self.origin_prompt() or getattr(self, "last_prompt", None) or "nemo-video"

    # -- credits -------------------------------------------------------------------------------------
    async def cost_before(self, *, limit: float | None, has_draft: bool) -> tuple[Any, str | None]:
        """(credits before, a line saying what the turn may cost); raises beyond ``limit``."""
        if not self.charges:
            return None, None
        try:
            credits = await _maybe(self.nemo.credits())
        except NemoError:
            credits = None
        if getattr(credits, "free", False) is True:
            self._free = True     # a backend that says it charges nothing: no costs to show
            return None, None
        cost = EDIT_COST if has_draft else GENERATION_COST
        what = words(self.zh, "an_edit" if has_draft else "a_new_video")
        if limit is not None and cost > limit:
            raise NemoError(words(self.zh, "over_budget", cost=cost, what=what, limit=f"{limit:g}"),
                            hint=words(self.zh, "budget_hint", self.hints))
        if credits is None:
            return None, None
        available = getattr(credits, "available", None)
        return credits, words(self.zh, "cost", available=available, what=what, cost=cost)

    async def export_cost(self) -> tuple[Any, str | None]:
        """Before a render on a charging backend: the credits available, and that an export is free."""
        if not self.charges:
            return None, None
        try:
            credits = await _maybe(self.nemo.credits())
        except NemoError:
            return None, None
        if getattr(credits, "free", False) is True:
            self._free = True
            return None, None
        return credits, words(self.zh, "cost_export", available=getattr(credits, "available", None))

    async def cost_after(self, before: Any) -> tuple[int | None, Any]:
        if before is None:
            return None, None
        try:
            after = await _maybe(self.nemo.credits())
        except NemoError:
            return None, None
        a, b = getattr(after, "available", None), getattr(before, "available", None)
        if not isinstance(a, (int, float)) or not isinstance(b, (int, float)):
            return None, getattr(after, "available", None)
        spent = max(0, int(b - a))
        self.spent += spent
        return spent, a

    # -- renders -------------------------------------------------------------------------------------
    async def render_key_for(self, draft: Any, quality: str, resolution: str | None) -> str:
        return render_key(await self.backend_key(), _json_of(draft), quality, resolution)

    def cached_render(self, key: str) -> dict[str, Any] | None:
        if self.replay_store is None:
            return None
        entry = self.replay_store.render(key)
        if entry and entry.get("path") and Path(str(entry["path"])).is_file():
            return entry
        return None

    def remember_render(self, key: str, video: Any) -> None:
        path = getattr(video, "path", None)
        if self.replay_store is None or path is None:
            return
        self.replay_store.put_render(key, {
            "path": str(Path(path).resolve()), "job_id": getattr(video, "job_id", None),
            "duration": getattr(video, "duration", None), "size": getattr(video, "size", None),
            "url": getattr(video, "url", None), "created": time.time()})


_ZH_CHANGES: list[tuple[re.Pattern[str], str]] = [(re.compile(p), r) for p, r in (
    (r"^Changed duration (.+?) s → (.+?) s$", r"时长 \1 秒 → \2 秒"),
    (r"^Changed aspect (.+) → (.+)$", r"画面比例 \1 → \2"),
    (r"^Changed size (.+) → (.+)$", r"尺寸 \1 → \2"),
    (r"^Changed video title '(.*)' → '(.*)'$", r"视频标题「\1」→「\2」"),
    (r"^Removed track (\d+) '(.*)'$", r"删除了轨道 \1「\2」"),
    (r"^Added track (\d+) '(.*)'$", r"新增了轨道 \1「\2」"),
    (r"^Changed volume of (.+) (\S+) → (\S+)$", r"\1 的音量 \2 → \3"),
    (r"^Changed (\w+) text '(.*)' → '(.*)'$", r"文字「\2」→「\3」"),
    (r"^Renamed (.+) → '(.*)'$", r"\1 改名为「\2」"),
    (r"^Removed (.+)$", r"删除了 \1"),
    (r"^Added (.+)$", r"新增了 \1"),
    (r"^Moved (.+) to track (\d+) '(.*)'$", r"\1 移到了轨道 \2「\3」"),
)]


def zh_change(line: str) -> str:
    """A change line of the client's diff in Chinese (the backend's own names and texts kept)."""
    for pattern, repl in _ZH_CHANGES:
        if pattern.match(line):
            return pattern.sub(repl, line)
    return line


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


def _empty_draft(draft: Any) -> bool:
    return draft is None or bool(getattr(draft, "is_empty", False))


def _short(text: str, n: int) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= n else text[: n - 1] + "…"
