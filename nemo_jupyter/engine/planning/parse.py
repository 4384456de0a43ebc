"""Prompt analysis: what a prompt asks for, as an :class:`_Intent`."""

from __future__ import annotations

import bisect
import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any

from nemo_jupyter.draft_format import (
    ELEMENTS,
    SIZES_1080,
)

from .common import MAX_MS, MIN_MS, _parse_cn_number, _parse_en_number, _unit_ms
from .vocabulary import (
    _EDIT_LEAD,
    _ELEMENT_HOME,
    _ELEMENT_LOOKUP,
    _GEN_EN,
    _GEN_ZH,
    _IMPLIED_EL,
    _MODIFIER_SCENES,
    _MOOD_LOOKUP,
    _MOOD_RE,
    _MUSIC_WORD,
    _NEG_BEFORE,
    _NO_MUSIC,
    _SCENE_LOOKUP,
    _SCENE_RE,
    _SILENT,
    _SOUND_LOOKUP,
    _SOUND_RE,
    _UNSUPPORTED,
    _UPLOAD_REF,
    _VIDEO_OF,
    _WEAK_LOOKUP,
    _canon,
    _lookup,
)

_QUOTE_RE = re.compile(
    r'"(?P<a>[^"\n]{1,300})"|“(?P<b>[^”\n]{1,300})”|„(?P<c>[^“”\n]{1,300})[“”]|「(?P<d>[^」]{1,300})」|'
    r"『(?P<e>[^』]{1,300})』|《(?P<f>[^》]{1,300})》|«\s?(?P<g>[^»\n]{1,300}?)\s?»|＂(?P<h>[^＂\n]{1,300})＂|"
    r"‘(?P<i>[^’\n]{1,300})’|(?<![\w'])'(?P<j>[^'\n]{1,300})'(?![\w])")

_NUM_EN = (r"(?:\d+(?:[.,]\d+)?|(?:twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety)[\s-]+"
           r"(?:one|two|three|four|five|six|seven|eight|nine)|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|"
           r"fourteen|fifteen|sixteen|seventeen|eighteen|nineteen|twenty|thirty|forty|fifty|sixty|ninety)")
_UNIT_EN = r"(?:hours?|hrs?|h|minutes?|mins?|m|seconds?|secs?|s)"
_SEC_EN = r"(?:seconds?|secs?|s)"
_NUM_ZH = r"(?:\d+(?:\.\d+)?|[零〇一二两三四五六七八九十百]+)"

_DUR_EN = re.compile(
    r"(?<![\w.])(?P<half>half\s+an?\s+(?P<hu>minute|hour))(?![a-z])|"
    r"(?<![\w.])(?:an?|one)\s+(?P<aunit>minute|hour)\s+and\s+a\s+half(?![a-z])|"
    r"(?<![\w.])(?P<n1>" + _NUM_EN + r"|an?)\s*-?\s*(?P<u1>" + _UNIT_EN + r")(?![a-z])"
    r"(?:\s*(?:and\s*)?(?P<n2>\d+(?:\.\d+)?)\s*-?\s*(?P<u2>" + _SEC_EN + r")(?![a-z]))?")
_DUR_ZH = re.compile(
    r"(?P<zn>" + _NUM_ZH + r")\s*(?P<zu>小时|分钟|分(?=\s*" + _NUM_ZH + r"\s*秒)|秒钟|秒)"
    r"(?:\s*(?P<zn2>" + _NUM_ZH + r")\s*秒)?|(?P<zh15>" + _NUM_ZH + r")\s*分半(?:钟)?|(?P<zhalf>半)(?:分钟|分|个小时|小时)")

_NOT_PCT = r"(?![\d.]|\s*(?:%|percent|per\s+cent|p(?![a-z])|k(?![a-z])))"
_TIMING_RE = re.compile(
    r"(?:for|during|in|over)?\s*(?:the\s+)?first\s+(?P<first>" + _NUM_EN + r")\s*-?\s*(?P<firstu>"
    + _UNIT_EN + r")(?![a-z])|"
    r"(?:for|during|in|over)?\s*(?:the\s+)?(?:last|final)\s+(?P<last>" + _NUM_EN + r")\s*-?\s*(?P<lastu>"
    + _UNIT_EN + r")(?![a-z])|"
    r"(?:from|between)\s+(?P<fa>\d+(?:\.\d+)?)\s*(?P<fau>" + _UNIT_EN + r")?\s*(?:to|-|until|till|and|–)\s*"
    r"(?P<fb>\d+(?:\.\d+)?)" + _NOT_PCT + r"\s*(?P<fbu>" + _UNIT_EN + r")?(?![a-z])|"
    r"(?:at|after|starting at|from)\s+(?:the\s+)?(?P<at>\d+(?:\.\d+)?)" + _NOT_PCT + r"\s*-?\s*(?P<atu>" + _UNIT_EN
    + r")?(?:\s+mark)?(?![a-z0-9])|"
    r"(?:at|in|near|towards?)\s+the\s+(?P<end>end|finish|close|last\s+scene|outro)(?![a-z])|"
    r"(?:at|in)\s+the\s+(?P<start>start|beginning|opening|intro)(?![a-z])|"
    r"(?:in|at)\s+the\s+(?P<middle>middle)(?![a-z])|"
    r"(?:for|lasting)\s+(?P<for>" + _NUM_EN + r")\s*-?\s*(?P<foru>" + _UNIT_EN + r")(?![a-z])|"
    r"前\s*(?P<zfirst>" + _NUM_ZH + r")\s*秒|(?:最后|后|结尾)\s*(?P<zlast>" + _NUM_ZH + r")\s*秒|"
    r"从?\s*(?:第\s*)?(?P<zfa>" + _NUM_ZH + r")\s*秒?\s*(?:到|至|-|~)\s*(?:第\s*)?(?P<zfb>" + _NUM_ZH
    + r")\s*秒|"
    r"(?:在|于)?\s*第?\s*(?P<zat>" + _NUM_ZH + r")\s*秒\s*(?:处|时|的时候|开始|出现)|"
    r"(?:在|于)\s*第?\s*(?P<zat2>" + _NUM_ZH + r")\s*秒|"
    r"(?P<zend>结尾|片尾|末尾|最后)|(?P<zstart>开头|片头|开始时|一开始)|"
    r"(?:持续|显示|停留)\s*(?P<zfor>" + _NUM_ZH + r")\s*秒")

