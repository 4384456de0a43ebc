"""The one conversation layer shared by the magics, the widgets and the command line.

It knows no IPython, no widgets and no HTTP: it only calls the client
(:class:`~nemo_jupyter.AsyncNemo` and its sessions) and turns what comes back
into things a presentation layer can draw.

::

    conv = Conversation(AsyncNemo())
    result = await conv.run("make a 15-second ocean video", on_update=print)
    result.text        # the reply, GUI words translated ("click Export" -> how to export here)
    result.actions     # ["export"], ["timeline"], ["send:Add music"], ...
    result.changes     # the draft diff in words
    video = await conv.export(quality="preview")

Everything is async and runs on the client's loop; sync callers use
:func:`nemo_jupyter._loop.run_sync` / :func:`nemo_jupyter._loop.submit`.
``on_update`` receives a :class:`TurnUpdate` at every event (it is called on the
loop's thread; presentation layers throttle their own redraws).
"""

from __future__ import annotations

import asyncio
import contextlib
import enum
import inspect
import re
import threading
import time
import urllib.parse
from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..client.exceptions import NemoError, TurnCancelled

__all__ = [
    "Conversation",
    "Conversations",
    "Intent",
    "TurnCancelled",
    "TurnResult",
    "TurnUpdate",
    "backend_badge",
    "humanize_tool",
    "parse_upload",
    "route",
    "translate_gui",
]


# --------------------------------------------------------------------------------------------
# Routing
# --------------------------------------------------------------------------------------------


class Intent(str, enum.Enum):
    """What a user's words ask for (PROTOCOL.md, "Intent routing")."""

    CHAT = "chat"
    EXPORT = "export"
    CREDITS = "credits"
    STATUS = "status"
    UPLOAD = "upload"


_EN_LEAD = (
    r"(?:(?:please|pls|ok|okay|now|then|so|and|hey|hi|nemo|great|cool|thanks|thank you|perfect|nice|good|"
    r"can you|could you|would you|will you|can i|could i|may i|i want to|i wanna|i'd like to|i would like to|"
    r"let's|lets|let me|go ahead and|just|also|show me|tell me|what's|what is|what are|whats|how many|how much|"
    r"check|show|see|view|get|give me|display|print|list)\s+)*"
)
_EN_VIDEO = (
    r"(?:it|this|that|them|(?:the|my|this|that|our|a|an)\s+(?:final\s+)?(?:video|movie|clip|draft|result|mp4|file|"
    r"render|edit|project|timeline)|video|mp4|an? mp4|the result|the file)"
)
_EN_TAIL = (
    r"(?:\s+(?:now|please|pls|for me|to me|to mp4|as (?:an )?mp4|in (?:1080p|720p|hd|high quality)|"
    r"in (?:high|preview) quality|already|again|here|then|thanks|thank you))*"
)
_EN_ROUTES: dict[Intent, list[str]] = {
    Intent.EXPORT: [
        rf"(?:export|download|render)(?:\s+{_EN_VIDEO})?",
        rf"(?:send|give|email|share)\s+(?:me\s+)?{_EN_VIDEO}",
        rf"(?:save)\s+{_EN_VIDEO}(?:\s+(?:as|to)\s+(?:an?\s+)?(?:mp4|file|video))?",
        rf"(?:let\s+me\s+|can\s+i\s+|i\s+want\s+to\s+)?(?:have|get|download|see)\s+{_EN_VIDEO}\s+(?:file|as an mp4|as mp4)",
        r"(?:export|download)\s+(?:the\s+)?(?:video|mp4)\s+(?:file|now)?",
    ],
    Intent.CREDITS: [
        r"(?:my\s+|the\s+|remaining\s+|available\s+)*(?:credits?|credit balance|balance|account balance)"
        r"(?:\s+(?:left|remaining|balance|do i have|have i got|are left|i have|now))*",
        r"how many credits(?:\s+(?:do i have|are left|have i got|left|remain|remaining|i have))*",
        r"(?:how much|what's my|what is my)\s+(?:credit|credits|balance)(?:\s+(?:left|remaining|do i have))*",
    ],
    Intent.STATUS: [
        r"(?:the\s+|my\s+|current\s+)*(?:status|state|timeline|tracks|draft|project status)",
        r"(?:(?:the|my|current)\s+)*(?:tracks|timeline|draft|status|state)\s+(?:please|now|so far)",
        r"(?:what's|what is|whats)\s+on\s+the\s+timeline(?:\s+(?:now|so far))?",
        r"where\s+are\s+we(?:\s+now)?",
        r"(?:show|list|display)\s+(?:me\s+)?(?:the\s+|my\s+|all\s+)*(?:tracks|timeline|draft|status|segments)",
    ],
}
_EN_COMPILED = {
    intent: [re.compile(rf"{_EN_LEAD}(?:{p}){_EN_TAIL}", re.IGNORECASE) for p in pats]
    for intent, pats in _EN_ROUTES.items()
}

