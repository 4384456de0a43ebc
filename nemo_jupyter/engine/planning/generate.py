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
from .catalogue import say
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
    _span,
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
from .labels import _subject_label
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
    _SOUND_NAMES,
)


def _article(number: str) -> str:
    """ "a" or "an" before a number said aloud: an 8-second, an 11-second, a 15-second video."""
    whole = number.split(".")[0]
    return "an" if whole.startswith("8") or whole in ("11", "18") else "a"


def _generate(brief: Brief, assets: list[dict[str, Any]], language: str,
              base: dict[str, Any] | None) -> Plan:
    lang = _lang_key(language)
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
        notes.append("你还没有上传任何文件，所以我画了插画场景。" if lang == "zh"
                     else "You have no uploads yet, so I drew illustrated scenes instead.")

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
        notes.append("最短1秒，已设为1秒。" if lang == "zh" else "The shortest video is 1 second, so I used 1 s.")
    elif brief.length.duration_note == "long":
        notes.append("最长10分钟，已设为10分钟。" if lang == "zh" else
                     "The longest video is 10 minutes, so I used 10 minutes.")

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
            notes.append(f"{left_out}个文件放不下，没有使用。" if lang == "zh" else
                         f"{left_out} upload(s) did not fit in {_secs(total)} s and were left out.")
        if brief.what.scenes:
            first = brief.what.scenes[0]
            notes.append(f"画面用的是你上传的素材；要加插画场景，可以说“在结尾加一个{_subject_label(first, 'zh')}场景”。"
                         if lang == "zh" else
                         f"The pictures are your uploads; to add a drawn scene, say \"add a "
                         f"{_subject_label(first, 'en')} scene at the end\".")
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
            notes.append(f"{dropped}个主题放不下，没有使用。" if lang == "zh" else
                         f"{dropped} subject(s) did not fit in {_secs(total)} s and were left out.")
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
            music_desc = (f"背景音乐用你上传的{song.get('filename')}，音量{round(vol * 100)}%" if lang == "zh" else
                          f"Your {song.get('filename')} as background music at {round(vol * 100)}%")
        else:
            first_scene = spans[0][0].scene if spans else ("product" if use_uploads else "abstract")
            mood = brief.audio.mood or video_mood(brief) or _DEFAULT_MOOD.get(first_scene, "soft")
            asked = brief.audio.music_asked or brief.audio.mood is not None or brief.audio.volume is not None
            vol = brief.audio.volume if brief.audio.volume is not None else MUSIC_V
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
        sound_words.append(_name(_SOUND_NAMES, snd, lang))

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
            what = ("字幕" if seg["k"] == "caption" else "标题") if lang == "zh" else str(seg["k"])
            shown = _short(str(seg["txt"]), 40)
            if lang == "zh":
                text_words.append(f"{what}「{shown}」（{_span(seg['st'], seg['d'], lang)}）")
            else:
                text_words.append(f"{what} \"{shown}\" ({_span(seg['st'], seg['d'], lang)})")
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
            text_words.append(f"{len(caps)}条字幕来自{script.get('filename')}" if lang == "zh" else
                              f"{len(caps)} captions from {script.get('filename')}")
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
            what_about = brief.about
            if lang == "zh":
                notes.append("我没有认出能画的主题，所以用了抽象动画背景；可以试试森林、城市、大海、动物、交通工具等"
                             "（说“你能画什么”查看列表）。")
            elif what_about:
                notes.append(f"I can't draw \"{what_about}\", so I used an abstract animated background; name "
                             "something to show (say \"help scenes\" for what I can draw).")
            else:
                notes.append("I didn't recognise a subject I can draw, so I used an abstract animated background; "
                             "try forest, city, ocean, space and the like (say \"help scenes\" for the list).")
    # (what could not be drawn is said by the brief's account, planning/account.py)
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
    reply = _finish_reply(body, notes, brief, lang)
    return Plan(draft=draft, reply=reply, steps=steps, understood=True, language=language)
