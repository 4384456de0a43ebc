"""Composing a scene: where each actor stands, how big it is, how it moves (the ``act`` list).

Rules, per actor kind (``place`` in ``data/curated.json``):

* ``ground``: feet on the ground line (near actors lower and larger), the group side by side
  around the centre, the first-named subject nearest; movers (walk, run, drive) start apart;
* ``sky``: in the upper third, spread across; ``float``: mid-height; ``orbit``: circles the centre;
* ``water``: swimming mid-frame under water, on the water line in ocean, lake and river scenes;
* ``hero``: a product alone in the centre, large, turning slowly (product scenes and prompts).

Then the composition the brief asks for, stated per actor (see ``act`` in
:mod:`nemo_jupyter.draft_format`): its brief ``id``; ``n``, how many (a group; a plural without
a number is a few; at most :data:`MAX_COPIES`, and the brief says so beyond); ``col``, its
colour; ``sc``, a size factor from "tiny" to "giant"; ``rel``, its relation to another actor of
the scene; and heights in real-world proportion between the subjects sharing the ground, the
water or an orbit (``data/sizes.json``: a mouse beside an elephant, a glass of milk beside a
cat), compressed so that the small ones are still seen.

At most :data:`MAX_ACTORS` actors share a scene.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from functools import lru_cache
from importlib import resources
from typing import Any

from nemo_jupyter.draft_format import COLOURS, MOTIONS, RELATION_KINDS, SCENE_FAMILIES

from .brief import Actor, Relation, Scene
from .lexicon import SubjectInfo, lexicon

MAX_ACTORS = 8
#: copies drawn of one subject at most ("a hundred balloons": twelve, and the brief says so)
MAX_COPIES = 12
#: how many are drawn of a plural without a number ("ducks")
A_FEW = 3
#: the size words of a brief, as factors of a subject's usual size
SIZE_FACTORS = {"tiny": 0.45, "small": 0.7, "big": 1.4, "giant": 2.0}
#: the young of a kind ("ducklings", "chatons", "Welpen") beside grown ones, when no size is asked
YOUNG_FACTOR = 0.6
#: how much real-world size ratios are compressed (1: true scale; 0: all alike)
SIZE_POWER = 0.5
NEAR_HEIGHT = 0.2  # the least height of the tallest of a scene's actors on the ground
AIRBORNE = {"kite"}  # things the vocabulary stands on the ground that are seen in the air
ONE_OF = {"books": "closed_book"}  # the one thing of a subject drawn as a pile, for counting
SIZE_FLOOR = {"big": 0.12, "giant": 0.16}  # the height a big or giant thing starts from
SMALLEST = 0.08  # the smallest height a subject is drawn at, 0-1 of the frame
#: where boats float in the families with water (their scenes.json entry)
_WATER_LINE = {fam: float(d["water_line"]) for fam, d in SCENE_FAMILIES.items() if d.get("water_line")}
_MOVERS = ("walk", "run", "drive", "fly", "swim")
_CENTRE_SPOTS = ((0.5, 0.45),)
_SIDE_SPOTS = ((0.2, 0.4), (0.8, 0.4), (0.3, 0.24), (0.7, 0.24), (0.5, 0.2))


def _r(v: float) -> float:
    return round(v, 3)


def actor_dicts(subj: Scene, *, hero: bool = False, relations: Sequence[Relation] = ()) -> list[dict[str, Any]]:
    """The ``act`` list for a scene segment of ``subj`` (empty when it has no actors).

    ``hero``: the prompt is about a product, so a product-like first actor is shown as a hero shot.
    ``relations``: the brief's relations; those between two actors of this scene are drawn.
    """
    lex = lexicon()
    actors = [a for a in subj.actors if lex.info(a.s) and a.role not in ("mentioned",)][:MAX_ACTORS]
    if not actors:
        return []
    # a counted collection is counted in ones: "four books" are four books, not four piles
    counting = any((a.count or 0) > 1 or a.plural for a in actors)
    infos = [lex.info(ONE_OF[a.s]) if (a.count or 0) > 1 and a.s in ONE_OF else lex.info(a.s) for a in actors]
    out: list[dict[str, Any]] = []
    ground: list[tuple[dict[str, Any], SubjectInfo]] = []
    floats: list[dict[str, Any]] = []
    sky_n = 0
    for i, (actor, info) in enumerate(zip(actors, infos, strict=True)):
        assert info is not None
        place = "float" if info.id in AIRBORNE else info.place
        if (hero and i == 0 and place in ("hero", "ground", "float") and info.w >= 1 and info.kind not in (
                "animal-mammal", "person", "person-role")) or (subj.scene == "product" and i == 0 and place == "hero"):
            place = "hero"
        elif place == "hero":
            place = "ground"
        if place == "water" and subj.scene not in ("underwater", *_WATER_LINE):
            place = "ground"
        mo = actor.mo or (info.mo if place != "hero" else "turn")
        if info.id in AIRBORNE and actor.mo is None:
            mo = "float"
        if actor.mo is None and mo in ("walk", "run") and counting:
            mo = "still"  # a herd nobody asked to move stands where it can be counted, and so do the others
        elif actor.mo is None and mo == "launch" and counting:
            mo = "float"  # rockets to count stay to be counted (launching, they leave the frame)
        if place == "ground" and mo in ("swim", "fly") and info.place != "ground":
            mo = "walk" if info.kind.startswith("animal") else "still"
        d: dict[str, Any] = {"s": info.id, "art": info.art, "mo": mo if mo in MOTIONS else "still"}
        if actor.id:
            d["id"] = actor.id  # the brief's actor: what the checklist says of it is checked here
        h = actor.h if actor.h is not None else info.h
        if place == "hero":
            d.update(x=0.5, y=0.84, h=max(0.45, min(0.6, h * 1.4)), z=0.1)
        elif place == "sky":
            d.update(x=0.25 + 0.5 * ((sky_n * 0.618) % 1.0), y=0.22 + 0.08 * (sky_n % 3), h=h, z=0.4)
            sky_n += 1
        elif place == "orbit":
            d.update(x=0.5, y=0.5, h=h, z=0.3)
        elif place == "float":
            d.update(h=h, z=0.3)
            floats.append(d)
        elif place == "water":
            if info.kind == "transport-water" and subj.scene == "underwater":  # on the surface, seen from below
                d.update(x=0.5, y=_WATER_LINE.get("underwater", 0.22), h=h, z=0.3)
            elif subj.scene == "underwater":
                d.update(x=0.5, y=0.45 + 0.12 * (i % 3), h=h, z=0.2 + 0.1 * (i % 3))
            else:
                d.update(x=0.5, y=_WATER_LINE[subj.scene], h=h, z=0.3)
        else:
            d.update(h=h)
            ground.append((d, info))
        if info.x is not None and actor.x is None:
            d["x"] = info.x
        if info.y is not None and actor.y is None:
            d["y"] = info.y
        if actor.x is not None:
            d["x"] = actor.x
        if actor.y is not None:
            d["y"] = actor.y
        if actor.lbl:
            d["lbl"] = actor.lbl
        out.append(d)
    _line_up(ground)
    # Floating things beside what stands in the middle (a hero product, a group), else centred.
    centre_taken = bool(ground) or any(d.get("x") == 0.5 and d is not f for d in out for f in floats[:1])
    spots = _SIDE_SPOTS if centre_taken or len(floats) > 1 else _CENTRE_SPOTS
    for k, d in enumerate(floats):
        d.setdefault("x", spots[k % len(spots)][0])
        d.setdefault("y", spots[k % len(spots)][1])
    _real_sizes(actors, infos, out)
    _nearer(out)
    _compose(actors, out, relations)
    for d in out:
        for key in ("x", "y", "h", "z"):
            if key in d:
                d[key] = _r(min(1.0, max(0.0, float(d[key]))))
    return out


@lru_cache(maxsize=1)
def _sizes() -> dict[str, dict[str, float]]:
    data: dict[str, dict[str, float]] = json.loads(
        resources.files("nemo_jupyter.engine.planning").joinpath("data").joinpath("sizes.json").read_text("utf-8"))
    return data


def real_size(info: SubjectInfo, asked: str | None = None) -> float | None:
    """How tall ``info``'s subject is in the world, metres (``data/sizes.json``), when known;
    ``asked``: the word of what it stands in for (a sandcastle drawn as a castle)."""
    sizes = _sizes()
    if asked and asked in sizes.get("asked", {}):
        return sizes["asked"][asked]
    return sizes["subjects"].get(info.id) or sizes["kinds"].get(info.kind)


def _plane(d: dict[str, Any]) -> str:
    """Which subjects are compared for size: those on the ground and in the water together, orbits
    together, flyers and floaters each keeping their own size (far up in the sky)."""
    mo = d.get("mo")
    if mo == "orbit":
        return "orbit"
    if mo in ("fly", "float", "launch"):
        return ""
    return "ground"


def _real_sizes(actors: list[Actor], infos: list[SubjectInfo | None], out: list[dict[str, Any]]) -> None:
    """Heights in real-world proportion among the subjects of one plane, the biggest keeping its own."""
    planes: dict[str, list[tuple[dict[str, Any], float]]] = {}
    for actor, info, d in zip(actors, infos, out, strict=True):
        m = real_size(info, actor.asked) if info is not None else None
        plane = _plane(d)
        if m and plane and actor.h is None and "h" in d:
            planes.setdefault(plane, []).append((d, float(m)))
    for members in planes.values():
        if len(members) < 2:
            continue
        big_d, big_m = max(members, key=lambda x: x[1])
        top = float(big_d["h"])
        for d, m in members:
            if d is not big_d:
                d["h"] = max(SMALLEST, min(float(d["h"]) * 1.6, top * (m / big_m) ** SIZE_POWER))


def _nearer(out: list[dict[str, Any]]) -> None:
    """Small things alone on the ground (a mouse under a mushroom, four snails) are seen from
    nearer: all of them bigger together, the tallest at :data:`NEAR_HEIGHT`, proportions kept."""
    ground = [d for d in out if "h" in d and _plane(d) == "ground" and d.get("mo") != "turn"]
    if not ground or len(ground) < len([d for d in out if "h" in d]):
        return  # something in the sky or the water sets the scale
    top = max(float(d["h"]) for d in ground)
    if 0 < top < NEAR_HEIGHT:
        k = min(2.5, NEAR_HEIGHT / top)
        for d in ground:
            d["h"] = float(d["h"]) * k


def _compose(actors: list[Actor], out: list[dict[str, Any]], relations: Sequence[Relation]) -> None:
    """What the brief asks of each actor: its id, count, colour, size and relation."""
    index = {a.id: i for i, a in enumerate(actors) if a.id}
    shared = _shared_counts(actors)
    for k, (actor, d) in enumerate(zip(actors, out, strict=True)):
        if actor.id:
            d["id"] = actor.id
        n = actor.count if actor.count is not None else (A_FEW if actor.plural and not actor.audience else 1)
        n = shared.get(k, n)
        if n > 1:
            d["n"] = min(n, MAX_COPIES)
            if n > MAX_COPIES:
                actor.detail("count").substituted("r_count_capped", shown=MAX_COPIES, count=n)
        if actor.colour in COLOURS:
            d["col"] = actor.colour
        if actor.size in SIZE_FACTORS:
            d["sc"] = SIZE_FACTORS[actor.size]
            if actor.size in SIZE_FLOOR and "h" in d:  # a giant cupcake is giant beside a chef
                d["h"] = max(float(d["h"]), SIZE_FLOOR[actor.size])
        elif actor.young:  # ducklings are smaller than their mother, and yellow chicks
            d["sc"] = YOUNG_FACTOR
            info = lexicon().info(actor.s)
            if info is not None and info.young:
                d["art"] = info.young
    for rel in relations:
        if rel.kind not in RELATION_KINDS or rel.a not in index or (rel.b is not None and rel.b not in index):
            continue
        d = out[index[rel.a]]
        if "rel" in d or rel.b is None:
            continue  # one relation per actor in a scene (a later one is said not done by the brief)
        r: dict[str, Any] = {"k": rel.kind, "o": index[rel.b]}
        if rel.kind == "between" and rel.c in index:
            r["o2"] = index[rel.c]
        d["rel"] = r


def _shared_counts(actors: list[Actor]) -> dict[int, int]:
    """"Five children" drawn as the kinds a group word is shown by (children and girls): the five are
    shared among them, never five of each (index in ``actors`` -> how many)."""
    out: dict[int, int] = {}
    for i, a in enumerate(actors):
        if a.extra or not a.count or a.start < 0:
            continue
        group = [i] + [j for j, b in enumerate(actors) if b.extra and (b.start, b.end) == (a.start, a.end)]
        if len(group) == 1:
            continue
        for k, j in enumerate(group):
            out[j] = a.count // len(group) + (1 if k < a.count % len(group) else 0)
    return out


def _line_up(ground: list[tuple[dict[str, Any], SubjectInfo]]) -> None:
    """Ground actors side by side around the centre, first nearest: "a cat at the piano"."""
    if not ground:
        return
    widths = [max(0.06, d["h"] * 0.6) for d, _info in ground]
    gap = 0.03
    total = sum(widths) + gap * (len(widths) - 1)
    scale = min(1.0, 0.9 / total) if total > 0 else 1.0
    x = 0.5 - total * scale / 2
    for i, ((d, _info), w) in enumerate(zip(ground, widths, strict=True)):
        w *= scale
        near = i == 0
        d.setdefault("x", x + w / 2)
        d.setdefault("y", 0.86 if near else 0.82 - 0.02 * (i % 2))
        d["h"] = d["h"] * scale if scale < 1 else d["h"]
        d.setdefault("z", 0.15 if near else 0.3 + 0.05 * (i % 3))
        if d["mo"] in _MOVERS and len(ground) > 1:
            d["x"] = 0.2 + 0.6 * i / max(1, len(ground) - 1)
        x += w + gap * scale


def best_home(actors: list[Actor]) -> str | None:
    """The background for actors when no background is named: the home of the strongest one."""
    lex = lexicon()
    best: tuple[int, int, str] | None = None
    for i, a in enumerate(actors):
        info = lex.info(a.s)
        if info is None:
            continue
        key = (info.w, -i, info.home)
        if best is None or key[:2] > best[:2]:
            best = key
    return best[2] if best else None