_ZH_LEAD = r"(?:请|麻烦|帮我|给我|替我|我要|我想|我想要|现在|那就|好的|好|可以|能不能|能否|你能|可以帮我|直接|马上|立刻|然后|再|把|将|查看|查|看看|看一下|显示|告诉我|给我看)*"
_ZH_VIDEO = r"(?:视频|影片|成片|这个视频|该视频|这个|它|作品|草稿|mp4|MP4)?"
_ZH_TAIL = r"(?:吧|吗|呢|啊|一下|出来|给我|下来|发给我|发我|文件|为mp4|成mp4|谢谢|好吗|可以吗|多少|还有多少|有多少|剩多少|还剩多少|剩余多少|是多少|怎么样|如何)*"
_ZH_ROUTES: dict[Intent, list[str]] = {
    Intent.EXPORT: [
        rf"{_ZH_VIDEO}(?:导出|下载|渲染|输出){_ZH_VIDEO}",
        rf"(?:把|将)?{_ZH_VIDEO}(?:发给我|发我|给我)",
    ],
    Intent.CREDITS: [
        r"(?:我的|账户|账号|剩余|可用|当前)*(?:积分|余额|点数|额度)(?:余额)?",
        r"(?:我)?(?:还)?(?:有|剩)(?:多少)(?:积分|余额|点数|额度)",
    ],
    Intent.STATUS: [
        r"(?:当前|现在的|项目|视频|我的)*(?:状态|进度|时间线|时间轴|轨道|草稿)(?:信息)?",
        r"(?:显示|查看|看看)?(?:所有)?(?:轨道|时间线|时间轴)",
    ],
}
_ZH_COMPILED = {
    intent: [re.compile(rf"{_ZH_LEAD}(?:{p}){_ZH_TAIL}", re.IGNORECASE) for p in pats]
    for intent, pats in _ZH_ROUTES.items()
}

_PUNCT = " \t\r\n.,;:!?…。，；：！？、~～\"'“”‘’「」『』()（）[]【】"
_URL = re.compile(r"https?://\S+", re.IGNORECASE)
_UPLOAD_VERB = re.compile(r"^\s*(?:(?:please|pls)\s+)?(?:upload|add file|add files|请)?\s*(?:上传|upload)\b|^\s*(?:请|帮我)?上传",
                          re.IGNORECASE)
_FILE_LIKE = re.compile(r"^(?:https?://\S+|[\w~./\\:-]*[\w-]\.[A-Za-z0-9]{2,5}|[~.]?/[\w./\\-]+)$")


def _normalise(text: str) -> str:
    text = text.strip().strip(_PUNCT)
    text = re.sub(r"[,;:!?…。，；：！？、~～]+", " ", text)
    return re.sub(r"\s+", " ", text).strip()


def parse_upload(text: str) -> tuple[list[str], list[str]] | None:
    """``(paths, urls)`` when ``text`` is an upload command ("upload a.png https://x/b.mp4", "上传 a.png").

    ``None`` when it is not one: "upload my photos and make a video" is a chat message.
    """
    match = _UPLOAD_VERB.match(text)
    if not match:
        return None
    rest = text[match.end():].strip().strip(_PUNCT.replace("/", "").replace(".", "").replace("~", ""))
    tokens = _split_args(rest)
    tokens = [t for t in tokens if t.lower() not in {"files", "file", "these", "this", "文件", "and", "和", ","}]
    if not all(_FILE_LIKE.match(t) or Path(t).expanduser().exists() for t in tokens):
        return None
    urls = [t for t in tokens if _URL.fullmatch(t)]
    paths = [t for t in tokens if t not in urls]
    return paths, urls


def _split_args(text: str) -> list[str]:
    import shlex

    try:
        parts = shlex.split(text, posix=True)
    except ValueError:
        parts = text.split()
    out: list[str] = []
    for part in parts:
        out.extend(p for p in re.split(r"[,，、]\s*", part) if p)
    return out


def route(text: str) -> Intent:
    """The intent of ``text``: a short command (export, credits, status, upload) or chat.

    Only a message that *is* a command is routed to it ("export", "导出视频", "how many
    credits do I have?"); a command word inside a creative sentence ("make a video about
    exports", "add a title that says download now") stays chat, where the agent handles it.
    """
    if not text or not text.strip():
        return Intent.CHAT
    if parse_upload(text) is not None:
        return Intent.UPLOAD
    norm = _normalise(text)
    if not norm or len(norm) > 80:
        return Intent.CHAT
    compact = norm.replace(" ", "")
    for intent, patterns in _EN_COMPILED.items():
        if any(p.fullmatch(norm) for p in patterns):
            return intent
    for intent, patterns in _ZH_COMPILED.items():
        if any(p.fullmatch(compact) for p in patterns):
            return intent
    return Intent.CHAT


# --------------------------------------------------------------------------------------------
# GUI words -> what the user can do here
# --------------------------------------------------------------------------------------------

DEFAULT_HINTS: dict[str, dict[str, str]] = {
    "en": {
        "export": 'export it (say "export")',
        "timeline": 'look at the timeline (say "status")',
        "edit": "describe the change in your next message",
        "send": 'ask for "{label}" in your next message',
    },
    "zh": {
        "export": "导出视频（输入「导出」）",
        "timeline": "查看时间线（输入「状态」）",
        "edit": "在下一条消息里用文字描述要怎么改",
        "send": "在下一条消息里说「{label}」",
    },
}