_ASPECT_RATIO = re.compile(r"(?<![\d.:])(?P<a>\d{1,2})\s*(?:[:x×/]|比)\s*(?P<b>\d{1,2})(?![\d:])")
_ASPECT_WORDS = {
    "9:16": re.compile(r"(?<![a-z])(?:vertical(?:ly)?|portrait|shorts|reels?|tik\s*tok|tiktok|"
                       r"instagram stor(?:y|ies)|stories|phone screen|upright)(?![a-z])|"
                       r"竖屏|竖版|竖的|竖向|抖音|快手|小红书|视频号"),
    "1:1": re.compile(r"(?<![a-z])(?:square|instagram(?:\s+post)?|insta(?:gram)?\s+post)(?![a-z])|"
                      r"方形|正方形|方屏|方的"),
    "16:9": re.compile(r"(?<![a-z])(?:landscape|widescreen|wide screen|wide|horizontal(?:ly)?|youtube|"
                       r"tv|television|desktop)(?![a-z])|横屏|横版|横向|宽屏|b站|油管"),
}
_RES_RE = re.compile(r"(?<![\d])(?P<p>480|540|720|1080|1440|2160)\s*p(?![a-z])|(?<![a-z0-9])(?P<k>4k|8k|2k|"
                     r"uhd|full\s*hd|fhd|hd)(?![a-z0-9])|(?P<zh>高清|超清|标清)")
_PERCENT = re.compile(r"(?P<n>\d{1,3}(?:\.\d+)?)\s*(?:%|percent|per cent)")

_WORD_LONGER = re.compile(r"(?<![a-z])(?:longer|lengthen|extend)(?![a-z])|加长|变长|长一点|长一些")
_WORD_SHORTER = re.compile(r"(?<![a-z])(?:shorter|shorten|trim it|cut it down)(?![a-z])|缩短|变短|短一点|短一些")
_LOUDER = re.compile(r"(?<![a-z])(?:louder|turn (?:it |the music )?up|increase|raise|boost|more volume|"
                     r"up the (?:music|volume))(?![a-z])|大声|调大|大一点|大点|响一点|提高音量|加大音量")
_QUIETER = re.compile(r"(?<![a-z])(?:quieter|softer|lower|turn (?:it |the music )?down|decrease|reduce|"
                      r"less loud|down the (?:music|volume))(?![a-z])|小声|调小|小一点|小点|轻一点|降低音量|减小音量")
_TOO_LOUD = re.compile(r"(?<![a-z])(?:too loud|too noisy|hurts my ears)(?![a-z])|太吵|太大声|太响|太闹|吵死")
_TOO_QUIET = re.compile(r"(?<![a-z])(?:too quiet|too soft|too low|can't hear|cannot hear|can not hear|barely hear)"
                        r"(?![a-z])|太小声|太轻|听不到|听不清|听不见")
_QUIET_WORD = re.compile(r"(?<![a-z])(?:quiet|quietly|low volume|barely audible|subtle|faint)(?![a-z])|小声的?|轻轻的")
_LOUD_WORD = re.compile(r"(?<![a-z])(?:loud|loudly|full volume|high volume|blasting)(?![a-z])|大声的?")

_CAPTION_CUE = re.compile(r"(?:caption|subtitle|subtitles|lower third|"
                          r"字幕|说明)[^\"“「『《«'‘＂]{0,25}$")
_TITLE_CUE = re.compile(r"(?:title|titled|called|named|heading|headline|标题|题目|名字|片名|叫)"
                        r"[^\"“「『《«'‘＂]{0,25}$")
_REMOVE_TITLE = re.compile(r"(?<![a-z])(?:remove|delete|drop|no|without|hide|get rid of)\s+(?:the\s+|a\s+|any\s+)?"
                           r"(?:title|heading)s?(?![a-z])|(?:去掉|删除|删掉|移除|不要)(?:这个)?标题|标题(?:去掉|删除|删掉|移除|拿掉|不要)")
_REMOVE_CAPTIONS = re.compile(r"(?<![a-z])(?:remove|delete|drop|no|without|hide|get rid of)\s+"
                              r"(?:the\s+|all\s+|any\s+)*(?:captions?|subtitles?|text)(?![a-z])|"
                              r"(?:去掉|删除|删掉|移除|不要)(?:所有)?(?:字幕|文字)")
_CAPTIONS_FROM_SCRIPT = re.compile(r"(?<![a-z])(?:captions?|subtitles?|script|narration text|my text)(?![a-z])|"
                                   r"字幕|脚本|文案|文本")
