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
        ctx.say("removed the title" if n else "there was no title to remove", "去掉了标题" if n else "本来就没有标题")


class RemoveCaptions(EditOp):
    name: ClassVar[str] = "remove_captions"

    def wants(self, ctx: EditContext) -> bool:
        return ctx.brief.edit.remove_captions and not ctx.brief.texts

    def apply(self, ctx: EditContext) -> None:
        n = _remove(ctx, ("caption", "text"))
        ctx.step(self.name, {}, {"removed": n})
        ctx.say(f"removed {n} caption(s)" if n else "there were no captions to remove",
                f"去掉了{n}条字幕" if n else "本来就没有字幕")
