"""Check the brief benchmark's cases (``dev.jsonl``, ``holdout.jsonl``) against their schema.

    python benchmarks/briefs/check_cases.py            # validate, print counts per language/category/split
    python benchmarks/briefs/check_cases.py --nouns    # also list dev nouns the engine has no subject for

It reads only the case files, the brief's vocabularies (``nemo_jupyter.engine.planning.brief``) and
the subject word lists that ``tools/brief_vocab.py`` reads; it never runs the planner. It prints no
prompt or expected value of ``holdout.jsonl`` (only counts), so that running it does not reveal the
held-out cases. Exit status 1 when a case breaks the schema (README.md describes it).
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections import Counter
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
sys.path.insert(0, str(ROOT))

from nemo_jupyter import draft_format as df  # noqa: E402
from nemo_jupyter.engine.planning import brief as B  # noqa: E402

DATA = ROOT / "nemo_jupyter" / "engine" / "planning" / "data"
LANGS = ("en", "zh-CN", "es", "fr", "de", "ja", "pt", "it", "ko")
SPLITS = ("dev", "holdout")
CATEGORIES = ("plain", "relation", "spatial", "count", "colour", "size", "setting", "text", "upload", "intent",
              "word_sense", "template", "format")
SPATIAL = ("on", "under", "behind", "in_front_of", "beside", "inside", "above", "below", "between",
           "left_of", "right_of", "near")
KINDS = ("new", "edit", "question", "outside", "help", "export")
FILE_TYPES = ("image", "video", "audio", "text")
ASPECTS = ("9:16", "1:1", "16:9")
MOMENT_KEYS: dict[str, type | tuple[type, ...]] = {"start_s": (int, float), "end_s": (int, float), "length_s": (int, float), "at_start": bool,
               "at_end": bool, "middle": bool, "when": bool}
EXPECT_KEYS = ("kind", "template", "actors", "relations", "places", "time", "weather", "season", "texts",
               "uploads", "length_s", "aspect", "music", "narration")
PLACES = set(df.SCENES) | set(B.PLACES)


def subject_lookup() -> Any:
    """English noun -> subject ids, the way ``tools/brief_vocab.py`` looks a word up."""
    gen = json.loads((DATA / "subjects.json").read_text("utf-8"))
    cur = json.loads((DATA / "curated.json").read_text("utf-8"))
    table = gen["words"].get("en", {})

    def find(noun: str) -> set[str]:
        word = noun.lower().strip()
        hits: set[str] = set()
        for w in {word, word.replace("-", " "), word.replace("-", "")}:
            if w in table:
                hits.add(table[w])
            for section in ("synonyms", "substitutes"):
                hits |= {sid for k, sid in cur.get(section, {}).get("en", {}).items() if k.lower() == w}
            for k, sids in cur.get("groups", {}).get("en", {}).items():
                if k.lower() == w:
                    hits |= set(sids)
            key = w.replace(" ", "_")
            hits |= {sid for sid in gen["subjects"] if key == sid or key in sid.split("_")}
        return hits

    return find


def derived_categories(case: dict[str, Any]) -> set[str]:
    """The categories a case's expected brief shows by itself (all but ``word_sense`` and ``plain``)."""
    e = case["expect"]
    cats: set[str] = set()
    kinds = {r["kind"] for r in e["relations"]}
    if kinds - set(SPATIAL):
        cats.add("relation")
    if kinds & set(SPATIAL):
        cats.add("spatial")
    for key, cat in (("count", "count"), ("colour", "colour"), ("size", "size")):
        if any(a[key] is not None for a in e["actors"]):
            cats.add(cat)
    if e["places"] or e["time"] or e["weather"] or e["season"]:
        cats.add("setting")
    if e["texts"]:
        cats.add("text")
    if e["uploads"] or case["context"]["uploads"]:
        cats.add("upload")
    if e["kind"] != "new":
        cats.add("intent")
    if e["template"]:
        cats.add("template")
    if e["length_s"] is not None or e["aspect"] or e["music"] is not None or e["narration"]:
        cats.add("format")
    return cats


