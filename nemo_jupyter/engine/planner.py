"""The planner: a user's prompt -> edits of the compact draft, deterministically.

No model weights: regular expressions and keyword tables (English and Simplified
Chinese; titles and captions in any language). The same input always gives the
same output. The app calls :func:`plan` from a worker thread and streams each
:class:`Step` as a tool call plus its result.

What it understands
-------------------
* Generation ("generate a 30-second video of a forest with birds and soft
  background music", "生成一个30秒的森林视频"): subjects become a sequence of
  illustrated scene segments (families in :data:`~nemo_jupyter.draft_format.SCENES`)
  in the order the user named them, about 5-10 s each, with varied camera moves
  and extra moving elements (``el``: "birds over a forest", "city at night" ->
  ``stars``). A clear generation request with no known subject gets an
  ``abstract`` scene and the reply says so.
* Durations ("30-second", "1.5 minutes", "30秒", "一分钟", "半分钟"); default 15 s
  (uploads: a length from the media, 5-60 s); clamped to 1-600 s with a note.
* Aspect (9:16 / 1:1 / 16:9 and their platform words) and resolution (720p, 1080p):
  ``m.width`` / ``m.height`` are the output size.
* Music: mood, "no music", volume ("35%", "quiet", "loud"). **Default music
  decision:** a *new* video always gets background music at its default volume (35 %) in the
  subject's default mood unless the user says "no music" / "silent"; the reply
  says how to remove it. Edits never add music unless asked.
* Ambient sound only where the prompt names it (birds, rain, waves, wind, fire,
  city noise): one ``k: ambient`` segment per sound, spanning the scenes of the
  clause that named it (or the whole video).
* Quoted text (straight, curly, 「」, 『』, 《》, «») as a title (default 0-3 s) or,
  after "caption"/"subtitle"/"字幕", a caption (default 3 s, bottom), with timing
  phrases ("for the first 3 seconds", "at the end", "from 5s to 8s", "at 5s",
  "前3秒", "第5秒"). Unquoted text counts too, but only after a phrase that clearly
  introduces it ("a title that says Hello", "titled Summer Days", "title: X", "add a title
  X", "with the caption X at 2s", "change the title to X", "标题是X", "加上标题：X"), up to
  a clear boundary (end of sentence, ", <instruction>", a timing phrase, " and <music/verb>",
  "about <subject>"), cut to 60 characters at a word; quoted text wins over it, and "a
  title card" / "the title sequence of a film" invent no title.
* Uploads ("turn my text and images into a 30-second promotional video"):
  images -> ``k: image`` with a slow pan/zoom, videos -> ``k: video`` trimmed with
  ``ss``/``d``, in upload order, filling the duration; a TXT script -> captions
  (sentences spread by length, bottom); uploaded audio -> BGM (``k: audio``).
* Edits of the current draft: duration (absolute, "10 seconds longer", "50%
  longer"; every segment rescaled proportionally), one scene's length ("make the
  forest scene longer": later segments move with it), aspect/resolution, music
  (remove, mood, volume, louder/quieter by 6 dB, said as heard under the loudness target:
  ``ops/set_volume.py``, an uploaded song), title
  (change/remove/add), captions (quoted, or from a TXT script), elements and
  sounds ("add rain", "remove the birds and rain, add snow": the last verb before
  a word decides), scenes ("change the forest to a desert" keeps ids; "make it
  about the ocean" or a bare subject replaces the scenes; "add a sunset scene at
  the end" adds 5 s), uploads ("use my photos instead"). A request that changes
  nothing ("make it 30 seconds" when it is) is understood with ``draft`` None.
* Narration (:mod:`.planning.narration`, :mod:`.planning.narrated`, ``ops/narrate.py``): "with a
  voice-over", "narrate the script", "no narration", "a slower voice", "a different voice",
  "change the second sentence to ..."; a new video from a TXT script (asked, or "turn my text and
  images into ...") is narrated: a ``voice`` segment and a caption per sentence, timed by the
  spoken length (the engine's voices measure it), a picture per sentence; a fixed length adapts
  the rate within 0.8-1.25x or the reply says by how much the script does not fit.
* Anything else (styles, translation, talking characters, gibberish, empty) -> ``understood``
  False, ``draft`` None, and a reply in the user's language listing what it can do.

Draft conventions chosen here (keys from :mod:`nemo_jupyter.draft_format`)
-----------------------------------------------------------------------
* Tracks, bottom to top: ``Video`` (tt 0), ``BGM`` (tt 1, ``music`` or ``audio``),
  one ``tt 1`` track per ambient sound (``ambient``), ``Title`` (tt 7, ``title``
  and ``text``), ``Captions`` (tt 7, ``caption``).
* Video segments abut exactly and never overlap; the video track covers exactly
  ``[0, d)``. ``tr: "fade"`` with ``trd`` ms on every segment but the first means:
  the renderer cross-fades into this segment at its start boundary, over ``trd``
  ms around the boundary, without changing any segment's timing or the total.
* Segments inside one text track do not overlap either (a new caption trims the
  one it would cover).
* Segment ids: ``v1..`` video, ``m1..`` music/BGM, ``a1..`` ambient, ``t1..``
  titles, ``c1..`` captions; new ids never reuse an existing one; edits keep ids
  and every unknown key; the input draft is never mutated.
* Volumes ``v`` are 0.0-1.0; text ``sz`` is px at a 1080-pixel short side.

Layout: this module is the entry point (routing: new video, edit, or a reply); the work is in
:mod:`.planning`:

* reading the prompt: ``language``, ``text`` (titles and captions), ``timing`` (durations and
  timing phrases), ``subjects`` (what to draw), ``vocabulary`` and ``cues`` (word tables and
  patterns), ``parse`` (all of it into an :class:`~.planning.brief.Brief`, small typed parts);
* making a new draft: ``generate``, with ``scenes`` (scene segments and actors), ``uploads``,
  ``tracks`` (music, ambient, titles, captions), ``labels`` (names of what is drawn);
* editing a draft: ``edit`` runs the operations of ``ops/``, one module per operation behind
  :class:`~.planning.ops.base.EditOp` (``wants(ctx)`` / ``apply(ctx)``), ordered in
  ``ops/registry.py``; add an operation there;
* ``draftops`` (defensive draft access), ``messages`` (replies), ``common`` (Plan, Step, limits).
"""

