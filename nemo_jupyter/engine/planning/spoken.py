"""What a narrator says, in whole sentences of the video's language (the message catalogues'
``narr_*`` keys): a voice-over's own lines, the prompt's points (a list's items, a lesson's steps)
said one after the other and summed up, and, when the prompt gave no words, its title and what each
scene shows.
"""

from __future__ import annotations

import re
from typing import Any

from .brief import Brief
from .catalogue import join, lang_of, say, scene_name, subject_name
from .tracks import _split_sentences

#: languages whose sentences start a point in lower case ("First, cutting stone."); German keeps its
#: nouns' capitals and the others have no case
_LOWER_INSIDE = ("en", "es", "fr", "it", "pt")
_NUMBERED = re.compile(r"^\s*\d+\s*[.)、:：]\s*")


def voiceover_lines(brief: Brief) -> list[str]:
    """The sentences of the voice-over lines the prompt quoted ("a voiceover saying '...'")."""
    out: list[str] = []
    for q in brief.texts:
        if q.role == "voiceover" and q.text.strip():
            out += _split_sentences(q.text)
    return out


def _inline(point: str, lang: str) -> str:
    """A point as the middle of a sentence: no numbering, no closing stop, lower case where it belongs."""
    p = _NUMBERED.sub("", point).strip().rstrip(".。!！;；")
    first = p.split(" ", 1)[0]
    if lang in _LOWER_INSIDE and len(first) > 1 and first[1:].islower() and first[0].isupper():
        p = p[0].lower() + p[1:]
    return p


def point_sentences(points: list[str], language: str) -> list[str]:
    """Points said as sentences: "First, cutting stone." ... "Finally, building layer by layer.", then
    a sentence that sums them up (two to six short points)."""
    lang = lang_of(language)
    pts = [_inline(p, lang) for p in points if p.strip()]
    n = len(pts)
    out = []
    for i, p in enumerate(pts):
        key = "narr_first" if i == 0 else ("narr_finally" if i == n - 1 else "narr_then")
        out.append(_capital(say(lang, key, point=p)))
    if 2 <= n <= 6 and all(len(p) <= 48 for p in pts):
        out.append(_capital(say(lang, "narr_recap", items=join(lang, pts))))
    return out


def _capital(sentence: str) -> str:
    return sentence[:1].upper() + sentence[1:]


def scene_sentences(title: str | None, scenes: list[dict[str, Any]], language: str) -> list[str]:
    """A video with no words of its own, said: its title, then what each scene shows."""
    lang = lang_of(language)
    out = [say(lang, "narr_title", title=title.strip().rstrip(".。")) ] if title and title.strip() else []
    for seg in scenes:
        place = scene_name(str(seg.get("scene") or "abstract"), lang)
        names = [n for n in dict.fromkeys(subject_name(str(a.get("s")), lang) for a in seg.get("act") or []
                                          if isinstance(a, dict) and a.get("s")) if n not in place and place not in n]
        what = join(lang, [place, *names[:2]]) if names else place
        sentence = _capital(say(lang, "narr_scene", what=what))
        if sentence not in out:
            out.append(sentence)
    return out
