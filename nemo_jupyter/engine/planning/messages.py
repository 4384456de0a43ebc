"""Replies: what was done, and what the planner can do, in the user's language (the words are in the
message catalogues, ``data/messages/<lang>.json``)."""

from __future__ import annotations

import re

from nemo_jupyter.draft_format import SCENES

from .brief import Brief
from .catalogue import capital, say, sentences
from .common import Plan

#: why nothing was done, before the list of what can be (keys ``cant_<reason>`` of the catalogues)
REASONS = ("empty", "style", "translate", "voice", "characters", "nothing", "no_draft", "export", "no_uploads",
           "no_script")


def cant(language: str, reason: str) -> str:
    """Why a request was not done, in the user's language."""
    return say(language, f"cant_{reason}")


def _help_reply(language: str, reasons: list[str]) -> str:
    return sentences(language, [*(cant(language, r) for r in reasons if r in REASONS), say(language, "help", n_scenes=len(SCENES))])


def _finish_reply(body: str, notes: list[str], brief: Brief, lang: str) -> str:
    """The reply of a turn that changed the video: what was done, the notes, what could not be done
    as asked, and how to render it."""
    extra = list(notes)
    if brief.fmt.aspect_note:
        extra.append(say(lang, "note_aspect", ratio=brief.fmt.aspect_note))
    if brief.fmt.res_note:
        extra.append(say(lang, "note_res", res=brief.fmt.res_note))
    for what in brief.req.unsupported:
        if what != "characters":
            extra.append(cant(lang, what))
    return sentences(lang, [body, *extra, say(lang, "tail_export")])


def _edit_reply(done: list[str], lang: str) -> str:
    """What an edit did, one clause per operation ("Removed the title; set the music volume to 18%.")."""
    if len(done) > 8:
        done = [*done[:7], say(lang, "more_changes", n=len(done) - 7)]
    if not done:
        return ""
    return capital(lang, say(lang, "done_sep").join(done)) + say(lang, "done_end")


_EXPORT_ASK = re.compile(r"^\W*(?:please\s+)?(?:export|render|download|save)(?:\s+(?:it|the video|this|now|"
                         r"please))*\W*$|^\W*(?:导出|渲染|下载|保存)(?:视频|一下|吧)?\W*$|"
                         r"^\W*(?:exportieren|rendern|exportar|renderizar|exporter|esporta(?:re)?|"
                         r"エクスポート(?:して)?|書き出して|내보내기|내보내 줘|렌더링해 줘)\W*$")
_HELP_ASK = re.compile(r"^\W*(?:help|\?|what can you do|what do you do|how does this work|what are you|"
                       r"hi|hello|hey|你好|您好|帮助|你能做什么|你会什么|怎么用|"
                       r"hilfe|hallo|was kannst du|ayuda|hola|qué puedes hacer|aide|bonjour|salut|que peux-tu faire|"
                       r"ajuda|olá|oi|o que você pode fazer|aiuto|ciao|cosa puoi fare|ヘルプ|こんにちは|何ができる(?:の|ますか)?|"
                       r"도움말|도와줘|안녕(?:하세요)?|뭘 할 수 있어)\W*$")


def _not_understood(brief: Brief, language: str, *, has_draft: bool) -> Plan:
    reasons: list[str] = []
    if brief.req.empty:
        reasons.append("empty")
        brief.kind = "empty"
    elif brief.req.help:
        reasons.append("help")
        brief.kind = "help"
    elif brief.req.export:
        reasons.append("export")
        brief.kind = "export"
    if brief.req.uploads_ref and not brief.req.has_uploads:
        reasons.append("no_uploads")
    reasons.extend(brief.req.unsupported)
    if not reasons and not brief.what.unplaced:  # (things named and not drawable are said instead)
        reasons.append("nothing")
    if reasons == ["help"]:
        reasons = []
    if reasons and reasons[0] in ("export", "no_uploads"):
        # Say only that: the list of everything else would bury it.
        return Plan(draft=None, reply=sentences(language, [cant(language, r) for r in reasons if r in REASONS]),
                    steps=[], understood=False, language=language)
    return Plan(draft=None, reply=_help_reply(language, reasons), steps=[], understood=False, language=language)