from __future__ import annotations

import logging
import re
from typing import Any

from .planning.account import account_line, checklist, settle
from .planning.answer import answer
from .planning.brief import Brief
from .planning.capabilities import scenes_reply
from .planning.catalogue import say, sentences
from .planning.common import MAX_PROMPT, Plan, Step
from .planning.draftops import _has_content
from .planning.edit import _edit
from .planning.generate import _generate
from .planning.language import _detect, detect_language
from .planning.messages import _help_reply, _not_understood, cant
from .planning.narrated import hint, narrate_new, wants_narration
from .planning.parse import _analyse

__all__ = ["Plan", "Step", "detect_language", "plan"]

_log = logging.getLogger(__name__)
_ENGLISH_WORD = re.compile(r"(?<![^\W_])(?:the|a|an|of|with|and|to|make|for|in|it|about|my|our|on|at|is|video|from|"
                           r"this|that|some|please|create|generate|add|show)(?![^\W_])")


def _clean_assets(assets: Any) -> list[dict[str, Any]]:
    if not isinstance(assets, (list, tuple)):
        return []
    return [a for a in assets if isinstance(a, dict)]


def _generate_narrated(brief: Brief, assets: list[dict[str, Any]], lang_code: str,
                       base: dict[str, Any] | None) -> Plan:
    """A new draft; narrated (storyboard by the spoken script) when asked or made from the user's text."""
    plan_ = _generate(brief, assets, lang_code, base)
    if plan_.draft is not None and wants_narration(brief, assets):
        return narrate_new(plan_, brief, assets, lang_code)
    return hint(plan_, brief, assets, lang_code)


def _plan(prompt: str, draft: dict[str, Any] | None, assets: list[dict[str, Any]], *,
          language: str | None = None) -> Plan:
    """:func:`plan` without its safety net (tests call this to see real errors): read the prompt
    into its brief, do what it asks, then account for every item of the brief."""
    assets = _clean_assets(assets)
    brief, plan_ = _route(prompt, draft, assets, language=language)
    brief.language = plan_.language
    if plan_.understood and plan_.draft is not None and brief.kind not in ("new", "edit"):
        brief.kind = "edit" if _has_content(draft) else "new"
    settle(brief, plan_.draft if plan_.draft is not None else draft, assets)
    line = account_line(brief) if brief.kind in ("new", "edit") or brief.what.unplaced else ""
    if line and not plan_.understood:  # nothing made: what was asked and not drawable, first
        plan_.reply = sentences(brief.language, [line, plan_.reply])
    elif line:
        plan_.reply = sentences(brief.language, [plan_.reply, line])
    plan_.brief = {**brief.to_json(), "checklist": checklist(brief)}
    return plan_