def check_case(case: dict[str, Any]) -> list[str]:
    errs: list[str] = []

    def need(cond: bool, msg: str) -> None:
        if not cond:
            errs.append(msg)

    need(set(case) == {"id", "lang", "prompt", "context", "category", "expect"}, f"keys {sorted(case)}")
    lang = case.get("lang")
    need(lang in LANGS, f"lang {lang!r}")
    need(bool(re.fullmatch(rf"{re.escape(str(lang))}-\d{{3}}", str(case.get("id")))), f"id {case.get('id')!r}")
    need(isinstance(case.get("prompt"), str) and case["prompt"].strip() == case["prompt"] and bool(case["prompt"]),
         "prompt")
    ctx = case.get("context", {})
    need(set(ctx) == {"draft", "uploads"} and isinstance(ctx.get("draft"), bool), "context keys")
    files = [u.get("filename") for u in ctx.get("uploads", [])]
    need(len(files) == len(set(files)), "duplicate upload file names")
    for u in ctx.get("uploads", []):
        need(set(u) == {"filename", "file_type"} and u["file_type"] in FILE_TYPES, f"context upload {u}")
    cats = case.get("category", [])
    need(all(c in CATEGORIES for c in cats) and len(cats) == len(set(cats)) and bool(cats), f"category {cats}")
    e = case.get("expect", {})
    need(tuple(e) == EXPECT_KEYS, f"expect keys {list(e)}")
    if errs:
        return errs
    need(e["kind"] in KINDS, f"kind {e['kind']}")
    need(e["template"] is None or e["template"] in B.TEMPLATES, f"template {e['template']}")
    nouns = []
    for a in e["actors"]:
        need(set(a) == {"noun", "count", "colour", "size", "role"}, f"actor keys {a}")
        need(isinstance(a["noun"], str) and a["noun"] == a["noun"].lower() and a["noun"].isascii(), f"noun {a['noun']!r}")
        need(a["count"] is None or (isinstance(a["count"], int) and a["count"] > 0), f"count {a['count']}")
        need(a["colour"] is None or a["colour"] in B.COLOURS, f"colour {a['colour']}")
        need(a["size"] is None or a["size"] in B.SIZES, f"size {a['size']}")
        need(a["role"] in ("actor", "product", "audience"), f"role {a['role']}")
        nouns.append(a["noun"])
    need(len(nouns) == len(set(nouns)), f"an actor listed twice: {nouns}")
    for r in e["relations"]:
        need(r["kind"] in B.RELATIONS, f"relation {r['kind']}")
        want = {"kind", "a", "b", "c"} if r["kind"] == "between" else {"kind", "a", "b"}
        need(set(r) == want, f"relation keys {r}")
        need(all(r[k] in nouns for k in want - {"kind"}), f"relation names a noun not among the actors: {r}")
    need(all(p in PLACES for p in e["places"]), f"places {e['places']}")
    need(e["time"] is None or e["time"] in B.TIMES, f"time {e['time']}")
    need(e["weather"] is None or e["weather"] in B.WEATHERS, f"weather {e['weather']}")
    need(e["season"] is None or e["season"] in B.SEASONS, f"season {e['season']}")
    for t in e["texts"]:
        need(set(t) == {"role", "text", "moment"} and t["role"] in B.TEXT_ROLES, f"text {t}")
        need(isinstance(t["text"], str) and t["text"].strip() == t["text"] and bool(t["text"]), f"text {t}")
        need(t["text"] in case["prompt"], f"text not verbatim in the prompt: {t['text']!r}")
        m = t["moment"]
        need(m is None or (bool(m) and all(k in MOMENT_KEYS and isinstance(v, MOMENT_KEYS[k]) for k, v in m.items())),
             f"moment {m}")
        need(m is None or all(v is True for k, v in m.items() if k in ("at_start", "at_end", "middle", "when")),
             f"moment flags {m}")
    for u in e["uploads"]:
        need(set(u) == {"file", "role", "corner"} and u["role"] in B.UPLOAD_ROLES, f"upload {u}")
        need(u["file"] in files, f"upload {u['file']} not in context.uploads")
        need(u["corner"] is None or (u["corner"] in B.CORNERS and u["role"] == "logo"), f"corner {u}")
    need(e["length_s"] is None or (isinstance(e["length_s"], int) and e["length_s"] > 0), f"length {e['length_s']}")
    need(e["aspect"] is None or e["aspect"] in ASPECTS, f"aspect {e['aspect']}")
    mu = e["music"]
    need(mu is None or mu == {} or mu == {"none": True} or (set(mu) == {"mood"} and mu["mood"] in df.MOODS),
         f"music {mu}")
    need(isinstance(e["narration"], bool), "narration")
    need(not any(t["role"] == "voiceover" for t in e["texts"]) or e["narration"], "a voiceover text without narration")
    if e["kind"] in ("question", "outside", "help", "export"):
        need(not (e["actors"] or e["relations"] or e["texts"] or e["uploads"]), f"{e['kind']} with items")
        need(e["template"] is None, f"{e['kind']} with a template")
    if e["kind"] in ("edit", "question", "export"):
        need(ctx["draft"], f"{e['kind']} without a draft in context")
    derived = derived_categories(case)
    if "plain" in cats:
        need(set(cats) == {"plain"} and derived == {"setting"} and bool(e["actors"]) and bool(e["places"])
             and not (e["time"] or e["weather"] or e["season"]), f"not plain: {sorted(derived)}")
    else:
        need(derived <= set(cats) and set(cats) - derived <= {"word_sense"}, f"category {cats} vs derived {sorted(derived)}")
    return errs


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--nouns", action="store_true", help="list dev nouns without a subject")
    args = ap.parse_args()
    find = subject_lookup()
    bad = 0
    seen: set[str] = set()
    per: Counter[tuple[str, str]] = Counter()
    cats: dict[str, Counter[str]] = {lang: Counter() for lang in LANGS}
    unknown: dict[str, Counter[str]] = {s: Counter() for s in SPLITS}
    for split in SPLITS:
        for n, line in enumerate((HERE / f"{split}.jsonl").read_text("utf-8").splitlines(), 1):
            case = json.loads(line)
            errs = check_case(case)
            if case.get("id") in seen:
                errs.append("id used twice")
            seen.add(case.get("id", ""))
            if errs:
                bad += 1
                where = case.get("id") if split == "dev" else f"holdout line {n}"
                print(f"{where}: " + ("; ".join(errs) if split == "dev" else f"{len(errs)} problem(s)"))
                continue
            per[(case["lang"], split)] += 1
            cats[case["lang"]].update(case["category"])
            for a in case["expect"]["actors"]:
                if not find(a["noun"]):
                    unknown[split][a["noun"]] += 1
    print(f"{'lang':6} {'dev':>4} {'hold':>4} {'all':>4}  " + " ".join(f"{c[:6]:>6}" for c in CATEGORIES))
    for lang in LANGS:
        d, h = per[(lang, "dev")], per[(lang, "holdout")]
        print(f"{lang:6} {d:4} {h:4} {d + h:4}  " + " ".join(f"{cats[lang][c]:6}" for c in CATEGORIES))
    total = Counter[str]()
    for c in cats.values():
        total.update(c)
    d, h = sum(v for (_, s), v in per.items() if s == "dev"), sum(v for (_, s), v in per.items() if s == "holdout")
    print(f"{'all':6} {d:4} {h:4} {d + h:4}  " + " ".join(f"{total[c]:6}" for c in CATEGORIES))
    for lang in LANGS:
        d, h = per[(lang, "dev")], per[(lang, "holdout")]
        if d + h < 30 or h != round((d + h) / 3):
            bad += 1
            print(f"{lang}: {d + h} cases, {h} held out (want at least 30, a third held out)")
    for split in SPLITS:
        print(f"{split}: {sum(unknown[split].values())} actor(s) named by a noun with no subject")
    if args.nouns:
        print("dev nouns without a subject: " + ", ".join(sorted(unknown["dev"])))
    print("OK" if not bad else f"{bad} case(s) break the schema")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
