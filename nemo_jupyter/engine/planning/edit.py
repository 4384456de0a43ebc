"""Edits of the current draft: ids, unknown keys and the input draft are kept."""

from __future__ import annotations

import copy
import re
from collections.abc import Callable
from typing import Any

from nemo_jupyter.draft_format import (
    AMBIENT,
    ELEMENTS,
    FPS,
    SCENES,
    TRACK_AUDIO,
    TRACK_TEXT,
    TRACK_VIDEO,
)

from .common import (
    ASKED_MUSIC_V,
    MAX_MS,
    MIN_MS,
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
    _current_aspect,
    _current_res,
    _drop_empty_tracks,
    _duration_of,
    _fade,
    _find_track,
    _Ids,
    _meta,
    _seg_kind,
    _segments,
    _sg,
    _size,
    _tracks,
    _tt,
)
from .generate import (
    _add_text,
    _ambient_segment,
    _ambient_track,
    _audio_segment,
    _caption_segments,
    _media_assets,
    _music_segment,
    _plan_scene_segments,
    _plan_upload_segments,
    _subject_label,
    _text_timing,
)
from .messages import _CANT, _edit_reply, _finish_reply, _not_understood
from .parse import (
    _ADD_SCENE,
    _ADD_WORD,
    _AT_START_WORD,
    _CAPTIONS_FROM_SCRIPT,
    _REMOVE_CAPTIONS,
    _REMOVE_TITLE,
    _REPLACE_SCENES,
    _SWAP,
    _Intent,
)
from .vocabulary import _DEFAULT_MOOD, _ELEMENT_NAMES, _MODIFIER_SCENES, _MOOD_NAMES, _SOUND_NAMES


