"""Compositional prompts drawn: counts, places, colours, actions and sizes, scored on the draft and on
the frames.

    python benchmarks/composition.py [--split dev|holdout|all] [--oracle] [--languages]
                                     [--sheets DIR] [--only ID,ID] [--eye FILE]

The prompts (``benchmarks/composition/prompts.jsonl``, written for this benchmark: counts 1-8 and
pairs, left/right/above/below/on/under/in front/behind/beside/near/inside/between, colour bindings,
actions and interactions, sizes) each say what must be drawn: subjects (ids of the planner's
vocabulary) with their count, colour, size and action, and the relations between them. A third
of each category is held out (``split``).

Each prompt is planned (``--oracle``: the composition is made from the expected brief instead of
the planner's reading, to score the composition alone), and scored twice:

* **stated**: the first scene of the draft states it (act entries: ``n``, ``col``, ``sc``, ``rel``,
  ``mo``);
* **frames**: its first scene is rendered (4 s, 640x360) and frames at 25, 50 and 80 % are
  measured: a second render with each actor in a tag colour tells the actors apart, a third one
  without actors gives the background; a count is the number of separate drawings (where the
  picture changed) that carry an actor's tag colour, in the frame that shows most, a colour the
  share of the actor's pixels in the asked colour in the real render, a place or an action the
  positions and motions of the tagged actors (the checks of tests/engine/render/test_relations.py;
  a place between whole drawings: what the tag colour leaves as it was, a tree's trunk under its
  crown, is measured on a render of the actor alone), a size the height against a render without
  the size word.

``--sheets DIR`` writes contact sheets (the real frames at 25/50/80 %, six prompts a page) to look
at; ``--eye FILE`` (default ``benchmarks/composition/eye.json``) holds what was judged by eye on
them, and its figures are printed beside the others. Targets (stated, frames and by eye): counts
>= 95 %, places >= 90 %, colours >= 90 %, actions >= 80 %.
"""

from __future__ import annotations

import argparse
import contextlib
import copy
import json
import sys
import tempfile
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from _pixels import (
    box,
    centre,
    changed,
    count_marked,
    dilate,
    erode,
    frames,
    hue_mask,
    looks,
    main_box,
    sheet,
)

from nemo_jupyter.draft_format import TRACK_VIDEO
from nemo_jupyter.engine.planner import plan
from nemo_jupyter.engine.render import render_draft

HERE = Path(__file__).resolve().parent / "composition"
W, H, SECONDS = 640, 360, 4.0
TIMES = [SECONDS * 0.25, SECONDS * 0.5, SECONDS * 0.8]
TAGS = ("blue", "red", "green", "yellow", "purple", "orange")
TARGETS = {"count": 0.95, "spatial": 0.90, "colour": 0.90, "action": 0.80, "size": 0.90}
ALONE = {"on", "under", "behind", "in_front_of", "above", "below", "inside", "left_of", "right_of", "beside",
         "near"}  # relations checked against the other's whole drawing
SIZE_UP = {"giant": True, "big": True, "tiny": False, "small": False}
Act = dict[str, Any]


def load(name: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in (HERE / name).read_text("utf-8").splitlines() if line.strip()]


# -- the draft ------------------------------------------------------------------------------------

def first_scene(draft: dict[str, Any] | None) -> dict[str, Any] | None:
    for track in (draft or {}).get("t") or []:
        if isinstance(track, dict) and track.get("tt") == TRACK_VIDEO:
            for seg in track.get("sg") or []:
                if isinstance(seg, dict) and seg.get("k") == "scene":
                    return seg
    return None


