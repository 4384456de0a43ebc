"""Prompt analysis: what a prompt asks for, as an :class:`~.brief.Brief`."""

from __future__ import annotations

import re
from dataclasses import replace
from typing import Any

from nemo_jupyter.draft_format import SIZES_1080

from .brief import Brief, TextAsk, Timing
from .capabilities import SCENES_ASK
from .common import MAX_MS, MIN_MS
from .cues import (
    _ASPECT_RATIO,
    _ASPECT_WORDS,
    _CAPTION_CUE,
    _LOUD_WORD,
    _LOUDER,
    _PERCENT,
    _QUIET_WORD,
    _QUIETER,
    _RES_RE,
    _TITLE_CUE,
    _TOO_LOUD,
    _TOO_QUIET,
    _WORD_LONGER,
    _WORD_SHORTER,
)
from .lexicon import lexicon
from .messages import _EXPORT_ASK, _HELP_ASK
from .narration import asks as _narration_asks
from .read.attributes import describe, describe_topic_subjects, release_attributes
from .read.clauses import content_language, negated
from .read.edits import read_edit, read_edit_asks
from .read.grammar import Tag, grammar
from .read.grammar import tags as grammar_tags
from .read.kind import about_video, is_export, is_outside, is_question, template_of
from .read.other_verbs import other_relations
from .read.phrase_roles import kin_of, same_word
from .read.relations import find_relations
from .read.setting import read_setting
from .read.style import blank_style_names
from .read.texts import assign_roles, nearest_text
from .read.timing_words import find_duration, find_timings
from .read.unknown import find_unknown, people_for_unknown_doers, scene_for_unknown, settle_unplaced
from .read.uploads import read_uploads, unasked_uploads
from .storyboard import unnamed_subject
from .structure import find_caption_list
from .subjects import _find_subjects
from .text import _normalise
from .timing import _blank, _find_duration, _find_timings
from .topics import stand_in
from .vocabulary import (
    _EDIT_LEAD,
    _GEN_EN,
    _GEN_ZH,
    _MOOD_LOOKUP,
    _MOOD_RE,
    _MUSIC_WORD,
    _NO_MUSIC,
    _SILENT,
    _UNSUPPORTED,
    _UPLOAD_REF,
    _VIDEO_OF,
    _lookup,
    scene_pattern,
)

_VIDEO_BEFORE = re.compile(r"(?<![^\W_])(?:video|vídeo|vidéo|clip|reel|short|film|spot|视频|動画|영상)\s*(?:of|de|di|von|"
                           r"lang|long|的)?\s*(?:an?|un|una|uno|um|uma|une|ein|eine|einem)?\s*$|"
                           r"(?<![^\W_])(?:video|vídeo|vidéo|clip)\s+(?:de|di|of)\s+")


def _timing_owners(norm: str, quotes: list[TextAsk], timings: list[Timing]) -> dict[int, int]:
    """id(timing) -> the index of the quote it times (:func:`.read.texts.nearest_text`). A length
    said before a text is the video's ("a 15-second video for my shop 'X'"), not the text's."""
    owners: dict[int, int] = {}
    for t in timings:
        length_only = t.length is not None and t.st is None and not t.at_end
        if length_only and _VIDEO_BEFORE.search(norm, max(0, t.start - 16), t.start):
            continue  # "un vídeo de 30 segundos", "a 30-second video": the video's length
        i = nearest_text(norm, quotes, t.start, t.end, before=0 if length_only else 40)
        if i is not None:
            owners[id(t)] = i
    return owners


