"""Changing the composition of the video's own cast: "make the balloons blue", "five ducklings",
"make the dog giant", "put the cat under the table", "now the dog chases the cat".

One scene operation that applies, in order, each composition edit the brief asks for
(:mod:`.recount`, :mod:`.recolour`, :mod:`.resize_actor`, :mod:`.relate`), when every subject it
names is already in the video (a relation's second subject may join it): the rest of the video is
kept, instead of new scenes made from these words alone.
"""

from __future__ import annotations

from typing import ClassVar

from ._acts import entries, named
from .base import EditContext, EditOp
from .recolour import Recolour
from .recount import Recount
from .relate import Relate
from .resize_actor import ResizeActor

EDITS: tuple[EditOp, ...] = (Recount(), Recolour(), ResizeActor(), Relate())


class Recompose(EditOp):
    name: ClassVar[str] = "recompose"

    def wants(self, ctx: EditContext) -> bool:
        actors = named(ctx)
        others = {ctx.brief.actor(r.b).s for r in ctx.brief.relations  # type: ignore[union-attr]
                  if r.b and ctx.brief.actor(r.b) is not None}
        cast = all(entries(ctx, a) or a.s in others for a in actors)
        return bool(actors) and cast and any(op.wants(ctx) for op in EDITS)

    def apply(self, ctx: EditContext) -> None:
        for op in EDITS:
            if op.wants(ctx):
                op.apply(ctx)