def _route(prompt: str, draft: dict[str, Any] | None, assets: list[dict[str, Any]], *,
           language: str | None = None) -> tuple[Brief, Plan]:
    brief = _read(prompt, assets, language)
    return brief, _decide(brief, draft, assets, language)


def _read(prompt: str, assets: list[dict[str, Any]], language: str | None) -> Brief:
    text = prompt if isinstance(prompt, str) else ""
    text = text[:MAX_PROMPT]
    detected, clear = _detect(text)
    sure = clear and (detected != "en" or bool(_ENGLISH_WORD.search(text.lower())))
    brief = _analyse(text, assets, detected.split("-")[0] if sure else None)
    # ``language`` (the session's) is a hint: a prompt clearly in another language wins.
    brief.language = language if isinstance(language, str) and language and not clear else detected
    return brief


def _decide(brief: Brief, draft: dict[str, Any] | None, assets: list[dict[str, Any]],
            language: str | None) -> Plan:
    """What the brief asks for: a new video, an edit, an answer, or a reply saying what the engine can do."""
    lang_code = brief.language
    has_draft = _has_content(draft)
    said = not brief.req.empty
    # (a question that asks the voice to change is a request, said politely: "can the narrator speak more slowly?")
    question = said and brief.req.question and not brief.req.help_scenes and not (
        brief.voice is not None and brief.voice.voice_edit)
    # a question about nothing of a video, with no video to ask about ("what's the capital of France?")
    outside = brief.req.outside or (question and not brief.req.about_video and not (has_draft or brief.what.scenes))
    if said and outside:
        brief.kind = "outside"  # "please file my taxes": not video making; the draft stays as it is
        _nothing_asked(brief)
        return Plan(draft=None, reply=say(lang_code, "outside"), steps=[], understood=False, language=lang_code)
    if brief.req.help and not brief.what.scenes:
        brief.kind = "help"  # "how do I add my own music?"
        _nothing_asked(brief)
        return _not_understood(brief, lang_code, has_draft=has_draft)
    if question and (has_draft or brief.req.about_video):
        brief.kind = "question"  # "how long is it?": answered from the draft, which stays as it is
        _nothing_asked(brief)
        return answer(brief, draft if has_draft else None, lang_code)
    plan_ = _decide_request(brief, draft, assets, lang_code, has_draft)
    if not plan_.understood and has_draft and brief.kind == "new":
        brief.kind = "edit"  # asked of the open video, even when nothing could be changed
    if plan_.understood:
        brief.kind = "edit" if has_draft and plan_.draft is not None and not brief.req.new_video else (
            "new" if plan_.draft is not None or not has_draft else "edit")
    return plan_


def _nothing_asked(brief: Brief) -> None:
    """A question or a request outside video making asks for nothing to be shown."""
    brief.what.scenes = []
    brief.relations = []
    brief.texts = []
    brief.uploads = []
    brief.unasked_uploads = []
    # ("which music is on it?", "how do I add my own music?": music named, none asked)
    brief.audio.music_asked = brief.audio.no_music = False
    brief.audio.mood = None