def _analyse(prompt: str, assets: list[dict[str, Any]], lang_hint: str | None = None) -> Brief:
    """What ``prompt`` asks for; ``lang_hint``: its language when detection was sure (else guessed
    from the subject words it uses)."""
    norm, quotes = _normalise(prompt)
    norm = blank_style_names(norm)  # "in the style of Van Gogh": said not done, no van drawn
    brief = Brief(raw=prompt, norm=norm, texts=quotes)
    brief.req.has_uploads = any(a.get("file_type") in ("image", "video", "audio", "text") for a in assets)

    # Timing phrases belong to quotes; take them out before looking for the duration.
    # (the language's own phrase wins over a shorter one inside it: "在第5秒到第10秒" is from 5 to 10 s)
    own = find_timings(norm, content_language(norm, lang_hint))
    timings = [t for t in _find_timings(norm) if not any(
        o.start <= t.start and t.end <= o.end and o.end - o.start > t.end - t.start for o in own)]
    known = [(t.start, t.end) for t in timings]
    timings += [t for t in own if not any(a < t.end and t.start < b for a, b in known)]
    timings.sort(key=lambda t: t.start)
    for q in quotes:
        before = norm[max(0, q.start - 40):q.start]
        if not q.bare and _CAPTION_CUE.search(before) and not _TITLE_CUE.search(before[-12:]):
            q.kind = "caption"
    owner = _timing_owners(norm, quotes, timings)
    used: set[int] = set()
    for i, q in enumerate(quotes):
        near = [t for t in timings if owner.get(id(t)) == i]
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
            q.at_start = q.at_start or t.at_start

    # Offsets ("at 5s", "from 2 to 4 s") never give the video's length; "for 5 seconds" does,
    # unless it belongs to a quote.
    dur_text = norm
    for t in timings:
        if id(t) in used or not (t.length is not None and t.st is None and t.end_s is None and not t.at_end):
            dur_text = _blank(dur_text, t.start, t.end)
    listed = find_caption_list(norm, quotes, content_language(norm, lang_hint))
    if listed is not None:  # "3 tips: ..., shower in 5 minutes, ...": an item's words are the item's
        dur_text = _blank(dur_text, listed.start, listed.end)
        brief.what.list_span = (listed.start, listed.end)

    # "50% longer"
    pc = re.search(r"(?P<n>\d{1,3})\s*%\s*(?P<w>longer|shorter)", dur_text)
    if pc:
        value = float(pc.group("n")) / 100
        brief.length.percent_change = 1 + value if pc.group("w") == "longer" else max(0.05, 1 - value)
        dur_text = _blank(dur_text, pc.start(), pc.end())
    ms, d_start, d_end = _find_duration(dur_text)
    if ms is None:  # "un video di un minuto", "eine Minute lang", "두 시간"
        ms, d_start, d_end = find_duration(dur_text, content_language(norm, lang_hint))
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
        brief.length.duration_delta = sign * ms
    elif ms is not None:
        if ms < MIN_MS:
            brief.length.duration_note = "short"
            ms = MIN_MS
        elif ms > MAX_MS:
            brief.length.duration_note = "long"
            ms = MAX_MS
        brief.length.duration_ms = ms
    elif re.search(r"twice as long|double (?:the )?(?:length|duration)|翻倍", norm):
        brief.length.percent_change = 2.0
    elif re.search(r"half as long|half the (?:length|duration)|减半", norm):
        brief.length.percent_change = 0.5
    brief.length.longer = bool(_WORD_LONGER.search(norm))
    brief.length.shorter = bool(_WORD_SHORTER.search(norm))

    # Aspect and resolution.
    for m in _ASPECT_RATIO.finditer(dur_text):
        ratio = f"{int(m.group('a'))}:{int(m.group('b'))}"
        if ratio in SIZES_1080:
            brief.fmt.aspect = ratio
        else:
            brief.fmt.aspect_note = ratio
    if brief.fmt.aspect is None:
        for aspect in ("9:16", "1:1", "16:9"):
            if _ASPECT_WORDS[aspect].search(norm):
                brief.fmt.aspect = aspect
                break
    if brief.fmt.aspect is None:  # "pub verticale", "formato cuadrado", "縦型": the language's own words
        for tag in grammar_tags(dur_text, content_language(norm, lang_hint)):
            if tag.cat == "aspect":
                brief.fmt.aspect = str(tag.value)
                break
    rm = _RES_RE.search(norm)
    if rm:
        if rm.group("p"):
            p = int(rm.group("p"))
        else:
            word = (rm.group("k") or rm.group("zh") or "").replace(" ", "")
            p = {"hd": 720, "标清": 720, "fullhd": 1080, "fhd": 1080, "高清": 1080, "超清": 1080}.get(word, 2160)
        if p in (720, 1080):
            brief.fmt.res = p
        elif p < 720:
            brief.fmt.res, brief.fmt.res_note = 720, f"{p}p"
        else:
            brief.fmt.res, brief.fmt.res_note = 1080, rm.group(0).strip()

    # Music and sound (a list's items are the items': "5 tips: ..., listen to calm music").
    music_text = _blank(norm, *brief.what.list_span) if brief.what.list_span else norm
    brief.audio.silent = bool(_SILENT.search(music_text))
    brief.audio.no_music = brief.audio.silent or bool(_NO_MUSIC.search(music_text))
    music_word = _MUSIC_WORD.search(music_text)
    brief.audio.music_asked = bool(music_word) and not brief.audio.no_music
    # The mood word nearest to a music word ("a calm ocean with upbeat music" -> upbeat).
    moods: list[tuple[int, str]] = []
    instrument: set[int] = set()
    for m in _MOOD_RE.finditer(music_text):
        mood = _lookup(m.group(0), _MOOD_LOOKUP)
        if mood and not negated(norm, m.start()):
            moods.append((m.start(), mood))
            if " " in m.group(0).strip():  # "piano music": a mood only when no word says one
                instrument.add(m.start())
    if moods:
        music_at = [m.start() for m in _MUSIC_WORD.finditer(music_text)]
        if music_at:
            moods.sort(key=lambda pm_: (pm_[0] in instrument, min(abs(pm_[0] - p) for p in music_at)))
        brief.audio.mood = moods[0][1]
    pm = _PERCENT.search(dur_text)
    too_loud, too_quiet = _TOO_LOUD.search(norm), _TOO_QUIET.search(norm)
    if pm:
        brief.audio.volume = max(0.0, min(1.0, float(pm.group("n")) / 100))
    elif too_loud or too_quiet:
        pass  # a complaint about the current level: quieter or louder, below
    elif _QUIET_WORD.search(norm):
        brief.audio.volume = 0.2
    elif _LOUD_WORD.search(norm):
        brief.audio.volume = 0.7
    brief.audio.louder = bool(too_quiet) or (bool(_LOUDER.search(norm)) and not too_loud)
    brief.audio.quieter = bool(too_loud) or (bool(_QUIETER.search(norm)) and not too_quiet)

    _find_subjects(norm, brief, lang_hint)
    if brief.audio.silent:
        brief.audio.global_sounds = []
        for subj in brief.what.scenes:
            subj.sounds = []

    brief.req.generation = bool(_GEN_EN.search(norm) or _VIDEO_OF.search(norm) or _GEN_ZH.search(norm))
    brief.req.edit_lead = bool(_EDIT_LEAD.search(norm)) or bool(re.search(r"改成|换成|改为|变成", norm))
    for m in _UPLOAD_REF.finditer(norm):
        what = (m.group("what") or m.group("zwhat") or "uploads").rstrip("s")
        kind = {"image": "image", "photo": "image", "picture": "image", "pic": "image", "slide": "image",
                "图片": "image", "照片": "image", "图": "image", "clip": "video", "video": "video",
                "footage": "video", "视频": "video", "text": "text", "texts": "text", "script": "text",
                "文字": "text", "文本": "text", "脚本": "text", "文案": "text", "audio": "audio",
                "song": "audio", "music": "audio", "track": "audio", "音乐": "audio", "歌": "audio"}.get(what, "all")
        brief.req.uploads_ref.add(kind)
    if re.search(r"(?<![a-z])(?:turn|make)\s+(?:them|these|those)\s+into|把(?:它们|这些)", norm):
        brief.req.uploads_ref.add("all")
    for pattern, what in _UNSUPPORTED:
        if pattern.search(norm) and what not in brief.req.unsupported:
            brief.req.unsupported.append(what)
    brief.edit = read_edit(norm, content_language(norm, lang_hint), grammar_tags(norm, content_language(norm, lang_hint)))
    brief.voice = _narration_asks(prompt, norm)
    brief.about = unnamed_subject(norm)
    _read_brief(brief, norm, assets, lang_hint)
    return brief


