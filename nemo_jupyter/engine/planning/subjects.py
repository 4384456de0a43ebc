"""Subjects of a prompt: the scenes to draw, clause by clause, with elements and sounds."""

from __future__ import annotations

import bisect
import re

from nemo_jupyter.draft_format import ELEMENTS

from .intent import Intent, Subject
from .vocabulary import (
    _ELEMENT_HOME,
    _ELEMENT_LOOKUP,
    _IMPLIED_EL,
    _MODIFIER_SCENES,
    _NEG_BEFORE,
    _SCENE_LOOKUP,
    _SCENE_RE,
    _SOUND_LOOKUP,
    _SOUND_RE,
    _WEAK_LOOKUP,
    _canon,
    _lookup,
)


def _negated(norm: str, start: int) -> bool:
    return bool(_NEG_BEFORE.search(norm[max(0, start - 24):start]))


_WITH_LEAD = re.compile(r"\s*(?:with|and|plus|also|有|带|带着|还有|伴随|伴着|配上|加上|并且|并有|和)")
_CLAUSE_SPLIT = re.compile(r"[,;.!?:\n，；。！？：、]|(?<![a-z])(?:then|followed by|after that|afterwards|next|"
                           r"and finally|finally|ending with|ends with|before|transitioning to|into)(?![a-z])|"
                           r"然后|接着|之后|再到|最后|随后|再是")


_VERB_RE = re.compile(
    r"(?P<rem>(?<![a-z])(?:remove|delete|drop|without|no|get rid of|take out|take away|lose|stop|minus)(?![a-z])|"
    r"去掉|删除|删掉|移除|不要|拿掉|去除)|"
    r"(?P<add>(?<![a-z])(?:add|put|include|insert|with|plus|make|create|generate|show|want|use)(?![a-z])|"
    r"加上|添加|增加|加|生成|做|制作|来点|要)")
_SOUND_ONLY = re.compile(r"(?<![a-z])(?:sounds?|noises?|audio|ambience)(?![a-z])|声")


class _Verbs:
    """The add/remove verbs of a prompt, to ask which one last came before a word."""

    def __init__(self, norm: str) -> None:
        found = [(m.end(), bool(m.group("rem"))) for m in _VERB_RE.finditer(norm)]
        self.ends = [end for end, _rem in found]
        self.removes = [rem for _end, rem in found]

    def removing(self, pos: int) -> bool:
        """Whether the last verb before ``pos`` removes ("remove the birds and rain, add snow")."""
        i = bisect.bisect_right(self.ends, pos) - 1
        return i >= 0 and self.removes[i]


def _find_subjects(norm: str, intent: Intent) -> None:
    verbs = _Verbs(norm)
    clauses: list[tuple[int, int]] = []
    pos = 0
    for m in _CLAUSE_SPLIT.finditer(norm):
        clauses.append((pos, m.start()))
        pos = m.end()
    clauses.append((pos, len(norm)))
    pending_els: list[str] = []
    for c_start, c_end in clauses:
        text = norm[c_start:c_end]
        mains: list[tuple[str, int, str]] = []
        mods: list[tuple[str, int]] = []
        els: list[str] = []
        for m in _SCENE_RE.finditer(text):
            if _negated(norm, c_start + m.start()) or verbs.removing(c_start + m.start()):
                word = _lookup(m.group(0), _SCENE_LOOKUP) or _lookup(m.group(0), _ELEMENT_LOOKUP)
                if word:
                    intent.what.removed_words.append(word)
                continue
            found = m.group(0)
            scene = _lookup(found, _SCENE_LOOKUP)
            implied = _IMPLIED_EL.get(_canon(found))
            if implied and implied not in els:
                els.append(implied)
            if scene is not None:
                if scene in _MODIFIER_SCENES:
                    mods.append((scene, m.start()))
                else:
                    mains.append((scene, m.start(), found))
                continue
            el = _lookup(found, _ELEMENT_LOOKUP)
            if el is not None:
                els.append(el)
                continue
            if _lookup(found, _WEAK_LOOKUP):
                intent.what.weak_subject = True
        sounds: list[str] = []
        for m in _SOUND_RE.finditer(text):
            if _negated(norm, c_start + m.start()) or verbs.removing(c_start + m.start()):
                snd = _lookup(m.group(0), _SOUND_LOOKUP)
                if snd and snd not in intent.what.removed_words:
                    intent.what.removed_words.append(snd)
                continue
            snd = _lookup(m.group(0), _SOUND_LOOKUP)
            if snd and snd not in sounds:
                sounds.append(snd)
        if not mains and mods and intent.what.subjects and _WITH_LEAD.match(text):
            # "森林视频，有鸟叫" / "a forest, with birds": modifiers of the previous subject.
            prev = intent.what.subjects[-1]
            for scene, _p in mods:
                el = _MODIFIER_SCENES[scene]
                if el not in prev.els:
                    prev.els.append(el)
            for snd in sounds:
                if snd not in prev.sounds:
                    prev.sounds.append(snd)
            mods = []
            sounds = []
        if not mains and sounds and _SOUND_ONLY.search(text):
            # "rain and wind sounds": sounds for the whole video, not a rain scene.
            mods = []
        if not mains and mods:
            first = min(mods, key=lambda x: x[1])
            mains.append((first[0], first[1], first[0]))
            mods = [x for x in mods if x is not first]
        for scene, _p in mods:
            el = _MODIFIER_SCENES[scene]
            if el not in els:
                els.append(el)
        if not mains:
            if els:
                if intent.what.subjects:
                    for el in els:
                        for subj in intent.what.subjects[-1:]:
                            if el not in subj.els:
                                subj.els.append(el)
                else:
                    pending_els.extend(e for e in els if e not in pending_els)
            for snd in sounds:
                if snd not in intent.audio.global_sounds:
                    intent.audio.global_sounds.append(snd)
            continue
        seen: list[str] = []
        for scene, p, found in sorted(mains, key=lambda x: x[1]):
            if scene in seen:
                continue
            seen.append(scene)
            subj_els = [e for e in pending_els + els if e in ELEMENTS]
            subj_els = list(dict.fromkeys(subj_els))
            intent.what.subjects.append(Subject(scene=scene, els=subj_els, sounds=list(sounds),
                                            label_terms=[found], pos=c_start + p))
        pending_els = []
    if pending_els and not intent.what.subjects:
        home = _ELEMENT_HOME.get(pending_els[0], "abstract")
        intent.what.subjects.append(Subject(scene=home, els=[e for e in pending_els if e != home
                                                         and _ELEMENT_HOME.get(e) != home],
                                        sounds=[], label_terms=[home], pos=0))
