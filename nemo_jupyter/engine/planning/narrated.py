"""A narrated video from a script: one picture per sentence, timed by the spoken sentence.

The new-video path of narration (edits are :mod:`.ops.narrate`): the planner makes its draft as
usual (format, music, sounds, title), then :func:`narrate_new` speaks the script, lays captions in
time with it and puts a picture under each sentence: the uploaded photos in order, or a drawn
scene that depicts the sentence (:func:`.storyboard.script_scenes`: the subject vocabulary read
from the sentence itself; a sentence that names nothing drawable keeps the scene before it).
"""

from __future__ import annotations

from typing import Any

from nemo_jupyter.draft_format import TRACK_AUDIO, TRACK_TEXT, TRACK_VIDEO

from ..render.sound.voice import default_voice
from . import narration as N
from .brief import Actor, Brief, Scene
from .catalogue import say
from .common import Plan, Step, _lang_key, _name, _secs, _span
from .draftops import _Ids, _segments, _tracks
from .labels import _subject_label
from .messages import _finish_reply
from .placing import anim_for, title_of
from .spoken import point_sentences, scene_sentences, voiceover_lines
from .storyboard import product_prompt, script_scenes
from .subjects import sentence_subjects
from .topics import spoken
from .topics import title as topic_title
from .tracks import _split_sentences
from .vocabulary import _MOOD_NAMES

MAX_SENTENCES = 60


def _caption_segments(draft: dict[str, Any]) -> list[dict[str, Any]]:
    """The draft's captions in order; the ones a prompt asked ("Clouds!" when the clouds form) left
    out when the scenes have captions of their own (a lesson's steps, which the voice says)."""
    caps = [s for t in _tracks(draft) if t.get("tt") == TRACK_TEXT for s in _segments(t)
            if s.get("k") == "caption" and str(s.get("txt") or "").strip()]
    own = [s for s in caps if s.get("role") != "caption"]
    caps = own or caps
    caps.sort(key=lambda s: s.get("st") or 0)
    return caps


def script_sentences(draft: dict[str, Any] | None, assets: list[dict[str, Any]]) -> list[str]:
    """The words to narrate: the first uploaded TXT script, else the draft's captions in order."""
    for a in assets:
        if a.get("file_type") == "text" and isinstance(a.get("text"), str) and a["text"].strip():
            return _split_sentences(str(a["text"]))[:MAX_SENTENCES]
    return [" ".join(str(s["txt"]).split()) for s in _caption_segments(draft or {})][:MAX_SENTENCES]


def caption_scenes(draft: dict[str, Any]) -> list[dict[str, Any]] | None:
    """The drawn scene under each of the draft's captions, in order, when every caption starts with
    a scene of its own (a topic's steps: "Condensation" over the clouds; a scene no caption is over,
    an intro, is left out); None otherwise."""
    caps = _caption_segments(draft)
    scenes = [s for t in _tracks(draft) if t.get("tt") == TRACK_VIDEO for s in _segments(t)]
    at = {s.get("st") or 0: s for s in scenes}
    under = [at.get(c.get("st") or 0) for c in caps]
    if not caps or any(s is None or s.get("k") != "scene" for s in under) or len({id(s) for s in under}) != len(caps):
        return None
    return [s for s in under if s is not None]


def has_script(assets: list[dict[str, Any]]) -> bool:
    return any(a.get("file_type") == "text" and str(a.get("text") or "").strip() for a in assets)


def wants_narration(brief: Brief, assets: list[dict[str, Any]]) -> bool:
    """A new video is narrated when asked, or when it is made from the user's text and pictures
    ("turn my text and images into a promotional video")."""
    ask = brief.voice if brief.voice is not None else N.asks("", "")
    if ask.remove:
        return False
    pictures = any(a.get("file_type") in ("image", "video") for a in assets)
    uses_text = bool(brief.req.uploads_ref & {"text", "all"})
    return ask.add or ask.voice_edit or (has_script(assets) and pictures and uses_text)


