""""Remove the title", "no captions": text segments off their tracks."""

from __future__ import annotations

from typing import ClassVar

from nemo_jupyter.draft_format import TRACK_TEXT

from ..draftops import _drop_empty_tracks, _seg_kind, _segments, _sg, _tracks, _tt
from .base import EditContext, EditOp


def _remove(ctx: EditContext, kinds: tuple[str, ...]) -> int:
    n = 0
    for track in _tracks(ctx.draft):
        if _tt(track) != TRACK_TEXT:
            continue
        for seg in list(_segments(track)):
            if _seg_kind(track, seg) in kinds:
                _sg(track).remove(seg)
                n += 1
    _drop_empty_tracks(ctx.draft, (TRACK_TEXT,))
    return n


class RemoveTitle(EditOp):
    name: ClassVar[str] = "remove_title"

    def wants(self, ctx: EditContext) -> bool:
        return ctx.brief.edit.remove_title

    def apply(self, ctx: EditContext) -> None:
        n = _remove(ctx, ("title",))
        ctx.step(self.name, {}, {"removed": n})
        ctx.say("ed_title_removed" if n else "ed_no_title")


class RemoveCaptions(EditOp):
    name: ClassVar[str] = "remove_captions"

    def wants(self, ctx: EditContext) -> bool:
        return ctx.brief.edit.remove_captions and not ctx.brief.texts

    def apply(self, ctx: EditContext) -> None:
        n = _remove(ctx, ("caption", "text"))
        ctx.step(self.name, {}, {"removed": n})
        ctx.say(("ed_captions_removed_one" if n == 1 else "ed_captions_removed") if n else "ed_no_captions", n=n)