_Q_OPEN = "[\\[\"'“‘「『【<]"
_Q_CLOSE = "[\\]\"'”’」』】>]"
_EN_RULES: list[tuple[str, str]] = [
    # (pattern, action)
    (rf"\b(?:click|tap|press|hit|select|use)\s+(?:on\s+)?(?:the\s+)?{_Q_OPEN}?\s*(?:export|download)(?:\s+video)?(?:\s*{_Q_CLOSE})?"
     r"(?:\s+(?:button|icon|option))?(?:\s+(?:in|at|on)\s+the\s+(?:top|bottom|upper|lower)[\w\s-]{0,20}?corner)?"
     r"(?:\s+(?:to|and)\s+(?:download|export|save|get)(?:\s+(?:it|the video|your video|the mp4))?)?", "export"),
    (r"\b(?:the\s+)?(?:export|download)\s+(?:button|icon)", "export"),
    (r"\b(?:preview|check|see|view|review|watch)\s+(?:it\s+|the\s+\w+\s+)?(?:in|on)\s+the\s+(?:timeline|preview(?:\s+panel)?|editor)", "timeline"),
    (r"\b(?:open|go\s+to|switch\s+to)\s+(?:the\s+)?[\w\s-]{0,30}?(?:panel|tab|editor|timeline|window|sidebar|menu)\b"
     r"(?:\s+(?:panel|tab|window|view))?(?:\s+to\s+(?:preview|see|check|view|review)(?:\s+(?:it|the\s+\w+))?)?", "timeline"),
    (r"\b(?:drag(?:\s+and\s+drop)?|drop)\b[^.!?\n]*", "edit"),
    (rf"\b(?:click|tap|press|hit)\s+(?:on\s+)?(?:the\s+)?{_Q_OPEN}\s*(?P<label>[^\]\"'”’」』】>\n]{{1,40}}?)\s*{_Q_CLOSE}"
     r"(?:\s+(?:button|icon|option|tab))?", "send"),
    (r"\b(?:click|tap|press|hit)\s+(?:on\s+)?(?:the\s+)?(?P<label>\w[\w ]{0,30}?)\s+(?:button|icon)", "send"),
]
_ZH_RULES: list[tuple[str, str]] = [
    (rf"(?:请)?(?:点击|单击|点|按)\s*(?:右上角|左上角|右下角|上方|下方)?(?:的)?\s*{_Q_OPEN}?\s*(?:导出|下载)(?:视频)?(?:\s*{_Q_CLOSE})?(?:按钮|图标)?(?:(?:来|以|即可)?(?:下载|导出|保存)(?:视频|成片)?)?", "export"),
    (r"(?:导出|下载)(?:按钮|图标)", "export"),
    (r"(?:在|到)(?:时间线|时间轴|预览区|预览面板|编辑器)(?:中|上|里)?(?:预览|查看)", "timeline"),
    (r"(?:请)?打开[^，。！？\n]{0,12}(?:面板|时间线|时间轴|编辑器|窗口|标签页|菜单)(?:(?:来|以)?(?:查看|预览|看看))?", "timeline"),
    (r"(?:请)?(?:拖拽|拖动|拖放|拖到|拖)[^，。！？\n]*", "edit"),
    (rf"(?:请)?(?:点击|单击)\s*{_Q_OPEN}\s*(?P<label>[^\]\"'”’」』】>\n]{{1,20}}?)\s*{_Q_CLOSE}(?:按钮|图标)?", "send"),
    (r"(?:请)?(?:点击|单击)(?P<label>[\u4e00-\u9fff]{1,8}?)(?:按钮|图标)", "send"),
]
_EN_RE = [(re.compile(p, re.IGNORECASE), a) for p, a in _EN_RULES]
_ZH_RE = [(re.compile(p), a) for p, a in _ZH_RULES]
_TEMP_ISSUE = re.compile(
    r"(?:\s*(?:but\s+)?(?:I\s+)?(?:encountered|ran into|hit)\s+a\s+temporary\s+issue[^\n]*|\s*遇到了?(?:一个)?临时(?:性)?问题[^\n]*)\s*$",
    re.IGNORECASE,
)


def translate_gui(text: str, hints: dict[str, dict[str, str]] | None = None) -> tuple[str, list[str]]:
    """Rewrite the backend's GUI instructions into what the user can do here.

    Returns ``(text, actions)``. Actions: ``"export"`` (run the export), ``"timeline"``
    (show the timeline), ``"edit"`` (describe the edit in chat) and ``"send:<label>"``
    (send ``label`` as the next message). ``hints`` (per language ``"en"``/``"zh"``)
    supplies the replacement words, so the magics can say ``%nemo export`` and a
    widget can say "the Export button".
    """
    table = {lang: {**DEFAULT_HINTS[lang], **(hints or {}).get(lang, {})} for lang in DEFAULT_HINTS}
    actions: list[str] = []
    # Replacements are parked behind placeholders until every rule has run, so a later rule
    # never rewrites the words an earlier one put in (a hint that says "the Export button").
    parked: list[str] = []

    def park(words: str) -> str:
        parked.append(words)
        return f"\x00{len(parked) - 1}\x00"

    def add(action: str) -> None:
        if action not in actions:
            actions.append(action)

    def apply(rules: list[tuple[re.Pattern[str], str]], lang: str, value: str) -> str:
        for pattern, action in rules:
            def repl(m: re.Match[str], action: str = action) -> str:
                if action == "send":
                    label = m.group("label").strip()
                    if re.fullmatch(r"(?i)export|download|导出|下载", label):
                        add("export")
                        return park(table[lang]["export"])
                    add(f"send:{label}")
                    out = table[lang]["send"].format(label=label)
                    return park(out[:1].upper() + out[1:] if m.group(0)[:1].isupper() else out)
                add(action)
                out = table[lang][action]
                if m.group(0)[:1].isupper():
                    out = out[:1].upper() + out[1:]
                return park(out)

            value = pattern.sub(repl, value)
        return value

    # Remove a trailing "I encountered a temporary issue" after a normal answer.
    stripped = _TEMP_ISSUE.sub("", text)
    if stripped.strip():
        text = stripped
    text = apply(_ZH_RE, "zh", text)
    text = apply(_EN_RE, "en", text)
    text = re.sub("\x00(\\d+)\x00", lambda m: parked[int(m.group(1))], text)
    return text, actions