def _add_unknown(brief: Brief, norm: str, lang: str, tags: list[Tag]) -> None:
    """Things asked for that no subject names join the scene whose clause names them (not drawn; the
    checklist says so)."""
    actors = [a for s in brief.what.scenes for a in s.actors] + [m for m, _named in brief.what.mentions]
    known = [(m.start, m.end) for m in scene_pattern(lang).finditer(norm)]
    known += [(q.start, q.end) for q in brief.texts if q.start >= 0]
    raw = brief.raw

    dets = {w.lower() for w in grammar(lang).data.get("determiners", [])}

    counts = {w.lower() for t in tags if t.cat in ("num", "colour", "size") for w in norm[t.start:t.end].split()}

    def proper(words: str) -> bool:
        """Written with a capital inside a sentence: a name ("Taipei", "Leo"); not a German noun after
        its article, a count or an adjective ("vor einer Garage", "drei Gänse", "rote Äpfel")."""
        for m in re.finditer(r"(?<=[a-zäöüß,] )" + re.escape(words[:1].upper() + words[1:]) + r"\b", raw):
            before = raw[:m.start()].split()
            return not (lang == "de" and before and (before[-1].lower() in dets or before[-1].lower() in counts))
        return False

    for thing in find_unknown(norm, lang, actors, tags, known, proper):
        owner = scene_for_unknown(brief.what.scenes, thing)
        describe(thing, norm, tags, [(a.start, a.end) for a in actors], lang)
        if owner is None:  # a prompt with no scene (an edit's words, or nothing it names is drawable)
            brief.what.unplaced.append(thing)
            continue
        owner.actors.append(thing)
        release_attributes(thing, actors, norm, tags, lang)


