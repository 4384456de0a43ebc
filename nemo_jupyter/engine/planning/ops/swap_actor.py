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

    @staticmethod
    def _pair(ctx: EditContext) -> tuple[Actor, Actor] | None:
        """The subject to replace (drawn now) and its replacement (not drawn yet), whichever the prompt
        names first ("change the cat to a dog", "mets un chien à la place du chat")."""
        named = _named(ctx)[:2]
        present = _present(ctx)
        drawn = [a for a in named if a.s in present]
        new = [a for a in named if a.s not in present]
        return (drawn[0], new[0]) if len(drawn) == 1 and len(new) == 1 else None

    def wants(self, ctx: EditContext) -> bool:
        return bool(ctx.brief.edit.swap and self._pair(ctx) is not None)

    def apply(self, ctx: EditContext) -> None:
        pair = self._pair(ctx)
        assert pair is not None
        src, dst = pair
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
        src.role = "mentioned"  # named to be replaced, not to be drawn (the checklist leaves it out)
        ctx.step(self.name, {"from": src.s, "to": dst.s}, {"actors": changed})
        ctx.say("ed_actor_swapped", a=actor_name(src, ctx.lang), b=actor_name(dst, ctx.lang), scenes=ctx.scenes(changed))