# --------------------------------------------------------------------------------------------
# Updates and results
# --------------------------------------------------------------------------------------------


@dataclass
class TurnUpdate:
    """One thing that happened during a turn, for a presentation layer to draw.

    ``kind``: ``"text"`` (``text`` is the whole reply so far), ``"tool"`` (``tool`` is a
    compact progress line such as "planning scenes…"), ``"heartbeat"`` (still working;
    see ``elapsed``), ``"state"`` (``draft`` changed; ``changes`` in words), ``"progress"``
    (render ``percent``; ``status`` is the job's "pending" while it waits in the queue,
    with ``queue_position`` when the backend tells it, then "processing"), ``"notice"``
    (``notice`` text), ``"done"`` (``result``).
    """

    kind: str
    text: str = ""
    tool: str | None = None
    elapsed: float = 0.0
    draft: Any = None
    percent: float | None = None
    notice: str | None = None
    changes: list[str] = field(default_factory=list)
    result: TurnResult | None = None
    status: str | None = None
    queue_position: int | None = None


@dataclass
class TurnResult:
    """The outcome of :meth:`Conversation.run`: a client ``Reply`` plus what this layer adds.

    Attributes a ``Reply`` has (``events``, ``draft_before``, ...) are forwarded to it.
    ``text`` is the translated reply; ``raw_text`` the backend's own words.
    """

    intent: Intent
    text: str = ""
    raw_text: str = ""
    actions: list[str] = field(default_factory=list)
    changes: list[str] = field(default_factory=list)
    draft: Any = None
    draft_before: Any = None
    reply: Any = None
    video: Any = None
    credits: Any = None
    uploads: list[Any] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)
    elapsed: float = 0.0
    backend: str = ""
    session_id: str | None = None
    silent: bool = False
    conversation: str = "default"

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__") or name == "reply":
            raise AttributeError(name)
        reply = self.__dict__.get("reply")
        if reply is not None:
            return getattr(reply, name)
        raise AttributeError(name)

    @property
    def draft_changed(self) -> bool:
        return bool(self.changes)

    def __str__(self) -> str:
        return self.text

    def __repr__(self) -> str:
        text = self.text if len(self.text) <= 60 else self.text[:57] + "..."
        return (f"TurnResult(intent={self.intent.value!r}, text={text!r}, changes={len(self.changes)}, "
                f"actions={self.actions!r}, backend={self.backend!r})")

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict[str, str]:
        from ..ui.display import (  # display has no IPython import at module level
            result_markdown,
            result_plain,
        )

        return {"text/plain": result_plain(self), "text/markdown": result_markdown(self)}


UpdateCallback = Callable[[TurnUpdate], Any]

_VERBS_ING = {
    "plan": "planning", "set": "setting", "add": "adding", "make": "making", "render": "rendering",
    "generate": "generating", "remove": "removing", "change": "changing", "update": "updating",
    "create": "creating", "edit": "editing", "cut": "cutting", "trim": "trimming", "get": "getting",
    "analyze": "analysing", "analyse": "analysing", "write": "writing", "compose": "composing",
    "mix": "mixing", "apply": "applying", "resize": "resizing", "build": "building", "move": "moving",
    "read": "reading", "use": "using", "place": "placing", "pick": "picking", "choose": "choosing",
    "find": "finding", "search": "searching", "draw": "drawing", "insert": "inserting", "export": "exporting",
}


def humanize_tool(name: str, finished: bool = False) -> str:
    """``"plan_scenes"`` -> ``"planning scenes…"`` (or ``"planned scenes"`` when finished)."""
    words = [w for w in re.split(r"[_\-\s.]+|(?<=[a-z])(?=[A-Z])", name or "") if w]
    if not words:
        return "working…"
    words = [w.lower() for w in words]
    verb = words[0]
    if finished:
        return " ".join([verb, *words[1:]]) + " ✓"
    ing = _VERBS_ING.get(verb)
    if ing is None:
        ing = verb[:-1] + "ing" if verb.endswith("e") and not verb.endswith("ee") else verb + "ing"
    return " ".join([ing, *words[1:]]) + "…"


