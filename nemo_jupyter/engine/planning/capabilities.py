"""What the embedded engine can draw, read from the data (the answer to "help scenes").

``%nemo help scenes`` sends "help scenes" as a chat turn; the planner answers with this list and
changes nothing. :func:`capabilities` is the same as data, for anything that wants a table.
"""

from __future__ import annotations

import re
from collections import Counter
from typing import Any

from .catalogue import join, lang_of, say, scene_name, subject_name
from .lexicon import lexicon
from .topics import library
from .vocabulary import _SCENE_NAMES

SCENES_ASK = re.compile(
    r"^\W*(?:help\s+(?:scenes?|subjects?|draw(?:ing)?|topics?)|(?:list|show)\s+(?:the\s+)?(?:scenes|subjects|topics)|"
    r"what\s+(?:can|do)\s+you\s+draw|which\s+(?:scenes|subjects|things)\s+can\s+you\s+draw|"
    r"你能画什么|能画什么|可以画什么|帮助\s*场景|场景列表|何が描ける|何を描ける|何を描けますか|"
    r"무엇을 그릴 수 있어|뭘 그릴 수 있어|뭐 그릴 수 있어|무엇을 그릴 수 있나요|"
    r"qu[ée] puedes dibujar|qu'est-ce que tu (?:peux|sais) dessiner|que (?:peux|sais)-tu dessiner|"
    r"was kannst du zeichnen|o que (?:você )?(?:pode|sabe) desenhar|cosa (?:puoi|sai) disegnare)\W*$")

# Emoji subgroups, grouped into what a person would call them.
_GROUPS: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("animals", "动物", ("animal-mammal", "animal-bird", "animal-amphibian", "animal-reptile", "animal-marine",
                         "animal-bug")),
    ("people and characters", "人物和角色", ("person", "person-role", "person-fantasy", "person-activity",
                                        "person-sport", "person-resting", "face-costume")),
    ("plants", "植物", ("plant-flower", "plant-other")),
    ("food and drink", "食物和饮料", ("food-fruit", "food-vegetable", "food-prepared", "food-asian", "food-marine",
                                  "food-sweet", "drink", "dishware")),
    ("vehicles", "交通工具", ("transport-ground", "transport-water", "transport-air")),
    ("buildings and places", "建筑和地点", ("place-building", "place-religious", "place-other", "place-geographic",
                                      "place-map", "hotel")),
    ("sky, weather and space", "天空、天气和太空", ("sky & weather",)),
    ("celebrations and sports", "节庆和运动", ("event", "award-medal", "sport", "game")),
    ("products, music and objects", "产品、乐器和物品", ("clothing", "sound", "music", "musical-instrument", "phone",
                                                 "computer", "light & video", "book-paper", "money", "mail",
                                                 "writing", "office", "lock", "tool", "science", "medical",
                                                 "household", "other-object", "time", "arts & crafts")),
    ("symbols, hearts and flags", "符号、爱心和旗帜", ("heart", "arrow", "other-symbol", "country-flag")),
)
_EXAMPLES = {
    "animals": ("cat", "dog", "panda", "lion", "whale", "butterfly", "t_rex"),
    "people and characters": ("teacher", "student", "cook", "astronaut", "santa_claus", "robot"),
    "plants": ("sunflower", "deciduous_tree", "cactus", "seedling"),
    "food and drink": ("birthday_cake", "pizza", "hot_beverage", "bubble_tea"),
    "vehicles": ("racing_car", "train", "rocket", "sailboat", "bicycle"),
    "buildings and places": ("castle", "house", "stadium", "volcano"),
    "sky, weather and space": ("sun", "full_moon", "ringed_planet", "rainbow", "cloud_with_rain"),
    "celebrations and sports": ("balloon", "fireworks", "wrapped_gift", "jack_o_lantern", "soccer_ball"),
    "products, music and objects": ("headphone", "mobile_phone", "laptop", "running_shoe", "watch", "musical_keyboard"),
    "symbols, hearts and flags": ("red_heart", "up_arrow", "recycling_symbol", "flag_japan"),
}


def capabilities() -> dict[str, Any]:
    """Backgrounds, subjects by group (count and examples), topics and word counts, as data."""
    lex = lexicon()
    kinds = Counter(s.kind for s in lex.subjects.values())
    groups = []
    for en, zh, subgroups in _GROUPS:
        groups.append({"group": en, "zh": zh, "count": sum(kinds[k] for k in subgroups),
                       "examples": [lex.subjects[s].name for s in _EXAMPLES.get(en, ()) if s in lex.subjects]})
    return {"backgrounds": [names[0] for names in _SCENE_NAMES.values()],
            "subjects": len(lex.subjects), "groups": groups,
            "topics": [t.id.replace("_", " ") for t in library().topics],
            "words": {lang: len(w) for lang, w in lex.words.items()}}


#: group (capabilities' English name) -> its catalogue key
_GROUP_KEYS = {"animals": "group_animals", "people and characters": "group_people", "plants": "group_plants",
               "food and drink": "group_food", "vehicles": "group_vehicles", "buildings and places": "group_buildings",
               "sky, weather and space": "group_sky", "celebrations and sports": "group_celebrations",
               "products, music and objects": "group_objects", "symbols, hearts and flags": "group_symbols"}


def scenes_reply(language: str) -> str:
    """What the engine can draw, in the reply's language (the catalogue's ``scenes_reply``)."""
    lang = lang_of(language)
    caps = capabilities()
    if lang == "en":
        groups = "; ".join(say(lang, "scenes_group", group=g["group"], count=g["count"],
                               examples=", ".join(g["examples"][:4])) for g in caps["groups"])
        return say(lang, "scenes_reply", n_bg=len(caps["backgrounds"]), backgrounds=", ".join(caps["backgrounds"]),
                   n_subjects=caps["subjects"], groups=groups, n_topics=len(caps["topics"]),
                   topics=", ".join(caps["topics"]))
    groups = say(lang, "done_sep").join(
        say(lang, "scenes_group", group=say(lang, _GROUP_KEYS[g["group"]]), count=g["count"],
            examples=join(lang, [subject_name(s, lang) for s in _EXAMPLES.get(g["group"], ())[:3]]))
        for g in caps["groups"])
    return say(lang, "scenes_reply", n_bg=len(caps["backgrounds"]),
               backgrounds=join(lang, [scene_name(f, lang) for f in _SCENE_NAMES]), n_subjects=caps["subjects"],
               groups=groups, n_topics=len(caps["topics"]), topics=say(lang, "scenes_topics"))
