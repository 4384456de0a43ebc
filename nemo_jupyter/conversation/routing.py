"""Routing: what a user's words ask for, read once into a typed command.

:func:`parse_command` turns a message into one of the :data:`Command` types (:class:`Chat`,
:class:`Export`, :class:`Balance`, :class:`Status`, :class:`Upload` with its files,
:class:`Undo` with its version); front ends that already know what they want (``%nemo export``,
``%nemo undo 2``) build the command themselves, and nothing is routed twice. Only a message
that *is* a command is routed to it; a command word inside a creative sentence stays chat
(PROTOCOL.md, "Intent routing").
"""

from __future__ import annotations

import enum
import os
import re
import shlex
from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar

from .versions import parse_restore
from .words import is_zh

__all__ = ["SCENES", "Balance", "Chat", "Command", "Export", "Intent", "Status", "Undo", "Upload", "parse_command",
           "parse_upload", "route", "shell_words"]


class Intent(str, enum.Enum):
    """What a user's words ask for (PROTOCOL.md, "Intent routing")."""

    CHAT = "chat"
    EXPORT = "export"
    CREDITS = "credits"
    STATUS = "status"
    UPLOAD = "upload"
    UNDO = "undo"          # "undo", "go back to version 2", 撤销: restored here, nothing is sent
    EDIT = "edit"          # a draft edited by hand (the timeline widget, a DataFrame): a new version, nothing generated


@dataclass(frozen=True)
class Chat:
    """A message for the backend's agent: generate, edit, or ask it something."""

    text: str
    intent: ClassVar[Intent] = Intent.CHAT


@dataclass(frozen=True)
class Export:
    """Render the draft the conversation stands on."""

    intent: ClassVar[Intent] = Intent.EXPORT


@dataclass(frozen=True)
class Balance:
    """The credits left on the backend (``zh``: said in Chinese, as it was asked)."""

    zh: bool = False
    intent: ClassVar[Intent] = Intent.CREDITS


@dataclass(frozen=True)
class Status:
    """The draft the conversation stands on, in one line (``zh``: said in Chinese, as it was asked)."""

    zh: bool = False
    intent: ClassVar[Intent] = Intent.STATUS


@dataclass(frozen=True)
class Upload:
    """Files and URLs to upload to the conversation's session."""

    paths: tuple[str, ...] = ()
    urls: tuple[str, ...] = ()
    intent: ClassVar[Intent] = Intent.UPLOAD


@dataclass(frozen=True)
class Undo:
    """Back to an earlier version: ``version`` None is the one before (restored here, nothing sent)."""

    version: int | None = None
    intent: ClassVar[Intent] = Intent.UNDO


Command = Chat | Export | Balance | Status | Upload | Undo
"""What one turn does, typed."""

SCENES = Chat("help scenes")
"""What the backend can draw, asked in the words its agent answers (the embedded engine lists its
backgrounds, subjects and topics; the draft is not changed)."""


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


def shell_words(text: str, *, windows: bool | None = None) -> list[str]:
    """``text`` split into words as a shell does: quotes group words and are removed
    (``"a b.png"`` -> ``a b.png``). On Windows (``windows``; default: where ``\\`` separates
    paths) a backslash is a plain character, so ``C:\\Users\\me\\a b.png`` keeps its path;
    elsewhere it escapes the next character (``a\\ b.png``). ValueError on an unclosed quote."""
    if windows is None:
        windows = os.sep == "\\"
    lex = shlex.shlex(text, posix=True)
    lex.whitespace_split = True
    lex.commenters = ""
    if windows:
        lex.escape = ""
    return list(lex)


def _split_args(text: str) -> list[str]:
    try:
        parts = shell_words(text)
    except ValueError:
        parts = text.split()
    out: list[str] = []
    for part in parts:
        out.extend(p for p in re.split(r"[,，、]\s*", part) if p)
    return out


def _simple(intent: Intent, text: str) -> Command:
    zh = is_zh(text)
    return Export() if intent is Intent.EXPORT else Balance(zh) if intent is Intent.CREDITS else Status(zh)


def parse_command(text: str) -> Command:
    """What ``text`` asks for, as a typed command: a short command (export, credits, status,
    upload, undo) or chat.

    Only a message that *is* a command is routed to it ("export", "导出视频", "how many
    credits do I have?"); a command word inside a creative sentence ("make a video about
    exports", "add a title that says download now") stays chat, where the agent handles it.
    """
    if not text or not text.strip():
        return Chat(text or "")
    restore = parse_restore(text)
    if restore is not None:
        return Undo(restore.version)
    upload = parse_upload(text)
    if upload is not None:
        return Upload(tuple(upload[0]), tuple(upload[1]))
    norm = _normalise(text)
    if not norm or len(norm) > 80:
        return Chat(text)
    compact = norm.replace(" ", "")
    for intent, patterns in _EN_COMPILED.items():
        if any(p.fullmatch(norm) for p in patterns):
            return _simple(intent, text)
    for intent, patterns in _ZH_COMPILED.items():
        if any(p.fullmatch(compact) for p in patterns):
            return _simple(intent, text)
    return Chat(text)


def route(text: str) -> Intent:
    """The intent of ``text`` (the kind of :func:`parse_command`'s command)."""
    return parse_command(text).intent