_ADD_WORD = re.compile(r"(?<![a-z])(?:add|put|include|with|insert|more|make it)(?![a-z])|加|添加|加上|增加|来点|下")
_REMOVE_WORD = re.compile(r"(?<![a-z])(?:remove|delete|drop|without|no|stop|get rid of|take out|less)(?![a-z])|"
                          r"去掉|删除|删掉|移除|不要|停")
_REPLACE_SCENES = re.compile(r"(?<![a-z])(?:(?:make|change|turn|switch)\s+it\s+(?:\w+\s+){0,3}?(?:about|into|to)|instead|replace|swap|change (?:it|the (?:scenes?|video|subject|"
                             r"topic|theme)) to|make it (?:an?|the)?\s*\w*\s*(?:video|scene)s? of)(?![a-z])|"
                             r"改成.*(?:视频|场景)|换成.*(?:视频|场景)|换成|改为")
_SWAP = re.compile(r"(?<![a-z])(?:change|turn|replace|swap|switch|make)(?![a-z]).{0,40}?(?<![a-z])"
                   r"(?:to|into|with|for)(?![a-z])|把.{0,12}?(?:换成|改成|变成|替换成|改为)")
_ADD_SCENE = re.compile(r"(?<![a-z])(?:add|append|insert|include)\s+(?:an?\s+|another\s+|one\s+more\s+|the\s+)?"
                        r"[\w\s-]{0,30}?(?:scene|shot|part|section)(?![a-z])|(?:加|添加|增加)(?:一个|一段)?.{0,8}(?:场景|镜头|画面)")
_AT_START_WORD = re.compile(r"(?<![a-z])(?:at the (?:start|beginning)|first|before)(?![a-z])|开头|前面|最前")


@dataclass
class _Quote:
    text: str
    start: int
    end: int
    kind: str = "title"  # title | caption
    st: int | None = None
    end_ms: int | None = None
    length: int | None = None
    at_end: bool = False
    middle: bool = False
    bare: bool = False  # unquoted, after a cue that already told its kind


@dataclass
class _Subject:
    scene: str
    els: list[str]
    sounds: list[str]
    label_terms: list[str]
    pos: int


@dataclass
class _Timing:
    start: int
    end: int
    st: float | None = None
    end_s: float | None = None
    length: float | None = None
    at_end: bool = False
    middle: bool = False


@dataclass
class _Intent:
    raw: str
    norm: str
    quotes: list[_Quote]
    duration_ms: int | None = None
    duration_note: str | None = None
    aspect: str | None = None
    aspect_note: str | None = None
    res: int | None = None
    res_note: str | None = None
    no_music: bool = False
    silent: bool = False
    mood: str | None = None
    music_asked: bool = False
    volume: float | None = None
    louder: bool = False
    quieter: bool = False
    subjects: list[_Subject] = field(default_factory=list)
    weak_subject: bool = False
    global_sounds: list[str] = field(default_factory=list)
    removed_words: list[str] = field(default_factory=list)
    generation: bool = False
    edit_lead: bool = False
    uploads_ref: set[str] = field(default_factory=set)
    unsupported: list[str] = field(default_factory=list)
    longer: bool = False
    shorter: bool = False
    percent_change: float | None = None
    duration_delta: int | None = None
    has_uploads: bool = False


MAX_QUOTES = 12  # quoted texts taken from one prompt; the rest is read as plain words
MAX_BARE = 60  # an unquoted title or caption longer than this is cut at a word boundary

# Unquoted titles and captions: only after a phrase that clearly introduces one. "strong" cues
# ("titled X", "title: X", "a title that says X", "change the title to X", 标题是X) take any
# text; "weak" ones ("add a title X", "with the caption X", "caption X at 5s") refuse text that
# starts like something else ("add a title to the video", "with the title sequence ...").
_W = r"(?P<w{n}>title|caption|subtitle|heading)"
_BARE_CUE = re.compile(
    r"(?<![a-z])(?:"
    + _W.format(n=1) + r"\s+(?:that|which)\s+(?:says|reads|shows)|"
    + _W.format(n=2) + r"\s+(?:saying|reading)|"
    r"(?P<titled>titled)|"
    r"(?:change|set|rename|update|switch)\s+(?:the\s+)?" + _W.format(n=3) + r"\s+to(?:\s+say)?|"
    r"(?:the\s+)?" + _W.format(n=4) + r"\s+(?:should|will|must)\s+(?:be|say|read)|"
    r"(?P<weak>(?:with|and|plus|add|put|include|insert|has|have|use)\s+(?:a\s+|an\s+|the\s+)?"
    + _W.format(n=5) + r"|(?:^|(?<=[,;.!?]))\s*(?:and\s+)?(?:a\s+|the\s+)?" + _W.format(n=6) + r")"
    r")(?:\s*[:：]|(?![a-z]))|"
    r"(?<![a-z])" + _W.format(n=7) + r"\s*[:：]|"
    r"(?P<zw>标题|题目|片名|字幕)\s*(?:是|为|叫做|叫|写着|写|改成|改为|换成|变成)|"
    r"(?:加上|加个|加一个|添加|添上|添加一个|加)(?:一个|一条|个|条)?(?P<zw2>标题|字幕)|"
    r"(?P<zw3>标题|字幕)\s*[:：]", re.I)
