"""The words of the conversation layer: GUI instructions translated into what the user can do
here, activity lines for tools, the backend badge, and the sentences a turn answers with.

Every user-facing sentence of a turn is written here (English and Chinese), not in the
client and not in the front ends.
"""

from __future__ import annotations

import re
import urllib.parse

from ..client.draft import Draft
from ..client.models import Credits, Notice, Video
from .zh import zh_change

__all__ = [
    "DEFAULT_HINTS",
    "Hints",
    "backend_badge",
    "created_line",
    "credits_badge",
    "credits_text",
    "export_invite",
    "humanize_tool",
    "is_zh",
    "memory_text",
    "notice_text",
    "reply_words",
    "status_text",
    "streamed_words",
    "strip_export_invite",
    "translate_gui",
    "video_text",
    "zh_change",
]

Hints = dict[str, dict[str, str]]
"""Replacement words per language (``"en"``, ``"zh"``) and action (``export``, ``timeline``, ...)."""

DEFAULT_HINTS: dict[str, dict[str, str]] = {
    "en": {
        "export": 'export it (say "export")',
        "timeline": 'look at the timeline (say "status")',
        "edit": "describe the change in your next message",
        "send": 'ask for "{label}" in your next message',
        "export_invite": 'Say "export" to render it.',
    },
    "zh": {
        "export": "导出视频（输入「导出」）",
        "timeline": "查看时间线（输入「状态」）",
        "edit": "在下一条消息里用文字描述要怎么改",
        "send": "在下一条消息里说「{label}」",
        "export_invite": "说「导出」即可渲染。",
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


def translate_gui(text: str, hints: Hints | None = None) -> tuple[str, list[str]]:
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


def _ordinal(n: int) -> str:
    return f"{n}{'th' if 10 <= n % 100 <= 20 else {1: 'st', 2: 'nd', 3: 'rd'}.get(n % 10, 'th')}"


def _about(seconds: float, zh: bool) -> str:
    if seconds >= 90:
        minutes = round(seconds / 60)
        return f"约{minutes}分钟" if zh else f"~{minutes} min"
    secs = max(1, round(seconds))
    return f"约{secs}秒" if zh else f"~{secs} s"


def render_eta_text(waiting: bool, position: int | None, estimate_s: float | None, zh: bool = False) -> str:
    """What follows a render's status word: ``"2nd · ~12 s"`` while it waits in the queue (its place
    and the time until the video is ready), ``"~8 s left"`` while it renders; ``""`` when the
    backend said neither."""
    parts: list[str] = []
    if waiting and position:
        parts.append(f"第{position}位" if zh else _ordinal(position))
    if estimate_s is not None and estimate_s == estimate_s and estimate_s >= 0:
        about = _about(estimate_s, zh)
        parts.append(about if waiting else (f"还剩{about}" if zh else f"{about} left"))
    return " · ".join(parts)


def render_status_text(waiting: bool, position: int | None, estimate_s: float | None, zh: bool = False) -> str:
    """A render's status line: ``"queued · 2nd · ~12 s"``, ``"rendering · ~8 s left"``."""
    word = ("排队中" if waiting else "渲染中") if zh else ("queued" if waiting else "rendering")
    eta = render_eta_text(waiting, position, estimate_s, zh)
    return f"{word} · {eta}" if eta else word


def backend_badge(backend: str | None) -> str:
    """A short badge: ``"local engine"``, ``"cloud"`` or the host of a custom backend."""
    if backend is None:
        return "local engine"
    text = str(backend)
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


def is_zh(text: str) -> bool:
    """True when ``text`` has Chinese characters (the turn answers in Chinese)."""
    return bool(re.search(r"[\u4e00-\u9fff]", text or ""))


# the invitation as a whole sentence (so that a reply streamed in pieces is reworded only once it is)
_EXPORT_INVITE = re.compile(r"\s*(?:say|type)\s+[\"“']export[\"”']\s+to\s+render(?:\s+it)?(?:\.|$)"
                            r"|\s*说[“「\"]导出[”」\"]即可渲染(?:。|$)", re.IGNORECASE)


def strip_export_invite(text: str) -> str:
    """The reply without its invitation to export (used once the video is already there)."""
    return _EXPORT_INVITE.sub("", text).strip() or text


def export_invite(text: str, hints: Hints | None, *, zh: bool, drop: bool) -> str:
    """The backend's 'say "export"' in this surface's words (``%nemo export``, the Export button),
    or gone (``drop``) when the video is already rendered."""
    if drop:
        return strip_export_invite(text)
    lang = "zh" if zh else "en"
    hint = {**DEFAULT_HINTS[lang], **(hints or {}).get(lang, {})}["export_invite"]
    return _EXPORT_INVITE.sub(lambda m: (" " if m.group(0)[:1].isspace() else "") + hint, text)


def reply_words(raw: str, changes: list[str], hints: Hints | None, *, zh: bool) -> tuple[str, list[str], list[str]]:
    """A chat turn's reply in this surface's words: ``(text, actions, notices)``.

    The backend's GUI instructions become what the user can do here (:func:`translate_gui`);
    a turn without words says what changed on the timeline instead. (The invitation to export
    is worded last, by :func:`export_invite`, once it is known whether the video follows.)
    """
    text, actions = translate_gui(raw, hints)
    notices: list[str] = []
    if not raw.strip():
        text = silent_turn_text(changes, zh)
        notices.append(SILENT_NOTICE)
    return text, actions, notices


_INVITE_FORMS = (*(f"{verb} {q1}export{q2} to render it." for verb in ("say", "type") for q1 in "\"“'"
                    for q2 in "\"”'"), *(f"说{q1}导出{q2}即可渲染。" for q1, q2 in ("“”", "「」", '""')))


def _unfinished_invite(text: str) -> int:
    """Where an invitation to export that the stream has not finished yet starts (``len(text)``
    when the text does not end in the first words of one)."""
    start = max(0, len(text) - 40)
    for i in range(start, len(text)):
        ch = text[i]
        if ch.isspace() or (i > 0 and ch.isascii() and text[i - 1].isalnum()):
            continue   # an invitation starts a word
        piece = re.sub(r"\s+", " ", text[i:].lower())
        if any(form.startswith(piece) and len(piece) < len(form) for form in _INVITE_FORMS):
            return i
    return len(text)


def streamed_words(text: str, hints: Hints | None, *, zh: bool, invite: bool) -> str:
    """The reply so far, as it streams: the backend's own words, with the invitation to export
    said this surface's way already (or left out when the video follows), as the turn ends.

    The first words of an invitation still arriving are held back until it is whole, so the
    text only ever grows (a terminal cannot take back what it printed)."""
    text = text[:_unfinished_invite(text)]
    if invite:
        return export_invite(text, hints, zh=zh, drop=False)
    return _EXPORT_INVITE.sub(lambda m: " " if m.group(0)[:1].isspace() else "", text)


def created_line(draft: Draft | None, zh: bool, *, full: bool) -> str:
    """One line for a new timeline: short where the full summary is shown beside it."""
    if draft is None:
        return "创建了时间线" if zh else "Created the timeline"
    if full:
        return ("创建了时间线：" if zh else "Created the timeline: ") + draft.summary()
    tracks = draft.tracks
    seconds = draft.duration
    if zh:
        size = f"{seconds:g} 秒、" if seconds else ""
        return f"创建了时间线（{size}{len(tracks)} 条轨道）"
    size = f"{seconds:g}-second " if seconds else ""
    return f"Created a {size}timeline with {len(tracks)} track{'s' if len(tracks) != 1 else ''}"


def created_draft_line(draft: Draft) -> str:
    return f"Created the draft: {draft.summary()}"


def silent_turn_text(changes: list[str], zh: bool) -> str:
    """What a turn without words says: the changes read from the timeline, or that nothing changed."""
    if changes:
        return ("完成了以下修改：" if zh else "Done. What changed: ") + "; ".join(changes)
    return ("后端没有回复，时间线也没有变化。" if zh else
            "The backend finished without a reply, and the timeline did not change.")


SILENT_NOTICE = "silent turn: the changes were read from the timeline"

_NOTICES: dict[str, tuple[str, str]] = {
    "recovered": ("The connection dropped mid-turn; the message was not re-sent, and the result was read "
                  "from the timeline.", "连接在这一轮中途断开；消息没有重新发送，结果是从时间线读出的。"),
    "skipped_events": ("{count} unreadable event(s) from the backend were skipped.",
                       "跳过了后端发来的 {count} 个无法读取的事件。"),
    "temporary_issue_dropped": ("A trailing 'temporary issue' message after a normal reply was left out.",
                                "正常回复之后多出的「临时问题」消息已略去。"),
}


def notice_text(notice: Notice, zh: bool = False) -> str:
    """A client :class:`~nemo_jupyter.client.models.Notice` (how the turn went) in words."""
    en, cn = _NOTICES.get(notice.code, (notice.code, notice.code))
    return (cn if zh else en).format(count=notice.count)


def credits_badge(credits: Credits, zh: bool = False) -> str:
    """The credits in a few words for a badge: ``"2,400 credits"``, or that nothing is charged."""
    if credits.free:
        return "免费：不花积分" if zh else "free: nothing is charged"
    return f"{credits.available:,.0f} 积分" if zh else f"{credits.available:,.0f} credits"


def credits_text(credits: Credits, zh: bool = False) -> str:
    available, frozen, total = credits.available, credits.frozen, credits.total
    if credits.free:   # a number that never goes down would only mislead
        return ("这个后端（本地引擎）不收费：不花积分，也不计数。" if zh else
                "This backend (the local engine) charges nothing: no credits are spent or counted.")
    if zh:
        return f"可用积分：{available}（冻结 {frozen}，共 {total}）"
    return f"Credits: {available} available ({frozen} held by running work, {total} in total)."


def status_text(draft: Draft | None, zh: bool = False) -> str:
    if draft is None or draft.is_empty:
        return "时间线还是空的：先描述一个视频。" if zh else "The timeline is empty: describe a video first."
    return draft.summary()


def video_text(video: Video, zh: bool = False) -> str:
    duration = video.duration
    reused = video.cached
    if zh:
        size = f"（{duration:.1f} 秒）" if isinstance(duration, (int, float)) else ""
        if reused:
            return f"这份草稿已用相同设置渲染过{size}：沿用已有的文件，没有重新渲染。"
        return f"视频已渲染{size}。"
    size = f" ({duration:.1f} s)" if isinstance(duration, (int, float)) else ""
    if reused:
        return f"This draft was already rendered with these settings{size}: the file is reused, nothing rendered again."
    return f"Rendered the video{size}."


def uploaded_text(names: list[str], refused: list[str] | None = None) -> str:
    """What an upload did: the files sent, and each one left out with why."""
    text = f"Uploaded {len(names)} file(s): {', '.join(names)}." if names else "Nothing was uploaded."
    if refused:
        text += f" Not uploaded ({len(refused)}): " + "; ".join(refused) + "."
    return text


NOTHING_TO_UPLOAD = ("Nothing to upload: name the files or URLs.",
                     "For example: upload logo.png clip.mp4 (or %nemo upload PATH|URL ...).")
STILL_RUNNING = ("This conversation is still running a turn.",
                 "Wait for it to finish, cancel it, or use another conversation (-s NAME).")
TURN_CANCELLED = "The turn was cancelled."
RENDER_CANCELLED = "The render was cancelled."


# -- the notebook's memory: versions, undo, replay, costs ---------------------------------------
_MEMORY: dict[str, tuple[str, str]] = {   # key: (English, Chinese)
    "reused": ("(reused, no credits spent)",
               "（沿用上次的结果，未花费积分）"),
    "undo": ('say "undo"',
             "说「撤销」"),
    "new_video": ("Started a new video; the previous one is version {n}, {undo} brings it back.",
                  "开始了一个新视频；之前的视频是版本 {n}，{undo}可以找回。"),
    "restored": ("Back to version {n} ({change}). Nothing was sent, nothing spent.",
                 "已回到版本 {n}（{change}）。没有发送任何内容，也没有花费积分。"),
    "edited": ("Edited on the timeline: version {n} (undo brings the one before back). Nothing generated, "
               "nothing spent.",
               "在时间线上手动修改：版本 {n}（撤销可以回到上一个版本）。没有生成任何内容，也没有花费积分。"),
    "unchanged": ("The timeline is as it was: nothing changed.",
                  "时间线没有变化。"),
    "restored_cloud": ("The cloud keeps its own latest draft: an export renders version {n}, but a new "
                       "prompt edits the cloud's latest timeline.",
                       "云端保留它自己的最新草稿：导出会渲染版本 {n}，但新的提示会修改云端最新的时间线。"),
    "not_rewound": ("The cloud cannot be set back to the draft above this cell: this prompt edits its "
                    "latest timeline.",
                    "云端无法回到本单元格上方的草稿：这条提示会修改云端最新的时间线。"),
    "cost": ("{available} credits available; {what} typically costs about {cost}",
             "可用积分 {available}；{what}通常约需 {cost} 积分"),
    "a_new_video": ("a new video",
                    "生成新视频"),
    "an_edit": ("an edit",
                "一次修改"),
    "cost_export": ("{available} credits available; an export is free (the protocol charges nothing for it)",
                    "可用积分 {available}；导出不花费积分"),
    "spent": ("Credits: {spent} spent, {available} left.",
              "积分：本次花费 {spent}，剩余 {available}。"),
    "over_budget": ("This turn typically costs about {cost} credits ({what}), over the limit of {limit}.",
                    "这一步通常约需 {cost} 积分（{what}），超过了上限 {limit}。"),
    "budget_hint": ("Raise the limit (--max-credits N or %config NemoMagics.max_credits = N), or skip "
                    "this cell.",
                    "提高上限（--max-credits N 或 %config NemoMagics.max_credits = N），或跳过这个单元格。"),
    "first": ("first version",
              "第一个版本"),
    "fresh": ("fresh start",
              "重新开始"),
}


def memory_text(zh: bool, key: str, hints: Hints | None = None, **kw: object) -> str:
    """A sentence about versions, undo, replay or costs (``hints`` may replace a surface's words)."""
    own = (hints or {}).get("zh" if zh else "en", {})
    text = own[key] if key in own else _MEMORY[key][1 if zh else 0]
    return text.format(**kw) if kw else text
