""""Put the cat under the table", "now the dog chases the cat": a relation between subjects of the
video, in every scene that has the first one (the other one joins those scenes when it is missing)."""

from __future__ import annotations

from typing import Any, ClassVar

from nemo_jupyter.draft_format import RELATION_KINDS

from ..brief import Actor, Relation, Scene
from ..compose import MAX_ACTORS, actor_dicts
from ..labels import actor_name
from ._acts import scene_acts
from .base import EditContext, EditOp

#: how the reply says each relation ("the cat is under the table now", "the dog is chasing the cat now")
WORDS = {"chase": "chasing", "follow": "following", "ride": "riding", "hold": "holding", "carry": "carrying",
         "eat": "eating", "drink": "drinking", "feed": "feeding", "throw": "throwing", "kick": "kicking",
         "catch": "catching", "build": "building", "grow": "growing", "play_with": "playing with",
         "look_at": "looking at", "talk_to": "talking to", "hug": "hugging", "fly": "flying",
         "in_front_of": "in front of", "left_of": "to the left of", "right_of": "to the right of"}


def _index(acts: list[Any], actor: Actor) -> int | None:
    return next((i for i, a in enumerate(acts) if isinstance(a, dict) and a.get("s") == actor.s), None)


class Relate(EditOp):
    name: ClassVar[str] = "set_relation"

    def _asked(self, ctx: EditContext) -> list[tuple[Relation, Actor, Actor]]:
        out = []
        for rel in ctx.brief.relations:
            a, b = ctx.brief.actor(rel.a), ctx.brief.actor(rel.b) if rel.b else None
            if rel.kind not in RELATION_KINDS or a is None or b is None or rel.kind == "between":
                continue
            for _seg, acts in scene_acts(ctx):
                i, j = _index(acts, a), _index(acts, b)
                r = acts[i].get("rel") if i is not None else None
                if i is not None and not (j is not None and r == {"k": rel.kind, "o": j}):
                    out.append((rel, a, b))
                    break
        return out

    def wants(self, ctx: EditContext) -> bool:
        return bool(self._asked(ctx))

    def apply(self, ctx: EditContext) -> None:
        for rel, a, b in self._asked(ctx):
            changed = 0
            for seg, acts in scene_acts(ctx):
                i = _index(acts, a)
                if i is None:
                    continue
                j = _index(acts, b)
                if j is None:
                    if len(acts) >= MAX_ACTORS:
                        continue
                    placed = actor_dicts(Scene(scene=str(seg.get("scene")), els=[], sounds=[], label_terms=[], pos=0,
                                               actors=[b]))
                    if not placed:
                        continue
                    acts.append(placed[0])
                    j = len(acts) - 1
                acts[i]["rel"] = {"k": rel.kind, "o": j}
                changed += 1
            words = WORDS.get(rel.kind, rel.kind.replace("_", " "))
            ctx.step(self.name, {"a": a.s, "relation": rel.kind, "b": b.s}, {"scenes": changed})
            ctx.say("ed_related", a=actor_name(a, ctx.lang), b=actor_name(b, ctx.lang), scenes=ctx.scenes(changed),
                    word=words if ctx.lang == "en" else (rel.word or words))