_QUOTE_OPEN = "\"“„「『《«＂‘'"
_INSTR_EN = (r"(?:make|add|put|use|set|change|remove|include|play|give|turn|show|fade|end|start|have|keep|no|"
             r"without|with|and|then|also|plus|in|at|for|from|please|music|songs?|soundtrack|bgm|sounds?|audio|"
             r"vertical|horizontal|square|landscape|portrait|widescreen|captions?|subtitles?|titles?|"
             r"soft|calm|quiet|loud|upbeat|happy|sad|epic|relaxing|gentle|lo-?fi|piano|\d)")
_BARE_END = re.compile(
    r"[.](?=\s|$)|(?<=[!?！？])|[;；。\n，、]|"
    r"\s*,\s*(?=(?:and\s+|then\s+|also\s+)?" + _INSTR_EN + r"(?![a-z]))|"
    r"\s+(?:and|with|plus|then|also)\s+(?:then\s+|also\s+)?(?:"
    r"(?:make|add|put|use|set|change|remove|include|play|give|turn|show|fade|keep|no|without)(?![a-z])|"
    r"(?:(?:a|an|the|some)\s+)?(?:(?!(?:and|with|plus)\s)[\w-]+\s+){0,3}?(?:music|songs?|soundtrack|bgm|sounds?|audio|narration|"
    r"voice-?over|captions?|subtitles?|titles?|headings?)(?![a-z]))|"
    r"\s+(?:in\s+)?(?:\d{1,2}\s*:\s*\d{1,2}|\d{3,4}p)(?![\w:])|"
    r"(?:然后|并且|同时|再加上|配上|加上|添加|来点|背景音乐|配乐|的(?:视频|短片|影片|动画))", re.I)
_TIMING_I = re.compile(_TIMING_RE.pattern, re.I)
_ABOUT = re.compile(r"\s+about\s+(?:(?:a|an|the|some)\s+)?", re.I)
# Words that do not start a title after a weak cue ("add a title to the video", "a title card").
_NOT_TEXT_START = frozenset([
    "to", "at", "in", "on", "for", "from", "of", "with", "and", "or", "but", "is", "are", "was", "be",
    "should", "must", "will", "would", "can", "could", "needs", "need", "looks", "seems", "too", "so",
    "very", "bigger", "smaller", "larger", "card", "cards", "screen", "screens", "sequence",
    "sequences", "slide", "slides", "page", "font", "fonts", "text", "bar", "style", "styles",
    "animation", "animations", "effect", "effects", "size", "color", "colour", "position", "track",
    "please", "that", "which", "it", "this", "here", "there", "something", "anything", "whatever",
    "more", "less", "now", "instead", "as", "by", "into", "onto", "over", "under", "again", "then",
    "if", "when", "while", "where", "what", "how"])
# A whole text that is a setting, not a title ("change the title to red", "... to the top").
_NOT_TEXT = frozenset([
    "be", "something", "anything", "whatever", "bigger", "smaller", "larger", "big", "small", "bold",
    "italic", "red", "blue", "green", "yellow", "white", "black", "orange", "purple", "pink", "grey",
    "gray", "top", "bottom", "center", "centre", "middle", "left", "right", "first", "last", "now",
    "please", "too", "here", "there", "again", "instead", "later", "什么", "啥", "什么呢"])


def _bare_end(prompt: str, start: int, limit: int) -> int:
    """Where an unquoted title that starts at ``start`` ends (before ``limit``)."""
    end = limit
    m = _BARE_END.search(prompt, start, limit)
    if m:
        end = m.start()
    for a in _ABOUT.finditer(prompt, start, end):
        # "a video titled Summer Days about the ocean": the subject is not part of the title.
        if _SCENE_RE.match(prompt[a.end():a.end() + 40].lower()):
            end = a.start()
            break
    for t in _TIMING_I.finditer(prompt, start, end):
        if t.group("zend") or t.group("zstart"):
            continue  # 结尾 / 开头 alone can be part of a title
        first = t.start() + len(t.group(0)) - len(t.group(0).lstrip())
        if first == start or not prompt[first - 1].isalnum() \
                or unicodedata.east_asian_width(prompt[first]) in ("W", "F"):
            end = first
            break
    return end