def backend_badge(backend: Any) -> str:
    """A short badge: ``"local engine"``, ``"cloud"`` or the host of a custom backend."""
    if backend is None:
        return "local engine"
    kind = getattr(backend, "kind", None) or getattr(backend, "name", None)
    text = str(kind if isinstance(kind, str) else backend)
    low = text.lower()
    if low in ("local", "engine", "local engine"):
        return "local engine"
    if low == "cloud":
        return "cloud"
    if "://" in text:
        host = urllib.parse.urlsplit(text).hostname or text
        if host in ("127.0.0.1", "localhost", "::1"):
            port = urllib.parse.urlsplit(text).port
            return f"local engine ({host}:{port})" if port else "local engine"
        if host.endswith("nemovideo.ai") or host.endswith("nemovideo.com"):
            return "cloud"
        return host
    return text


def _maybe_await(value: Any) -> Awaitable[Any]:
    if inspect.isawaitable(value):
        return value

    async def _done() -> Any:
        return value

    return _done()


def _draft_of(state: Any) -> Any:
    if state is None:
        return None
    return getattr(state, "draft", state)


def _draft_empty(draft: Any) -> bool:
    if draft is None:
        return True
    for attr in ("is_empty", "empty"):
        val = getattr(draft, attr, None)
        if isinstance(val, bool):
            return val
    raw = getattr(draft, "raw", None)
    if isinstance(raw, dict):
        return not any(t.get("sg") for t in raw.get("t", []) if isinstance(t, dict))
    return False



_EXPORT_INVITE = re.compile(r"\s*(?:say|type)\s+[\"“']export[\"”']\s+to\s+render(?:\s+it)?\.?"
                            r"|\s*说[“「\"]导出[”」\"]即可渲染。?", re.IGNORECASE)


def _created_line(draft: Any, zh: bool, *, full: bool) -> str:
    """One line for a new timeline: short where the full summary is shown beside it."""
    summary = getattr(draft, "summary", None)
    if full and callable(summary):
        return ("创建了时间线：" if zh else "Created the timeline: ") + str(summary())
    tracks = getattr(draft, "tracks", None) or []
    seconds = getattr(draft, "duration", None)
    if zh:
        size = f"{seconds:g} 秒、" if isinstance(seconds, (int, float)) and seconds else ""
        return f"创建了时间线（{size}{len(tracks)} 条轨道）"
    size = f"{seconds:g}-second " if isinstance(seconds, (int, float)) and seconds else ""
    return f"Created a {size}timeline with {len(tracks)} track{'s' if len(tracks) != 1 else ''}"


def _diff(before: Any, after: Any) -> list[str]:
    if after is None:
        return []
    if before is None:
        if _draft_empty(after):
            return []
        summary = getattr(after, "summary", None)
        return [f"Created the draft: {summary()}" if callable(summary) else "Created the draft"]
    diff = getattr(after, "diff", None)
    if not callable(diff):
        return []
    try:
        return list(diff(before))
    except Exception:  # a diff must never fail a turn
        return []


def _is_zh(text: str) -> bool:
    return bool(re.search(r"[\u4e00-\u9fff]", text or ""))


# --------------------------------------------------------------------------------------------
# Conversation
# --------------------------------------------------------------------------------------------