_READ_ALOUD = re.compile(r"read (?:it |them )?(?:aloud|out)|narrat|voice|旁白|朗读|ナレーション|読み上げ|내레이션|낭독|"
                         r"en voz alta|à voix haute|vorlesen|voz alta|ad alta voce")


def _sound_words(brief: Brief, tags: list[Tag], norm: str, lang: str) -> None:
    """Music asked in the prompt's own words ("música suave", "ohne Musik", "穏やかな音楽"): the English
    and Chinese words are read with the length and the format; the others' here."""
    if lang in ("en", "zh"):
        return
    span = brief.what.list_span or (-1, -1)
    tags = [t for t in tags if not span[0] <= t.start < span[1]]  # (a list's items are the items')
    music = [t for t in tags if t.cat == "musicword"]
    if not music:
        return
    after = grammar(lang).order == "sov"  # ("BGMはなしで", "음악은 없이": the negation follows in verb-final languages)
    if any(t.cat == "neg" and (0 <= m.start - t.end <= 12 or (after and 0 <= t.start - m.end <= 6))
           for m in music for t in tags):
        brief.audio.no_music = True  # "sin música", "ohne Musik", "pas de musique"
        brief.audio.music_asked = False
        return
    brief.audio.music_asked = True
    moods = [t for t in tags if t.cat == "mood"]
    if moods and brief.audio.mood is None:
        # (a mood said in words wins over an instrument's: "落ち着いたピアノの曲" is calm)
        near = min(moods, key=lambda t: (lexicon()._get(t.text.strip(), lang) is not None,
                                         min(abs(t.start - m.start) for m in music)))
        brief.audio.mood = str(near.value)


def _products(brief: Brief, norm: str, tags: list[Tag]) -> None:
    """An ad's products: the first thing it names that is not a person or an animal, and the things
    named with it ("fresh bread and croissants")."""
    def living(sid: str) -> bool:
        info = lexicon().info(sid)
        return info is not None and info.kind.startswith(("animal", "person"))

    things = [a for s in brief.what.scenes for a in s.actors if not a.extra and not a.audience and not living(a.s)]
    things.sort(key=lambda a: a.start if a.start >= 0 else 10**9)
    if not things:
        return
    first = things[0]
    chosen = [first]
    for a in things[1:]:
        prev = chosen[-1]
        gap = norm[prev.end:a.start] if prev.end >= 0 and a.start >= 0 else "?"
        if re.fullmatch(r"\s*(?:,|and|&|plus|y|et|und|e|和|と|과|와)?\s*(?:(?:some|our|my|the)\s+)?", gap):
            chosen.append(a)
        else:
            break
    for a in chosen:
        a.role = "product"
    for s in brief.what.scenes:  # the same subject in every scene
        for a in s.actors:
            if any(a.s == c.s and a.count == c.count and a.colour == c.colour for c in chosen):
                a.role = "product"
    # an ad's own shots stand a gift in for a product the prompt names in another sentence ("an ad
    # for my brand: the shoe on a track"): the named product takes its place
    for s in brief.what.scenes:
        gift = stand_in(s.topic, "product") if s.topic else None
        for k, a in enumerate(s.actors):
            if gift and a.s == gift and a.extra and not any(x.s == first.s for x in s.actors):
                s.actors[k] = replace(first, x=a.x, y=a.y, h=a.h, mo=a.mo or first.mo)