def hint(plan: Plan, brief: Brief, assets: list[dict[str, Any]], language: str) -> Plan:
    """A new video made from a script without narration: say how to hear it."""
    if plan.draft is None or not has_script(assets) or (brief.voice is not None and brief.voice.remove):
        return plan
    if not any(s.get("k") == "caption" for t in _tracks(plan.draft) for s in _segments(t)):
        return plan
    zh = _lang_key(language) == "zh"
    plan.reply += ("说“给脚本配旁白”可以听到它。" if zh else " Say \"narrate the script\" to hear it spoken.")
    return plan


def narrate_new(plan: Plan, brief: Brief, assets: list[dict[str, Any]], language: str) -> Plan:
    """Narrate the new draft of ``plan`` (from :func:`~.generate._generate`) and re-time it by the voice."""
    draft = plan.draft
    if draft is None:
        return plan
    lang = _lang_key(language)
    zh = lang == "zh"
    lines = voiceover_lines(brief)
    if lines:  # "a voiceover saying '...'": the user's own lines, over the pictures as they are
        return _voice_over(plan, brief, lines, language)
    sentences = script_sentences(draft, assets)
    ids = _Ids(draft)
    video = next((t for t in _tracks(draft) if t.get("tt") == TRACK_VIDEO), None)
    old_pics = sorted(_segments(video) if video else [], key=lambda s: s.get("st") or 0)
    # the captions' own scenes (a topic's steps), said as whole sentences where the step has one
    captioned = None if has_script(assets) else caption_scenes(draft)
    said_topic = False
    points = len(sentences)
    if not sentences:  # no words at all: its title, then what each scene shows
        scenes = [s for s in old_pics if s.get("k") == "scene"]
        sentences = scene_sentences(_said_title(brief, language), scenes, language)
        captioned = scenes if scenes and sentences else None
        points = len(scenes)
        if not sentences:
            plan.reply += " " + ("要加旁白，需要文字：先上传一个TXT脚本，或加几条字幕。" if zh else
                                 "Narration needs words: upload a TXT script or add captions first.")
            return plan
    elif captioned is not None:
        said = [spoken(s, language.split("-")[0], list(brief.what.topics)) for s in sentences]
        said_topic = any(said)
        listed = {q.text.strip() for q in brief.texts if q.listed and q.role in ("item", "step")}
        if said_topic:
            sentences = [w or s for w, s in zip(said, sentences, strict=True)]
        elif brief.what.topics or (listed and {s.strip() for s in sentences} <= listed):
            # the prompt's points (or a lesson's steps where it has no words in this language), in full
            sentences = point_sentences(sentences, language, _said_title(brief, language))
    res = N.narrate(draft, sentences, lang=language, ids=ids, fit=brief.length.duration_ms)
    uploads = [s for s in old_pics if s.get("k") in ("image", "video")]
    labels: list[str] = []
    source = ("uploads" if uploads else
              "captions" if captioned is not None and len(captioned) == points else "sentences")
    if source == "uploads":
        pictures = [{k: v for k, v in s.items() if k not in ("st", "d", "id")} for s in uploads]
        labels = [str(s.get("n") or s.get("k")) for s in uploads]
    elif source == "captions" and captioned is not None:
        pictures = [{k: v for k, v in s.items() if k not in ("st", "d", "id")} for s in captioned]
        labels = [_scene_segment_label(s, lang) for s in captioned]
    else:
        # one drawn scene per sentence, depicting what it names (the engine's subject vocabulary)
        caps = [{"txt": t, "st": 0, "d": 1_000} for t in sentences]
        segs, drawn = script_scenes(caps, list(brief.what.scenes), lang, _Ids(None),
                                    lambda t: sentence_subjects(t, language.split("-")[0]),
                                    hero=product_prompt(brief))
        pictures = [{k: v for k, v in s.items() if k not in ("st", "d", "id")} for s in segs]
        labels = [_subject_label(subj, lang) for subj in drawn]
    N.storyboard(draft, res, pictures, ids)
    _in_time(draft, brief, source)
    lay = res.lay
    plan.steps.append(Step("narrate", {"sentences": len(sentences), "voice": res.voice.name, "rate": lay.rate},
                           {"duration_s": lay.total / 1000, "speech_s": lay.speech / 1000}))
    plan.steps.append(Step("storyboard", {"pictures": len(pictures), "from": source},
                           {"segments": [s.get("id") for s in _segments(video or {})][:50]}))
    plan.reply = _reply(draft, res, labels, brief, assets, lang, said_topic=said_topic)
    return plan


