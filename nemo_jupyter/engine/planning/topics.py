"""The curated topic library: school topics and creators' themes as scene sequences (``data/topics/*.json``).

A topic file holds a list of topics::

    {"id": "water_cycle",
     "words": {"en": ["water cycle"], "zh": ["水循环"], ...},      # what names the topic
     "shots": [{"key": "evaporation",                              # one scene each, in order
                "words": {"en": ["evaporation"], ...},             # names of this step alone
                "scene": "ocean", "el": ["clouds"],
                "act": [{"s": "sun"}, {"s": "up_arrow", "lbl": "H₂O"}],
                "caption": {"en": "Evaporation", "zh": "蒸发", ...},
                "say": {"en": "The sun warms the water ...", "zh": "..."}}]}  # a narrator's sentence

An actor ``s`` or a ``scene`` may be a slot: ``{product}``, ``{food}``, ``{person}``, ``{place}``,
filled from what the prompt names ("a launch video for our new headphones": the headphones),
else from the topic's ``slots`` defaults. A step's ``words`` let "captions for evaporation,
condensation and precipitation" find the steps, and a lone step ("a video about evaporation")
draw that step only. A topic's ``weak`` words (general ones: "how to make") name it only when the
prompt also names a subject of the kind it ``needs`` ("food"). A narrated video of a topic says each step's ``say`` (when the step has
one in the video's language) over that step's own scene.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from functools import cache, lru_cache
from importlib import resources
from typing import Any

from nemo_jupyter.draft_format import ELEMENTS, MOTIONS, SCENES

from .brief import Actor, Scene
from .lexicon import lexicon
from .phrases import PhraseMatcher, key

_PERSON_KINDS = ("person", "person-role", "person-fantasy", "person-activity", "person-sport")
_FOOD_KINDS = ("food-fruit", "food-vegetable", "food-prepared", "food-asian", "food-marine", "food-sweet", "drink")


@dataclass(frozen=True)
class Topic:
    id: str
    data: dict[str, Any]

    @property
    def shots(self) -> list[dict[str, Any]]:
        return list(self.data.get("shots", []))


_Owner = tuple[Topic, "int | None"]


@dataclass(frozen=True)
class _Library:
    topics: tuple[Topic, ...]
    matcher: PhraseMatcher[list[_Owner]]  # every topic or step word, any language -> its owners


@lru_cache(maxsize=1)
def library() -> _Library:
    folder = resources.files("nemo_jupyter.engine.planning").joinpath("data").joinpath("topics")
    topics: list[Topic] = []
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if entry.name.endswith(".json"):
            for t in json.loads(entry.read_text("utf-8")):
                topics.append(Topic(id=t["id"], data=t))
    owners: dict[str, list[_Owner]] = {}
    for topic in topics:  # topics first: "water cycle" is the topic, not its step "water"
        for words in topic.data.get("words", {}).values():
            for w in words:
                owners.setdefault(key(w), []).append((topic, None))
    for topic in topics:
        for i, shot in enumerate(topic.shots):
            for words in shot.get("words", {}).values():
                for w in words:
                    owners.setdefault(key(w), []).append((topic, i))
    return _Library(tuple(topics), PhraseMatcher(owners.items()))


def find_topics(norm: str, lang: str) -> list[tuple[int, int, Topic]]:
    """Whole topics named in ``norm`` ("the water cycle", "光合作用"), in order: (start, end, topic).

    Topic names are specific phrases, so every language's are read whatever the prompt's language.
    """
    out: list[tuple[int, int, Topic]] = []
    for hit in library().matcher.finditer(norm):
        topic = next((t for t, i in hit.value if i is None), None)
        if topic is not None and not _other_sense(topic, norm) and not _unmet(topic, key(hit.text), norm, lang):
            out.append((hit.start, hit.end, topic))
    return out


def _unmet(topic: Topic, said: str, norm: str, lang: str) -> bool:
    """A topic's general words ("how to make", "cómo hacer") name it only when the subjects named are
    of the kind it ``needs`` ("how to make pancakes" is a recipe, "how to make a paper plane" is not)."""
    needs = topic.data.get("needs")
    if not needs or said not in {key(w) for w in topic.data.get("weak", [])}:
        return False
    kinds = _FOOD_KINDS if needs == "food" else (str(needs),)
    lex = lexicon()
    found = [info.kind for m in lex.find(norm, lang) if (info := lex.info(m.subject)) is not None]
    # (with no subject named at all, "红烧肉怎么做": the recipe, drawn with its own food)
    return bool(found) and not any(k in kinds for k in found)


def _other_sense(topic: Topic, norm: str) -> bool:
    """The topic's words mean something else next to these ("a rocket launching": a liftoff, not a
    product launch): its ``not_with`` words, in any language."""
    matcher = _not_with(topic.id)
    return matcher is not None and next(matcher.finditer(norm), None) is not None


@cache
def _not_with(topic_id: str) -> PhraseMatcher[str] | None:
    topic = next(t for t in library().topics if t.id == topic_id)
    words = [w for ws in topic.data.get("not_with", {}).values() for w in ws]
    return PhraseMatcher((w, w) for w in words) if words else None


def find_step(text: str, lang: str, topics: list[str]) -> tuple[Topic, int] | None:
    """The topic step named by ``text`` ("evaporation"), preferring the topics already named; of
    those, a step is also named by its own caption ("rainy", "snowy days" in a weather lesson)."""
    best: tuple[Topic, int] | None = None
    for hit in library().matcher.finditer(text):
        steps = [(t, i) for t, i in hit.value if i is not None]
        for t, i in steps:
            if t.id in topics:
                return t, i
        if steps and best is None:
            best = steps[0]
    return best or _captioned_step(text, lang, topics, prefix=True)


def _captioned_step(text: str, lang: str, topic_ids: list[str], *, prefix: bool = False) -> tuple[Topic, int] | None:
    """The step of one of the topics ``topic_ids`` whose caption in ``lang`` is ``text`` (case and
    spacing aside; with ``prefix``, also a text that starts with it: "snowy days")."""
    said = " ".join(text.lower().split())
    for topic in library().topics:
        if topic.id not in topic_ids:
            continue
        for i, shot in enumerate(topic.shots):
            caption = " ".join((_text(shot.get("caption"), lang) or "").lower().split())
            if caption and (said == caption or (prefix and said.startswith(caption + " "))):
                return topic, i
    return None


def _text(value: Any, lang: str) -> str | None:
    if isinstance(value, str):
        return value
    if isinstance(value, dict):
        got = value.get(lang) or value.get("zh" if lang == "ja" and "ja" not in value else "en")
        return str(got) if got else None
    return None


def _slot_fill(slot: str, actors: list[Actor], mains: list[str], topic: Topic) -> str | None:
    lex = lexicon()
    defaults = topic.data.get("slots", {})
    if slot == "place":
        return mains[0] if mains else defaults.get("place")
    for a in actors:
        info = lex.info(a.s)
        if info is None:
            continue
        if slot == "person" and info.kind in _PERSON_KINDS:
            return a.s
        if slot == "food" and info.kind in _FOOD_KINDS:
            return a.s
        if slot == "product" and info.kind not in _PERSON_KINDS:
            return a.s
    fallback = defaults.get(slot)
    return str(fallback) if fallback else None


def shot_subject(topic: Topic, i: int, lang: str, actors: list[Actor] | None = None,
                 mains: list[str] | None = None, pos: int = 0) -> Scene:
    """The :class:`Scene` drawing step ``i`` of ``topic``."""
    lex = lexicon()
    actors, mains = actors or [], mains or []
    shot = topic.shots[i]
    scene = str(shot.get("scene", "abstract"))
    if scene.startswith("{"):
        scene = _slot_fill(scene.strip("{}"), actors, mains, topic) or "abstract"
    if scene not in SCENES:
        scene = "abstract"
    acts: list[Actor] = []
    for spec in shot.get("act", []):
        sid = str(spec.get("s", ""))
        asked = None
        if sid.startswith("{"):
            filled = _slot_fill(sid.strip("{}"), actors, mains, topic)
            match = next((a for a in actors if a.s == filled), None)
            asked = match.asked if match else None
            sid = filled or ""
        info = lex.info(sid)
        if info is None or any(a.s == sid for a in acts):
            continue
        mo = spec.get("mo")
        act = Actor(s=sid, art=info.art, word=info.name, asked=asked, lbl=_text(spec.get("lbl"), lang),
                    mo=mo if mo in MOTIONS else None, x=spec.get("x"), y=spec.get("y"), h=spec.get("h"), extra=True)
        named = next((a for a in actors if a.s == sid and not a.audience), None)
        if named is not None:  # the prompt named it too: it is asked for, drawn where the topic puts it
            act = replace(act, extra=False, word=named.word or act.word, count=named.count, plural=named.plural,
                          colour=named.colour, size=named.size, start=named.start, end=named.end)
        acts.append(act)
    room = 6 if i == 0 else 3  # what the prompt named joins the first scene, later ones while not crowded
    taken = _filled(topic, actors, mains)
    for a in actors:  # "a birthday card with a cat": the cat too
        if a.audience:
            continue  # "for kids": who it is for
        if any(x.s == a.s for x in acts) or a.s in taken:
            continue
        if len(acts) >= room and i == 0:
            # what the prompt names comes before the topic's own illustration ("dinosaurs and balloons")
            spare = next((k for k in range(len(acts) - 1, -1, -1) if acts[k].extra), None)
            if spare is None:
                continue
            del acts[spare]
        if len(acts) < room:
            acts.append(a)
    els = [e for e in shot.get("el", []) if e in ELEMENTS]
    return Scene(scene=scene, els=els, sounds=list(shot.get("snd", [])), label_terms=[scene], pos=pos,
                 actors=acts, caption=_text(shot.get("caption"), lang), topic=topic.id,
                 named_scene=scene in mains)  # a topic's own backgrounds were not asked


def spoken(caption: str, lang: str, topic_ids: list[str]) -> str | None:
    """What a narrator says over the topic step captioned ``caption`` (its ``say``: a whole
    sentence where the caption is a word, "Evaporation"), in ``lang`` only; None when no step of
    the topics ``topic_ids`` has that caption (an edited caption is spoken as it is written)."""
    step = _captioned_step(caption, lang, topic_ids)
    say = step[0].shots[step[1]].get("say") if step else None
    got = say.get(lang) if isinstance(say, dict) else None
    return str(got) if got else None


def _slots(topic: Topic) -> set[str]:
    """The slots the topic's shots use."""
    text = json.dumps(topic.shots)
    return {slot for slot in ("product", "food", "person", "place") if "{" + slot + "}" in text}


