"""Names of what is drawn, for segment labels and replies."""

from __future__ import annotations

from .common import _name
from .intent import Subject
from .vocabulary import _ELEMENT_NAMES, _PRODUCT_NOUNS, _SCENE_NAMES, _canon


def _subject_label(subj: Subject, lang: str, els: list[str] | None = None) -> str:
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