def _said_title(brief: Brief, language: str) -> str | None:
    """A title the narrator may say first: the prompt's own, or its topic's in the video's language
    (never a scene's name in another language)."""
    own = title_of(brief)
    if own:
        return own
    base = language.split("-")[0]
    return next((t for t in (topic_title(x, base) for x in brief.what.topics) if t), None)


def _in_time(draft: dict[str, Any], brief: Brief, source: str) -> None:
    """After the storyboard: the captions come in as the video's kind asks, and a caption asked "when X"
    shows over the picture of X again (the pictures moved with the sentences)."""
    anim = anim_for(brief.template, "caption")
    video = next((t for t in _tracks(draft) if t.get("tt") == TRACK_VIDEO), {})
    pics = sorted((s for s in _segments(video) if s.get("k") != "overlay"), key=lambda s: s.get("st") or 0)
    whens = {q.text.strip(): q.scene for q in brief.texts if q.when and q.scene is not None}
    for t in _tracks(draft):
        if t.get("tt") != TRACK_TEXT:
            continue
        for seg in _segments(t):
            if seg.get("k") == "caption":
                seg.setdefault("anim", anim)
            idx = whens.get(str(seg.get("txt") or "").strip())
            if idx is not None and source == "captions" and idx < len(pics):
                seg["st"], seg["d"] = pics[idx]["st"], pics[idx]["d"]


def _voice_over(plan: Plan, brief: Brief, lines: list[str], language: str) -> Plan:
    """The voice-over lines spoken over the video as it is (no captions of their own: the words are
    the user's, said, not shown); the video grows to hold them when no length was asked."""
    draft = plan.draft
    assert draft is not None
    ids = _Ids(draft)
    voice = default_voice(language).name
    natural = N.fit_rate(lines, voice, 1.0, language, None).total
    fit = brief.length.duration_ms or max(int(draft.get("d") or 0), natural)
    res = N.narrate(draft, lines, lang=language, ids=ids, fit=fit, captions=False)
    lay = res.lay
    plan.steps.append(Step("narrate", {"sentences": len(lines), "voice": res.voice.name, "rate": lay.rate,
                                       "from": "voiceover"},
                           {"duration_s": lay.total / 1000, "speech_s": lay.speech / 1000}))
    plan.reply = (plan.reply + " " + say(language, "voiceover_done", n=len(lines), voice=res.voice.label,
                                         speech=_secs(lay.speech))).strip()
    if lay.needed:
        plan.reply += " " + N.does_not_fit(lay, _lang_key(language) == "zh")
    return plan


def silent_note(lay: N.Layout, language: str, fit_rate: Any) -> str:
    """When a length was asked and the voice fills less than 60 % of it: how much is silent, and the
    length the voice fills (``fit_rate``: the natural layout's total, ms)."""
    if not lay.asked or lay.needed or lay.speech >= 0.6 * lay.total:
        return ""
    return say(language, "narr_silent", speech=_secs(lay.speech), total=_secs(lay.total),
               silent=_secs(lay.total - lay.speech), fit=_secs(fit_rate))