def oracle_scene(case: dict[str, Any], scene: str) -> list[Act]:
    """The act list the composer makes from the expected brief (the reading left out)."""
    from nemo_jupyter.engine.planning.brief import Actor, Relation, Scene
    from nemo_jupyter.engine.planning.compose import actor_dicts
    from nemo_jupyter.engine.planning.lexicon import lexicon

    actors = []
    for i, a in enumerate(case["actors"]):
        info = lexicon().info(a["s"])
        mo = {"run": "run", "swim": "swim", "fly": "fly", "bounce": "bounce", "drive": "drive"}.get(a.get("action", ""))
        actors.append(Actor(s=a["s"], art=info.art if info else "", id=f"a{i + 1}", count=a.get("n"),
                            colour=a.get("col"), size=a.get("size"), mo=mo))
    rels = [Relation(r["k"], f"a{r['a'] + 1}", f"a{r['b'] + 1}", f"a{r['c'] + 1}" if "c" in r else None)
            for r in case["relations"]]
    return actor_dicts(Scene(scene=scene, els=[], sounds=[], label_terms=[], pos=0, actors=actors), relations=rels)


def match(case: dict[str, Any], acts: list[Act]) -> list[int | None]:
    """Which act entry draws each expected actor (by subject; a colour tells two of one subject apart)."""
    used: set[int] = set()
    out: list[int | None] = []
    for a in case["actors"]:
        cands = [k for k, e in enumerate(acts) if e.get("s") == a["s"] and k not in used]
        if a.get("col"):
            cands.sort(key=lambda k: acts[k].get("col") != a["col"])
        pick = cands[0] if cands else None
        if pick is not None:
            used.add(pick)
        out.append(pick)
    return out


def stated(case: dict[str, Any], acts: list[Act], idx: list[int | None]) -> bool:
    """Whether the draft's first scene states what the prompt asks of its category."""
    cat = case["cat"]
    if any(k is None for k in idx):
        return False
    for a, k in zip(case["actors"], idx, strict=True):
        e = acts[k]  # type: ignore[index]
        if cat in ("count", "colour") and e.get("n", 1) != a.get("n", 1):
            return False
        if cat == "colour" and a.get("col") and e.get("col") != a["col"]:
            return False
        if cat == "size" and a.get("size") and (e.get("sc", 1.0) > 1.0) != SIZE_UP[a["size"]]:
            return False
        if cat == "action" and a.get("action") and e.get("mo") != a["action"]:
            return False
    if cat == "count" and any(e.get("n", 1) > 1 for k, e in enumerate(acts) if k not in idx):
        return False  # a group nobody asked for: "five children" drawn as five children and five girls
    if cat in ("spatial", "action", "size") or (cat == "colour" and case["relations"]):
        for r in case["relations"]:
            e = acts[idx[r["a"]]]  # type: ignore[index]
            rel = e.get("rel") or {}
            if rel.get("k") != r["k"] or rel.get("o") != idx[r["b"]]:
                return False
    return True


# -- the frames -----------------------------------------------------------------------------------

@contextlib.contextmanager
def _painted_as_with(acts: list[Act]) -> Iterator[None]:
    """Renders inside paint their backgrounds as with ``acts`` (families make room for the draft's own
    things, or leave theirs out: :meth:`Ctx.own`), so "without actors" differs from the real render by
    the actors alone."""
    from nemo_jupyter.engine.render import pipeline

    real = pipeline.family_paint
    extra = {"actors"} | {f"art:{a.get('art')}" for a in acts}

    def painted(fam: str, shots: Any, W: int, H: int) -> Any:
        fp = real(fam, shots, W, H)
        return fp._replace(hints=fp.hints | extra)

    pipeline.family_paint = painted  # type: ignore[assignment]
    try:
        yield
    finally:
        pipeline.family_paint = real  # type: ignore[assignment]


