""""Use my photos instead": the uploads replace the video track."""

from __future__ import annotations

from typing import ClassVar

from nemo_jupyter.draft_format import TRACK_VIDEO

from ..draftops import _find_track, _segments
from ..uploads import _media_assets, _plan_upload_segments, roles_of, split_logos
from .base import EditContext, EditOp


class UseUploads(EditOp):
    name: ClassVar[str] = "use_uploads"

    def wants(self, ctx: EditContext) -> bool:
        ref = ctx.brief.req.uploads_ref
        return bool(ref and _media_assets(ctx.assets, ("image", "video")) and ref & {"image", "video", "all"})

    def apply(self, ctx: EditContext) -> None:
        media, _logos = split_logos(_media_assets(ctx.assets, ("image", "video")), roles_of(ctx.brief))
        if not media:
            return  # only a logo: it goes in its corner (ops/place_logo.py)
        video = _find_track(ctx.draft, TRACK_VIDEO, "Video", kinds=("scene", "image", "video"), create=True)
        assert video is not None
        for seg in _segments(video):
            ctx.ids.used.discard(str(seg.get("id")))
        segs, left_out = _plan_upload_segments(media, ctx.total, ctx.ids, roles_of(ctx.brief))
        video["sg"] = segs
        ctx.step(self.name, {"images": sum(1 for a in media if a.get("file_type") == "image"),
                             "videos": sum(1 for a in media if a.get("file_type") == "video")},
                 {"segments": [s["id"] for s in segs][:50]})
        ctx.say(f"put your {len(media)} upload(s) on the video track", f"把你上传的{len(media)}个素材放到了视频轨道上")
        if left_out:
            ctx.notes.append(f"{left_out}个文件放不下，没有使用。" if ctx.zh else
                             f"{left_out} upload(s) did not fit and were left out.")
