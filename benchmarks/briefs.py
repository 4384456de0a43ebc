"""How well the planner reads a request: its brief against the brief a careful reader wrote.

    python benchmarks/briefs.py                 # the dev cases (benchmarks/briefs/dev.jsonl)
    python benchmarks/briefs.py --holdout       # the held-out cases: run only to report, never to tune
    python benchmarks/briefs.py --show 20       # and the first 20 differences
    python benchmarks/briefs.py --lang ko --category relation

Each case's prompt is planned by the embedded engine's planner (``engine.planner.plan``, the code
the engine runs for a chat turn) with the case's uploads and, for an edit or a question, an open
video. Its brief (the state's ``brief``) is compared with the expected one by the rules of
``benchmarks/briefs/README.md``: a brief is **exact** when its kind, template, actors (noun,
count, colour, size, role), relations, places, time, weather, season, texts (role, text, moment),
uploads (file, role, corner), length, aspect, music and narration all equal the expected ones.
Each expected item is then looked up in the brief with its outcome: **honoured** (done),
**substituted** (done differently, said in the reply), **not done** (with a reason, said in the
reply) or **silently dropped** (missing from the brief, or left without an outcome).

Figures are printed per language and in total; the run takes a few seconds (no rendering).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
import unicodedata
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from nemo_jupyter.engine.planner import plan  # noqa: E402
from nemo_jupyter.engine.planning.lexicon import _forms, lexicon  # noqa: E402

DATA = Path(__file__).resolve().parent / "briefs"
OPEN_VIDEO = "a 20-second video of a park with a dog and soft music"
_SYMMETRIC = {"beside", "near"}
_TIME_FAMILIES = {"sunset", "night_sky", "aurora", "rain", "snow", "storm"}


def _norm(text: str) -> str:
    return " ".join(unicodedata.normalize("NFC", str(text)).replace("-", " ").replace("_", " ").lower().split())


def _ids_for(noun: str) -> set[str]:
    """The subject ids the engine draws for an English noun (its name, a synonym, a group word)."""
    lex = lexicon()
    got = lex._get(_norm(noun), "en")
    out = set()
    if got:
        out.add(got[0])
        out.update(got[2])
    return out


_NAMES: dict[str, set[str]] = {}


def _english_names(subject: str) -> set[str]:
    """Every English word the engine reads as ``subject`` (its name, keywords and synonyms), singular."""
    if not _NAMES:
        for word, sid in lexicon().words["en"].items():
            _NAMES.setdefault(sid, set()).add(_norm(word))
        for sid in list(_NAMES):
            # singular forms as the engine makes them ("leaves": "leaf", "puppies": "puppy")
            _NAMES[sid] |= {w[:-1] for w in _NAMES[sid] if w.endswith("s")} | {
                f for w in _NAMES[sid] for f in _forms(w, "en")}
            _NAMES[sid].add(_norm(sid))
    return _NAMES.get(subject, {_norm(subject)})


def _assets(case: dict[str, Any]) -> list[dict[str, Any]]:
    out = []
    for up in case.get("context", {}).get("uploads") or []:
        name = str(up["filename"])
        out.append({"filename": name, "file_type": up["file_type"], "cdn_url": f"http://engine/media/{name}",
                    "duration": 5.0 if up["file_type"] in ("video", "audio") else None, "width": 1080,
                    "height": 1080, "text": "A first sentence. A second sentence." if up["file_type"] == "text" else None,
                    "sandbox_path": "/mnt/userdata/" + name})
    return out


_OPEN: dict[str, Any] = {}
DROPPED: list[str] = []  # "case: item" of every item left without an outcome (--dropped)


def _open_draft() -> dict[str, Any]:
    if not _OPEN:
        got = plan(OPEN_VIDEO, None, [])
        assert got.draft is not None
        _OPEN.update(got.draft)
    return json.loads(json.dumps(_OPEN))


# -- matching --------------------------------------------------------------------------------------
def _match_actors(expected: list[dict[str, Any]], actors: list[dict[str, Any]]) -> tuple[dict[int, dict[str, Any]], list[str]]:
    """Expected actor index -> brief actor, one to one; and the problems."""
    pool = [a for a in actors if a.get("role") not in ("extra", "audience", "mentioned")]
    used: set[int] = set()
    out: dict[int, dict[str, Any]] = {}
    for i, e in enumerate(expected):
        noun = _norm(e["noun"])
        ids = _ids_for(e["noun"])
        best = None
        for j, a in enumerate(pool):
            if j in used:
                continue
            names = {_norm(a.get("noun", "")), _norm(a.get("instead_of", ""))}
            heads = {n.rsplit(" ", 1)[-1] for n in names if n}  # "old man" is a man
            same_thing = noun in names or noun in heads or a.get("subject") in ids
            # the same thing under another of the engine's names (estrella: glowing star = a star)
            same_thing = same_thing or (bool(a.get("subject")) and noun in _english_names(str(a["subject"])))
            if same_thing or (not ids and a.get("instead_of")):
                # among several, the one with the same count and colour
                score = (a.get("count") == e.get("count")) + (a.get("colour") == e.get("colour"))
                if best is None or score > best[0]:
                    best = (score, j)
        if best is not None:
            used.add(best[1])
            out[i] = pool[best[1]]
    problems = [f"actor {e['noun']!r} not read" for i, e in enumerate(expected) if i not in out]
    for i, a in out.items():
        e = expected[i]
        for key in ("count", "colour", "size"):
            if a.get(key) != e.get(key):
                problems.append(f"{e['noun']}.{key}: {a.get(key)!r} != {e.get(key)!r}")
        role = a.get("role", "actor")
        if role != e.get("role", "actor"):
            problems.append(f"{e['noun']}.role: {role!r} != {e.get('role')!r}")
    extra = [a for j, a in enumerate(pool) if j not in used]
    problems += [f"extra actor {a.get('noun')!r} ({a.get('subject')})" for a in extra]
    return out, problems


def _relations(exp: list[dict[str, Any]], brief: dict[str, Any], matched: dict[int, dict[str, Any]],
               expected_actors: list[dict[str, Any]]) -> tuple[list[str], dict[int, dict[str, Any]]]:
    noun_of_id = {a["id"]: _norm(expected_actors[i]["noun"]) for i, a in matched.items()}

    def key(kind: str, a: str, b: str | None, c: str | None) -> tuple[str, ...]:
        if kind == "between":
            return (kind, a, *sorted([b or "", c or ""]))
        if kind in _SYMMETRIC:
            return (kind, *sorted([a, b or ""]))
        return (kind, a, b or "")

    got = {}
    for r in brief.get("relations", []):
        k = key(r["kind"], noun_of_id.get(r["a"], "?" + r["a"]), noun_of_id.get(r.get("b") or "", r.get("b")),
                 noun_of_id.get(r.get("c") or "", r.get("c")))
        got[k] = r
    want = {key(r["kind"], _norm(r["a"]), _norm(r["b"]), _norm(r["c"]) if r.get("c") else None): i
            for i, r in enumerate(exp)}
    problems = [f"relation {k} not read" for k in want if k not in got]
    problems += [f"extra relation {k}" for k in got if k not in want]
    found = {i: got[k] for k, i in want.items() if k in got}
    return problems, found


def _places(brief: dict[str, Any]) -> list[str]:
    out: list[str] = []
    for s in brief.get("scenes", []):
        p = (s.get("setting") or {}).get("place")
        if p and (not out or out[-1] != p):
            out.append(p)
    g = (brief.get("setting") or {}).get("place")
    if g and g not in out:
        out.append(g)
    return out


def _facet(brief: dict[str, Any], facet: str) -> str | None:
    vals = [(s.get("setting") or {}).get(facet) for s in brief.get("scenes", [])]
    vals.append((brief.get("setting") or {}).get(facet))
    vals = [v for v in vals if v]
    return vals[0] if vals else None


def _moment_ok(want: dict[str, Any] | None, got: dict[str, Any] | None, role: str) -> bool:
    want, got = dict(want or {}), dict(got or {})
    got.pop("scene", None)
    if role == "end_card":
        want.pop("at_end", None)
        got.pop("at_end", None)
    if set(want) != set(got):
        return False
    for k, v in want.items():
        g = got[k]
        if k == "when":
            if not g:
                return False
        elif isinstance(v, (int, float)) and not isinstance(v, bool):
            if not isinstance(g, (int, float)) or abs(float(v) - float(g)) > 0.05:
                return False
        elif v != g:
            return False
    return True


def _texts(exp: list[dict[str, Any]], brief: dict[str, Any]) -> tuple[list[str], dict[int, dict[str, Any]]]:
    pool = list(brief.get("texts", []))
    used: set[int] = set()
    found: dict[int, dict[str, Any]] = {}
    problems = []
    for i, e in enumerate(exp):
        hit = next((j for j, t in enumerate(pool) if j not in used and _norm(t["text"]) == _norm(e["text"])), None)
        if hit is None:
            problems.append(f"text {e['text']!r} not read")
            continue
        used.add(hit)
        t = pool[hit]
        found[i] = t
        if t["role"] != e["role"]:
            problems.append(f"text {e['text']!r} role {t['role']} != {e['role']}")
        if not _moment_ok(e.get("moment"), t.get("moment"), e["role"]):
            problems.append(f"text {e['text']!r} moment {t.get('moment')} != {e.get('moment')}")
    problems += [f"extra text {t['text']!r} ({t['role']})" for j, t in enumerate(pool) if j not in used]
    return problems, found


def compare(case: dict[str, Any], brief: dict[str, Any]) -> tuple[list[str], Counter[str]]:
    """(the differences from the expected brief, the outcome of each expected item)."""
    e = case["expect"]
    problems: list[str] = []
    outcomes: Counter[str] = Counter()

    def account(item: dict[str, Any] | None, what: str = "") -> None:
        status = (item or {}).get("status")
        kind = {"done": "honoured", "substituted": "substituted", "not_done": "not done"}.get(str(status), "dropped")
        outcomes[kind] += 1
        if kind == "dropped":
            DROPPED.append(f"{case['id']}: {what}" + ("" if item is None else f" (read, status {status!r})"))

    for key in ("kind", "template"):
        if brief.get(key) != e.get(key):
            problems.append(f"{key}: {brief.get(key)!r} != {e.get(key)!r}")
    matched, p = _match_actors(e.get("actors") or [], brief.get("actors", []))
    problems += p
    for i, a in enumerate(e.get("actors") or []):
        got = matched.get(i)
        account(got, f"actor {a['noun']}")
        for key in ("count", "colour", "size"):
            if a.get(key) is not None and not (key == "count" and a.get(key) == 1):
                account((got or {}).get("details", {}).get(key) if got else None, f"{a['noun']}.{key}")
    p, rels = _relations(e.get("relations") or [], brief, matched, e.get("actors") or [])
    problems += p
    for i in range(len(e.get("relations") or [])):
        account(rels.get(i), f"relation {(e.get('relations') or [])[i]}")
    places = _places(brief)
    want_places = [x for x in e.get("places") or []]
    if [x for x in places if x not in _TIME_FAMILIES] != [x for x in want_places if x not in _TIME_FAMILIES]:
        problems.append(f"places {places} != {want_places}")
    setting_outcomes: dict[tuple[str, str], dict[str, Any]] = {}
    for s in [brief.get("setting") or {}, *((sc.get("setting") or {}) for sc in brief.get("scenes", []))]:
        for facet, o in (s.get("outcomes") or {}).items():
            if s.get(facet):
                setting_outcomes.setdefault((facet, s[facet]), o)
    for place in want_places:
        account(setting_outcomes.get(("place", place)) if place in places else None, f"place {place}")
    for facet in ("time", "weather", "season"):
        got = _facet(brief, facet)
        if got != e.get(facet):
            problems.append(f"{facet}: {got!r} != {e.get(facet)!r}")
        if e.get(facet):
            account(setting_outcomes.get((facet, e[facet])) if got == e[facet] else None, f"{facet} {e[facet]}")
    p, texts = _texts(e.get("texts") or [], brief)
    problems += p
    for i in range(len(e.get("texts") or [])):
        account(texts.get(i), f"text {(e.get('texts') or [])[i]['text']!r}")
    got_up = {(u["file"], u["role"], u.get("corner")): u for u in brief.get("uploads", [])}
    want_up = {(u["file"], u["role"], u.get("corner")) for u in e.get("uploads") or []}
    problems += [f"upload {k} not read" for k in want_up if k not in got_up]
    problems += [f"extra upload {k}" for k in got_up if k not in want_up]
    for k in want_up:
        account(got_up.get(k), f"upload {k}")
    asks = brief.get("asks") or {}
    if brief.get("length_s") != e.get("length_s"):
        problems.append(f"length_s: {brief.get('length_s')!r} != {e.get('length_s')!r}")
    if e.get("length_s") is not None:
        account(asks.get("length") if brief.get("length_s") == e.get("length_s") else None, "length")
    if brief.get("aspect") != e.get("aspect"):
        problems.append(f"aspect: {brief.get('aspect')!r} != {e.get('aspect')!r}")
    if e.get("aspect"):
        account(asks.get("aspect") if brief.get("aspect") == e.get("aspect") else None, "aspect")
    music = brief.get("music")
    want_music = e.get("music")
    norm_music = None if music is None else {k: v for k, v in music.items() if k in ("mood", "none")}
    if norm_music != want_music and not (want_music == {} and music is not None):
        problems.append(f"music: {norm_music!r} != {want_music!r}")
    if want_music is not None and want_music != {}:
        account(asks.get("music") if norm_music == want_music else None, "music")
    if bool(brief.get("narration")) != bool(e.get("narration")):
        problems.append(f"narration: {bool(brief.get('narration'))} != {bool(e.get('narration'))}")
    if e.get("narration"):
        account(asks.get("narration") if brief.get("narration") else None, "narration")
    return problems, outcomes


def run(path: Path, *, lang: str | None, category: str | None, show: int) -> int:
    cases = [json.loads(line) for line in path.read_text("utf-8").splitlines() if line.strip()]
    cases = [c for c in cases if (lang is None or c["lang"] == lang) and (category is None or category in c["category"])]
    per_lang: dict[str, Counter[str]] = defaultdict(Counter)
    outcomes: Counter[str] = Counter()
    shown = 0
    slowest, slowest_id, first = 0.0, "", None
    for case in cases:
        draft = _open_draft() if case.get("context", {}).get("draft") else None
        t0 = time.perf_counter()
        got = plan(case["prompt"], draft, _assets(case), language=None)
        took = time.perf_counter() - t0
        if first is None:
            first = took  # loads the word tables
        elif took > slowest:
            slowest, slowest_id = took, case["id"]
        brief = got.brief or {}
        problems, out = compare(case, brief)
        stats = per_lang[case["lang"]]
        stats["cases"] += 1
        stats["exact"] += not problems
        outcomes.update(out)
        stats.update(out)
        if problems and shown < show:
            shown += 1
            print(f"- {case['id']}: {case['prompt']}\n    " + "\n    ".join(problems[:8]))
    total = Counter[str]()
    for c in per_lang.values():
        total.update(c)
    print(f"\n{path.name}: {total['cases']} cases; first plan {(first or 0) * 1000:.0f} ms (loads the word tables), "
          f"slowest after it {slowest * 1000:.0f} ms ({slowest_id})")
    print(f"{'language':10} {'cases':>6} {'exact':>7} {'honoured':>9} {'substit.':>9} {'not done':>9} {'dropped':>8}")
    for key in [*sorted(per_lang), "all"]:
        c = total if key == "all" else per_lang[key]
        items = sum(c[k] for k in ("honoured", "substituted", "not done", "dropped"))
        pct = 100 * c["exact"] / max(1, c["cases"])
        print(f"{key:10} {c['cases']:>6} {pct:>6.1f}% {c['honoured']:>9} {c['substituted']:>9} {c['not done']:>9} "
              f"{c['dropped']:>8}   ({items} items)")
    return 0


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--holdout", action="store_true", help="run the held-out cases (report only)")
    ap.add_argument("--lang")
    ap.add_argument("--category")
    ap.add_argument("--show", type=int, default=0, help="print the first N cases that are not exact")
    ap.add_argument("--dropped", action="store_true", help="and list every silently dropped item")
    args = ap.parse_args()
    path = DATA / ("holdout.jsonl" if args.holdout else "dev.jsonl")
    code = run(path, lang=args.lang, category=args.category, show=args.show)
    if args.dropped:
        print("\nsilently dropped:\n  " + "\n  ".join(DROPPED))
    return code


if __name__ == "__main__":
    raise SystemExit(main())