def _not_asked_by_name(brief: Brief) -> None:
    """Subjects drawn to illustrate a list item ("skip late coffee"), or a group word whose members the
    prompt also names ("farm animals: three cows and two pigs"), were not asked for themselves."""
    named = {a.s for s in brief.what.scenes if not s.caption for a in s.actors if not a.extra}
    named |= brief.what.prompt_subjects
    listed = bool(brief.what.list_role)
    for s in brief.what.scenes:
        for a in s.actors:
            if listed and s.caption and a.s not in named:
                a.extra = True
    groups = lexicon().groups
    every = [a for s in brief.what.scenes for a in s.actors]
    for a in every:
        if a.extra or not any(a.word in table for table in groups.values()):
            continue
        members = {sid for table in groups.values() for sid in table.get(a.word, ())}
        if any(o.s in members and o.word != a.word and not o.extra for o in every):
            a.extra = True  # the members are named one by one


def _read_brief(brief: Brief, norm: str, assets: list[dict[str, Any]], lang_hint: str | None) -> None:
    """The brief's parts beyond the scenes: ids, relations, settings, the kind of video, text and
    upload roles (each from the grammar words of the prompt's language)."""
    lang = content_language(norm, lang_hint)
    tags = grammar_tags(norm, lang)
    _add_unknown(brief, norm, lang, tags)
    describe_topic_subjects(brief.what.scenes, norm, tags, lang)
    actors = [a for s in brief.what.scenes for a in s.actors] + brief.what.unplaced
    _not_asked_by_name(brief)
    ids: dict[tuple[str, int | None, str | None, str | None, bool, str], str] = {}
    kin = frozenset((*grammar(lang).data.get("kin_words", ()), *grammar(lang).data.get("kin_pairs", ())))
    words: dict[str, str] = {}
    bare = [a for a in actors if a.count is None and a.colour is None and a.size is None]
    order = [a for a in actors if a not in bare] + bare  # "three cows ... the cows": the same cows
    for a in [a for a in order if not a.extra] + [a for a in order if a.extra]:
        # (two things not drawn are two; the young of a kind, or a kin word, make another of it: "엄마 오리";
        # a substitute is the thing asked: a tadpole drawn as a frog is not the frog named beside it)
        what = f"{a.s}?{a.asked.lower().rstrip('s')}" if a.asked and a.s else (a.s or f"?{a.word}")
        key = (what, a.count, a.colour, a.size, a.young, kin_of(a.word.lower(), kin))
        if key not in ids and a.count is None and a.colour is None and a.size is None:
            # "three cows ... when the cows appear": the same cows (but "their mother" is another duck)
            same = next((v for k, v in ids.items() if k[0] == what and same_word(a.word, words.get(v, ""), kin)), None)
            if same is not None:
                ids[key] = same
        if key not in ids:
            ids[key] = f"a{len(set(ids.values())) + 1}"
        a.id = ids[key]
        words.setdefault(a.id, a.word)
    for mention, named in brief.what.mentions:  # ("... the latte on the table": that latte)
        mention.id = named.id
    brief.relations = find_relations(norm, actors + [m for m, _named in brief.what.mentions], tags, lang,
                                     [(m.start, m.end) for m in scene_pattern(lang).finditer(norm)])
    brief.relations += other_relations(norm, actors, brief.relations, tags, lang)  # "overtakes": said not drawn
    people_for_unknown_doers(brief, lang)
    read_setting(brief, tags, norm, [(m.start, m.end) for m in scene_pattern(lang).finditer(norm)])
    inside = [(a.start, a.end) for a in actors if a.start >= 0 and norm[a.start:a.end] == a.word] \
        if lang in ("zh", "ja") else []
    brief.template = template_of([t for t in tags if t.cat != "template" or not any(
        x <= t.start and t.end <= y and y - x > t.end - t.start for x, y in inside)],  # ("生日蛋糕": a cake)
        brief.what.list_role in ("item", "step"))
    if brief.what.weak_subject and brief.template is None:
        brief.template = "ad"
    spans = [(t.start, t.end) for t in _find_timings(norm) + find_timings(norm, lang)]
    assign_roles(brief, tags, norm, grammar(lang).data.get("greeting_texts", []), spans,
                 [w.lower() for w in grammar(lang).data.get("business_words", [])], lang)
    if brief.template is None and any(q.role == "brand" for q in brief.texts):
        brief.template = "ad"  # "my hamburger place called 'Brasa Burger' ... a 30-second video"
        for q in brief.texts:
            if q.role == "title" and q.at_end:
                q.role = "end_card"  # its last words: "e no final “Peça no iFood”"
    if brief.template is None and any(q.role == "greeting" for q in brief.texts):
        brief.template = "greeting"
    if brief.template == "greeting" and any(q.role == "brand" for q in brief.texts):
        brief.template = "ad"  # a shop's Mother's Day promo is an ad
        for q in brief.texts:
            if q.role == "greeting":
                q.role = "caption"
    if brief.what.list_role:
        brief.texts.extend(TextAsk(text=t, start=-1, end=-1, role=brief.what.list_role, listed=True)
                           for t in brief.what.captions_for)
    brief.uploads = read_uploads(tags, assets)
    brief.unasked_uploads = unasked_uploads(assets, brief.uploads)
    _sound_words(brief, tags, norm, lang)
    read_edit_asks(brief, norm, lang, tags)  # an edit in the prompt's own words
    brief.narration = bool(any(t.cat == "role" and t.value == "voiceover" for t in tags) or _narration_asks(brief.raw, norm).add or any(q.role == "voiceover" for q in brief.texts)
                           or any(u.role == "script" and _READ_ALOUD.search(norm) for u in brief.uploads))
    if brief.voice is not None and brief.voice.remove:
        brief.narration = False  # "remove the narration": no voice-over asked
    brief.req.empty = not norm.strip() and not brief.texts
    brief.req.help_scenes = bool(SCENES_ASK.match(norm))
    brief.req.export = bool(_EXPORT_ASK.match(norm.strip())) or is_export(norm, tags)
    brief.req.help = bool(_HELP_ASK.match(norm.strip()))
    help_like = brief.req.help or brief.req.help_scenes or brief.req.export
    if not help_like and not brief.req.generation:
        asks = is_question(norm, tags, lang)
        about = about_video(tags) or bool(brief.texts)
        brief.req.question = asks
        # (where question words stay in place, a question's help words are anywhere: "사진은 어떻게 올려요?")
        anywhere = asks and bool(grammar(lang).data.get("wh_in_situ"))
        brief.req.help = brief.req.help or any(t.cat == "help" and (anywhere or t.start <= len(norm) - len(norm.lstrip()) + 2)
                                               for t in tags)
        brief.req.question = asks and not brief.req.help  # ("何ができるの？": how to use the tool, asked)
        brief.req.about_video = about
        brief.req.outside = is_outside(norm, tags, bool(brief.what.scenes), bool(brief.texts))
    settle_unplaced(brief)
    if brief.template == "ad":
        _products(brief, norm, tags)
        _advertiser(brief, norm, lang)