class Shot:
    """The first scene rendered three ways (as asked, each actor in a tag colour, without actors) and,
    for sizes, a fourth time without the size words; frames at 25, 50 and 80 %."""

    def __init__(self, draft: dict[str, Any], seg: dict[str, Any], acts: list[Act], tmp: Path, sizes: bool) -> None:
        def render(act: list[Act] | None, name: str) -> list[np.ndarray]:
            s = {k: v for k, v in seg.items() if k not in ("act", "tr", "trd", "shot")}
            s.update(st=0, d=int(SECONDS * 1000), shot="wide")
            if act:
                s["act"] = act
            d = {"t": [{"tt": 0, "sg": [s]}], "d": int(SECONDS * 1000),
                 "m": {**(draft.get("m") or {}), "width": W, "height": H}}
            out = tmp / name
            with _painted_as_with(acts):  # every render on the same backdrop (a park leaves its trees
                render_draft(d, out, resolve=lambda _s: None, quality="preview")  # out for tree actors)
            return frames(out, TIMES, W, H)

        self.acts, self.render = acts, render
        self._alone: dict[int, list[np.ndarray]] = {}
        self.real = render(acts, "real.mp4")
        self.bare = render(None, "bare.mp4")
        self.tag = TAGS
        tagged = [dict(e, col=self.tag[k % len(TAGS)]) for k, e in enumerate(acts)]
        self.tags = render(tagged, "tags.mp4")
        self.plain = render([{k: v for k, v in e.items() if k != "sc"} for e in tagged], "plain.mp4") if sizes else None

    def count(self, k: int, t: int) -> int:
        """How many separate things show actor ``k``'s tag colour in frame ``t``: whole bodies
        (where the scene changed, closed over thin gaps) that carry the tag."""
        mark = self.mask(k, t)
        shape = dilate(erode(changed(self.tags[t], self.bare[t])), 1) & dilate(mark, 16)
        return count_marked(shape, mark)

    def whole(self, k: int, t: int) -> tuple[int, int, int, int] | None:
        """Actor ``k``'s whole drawing box in frame ``t``: its tag colour's box grown by what its
        tag leaves as it was (a tree's trunk under its recoloured crown), measured on a render of
        it alone (in its tag colour: the box of its tag against the box of all of it)."""
        if k not in self._alone:
            e = {key: v for key, v in self.acts[k].items() if key != "rel"}
            e["col"] = self.tag[k % len(TAGS)]
            self._alone[k] = self.render([e], f"alone{k}.mp4")
        own = main_box(self.mask(k, t))
        img = self._alone[k][t]
        tag, full = box(erode(hue_mask(img, self.tag[k % len(TAGS)]) & changed(img, self.bare[t]))), \
            box(erode(changed(img, self.bare[t])))
        if own is None or tag is None or full is None:
            return own
        return (own[0] - (tag[0] - full[0]), own[1] - (tag[1] - full[1]),
                own[2] + (full[2] - tag[2]), own[3] + (full[3] - tag[3]))

    def mask(self, k: int, t: int = 1, frames_: list[np.ndarray] | None = None) -> np.ndarray:
        """Actor ``k``'s pixels (its tag colour, where the scene changed) in frame ``t``."""
        src = self.tags if frames_ is None else frames_
        return erode(hue_mask(src[t], self.tag[k % len(TAGS)]) & changed(src[t], self.bare[t]))


def _gap(a: tuple[int, int, int, int], b: tuple[int, int, int, int]) -> int:
    return max(b[0] - a[2], a[0] - b[2])


def _ox(a: tuple[int, int, int, int], b: tuple[int, int, int, int]) -> int:
    return min(a[2], b[2]) - max(a[0], b[0])


