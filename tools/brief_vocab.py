"""Look up the brief's vocabularies: subject ids, places, relations, colours... (a dev tool).

    python tools/brief_vocab.py dog                # subject ids named or matched by an English word
    python tools/brief_vocab.py 小鸭子 --lang zh      # ... by a word of another language
    python tools/brief_vocab.py --lists            # places, relations, colours, sizes, roles, ...

Writers of expected briefs (``benchmarks/briefs/``) use it to spell a subject the way the engine's
vocabulary does ("duckling" is drawn as ``baby_chick``?); it reads only the data files.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from nemo_jupyter import draft_format as df  # noqa: E402
from nemo_jupyter.engine.planning import brief as B  # noqa: E402

DATA = ROOT / "nemo_jupyter" / "engine" / "planning" / "data"


def _lang_table(lang: str, table: str) -> dict[str, object]:
    """A lexicon table of one language (``data/lang/<lang>.json``)."""
    path = DATA / "lang" / f"{lang}.json"
    if not path.exists():
        return {}
    got = json.loads(path.read_text("utf-8")).get("lexicon", {}).get(table, {})
    return got if isinstance(got, dict) else {}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("word", nargs="?")
    ap.add_argument("--lang", default="en")
    ap.add_argument("--lists", action="store_true")
    args = ap.parse_args()
    if args.lists or not args.word:
        for name, values in (("places (background families)", df.SCENES), ("places (more)", B.PLACES),
                             ("relations", B.RELATIONS), ("colours", B.COLOURS), ("sizes", B.SIZES),
                             ("roles", B.ROLES), ("times", B.TIMES), ("weathers", B.WEATHERS),
                             ("seasons", B.SEASONS), ("text roles", B.TEXT_ROLES),
                             ("upload roles", B.UPLOAD_ROLES), ("corners", B.CORNERS), ("kinds", B.KINDS),
                             ("templates", B.TEMPLATES), ("music moods", df.MOODS)):
            print(f"{name}: {', '.join(values)}")
        if not args.word:
            return
    gen = json.loads((DATA / "subjects.json").read_text("utf-8"))
    word = args.word.lower().strip()
    lang = args.lang
    hits: dict[str, str] = {}
    table = gen["words"].get(lang, {})
    if word in table:
        hits[table[word]] = "name/keyword"
    for w, sid in _lang_table(lang, "synonyms").items():
        if w.lower() == word:
            hits[sid] = "synonym"
    for w, sid in _lang_table(lang, "substitutes").items():
        if w.lower() == word:
            hits[sid] = f"substitute (no drawing of '{word}')"
    for w, sids in {**_lang_table(lang, "groups"), **_lang_table(lang, "themes")}.items():
        if w.lower() == word:
            for sid in sids:
                hits[sid] = "group word"
    if lang == "en":
        for sid in gen["subjects"]:
            if word.replace(" ", "_") in sid.split("_") or word.replace(" ", "_") == sid:
                hits.setdefault(sid, "id contains the word")
    if not hits:
        print(f"no subject for {word!r} in {lang}: the engine cannot draw it (an expected brief says "
              f'"subject": null and "noun": "{word}")')
    for sid, how in hits.items():
        _art, kind, zh = gen["subjects"].get(sid, ["?", "?", "?"])
        print(f"{sid:32} {how:40} kind={kind} zh={zh}")


if __name__ == "__main__":
    main()