def _bare_text(prompt: str, start: int, end: int, weak: bool) -> str | None:
    """The unquoted text ``prompt[start:end]`` cleaned and shortened, or None if it is not a title."""
    text = prompt[start:end].strip().strip(_QUOTE_OPEN + "”」』》»’").strip()
    text = re.sub(r"(?:[\s,.;:，；：]+(?:please|pls|thanks|thank you))+\s*$", "", text, flags=re.I)
    text = text.rstrip(" \t,.;:，；：-").strip()
    if not text or not any(ch.isalnum() for ch in text):
        return None
    words = text.lower().split()
    core = " ".join(words[1:] if words[0] in ("the", "a", "an") and len(words) > 1 else words).rstrip("?!？！")
    if core in _NOT_TEXT or text.rstrip("?!？！") in _NOT_TEXT:
        return None
    if words[0] in ("something", "anything", "whatever") or (weak and words[0].strip(",.:;!?") in _NOT_TEXT_START):
        return None
    if len(text) > MAX_BARE:
        cut = text[:MAX_BARE + 1]
        space = cut.rfind(" ")
        text = (cut[:space] if space > MAX_BARE // 3 else text[:MAX_BARE]).rstrip(" \t,.;:，；：-")
    return text


def _bare_spans(prompt: str, quoted: list[re.Match[str]]) -> list[tuple[int, int, str, str]]:
    """Unquoted titles and captions: (start, end, text, kind) in prompt order."""
    out: list[tuple[int, int, str, str]] = []
    q_spans = [(m.start(), m.end()) for m in quoted]
    # A quoted title wins over an unquoted one.
    quoted_title = any(not _CAPTION_CUE.search(prompt[max(0, a - 40):a].lower()) for a, _b in q_spans)
    pos = 0
    while pos < len(prompt):
        c = _BARE_CUE.search(prompt, pos)
        if c is None:
            break
        # On a miss, look again from the next character: "and a title that says X" is a weak
        # cue ("a title") that fails and a strong one ("title that says") that does not.
        pos = c.start() + 1
        if any(a <= c.start() < b for a, b in q_spans):
            continue
        word = next((c.group(g) for g in ("w1", "w2", "w3", "w4", "w5", "w6", "w7", "zw", "zw2", "zw3")
                     if c.group(g)), None) or "title"
        kind = "caption" if word.lower() in ("caption", "subtitle", "字幕") else "title"
        if kind == "title" and quoted_title:
            continue
        start = c.end()
        while start < len(prompt) and prompt[start] in " \t:：":
            start += 1
        if any(a == start for a, _b in q_spans):
            continue  # the quoted text itself
        limit = min([a for a, _b in q_spans if a > start] + [len(prompt)])
        end = _bare_end(prompt, start, limit)
        text = _bare_text(prompt, start, end, bool(c.group("weak")))
        if text is None:
            continue
        out.append((start, end, text, kind))
        pos = max(pos, end)
    return out


def _normalise(prompt: str) -> tuple[str, list[_Quote]]:
    """Pull quoted text out (kept verbatim), lower-case and NFKC the rest.

    Each quote is replaced by a placeholder ``qN`` so that positions still tell what
    is near what. Unquoted titles and captions after a clear cue ("titled Summer Days",
    "a title that says Hello", 标题是春天来了) are taken the same way (see :data:`_BARE_CUE`).
    """
    pieces: list[str] = []
    quotes: list[_Quote] = []
    last = 0
    length = 0
    quoted = list(_QUOTE_RE.finditer(prompt))
    spans: list[tuple[int, int, str, str | None]] = [
        (m.start(), m.end(), next(g for g in m.groups() if g is not None).strip(), None) for m in quoted]
    spans.extend(_bare_spans(prompt, quoted))
    spans.sort(key=lambda sp: sp[0])
    for m_start, m_end, text, bare_kind in spans:
        if len(quotes) >= MAX_QUOTES:
            break
        before = unicodedata.normalize("NFKC", prompt[last:m_start]).lower()
        pieces.append(before)
        length += len(before)
        if not text:
            last = m_end
            continue
        token = f" q{len(quotes)}q "
        quotes.append(_Quote(text=text, start=length, end=length + len(token), kind=bare_kind or "title",
                             bare=bare_kind is not None))
        pieces.append(token)
        length += len(token)
        last = m_end
    pieces.append(unicodedata.normalize("NFKC", prompt[last:]).lower())
    norm = "".join(pieces).replace("’", "'").replace("–", "-").replace("—", "-")
    return norm, quotes


def _blank(text: str, start: int, end: int) -> str:
    return text[:start] + " " * (end - start) + text[end:]


def _num(text: str | None) -> float | None:
    if text is None:
        return None
    return _parse_en_number(text)


def _ms(value: float | None, unit: str | None) -> int | None:
    if value is None:
        return None
    return round(value * _unit_ms(unit or "s"))


def _find_timings(norm: str) -> list[_Timing]:
    out: list[_Timing] = []
    for m in _TIMING_RE.finditer(norm):
        g = m.groupdict()
        t = _Timing(start=m.start(), end=m.end())
        if g["first"]:
            t.st, t.end_s = 0.0, (_ms(_num(g["first"]), g["firstu"]) or 0) / 1000
        elif g["last"]:
            t.length, t.at_end = (_ms(_num(g["last"]), g["lastu"]) or 0) / 1000, True
        elif g["fa"]:
            unit = g["fbu"] or g["fau"]
            t.st = (_ms(_num(g["fa"]), g["fau"] or unit) or 0) / 1000
            t.end_s = (_ms(_num(g["fb"]), unit) or 0) / 1000
        elif g["at"]:
            t.st = (_ms(_num(g["at"]), g["atu"]) or 0) / 1000
        elif g["end"]:
            t.at_end = True
        elif g["start"]:
            t.st = 0.0
        elif g["middle"]:
            t.middle = True
        elif g["for"]:
            t.length = (_ms(_num(g["for"]), g["foru"]) or 0) / 1000
        elif g["zfirst"]:
            t.st, t.end_s = 0.0, _parse_cn_number(g["zfirst"])
        elif g["zlast"]:
            t.length, t.at_end = _parse_cn_number(g["zlast"]), True
        elif g["zfa"]:
            t.st, t.end_s = _parse_cn_number(g["zfa"]), _parse_cn_number(g["zfb"])
        elif g["zat"] or g["zat2"]:
            t.st = _parse_cn_number(g["zat"] or g["zat2"])
        elif g["zend"]:
            t.at_end = True
        elif g["zstart"]:
            t.st = 0.0
        elif g["zfor"]:
            t.length = _parse_cn_number(g["zfor"])
        else:
            continue
        out.append(t)
    return out


_DECADE_NEXT = re.compile(r"\s*(?:music|style|vibes?|retro|era|look|aesthetic|songs?|hits|pop|rock|disco|fashion|"
                          r"kids?|cartoons?|tv|movies?|films?|synth|nostalgia)(?![a-z])")


def _decade(text: str, m: re.Match[str]) -> bool:
    """ "80s music", "the 1990s": a decade, not a length."""
    n1, unit = m.group("n1") or "", m.group("u1") or ""
    if unit != "s" or not n1.isdigit() or m.group("n2") or text[m.start("n1") + len(n1):m.start("u1")].strip():
        return False
    value = int(n1)
    round_decade = value % 10 == 0 and (10 <= value <= 90 or 1000 <= value <= 2090)
    if not round_decade:
        return False
    return value >= 1000 or bool(_DECADE_NEXT.match(text, m.end())) or text[:m.start()].rstrip().endswith(
        ("the", "'"))


def _find_duration(text: str) -> tuple[int | None, int, int]:
    """The first duration phrase in ``text`` (timing phrases already blanked): (ms, start, end)."""
    best: tuple[int | None, int, int] = (None, len(text) + 1, len(text) + 1)
    for m in _DUR_EN.finditer(text):
        g = m.groupdict()
        ms: int | None = None
        if g["half"]:
            ms = _unit_ms(g["hu"]) // 2
        elif g["aunit"]:
            ms = _unit_ms(g["aunit"]) * 3 // 2
        elif _decade(text, m):
            continue
        else:
            n1 = g["n1"]
            unit = g["u1"]
            if n1 in ("a", "an") and unit in ("m", "h", "s", "secs", "sec", "second", "seconds"):
                continue
            value = _parse_en_number(n1)
            if value is not None:
                ms = round(value * _unit_ms(unit))
                if g["n2"]:
                    ms += round(float(g["n2"]) * 1000)
        if ms is not None:
            best = (ms, m.start(), m.end())
            break
    z = _DUR_ZH.search(text)
    if z and z.start() < best[1]:
        g = z.groupdict()
        ms = None
        if g["zhalf"]:
            unit = z.group(0)
            ms = (3_600_000 if "时" in unit else 60_000) // 2
        elif g["zh15"]:
            value = _parse_cn_number(g["zh15"])
            ms = round(((value or 0) + 0.5) * 60_000)
        else:
            value = _parse_cn_number(g["zn"])
            if value is not None:
                ms = round(value * _unit_ms(g["zu"]))
                if g["zn2"]:
                    ms += round((_parse_cn_number(g["zn2"]) or 0) * 1000)
        if ms is not None:
            best = (ms, z.start(), z.end())
    return best


def _negated(norm: str, start: int) -> bool:
    return bool(_NEG_BEFORE.search(norm[max(0, start - 24):start]))


_WITH_LEAD = re.compile(r"\s*(?:with|and|plus|also|有|带|带着|还有|伴随|伴着|配上|加上|并且|并有|和)")
_CLAUSE_SPLIT = re.compile(r"[,;.!?:\n，；。！？：、]|(?<![a-z])(?:then|followed by|after that|afterwards|next|"
                           r"and finally|finally|ending with|ends with|before|transitioning to|into)(?![a-z])|"
                           r"然后|接着|之后|再到|最后|随后|再是")


_VERB_RE = re.compile(
    r"(?P<rem>(?<![a-z])(?:remove|delete|drop|without|no|get rid of|take out|take away|lose|stop|minus)(?![a-z])|"
    r"去掉|删除|删掉|移除|不要|拿掉|去除)|"
    r"(?P<add>(?<![a-z])(?:add|put|include|insert|with|plus|make|create|generate|show|want|use)(?![a-z])|"
    r"加上|添加|增加|加|生成|做|制作|来点|要)")
_SOUND_ONLY = re.compile(r"(?<![a-z])(?:sounds?|noises?|audio|ambience)(?![a-z])|声")


class _Verbs:
    """The add/remove verbs of a prompt, to ask which one last came before a word."""

    def __init__(self, norm: str) -> None:
        found = [(m.end(), bool(m.group("rem"))) for m in _VERB_RE.finditer(norm)]
        self.ends = [end for end, _rem in found]
        self.removes = [rem for _end, rem in found]

    def removing(self, pos: int) -> bool:
        """Whether the last verb before ``pos`` removes ("remove the birds and rain, add snow")."""
        i = bisect.bisect_right(self.ends, pos) - 1
        return i >= 0 and self.removes[i]


def _find_subjects(norm: str, intent: _Intent) -> None:
    verbs = _Verbs(norm)
    clauses: list[tuple[int, int]] = []
    pos = 0
    for m in _CLAUSE_SPLIT.finditer(norm):
        clauses.append((pos, m.start()))
        pos = m.end()
    clauses.append((pos, len(norm)))
    pending_els: list[str] = []
    for c_start, c_end in clauses:
        text = norm[c_start:c_end]
        mains: list[tuple[str, int, str]] = []
        mods: list[tuple[str, int]] = []
        els: list[str] = []
        for m in _SCENE_RE.finditer(text):
            if _negated(norm, c_start + m.start()) or verbs.removing(c_start + m.start()):
                word = _lookup(m.group(0), _SCENE_LOOKUP) or _lookup(m.group(0), _ELEMENT_LOOKUP)
                if word:
                    intent.removed_words.append(word)
                continue
            found = m.group(0)
            scene = _lookup(found, _SCENE_LOOKUP)
            implied = _IMPLIED_EL.get(_canon(found))
            if implied and implied not in els:
                els.append(implied)
            if scene is not None:
                if scene in _MODIFIER_SCENES:
                    mods.append((scene, m.start()))
                else:
                    mains.append((scene, m.start(), found))
                continue
            el = _lookup(found, _ELEMENT_LOOKUP)
            if el is not None:
                els.append(el)
                continue
            if _lookup(found, _WEAK_LOOKUP):
                intent.weak_subject = True
        sounds: list[str] = []
        for m in _SOUND_RE.finditer(text):
            if _negated(norm, c_start + m.start()) or verbs.removing(c_start + m.start()):
                snd = _lookup(m.group(0), _SOUND_LOOKUP)
                if snd and snd not in intent.removed_words:
                    intent.removed_words.append(snd)
                continue
            snd = _lookup(m.group(0), _SOUND_LOOKUP)
            if snd and snd not in sounds:
                sounds.append(snd)
        if not mains and mods and intent.subjects and _WITH_LEAD.match(text):
            # "森林视频，有鸟叫" / "a forest, with birds": modifiers of the previous subject.
            prev = intent.subjects[-1]
            for scene, _p in mods:
                el = _MODIFIER_SCENES[scene]
                if el not in prev.els:
                    prev.els.append(el)
            for snd in sounds:
                if snd not in prev.sounds:
                    prev.sounds.append(snd)
            mods = []
            sounds = []
        if not mains and sounds and _SOUND_ONLY.search(text):
            # "rain and wind sounds": sounds for the whole video, not a rain scene.
            mods = []
        if not mains and mods:
            first = min(mods, key=lambda x: x[1])
            mains.append((first[0], first[1], first[0]))
            mods = [x for x in mods if x is not first]
        for scene, _p in mods:
            el = _MODIFIER_SCENES[scene]
            if el not in els:
                els.append(el)
        if not mains:
            if els:
                if intent.subjects:
                    for el in els:
                        for subj in intent.subjects[-1:]:
                            if el not in subj.els:
                                subj.els.append(el)
                else:
                    pending_els.extend(e for e in els if e not in pending_els)
            for snd in sounds:
                if snd not in intent.global_sounds:
                    intent.global_sounds.append(snd)
            continue
        seen: list[str] = []
        for scene, p, found in sorted(mains, key=lambda x: x[1]):
            if scene in seen:
                continue
            seen.append(scene)
            subj_els = [e for e in pending_els + els if e in ELEMENTS]
            subj_els = list(dict.fromkeys(subj_els))
            intent.subjects.append(_Subject(scene=scene, els=subj_els, sounds=list(sounds),
                                            label_terms=[found], pos=c_start + p))
        pending_els = []
    if pending_els and not intent.subjects:
        home = _ELEMENT_HOME.get(pending_els[0], "abstract")
        intent.subjects.append(_Subject(scene=home, els=[e for e in pending_els if e != home
                                                         and _ELEMENT_HOME.get(e) != home],
                                        sounds=[], label_terms=[home], pos=0))


def _analyse(prompt: str, assets: list[dict[str, Any]]) -> _Intent:
    norm, quotes = _normalise(prompt)
    intent = _Intent(raw=prompt, norm=norm, quotes=quotes)
    intent.has_uploads = any(a.get("file_type") in ("image", "video", "audio", "text") for a in assets)

    # Timing phrases belong to quotes; take them out before looking for the duration.
    timings = _find_timings(norm)
    after_q: dict[int, list[_Timing]] = {}
    claimed: set[int] = set()
    used: set[int] = set()
    for i, q in enumerate(quotes):
        nxt = min((o.start for o in quotes if o.start > q.start), default=len(norm))
        after_q[i] = [t for t in timings if q.end <= t.start < nxt and t.start - q.end <= 60]
        claimed.update(id(t) for t in after_q[i])
    for i, q in enumerate(quotes):
        before = norm[max(0, q.start - 40):q.start]
        if not q.bare and _CAPTION_CUE.search(before) and not _TITLE_CUE.search(before[-12:]):
            q.kind = "caption"
        near = after_q[i]
        if not near:
            prev = max((o.end for o in quotes if o.end <= q.start), default=0)
            near = [t for t in timings if prev <= t.start and t.end <= q.start and q.start - t.end <= 40
                    and id(t) not in claimed]
        used.update(id(t) for t in near)
        for t in near:
            if t.st is not None:
                q.st = round(t.st * 1000)
            if t.end_s is not None:
                q.end_ms = round(t.end_s * 1000)
            if t.length is not None:
                q.length = round(t.length * 1000)
            q.at_end = q.at_end or t.at_end
            q.middle = q.middle or t.middle

    # Offsets ("at 5s", "from 2 to 4 s") never give the video's length; "for 5 seconds" does,
    # unless it belongs to a quote.
    dur_text = norm
    for t in timings:
        if id(t) in used or not (t.length is not None and t.st is None and t.end_s is None and not t.at_end):
            dur_text = _blank(dur_text, t.start, t.end)

    # "50% longer"
    pc = re.search(r"(?P<n>\d{1,3})\s*%\s*(?P<w>longer|shorter)", dur_text)
    if pc:
        value = float(pc.group("n")) / 100
        intent.percent_change = 1 + value if pc.group("w") == "longer" else max(0.05, 1 - value)
        dur_text = _blank(dur_text, pc.start(), pc.end())
    ms, d_start, d_end = _find_duration(dur_text)
    sign = 0
    if ms is not None:
        before, after = dur_text[max(0, d_start - 30):d_start], dur_text[d_end:d_end + 12]
        if re.match(r"\s*(?:longer|more|extra)(?![a-z])", after) or re.search(
                r"(?:longer|lengthen|extend|add|加长|延长|增加|多|长)\s*(?:it\s*)?(?:by\s*)?(?:another\s*)?$", before):
            sign = 1
        elif re.match(r"\s*(?:shorter|less|fewer)(?![a-z])", after) or re.search(
                r"(?:shorter|shorten|cut|trim|reduce|remove|缩短|减少|减|短)\s*(?:it\s*)?(?:by\s*)?$", before):
            sign = -1
    if ms is not None and sign:
        intent.duration_delta = sign * ms
    elif ms is not None:
        if ms < MIN_MS:
            intent.duration_note = "short"
            ms = MIN_MS
        elif ms > MAX_MS:
            intent.duration_note = "long"
            ms = MAX_MS
        intent.duration_ms = ms
    elif re.search(r"twice as long|double (?:the )?(?:length|duration)|翻倍", norm):
        intent.percent_change = 2.0
    elif re.search(r"half as long|half the (?:length|duration)|减半", norm):
        intent.percent_change = 0.5
    intent.longer = bool(_WORD_LONGER.search(norm))
    intent.shorter = bool(_WORD_SHORTER.search(norm))

    # Aspect and resolution.
    for m in _ASPECT_RATIO.finditer(dur_text):
        ratio = f"{int(m.group('a'))}:{int(m.group('b'))}"
        if ratio in SIZES_1080:
            intent.aspect = ratio
        else:
            intent.aspect_note = ratio
    if intent.aspect is None:
        for aspect in ("9:16", "1:1", "16:9"):
            if _ASPECT_WORDS[aspect].search(norm):
                intent.aspect = aspect
                break
    rm = _RES_RE.search(norm)
    if rm:
        if rm.group("p"):
            p = int(rm.group("p"))
        else:
            word = (rm.group("k") or rm.group("zh") or "").replace(" ", "")
            p = {"hd": 720, "标清": 720, "fullhd": 1080, "fhd": 1080, "高清": 1080, "超清": 1080}.get(word, 2160)
        if p in (720, 1080):
            intent.res = p
        elif p < 720:
            intent.res, intent.res_note = 720, f"{p}p"
        else:
            intent.res, intent.res_note = 1080, rm.group(0).strip()

    # Music and sound.
    intent.silent = bool(_SILENT.search(norm))
    intent.no_music = intent.silent or bool(_NO_MUSIC.search(norm))
    music_word = _MUSIC_WORD.search(norm)
    intent.music_asked = bool(music_word) and not intent.no_music
    # The mood word nearest to a music word ("a calm ocean with upbeat music" -> upbeat).
    moods: list[tuple[int, str]] = []
    for m in _MOOD_RE.finditer(norm):
        mood = _lookup(m.group(0), _MOOD_LOOKUP)
        if mood and not _negated(norm, m.start()):
            moods.append((m.start(), mood))
    if moods:
        music_at = [m.start() for m in _MUSIC_WORD.finditer(norm)]
        if music_at:
            moods.sort(key=lambda pm_: min(abs(pm_[0] - p) for p in music_at))
        intent.mood = moods[0][1]
    pm = _PERCENT.search(dur_text)
    too_loud, too_quiet = _TOO_LOUD.search(norm), _TOO_QUIET.search(norm)
    if pm:
        intent.volume = max(0.0, min(1.0, float(pm.group("n")) / 100))
    elif too_loud or too_quiet:
        pass  # a complaint about the current level: quieter or louder, below
    elif _QUIET_WORD.search(norm):
        intent.volume = 0.2
    elif _LOUD_WORD.search(norm):
        intent.volume = 0.7
    intent.louder = bool(too_quiet) or (bool(_LOUDER.search(norm)) and not too_loud)
    intent.quieter = bool(too_loud) or (bool(_QUIETER.search(norm)) and not too_quiet)

    _find_subjects(norm, intent)
    if intent.silent:
        intent.global_sounds = []
        for subj in intent.subjects:
            subj.sounds = []

    intent.generation = bool(_GEN_EN.search(norm) or _VIDEO_OF.search(norm) or _GEN_ZH.search(norm))
    intent.edit_lead = bool(_EDIT_LEAD.search(norm)) or bool(re.search(r"改成|换成|改为|变成", norm))
    for m in _UPLOAD_REF.finditer(norm):
        what = (m.group("what") or m.group("zwhat") or "uploads").rstrip("s")
        kind = {"image": "image", "photo": "image", "picture": "image", "pic": "image", "slide": "image",
                "图片": "image", "照片": "image", "图": "image", "clip": "video", "video": "video",
                "footage": "video", "视频": "video", "text": "text", "texts": "text", "script": "text",
                "文字": "text", "文本": "text", "脚本": "text", "文案": "text", "audio": "audio",
                "song": "audio", "music": "audio", "track": "audio", "音乐": "audio", "歌": "audio"}.get(what, "all")
        intent.uploads_ref.add(kind)
    if re.search(r"(?<![a-z])(?:turn|make)\s+(?:them|these|those)\s+into|把(?:它们|这些)", norm):
        intent.uploads_ref.add("all")
    for pattern, what in _UNSUPPORTED:
        if pattern.search(norm) and what not in intent.unsupported:
            intent.unsupported.append(what)
    return intent