def relation_seen(kind: str, s: Shot, ia: int, ib: int, ic: int | None) -> bool:
    """Whether the frames show ``kind``(a, b) (the checks of tests/engine/render/test_relations.py)."""
    boxes = [(s.whole(ia, t), s.whole(ib, t)) if kind in ALONE else (main_box(s.mask(ia, t)), main_box(s.mask(ib, t)))
             for t in range(3)]
    seen = [(a, b) for a, b in boxes if a is not None and b is not None]
    if not seen:
        return False
    a, b = seen[len(seen) // 2]
    ca, cb = [centre(s.mask(ia, t)) for t in range(3)], [centre(s.mask(ib, t)) for t in range(3)]
    gap = _gap(a, b)
    if kind in ("chase", "follow"):
        if None in (ca[0], ca[2], cb[0], cb[2]):
            return False
        way = np.sign(cb[2][0] - cb[0][0])  # type: ignore[index]
        mid = next((k for k in (1, 0, 2) if ca[k] and cb[k]), None)
        return bool(way and np.sign(ca[2][0] - ca[0][0]) == way and mid is not None  # type: ignore[index]
                    and (cb[mid][0] - ca[mid][0]) * way > 0)  # type: ignore[index]
    if kind == "ride":
        return _ox(a, b) > 0 and a[3] < b[3]
    if kind in ("hold", "carry", "eat", "drink"):
        return gap < 0.08 * W
    if kind in ("feed", "look_at", "talk_to", "beside", "play_with"):
        return 0 <= gap < 0.16 * W or (kind == "play_with" and gap < 0.16 * W)
    if kind in ("throw", "kick", "catch"):
        pts = [c for c in cb if c is not None]
        return len(pts) >= 2 and (max(p[0] for p in pts) - min(p[0] for p in pts) > 0.04 * W
                                  or max(p[1] for p in pts) - min(p[1] for p in pts) > 0.04 * H)
    if kind in ("build", "grow"):
        return s.mask(ib, 2).sum() > 1.2 * max(1, s.mask(ib, 0).sum()) and gap < 0.12 * W
    if kind == "hug":
        return gap < 0.01 * W
    if kind == "fly":
        return b[3] < a[1]
    if kind == "on":  # (on a tree: in its crown)
        return _ox(a, b) > 0 and a[3] < b[3] and (a[1] + a[3]) / 2 < (b[1] + b[3]) / 2
    if kind == "under":
        return _ox(a, b) > 0 and (a[3] >= b[3] - 0.06 * H or a[1] > b[3])
    if kind == "behind":
        return _ox(a, b) > 0 and a[3] < b[3]
    if kind == "in_front_of":
        return _ox(a, b) > 0 and a[3] > b[3]
    if kind == "near":
        return 0 <= gap < 0.22 * W
    if kind == "left_of":
        return a[2] < b[0]
    if kind == "right_of":
        return a[0] > b[2]
    if kind == "above":
        return a[3] < b[1] + 0.02 * H
    if kind == "below":
        return a[1] > b[3] - 0.02 * H
    if kind == "inside":
        cx = ca[1][0] if ca[1] else (a[0] + a[2]) / 2
        return b[0] <= cx <= b[2] and a[1] < b[1] + 0.3 * (b[3] - b[1])
    if kind == "between" and ic is not None:
        c = centre(s.mask(ic, 1))
        return c is not None and ca[1] is not None and min(cb[1][0], c[0]) < ca[1][0] < max(cb[1][0], c[0])  # type: ignore[index]
    return False


def seen(case: dict[str, Any], s: Shot, acts: list[Act], idx: list[int | None]) -> bool:
    """Whether the frames show what the prompt asks of its category."""
    cat = case["cat"]
    if any(k is None for k in idx):
        return False
    for a, k in zip(case["actors"], idx, strict=True):
        assert k is not None
        # (its fills closed over the thin outlines inside it: stripes, petals, panels are one thing)
        if cat == "count" and max(s.count(k, t) for t in range(3)) != a.get("n", 1):
            return False
        if cat == "colour" and a.get("col"):
            region = dilate(s.mask(k, 1), 2) & changed(s.real[1], s.bare[1])
            if region.sum() < 20 or looks(s.real[1], a["col"])[region].mean() < 0.3:
                return False
        if cat == "size" and a.get("size") and s.plain is not None:
            now, before = box(s.mask(k, 1)), box(s.mask(k, 1, s.plain))
            if now is None or before is None:
                return False
            ratio = (now[3] - now[1]) / max(1, before[3] - before[1])
            if (ratio >= 1.2) != SIZE_UP[a["size"]] or (not SIZE_UP[a["size"]] and ratio > 0.85):
                return False
        if cat == "action" and a.get("action"):
            pts = [centre(s.mask(k, t)) for t in range(3)]
            known = [p for p in pts if p is not None]
            if a["action"] == "bounce":
                if len(known) < 2 or max(p[1] for p in known) - min(p[1] for p in known) < 0.01 * H:
                    return False
            elif len(known) == 3 and abs(known[2][0] - known[0][0]) < 0.04 * W:
                return False
    if cat in ("spatial", "action", "size"):
        for r in case["relations"]:
            if not relation_seen(r["k"], s, idx[r["a"]], idx[r["b"]], idx[r["c"]] if "c" in r else None):  # type: ignore[arg-type]
                return False
    return True


# -- the run --------------------------------------------------------------------------------------

def run(cases: list[dict[str, Any]], oracle: bool, sheets: Path | None) -> list[dict[str, Any]]:
    results = []
    rows: list[tuple[str, list[np.ndarray]]] = []
    page = 0
    with tempfile.TemporaryDirectory(prefix="nemo-composition-") as tmpname:
        tmp = Path(tmpname)
        for case in cases:
            p = plan(case["prompt"], None, [])
            seg = first_scene(p.draft)
            if seg is None:
                results.append({"id": case["id"], "cat": case["cat"], "stated": False, "frames": False})
                continue
            acts = oracle_scene(case, str(seg.get("scene"))) if oracle else copy.deepcopy(seg.get("act") or [])
            idx = match(case, acts)
            ok_stated = stated(case, acts, idx)
            shot = Shot(p.draft or {}, seg, acts, tmp, sizes=case["cat"] == "size")
            ok_frames = seen(case, shot, acts, idx)
            results.append({"id": case["id"], "cat": case["cat"], "stated": ok_stated, "frames": ok_frames})
            mark = f"[{'S' if ok_stated else 's'}{'F' if ok_frames else 'f'}]"
            rows.append((f"{case['id']} {mark} {case['prompt']}", shot.real))
            if sheets is not None and len(rows) == 6:
                sheet(rows, sheets / f"sheet{page:02d}.png")
                rows, page = [], page + 1
            print(f"{case['id']:6} {case['cat']:8} stated={'yes' if ok_stated else 'NO ':3} "
                  f"frames={'yes' if ok_frames else 'NO ':3} {case['prompt']}", flush=True)
    if sheets is not None and rows:
        sheet(rows, sheets / f"sheet{page:02d}.png")
    return results


def report(results: list[dict[str, Any]], eye: dict[str, Any]) -> int:
    by: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for r in results:
        by[r["cat"]].append(r)
    code = 0
    for cat, rs in by.items():
        n = len(rs)
        st = sum(r["stated"] for r in rs) / n
        fr = sum(r["frames"] for r in rs) / n
        judged = [eye[r["id"]]["ok"] for r in rs if r["id"] in eye]
        by_eye = f"{sum(judged) / len(judged):.0%} of {len(judged)}" if judged else "not judged"
        target = TARGETS.get(cat, 0.9)
        verdict = "PASS" if min(st, fr) >= target and (not judged or sum(judged) / len(judged) >= target) else "FAIL"
        code |= verdict == "FAIL"
        print(f"{cat:8} {n:3} prompts  stated {st:5.0%}  frames {fr:5.0%}  by eye {by_eye:12}  "
              f"(target {target:.0%}) {verdict}")
    return code


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--split", choices=("dev", "holdout", "all"), default="dev")
    ap.add_argument("--oracle", action="store_true", help="compose from the expected brief, not the planner's reading")
    ap.add_argument("--languages", action="store_true", help="the prompts in eight other languages instead")
    ap.add_argument("--sheets", type=Path, default=None, help="write contact sheets into this folder")
    ap.add_argument("--only", default="", help="comma-separated prompt ids")
    ap.add_argument("--eye", type=Path, default=HERE / "eye.json", help="what was judged by eye on the sheets")
    args = ap.parse_args(argv)
    cases = load("languages.jsonl") if args.languages else load("prompts.jsonl")
    if not args.languages and args.split != "all":
        cases = [c for c in cases if c["split"] == args.split]
    if args.only:
        keep = set(args.only.split(","))
        cases = [c for c in cases if c["id"] in keep]
    eye = json.loads(args.eye.read_text("utf-8")) if args.eye.exists() else {}
    print(f"{len(cases)} prompts ({'languages' if args.languages else args.split}; "
          f"{'composed from the expected brief' if args.oracle else 'planned from the prompt'})")
    return report(run(cases, args.oracle, args.sheets), eye.get("judged", {}))


if __name__ == "__main__":
    sys.exit(main())
