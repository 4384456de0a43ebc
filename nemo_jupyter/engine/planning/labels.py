"""Names of what is drawn, for segment labels and replies."""

from __future__ import annotations

from .brief import Actor, Scene
from .common import _name
from .lexicon import lexicon
from .vocabulary import _ELEMENT_NAMES, _PRODUCT_NOUNS, _SCENE_NAMES, _canon


def actor_name(a: Actor, lang: str) -> str:
    """What the reply calls an actor: the user's own word when it names what is drawn."""
    lex = lexicon()
    info = lex.info(a.s)
    if lang == "zh":
        if a.word and a.asked is None and not a.word.isascii() and lex.words["zh"].get(a.word) == a.s:
            return a.word
        return info.zh if info else a.s
    if a.word and a.asked is None and a.word.isascii() and (lex.words["en"].get(a.word) == a.s or a.word == a.s):
        return a.word
    return info.name if info else a.s.replace("_", " ")


def _join(names: list[str], lang: str) -> str:
    if lang == "zh":
        return "、".join(names[:-1]) + ("和" if len(names) > 1 else "") + names[-1]
    return ", ".join(names[:-1]) + (" and " if len(names) > 1 else "") + names[-1]


def _subject_label(subj: Scene, lang: str, els: list[str] | None = None) -> str:
    """ "forest with birds", "stage: cat and piano", "产品：耳机"."""
    scene = _scene_label(subj, lang, els)
    drawn = [a for a in subj.actors if a.s]  # (a thing with no drawing is not in the picture)
    if not drawn:
        return scene
    names = list(dict.fromkeys(actor_name(a, lang) for a in drawn))
    return (scene + "：" + _join(names, lang)) if lang == "zh" else (scene + ": " + _join(names, lang))


def _scene_label(subj: Scene, lang: str, els: list[str] | None = None) -> str:
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
