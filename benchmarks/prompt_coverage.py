"""How often the embedded engine's planner draws what a prompt asks for.

Runs every prompt of ``coverage_prompts.txt`` (classroom, creators, celebrations, animals,
places, vehicles, science; English, Chinese, Spanish, French, German, Japanese) through the real
planner and checks the draft's video track: a prompt is **depicted** when every expected subject
is an actor (``act[].s``) of some scene or the background family (``@family``) of one.

Prints, per category and in total: depicted, refused (nothing drawn, draft unchanged),
substituted-with-notice (a stand-in drawn and the reply says so), abstract fallback (an abstract
background), and the prompts that missed, with what was drawn instead. Then the planner's cost
on TXT scripts of growing size, relative to the smallest one in the same run (it must stay
linear: 10x the sentences, about 10x the time).

    python benchmarks/prompt_coverage.py [--quiet]
"""

from __future__ import annotations

import sys
import time
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

from nemo_jupyter.engine.planner import plan

PROMPTS = Path(__file__).with_name("coverage_prompts.txt")


def load() -> list[tuple[str, str, str, list[list[str]]]]:
    """(category, language, prompt, expected: a list of alternatives per item)."""
    out = []
    category = "other"
    for line in PROMPTS.read_text(encoding="utf-8").splitlines():
        if line.startswith("# ---"):
            category = line[5:].strip()
            continue
        if not line.strip() or line.startswith("#"):
            continue
        lang, prompt, expected = (part.strip() for part in line.split("|"))
        items = [[alt.strip() for alt in item.split("/")] for item in expected.split(",") if item.strip()]
        out.append((category, lang, prompt, items))
    return out


def drawn(draft: dict[str, Any]) -> tuple[set[str], set[str]]:
    """(actor subjects, background families) on the video track."""
    actors: set[str] = set()
    scenes: set[str] = set()
    for track in draft.get("t", []):
        if track.get("tt") != 0:
            continue
        for seg in track.get("sg", []):
            if seg.get("k") == "scene":
                scenes.add(str(seg.get("scene")))
                actors.update(str(a.get("s")) for a in seg.get("act", []) if isinstance(a, dict))
    return actors, scenes


def classify(prompt: str, lang: str, items: list[list[str]]) -> tuple[str, str]:
    r = plan(prompt, None, [], language=lang if lang != "zh" else "zh-CN")
    if not r.understood or r.draft is None:
        return "refused", r.reply[:100]
    actors, scenes = drawn(r.draft)

    def present(alt: str) -> bool:
        return alt[1:] in scenes if alt.startswith("@") else alt in actors

    ok = all(any(present(alt) for alt in item) for item in items)
    notice = "can't draw" in r.reply or "画不了" in r.reply
    if ok:
        return ("substituted" if notice else "depicted"), ""
    what = f"scenes={sorted(scenes)} actors={sorted(actors)[:8]}"
    if "abstract" in scenes:
        return "abstract", what
    return ("substituted" if notice else "missed"), what


def script_scaling() -> list[tuple[int, float]]:
    sentence = "A fox runs through the snowy forest while an owl watches from a tree. "
    out = []
    for n in (200, 2_000):
        asset = {"filename": "s.txt", "file_type": "text", "cdn_url": "u", "text": sentence * n}
        t0 = time.perf_counter()
        plan("make a 10 minute video from my script", None, [asset])
        out.append((n, time.perf_counter() - t0))
    return out


def main() -> int:
    quiet = "--quiet" in sys.argv
    rows = load()
    t0 = time.perf_counter()
    results = [(cat, lang, prompt, *classify(prompt, lang, items)) for cat, lang, prompt, items in rows]
    elapsed = time.perf_counter() - t0
    total = Counter(r[3] for r in results)
    by_cat: dict[str, Counter[str]] = defaultdict(Counter)
    by_lang: dict[str, Counter[str]] = defaultdict(Counter)
    for cat, lang, _p, outcome, _w in results:
        by_cat[cat][outcome] += 1
        by_lang[lang][outcome] += 1
    n = len(results)
    print(f"{n} prompts, planned in {elapsed:.2f} s ({1000 * elapsed / n:.1f} ms each)")
    print(f"{'':14}{'prompts':>8}{'depicted':>10}{'substit.':>10}{'abstract':>10}{'refused':>9}{'missed':>8}")
    for name, c in [*sorted(by_cat.items()), ("--", Counter()), *sorted(by_lang.items())]:
        if name == "--":
            print()
            continue
        m = sum(c.values())
        print(f"{name:14}{m:>8}{c['depicted']:>10}{c['substituted']:>10}{c['abstract']:>10}{c['refused']:>9}"
              f"{c['missed']:>8}")
    depicted = total["depicted"] + total["substituted"]
    print(f"\ntotal: depicted {total['depicted']} ({100 * total['depicted'] / n:.1f} %), "
          f"substituted-with-notice {total['substituted']} ({100 * total['substituted'] / n:.1f} %), "
          f"abstract fallback {total['abstract']}, refused {total['refused']}, missed {total['missed']}")
    print(f"every expected subject on the video track: {depicted}/{n} = {100 * depicted / n:.1f} %")
    if not quiet:
        for cat, lang, prompt, outcome, what in results:
            if outcome not in ("depicted", "substituted"):
                print(f"  [{outcome}] ({cat}, {lang}) {prompt}  ->  {what}")
    scaling = script_scaling()
    (n0, t_small), (n1, t_big) = scaling
    print(f"\nTXT script planning: {n0} sentences {1000 * t_small:.0f} ms (reference), {n1} sentences "
          f"{1000 * t_big:.0f} ms = {t_big / t_small:.1f}x for {n1 // n0}x the sentences")
    return 0 if 100 * depicted / n >= 95 else 1


if __name__ == "__main__":
    raise SystemExit(main())
