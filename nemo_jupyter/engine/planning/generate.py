"""A new draft from a prompt: scenes, uploads, music, sounds and text."""

from __future__ import annotations

import math
import re
from typing import Any

from nemo_jupyter.draft_format import (
    AMBIENT,
    FPS,
    SCENES,
    TRACK_AUDIO,
    TRACK_TEXT,
    TRACK_VIDEO,
)

from .common import (
    AMBIENT_V,
    ASKED_MUSIC_V,
    CAPTION_MS,
    DEFAULT_MS,
    DEFAULT_MUSIC_V,
    TITLE_MS,
    Plan,
    Step,
    _float,
    _int,
    _lang_key,
    _name,
    _secs,
    _short,
    _span,
)
from .draftops import (
    _audio_fades,
    _boundaries,
    _current_aspect,
    _current_res,
    _fade,
    _find_track,
    _Ids,
    _segments,
    _sg,
    _size,
    _tracks,
    _tt,
)
from .messages import _finish_reply
from .parse import _CAPTIONS_FROM_SCRIPT, _Intent, _Quote, _Subject
from .vocabulary import (
    _CAM_CYCLE,
    _DEFAULT_MOOD,
    _ELEMENT_NAMES,
    _IMAGE_CAMS,
    _MOOD_NAMES,
    _PRODUCT_NOUNS,
    _SCENE_NAMES,
    _SOUND_NAMES,
    _VARIETY,
    _canon,
)


def _subject_label(subj: _Subject, lang: str, els: list[str] | None = None) -> str:
    els = subj.els if els is None else els
    name = _name(_SCENE_NAMES, subj.scene, lang)
    if subj.scene == "product" and subj.label_terms:
        noun = _canon(subj.label_terms[0])
        if noun in _PRODUCT_NOUNS and noun.isascii() == (lang != "zh"):
            name = noun
    shown = [e for e in els if e != subj.scene]
    if lang == "zh":
        prefix = "夜晚的" if "stars" in shown and subj.scene not in ("night_sky", "space") else ""
        rest = [e for e in shown if e != "stars" or not prefix]
        label = prefix + name
        if rest:
            label = "有" + "和".join(_name(_ELEMENT_NAMES, e, lang) for e in rest) + "的" + label
        return label
    night = "stars" in shown and subj.scene not in ("night_sky", "space")
    rest = [e for e in shown if not (e == "stars" and night)]
    label = name + (" at night" if night else "")
    if rest:
        label += " with " + " and ".join(_name(_ELEMENT_NAMES, e, lang) for e in rest)
    return label


_Spans = list[tuple[_Subject, int, int]]


