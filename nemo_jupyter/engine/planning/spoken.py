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
    first, _, rest = p.partition(" ")
    names = first.endswith(",") and any(w[:1].isupper() for w in re.findall(r"[^\W\d_]+", rest))  # "Mercury, Venus"
    if lang in _LOWER_INSIDE and len(first) > 1 and first[1:].islower() and first[0].isupper() and not names:
        p = p[0].lower() + p[1:]
    return p


def point_sentences(points: list[str], language: str, title: str | None = None) -> list[str]:
    """Points said as sentences: "First, cutting stone." ... "Finally, building layer by layer.", then
    a sentence that sums them up (two to six short points). A ``title`` is said before the first point,
    over the same picture ("The water cycle. First, evaporation.")."""
    lang = lang_of(language)
    pts = [_inline(p, lang) for p in points if p.strip()]
    n = len(pts)
    out = []
    for i, p in enumerate(pts):
        key = "narr_first" if i == 0 else ("narr_finally" if i == n - 1 else "narr_then")
        out.append(_capital(say(lang, key, point=p)))
    if out and title and title.strip():
        sep = "" if lang in ("zh", "ja") else " "
        out[0] = say(lang, "narr_title", title=title.strip().rstrip(".。")) + sep + out[0]
    if 2 <= n <= 6 and all(len(p) <= 48 for p in pts):
        out.append(_capital(say(lang, "narr_recap", items=join(lang, pts))))
    return out


def _noun(name: str, lang: str) -> str:
    """A name as a noun is written: German nouns start with a capital."""
    return name[:1].upper() + name[1:] if lang == "de" else name


def _capital(sentence: str) -> str:
    return sentence[:1].upper() + sentence[1:]


def scene_sentences(title: str | None, scenes: list[dict[str, Any]], language: str) -> list[str]:
    """A video with no words of its own, said: its title, then what each scene shows."""
    lang = lang_of(language)
    out = [say(lang, "narr_title", title=title.strip().rstrip(".。")) ] if title and title.strip() else []
    for seg in scenes:
        place = _noun(scene_name(str(seg.get("scene") or "abstract"), lang), lang)
        names = [_noun(n, lang) for n in dict.fromkeys(subject_name(str(a.get("s")), lang) for a in seg.get("act") or []
                                                       if isinstance(a, dict) and a.get("s"))]
        names = [n for n in names if n.lower() not in place.lower() and place.lower() not in n.lower()]
        what = join(lang, [place, *names[:2]]) if names else place
        sentence = _capital(say(lang, "narr_scene", what=what))
        if sentence not in out:
            out.append(sentence)
    return out
