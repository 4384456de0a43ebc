""""Make it vertical", "720p": aspect ratio and output size."""

from __future__ import annotations

from typing import ClassVar

from nemo_jupyter.draft_format import FPS

from ..common import _int
from ..draftops import _current_aspect, _current_res, _meta, _size
from .base import EditContext, EditOp


class SetFormat(EditOp):
    name: ClassVar[str] = "set_format"

    def wants(self, ctx: EditContext) -> bool:
        return bool(ctx.brief.fmt.aspect or ctx.brief.fmt.res)

    def apply(self, ctx: EditContext) -> None:
        m = _meta(ctx.draft)
        aspect = ctx.brief.fmt.aspect or _current_aspect(m)
        res = ctx.brief.fmt.res or _current_res(m)
        width, height = _size(aspect, res)
        m.update({"aspect": aspect, "width": width, "height": height})
        m.setdefault("fps", FPS)
        ctx.step(self.name, {"aspect": aspect, "resolution": f"{res}p"},
                 {"width": width, "height": height, "fps": _int(m.get("fps"), FPS)})
        ctx.say("ed_format", aspect=aspect, width=width, height=height)