def _plan_scene_segments(subjects: list[_Subject], total: int, ids: _Ids,
                         lang: str) -> tuple[list[dict[str, Any]], _Spans, int, list[str]]:
    """Scene segments for ``subjects`` over ``total`` ms.

    Also returns each subject's span, how many subjects did not fit, and each
    segment's label in ``lang`` for the reply.
    """
    n = max(1, int(total / 7_500 + 0.5))
    n = max(n, math.ceil(total / 10_000))
    dropped = 0
    if len(subjects) > n:
        fit = max(1, min(len(subjects), total // 2_000, MAX_SEGMENTS))
        dropped = len(subjects) - fit
        subjects = subjects[:fit]
        n = max(n, fit)
    n = min(n, max(1, total // 1_000), MAX_SEGMENTS)  # odd drafts with huge lengths stay bounded
    k = len(subjects)
    counts = [n // k + (1 if i < n % k else 0) for i in range(k)]
    bounds = _boundaries(total, n)
    segs: list[dict[str, Any]] = []
    labels: list[str] = []
    spans: _Spans = []
    i = 0
    offset = SCENES.index(subjects[0].scene) if subjects[0].scene in SCENES else 0
    for subj, count in zip(subjects, counts, strict=True):
        span_start = bounds[i]
        for j in range(count):
            st, end = bounds[i], bounds[i + 1]
            els = list(subj.els)
            variety = _VARIETY.get(subj.scene)
            if j % 2 == 1 and variety and variety not in els and variety != subj.scene:
                els.append(variety)
            cam = "still" if subj.scene == "product" and j % 2 == 1 else _CAM_CYCLE[(offset + i) % len(_CAM_CYCLE)]
            seg: dict[str, Any] = {"id": ids.new("scene"), "n": _subject_label(subj, "en", els).capitalize(),
                                   "st": st, "d": end - st, "k": "scene", "scene": subj.scene, "cam": cam}
            if els:
                seg["el"] = els
            if i > 0:
                seg["tr"] = "fade"
                seg["trd"] = _fade(end - st)
            segs.append(seg)
            labels.append(_subject_label(subj, lang, els))
            i += 1
        spans.append((subj, span_start, bounds[i]))
    return segs, spans, dropped, labels


MAX_SEGMENTS = 600  # a 10-minute video in 1-second pieces


def _article(number: str) -> str:
    """ "a" or "an" before a number said aloud: an 8-second, an 11-second, a 15-second video."""
    whole = number.split(".")[0]
    return "an" if whole.startswith("8") or whole in ("11", "18") else "a"


def _media_assets(assets: list[dict[str, Any]], kinds: tuple[str, ...]) -> list[dict[str, Any]]:
    return [a for a in assets if a.get("file_type") in kinds and isinstance(a.get("cdn_url"), str)
            and a.get("cdn_url")]


def _plan_upload_segments(media: list[dict[str, Any]], total: int, ids: _Ids) -> tuple[list[dict[str, Any]], int]:
    """Image and video segments in upload order, filling ``total`` ms; also how many uploads were left out."""
    fit = max(1, min(len(media), total // 1_000))
    left_out = len(media) - fit
    media = media[:fit]
    slot = total / len(media)
    wanted: list[float] = []
    for a in media:
        if a.get("file_type") == "video":
            dur = _float(a.get("duration"), 0.0) * 1000
            wanted.append(min(slot, dur) if dur >= 500 else slot)
        else:
            wanted.append(slot)
    surplus = total - sum(wanted)
    images = [i for i, a in enumerate(media) if a.get("file_type") == "image"]
    if surplus > 1 and images:
        for i in images:
            wanted[i] += surplus / len(images)
    sequence = list(range(len(media)))
    if surplus > 1 and not images:
        # Only short videos: play them again in order until the time is filled.
        filled = sum(wanted)
        j = 0
        while filled < total - 1 and j < 500:
            idx = j % len(media)
            sequence.append(idx)
            wanted.append(wanted[idx])
            filled += wanted[idx]
            j += 1
    bounds = [0]
    acc = 0.0
    for w in wanted:
        acc += w
        bounds.append(min(total, round(acc)))
    bounds[-1] = total
    segs: list[dict[str, Any]] = []
    img_n = 0
    for pos, idx in enumerate(sequence):
        st, end = bounds[pos], bounds[pos + 1]
        if end <= st:
            continue
        a = media[idx]
        kind = "video" if a.get("file_type") == "video" else "image"
        seg: dict[str, Any] = {"id": ids.new(kind), "n": str(a.get("filename") or kind)[:60], "st": st,
                               "d": end - st, "k": kind, "src": a["cdn_url"]}
        if kind == "image":
            seg["cam"] = _IMAGE_CAMS[img_n % len(_IMAGE_CAMS)]
            img_n += 1
        else:
            seg["ss"] = 0
        if segs:
            seg["tr"] = "fade"
            seg["trd"] = _fade(end - st)
        segs.append(seg)
    # Make sure the last segment ends exactly at total.
    if segs:
        last = segs[-1]
        last["d"] = total - last["st"]
    return segs, left_out


def _split_sentences(text: str) -> list[str]:
    parts = re.split(r"(?<=[.!?。！？])\s+|(?<=[。！？])|\n+", text)
    out = [" ".join(p.split()) for p in parts]
    return [p for p in out if p and re.search(r"\w", p)]


def _caption_segments(text: str, total: int, ids: _Ids) -> list[dict[str, Any]]:
    sentences = _split_sentences(text)
    if not sentences:
        return []
    max_n = min(max(1, total // 1_500), MAX_SEGMENTS)
    while len(sentences) > max_n:
        # Merge the shortest neighbouring pair.
        best = min(range(len(sentences) - 1), key=lambda i: len(sentences[i]) + len(sentences[i + 1]))
        sentences[best:best + 2] = [sentences[best] + " " + sentences[best + 1]]
    weights = [len(s) + 12 for s in sentences]
    whole = sum(weights)
    bounds = [0]
    acc = 0
    for w in weights:
        acc += w
        bounds.append((total * acc) // whole)
    segs = []
    for i, sentence in enumerate(sentences):
        st, end = bounds[i], bounds[i + 1]
        if end <= st:
            continue
        segs.append({"id": ids.new("caption"), "n": _short(sentence, 30), "st": st, "d": end - st, "k": "caption",
                     "txt": sentence, "pos": "bottom", "sz": 54, "col": "#ffffff"})
    return segs


def _text_timing(q: _Quote, total: int, default_len: int, default_st: int = 0) -> tuple[int, int]:
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


def _add_text(draft: dict[str, Any], q: _Quote, total: int, ids: _Ids) -> tuple[dict[str, Any], bool]:
    """Put a title or caption on its track; a title that overlaps an existing one replaces its text."""
    if q.kind == "caption":
        st, d = _text_timing(q, total, CAPTION_MS, default_st=0)
        track = _find_track(draft, TRACK_TEXT, "Captions", kinds=("caption",), create=True)
        seg = {"id": ids.new("caption"), "n": _short(q.text, 30), "st": st, "d": d, "k": "caption",
               "txt": q.text, "pos": "bottom", "sz": 54, "col": "#ffffff"}
    else:
        st, d = _text_timing(q, total, TITLE_MS)
        track = _find_track(draft, TRACK_TEXT, "Title", kinds=("title", "text"), create=True)
        seg = {"id": ids.new("title"), "n": "Title", "st": st, "d": d, "k": "title", "txt": q.text,
               "pos": "center", "sz": 96, "col": "#ffffff", "fi": min(300, d // 4), "fo": min(300, d // 4)}
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
                other.update({"st": st, "d": d, "txt": q.text})
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


def _generate(intent: _Intent, assets: list[dict[str, Any]], language: str,
              base: dict[str, Any] | None) -> Plan:
    lang = _lang_key(language)
    steps: list[Step] = []
    notes: list[str] = []
    ids = _Ids(None)
    media = _media_assets(assets, ("image", "video"))
    texts = [a for a in assets if a.get("file_type") == "text" and isinstance(a.get("text"), str)
             and a.get("text", "").strip()]
    audios = _media_assets(assets, ("audio",))
    use_uploads = bool(media) and (bool(intent.uploads_ref) or not intent.subjects)
    if intent.uploads_ref and not media and not texts and not audios:
        notes.append("你还没有上传任何文件，所以我画了插画场景。" if lang == "zh"
                     else "You have no uploads yet, so I drew illustrated scenes instead.")

    # Format.
    old_m = base.get("m") if isinstance(base, dict) and isinstance(base.get("m"), dict) else {}
    aspect = intent.aspect or (_current_aspect(old_m) if old_m else "16:9")
    res = intent.res or (_current_res(old_m) if old_m else 1080)
    width, height = _size(aspect, res)
    steps.append(Step("set_format", {"aspect": aspect, "resolution": f"{res}p"},
                      {"width": width, "height": height, "fps": FPS}))

    # Duration.
    if intent.duration_ms is not None:
        total = intent.duration_ms
    elif use_uploads:
        est = 0.0
        for a in media:
            est += min(_float(a.get("duration"), 4.0), 10.0) if a.get("file_type") == "video" else 4.0
        total = int(max(5.0, min(60.0, est)) * 1000)
    else:
        total = DEFAULT_MS
    if intent.duration_note == "short":
        notes.append("最短1秒，已设为1秒。" if lang == "zh" else "The shortest video is 1 second, so I used 1 s.")
    elif intent.duration_note == "long":
        notes.append("最长10分钟，已设为10分钟。" if lang == "zh" else
                     "The longest video is 10 minutes, so I used 10 minutes.")

    draft: dict[str, Any] = {"t": [], "d": total, "m": {}}
    video_track = {"tt": TRACK_VIDEO, "n": "Video", "sg": []}
    draft["t"].append(video_track)
    spans: _Spans = []
    seg_labels: list[str] = []
    abstract = False
    if use_uploads:
        segs, left_out = _plan_upload_segments(media, total, ids)
        video_track["sg"] = segs
        n_img = sum(1 for a in media if a.get("file_type") == "image")
        steps.append(Step("use_uploads", {"images": n_img, "videos": len(media) - n_img,
                                          "duration_s": total / 1000},
                          {"segments": [s["id"] for s in segs][:50]}))
        if left_out:
            notes.append(f"{left_out}个文件放不下，没有使用。" if lang == "zh" else
                         f"{left_out} upload(s) did not fit in {_secs(total)} s and were left out.")
        if intent.subjects:
            first = intent.subjects[0]
            notes.append(f"画面用的是你上传的素材；要加插画场景，可以说“在结尾加一个{_subject_label(first, 'zh')}场景”。"
                         if lang == "zh" else
                         f"The pictures are your uploads; to add a drawn scene, say \"add a "
                         f"{_subject_label(first, 'en')} scene at the end\".")
    else:
        subjects = intent.subjects
        if not subjects:
            abstract = not intent.weak_subject
            subjects = [_Subject(scene="product" if intent.weak_subject else "abstract", els=[], sounds=[],
                                 label_terms=[], pos=0)]
        segs, spans, dropped, seg_labels = _plan_scene_segments(subjects, total, ids, lang)
        video_track["sg"] = segs
        steps.append(Step("plan_scenes", {"subjects": [_subject_label(s, "en") for s in subjects][:20],
                                          "duration_s": total / 1000},
                          {"scenes": len(segs), "segments": [s["id"] for s in segs][:50]}))
        if dropped:
            notes.append(f"{dropped}个主题放不下，没有使用。" if lang == "zh" else
                         f"{dropped} subject(s) did not fit in {_secs(total)} s and were left out.")
    # Music.
    music_desc = ""
    if not intent.no_music:
        bgm = None
        if audios and (use_uploads or "audio" in intent.uploads_ref):
            song = audios[0]
            vol = intent.volume if intent.volume is not None else ASKED_MUSIC_V
            bgm = _audio_segment(ids, total, song, vol)
            steps.append(Step("set_music", {"source": str(song.get("filename") or "upload")[:80], "volume": vol},
                              {"id": bgm["id"]}))
            music_desc = (f"背景音乐用你上传的{song.get('filename')}，音量{round(vol * 100)}%" if lang == "zh" else
                          f"Your {song.get('filename')} as background music at {round(vol * 100)}%")
        else:
            first_scene = spans[0][0].scene if spans else ("product" if use_uploads else "abstract")
            mood = intent.mood or _DEFAULT_MOOD.get(first_scene, "soft")
            asked = intent.music_asked or intent.mood is not None or intent.volume is not None
            vol = intent.volume if intent.volume is not None else (ASKED_MUSIC_V if asked else DEFAULT_MUSIC_V)
            bgm = _music_segment(ids, total, mood, vol)
            steps.append(Step("set_music", {"mood": mood, "volume": round(vol, 2)}, {"id": bgm["id"]}))
            mood_name = _name(_MOOD_NAMES, mood, lang)
            if lang == "zh":
                music_desc = f"{mood_name}背景音乐，音量{round(vol * 100)}%"
                if not asked:
                    music_desc += "（不需要的话说“不要音乐”）"
            else:
                music_desc = f"{mood_name.capitalize()} background music at {round(vol * 100)}%"
                if not asked:
                    music_desc += " (say \"no music\" to remove it)"
        draft["t"].append({"tt": TRACK_AUDIO, "n": "BGM", "sg": [bgm]})
    else:
        steps.append(Step("set_music", {"mood": "none"}, {"removed": 0}))
        music_desc = "不加音乐" if lang == "zh" else "No music"

    # Ambient sounds.
    sound_spans: dict[str, list[tuple[int, int]]] = {}
    if not intent.silent:
        for subj, s0, s1 in spans:
            for snd in subj.sounds:
                sound_spans.setdefault(snd, []).append((s0, s1))
        for snd in intent.global_sounds:
            sound_spans[snd] = [(0, total)]
    sound_words = []
    for snd in [s for s in AMBIENT if s in sound_spans]:
        merged: list[list[int]] = []
        for s0, s1 in sorted(sound_spans[snd]):
            if merged and s0 <= merged[-1][1]:
                merged[-1][1] = max(merged[-1][1], s1)
            else:
                merged.append([s0, s1])
        amb_track = _ambient_track(draft, snd)
        for s0, s1 in merged:
            amb = _ambient_segment(ids, snd, s0, s1 - s0)
            _sg(amb_track).append(amb)
            steps.append(Step("add_ambient", {"sound": snd, "start_s": s0 / 1000, "end_s": s1 / 1000},
                              {"id": amb["id"]}))
        sound_words.append(_name(_SOUND_NAMES, snd, lang))

    # Text.
    text_words: list[str] = []
    title_text = None
    for q in intent.quotes:
        seg, _replaced = _add_text(draft, q, total, ids)
        step = "add_caption" if q.kind == "caption" else "add_title"
        steps.append(Step(step, {"text": _short(q.text), "start_s": seg["st"] / 1000,
                                 "end_s": (seg["st"] + seg["d"]) / 1000}, {"id": seg["id"]}))
    # Describe the texts as they ended up (a later title at the same time replaces an earlier one).
    for track in _tracks(draft):
        for seg in _segments(track):
            if seg.get("k") not in ("title", "caption"):
                continue
            if seg["k"] == "title" and title_text is None:
                title_text = str(seg["txt"])
            what = ("字幕" if seg["k"] == "caption" else "标题") if lang == "zh" else str(seg["k"])
            shown = _short(str(seg["txt"]), 40)
            if lang == "zh":
                text_words.append(f"{what}「{shown}」（{_span(seg['st'], seg['d'], lang)}）")
            else:
                text_words.append(f"{what} \"{shown}\" ({_span(seg['st'], seg['d'], lang)})")
    quoted_captions = any(q.kind == "caption" for q in intent.quotes)
    if texts and not quoted_captions and (use_uploads or "text" in intent.uploads_ref
                                          or _CAPTIONS_FROM_SCRIPT.search(intent.norm)):
        script = texts[0]
        caps = _caption_segments(str(script["text"]), total, ids)
        if caps:
            cap_track = _find_track(draft, TRACK_TEXT, "Captions", kinds=("caption",), create=True)
            assert cap_track is not None
            _sg(cap_track).extend(caps)
            _sg(cap_track).sort(key=lambda s: _int(s.get("st")) if isinstance(s, dict) else 0)
            steps.append(Step("add_captions", {"source": str(script.get("filename") or "script")[:80],
                                               "sentences": len(caps)}, {"segments": len(caps)}))
            text_words.append(f"{len(caps)}条字幕来自{script.get('filename')}" if lang == "zh" else
                              f"{len(caps)} captions from {script.get('filename')}")

    # Metadata.
    if title_text:
        title = title_text
    elif spans:
        title = _name(_SCENE_NAMES, spans[0][0].scene, lang)
        title = title if lang == "zh" else title.capitalize()
    else:
        title = "宣传视频" if lang == "zh" else "Promotional video"
    draft["m"] = {"title": _short(title, 80), "width": width, "height": height, "fps": FPS, "aspect": aspect,
                  "lang": language}

    # Reply.
    segs = _segments(video_track)
    if use_uploads:
        n_img = sum(1 for s in segs if s.get("k") == "image")
        n_vid = sum(1 for s in segs if s.get("k") == "video")
        if lang == "zh":
            what = "、".join(w for w in (f"{n_img}段图片（缓慢平移/缩放）" if n_img else "",
                                          f"{n_vid}段视频片段" if n_vid else "") if w)
            body = f"用你上传的素材做了一个{_secs(total)}秒的{aspect}视频（{width}×{height}）：{what}，交叉淡化衔接。"
        else:
            what = " and ".join(w for w in (
                f"{n_img} image shot{'s' if n_img != 1 else ''} with a slow pan/zoom" if n_img else "",
                f"{n_vid} video clip{'s' if n_vid != 1 else ''} trimmed to fit" if n_vid else "") if w)
            body = (f"Made {_article(_secs(total))} {_secs(total)}-second {aspect} video ({width}×{height}) from your uploads: "
                    f"{what}, joined by cross-fades.")
    else:
        if len(segs) <= 6:
            parts = [f"{label}（{_span(s['st'], s['d'], lang)}）" if lang == "zh" else
                     f"{label} ({_span(s['st'], s['d'], lang)})" for s, label in zip(segs, seg_labels, strict=True)]
        else:
            parts = [f"{_subject_label(subj, lang)}（{_span(a, b - a, lang)}）" if lang == "zh" else
                     f"{_subject_label(subj, lang)} ({_span(a, b - a, lang)})" for subj, a, b in spans]
        if lang == "zh":
            body = (f"做了一个{_secs(total)}秒的{aspect}视频（{width}×{height}），共{len(segs)}个插画动画场景：" + "、".join(parts) + "。")
        else:
            body = (f"Made {_article(_secs(total))} {_secs(total)}-second {aspect} video ({width}×{height}) in {len(segs)} illustrated, "
                    f"animated scene{'s' if len(segs) != 1 else ''}: " + ", ".join(parts) + ".")
        if abstract:
            notes.append("我没有认出具体主题，所以用了抽象动画背景；可以试试森林、城市、大海、太空等。" if lang == "zh" else
                         "I didn't recognise a subject I can draw, so I used an abstract animated background; "
                         "try forest, city, ocean, space and the like.")
    audio_bits = [music_desc, *sound_words]
    if len(text_words) > 6:
        more = len(text_words) - 5
        text_words = [*text_words[:5], f"另有{more}段文字" if lang == "zh" else f"{more} more texts"]
    if lang == "zh":
        body += "；".join(b for b in audio_bits if b) + "。"
        if text_words:
            body += "；".join(text_words) + "。"
    else:
        body += " " + ", ".join(b for b in audio_bits if b) + "."
        if text_words:
            joined = "; ".join(text_words)
            body += " " + joined[0].upper() + joined[1:] + "."
    reply = _finish_reply(body, notes, intent, lang)
    return Plan(draft=draft, reply=reply, steps=steps, understood=True, language=language)
