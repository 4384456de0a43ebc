""""Put my logo in the top left corner": a logo upload becomes (or moves as) a small overlay in a corner."""

from __future__ import annotations

from typing import Any, ClassVar

from nemo_jupyter.draft_format import OVERLAY_W

from ..draftops import _segments, _tracks
from ..uploads import logo_overlays
from .base import EditContext, EditOp


def _overlays(draft: dict[str, Any]) -> list[dict[str, Any]]:
    return [s for t in _tracks(draft) for s in _segments(t) if s.get("k") == "overlay"]


class PlaceLogo(EditOp):
    name: ClassVar[str] = "add_logo"

    def wants(self, ctx: EditContext) -> bool:
        return any(u.role == "logo" and u.file for u in ctx.brief.uploads)

    def apply(self, ctx: EditContext) -> None:
        urls = {str(a.get("filename")): a for a in ctx.assets if a.get("file_type") == "image"}
        for use in (u for u in ctx.brief.uploads if u.role == "logo" and u.file in urls):
            asset = urls[use.file]
            # a logo shown as a slide before becomes the overlay: no picture of the video is a logo
            for t in _tracks(ctx.draft):
                if any(s.get("src") == asset.get("cdn_url") and s.get("k") == "image" for s in _segments(t)):
                    t["sg"] = [s for s in _segments(t) if s.get("src") != asset.get("cdn_url")]
            have = [s for s in _overlays(ctx.draft) if s.get("src") == asset.get("cdn_url")]
            if have:
                seg = have[0]
                if use.corner:
                    seg["corner"] = use.corner
                if use.scale:
                    seg["w"] = round(min(0.5, max(0.03, use.scale)), 3)
                seg["st"], seg["d"] = 0, ctx.total
            else:
                made = logo_overlays(ctx.draft, ctx.brief, [asset], ctx.total, ctx.ids)
                if not made:
                    continue
                seg = made[0]
            corner = str(seg.get("corner")).replace("_", " ")
            ctx.step(self.name, {"file": use.file, "corner": seg.get("corner"), "width": seg.get("w", OVERLAY_W)},
                     {"id": seg.get("id")})
            ctx.say(f"put {use.file} in the {corner} corner", f"把{use.file}放在了角落（{corner}）")
