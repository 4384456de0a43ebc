"""What kind of request a prompt is, and what kind of video it asks for.

Kinds (``Brief.kind``): ``new`` (a video), ``edit`` (a change of the current one), ``question`` (about
the current video: "how long is it?"), ``outside`` (something that is not video making: "book me a
table"), ``help``, ``capabilities`` ("what can you draw?"), ``export``, ``empty``. A question or an
outside request never changes the draft.

Templates (``Brief.template``): ``ad``, ``greeting``, ``lesson``, ``list``, ``story``, chosen only
when the request is one (cue words in ``templates`` of the grammar files), else None.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from .grammar import Tag, grammar

_TEMPLATE_ORDER = ("greeting", "ad", "list", "lesson", "story")


def template_of(tags: Sequence[Tag], announced_list: bool) -> str | None:
    """The kind of video asked: the one the user names ("a lesson for my class" with steps is a lesson,
    "5 tips" a list)."""
    verbs = [(t.start, t.end) for t in tags if t.cat == "rel"]
    # (a template word inside a verb is that verb: Korean 이야기하다 is "to talk", not a story)
    said = {str(t.value) for t in tags if t.cat == "template"
            and not any(a <= t.start and t.end <= b and b - a > t.end - t.start for a, b in verbs)}
    if any(t.cat == "greeting_text" for t in tags):
        said.add("greeting")  # a wish said outside quotes: "生日快乐视频", "お誕生日おめでとう動画"
    if announced_list and not said & {"lesson", "greeting", "ad"}:
        return "list"
    for name in _TEMPLATE_ORDER:
        if name in said and name != "list":
            return name
    return None


_IN_SITU_CHARS = 24


def is_question(norm: str, tags: Sequence[Tag], lang: str = "en") -> bool:
    """An interrogative sentence that asks for no change ("how long is my video?"). Chinese, Japanese
    and Korean leave a question word where its answer would stand (``wh_in_situ``: "这个视频多长",
    "この動画は何秒"), so it is read anywhere in the sentence."""
    text = norm.strip()
    if not text:
        return False
    # (in place, a question word asks only in a short sentence that asks for no kind of video:
    # "给学生讲解火山是怎么喷发的" is a lesson about how volcanoes erupt)
    in_situ = bool(grammar(lang).data.get("wh_in_situ")) and len(text) <= _IN_SITU_CHARS and not any(
        t.cat == "template" for t in tags)
    first = [t for t in tags if t.cat == "question" and (in_situ or t.start <= len(norm) - len(norm.lstrip()) + 1)]
    asks = text.endswith(("?", "？")) or bool(first) or text.endswith(("吗", "か", "까", "니", "나요", "ですか"))
    if not asks:
        return False
    # "can you make it vertical?" is a request, said politely; but a verb that a nominaliser follows
    # asks nothing ("现在用的是什么音乐": the music used)
    of = tuple(grammar(lang).data.get("possessive", ())) if grammar(lang).data.get("wh_in_situ") else ()
    return not any(t.cat == "request" and not (of and norm[t.end:t.end + 2].lstrip().startswith(of)) for t in tags)


_FORMAT_WORDS = re.compile(r"mp4|mov|webm|gif|\d{3,4}p|4k|hd|[\W\d_]")


def is_export(norm: str, tags: Sequence[Tag]) -> bool:
    """A prompt that only asks to render the video ("MP4で書き出して", "把视频导出", "mp4로 내보내 줘"):
    an export word (``export_words`` in the grammar file) and nothing else but video, format and
    function words."""
    words = [t for t in tags if t.cat == "export"]
    if not words:
        return False
    rest = list(norm)
    for t in tags:
        if t.cat in ("export", "video", "request", "particle", "of", "counter", "upload"):
            rest[t.start:t.end] = " " * (t.end - t.start)
    return len(_FORMAT_WORDS.sub("", "".join(rest))) <= 3


def is_outside(norm: str, tags: Sequence[Tag], has_subjects: bool, has_texts: bool) -> bool:
    """A request about something other than video making ("please file my taxes")."""
    if has_texts or any(t.cat == "video" for t in tags):
        return False
    return any(t.cat == "outside" for t in tags)


def about_video(tags: Sequence[Tag]) -> bool:
    return any(t.cat == "video" for t in tags)
