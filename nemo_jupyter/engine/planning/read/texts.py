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
from .grammar import PARTICLE_SPACE, Tag, grammar

_ROLE_ORDER = ("voiceover", "end_card", "brand", "greeting", "caption", "title")
_CUE_REACH = 48        # characters before a text that its cue may stand in
_AFTER_REACH = 24      # characters after it ("'Happy birthday' message", "'Evaporation' when ...")
_WHEN_REACH = 40
_CLAUSE_END = re.compile(r"[,;.!?\n，。；！？、]| q\d+q ")
_AS_WORD = re.compile(r"\s*(?:as|like|como|comme|en|als|come|per|作为|として)(?![^\W_])")
_PLACEHOLDER = re.compile(r" q(\d+)q ")
_AS_CUE = re.compile(r"^\s*(?:as|like|for|como|comme|als|come|作为|として|という|と|って|로|으로|라는|이라는|라고|이라고)?\s*"
                     r"(?:an?|the|el|la|le|un|une|der|die|das|il|lo|o|a)?\s*$")
_POSSESSIVE_NOUN = re.compile(r"(?:my|our|mi|mis|nuestro|nuestra|nuestros|mon|ma|notre|nos|mein|meine|meinen|meinem|"
                              r"unser|unsere|unseren|unserem|meu|minha|nosso|nossa|mio|mia|nostro|nostra|la mia|"
                              r"il mio|la nostra|il nostro|a minha|o meu|a nossa|o nosso|pra minha|para a minha|"
                              r"per la mia|per il mio)\s+(?:[^\W\d_]+\s+){1,3}$|(?:我的|我们的|私の|うちの|우리|제)")


def _brand_before(norm: str, start: int, tags: Sequence[Tag], ad: bool, business: Sequence[str]) -> bool:
    """ "for my bakery «La Espiga Dorada»", "pour nos barres énergétiques « Cime »", "uma hamburgueria
    chamada “Brasa Burger”": the name of the advertiser or of its product line, right after the words
    that name it (in an ad, any such words; elsewhere, a business: a shop, a bakery, an app...)."""
    before = norm[max(0, start - 48):start]
    if ad and (_POSSESSIVE_NOUN.search(before) or any(t.cat == "place" and 0 <= start - t.end <= 3 for t in tags)):
        return True
    near = before[-32:]
    return any(b in near for b in business) and bool(
        _POSSESSIVE_NOUN.search(before) or re.search(r"(?:called|named|llamad[oa]|appel[ée]e?|namens|chamad[oa]|"
                                                     r"chiamat[oa]|叫|という|라는|이라는)\s*$", before))


_BRAND_AFTER_FOR = re.compile(r"(?:for|para|pour|für|per|给|の|위한)\s*$")


def _greeting_words(text: str, tags: Sequence[Tag], greeting_texts: Sequence[str]) -> bool:
    low = text.lower()
    return any(g in low for g in greeting_texts)


_CLAUSE_BREAK = re.compile(r"[,;:.!?\n，。；：！？]")


def nearest_text(norm: str, texts: Sequence[TextAsk], start: int, end: int, *, after: int = 60,
                 before: int = 40) -> int | None:
    """The index of the text that words at ``start:end`` (a time, a moment: "at 5 s", "am Ende") are
    about: the nearest one in their own clause, after which they stand (up to ``after`` characters)
    or before which (up to ``before``): "'Sale' at 5 s", "bei 8 Sekunden die Einblendung „Jetzt
    buchen“ und am Ende „shop.de“", "at 5 s 'Hi', at 10 s 'Bye'"."""
    best: tuple[int, int] | None = None
    for i, q in enumerate(texts):
        if q.start < 0:
            continue
        if q.end <= start and start - q.end <= after:
            gap = norm[q.end:start]
        elif end <= q.start and q.start - end <= before:
            gap = norm[end:q.start]
        else:
            continue
        lo, hi = min(q.end, end), max(q.start, start)
        if any(o is not q and o.start >= lo and o.end <= hi for o in texts):
            continue  # another text stands between them
        score = len(gap.strip()) + (1000 if _CLAUSE_BREAK.search(gap) else 0)
        if best is None or score < best[0]:
            best = (score, i)
    return best[1] if best else None


