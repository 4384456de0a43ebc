"""A new draft from a prompt: scenes, uploads, music, sounds and text."""

from __future__ import annotations

from typing import Any

from nemo_jupyter.draft_format import (
    AMBIENT,
    FPS,
    TRACK_AUDIO,
    TRACK_TEXT,
    TRACK_VIDEO,
)

from .brief import Brief, Scene
from .catalogue import and_join, capital, count, join, lang_of, mood_name, quote, say, sentences, span
from .common import (
    DEFAULT_MS,
    MUSIC_V,
    Plan,
    Step,
    _float,
    _int,
    _lang_key,
    _name,
    _secs,
    _short,
)
from .draftops import (
    _current_aspect,
    _current_res,
    _find_track,
    _Ids,
    _segments,
    _sg,
    _size,
    _tracks,
    named_track,
)
from .labels import _subject_label, segment_label, sound_name
from .messages import _finish_reply
from .placing import anim_for, place, title_of
from .scenes import _plan_scene_segments, _Spans
from .storyboard import (
    product_prompt,
    scene_captions,
    script_scenes,
    video_mood,
    video_title,
)
from .subjects import sentence_subjects
from .tracks import (
    _add_text,
    _ambient_segment,
    _ambient_track,
    _audio_segment,
    _caption_segments,
    _music_segment,
)
from .uploads import PICTURE_ROLES, _media_assets, _plan_upload_segments, logo_overlays, roles_of, split_logos
from .vocabulary import (
    _DEFAULT_MOOD,
    _MOOD_NAMES,
    _SCENE_NAMES,
)


def _article(number: str) -> str:
    """ "a" or "an" before a number said aloud: an 8-second, an 11-second, a 15-second video."""
    whole = number.split(".")[0]
    return "an" if whole.startswith("8") or whole in ("11", "18") else "a"


