""""Make the balloons blue": the colour of a subject already in the video, in every scene it is in."""

from __future__ import annotations

from typing import ClassVar

from nemo_jupyter.draft_format import COLOURS

from ..labels import actor_name, quality_word
from ._acts import entries, named
from .base import EditContext, EditOp


class Recolour(EditOp):
    name: ClassVar[str] = "set_colour"

    def _asked(self, ctx: EditContext) -> list[tuple[str, str, list[dict[str, object]]]]:
        out = []
        for a in named(ctx):
            found = entries(ctx, a)
            if a.colour in COLOURS and found and any(e.get("col") != a.colour for e in found):
                out.append((a.colour, actor_name(a, ctx.lang), found))
        return out

    def wants(self, ctx: EditContext) -> bool:
        return bool(self._asked(ctx))

    def apply(self, ctx: EditContext) -> None:
        for colour, name, found in self._asked(ctx):
            for e in found:
                e["col"] = colour
            ctx.step(self.name, {"subject": name, "colour": colour}, {"actors": len(found)})
            ctx.say("ed_recoloured", name=name, colour=quality_word("colours", colour, ctx.lang))
