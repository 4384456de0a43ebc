"""What kind of request a prompt is, and what kind of video it asks for.

Kinds (``Brief.kind``): ``new`` (a video), ``edit`` (a change of the current one), ``question`` (about
the current video: "how long is it?"), ``outside`` (something that is not video making: "book me a
table"), ``help``, ``capabilities`` ("what can you draw?"), ``export``, ``empty``. A question or an
outside request never changes the draft.

Templates (``Brief.template``): ``ad``, ``greeting``, ``lesson``, ``list``, ``story``, chosen only
when the request is one (cue words in ``templates`` of the grammar files), else None.
"""

from __future__ import annotations

from collections.abc import Sequence

from .grammar import Tag

_TEMPLATE_ORDER = ("greeting", "ad", "list", "lesson", "story")


def template_of(tags: Sequence[Tag], announced_list: bool) -> str | None:
    """The kind of video asked: the one the user names ("a lesson for my class" with steps is a lesson,
    "5 tips" a list)."""
    said = {str(t.value) for t in tags if t.cat == "template"}
    if announced_list and not said & {"lesson", "greeting", "ad"}:
        return "list"
    for name in _TEMPLATE_ORDER:
        if name in said and name != "list":
            return name
    return None


def is_question(norm: str, tags: Sequence[Tag]) -> bool:
    """An interrogative sentence that asks for no change ("how long is my video?")."""
    text = norm.strip()
    if not text:
        return False
    first = [t for t in tags if t.cat == "question" and t.start <= len(norm) - len(norm.lstrip()) + 1]
    asks = text.endswith(("?", "？")) or bool(first) or text.endswith(("吗", "か", "까", "니", "나요", "ですか"))
    if not asks:
        return False
    # "can you make it vertical?" is a request, said politely
    return not any(t.cat == "request" for t in tags)


def is_outside(norm: str, tags: Sequence[Tag], has_subjects: bool, has_texts: bool) -> bool:
    """A request about something other than video making ("please file my taxes")."""
    if has_texts or any(t.cat == "video" for t in tags):
        return False
    return any(t.cat == "outside" for t in tags)


def about_video(tags: Sequence[Tag]) -> bool:
    return any(t.cat == "video" for t in tags)
