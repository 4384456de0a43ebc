"""Segments of the audio and text tracks: music, uploaded songs, ambient sound, titles, captions."""

from __future__ import annotations

import re
from typing import Any

from nemo_jupyter.draft_format import TRACK_AUDIO, TRACK_TEXT

from .brief import TextAsk
from .common import AMBIENT_V, CAPTION_MS, TITLE_MS, _float, _int, _name, _short
from .draftops import _audio_fades, _find_track, _Ids, _sg, _tracks, _tt, named_track
from .placing import segment_keys
from .scenes import MAX_SEGMENTS
from .vocabulary import _MOOD_NAMES, _SOUND_NAMES

#: A caption holds at most this many characters (two lines a viewer can read at a glance).
CAPTION_MAX_CHARS = 120
#: Reading speed used to decide how much of a script fits a video (subtitle guidance: 15-17/s).
READ_CHARS_PER_S = 15

_SENTENCE_END = re.compile(r"(?<=[.!?。！？])\s+|(?<=[。！？])|\n+")
_WORD = re.compile(r"\w")


def _split_sentences(text: str) -> list[str]:
    return _sentences_until(text, None)[0]


def _sentences_until(text: str, limit: int | None) -> tuple[list[str], bool]:
    """The sentences of ``text`` in order, whitespace collapsed, and whether all of ``text`` was
    read: it stops once ``limit`` characters are collected (a 1 MB script is never split whole
    when a short video needs only its start)."""
    out: list[str] = []
    size = 0
    pos = 0
    for m in _SENTENCE_END.finditer(text):
        size += _take(text[pos:m.start()], out)
        pos = m.end()
        if limit is not None and size >= limit:
            return out, not text[pos:].strip()
    _take(text[pos:], out)
    return out, True


def _take(raw: str, out: list[str]) -> int:
    sentence = " ".join(raw.split())
    if sentence and _WORD.search(sentence):
        out.append(sentence)
        return len(sentence)
    return 0