def _decide_request(brief: Brief, draft: dict[str, Any] | None, assets: list[dict[str, Any]], lang_code: str,
                    has_draft: bool) -> Plan:
    change = brief.voice.change if brief.voice is not None else None
    if change:  # "change the second sentence to "..."": the quote is the sentence, not a title
        brief.texts = [q for q in brief.texts if q.text.strip() not in change[1]]
    if brief.req.empty:
        brief.kind = "empty"
        return _not_understood(brief, lang_code, has_draft=has_draft)
    if brief.req.help_scenes:
        brief.kind = "capabilities"
        # "help scenes" / "what can you draw?": the capability list; nothing changes.
        return Plan(draft=None, reply=scenes_reply(lang_code), steps=[], understood=False,
                    language=lang_code)

    media_or_text = any(a.get("file_type") in ("image", "video", "text", "audio") for a in assets)
    understood_something = bool(
        brief.what.scenes or brief.texts or brief.length.duration_ms is not None or brief.fmt.aspect or brief.fmt.res
        or brief.audio.no_music or brief.audio.mood or brief.audio.music_asked or brief.audio.volume is not None
        or brief.audio.global_sounds or brief.what.removed_words or brief.audio.louder or brief.audio.quieter
        or (brief.req.uploads_ref and media_or_text) or brief.length.percent_change or brief.length.longer or brief.length.shorter
        or brief.length.duration_delta
        or brief.edit.remove_title or brief.edit.remove_captions
        or (has_draft and brief.edit.captions_from_script and brief.edit.add_word)
        or (brief.voice is not None and brief.voice.any)
        or any(u.role == "logo" and u.file for u in brief.uploads))  # "put my logo in the corner"

    # A clear request for a new video (and not "make it ..." about the current one).
    new_video = brief.req.generation and not (has_draft and brief.req.edit_lead)
    if has_draft and brief.req.generation and brief.req.edit_lead and not understood_something:
        new_video = False
    if "style" in brief.req.unsupported and brief.req.edit_lead:
        # "make it look like a Pixar movie": a change of style, which no scene can give.
        return _not_understood(brief, lang_code, has_draft=has_draft)
    if brief.req.uploads_ref and not brief.req.has_uploads and not brief.what.scenes:
        # "turn my images into a video" with nothing uploaded: say so, draw nothing.
        return _not_understood(brief, lang_code, has_draft=has_draft)
    if not has_draft:
        if brief.voice is not None and brief.voice.add and any(a.get("file_type") == "text" for a in assets):
            return _generate_narrated(brief, assets, lang_code, None)  # "narrate my script"
        if brief.req.generation and brief.req.unsupported and not (brief.what.scenes or brief.req.uploads_ref):
            return _not_understood(brief, lang_code, has_draft=False)
        if brief.req.generation or brief.what.scenes or (brief.req.uploads_ref and media_or_text):
            return _generate_narrated(brief, assets, lang_code, None)
        # Only settings ("vertical, 20 seconds, lo-fi music") and no video yet: make one;
        # but "make it vertical" asks to change a video that is not there.
        if understood_something and not brief.req.unsupported and not brief.req.edit_lead and (
                brief.length.duration_ms is not None or brief.fmt.aspect or brief.texts or brief.audio.mood):
            return _generate_narrated(brief, assets, lang_code, None)
        plan_ = _not_understood(brief, lang_code, has_draft=False)
        if understood_something and not brief.req.unsupported:
            plan_.reply = sentences(lang_code, [cant(lang_code, "no_draft"),
                                                plan_.reply.replace(cant(lang_code, "nothing"), "")])
        return plan_
    assert isinstance(draft, dict)
    if new_video and (brief.what.scenes or (brief.req.uploads_ref and media_or_text)) and not brief.edit.add_scene \
            and not brief.edit.replace_scenes:
        brief.req.new_video = True
        return _generate_narrated(brief, assets, lang_code, draft)
    if not understood_something:
        return _not_understood(brief, lang_code, has_draft=True)
    return _edit(brief, draft, assets, lang_code)


def plan(prompt: str, draft: dict[str, Any] | None, assets: list[dict[str, Any]], *,
         language: str | None = None) -> Plan:
    """Plan one prompt against the current draft.

    ``language`` is a hint, typically the session's language: it decides the reply's
    language when the prompt itself does not say clearly ("720p", "lofi"); a prompt
    clearly written in another language is answered in that language.

    Returns a :class:`Plan`: the new draft (a new object; ``draft`` is never
    mutated) or None when nothing changed, the reply in plain words, and the steps
    taken. Never raises on odd input: a prompt or draft it cannot use gives
    ``understood=False`` and a reply saying what it can do.
    """
    try:
        return _plan(prompt, draft, assets, language=language)
    except Exception:  # pragma: no cover - the safety net; tests call _plan directly
        _log.exception("the planner failed on a prompt of %d characters; the draft was left as it was",
                       len(prompt) if isinstance(prompt, str) else 0)
        lang = language if isinstance(language, str) and language else detect_language(
            prompt if isinstance(prompt, str) else "")
        return Plan(draft=None, reply=_help_reply(lang, ["nothing"]), steps=[], understood=False, language=lang)