def _filled(topic: Topic, actors: list[Actor], mains: list[str]) -> set[str]:
    out = set()
    for slot in _slots(topic) - {"place"}:
        got = _slot_fill(slot, actors, mains, topic)
        if got:
            out.add(got)
    return out


def expand_topic(topic: Topic, lang: str, actors: list[Actor], mains: list[str], pos: int) -> list[Scene]:
    """Every step of ``topic`` as a scene, in order, captioned.

    A product theme with no product named but a place named ("a promo for my coffee shop") is
    about that place: no steps (the caller draws the place).
    """
    if "product" in _slots(topic) and mains and not any(
            (info := lexicon().info(a.s)) is not None and info.kind not in _PERSON_KINDS for a in actors):
        return []
    return [shot_subject(topic, i, lang, actors, mains, pos) for i in range(len(topic.shots))]


def stand_in(topic_id: str, slot: str) -> str | None:
    """The subject a topic draws in ``slot`` when the prompt names none (a gift for the product)."""
    for t in library().topics:
        if t.id == topic_id:
            got = t.data.get("slots", {}).get(slot)
            return str(got) if got else None
    return None


def title(topic_id: str, lang: str) -> str | None:
    for t in library().topics:
        if t.id == topic_id:
            return _text(t.data.get("title"), lang)
    return None


def mood(topic_id: str) -> str | None:
    for t in library().topics:
        if t.id == topic_id:
            return t.data.get("mood")
    return None