def _scale(value: int, new: int, old: int) -> int:
    return (value * new + old // 2) // old


def _rescale(draft: dict[str, Any], old: int, new: int) -> int:
    changed = 0
    for track in _tracks(draft):
        for seg in _segments(track):
            st, d = _int(seg.get("st")), _int(seg.get("d"))
            end = st + d
            n_st, n_end = _scale(st, new, old), _scale(end, new, old)
            if n_end <= n_st:
                n_end = n_st + 1
            seg["st"], seg["d"] = n_st, n_end - n_st
            for key in ("fi", "fo", "trd"):
                if key in seg and isinstance(seg[key], (int, float)) and not isinstance(seg[key], bool):
                    seg[key] = max(0, min(_int(seg[key]), (n_end - n_st) // 2))
            changed += 1
    draft["d"] = new
    return changed


_SCENE_WORD = re.compile(r"(?<![a-z])(?:scenes?|parts?|shots?|sections?|bits?)(?![a-z])|场景|部分|镜头|那段|段")


def _map_time(t: int, old: list[int], new: list[int]) -> int:
    """Where time ``t`` of the old video track lands once its boundaries moved from ``old`` to ``new``."""
    if t <= old[0]:
        return new[0] + (t - old[0])
    for i in range(len(old) - 1):
        if old[i] <= t <= old[i + 1]:
            span = old[i + 1] - old[i]
            if span <= 0:
                return new[i]
            return new[i] + ((t - old[i]) * (new[i + 1] - new[i]) + span // 2) // span
    return new[-1] + (t - old[-1])


def _resize_scene(draft: dict[str, Any], intent: _Intent, total: int, steps: list[Step],
                  say: Callable[[str, str], None], notes: list[str], zh: bool) -> int:
    """"Make the forest scene longer": stretch that scene's segments, move everything after them."""
    scene = intent.subjects[0].scene
    video = _find_track(draft, TRACK_VIDEO, "Video")
    if video is None:
        return total
    segs = sorted(_segments(video), key=lambda s: _int(s.get("st")))
    chosen = [s for s in segs if s.get("scene") == scene]
    old_len = sum(max(0, _int(s.get("d"))) for s in chosen)
    if not chosen or old_len <= 0:
        return total
    if intent.duration_ms is not None:
        target = intent.duration_ms
    elif intent.duration_delta is not None:
        target = old_len + intent.duration_delta
    elif intent.percent_change is not None:
        target = round(old_len * intent.percent_change)
    else:
        target = round(old_len * (1.5 if intent.longer else 2 / 3))
    target = max(1_000 * len(chosen), min(target, MAX_MS - (total - old_len)))
    if target == old_len:
        say(f"the {_subject_label(intent.subjects[0], 'en')} scenes stay {_secs(old_len)} s long "
            "(videos are 1 s to 10 minutes)",
            f"{_subject_label(intent.subjects[0], 'zh')}场景保持{_secs(old_len)}秒（视频时长为1秒到10分钟）")
        return total
    old_bounds = [0]
    new_bounds = [0]
    acc_new = 0
    assigned = 0
    for seg in segs:
        st, d = _int(seg.get("st")), max(0, _int(seg.get("d")))
        if seg.get("scene") == scene:
            # Share ``target`` among the chosen segments in proportion to their lengths.
            share = (target * (assigned + d)) // old_len - (target * assigned) // old_len
            assigned += d
            nd = max(1, share)
        else:
            nd = d
        old_bounds.append(st + d)
        seg["st"], seg["d"] = acc_new, nd
        acc_new += nd
        new_bounds.append(acc_new)
        for key in ("trd", "fi", "fo"):
            if isinstance(seg.get(key), int) and not isinstance(seg.get(key), bool):
                seg[key] = min(seg[key], nd // 2)
    new_total = acc_new
    for track in _tracks(draft):
        if track is video:
            continue
        for seg in _segments(track):
            st, end = _int(seg.get("st")), _int(seg.get("st")) + _int(seg.get("d"))
            n_st = max(0, min(_map_time(st, old_bounds, new_bounds), new_total - 1))
            n_end = max(n_st + 1, min(_map_time(end, old_bounds, new_bounds), new_total))
            seg["st"], seg["d"] = n_st, n_end - n_st
    draft["d"] = new_total
    name_en = _subject_label(intent.subjects[0], "en")
    name_zh = _subject_label(intent.subjects[0], "zh")
    steps.append(Step("resize_scene", {"scene": scene, "from_s": old_len / 1000, "to_s": target / 1000},
                      {"segments": len(chosen), "duration_s": new_total / 1000}))
    say(f"made the {name_en} scenes {_secs(target)} s long instead of {_secs(old_len)} s; "
        f"the video is now {_secs(new_total)} s",
        f"把{name_zh}场景从{_secs(old_len)}秒改成了{_secs(target)}秒，视频现在{_secs(new_total)}秒")
    if new_total >= MAX_MS:
        notes.append("视频最长10分钟。" if zh else "Videos are at most 10 minutes long.")
    return new_total


def _replace_scenes(draft: dict[str, Any], intent: _Intent, total: int, ids: _Ids, steps: list[Step],
                    say: Callable[[str, str], None], lang: str) -> None:
    """New scene segments for the subjects over the same length; the other tracks stay."""
    video = _find_track(draft, TRACK_VIDEO, "Video", kinds=("scene", "image", "video"), create=True)
    assert video is not None
    for seg in _segments(video):
        ids.used.discard(str(seg.get("id")))
    segs, spans, _dropped, _labels = _plan_scene_segments(intent.subjects, total, ids, lang)
    video["sg"] = segs
    steps.append(Step("plan_scenes", {"subjects": [_subject_label(s, "en") for s in intent.subjects][:20],
                                      "duration_s": total / 1000},
                      {"scenes": len(segs), "segments": [s["id"] for s in segs][:50]}))
    words = [_subject_label(s, lang) for s, _a, _b in spans]
    say(f"replaced the scenes with {', '.join(words)} in {len(segs)} scene(s)",
        f"把场景换成了{'、'.join(words)}，共{len(segs)}个场景")


def _music_segments(draft: dict[str, Any]) -> list[tuple[dict[str, Any], dict[str, Any]]]:
    out = []
    for track in _tracks(draft):
        if _tt(track) != TRACK_AUDIO:
            continue
        for seg in _segments(track):
            if _seg_kind(track, seg) in ("music", "audio"):
                out.append((track, seg))
    return out


def _edit(intent: _Intent, draft_in: dict[str, Any], assets: list[dict[str, Any]], language: str) -> Plan:
    lang = _lang_key(language)
    draft = copy.deepcopy(draft_in)
    ids = _Ids(draft)
    steps: list[Step] = []
    done: list[str] = []
    notes: list[str] = []
    zh = lang == "zh"
    total = _duration_of(draft)
    norm = intent.norm

    def say(en: str, cn: str) -> None:
        done.append(cn if zh else en)

    # Subjects: swap one scene for another, replace the scenes, or add one.
    media = _media_assets(assets, ("image", "video"))
    present = {str(s.get("scene")) for t in _tracks(draft) if _tt(t) == TRACK_VIDEO for s in _segments(t)}
    resize_scene = bool(intent.subjects and intent.subjects[0].scene in present and total > 0 and (
        intent.longer or intent.shorter or intent.duration_delta or intent.percent_change
        or (intent.duration_ms is not None and _SCENE_WORD.search(norm))) and not _ADD_SCENE.search(norm))
    swap = (len(intent.subjects) >= 2 and intent.subjects[0].scene in present
            and intent.subjects[1].scene != intent.subjects[0].scene and _SWAP.search(norm))
    if swap:
        src_subj, dst_subj = intent.subjects[0], intent.subjects[1]
        changed_ids = []
        for track in _tracks(draft):
            if _tt(track) != TRACK_VIDEO:
                continue
            for seg in _segments(track):
                if seg.get("scene") == src_subj.scene:
                    seg["scene"] = dst_subj.scene
                    seg["n"] = _subject_label(dst_subj, "en").capitalize()
                    if dst_subj.els:
                        seg["el"] = list(dst_subj.els)
                    else:
                        seg.pop("el", None)
                    changed_ids.append(seg.get("id"))
        steps.append(Step("swap_scene", {"from": src_subj.scene, "to": dst_subj.scene}, {"ids": changed_ids[:50]}))
        say(f"changed {len(changed_ids)} {_subject_label(src_subj, 'en')} scene(s) to {_subject_label(dst_subj, 'en')}",
            f"把{len(changed_ids)}个{_subject_label(src_subj, 'zh')}场景换成了{_subject_label(dst_subj, 'zh')}")
    elif intent.uploads_ref and media and intent.uploads_ref & {"image", "video", "all"}:
        video = _find_track(draft, TRACK_VIDEO, "Video", kinds=("scene", "image", "video"), create=True)
        assert video is not None
        for seg in _segments(video):
            ids.used.discard(str(seg.get("id")))
        segs, left_out = _plan_upload_segments(media, total, ids)
        video["sg"] = segs
        steps.append(Step("use_uploads", {"images": sum(1 for a in media if a.get("file_type") == "image"),
                                          "videos": sum(1 for a in media if a.get("file_type") == "video")},
                          {"segments": [s["id"] for s in segs][:50]}))
        say(f"put your {len(media)} upload(s) on the video track", f"把你上传的{len(media)}个素材放到了视频轨道上")
        if left_out:
            notes.append(f"{left_out} upload(s) did not fit and were left out." if not zh else
                         f"{left_out}个文件放不下，没有使用。")
    elif intent.subjects and _ADD_SCENE.search(norm):
        video = _find_track(draft, TRACK_VIDEO, "Video", kinds=("scene", "image", "video"), create=True)
        assert video is not None
        subj = intent.subjects[0]
        add = 5_000
        at_start = bool(_AT_START_WORD.search(norm))
        grown = min(MAX_MS, total + add)
        add = grown - total
        if add <= 0:
            notes.append("The video is already 10 minutes long." if not zh else "视频已经是最长的10分钟。")
        else:
            for track in _tracks(draft):
                for seg in _segments(track):
                    st, d = _int(seg.get("st")), _int(seg.get("d"))
                    if _tt(track) != TRACK_VIDEO and st == 0 and d >= total and _seg_kind(track, seg) in (
                            "music", "audio", "ambient"):
                        seg["d"] = d + add
                    elif at_start:
                        seg["st"] = st + add
            st = 0 if at_start else total
            seg = {"id": ids.new("scene"), "n": _subject_label(subj, "en").capitalize(), "st": st, "d": add,
                   "k": "scene", "scene": subj.scene, "cam": "zoom_in"}
            if subj.els:
                seg["el"] = list(subj.els)
            sg = _sg(video)
            if at_start:
                if sg and isinstance(sg[0], dict):
                    sg[0].setdefault("tr", "fade")
                    sg[0].setdefault("trd", _fade(_int(sg[0].get("d"))))
                sg.insert(0, seg)
            else:
                seg["tr"], seg["trd"] = "fade", _fade(add)
                sg.append(seg)
            total = grown
            draft["d"] = total
            steps.append(Step("add_scene", {"scene": subj.scene, "at": "start" if at_start else "end"},
                              {"id": seg["id"], "duration_s": total / 1000}))
            say(f"added a {_subject_label(subj, 'en')} scene at the {'start' if at_start else 'end'} "
                f"({_span(st, add, 'en')}); the video is now {_secs(total)} s",
                f"在{'开头' if at_start else '结尾'}加了一个{_subject_label(subj, 'zh')}场景（{_span(st, add, 'zh')}），"
                f"视频现在{_secs(total)}秒")
    elif resize_scene:
        total = _resize_scene(draft, intent, total, steps, say, notes, zh)
    elif intent.subjects and (_REPLACE_SCENES.search(norm) or intent.generation):
        _replace_scenes(draft, intent, total, ids, steps, say, lang)

    # Duration.
    new_total: int | None = None
    if resize_scene:
        pass
    elif intent.duration_ms is not None:
        new_total = intent.duration_ms
    elif intent.percent_change is not None:
        new_total = round(total * intent.percent_change)
    elif intent.duration_delta is not None:
        new_total = total + intent.duration_delta
    elif (intent.longer or intent.shorter) and not _ADD_SCENE.search(norm):
        new_total = round(total * (1.5 if intent.longer else 2 / 3) / 1000) * 1000
    if new_total is not None and total > 0:
        new_total = max(MIN_MS, min(MAX_MS, new_total))
        if intent.duration_note or new_total in (MIN_MS, MAX_MS):
            notes.append("Videos are 1 s to 10 minutes long." if not zh else "视频时长为1秒到10分钟。")
        if new_total != total:
            n = _rescale(draft, total, new_total)
            steps.append(Step("edit_duration", {"from_s": total / 1000, "to_s": new_total / 1000},
                              {"segments": n}))
            say(f"changed the length from {_secs(total)} s to {_secs(new_total)} s (every segment scaled)",
                f"把时长从{_secs(total)}秒改成了{_secs(new_total)}秒（所有片段按比例缩放）")
            total = new_total
        else:
            say(f"kept the length at {_secs(total)} s", f"时长保持{_secs(total)}秒")

    # Format.
    m = _meta(draft)
    if intent.aspect or intent.res:
        aspect = intent.aspect or _current_aspect(m)
        res = intent.res or _current_res(m)
        width, height = _size(aspect, res)
        m.update({"aspect": aspect, "width": width, "height": height})
        m.setdefault("fps", FPS)
        steps.append(Step("set_format", {"aspect": aspect, "resolution": f"{res}p"},
                          {"width": width, "height": height, "fps": _int(m.get("fps"), FPS)}))
        say(f"set the format to {aspect} ({width}×{height})", f"把画面改成了{aspect}（{width}×{height}）")

    # Music.
    musics = _music_segments(draft)
    if intent.no_music:
        removed = 0
        for track, seg in musics:
            _sg(track).remove(seg)
            removed += 1
        if intent.silent:
            for track in _tracks(draft):
                if _tt(track) == TRACK_AUDIO:
                    for seg in list(_segments(track)):
                        _sg(track).remove(seg)
                        removed += 1
        _drop_empty_tracks(draft, (TRACK_AUDIO,))
        steps.append(Step("set_music", {"mood": "none"}, {"removed": removed}))
        if removed:
            say("removed the music" + (" and sounds" if intent.silent else ""),
                "去掉了音乐" + ("和环境音" if intent.silent else ""))
        else:
            say("there was no music to remove", "本来就没有音乐")
        musics = []
    else:
        mood_change = intent.mood is not None and bool(
            intent.music_asked or re.search(r"(?<![a-z])more\s|一点|一些|点儿", norm) or len(norm.split()) <= 2
            or (re.search(r"(?<![a-z])(?:change|switch|set|make)(?![a-z]).{0,30}(?<![a-z])(?:to|it)(?![a-z])", norm)
                and not intent.subjects and not intent.quotes))
        audio_ref = "audio" in intent.uploads_ref
        audios = _media_assets(assets, ("audio",))
        if audio_ref and audios:
            a = audios[0]
            for track, seg in musics:
                _sg(track).remove(seg)
            bgm_track = _find_track(draft, TRACK_AUDIO, "BGM", kinds=("music", "audio"), create=True)
            assert bgm_track is not None
            vol = intent.volume if intent.volume is not None else ASKED_MUSIC_V
            seg = _audio_segment(ids, max(1, total), a, vol)
            _sg(bgm_track).append(seg)
            steps.append(Step("set_music", {"source": str(a.get("filename"))[:80], "volume": vol}, {"id": seg["id"]}))
            say(f"used {a.get('filename')} as background music", f"用{a.get('filename')}作背景音乐")
            musics = [(bgm_track, seg)]
        elif mood_change or (intent.music_asked and not musics and (
                _ADD_WORD.search(norm) or intent.mood or intent.volume is not None)):
            mood = intent.mood or _DEFAULT_MOOD.get(_first_scene(draft), "soft")
            if musics:
                for _track, seg in musics:
                    seg["k"] = "music"
                    seg["mood"] = mood
                    seg["n"] = _name(_MOOD_NAMES, mood, "en").capitalize() + " music"
                    seg.pop("src", None)
                    seg.pop("ss", None)
                steps.append(Step("set_music", {"mood": mood}, {"ids": [s.get("id") for _t, s in musics]}))
                say(f"changed the music to {_name(_MOOD_NAMES, mood, 'en')}",
                    f"把音乐换成了{_name(_MOOD_NAMES, mood, 'zh')}风格")
            else:
                vol = intent.volume if intent.volume is not None else ASKED_MUSIC_V
                bgm_track = _find_track(draft, TRACK_AUDIO, "BGM", kinds=("music", "audio"), create=True)
                assert bgm_track is not None
                seg = _music_segment(ids, max(1, total), mood, vol)
                _sg(bgm_track).append(seg)
                musics = [(bgm_track, seg)]
                steps.append(Step("set_music", {"mood": mood, "volume": round(vol, 2)}, {"id": seg["id"]}))
                say(f"added {_name(_MOOD_NAMES, mood, 'en')} background music at {round(vol * 100)}%",
                    f"加了{_name(_MOOD_NAMES, mood, 'zh')}背景音乐，音量{round(vol * 100)}%")
        volume_target: float | None = None
        about_music = intent.music_asked or bool(re.search(r"volume|音量|声音", norm))
        if intent.volume is not None and (about_music or not intent.quotes):
            volume_target = intent.volume
        if musics and (volume_target is not None or ((intent.louder or intent.quieter) and (
                about_music or not _ambient_named(intent)))):
            for _track, seg in musics:
                old = _float(seg.get("v"), ASKED_MUSIC_V)
                if volume_target is not None:
                    new = volume_target
                else:
                    new = old + (0.2 if intent.louder and not intent.quieter else -0.2)
                seg["v"] = round(max(0.0, min(1.0, new)), 2)
            level = round(_float(musics[0][1].get("v"), 0) * 100)
            steps.append(Step("set_volume", {"target": "music", "volume": level / 100},
                              {"ids": [s.get("id") for _t, s in musics]}))
            say(f"set the music volume to {level}%", f"把音乐音量调到{level}%")
        elif not musics and (volume_target is not None or intent.louder or intent.quieter) and about_music:
            notes.append("There is no music to change; say \"add soft music\" to add some." if not zh
                         else "现在没有音乐；说“加上轻柔的音乐”可以添加。")

    # Ambient sounds and elements: "add rain", "remove the birds".
    wanted_sounds = list(dict.fromkeys(intent.global_sounds + [s for subj in intent.subjects for s in subj.sounds]))
    wanted_els = []
    for subj in intent.subjects:
        if subj.scene in _MODIFIER_SCENES and not any(s.scene not in _MODIFIER_SCENES for s in intent.subjects):
            wanted_els.append(_MODIFIER_SCENES[subj.scene])
        wanted_els.extend(subj.els)
    wanted_els = list(dict.fromkeys(e for e in wanted_els if e in ELEMENTS))
    if wanted_sounds and re.search(r"(?<![a-z])(?:sounds?|noise|audio|ambience)(?![a-z])|声", norm):
        wanted_els = []  # "add rain sounds": the sound only
    adding = bool(_ADD_WORD.search(norm)) and not steps_contains(steps, ("plan_scenes", "add_scene", "swap_scene"))
    if adding and (wanted_sounds or wanted_els) and total > 0:
        video = _find_track(draft, TRACK_VIDEO, "Video")
        n_el = 0
        if video and wanted_els:
            for seg in _segments(video):
                if _seg_kind(video, seg) != "scene":
                    continue
                old_els: list[Any] = seg["el"] if isinstance(seg.get("el"), list) else []
                new_els = old_els + [e for e in wanted_els if e not in old_els]
                if new_els != old_els:
                    seg["el"] = new_els
                    n_el += 1
            if n_el:
                steps.append(Step("add_elements", {"elements": wanted_els}, {"segments": n_el}))
                names = [_name(_ELEMENT_NAMES, e, lang) for e in wanted_els]
                say(f"added {' and '.join(names)} to {n_el} scene(s)", f"给{n_el}个场景加上了{'、'.join(names)}")
        for snd in wanted_sounds:
            if snd not in AMBIENT:
                continue
            track = _ambient_track(draft, snd)
            if _segments(track):
                say(f"the {_name(_SOUND_NAMES, snd, 'en')} sound was already there",
                    f"{_name(_SOUND_NAMES, snd, 'zh')}本来就有")
                continue
            seg = _ambient_segment(ids, snd, 0, total)
            _sg(track).append(seg)
            steps.append(Step("add_ambient", {"sound": snd, "start_s": 0, "end_s": total / 1000}, {"id": seg["id"]}))
            say(f"added {_name(_SOUND_NAMES, snd, 'en')} sound", f"加上了{_name(_SOUND_NAMES, snd, 'zh')}")
    if intent.removed_words:
        gone = set(intent.removed_words)
        gone_els = {(_MODIFIER_SCENES.get(w, w)) for w in gone}
        gone_snds = {w for w in gone if w in AMBIENT} | {"birds" for w in gone if w == "birds"}
        n_removed = 0
        for track in _tracks(draft):
            for seg in list(_segments(track)):
                if _tt(track) == TRACK_VIDEO and isinstance(seg.get("el"), list):
                    kept = [e for e in seg["el"] if e not in gone_els]
                    if kept != seg["el"]:
                        n_removed += 1
                        if kept:
                            seg["el"] = kept
                        else:
                            seg.pop("el")
                if _tt(track) == TRACK_AUDIO and _seg_kind(track, seg) == "ambient" and seg.get("snd") in gone_snds:
                    _sg(track).remove(seg)
                    n_removed += 1
        _drop_empty_tracks(draft, (TRACK_AUDIO,))
        if n_removed:
            names = sorted(gone_els | gone_snds)
            steps.append(Step("remove_elements", {"elements": names}, {"segments": n_removed}))
            zh_names = [_name(_ELEMENT_NAMES if n in _ELEMENT_NAMES else _SOUND_NAMES, n, "zh") for n in names]
            say(f"removed {' and '.join(names)}", f"去掉了{'、'.join(zh_names)}")

    # Titles and captions.
    if _REMOVE_TITLE.search(norm):
        n = 0
        for track in _tracks(draft):
            if _tt(track) != TRACK_TEXT:
                continue
            for seg in list(_segments(track)):
                if _seg_kind(track, seg) == "title":
                    _sg(track).remove(seg)
                    n += 1
        _drop_empty_tracks(draft, (TRACK_TEXT,))
        steps.append(Step("remove_title", {}, {"removed": n}))
        say("removed the title" if n else "there was no title to remove", "去掉了标题" if n else "本来就没有标题")
    if _REMOVE_CAPTIONS.search(norm) and not intent.quotes:
        n = 0
        for track in _tracks(draft):
            if _tt(track) != TRACK_TEXT:
                continue
            for seg in list(_segments(track)):
                if _seg_kind(track, seg) in ("caption", "text"):
                    _sg(track).remove(seg)
                    n += 1
        _drop_empty_tracks(draft, (TRACK_TEXT,))
        steps.append(Step("remove_captions", {}, {"removed": n}))
        say(f"removed {n} caption(s)" if n else "there were no captions to remove",
            f"去掉了{n}条字幕" if n else "本来就没有字幕")
    change_title = re.search(r"(?:change|rename|set|update|make|replace)\s+(?:the\s+)?(?:title|heading)|"
                             r"(?:title|heading)\s+(?:to|should be|as)|标题(?:改|换)|(?:改|换)标题", norm)
    for q in intent.quotes:
        existing = [(t, s) for t in _tracks(draft) if _tt(t) == TRACK_TEXT for s in _segments(t)
                    if _seg_kind(t, s) == "title"]
        if q.kind == "title" and existing and (change_title or (q.st is None and q.end_ms is None
                                                                and not q.at_end and not q.middle)):
            _track, seg = existing[0]
            seg["txt"] = q.text
            if q.st is not None or q.at_end or q.middle or q.length is not None:
                st, d = _text_timing(q, total, TITLE_MS)
                seg["st"], seg["d"] = st, d
            m["title"] = _short(q.text, 80)
            steps.append(Step("change_title", {"text": _short(q.text)}, {"id": seg.get("id")}))
            say(f"changed the title to \"{_short(q.text, 40)}\"", f"把标题改成了「{_short(q.text, 40)}」")
            continue
        if total <= 0:
            continue
        seg, replaced = _add_text(draft, q, total, ids)
        if q.kind == "title":
            m["title"] = _short(q.text, 80)
        name = "add_caption" if q.kind == "caption" else ("change_title" if replaced else "add_title")
        steps.append(Step(name, {"text": _short(q.text), "start_s": _int(seg.get("st")) / 1000,
                                 "end_s": (_int(seg.get("st")) + _int(seg.get("d"))) / 1000}, {"id": seg.get("id")}))
        what_en = "caption" if q.kind == "caption" else "title"
        what_zh = "字幕" if q.kind == "caption" else "标题"
        say(f"added the {what_en} \"{_short(q.text, 40)}\" ({_span(_int(seg.get('st')), _int(seg.get('d')), 'en')})",
            f"加了{what_zh}「{_short(q.text, 40)}」（{_span(_int(seg.get('st')), _int(seg.get('d')), 'zh')}）")
    texts = [a for a in assets if a.get("file_type") == "text" and isinstance(a.get("text"), str)
             and a.get("text", "").strip()]
    if not texts and not intent.quotes and not steps and _CAPTIONS_FROM_SCRIPT.search(norm) \
            and not _REMOVE_CAPTIONS.search(norm):
        notes.append(_CANT[lang]["no_script"])
    if texts and total > 0 and not intent.quotes and not _REMOVE_CAPTIONS.search(norm) and (
            "text" in intent.uploads_ref or (_CAPTIONS_FROM_SCRIPT.search(norm) and _ADD_WORD.search(norm))):
        script = texts[0]
        cap_track = _find_track(draft, TRACK_TEXT, "Captions", kinds=("caption",), create=True)
        assert cap_track is not None
        for seg in _segments(cap_track):
            ids.used.discard(str(seg.get("id")))
        caps = _caption_segments(str(script["text"]), total, ids)
        cap_track["sg"] = caps
        steps.append(Step("add_captions", {"source": str(script.get("filename") or "script")[:80],
                                           "sentences": len(caps)}, {"segments": len(caps)}))
        say(f"added {len(caps)} captions from {script.get('filename')}",
            f"从{script.get('filename')}加了{len(caps)}条字幕")

    if not steps and not done and intent.subjects and not intent.removed_words and total > 0:
        # Only subjects ("sunset over the sea"): new scenes, the rest of the video kept.
        _replace_scenes(draft, intent, total, ids, steps, say, lang)
    if not steps and done:
        # Understood, but nothing to change ("make it 30 seconds" when it already is).
        return Plan(draft=None, reply=_finish_reply(_edit_reply(done, lang), notes, intent, lang), steps=[],
                    understood=True, language=language)
    if not steps:
        refusal = _not_understood(intent, language, has_draft=True)
        if notes:
            refusal.reply = " ".join(notes)
        return refusal
    reply = _edit_reply(done, lang)
    reply = _finish_reply(reply, notes, intent, lang)
    return Plan(draft=draft, reply=reply, steps=steps, understood=True, language=language)


def steps_contains(steps: list[Step], names: tuple[str, ...]) -> bool:
    return any(s.name in names for s in steps)


def _ambient_named(intent: _Intent) -> bool:
    return bool(intent.global_sounds or any(s.sounds for s in intent.subjects))


def _first_scene(draft: dict[str, Any]) -> str:
    for track in _tracks(draft):
        if _tt(track) == TRACK_VIDEO:
            for seg in _segments(track):
                scene = seg.get("scene")
                if isinstance(scene, str) and scene in SCENES:
                    return scene
    return "abstract"
