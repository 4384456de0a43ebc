"""Titles and captions in a prompt: quoted text, and unquoted text after a clear cue."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from .brief import TextAsk
from .cues import _CAPTION_CUE
from .phrases import is_cjk
from .read.grammar import grammar
from .read.korean import split_particles
from .timing import _TIMING_RE
from .vocabulary import _SCENE_RE

_QUOTE_RE = re.compile(
    r'"(?P<a>[^"\n]{1,300})"|“(?P<b>[^”\n]{1,300})”|„(?P<c>[^“”\n]{1,300})[“”]|「(?P<d>[^」]{1,300})」|'
    r"『(?P<e>[^』]{1,300})』|《(?P<f>[^》]{1,300})》|«\s?(?P<g>[^»\n]{1,300}?)\s?»|＂(?P<h>[^＂\n]{1,300})＂|"
    r"‘(?P<i>[^’\n]{1,300})’|(?<![\w'])'(?P<j>(?:[^'\n]|'(?=[^\W\d_]))(?:[^'\n]|'(?=[^\W\d_])){0,299})'"
    r"(?![0-9A-Za-z\u00c0-\u024f])")  # ("'Bienvenue dans l'espace'", "'Blue Sky'라는 카페")

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


def _normalise(prompt: str) -> tuple[str, list[TextAsk]]:
    """Pull quoted text out (kept verbatim), lower-case and NFKC the rest.

    Each quote is replaced by a placeholder ``qN`` so that positions still tell what
    is near what. Unquoted titles and captions after a clear cue ("titled Summer Days",
    "a title that says Hello", 标题是春天来了) are taken the same way (see :data:`_BARE_CUE`).
    """
    pieces: list[str] = []
    quotes: list[TextAsk] = []
    last = 0
    length = 0
    quoted = list(_QUOTE_RE.finditer(prompt))
    spans: list[tuple[int, int, str, str | None]] = [
        (m.start(), m.end(), next(g for g in m.groups() if g is not None).strip(), None) for m in quoted]
    spans.extend(_bare_spans(prompt, quoted))
    spans.extend(_name_spans(prompt, [(a, b) for a, b, _t, _k in spans]))
    spans.sort(key=lambda sp: sp[0])
    for m_start, m_end, text, bare_kind in spans:
        if len(quotes) >= MAX_QUOTES:
            break
        before = split_particles(unicodedata.normalize("NFKC", prompt[last:m_start]).lower())
        pieces.append(before)
        length += len(before)
        if not text:
            last = m_end
            continue
        token = f" q{len(quotes)}q "
        quotes.append(TextAsk(text=text, start=length, end=length + len(token), role=bare_kind or "title",
                             bare=bare_kind is not None))
        pieces.append(token)
        length += len(token)
        last = m_end
    pieces.append(split_particles(unicodedata.normalize("NFKC", prompt[last:]).lower()))
    norm = "".join(pieces).replace("’", "'").replace("–", "-").replace("—", "-")
    return norm, quotes


# -- unquoted names of a business ("my bakery called Sweet Crumbs", "our yoga studio named Lotus
# Flow", "my coffee brand Bean There", "una panadería llamada La Espiga"): capitalised words after a
# business word and a naming verb (or right after "brand"); a pet's name ("a dog named Max") is no
# brand and stays a word of the prompt.
_NAME_VERB = r"(?:called|named|llamad[oa]s?|que se llama|appel[ée]e?s?|nomm[ée]e?s?|namens|genannt|chamad[oa]s?|" \
             r"chiamat[oa])"
_CAP = r"[A-Z0-9À-ÖØ-Þ][\w'’&.+\-]*"
_NAME = _CAP + r"(?:\s+(?:(?:&|and|del|des|de|la|le|du|von|da|di|of|the)(?![^\W_])|" + _CAP + r"))*"
_NAME_LINK = frozenset(["&", "and", "de", "del", "la", "le", "du", "des", "von", "da", "di", "of", "the"])


@lru_cache(maxsize=1)
def _name_cue() -> re.Pattern[str]:
    business: set[str] = set()
    for lang in ("en", "es", "fr", "de", "pt", "it"):
        business.update(w.lower() for w in grammar(lang).data.get("business_words", []) if not is_cjk(w))
    words = "|".join(re.escape(w) for w in sorted(business, key=len, reverse=True))
    return re.compile(r"(?<![^\W_])(?i:(?:" + words + r")(?:\s+[^\W\d_]+){0,2}?\s+" + _NAME_VERB +
                      r"|brand|label|marca|marque|marke|marchio)\s+(?P<n>" + _NAME + r")")


def _name_spans(prompt: str, taken: list[tuple[int, int]]) -> list[tuple[int, int, str, str]]:
    out: list[tuple[int, int, str, str]] = []
    for m in _name_cue().finditer(prompt):
        start, end = m.start("n"), m.end("n")
        words = prompt[start:end].split()
        while words and (words[-1].lower() in _NAME_LINK or not words[-1].strip(".-")):
            words.pop()
        words = words[:5]
        if not words:
            continue
        text = " ".join(words).rstrip(".")
        end = start + len(" ".join(words)) - (len(" ".join(words)) - len(text))
        if any(a < end and start < b for a, b in taken) or text.lower() in _NOT_TEXT:
            continue
        out.append((start, end, text, "brand"))
        taken.append((start, end))
    return out
