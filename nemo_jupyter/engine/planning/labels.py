"""Names of what is drawn, for segment labels and replies."""

from __future__ import annotations

from typing import Any

from .brief import Actor, Scene
from .catalogue import and_join, lang_of, say, scene_name, subject_name
from .common import _name
from .lexicon import lexicon
from .read.grammar import grammar
from .vocabulary import _ELEMENT_NAMES, _PRODUCT_NOUNS, _SCENE_NAMES, _SOUND_NAMES, _canon


def actor_name(a: Actor, lang: str) -> str:
    """What the reply calls an actor: the user's own word when it names what is drawn."""
    lex = lexicon()
    info = lex.info(a.s)
    if lang not in ("en", "zh"):
        if a.word and a.asked is None and lex.words.get(lang, {}).get(a.word.lower()) == a.s:
            return subject_word(a.word, lang)
        return subject_name(a.s, lang)
    if lang == "zh":
        if a.word and a.asked is None and not a.word.isascii() and lex.words["zh"].get(a.word) == a.s:
            return a.word
        return info.zh if info else a.s
    if a.word and a.asked is None and a.word.isascii() and (lex.words["en"].get(a.word) == a.s or a.word == a.s):
        return a.word
    return info.name if info else a.s.replace("_", " ")


def _join(names: list[str], lang: str) -> str:
    if lang not in ("en", "zh"):
        return and_join(lang, names)
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
    if lang not in ("en", "zh"):
        return say(lang, "scene_actors", scene=scene, actors=_join(names, lang))
    return (scene + "：" + _join(names, lang)) if lang == "zh" else (scene + ": " + _join(names, lang))


def _scene_label(subj: Scene, lang: str, els: list[str] | None = None) -> str:
    els = subj.els if els is None else els
    if lang not in ("en", "zh"):
        shown = [e for e in els if e != subj.scene]
        name = scene_name(subj.scene, lang)
        if not shown:
            return name
        # (the elements as written after "with": German "mit Sternen")
        return say(lang, "scene_els", scene=name, els=_join([say(lang, f"el_with_{e}") for e in shown], lang))
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


def element_name(el: str, lang: str) -> str:
    """A moving element ("birds", "rain") in the reply's language."""
    return _name(_ELEMENT_NAMES, el, lang) if lang in ("en", "zh") else say(lang, f"el_{el}")


def sound_name(snd: str, lang: str) -> str:
    """An ambient sound ("bird song", "rain") in the reply's language."""
    return _name(_SOUND_NAMES, snd, lang) if lang in ("en", "zh") else say(lang, f"sound_{snd}")


def quality_word(table: str, value: str, lang: str) -> str:
    """A colour or a size (``table``: ``colours``, ``sizes``) as the reply's language says it: the
    shortest colour word of the language's grammar file ("rouge", "rot", "赤"), its first size word
    ("minuscule", "riesig"), else ``value``."""
    words = [] if lang_of(lang) == "en" else grammar(lang_of(lang)).data.get(table, {}).get(value) or []
    return (min(words, key=len) if table == "colours" else words[0]) if words else value


def subject_word(word: str, lang: str) -> str:
    """The user's word for a subject as the reply writes it (German nouns with a capital)."""
    return word[:1].upper() + word[1:] if lang_of(lang) == "de" else word


def segment_label(seg: dict[str, Any], lang: str) -> str:
    """A drawn scene segment of a draft in the reply's words ("ocean: sun and droplet", "海洋：太阳和水滴")."""
    scene = str(seg.get("scene") or "abstract")
    acts = [Actor(s=str(a["s"]), art=str(a.get("art") or "")) for a in seg.get("act") or []
            if isinstance(a, dict) and a.get("s")]
    els = [str(e) for e in seg.get("el") or [] if isinstance(e, str)]
    return _subject_label(Scene(scene=scene, els=els, sounds=[], label_terms=[scene], pos=0, actors=acts), lang)