def _pieces(sentence: str, cap: int) -> list[str]:
    """``sentence`` cut at spaces (or anywhere, for text without spaces) into parts of <= ``cap``."""
    if len(sentence) <= cap:
        return [sentence]
    parts: list[str] = []
    rest = sentence
    while len(rest) > cap:
        cut = rest.rfind(" ", cap // 2, cap + 1)
        cut = cut if cut > 0 else cap
        parts.append(rest[:cut].rstrip())
        rest = rest[cut:].lstrip()
    if rest:
        parts.append(rest)
    return parts


def caption_texts(text: str, total: int) -> tuple[list[str], bool]:
    """The caption texts for a script over ``total`` ms, and whether they hold all of it.

    Linear in the script's size: the script is read only as far as a viewer can read in
    ``total`` ms (:data:`READ_CHARS_PER_S`), each caption holds at most
    :data:`CAPTION_MAX_CHARS` characters, and there is at most one caption per 1.5 s.
    """
    max_n = min(max(1, total // 1_500), MAX_SEGMENTS)
    budget = max(CAPTION_MAX_CHARS, min(max_n * CAPTION_MAX_CHARS, total * READ_CHARS_PER_S // 1000))
    sentences, whole = _sentences_until(text, budget + 1)
    pieces: list[str] = []
    size = used = 0
    full = False
    for sentence in sentences:
        for part in _pieces(sentence, CAPTION_MAX_CHARS):
            if pieces and size + len(part) > budget:
                full = True
                break
            pieces.append(part)
            size += len(part)
        if full:
            break
        used += 1
    complete = whole and used == len(sentences)
    if len(pieces) <= max_n:
        return pieces, complete
    target = size / max_n   # merge neighbours, in order, into about max_n captions of similar length
    groups: list[str] = []
    cur = ""
    for part in pieces:
        joined = f"{cur} {part}" if cur else part
        if cur and (len(joined) > CAPTION_MAX_CHARS or len(cur) >= target):
            groups.append(cur)
            cur = part
        else:
            cur = joined
    if cur:
        groups.append(cur)
    while len(groups) > max_n:   # rounding left one or two over: merge the shortest pair that fits
        pairs = [i for i in range(len(groups) - 1) if len(groups[i]) + len(groups[i + 1]) < CAPTION_MAX_CHARS]
        if not pairs:
            return groups[:max_n], False
        i = min(pairs, key=lambda k: len(groups[k]) + len(groups[k + 1]))
        groups[i:i + 2] = [groups[i] + " " + groups[i + 1]]
    return groups, complete


def _caption_segments(text: str, total: int, ids: _Ids) -> list[dict[str, Any]]:
    groups, _complete = caption_texts(text, total)
    if not groups:
        return []
    weights = [len(s) + 12 for s in groups]
    whole = sum(weights)
    bounds = [0]
    acc = 0
    for w in weights:
        acc += w
        bounds.append((total * acc) // whole)
    segs = []
    for i, sentence in enumerate(groups):
        st, end = bounds[i], bounds[i + 1]
        if end <= st:
            continue
        segs.append({"id": ids.new("caption"), "n": _short(sentence, 30), "st": st, "d": end - st, "k": "caption",
                     "txt": sentence, "pos": "bottom", "sz": 54, "col": "#ffffff"})
    return segs


def _text_timing(q: TextAsk, total: int, default_len: int, default_st: int = 0) -> tuple[int, int]:
    length = q.length
    if q.st is not None and q.end_ms is not None and q.end_ms > q.st:
        st, end = q.st, q.end_ms
    elif q.at_end:
        ln = length or default_len
        st, end = total - ln, total
    elif q.middle:
        ln = length or default_len
        st = total // 2 - ln // 2
        end = st + ln
    else:
        st = q.st if q.st is not None else default_st
        end = st + (length or default_len)
    st = max(0, min(st, total - 500))
    end = max(st + 1, min(end, total))
    return st, end - st


def clear_span(track: dict[str, Any], seg: dict[str, Any]) -> None:
    """Make room for ``seg`` (already on ``track``) at its time: the segments it would overlap are
    trimmed around it, or dropped when nothing of them is left (a text track never overlaps)."""
    st, d = _int(seg.get("st")), _int(seg.get("d"))
    kept: list[Any] = []
    for other in _sg(track):
        if other is seg or not isinstance(other, dict):
            kept.append(other)
            continue
        o_st, o_d = _int(other.get("st")), _int(other.get("d"))
        if o_st < st + d and st < o_st + o_d:
            if o_st < st:
                other["d"] = st - o_st
                kept.append(other)
            elif o_st + o_d > st + d:
                other["d"] = o_st + o_d - (st + d)
                other["st"] = st + d
                kept.append(other)
            continue
        kept.append(other)
    kept.sort(key=lambda s: _int(s.get("st")) if isinstance(s, dict) else 0)
    track["sg"] = kept


def _add_text(draft: dict[str, Any], q: TextAsk, total: int, ids: _Ids,
              template: str | None = None, *, top: bool = False) -> tuple[dict[str, Any], bool]:
    """Put a title or caption on its track, with its role and how it comes in (``template``: the kind
    of video, see :data:`.placing.ANIMS`); a title that overlaps an existing one replaces its text.
    ``top``: a caption goes on a "Text" track of its own, at the top (the scenes' own captions, a
    lesson's steps, keep the bottom)."""

    if q.kind == "caption":
        st, d = _text_timing(q, total, CAPTION_MS, default_st=0)
        if top:
            track = named_track(draft, TRACK_TEXT, "Text", create=True)
        else:
            track = _find_track(draft, TRACK_TEXT, "Captions", kinds=("caption",), create=True)
        seg = {"id": ids.new("caption"), "n": _short(q.text, 30), "st": st, "d": d, "k": "caption",
               "txt": q.text, "pos": "top" if top else "bottom", "sz": 54, "col": "#ffffff",
               **segment_keys(q, template)}
    else:
        st, d = _text_timing(q, total, TITLE_MS)
        track = _find_track(draft, TRACK_TEXT, "Title", kinds=("title", "text"), create=True)
        seg = {"id": ids.new("title"), "n": "Title", "st": st, "d": d, "k": "title", "txt": q.text,
               "pos": "center", "sz": 96, "col": "#ffffff", "fi": min(300, d // 4), "fo": min(300, d // 4),
               **segment_keys(q, template)}
    assert track is not None
    sg = _sg(track)
    replaced = False
    kept: list[Any] = []
    for other in sg:
        if not isinstance(other, dict):
            kept.append(other)
            continue
        o_st, o_d = _int(other.get("st")), _int(other.get("d"))
        if o_st < st + d and st < o_st + o_d:
            if q.kind != "caption" and not replaced:
                # Same place: change the text, keep the id and unknown keys.
                other.update({"st": st, "d": d, "txt": q.text, **segment_keys(q, template)})
                ids.used.discard(seg["id"])
                seg = other
                replaced = True
                kept.append(other)
                continue
            if o_st < st:
                other["d"] = st - o_st
                kept.append(other)
            elif o_st + o_d > st + d:
                other["d"] = o_st + o_d - (st + d)
                other["st"] = st + d
                kept.append(other)
            continue
        kept.append(other)
    if not replaced:
        kept.append(seg)
    kept.sort(key=lambda s: _int(s.get("st")) if isinstance(s, dict) else 0)
    track["sg"] = kept
    return seg, replaced


def _music_segment(ids: _Ids, total: int, mood: str, volume: float) -> dict[str, Any]:
    fi, fo = _audio_fades(total)
    return {"id": ids.new("music"), "n": _name(_MOOD_NAMES, mood, "en").capitalize() + " music", "st": 0,
            "d": total, "k": "music", "mood": mood, "v": round(volume, 2), "fi": fi, "fo": fo}


def _audio_segment(ids: _Ids, total: int, song: dict[str, Any], volume: float) -> dict[str, Any]:
    """Uploaded audio as BGM from 0 s: as long as the video, or the song if it is shorter."""
    dur = round(_float(song.get("duration"), 0.0) * 1000)
    d = min(total, dur) if dur > 500 else total
    fi, fo = _audio_fades(d)
    return {"id": ids.new("audio"), "n": str(song.get("filename") or "Audio")[:60], "st": 0, "d": d,
            "k": "audio", "src": song["cdn_url"], "ss": 0, "v": round(volume, 2), "fi": fi, "fo": fo}


def _ambient_segment(ids: _Ids, snd: str, st: int, d: int) -> dict[str, Any]:
    fi, fo = _audio_fades(d)
    return {"id": ids.new("ambient"), "n": _name(_SOUND_NAMES, snd, "en").capitalize(), "st": st, "d": d,
            "k": "ambient", "snd": snd, "v": AMBIENT_V, "fi": fi, "fo": fo}


def _ambient_track(draft: dict[str, Any], snd: str) -> dict[str, Any]:
    name = "Ambient: " + _name(_SOUND_NAMES, snd, "en")
    for track in _tracks(draft):
        if _tt(track) == TRACK_AUDIO and track.get("n") == name:
            return track
    found = _find_track(draft, TRACK_AUDIO, name, create=True)
    assert found is not None
    return found
