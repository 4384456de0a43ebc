"""Narration: what a prompt asks of the voice, and a narrated timeline laid out from spoken lengths.

Asks ("with a voice-over", "narrate the script", "no narration", "a slower voice", "a different
voice", "change the second sentence to ...") are read by :func:`asks`. :func:`narrate` writes one
``voice`` segment per sentence on a "Narration" track and a caption in the same window, timed by
how long each sentence really lasts when spoken (the engine's voices measure it, and the
synthesised sentences stay cached for the render). With a fixed length the speaking rate adapts
within the voice's natural bounds; when even the fastest natural pace does not fit, the video
grows to hold the script and the result says by how much.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from nemo_jupyter.draft_format import TRACK_AUDIO, TRACK_TEXT, TRACK_VIDEO

from ..render.sound import voice as V
from .common import _int, _short
from .draftops import _fade, _find_track, _Ids, _segments, _sg, _tracks, named_track
from .language import _detect

#: pauses (ms): before the first sentence, between sentences, after the last; and the tightest ones
LEAD, GAP, TAIL = 500, 600, 1_000
#: a caption stays at least this long (ms), or this many ms a character, when the pause after its
#: sentence has room: "Whisk them" is said in 0.8 s and read in 1.5 s
READ_MIN_MS, READ_MS_PER_CHAR = 1_500, 60
#: ... and is gone this long before the next sentence begins
CAPTION_CLEAR_MS = 150
#: with no length asked, a sentence and the pause after it last at least this long (ms), so a short
#: one ("Whisk them") is not a picture that flashes by: three short tips were 7.9 s of video (and at
#: 3 s, a list of short points was 40 % silence)
MIN_SLOT_MS = 2_400
TIGHT_LEAD, TIGHT_GAP, TIGHT_TAIL = 300, 350, 500
#: with time to spare, the pause before the first sentence grows by at most this much
MAX_EXTRA_LEAD = 1_500
#: "a slower voice" / "faster": the rate is multiplied by these
SLOWER, FASTER = 0.85, 1.15

_NARRATE = re.compile(
    r"voice[- ]?overs?|narrat(?:e|ed|es|ing|ion|or)|(?:read|speak|say)\w*\s+(?:it|them|this|the\s+(?:script|text|"
    r"captions?|words)|my\s+(?:script|text))\s+(?:aloud|out(?:\s+loud)?)|read\s+aloud|spoken|with\s+(?:a\s+)?voice|"
    r"add\s+(?:a\s+)?voice|配音|旁白|朗读|解说|念出来|读出来|"
    # es, pt, it, fr, de, ja, ko: narrated, a voice-over, read aloud
    r"narrad[oa]s?|narraci[oó]n|voz\s+en\s+off|locuci[oó]n|con\s+voz|narrad[oa]|narra[cç][aã]o|locu[cç][aã]o|"
    r"com\s+voz|narrat[oa]|narrazione|voce\s+(?:fuori\s+campo|narrante)|con\s+(?:la\s+)?voce|narr[ée]e?s?|"
    r"narration|voix\s+off|avec\s+(?:une\s+)?voix|comment[ée]e?|erz[äa]hl(?:t|ung|er|stimme)|sprecher(?:in)?|"
    r"vertont|off-?stimme|mit\s+stimme|vorgelesen|ナレーション|読み上げ|音声付き|내레이션|나레이션|음성\s*해설|더빙")
_NO_NARRATION = re.compile(
    r"(?:no|without|remove|drop|delete|turn\s+off|stop|mute|cut)\s+(?:the\s+|any\s+|a\s+)?(?:narration|voice[- ]?overs?|"
    r"voices?|narrator|speech)|(?:不要|去掉|删除|删掉|取消|关闭|关掉|别要)(?:配音|旁白|解说|朗读|声音)|"
    r"sin\s+(?:narraci[oó]n|voz)|sans\s+(?:narration|voix)|ohne\s+(?:erz[äa]hlung|sprecher|stimme)|"
    r"sem\s+(?:narra[cç][aã]o|voz)|senza\s+(?:narrazione|voce)|ナレーションなし|내레이션\s*없이")
_SLOWER = re.compile(
    r"slower\s+(?:voice|narration|narrator|speech|pace|reading)|(?:voice|narration|narrator|speak|talk|read)\w*"
    r"(?:\s+\w+){0,2}\s+(?:more\s+)?slow(?:er|ly)|slow\s+(?:down\s+)?the\s+(?:voice|narration|narrator|speech)|"
    r"(?:语速|说|读|念|讲)(?:得)?慢|慢(?:一点|一些|点)(?:说|读|念)")
_FASTER = re.compile(
    r"faster\s+(?:voice|narration|narrator|speech|pace|reading)|(?:voice|narration|narrator|speak|talk|read)\w*"
    r"(?:\s+\w+){0,2}\s+(?:more\s+)?(?:fast(?:er)?|quick(?:er|ly))|speed\s+up\s+the\s+(?:voice|narration|narrator)|"
    r"(?:语速|说|读|念|讲)(?:得)?快|快(?:一点|一些|点)(?:说|读|念)")
_DIFFERENT = re.compile(
    r"(?:different|another|other|new|second)\s+(?:voice|narrator|speaker)|change\s+the\s+(?:voice|narrator|speaker)"
    r"|switch\s+(?:the\s+)?(?:voice|narrator)|(?:female|woman'?s?|male|man'?s?|deeper)\s+voice|"
    r"换(?:一个|个|一种)?(?:声音|配音|旁白|音色)|(?:女|男)声")
_ORDINALS = {"first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "sixth": 6, "seventh": 7,
             "eighth": 8, "ninth": 9, "tenth": 10, "1st": 1, "2nd": 2, "3rd": 3, "last": -1}
_CN_ORD = {"一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9, "十": 10, "最后一": -1}
_CHANGE = re.compile(
    r"(?:change|replace|make|rewrite|set)\s+(?:the\s+)?(?P<ord>first|second|third|fourth|fifth|sixth|seventh|eighth|"
    r"ninth|tenth|last|\d+(?:st|nd|rd|th)?)\s+(?:sentence|line)(?:\s+of\s+the\s+(?:narration|script|voice-?over))?"
    r"\s+(?:to|into|so\s+(?:it|that\s+it)\s+says|with)\s*:?\s*(?P<text>.+)$", re.I | re.S)
_CHANGE_ZH = re.compile(r"(?:把)?第(?P<ord>[一二三四五六七八九十]|\d+|最后一)句(?:话)?(?:改成|改为|换成)[:：]?\s*(?P<text>.+)$", re.S)
_QUOTED = re.compile(r"^[\"“”'「『《«](?P<t>.+?)[\"“”'」』》»]?$", re.S)


@dataclass
class NarrationAsk:
    """What one prompt asks of the narration."""

    add: bool = False
    remove: bool = False
    slower: bool = False
    faster: bool = False
    different: str | None = None          # "next" | "female" | "male"
    change: tuple[int, str] | None = None  # (1-based sentence index, -1 = last; new words)

    @property
    def any(self) -> bool:
        return bool(self.add or self.remove or self.slower or self.faster or self.different or self.change)

    @property
    def voice_edit(self) -> bool:
        return bool(self.slower or self.faster or self.different or self.change)


def asks(raw: str, norm: str) -> NarrationAsk:
    """Read the narration asks in a prompt (``norm``: the planner's lower-cased text; ``raw`` keeps case)."""
    a = NarrationAsk()
    a.remove = bool(_NO_NARRATION.search(norm))
    a.slower = bool(_SLOWER.search(norm))
    a.faster = bool(_FASTER.search(norm)) and not a.slower
    d = _DIFFERENT.search(norm)
    if d:
        word = d.group(0)
        a.different = "female" if re.search(r"female|woman|女", word) else (
            "male" if re.search(r"(?<!fe)male|man|deeper|男", word) else "next")
    m = _CHANGE.search(raw.strip())
    if m:
        o = m.group("ord").lower()
        idx = _ORDINALS.get(o) or int(re.sub(r"\D", "", o) or 0)
        a.change = (idx, _unquote(m.group("text")))
    else:
        z = _CHANGE_ZH.search(raw.strip())
        if z:
            o = z.group("ord")
            a.change = (_CN_ORD.get(o) or int(o) if o.isdigit() or o in _CN_ORD else 0, _unquote(z.group("text")))
    a.add = bool(_NARRATE.search(norm)) and not a.remove and not a.voice_edit
    return a


def _unquote(text: str) -> str:
    t = text.strip().rstrip("。.!！?？").strip() if text.strip().endswith(("\"", "”", "」", "』")) else text.strip()
    q = _QUOTED.match(t)
    t = q.group("t") if q else t
    t = t.strip().strip("\"“”「」『』").strip()
    return t


# -- reading narration back from a draft -----------------------------------------------------------

def voice_track(draft: dict[str, Any]) -> dict[str, Any] | None:
    for track in _tracks(draft):
        if track.get("tt") == TRACK_AUDIO and any(s.get("k") == "voice" for s in _segments(track)):
            return track
    return None


def voice_segments(draft: dict[str, Any]) -> list[dict[str, Any]]:
    track = voice_track(draft)
    segs = [s for s in _segments(track) if s.get("k") == "voice"] if track else []
    return sorted(segs, key=lambda s: _int(s.get("st")))


def remove(draft: dict[str, Any]) -> int:
    """Take the narration out (captions stay: they are text); how many sentences were removed."""
    n = 0
    for track in _tracks(draft):
        if track.get("tt") != TRACK_AUDIO:
            continue
        keep = [s for s in _segments(track) if s.get("k") != "voice"]
        n += len(_segments(track)) - len(keep)
        track["sg"] = keep
    draft["t"] = [t for t in _tracks(draft) if t.get("tt") != TRACK_AUDIO or _segments(t)
                  or str(t.get("n")) != "Narration"]
    return n


# -- laying it out ---------------------------------------------------------------------------------

@dataclass
class Layout:
    starts: list[int]
    durs: list[int]
    total: int
    rate: float
    needed: int = 0      # ms the script needs at the fastest natural pace, when it does not fit
    asked: int = 0       # the length that was asked for (ms), 0 = none

    @property
    def speech(self) -> int:
        return sum(self.durs)

    @property
    def over(self) -> int:
        return max(0, self.total - self.asked) if self.asked else 0


def _measure(sentences: list[str], voice: str, rate: float, lang: str) -> list[int]:
    utts = [V.utterance(s, voice, rate, lang) for s in sentences]
    return [round(s * 1000) for s in V.spoken_seconds(utts)]


def layout(durs: list[int], fit: int | None) -> tuple[list[int], int]:
    """Sentence starts and the total for spoken lengths ``durs`` (ms), filling ``fit`` ms if given."""
    n = len(durs)
    speech = sum(durs)
    natural = LEAD + GAP * (n - 1) + TAIL
    if fit is None:
        lead, gap, tail = LEAD, GAP, TAIL
    elif speech + natural <= fit:
        # time to spare: a little more before the first sentence, the rest shared by the pauses
        # and the end, so each picture stays about as long as its sentence's share
        extra = fit - speech - natural
        lead = LEAD + min(MAX_EXTRA_LEAD, extra // (n + 1))
        gap = GAP + (extra - (lead - LEAD)) // n
        tail = fit - speech - lead - gap * (n - 1)
    else:
        tight = TIGHT_LEAD + TIGHT_GAP * (n - 1) + TIGHT_TAIL
        room = max(0, fit - speech - tight)
        k = room / (natural - tight) if natural > tight else 0.0
        lead = round(TIGHT_LEAD + k * (LEAD - TIGHT_LEAD))
        gap = round(TIGHT_GAP + k * (GAP - TIGHT_GAP))
        tail = max(TIGHT_TAIL, (fit - speech - lead - gap * (n - 1)) if room else TIGHT_TAIL)
    starts, t = [], lead
    for i, d in enumerate(durs):
        starts.append(t)
        pause = max(gap, MIN_SLOT_MS - d) if fit is None and i + 1 < n else gap
        t += d + pause
    total = t - gap + tail
    if fit is None and durs:  # the last sentence's slot too, its pause given to the end
        total = max(total, starts[-1] + MIN_SLOT_MS + tail - gap)
    return starts, total


def fit_rate(sentences: list[str], voice: str, rate: float, lang: str, fit: int | None) -> Layout:
    """Measure the sentences and choose the rate: ``rate``, or faster (up to RATE_MAX) to fit ``fit`` ms."""
    durs = _measure(sentences, voice, rate, lang)
    n = len(durs)
    tight = TIGHT_LEAD + TIGHT_GAP * (n - 1) + TIGHT_TAIL
    if fit is not None and sum(durs) + tight > fit:
        room = max(1, fit - (tight + LEAD + GAP * (n - 1) + TAIL) // 2)
        want = min(V.RATE_MAX, max(rate, round(rate * sum(durs) / room, 2)))
        if want != rate:
            rate, durs = want, _measure(sentences, voice, want, lang)
    starts, total = layout(durs, fit)
    for _ in range(2):  # the spoken length is not exactly proportional to the rate: correct, twice at most
        if fit is None or total <= fit or rate >= V.RATE_MAX:
            break
        speech = sum(durs)
        want = round(rate * speech / max(1, speech - (total - fit)) + 0.01, 2)
        rate = min(V.RATE_MAX, want)
        durs = _measure(sentences, voice, rate, lang)
        starts, total = layout(durs, fit)
    lay = Layout(starts, durs, total, rate, asked=fit or 0)
    if fit is not None and total > fit:
        lay.needed = total
    return lay


# -- writing it into the draft ---------------------------------------------------------------------

@dataclass
class Narrated:
    """What :func:`narrate` did, for the reply."""

    sentences: list[str]
    voice: V.Voice
    lay: Layout
    old_total: int
    scenes: int = 0
    images: int = 0
    notes: list[str] = field(default_factory=list)


def current_voice(draft: dict[str, Any], lang: str) -> tuple[str, float]:
    segs = voice_segments(draft)
    if not segs:
        return V.default_voice(lang).name, 1.0
    try:
        rate = float(segs[0].get("rate", 1.0))
    except (TypeError, ValueError):
        rate = 1.0
    return V.voice(str(segs[0].get("voice") or ""), lang).name, rate


def caption_durations(sentences: list[str], lay: Layout) -> list[int]:
    """How long each sentence's caption shows: from the sentence's start, as long as it is spoken,
    or long enough to read (:data:`READ_MIN_MS`, :data:`READ_MS_PER_CHAR`) when the pause after it
    has room; never into the next sentence or past the end."""
    out = []
    n = len(lay.starts)
    for i, (s, st, d) in enumerate(zip(sentences, lay.starts, lay.durs, strict=True)):
        limit = (lay.starts[i + 1] - CAPTION_CLEAR_MS) if i + 1 < n else lay.total
        read = max(READ_MIN_MS, READ_MS_PER_CHAR * len(s))
        out.append(max(d, min(read, limit - st)))
    return out


def spans(lay: Layout) -> list[tuple[int, int]]:
    """The picture span of each sentence: from the middle of the pause before it to the middle of the one after."""
    out = []
    n = len(lay.starts)
    for i in range(n):
        a = 0 if i == 0 else (lay.starts[i - 1] + lay.durs[i - 1] + lay.starts[i]) // 2
        b = lay.total if i == n - 1 else (lay.starts[i] + lay.durs[i] + lay.starts[i + 1]) // 2
        out.append((a, b))
    return out


def narrate(draft: dict[str, Any], sentences: list[str], *, lang: str, ids: _Ids, voice: str | None = None,
            rate: float | None = None, fit: int | None = None, retime_video: bool = True,
            captions: bool = True) -> Narrated:
    """Narrate ``sentences`` in ``draft`` (changed in place): voice segments, captions in time, new length.

    The video track and every other track are stretched to the new length (when
    ``retime_video``); a storyboard (one picture per sentence) is then set with :func:`storyboard`.
    The captions become the sentences (``captions``; False: a voice-over, captions left as they
    are); a caption the user asked for (``role: caption``) stays, moved to the top of the frame.
    """
    # the words are spoken in their own language: a German line in an English prompt gets a German voice
    said, sure = _detect(" ".join(sentences)[:2000])
    speak = said if sure and said.split("-")[0] != lang.split("-")[0] and voice is None \
        and not voice_segments(draft) else lang
    old_voice, old_rate = current_voice(draft, speak)
    vname = V.voice(voice or old_voice, speak).name
    r = float(rate if rate is not None else old_rate)
    lay = fit_rate(sentences, vname, r, speak, fit)
    old_total = _int(draft.get("d"), 0)
    old = voice_segments(draft)
    old_points = _anchor_points(old, old_total) if len(old) == len(sentences) else None
    remove(draft)
    if retime_video and old_total > 0:
        if old_points is not None:
            # the pictures follow their sentences: each old sentence span maps onto its new one
            remap(draft, old_points, [0, *[b for _, b in spans(lay)[:-1]], lay.total])
        elif lay.total != old_total:
            from .ops.duration import _rescale

            _rescale(draft, old_total, lay.total, keep_texts=False)
    draft["d"] = lay.total
    track = _find_track(draft, TRACK_AUDIO, "Narration", create=True)
    assert track is not None
    track["n"] = "Narration"
    segs = []
    old_ids = [str(s["id"]) for s in old if s.get("id")]
    for i, (s, st, d) in enumerate(zip(sentences, lay.starts, lay.durs, strict=True)):
        segs.append({"id": old_ids[i] if i < len(old_ids) else ids.new("voice"), "n": _short(s, 30), "st": st, "d": d, "k": "voice", "txt": s,
                     "voice": vname, "rate": lay.rate, "v": 1.0})
    _sg(track)[:] = segs
    caps = named_track(draft, TRACK_TEXT, "Captions", kinds=("caption",), create=captions)
    if captions and caps is not None:
        _subtitle(draft, caps, sentences, lay, ids)
    # titles and other texts must not run past the end
    for t in _tracks(draft):
        for seg in _segments(t):
            st, d = _int(seg.get("st")), _int(seg.get("d"))
            if st + d > lay.total:
                seg["d"] = max(1, lay.total - st)
    m = draft.setdefault("m", {})
    if isinstance(m, dict):
        m.setdefault("lang", lang)
    return Narrated(sentences, V.voice(vname, speak), lay, old_total)


def _subtitle(draft: dict[str, Any], caps: dict[str, Any], sentences: list[str], lay: Layout, ids: _Ids) -> None:
    """The sentences as the captions, in time with the voice; captions the user asked for move to the top."""
    asked = [s for s in _segments(caps) if s.get("role") == "caption"]
    if asked:
        top = named_track(draft, TRACK_TEXT, "Text", create=True)
        assert top is not None
        for seg in asked:
            seg["pos"] = "top"
        _sg(top).extend(asked)
    old_caps = [str(s["id"]) for s in sorted(_segments(caps), key=lambda s: _int(s.get("st")))
                if s.get("id") and s.get("role") != "caption"]
    caps["sg"] = [{"id": old_caps[i] if i < len(old_caps) else ids.new("caption"), "n": _short(s, 30), "st": st, "d": d, "k": "caption", "txt": s,
                   "pos": "bottom", "sz": 54, "col": "#ffffff"}
                  for i, (s, st, d) in enumerate(zip(sentences, lay.starts, caption_durations(sentences, lay), strict=True))]


renarrate = narrate


def _anchor_points(segs: list[dict[str, Any]], total: int) -> list[int]:
    starts = [_int(s.get("st")) for s in segs]
    durs = [_int(s.get("d")) for s in segs]
    lay = Layout(starts, durs, total, 1.0)
    return [0, *[b for _, b in spans(lay)[:-1]], total]


def remap(draft: dict[str, Any], old: list[int], new: list[int]) -> None:
    """Move every segment's start and end by the piecewise-linear map ``old`` points -> ``new`` points."""
    def f(t: int) -> int:
        for k in range(len(old) - 1):
            a, b = old[k], old[k + 1]
            if t <= b or k == len(old) - 2:
                if b <= a:
                    return new[k]
                return round(new[k] + (t - a) * (new[k + 1] - new[k]) / (b - a))
        return t

    for track in _tracks(draft):
        for seg in _segments(track):
            st, d = _int(seg.get("st")), _int(seg.get("d"))
            a, b = f(st), f(st + d)
            seg["st"], seg["d"] = a, max(1, b - a)
            if "trd" in seg and isinstance(seg["trd"], int):
                seg["trd"] = max(0, min(seg["trd"], seg["d"] // 2))


def does_not_fit(lay: Layout, zh: bool) -> str:
    """The reply's sentence when the script is longer than the asked length even at the fastest natural pace."""
    need, asked = lay.total, lay.asked
    over = need - asked
    if zh:
        return (f"脚本放不进{asked / 1000:g}秒：即使用最快的自然语速（{lay.rate:.2f}×）也需要{need / 1000:.1f}秒，"
                f"多出{over / 1000:.1f}秒；视频做成了{need / 1000:.1f}秒。删减几句就能放进去。")
    return (f"The script does not fit in {asked / 1000:g} s: even at the fastest natural pace ({lay.rate:.2f}×) "
            f"it needs {need / 1000:.1f} s, {over / 1000:.1f} s more, so the video is {need / 1000:.1f} s. "
            f"Shorten the script to fit.")


def storyboard(draft: dict[str, Any], result: Narrated, pictures: list[dict[str, Any]], ids: _Ids) -> None:
    """Put the pictures on the video track, one per sentence span (``pictures``: ready segments in order).

    With fewer pictures than sentences, each picture covers consecutive sentences; with more, a
    sentence's span is shared by its pictures. Order is kept either way.
    """
    video = _find_track(draft, TRACK_VIDEO, "Video", kinds=("scene", "image", "video"), create=True)
    assert video is not None
    for seg in _segments(video):
        ids.used.discard(str(seg.get("id")))
    sp = spans(result.lay)
    n, k = len(sp), len(pictures)
    if not k or not n:
        return
    bounds: list[tuple[int, int]] = []
    if k <= n:
        for j in range(k):
            a, b = j * n // k, (j + 1) * n // k
            bounds.append((sp[a][0], sp[b - 1][1]))
    else:
        for i, (a, b) in enumerate(sp):
            own = (i + 1) * k // n - i * k // n
            for q in range(own):
                bounds.append((a + (b - a) * q // own, a + (b - a) * (q + 1) // own))
    segs = []
    for j, (pic, (a, b)) in enumerate(zip(pictures, bounds, strict=True)):
        seg = dict(pic)
        seg["id"] = ids.new(str(seg.get("k") or "scene"))
        seg["st"], seg["d"] = a, b - a
        seg.pop("tr", None)
        seg.pop("trd", None)
        if j > 0:
            seg["tr"], seg["trd"] = "fade", _fade(b - a)
        segs.append(seg)
    video["sg"] = segs
