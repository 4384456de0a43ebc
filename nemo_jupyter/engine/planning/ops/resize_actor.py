""""Make the dog giant", "a tiny elephant": the size of a subject already in the video."""

from __future__ import annotations

from typing import Any, ClassVar

from ..compose import SIZE_FACTORS
from ..labels import actor_name, quality_word
from ._acts import entries, named
from .base import EditContext, EditOp


class ResizeActor(EditOp):
    name: ClassVar[str] = "set_size"

    def _asked(self, ctx: EditContext) -> list[tuple[str, str, list[dict[str, Any]]]]:
        out = []
        for a in named(ctx):
            found = entries(ctx, a)
            if a.size in SIZE_FACTORS and found and any(e.get("sc") != SIZE_FACTORS[a.size] for e in found):
                out.append((a.size, actor_name(a, ctx.lang), found))
        return out

    def wants(self, ctx: EditContext) -> bool:
        return bool(self._asked(ctx))

    def apply(self, ctx: EditContext) -> None:
        for size, name, found in self._asked(ctx):
            for e in found:
                e["sc"] = SIZE_FACTORS[size]
            ctx.step(self.name, {"subject": name, "size": size}, {"actors": len(found)})
            ctx.say("ed_resized", name=name, size=quality_word("sizes", size, ctx.lang))