def _scene_segment_label(seg: dict[str, Any], lang: str) -> str:
    """A drawn scene segment in the reply's words ("ocean: sun and droplet", "海洋：太阳和水滴")."""
    scene = str(seg.get("scene") or "abstract")
    acts = [Actor(s=str(a["s"]), art=str(a.get("art") or "")) for a in seg.get("act") or []
            if isinstance(a, dict) and a.get("s")]
    els = [str(e) for e in seg.get("el") or [] if isinstance(e, str)]
    return _subject_label(Scene(scene=scene, els=els, sounds=[], label_terms=[scene], pos=0, actors=acts), lang)


def _reply(draft: dict[str, Any], res: N.Narrated, labels: list[str], brief: Brief,
           assets: list[dict[str, Any]], lang: str, *, said_topic: bool = False) -> str:
    zh = lang == "zh"
    lay = res.lay
    m = draft.get("m") or {}
    total = lay.total
    video = next((t for t in _tracks(draft) if t.get("tt") == TRACK_VIDEO), {})
    segs = sorted(_segments(video), key=lambda s: s.get("st") or 0)
    script = next((str(a.get("filename")) for a in assets if a.get("file_type") == "text"), "")
    src = script or (("主题的讲解词" if zh else "the topic's script") if said_topic else ("字幕" if zh else "the captions"))
    pics = [f"{lab}（{_span(s['st'], s['d'], lang)}）" if zh else f"{lab} ({_span(s['st'], s['d'], lang)})"
            for s, lab in zip(segs, labels, strict=False)]
    if len(pics) > 6:
        pics = [*pics[:5], f"另有{len(pics) - 5}个" if zh else f"{len(pics) - 5} more"]
    music = next((s for t in _tracks(draft) if t.get("tt") == TRACK_AUDIO for s in _segments(t)
                  if s.get("k") in ("music", "audio")), None)
    if zh:
        body = (f"用{src}做了一个{_secs(total)}秒的配音视频（{m.get('aspect', '16:9')}，{m.get('width')}×{m.get('height')}）："
                f"{len(res.sentences)}句，每句配一个画面：" + "、".join(pics) + "。"
                f"旁白：{res.voice.label}，语速{lay.rate:.2f}×，共{_secs(lay.speech)}秒语音，字幕与每句同步。")
        if music is not None:
            mood = _name(_MOOD_NAMES, str(music.get("mood") or "soft"), lang) if music.get("k") == "music" else "上传的"
            body += f"{mood}背景音乐在说话时自动压低。"
    else:
        body = (f"Made a {_secs(total)}-second narrated {m.get('aspect', '16:9')} video ({m.get('width')}×"
                f"{m.get('height')}) from {src}: {len(res.sentences)} sentences, each with its own picture: "
                + ", ".join(pics) + f". Narration: {res.voice.label} at {lay.rate:.2f}× ({_secs(lay.speech)} s "
                "of speech), captions in time with each sentence.")
        if music is not None:
            mood = (_name(_MOOD_NAMES, str(music.get("mood") or "soft"), lang).capitalize() + " background music"
                    if music.get("k") == "music" else "Your music")
            body += f" {mood} dips under the voice."
    notes = []
    if brief.length.duration_ms is not None and lay.rate != 1.0 and not lay.needed:
        notes.append(f"为了放进{_secs(brief.length.duration_ms)}秒，语速调到了{lay.rate:.2f}×。" if zh else
                     f"To fit {_secs(brief.length.duration_ms)} s the voice speaks at {lay.rate:.2f}×.")
    if lay.needed:
        notes.append(N.does_not_fit(lay, zh))
    silent = silent_note(lay, lang, N.layout(lay.durs, None)[1])
    if silent:
        notes.append(silent)
    notes.append("不要配音的话说“不要旁白”。" if zh else "Say \"no narration\" to remove the voice, "
                 "\"a slower voice\" or \"a different voice\" to change it.")
    return _finish_reply(body, notes, brief, lang)