def assign_roles(brief: Brief, tags: Sequence[Tag], norm: str, greeting_texts: Sequence[str],
                 timings: Sequence[tuple[int, int]] = (), business: Sequence[str] = (), lang: str = "en") -> None:
    """Set each text's ``role`` (and ``at_end`` for an end card, ``when`` for "when X"); ``timings``:
    the spans of timing phrases ("第8秒的时候" is a time, not an event). In verb-final languages the cue
    follows the text too ("「X」というパン屋", "'X' 문구", "「X」と字幕"), and the words of an event stand
    before its marker ("太陽が昇るときに", "해가 뜨면": ``when_after`` in the grammar file)."""
    g = grammar(lang)
    cue_after = g.order == "sov"
    when_after = tuple(g.data.get("when_after", ()))
    role_tags = [t for t in tags if t.cat == "role"]
    when_tags = [t for t in tags if t.cat == "when"
                 and not any(a <= t.start <= b + 1 for a, b in timings)]
    moments = [t for t in tags if t.cat in ("at_start", "at_end", "middle")]
    for k, q in enumerate(brief.texts):
        prev_end = max((o.end for o in brief.texts if o.end <= q.start), default=0)
        nxt = min((o.start for o in brief.texts if o.start >= q.end), default=len(norm))
        window = [t for t in role_tags if max(prev_end, q.start - _CUE_REACH) <= t.start and t.end <= q.start
                  # (a shop's name follows it: "我的面包店「麦香」", not "我的面包店做个广告，最后…“立即下单”")
                  and not (t.value == "brand" and _CLAUSE_END.search(norm, t.end, q.start))
                  # (in verb-final languages a cue right after a text is that text's: "「A」と字幕、最後に「B」")
                  and not (cue_after and prev_end and _AS_CUE.search(norm[prev_end:t.start]))]
        after = [t for t in role_tags if q.end <= t.start < min(nxt, q.end + _AFTER_REACH)
                 and t.value in ("greeting", "caption", "title", "brand", "voiceover", "end_card")
                 and _AS_CUE.search(norm[q.end:t.start])]
        said = {str(t.value) for t in window}
        # a caption cue right after the text names it ("'Run lighter' as a caption")
        said |= {str(t.value) for t in after if t.value in ("caption", "voiceover") or cue_after
                 or (t.value == "end_card" and _AS_WORD.match(norm[q.end:t.start]))}  # "'Out now' as the end card"
        role = None
        for r in _ROLE_ORDER:
            if r in said:
                role = r
                break
        # moments said in the language's own words near the text ("alla fine", "all'inizio", "a metà")
        moment = {str(t.cat) for t in moments if nearest_text(norm, brief.texts, t.start, t.end, after=24,
                                                              before=24) == k}
        if q.st is None and q.end_ms is None and not (q.at_end or q.at_start or q.middle):
            q.at_end = "at_end" in moment
            q.at_start = "at_start" in moment and not q.at_end
            q.middle = "middle" in moment and not (q.at_end or q.at_start)
        greeting = _greeting_words(q.text, tags, greeting_texts)
        if brief.template in ("greeting", None) and greeting and role in (None, "caption", "title"):
            role = "greeting"  # the wish of a greeting video, whatever word introduced it
        if brief.template == "ad" and role in (None, "caption", "title") and q.at_end and role != "caption":
            role = "end_card"  # an ad's last words: "and at the end 'Order now at ...'"
        if role in (None, "title") and _brand_before(norm, q.start, tags, brief.template == "ad", business):
            role = "brand"
        if role == "greeting" and not (_greeting_words(q.text, tags, greeting_texts) or brief.template == "greeting"):
            role = None  # "saying" in "a sign saying 'Open'" is not a greeting
        if brief.template == "greeting" and (role is None or (role == "title" and "title" not in said)):
            role = "greeting"  # a greeting video's words that no cue names are its wish
        if role is None and brief.template == "ad" and _BRAND_AFTER_FOR.search(norm[max(0, q.start - 8):q.start]):
            role = "brand"
        if role is None and q.role == "title" and ((q.st or 0) > 0 or q.end_ms is not None) and not said:
            role = "caption"  # "add 'Offer ends 30 June' from 10 to 14 seconds": a caption, not the title
        if role is None:
            role = q.role if q.role in ("title", "caption", "brand") else "title"
        if role == "title" and q.role == "caption":
            role = "caption"
        q.role = role
        if role == "end_card" and q.st is None and q.end_ms is None:
            q.at_end = True
        # "... 'Condensation' when the clouds form": the moment is an event of the story
        # ("'Out now' as a final card": "as" introduces the text's role, not an event)
        # (a marker that follows its event is followed by the next clause: "太阳升起的时候显示字幕")
        events = [t for t in when_tags if t.text.strip() in when_after or not any(
            0 <= r.start - t.end <= 6 and not _PLACEHOLDER.search(norm, t.end, r.start) for r in role_tags)]
        q.when = (_when_after(norm, q, events, nxt, when_after)
                  or _when_before(norm, q, events, prev_end, when_after))
        if q.when:  # (the prompt's own words: "꽃이 피면", not "꽃 이 피면")
            q.when = q.when.replace(PARTICLE_SPACE, "")
        if q.role == "greeting" and brief.template != "greeting" and "caption" in said and (q.when or q.st is not None):
            q.role = "caption"  # "when the train leaves the tunnel, the caption 'Welcome to Switzerland'"


