"""What each text of a prompt is for: a title, the brand, a caption, the end card, a greeting's
message, a voice-over line; and when a caption shows ("when the clouds form").

The role comes from the cue words just before the text (``text_roles`` in the grammar files:
"a voiceover saying", "end with", "for my bakery called", "the caption"), then from the text itself
(a greeting's words: "Happy birthday!") and the kind of video (an ad's name after "for" is the
brand). The strongest cue wins: voice-over, end card, brand, greeting, caption, title.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from ..brief import Brief, TextAsk
from .grammar import Tag

_ROLE_ORDER = ("voiceover", "end_card", "brand", "greeting", "caption", "title")
_CUE_REACH = 48        # characters before a text that its cue may stand in
_AFTER_REACH = 24      # characters after it ("'Happy birthday' message", "'Evaporation' when ...")
_WHEN_REACH = 40
_CLAUSE_END = re.compile(r"[,;.!?\n，。；！？]| q\d+q ")
_PLACEHOLDER = re.compile(r" q(\d+)q ")
_AS_CUE = re.compile(r"^\s*(?:as|like|for|como|comme|als|come|作为|として|로|으로)?\s*(?:an?|the|el|la|le|un|une|der|die|das|il|lo|o|a)?\s*$")
_BRAND_AFTER_FOR = re.compile(r"(?:for|para|pour|für|per|给|の|위한)\s*$")


def _greeting_words(text: str, tags: Sequence[Tag], greeting_texts: Sequence[str]) -> bool:
    low = text.lower()
    return any(g in low for g in greeting_texts)


def assign_roles(brief: Brief, tags: Sequence[Tag], norm: str, greeting_texts: Sequence[str]) -> None:
    """Set each text's ``role`` (and ``at_end`` for an end card, ``when`` for "when X")."""
    role_tags = [t for t in tags if t.cat == "role"]
    when_tags = [t for t in tags if t.cat == "when"]
    for q in brief.texts:
        prev_end = max((o.end for o in brief.texts if o.end <= q.start), default=0)
        nxt = min((o.start for o in brief.texts if o.start >= q.end), default=len(norm))
        window = [t for t in role_tags if max(prev_end, q.start - _CUE_REACH) <= t.start and t.end <= q.start]
        after = [t for t in role_tags if q.end <= t.start < min(nxt, q.end + _AFTER_REACH)
                 and t.value in ("greeting", "caption", "title", "brand", "voiceover")
                 and _AS_CUE.search(norm[q.end:t.start])]
        said = {str(t.value) for t in window}
        # a caption cue right after the text names it ("'Run lighter' as a caption")
        said |= {str(t.value) for t in after if t.value in ("caption", "voiceover")}
        role = None
        for r in _ROLE_ORDER:
            if r in said:
                role = r
                break
        if role == "greeting" and not (_greeting_words(q.text, tags, greeting_texts) or brief.template == "greeting"):
            role = None  # "saying" in "a sign saying 'Open'" is not a greeting
        if role is None and brief.template == "greeting" and _greeting_words(q.text, tags, greeting_texts):
            role = "greeting"
        if role is None and brief.template == "ad" and _BRAND_AFTER_FOR.search(norm[max(0, q.start - 8):q.start]):
            role = "brand"
        if role is None:
            role = q.role if q.role in ("title", "caption") else "title"
        if role == "title" and q.role == "caption":
            role = "caption"
        q.role = role
        if role == "end_card" and q.st is None and q.end_ms is None:
            q.at_end = True
        # "... 'Condensation' when the clouds form": the moment is an event of the story
        w = next((t for t in when_tags if q.end <= t.start <= q.end + _WHEN_REACH and t.start < nxt), None)
        if w is None:
            w = next((t for t in when_tags if max(prev_end, q.start - _WHEN_REACH) <= t.start < q.start
                      and not _CLAUSE_END.search(norm, t.end, q.start)), None)
            if w is not None:
                m = _CLAUSE_END.search(norm, w.end)
                q.when = norm[w.end:min(m.start() if m else q.start, q.start)].strip(" ,") or None
                continue
        if w is not None and q.st is None and not q.at_end:
            m = _CLAUSE_END.search(norm, w.end)
            q.when = norm[w.end:(m.start() if m else len(norm))].strip() or None


def when_scene(text: TextAsk, scenes_words: Sequence[set[str]]) -> int | None:
    """The scene that shows "when X": the one sharing most words with X (None: no scene does)."""
    if not text.when:
        return None
    words = {w for w in re.findall(r"[^\W\d_]+", text.when.lower()) if len(w) > 2} or set(text.when)
    best, score = None, 0
    for i, sw in enumerate(scenes_words):
        s = len(words & sw)
        if s > score:
            best, score = i, s
    return best


def placeholder_index(token: str) -> int | None:
    m = _PLACEHOLDER.fullmatch(token)
    return int(m.group(1)) if m else None