class Conversation:
    """One named conversation (one backend session) over an :class:`~nemo_jupyter.AsyncNemo`.

    ``hints`` replaces the words used when translating the backend's GUI instructions
    (see :func:`translate_gui`).
    """

    def __init__(self, nemo: Any, name: str = "default", *, hints: dict[str, dict[str, str]] | None = None) -> None:
        self.nemo = nemo
        self.name = name
        self.hints = hints
        self.history: list[TurnResult] = []
        self.last_video: Any = None
        self.last_job: Any = None
        self.last_prompt: str | None = None
        self._session: Any = None
        self._task: asyncio.Task[Any] | None = None
        self._task_loop: asyncio.AbstractEventLoop | None = None
        self._job: Any = None
        self._cancel_requested = False
        self._lock = threading.Lock()

    # -- basics ---------------------------------------------------------------------------
    def __repr__(self) -> str:
        sid = getattr(self._session, "session_id", None) or getattr(self._session, "id", None)
        return f"Conversation(name={self.name!r}, backend={self.badge!r}, session_id={sid!r}, turns={len(self.history)})"

    @property
    def badge(self) -> str:
        return backend_badge(getattr(self.nemo, "backend", None))

    @property
    def session(self) -> Any:
        """The client session, created lazily (on the server at its first use)."""
        if self._session is None:
            self._session = self.nemo.session()
        return self._session

    @property
    def started(self) -> bool:
        return self._session is not None and bool(self.session_id)

    @property
    def session_id(self) -> str | None:
        if self._session is None:
            return None
        sid = getattr(self._session, "session_id", None)
        if sid is None:
            sid = getattr(self._session, "id", None)
        return str(sid) if sid else None

    @staticmethod
    def route(text: str) -> Intent:
        return route(text)

    def new(self) -> None:
        """Start afresh: the next message opens a new session (the old draft stays on the server)."""
        self.cancel()
        self._session = None
        self.history.clear()
        self.last_video = None

    @property
    def running(self) -> bool:
        return self._task is not None and not self._task.done()

    def cancel(self) -> bool:
        """Cancel the running turn or render, from any thread. True if something was running."""
        with self._lock:
            task, loop, job = self._task, self._task_loop, self._job
        if task is None or task.done() or loop is None:
            return False
        self._cancel_requested = True
        if job is not None and hasattr(job, "cancel"):
            async def _cancel_job() -> None:
                with contextlib.suppress(Exception):
                    await _maybe_await(job.cancel())

            asyncio.run_coroutine_threadsafe(_cancel_job(), loop)
        loop.call_soon_threadsafe(task.cancel)
        return True

    async def _guarded(self, coro: Awaitable[Any], cancelled: NemoError) -> Any:
        """Run ``coro`` as the conversation's cancellable task."""
        loop = asyncio.get_running_loop()
        task = asyncio.ensure_future(coro)
        with self._lock:
            if self._task is not None and not self._task.done():
                task.cancel()
                raise NemoError("This conversation is still running a turn.",
                                hint="Wait for it to finish, cancel it, or use another conversation (-s NAME).")
            self._task, self._task_loop = task, loop
            self._cancel_requested = False
        try:
            return await task
        except asyncio.CancelledError:
            if not self._cancel_requested:
                raise  # our caller was cancelled (e.g. its future): let the cancellation through
            raise cancelled from None
        finally:
            with self._lock:
                if self._task is task:
                    self._task = None
                    self._job = None

    # -- the one entry point -------------------------------------------------------------------
    async def run(self, text: str, *, on_update: UpdateCallback | None = None, export: bool = False,
                  quality: str = "high", resolution: str | None = None, timeout: float | None = None,
                  path: str | Path | None = None) -> TurnResult:
        """Route ``text`` and carry it out; ``export=True`` renders after a chat turn."""
        intent = route(text)
        emit = _Emitter(on_update)
        if intent is Intent.EXPORT:
            return await self._run_export(intent, emit, quality=quality, resolution=resolution,
                                          timeout=timeout, path=path)
        if intent is Intent.CREDITS:
            credits = await self.credits()
            result = self._result(intent, text=_credits_text(credits, zh=_is_zh(text)))
            result.credits = credits
            return emit.done(result)
        if intent is Intent.STATUS:
            draft = await self.timeline()
            result = self._result(intent, text=_status_text(draft, zh=_is_zh(text)))
            result.draft = draft
            return emit.done(result)
        if intent is Intent.UPLOAD:
            parsed = parse_upload(text) or ([], [])
            if not parsed[0] and not parsed[1]:
                raise NemoError("Nothing to upload: name the files or URLs.",
                                hint="For example: upload logo.png clip.mp4 (or %nemo upload PATH|URL ...).")
            uploads = await self.upload(parsed[0], parsed[1], on_update=on_update)
            names = ", ".join(str(getattr(u, "filename", u)) for u in uploads)
            result = self._result(intent, text=f"Uploaded {len(uploads)} file(s): {names}.")
            result.uploads = list(uploads)
            return emit.done(result)
        result = await self._guarded(self._chat(text, emit), TurnCancelled("The turn was cancelled."))
        if export:
            video = await self.export(quality=quality, resolution=resolution, on_update=on_update,
                                      timeout=timeout, path=path)
            result.video = video
            # the video is here: an invitation to export it would only confuse
            result.text = _EXPORT_INVITE.sub("", result.text).strip() or result.text
            result.actions = [a for a in result.actions if a != "export"]
        return emit.done(result)

    def _result(self, intent: Intent, **kw: Any) -> TurnResult:
        kw.setdefault("backend", self.badge)
        kw.setdefault("session_id", self.session_id)
        kw.setdefault("conversation", self.name)
        return TurnResult(intent=intent, **kw)

    async def _run_export(self, intent: Intent, emit: _Emitter, **kw: Any) -> TurnResult:
        video = await self.export(on_update=emit.callback, **kw)
        result = self._result(intent, text=_video_text(video))
        result.video = video
        return emit.done(result)

    # -- chat ---------------------------------------------------------------------------------
    async def _chat(self, text: str, emit: _Emitter) -> TurnResult:
        session = self.session
        self.last_prompt = text
        start = time.monotonic()
        reply_text = ""
        tool_calls = 0
        saw_state = False
        zh = _is_zh(text)

        def on_event(event: Any) -> None:
            nonlocal reply_text, tool_calls, saw_state
            kind = type(event).__name__
            elapsed = time.monotonic() - start
            if kind == "TextEvent":
                reply_text = getattr(event, "text", "") or ""
                emit(TurnUpdate("text", text=reply_text, elapsed=elapsed))
            elif kind == "ToolCall":
                tool_calls += 1
                emit(TurnUpdate("tool", text=reply_text, tool=humanize_tool(getattr(event, "name", "")),
                                elapsed=elapsed))
            elif kind == "ToolResult":
                if getattr(event, "state_delta", None):
                    saw_state = True
                emit(TurnUpdate("tool", text=reply_text,
                                tool=humanize_tool(getattr(event, "name", ""), finished=True), elapsed=elapsed))
            elif kind == "Heartbeat":
                emit(TurnUpdate("heartbeat", text=reply_text, elapsed=elapsed))

        reply = await self._ask(session, text, on_event)
        raw = getattr(reply, "text", None)
        raw_text = raw if isinstance(raw, str) else reply_text
        draft = getattr(reply, "draft", None)
        before = getattr(reply, "draft_before", None)
        changes = list(getattr(reply, "changes", None) or [])
        if (not changes and draft is None) or (not raw_text.strip() and draft is None):
            # the client did not read the state: do it here
            try:
                draft = _draft_of(await session.state())
            except NemoError:
                draft = None
            changes = _diff(before, draft)
        elif not changes and draft is not None and before is not None:
            changes = _diff(before, draft)
        silent = not raw_text.strip()
        if changes and _draft_empty(before) and not _draft_empty(draft):
            # a new timeline: one line, not every key that went from nothing to something;
            # a silent turn has no other words, so there the line carries the whole summary
            changes = [_created_line(draft, zh, full=silent)]
        translated, actions = translate_gui(raw_text, self.hints)
        notices: list[str] = []
        if silent:
            if changes:
                translated = ("完成了以下修改：" if zh else "Done. What changed: ") + "; ".join(changes)
            else:
                translated = ("后端没有回复，时间线也没有变化。" if zh else
                              "The backend finished without a reply, and the timeline did not change.")
            notices.append("silent turn: the changes were read from the timeline")
        for n in getattr(reply, "notices", None) or []:
            notices.append(str(n))
        elapsed = time.monotonic() - start
        if changes:
            emit(TurnUpdate("state", text=translated, draft=draft, changes=changes, elapsed=elapsed))
        for n in notices:
            emit(TurnUpdate("notice", text=translated, notice=n, elapsed=elapsed))
        result = self._result(Intent.CHAT, text=translated, raw_text=raw_text, actions=actions, changes=changes,
                              draft=draft, draft_before=before, reply=reply, notices=notices, elapsed=elapsed,
                              silent=silent, session_id=self.session_id)
        self.history.append(result)
        return result

    async def _ask(self, session: Any, text: str, on_event: Callable[[Any], None]) -> Any:
        """One chat turn through the client, calling ``on_event`` for each event; returns the Reply."""
        return await session.ask(text, on_event=on_event)

    # -- other intents ------------------------------------------------------------------------
    async def export(self, *, quality: str = "high", resolution: str | None = None,
                     on_update: UpdateCallback | None = None, timeout: float | None = None,
                     path: str | Path | None = None) -> Any:
        """Render the current draft; returns the client's ``Video`` (downloaded to ``path`` if given)."""
        emit = _Emitter(on_update)
        return await self._guarded(self._export(emit, quality, resolution, timeout, path),
                                   _render_cancelled())

    async def _export(self, emit: _Emitter, quality: str, resolution: str | None, timeout: float | None,
                      path: str | Path | None) -> Any:
        start = time.monotonic()
        session = self.session
        kwargs: dict[str, Any] = {"quality": quality}
        if resolution:
            kwargs["resolution"] = resolution
        emit(TurnUpdate("progress", percent=0.0, tool="submitting the render…"))
        job = await _maybe_await(session.export(**kwargs))
        return await self._follow(job, emit, timeout, path, start)

    async def resume(self, job_id: str, *, on_update: UpdateCallback | None = None,
                     timeout: float | None = None, path: str | Path | None = None) -> Any:
        """Re-attach an unfinished render by id (e.g. after a kernel restart) and wait for it."""
        from ..client.jobs import AsyncRenderJob

        job = AsyncRenderJob.attach(self.nemo, job_id)
        emit = _Emitter(on_update)
        return await self._guarded(self._follow(job, emit, timeout, path, time.monotonic()),
                                   _render_cancelled())

    async def _follow(self, job: Any, emit: _Emitter, timeout: float | None, path: str | Path | None,
                      start: float) -> Any:
        with self._lock:
            self._job = job
        self.last_job = job

        def on_progress(value: Any, status: Any = None) -> None:
            pct = value if isinstance(value, (int, float)) else getattr(value, "progress", None)
            try:
                pct = float(pct) if pct is not None else None
            except (TypeError, ValueError):
                pct = None
            state = str(status) if status is not None else None
            position = getattr(getattr(job, "last", None), "queue_position", None)
            waiting = state == "pending"
            emit(TurnUpdate("progress", percent=pct, tool="waiting in the queue…" if waiting else "rendering…",
                            elapsed=time.monotonic() - start, status=state,
                            queue_position=position if waiting and isinstance(position, int) else None))

        wait_kw: dict[str, Any] = {"on_progress": on_progress}
        if timeout is not None:
            wait_kw["timeout"] = timeout
        video = await _maybe_await(job.wait(**wait_kw))
        emit(TurnUpdate("progress", percent=100.0, tool="rendered", elapsed=time.monotonic() - start))
        if path is not None:
            emit(TurnUpdate("progress", percent=100.0, tool="downloading…", elapsed=time.monotonic() - start))
            Path(path).parent.mkdir(parents=True, exist_ok=True)
            download = getattr(video, "adownload", None) or video.download
            await _maybe_await(download(str(path)))
        self.last_video = video
        return video

    async def timeline(self) -> Any:
        """The current draft (a ``Draft``), or ``None`` before the first message."""
        if not self.started:
            return None
        return _draft_of(await self.session.state())

    async def state(self) -> Any:
        if not self.started:
            return None
        return await self.session.state()

    async def credits(self) -> Any:
        return await _maybe_await(self.nemo.credits())

    async def jobs(self) -> list[Any]:
        return list(await _maybe_await(self.nemo.jobs()))

    async def upload(self, paths: Iterable[str | Path] = (), urls: Sequence[str] = (), *,
                     on_update: UpdateCallback | None = None) -> list[Any]:
        """Upload local files and/or URLs to this conversation's session."""
        emit = _Emitter(on_update)
        paths = [str(Path(p).expanduser()) for p in paths]
        urls = list(urls)
        session = self.session
        out: list[Any] = []

        def on_progress(done: Any, total: Any = None) -> None:
            try:
                pct = 100.0 * float(done) / float(total) if total else float(done)
            except (TypeError, ValueError):
                pct = None
            emit(TurnUpdate("progress", percent=pct, tool="uploading…"))

        if paths:
            # never retried here: a second call could upload the files twice
            res = await _maybe_await(session.upload(*paths, on_progress=on_progress))
            out.extend(res or [])
        if urls:
            res = await _maybe_await(session.upload(urls=urls))
            out.extend(res or [])
        return out