def _advertiser(brief: Brief, norm: str, lang: str) -> None:
    """An ad's shop named as the advertiser ("我的奶茶店「X」", "カフェ「X」の宣伝", "카페를 운영하고") is who the
    ad is for, not where it is (``advertiser_before`` / ``advertiser_after`` in the grammar file; a shop
    followed by its quoted name is one too)."""
    data = grammar(lang).data
    before_cues, after_cues = data.get("advertiser_before", ()), data.get("advertiser_after", ())
    if not before_cues and not after_cues:
        return
    for scene in brief.what.scenes:
        word = scene.setting.said.get("place") or ""
        if not scene.setting.place or not word or scene.pos < 0:
            continue
        at = norm.find(word, max(0, scene.pos - len(word)))
        if at < 0:
            continue
        before, after = norm[max(0, at - 6):at].rstrip(), norm[at + len(word):at + len(word) + 10].lstrip()
        if (any(before.endswith(c) for c in before_cues) or any(after.startswith(c) for c in after_cues)
                or re.match(r"q\d+q", after)):
            if brief.setting.place == scene.setting.place:
                brief.setting.place = None
                brief.setting.said.pop("place", None)
            scene.setting.place = None
            scene.setting.said.pop("place", None)
            scene.setting.outcomes.pop("place", None)
