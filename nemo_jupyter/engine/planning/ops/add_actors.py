""""Add a dog", "put a cat in the forest scene": subjects joining the scenes already there."""

from __future__ import annotations

from typing import Any, ClassVar

from nemo_jupyter.draft_format import TRACK_VIDEO

from ..brief import Actor
from ..compose import MAX_ACTORS, actor_dicts
from ..draftops import _seg_kind, _segments, _tracks, _tt
from ..labels import _join, actor_name
from .base import EditContext, EditOp
from .swap_scene import present_scenes


class AddActors(EditOp):
    name: ClassVar[str] = "add_actors"

    def _actors(self, ctx: EditContext) -> list[Actor]:
        out: list[Actor] = []
        for subj in ctx.brief.what.scenes:
            for a in subj.actors:
                if all(x.s != a.s for x in out):
                    out.append(a)
        return out

    def wants(self, ctx: EditContext) -> bool:
        # "add a scene with a rocket" is a new scene (AddScene); "add a fox to the forest scene" is not.
        edit = ctx.brief.edit
        into = edit.into_scenes or not edit.add_scene
        return bool(edit.adding and into and self._actors(ctx) and not ctx.brief.what.topics)

    def apply(self, ctx: EditContext) -> None:
        actors = self._actors(ctx)
        present = present_scenes(ctx)
        named = {s.scene for s in ctx.brief.what.scenes if s.named_scene and s.scene in present}
        changed = 0
        for track in _tracks(ctx.draft):
            if _tt(track) != TRACK_VIDEO:
                continue
            for seg in _segments(track):
                if _seg_kind(track, seg) != "scene" or (named and seg.get("scene") not in named):
                    continue
                raw = seg.get("act")
                old: list[Any] = [a for a in raw if isinstance(a, dict)] if isinstance(raw, list) else []
                have = {a.get("s") for a in old}
                new = [a for a in actors if a.s not in have]
                if not new:
                    continue
                probe = _probe(str(seg.get("scene")), old, new)
                placed = actor_dicts(probe)  # the old ones first (kept as they were), then the new
                seg["act"] = (old + placed[len(probe.actors) - len(new):])[:MAX_ACTORS]
                changed += 1
        names = _join([actor_name(a, ctx.lang) for a in actors], ctx.lang)
        if not changed:
            ctx.say(f"the {names} {'is' if len(actors) == 1 else 'are'} already there", f"{names}本来就有")
            return
        ctx.step(self.name, {"subjects": [a.s for a in actors][:20]}, {"segments": changed})
        ctx.say(f"added {names} to {changed} scene(s)", f"给{changed}个场景加上了{names}")


def _probe(scene: str, old: list[dict[str, Any]], new: list[Actor]) -> Any:
    """A Scene holding the scene's actors then the new ones, so the composer lines them up together."""
    from ..brief import Scene

    existing = [Actor(s=str(a.get("s")), art=str(a.get("art", ""))) for a in old if isinstance(a.get("s"), str)]
    return Scene(scene=scene, els=[], sounds=[], label_terms=[scene], pos=0, actors=existing + new)