def _render_cancelled() -> NemoError:
    from ..client.exceptions import RenderCancelled

    return RenderCancelled("The render was cancelled.")


class _Emitter:
    """Calls ``on_update`` safely: a broken presentation callback never breaks a turn."""

    def __init__(self, callback: UpdateCallback | None) -> None:
        self.callback = callback

    def __call__(self, update: TurnUpdate) -> None:
        if self.callback is None:
            return
        with contextlib.suppress(Exception):  # presentation bugs must not kill the turn
            self.callback(update)

    def done(self, result: TurnResult) -> TurnResult:
        self(TurnUpdate("done", text=result.text, draft=result.draft, changes=result.changes,
                        elapsed=result.elapsed, result=result))
        return result


def _credits_text(credits: Any, zh: bool = False) -> str:
    available = getattr(credits, "available", None)
    frozen = getattr(credits, "frozen", None)
    total = getattr(credits, "total", None)
    if zh:
        return f"可用积分：{available}（冻结 {frozen}，共 {total}）"
    return f"Credits: {available} available ({frozen} held by running work, {total} in total)."


def _status_text(draft: Any, zh: bool = False) -> str:
    if draft is None or _draft_empty(draft):
        return "时间线还是空的：先描述一个视频。" if zh else "The timeline is empty: describe a video first."
    summary = getattr(draft, "summary", None)
    return str(summary()) if callable(summary) else str(draft)