def _generate(brief: Brief, assets: list[dict[str, Any]], language: str,
              base: dict[str, Any] | None) -> Plan:
    lang = _lang_key(language)  # the draft's own labels: English or Chinese
    rl = lang_of(language)      # the reply's words: the catalogue of the prompt's language
    steps: list[Step] = []
    notes: list[str] = []
    ids = _Ids(None)
    roles = roles_of(brief)
    media, logos = split_logos(_media_assets(assets, ("image", "video")), roles)
    texts = [a for a in assets if a.get("file_type") == "text" and isinstance(a.get("text"), str)
             and a.get("text", "").strip()]
    audios = _media_assets(assets, ("audio",))
    # pictures named in a role ("my app screenshot", "my product photos"), or any picture of an ad
    named = any(u.role in PICTURE_ROLES for u in brief.uploads)
    use_uploads = bool(media) and (bool(brief.req.uploads_ref) or not brief.what.scenes or named
                                   or brief.template == "ad")
    if brief.req.uploads_ref and not media and not logos and not texts and not audios:
        notes.append(say(rl, "gen_no_uploads"))

    # Format.
    old_m = base.get("m") if isinstance(base, dict) and isinstance(base.get("m"), dict) else {}
    aspect = brief.fmt.aspect or (_current_aspect(old_m) if old_m else "16:9")
    res = brief.fmt.res or (_current_res(old_m) if old_m else 1080)
    width, height = _size(aspect, res)
    steps.append(Step("set_format", {"aspect": aspect, "resolution": f"{res}p"},
                      {"width": width, "height": height, "fps": FPS}))

    # Duration.
    if brief.length.duration_ms is not None:
        total = brief.length.duration_ms
    elif use_uploads:
        est = 0.0
        for a in media:
            est += min(_float(a.get("duration"), 4.0), 10.0) if a.get("file_type") == "video" else 4.0
        total = int(max(5.0, min(60.0, est)) * 1000)
    else:
        total = DEFAULT_MS
    if brief.length.duration_note == "short":
        notes.append(say(rl, "gen_shortest"))
    elif brief.length.duration_note == "long":
        notes.append(say(rl, "gen_longest"))

    draft: dict[str, Any] = {"t": [], "d": total, "m": {}}
    video_track: dict[str, Any] = {"tt": TRACK_VIDEO, "n": "Video", "sg": []}
    draft["t"].append(video_track)
    spans: _Spans = []
    seg_labels: list[str] = []
    abstract = False
    if use_uploads:
        segs, left_out = _plan_upload_segments(media, total, ids, roles)
        video_track["sg"] = segs
        n_img = sum(1 for a in media if a.get("file_type") == "image")
        steps.append(Step("use_uploads", {"images": n_img, "videos": len(media) - n_img,
                                          "duration_s": total / 1000},
                          {"segments": [s["id"] for s in segs][:50]}))
        if left_out:
            notes.append(say(rl, "gen_uploads_left_out", n=left_out, s=_secs(total)))
        if brief.what.scenes:
            notes.append(say(rl, "gen_pictures_uploads", scene=_subject_label(brief.what.scenes[0], rl)))
    else:
        subjects = brief.what.scenes
        if not subjects:
            abstract = not brief.what.weak_subject
            subjects = [Scene(scene="product" if brief.what.weak_subject else "abstract", els=[], sounds=[],
                                 label_terms=[], pos=0)]
        segs, spans, dropped, seg_labels = _plan_scene_segments(subjects, total, ids, lang,
                                                                hero=product_prompt(brief),
                                                                relations=brief.relations, setting=brief.setting)
        video_track["sg"] = segs
        steps.append(Step("plan_scenes", {"subjects": [_subject_label(s, "en") for s in subjects][:20],
                                          "duration_s": total / 1000},
                          {"scenes": len(segs), "segments": [s["id"] for s in segs][:50]}))
        if dropped:
            notes.append(say(rl, "gen_dropped", n=dropped, s=_secs(total)))
    for logo in logo_overlays(draft, brief, logos, total, ids):
        steps.append(Step("add_logo", {"file": logo["n"], "corner": logo["corner"], "width": logo["w"]},
                          {"id": logo["id"]}))
        notes.append(say(language, "logo_corner", file=logo["n"], corner=say(language, f"corner_{logo['corner']}"),
                         width=round(logo["w"] * 100)))
    # Music.
    music_desc = ""
    if not brief.audio.no_music:
        bgm = None
        if audios and (use_uploads or "audio" in brief.req.uploads_ref):
            song = audios[0]
            vol = brief.audio.volume if brief.audio.volume is not None else MUSIC_V
            bgm = _audio_segment(ids, total, song, vol)
            steps.append(Step("set_music", {"source": str(song.get("filename") or "upload")[:80], "volume": vol},
                              {"id": bgm["id"]}))
            music_desc = say(rl, "gen_song", file=song.get("filename"), v=round(vol * 100))
        else:
            first_scene = spans[0][0].scene if spans else ("product" if use_uploads else "abstract")
            mood = brief.audio.mood or video_mood(brief) or _DEFAULT_MOOD.get(first_scene, "soft")
            asked = brief.audio.music_asked or brief.audio.mood is not None or brief.audio.volume is not None
            vol = brief.audio.volume if brief.audio.volume is not None else MUSIC_V
            bgm = _music_segment(ids, total, mood, vol)
            steps.append(Step("set_music", {"mood": mood, "volume": round(vol, 2)}, {"id": bgm["id"]}))
            said = _name(_MOOD_NAMES, mood, rl) if rl in ("en", "zh") else mood_name(mood, rl)
            music_desc = say(rl, "gen_music", mood=said.capitalize() if rl == "en" else said, v=round(vol * 100))
            if not asked:
                music_desc = say(rl, "gen_music_unasked", music=music_desc)
        draft["t"].append({"tt": TRACK_AUDIO, "n": "BGM", "sg": [bgm]})
    else:
        steps.append(Step("set_music", {"mood": "none"}, {"removed": 0}))
        music_desc = say(rl, "gen_no_music")

    # Ambient sounds.
    sound_spans: dict[str, list[tuple[int, int]]] = {}
    if not brief.audio.silent:
        for subj, s0, s1 in spans:
            for snd in subj.sounds:
                sound_spans.setdefault(snd, []).append((s0, s1))
        for snd in brief.audio.global_sounds:
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
        sound_words.append(sound_name(snd, rl))

    # Text: each asked text in its role and at its moment (planning/placing.py).
    text_words: list[str] = []
    title_text = None
    asked_texts = brief.shown_texts()
    quoted_captions = any(q.kind == "caption" for q in asked_texts)
    # a scene's own caption (a lesson's step) stays at the bottom, an asked caption then goes on top; an
    # ad's or a greeting's stock captions ("Introducing") only when the prompt asked for no words of its own
    stock = brief.template in ("ad", "greeting") or (not brief.template and any(q.role == "brand" for q in asked_texts))
    auto = scene_captions(spans, ids, anim_for(brief.template, "caption")) if spans and not (
        asked_texts and stock) else []
    for q in place(brief, total, spans):
        seg, _replaced = _add_text(draft, q, total, ids, brief.template, top=bool(auto))
        step = "add_caption" if q.kind == "caption" else "add_title"
        steps.append(Step(step, {"text": _short(q.text), "role": q.role, "start_s": seg["st"] / 1000,
                                 "end_s": (seg["st"] + seg["d"]) / 1000}, {"id": seg["id"]}))
    if auto:
        cap_track = named_track(draft, TRACK_TEXT, "Captions", create=True)
        assert cap_track is not None
        _sg(cap_track).extend(auto)
        _sg(cap_track).sort(key=lambda s: _int(s.get("st")) if isinstance(s, dict) else 0)
        steps.append(Step("add_captions", {"source": "scenes", "captions": len(auto)}, {"segments": len(auto)}))
    # Describe the texts as they ended up (a later title at the same time replaces an earlier one).
    for track in _tracks(draft):
        for seg in _segments(track):
            if seg.get("k") not in ("title", "caption"):
                continue
            if seg["k"] == "title" and title_text is None and seg.get("role") != "end_card":
                title_text = str(seg["txt"])
            text_words.append(say(rl, f"gen_text_{seg['k']}", text=quote(rl, _short(str(seg["txt"]), 40)),
                                  span=span(rl, seg["st"], seg["d"])))
    if texts and not quoted_captions and (use_uploads or "text" in brief.req.uploads_ref
                                          or brief.edit.captions_from_script):
        script = texts[0]
        caps = _caption_segments(str(script["text"]), total, ids)
        if caps:
            cap_track = _find_track(draft, TRACK_TEXT, "Captions", kinds=("caption",), create=True)
            assert cap_track is not None
            _sg(cap_track).extend(caps)
            _sg(cap_track).sort(key=lambda s: _int(s.get("st")) if isinstance(s, dict) else 0)
            steps.append(Step("add_captions", {"source": str(script.get("filename") or "script")[:80],
                                               "sentences": len(caps)}, {"segments": len(caps)}))
            text_words.append(say(rl, "gen_script_captions", n=len(caps), file=script.get("filename")))
            if not use_uploads:
                # Each sentence gets a scene that shows what it names.
                scene_segs, drawn = script_scenes(
                    caps, list(brief.what.scenes), lang, ids,
                    lambda sentence: sentence_subjects(sentence, language.split("-")[0]),
                    hero=product_prompt(brief))
                video_track["sg"] = scene_segs
                spans = [(subj, int(sg["st"]), int(sg["st"]) + int(sg["d"]))
                         for subj, sg in zip(drawn, scene_segs, strict=True)]
                seg_labels = [_subject_label(subj, lang) for subj in drawn]
                abstract = abstract and all(subj.scene == "abstract" for subj in drawn)
                steps.append(Step("plan_scenes", {"source": str(script.get("filename") or "script")[:80],
                                                  "sentences": len(caps)}, {"scenes": len(scene_segs)}))

    # Metadata.
    named_title = title_of(brief) or video_title(brief, spans, lang)
    if named_title and title_of(brief):
        title = named_title
    elif title_text:
        title = title_text
    elif named_title:
        title = named_title
    elif spans and brief.template != "ad":
        title = _name(_SCENE_NAMES, spans[0][0].scene, lang)
        title = title if lang == "zh" else title.capitalize()
    else:  # an ad that names no brand and no product: never after a stock caption
        title = "宣传视频" if lang == "zh" else "Promotional video"
    draft["m"] = {"title": _short(title, 80), "width": width, "height": height, "fps": FPS, "aspect": aspect,
                  "lang": language}

    # Reply.
    segs = _segments(video_track)
    article = _article(_secs(total))
    size = {"s": _secs(total), "aspect": aspect, "width": width, "height": height}
    if use_uploads:
        n_img = sum(1 for s in segs if s.get("k") == "image")
        n_vid = sum(1 for s in segs if s.get("k") == "video")
        what = and_join(rl, [w for w in (count(rl, "gen_images", n_img) if n_img else "",
                                         count(rl, "gen_clips", n_vid) if n_vid else "") if w])
        body = say(rl, f"gen_made_uploads_{article}", what=what, **size)
    else:
        if rl not in ("en", "zh"):  # the scenes in the reply's words, as drawn
            seg_labels = [segment_label(sg, rl) for sg in segs]
        if len(segs) <= 6:
            parts = [say(rl, "pic_span", label=label, span=span(rl, s["st"], s["d"]))
                     for s, label in zip(segs, seg_labels, strict=True)]
        else:
            parts = [say(rl, "pic_span", label=_subject_label(subj, rl), span=span(rl, a, b - a)) for subj, a, b in spans]
        body = say(rl, f"gen_made_{article}" + ("_one" if len(segs) == 1 else ""), n=len(segs), parts=join(rl, parts),
                   **size)
        if abstract:
            notes.append(say(rl, "gen_abstract_about", about=brief.about) if brief.about and rl != "zh"
                         else say(rl, "gen_abstract"))
    # (what could not be drawn is said by the brief's account, planning/account.py)
    audio_bits = [music_desc, *sound_words]
    if len(text_words) > 6:
        text_words = [*text_words[:5], say(rl, "gen_more_texts", n=len(text_words) - 5)]
    body = sentences(rl, [body, say(rl, "gen_sep").join(b for b in audio_bits if b) + say(rl, "done_end")])
    if text_words:
        body = sentences(rl, [body, capital(rl, say(rl, "done_sep").join(text_words)) + say(rl, "done_end")])
    reply = _finish_reply(body, notes, brief, rl)
    return Plan(draft=draft, reply=reply, steps=steps, understood=True, language=language)
