""""Change the cat to a dog": one subject swapped for another in every scene, the rest kept."""

from __future__ import annotations

from typing import Any, ClassVar

from nemo_jupyter.draft_format import TRACK_VIDEO

from ..brief import Actor, Scene
from ..compose import actor_dicts
from ..draftops import _segments, _tracks, _tt
from ..labels import actor_name
from .base import EditContext, EditOp


def _named(ctx: EditContext) -> list[Actor]:
    out: list[Actor] = []
    for subj in ctx.brief.what.scenes:
        out.extend(a for a in subj.actors if all(x.s != a.s for x in out))
    return out


def _present(ctx: EditContext) -> set[str]:
    out: set[str] = set()
    for t in _tracks(ctx.draft):
        if _tt(t) == TRACK_VIDEO:
            for s in _segments(t):
                acts = s.get("act")
                if isinstance(acts, list):
                    out.update(str(a.get("s")) for a in acts if isinstance(a, dict))
    return out


class SwapActor(EditOp):
    name: ClassVar[str] = "swap_actor"

    def wants(self, ctx: EditContext) -> bool:
        named = _named(ctx)
        return bool(len(named) >= 2 and named[0].s in _present(ctx) and named[1].s not in _present(ctx)
                    and ctx.brief.edit.swap)

    def apply(self, ctx: EditContext) -> None:
        src, dst = _named(ctx)[:2]
        changed = 0
        for track in _tracks(ctx.draft):
            if _tt(track) != TRACK_VIDEO:
                continue
            for seg in _segments(track):
                acts = seg.get("act")
                if not isinstance(acts, list):
                    continue
                for i, a in enumerate(acts):
                    if isinstance(a, dict) and a.get("s") == src.s:
                        placed: dict[str, Any] = actor_dicts(Scene(
                            scene=str(seg.get("scene")), els=[], sounds=[], label_terms=[], pos=0, actors=[dst]))[0]
                        # Same spot and depth; the new subject's own size and motion.
                        placed.update({k: a[k] for k in ("x", "y", "z") if k in a})
                        acts[i] = placed
                        changed += 1
        ctx.step(self.name, {"from": src.s, "to": dst.s}, {"actors": changed})
        ctx.say(f"changed the {actor_name(src, 'en')} to {actor_name(dst, 'en')} in {changed} scene(s)",
                f"把{changed}个场景里的{actor_name(src, 'zh')}换成了{actor_name(dst, 'zh')}")