def _video_text(video: Any) -> str:
    duration = getattr(video, "duration", None)
    if isinstance(duration, (int, float)):
        return f"Rendered the video ({duration:.1f} s)."
    return "Rendered the video."


# --------------------------------------------------------------------------------------------
# Registry
# --------------------------------------------------------------------------------------------


class Conversations:
    """Named conversations on one backend (``%%nemo -s NAME``, ``%nemo sessions``, ``%nemo use``)."""

    def __init__(self, backend: str | None = None, *, nemo: Any = None,
                 factory: Callable[[str | None], Any] | None = None,
                 hints: dict[str, dict[str, str]] | None = None) -> None:
        self._backend = backend
        self._factory = factory or _default_factory
        self._nemo = nemo
        self.hints = hints
        self._items: dict[str, Conversation] = {}
        self.current = "default"

    @property
    def nemo(self) -> Any:
        if self._nemo is None:
            self._nemo = self._factory(self._backend)
        return self._nemo

    @property
    def backend(self) -> str:
        if self._nemo is not None:
            return backend_badge(getattr(self._nemo, "backend", None))
        return backend_badge(self._backend or _settings_backend())

    @property
    def backend_spec(self) -> str | None:
        return self._backend

    def get(self, name: str | None = None) -> Conversation:
        name = name or self.current
        conv = self._items.get(name)
        if conv is None:
            conv = self._items[name] = Conversation(self.nemo, name, hints=self.hints)
        return conv

    __getitem__ = get

    def use(self, name: str) -> Conversation:
        self.current = name
        return self.get(name)

    def names(self) -> list[str]:
        names = list(self._items)
        if self.current not in names:
            names.insert(0, self.current)
        return names

    def items(self) -> list[tuple[str, Conversation]]:
        return list(self._items.items())

    def __contains__(self, name: object) -> bool:
        return name in self._items

    def __len__(self) -> int:
        return len(self._items)

    async def switch_backend(self, spec: str | None) -> None:
        """Use another backend (``local``, ``cloud`` or a URL); conversations start afresh."""
        old = self._nemo
        for conv in self._items.values():
            conv.cancel()
        new = self._factory(spec)
        self._nemo, self._backend = new, spec
        self._items.clear()
        if old is not None:
            close = getattr(old, "aclose", None) or getattr(old, "close", None)
            if close is not None:
                with contextlib.suppress(Exception):
                    await _maybe_await(close())

    async def aclose(self) -> None:
        for conv in self._items.values():
            conv.cancel()
        if self._nemo is not None:
            close = getattr(self._nemo, "aclose", None)
            if close is not None:
                await _maybe_await(close())
            self._nemo = None


def _default_factory(backend: str | None) -> Any:
    from .. import AsyncNemo  # type: ignore[attr-defined]

    return AsyncNemo(backend=backend) if backend else AsyncNemo()


def _settings_backend() -> str:
    import os

    spec = os.environ.get("NEMO_BACKEND")
    if spec:
        return spec
    return "cloud" if os.environ.get("NEMO_TOKEN") else "local"
