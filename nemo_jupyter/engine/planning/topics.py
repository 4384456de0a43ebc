"""The curated topic library: school topics and creators' themes as scene sequences (``data/topics/*.json``).

A topic file holds a list of topics::

    {"id": "water_cycle",
     "words": {"en": ["water cycle"], "zh": ["水循环"], ...},      # what names the topic
     "shots": [{"key": "evaporation",                              # one scene each, in order
                "words": {"en": ["evaporation"], ...},             # names of this step alone
                "scene": "ocean", "el": ["clouds"],
                "act": [{"s": "sun"}, {"s": "up_arrow", "lbl": "H₂O"}],
                "caption": {"en": "Evaporation", "zh": "蒸发", ...}}]}

An actor ``s`` or a ``scene`` may be a slot: ``{product}``, ``{food}``, ``{person}``, ``{place}``,
filled from what the prompt names ("a launch video for our new headphones": the headphones),
else from the topic's ``slots`` defaults. A step's ``words`` let "captions for evaporation,
condensation and precipitation" find the steps, and a lone step ("a video about evaporation")
draw that step only.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any

from nemo_jupyter.draft_format import ELEMENTS, MOTIONS, SCENES

from .intent import Actor, Subject
from .lexicon import lexicon

_PERSON_KINDS = ("person", "person-role", "person-fantasy", "person-activity", "person-sport")
_FOOD_KINDS = ("food-fruit", "food-vegetable", "food-prepared", "food-asian", "food-marine", "food-sweet", "drink")


@dataclass(frozen=True)
class Topic:
    id: str
    data: dict[str, Any]

    @property
    def shots(self) -> list[dict[str, Any]]:
        return list(self.data.get("shots", []))


@dataclass(frozen=True)
class _Library:
    topics: tuple[Topic, ...]
    patterns: dict[str, re.Pattern[str]]          # lang -> every topic or step word
    owners: dict[str, dict[str, tuple[Topic, int | None]]]  # lang -> word -> (topic, step index or None)


def _word_re(words: list[str]) -> re.Pattern[str]:
    parts = []
    for w in sorted(set(words), key=lambda t: (-len(t), t)):
        body = re.escape(w).replace(r"\ ", r"[\s-]+")
        if any("\u3040" <= ch <= "\u9fff" for ch in w):
            parts.append(body)
        else:
            parts.append(r"(?<![^\W_])" + body + r"(?:e?s)?(?![^\W_])")
    return re.compile("|".join(parts) or r"(?!x)x")


@lru_cache(maxsize=1)
def library() -> _Library:
    folder = resources.files("nemo_jupyter.engine.planning").joinpath("data").joinpath("topics")
    topics: list[Topic] = []
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if entry.name.endswith(".json"):
            for t in json.loads(entry.read_text("utf-8")):
                topics.append(Topic(id=t["id"], data=t))
    owners: dict[str, dict[str, tuple[Topic, int | None]]] = {}
    for topic in topics:
        for lang, words in topic.data.get("words", {}).items():
            for w in words:
                owners.setdefault(lang, {}).setdefault(w.lower(), (topic, None))
    for topic in topics:  # steps after topics: "water cycle" beats its step "water"
        for i, shot in enumerate(topic.shots):
            for lang, words in shot.get("words", {}).items():
                for w in words:
                    owners.setdefault(lang, {}).setdefault(w.lower(), (topic, i))
    patterns = {lang: _word_re(list(table)) for lang, table in owners.items()}
    return _Library(tuple(topics), patterns, owners)


def _langs(lang: str) -> tuple[str, ...]:
    return ("en",) if lang == "en" else (lang, "en") + (("zh",) if lang == "ja" else ())


def _owner(lib: _Library, word: str, lang: str) -> tuple[Topic, int | None] | None:
    key = re.sub(r"[\s-]+", " ", word.lower())
    for lg in _langs(lang):
        table = lib.owners.get(lg, {})
        for cand in (key, key[:-1], key[:-2]):
            if cand in table:
                return table[cand]
    return None


def find_topics(norm: str, lang: str) -> list[tuple[int, int, Topic]]:
    """Whole topics named in ``norm`` ("the water cycle", "光合作用"), in order: (start, end, topic)."""
    lib = library()
    out: list[tuple[int, int, Topic]] = []
    taken: list[tuple[int, int]] = []
    for lg in _langs(lang):
        pat = lib.patterns.get(lg)
        if pat is None:
            continue
        for m in pat.finditer(norm):
            owner = _owner(lib, m.group(0), lg)
            if owner is None or owner[1] is not None or any(a < m.end() and m.start() < b for a, b in taken):
                continue
            taken.append((m.start(), m.end()))
            out.append((m.start(), m.end(), owner[0]))
    out.sort(key=lambda t: t[0])
    return out


def find_step(text: str, lang: str, topics: list[str]) -> tuple[Topic, int] | None:
    """The topic step named by ``text`` ("evaporation"), preferring the topics already named."""
    lib = library()
    best: tuple[Topic, int] | None = None
    for lg in _langs(lang):
        pat = lib.patterns.get(lg)
        if pat is None:
            continue
        for m in pat.finditer(text):
            owner = _owner(lib, m.group(0), lg)
            if owner is None or owner[1] is None:
                continue
            topic, i = owner[0], owner[1]
            if topic.id in topics:
                return topic, i
            if best is None:
                best = (topic, i)
            # the same word may be a step of a named topic too
            for t in lib.topics:
                if t.id in topics:
                    for j, shot in enumerate(t.shots):
                        if any(w.lower() == m.group(0) for ws in shot.get("words", {}).values() for w in ws):
                            return t, j
    return best


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
                 mains: list[str] | None = None, pos: int = 0) -> Subject:
    """The :class:`Subject` drawing step ``i`` of ``topic``."""
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
        acts.append(Actor(s=sid, art=info.art, word=info.name, asked=asked, lbl=_text(spec.get("lbl"), lang),
                          mo=mo if mo in MOTIONS else None, x=spec.get("x"), y=spec.get("y"), h=spec.get("h")))
    for a in actors:  # what the prompt named joins the topic's scene ("a birthday card with a cat")
        if len(acts) < 6 and not any(x.s == a.s for x in acts) and a.s not in _filled(topic, actors, mains):
            acts.append(a)
    els = [e for e in shot.get("el", []) if e in ELEMENTS]
    return Subject(scene=scene, els=els, sounds=list(shot.get("snd", [])), label_terms=[scene], pos=pos,
                   actors=acts, caption=_text(shot.get("caption"), lang), topic=topic.id)


def _filled(topic: Topic, actors: list[Actor], mains: list[str]) -> set[str]:
    out = set()
    for slot in ("product", "food", "person"):
        got = _slot_fill(slot, actors, mains, topic)
        if got:
            out.add(got)
    return out


def expand_topic(topic: Topic, lang: str, actors: list[Actor], mains: list[str], pos: int) -> list[Subject]:
    """Every step of ``topic`` as a scene, in order, captioned."""
    return [shot_subject(topic, i, lang, actors, mains, pos) for i in range(len(topic.shots))]


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
