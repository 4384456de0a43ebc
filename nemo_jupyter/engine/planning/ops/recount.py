""""Five ducklings", "only one cat": how many of a subject already in the video, in every scene."""

from __future__ import annotations

from typing import Any, ClassVar

from ..compose import MAX_COPIES
from ..labels import actor_name
from ._acts import entries, named
from .base import EditContext, EditOp


class Recount(EditOp):
    name: ClassVar[str] = "set_count"

    def _asked(self, ctx: EditContext) -> list[tuple[int, str, list[dict[str, Any]]]]:
        out = []
        for a in named(ctx):
            found = entries(ctx, a)
            if a.count is not None and a.count >= 1 and found and any(e.get("n", 1) != min(a.count, MAX_COPIES)
                                                                      for e in found):
                name = a.word if a.count > 1 and a.word else actor_name(a, ctx.lang)
                out.append((a.count, name, found))
        return out

    def wants(self, ctx: EditContext) -> bool:
        return bool(self._asked(ctx))

    def apply(self, ctx: EditContext) -> None:
        for count, name, found in self._asked(ctx):
            n = min(count, MAX_COPIES)
            for e in found:
                if n > 1:
                    e["n"] = n
                else:
                    e.pop("n", None)
            ctx.step(self.name, {"subject": name, "count": count}, {"actors": len(found), "drawn": n})
            ctx.say("ed_recounted" if n > 1 else "ed_recounted_one", n=n, name=name)
            if count > MAX_COPIES:
                ctx.note("ed_count_capped", most=MAX_COPIES, name=name)