def _when_after(norm: str, q: TextAsk, when_tags: Sequence[Tag], nxt: int,
                postposed: Sequence[str] = ()) -> str | None:
    """ "'Condensation' when the clouds form"; "「X」と字幕、花が咲いたとき" (a marker after its event)"""
    w = next((t for t in when_tags if q.end <= t.start <= q.end + _WHEN_REACH and t.start < nxt), None)
    if w is None or q.st is not None or q.at_end:
        return None
    if w.text.strip() in postposed:
        return _event_before(norm, w.end, q.end)
    m = _CLAUSE_END.search(norm, w.end)
    return norm[w.end:(m.start() if m else len(norm))].strip() or None


def _when_before(norm: str, q: TextAsk, when_tags: Sequence[Tag], prev_end: int,
                 postposed: Sequence[str] = ()) -> str | None:
    """ "when the clouds form, the caption 'Condensation'", "sobald er aus dem Tunnel kommt, die
    Einblendung „Willkommen“": the event ends at the first comma, the text is in the next clause.
    A marker that follows its event ("太阳升起的时候", "花火が上がったら", "해가 뜨면") closes it."""
    for t in when_tags:
        if not (max(prev_end, q.start - _WHEN_REACH - 60) <= t.start < q.start):
            continue
        if t.text.strip() in postposed:
            if not _CLAUSE_END.search(norm, t.end, q.start) or q.start - t.end <= _CUE_REACH // 2:
                return _event_before(norm, t.end, prev_end)
            continue
        breaks = list(_CLAUSE_END.finditer(norm, t.end, q.start))
        if not breaks:
            if q.start - t.start <= _WHEN_REACH:
                return norm[t.end:q.start].strip(" ,") or None
            continue
        first = breaks[0]
        if len(breaks) == 1 and first.group(0).strip() in (",", "，") and q.start - first.end() <= _CUE_REACH:
            return norm[t.end:first.start()].strip() or None
    return None


def _event_before(norm: str, end: int, floor: int) -> str | None:
    """The words of the clause that ends at ``end`` (an event said before its marker, with the marker)."""
    start = max(floor, 0)
    for m in _CLAUSE_END.finditer(norm, start, end):
        start = m.end()
    return norm[start:end].strip(" ,") or None


def placeholder_index(token: str) -> int | None:
    m = _PLACEHOLDER.fullmatch(token)
    return int(m.group(1)) if m else None
