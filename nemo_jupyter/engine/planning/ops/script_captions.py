""""Add captions from my script": an uploaded TXT script's sentences as captions."""

from __future__ import annotations

from typing import Any, ClassVar

from nemo_jupyter.draft_format import TRACK_TEXT

from ..draftops import _find_track, _segments
from ..messages import _CANT
from ..tracks import _caption_segments, caption_texts
from .base import EditContext, EditOp


def scripts(assets: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [a for a in assets if a.get("file_type") == "text" and isinstance(a.get("text"), str)
            and a.get("text", "").strip()]


class ScriptCaptions(EditOp):
    name: ClassVar[str] = "add_captions"

    def wants(self, ctx: EditContext) -> bool:
        brief = ctx.brief
        edit = brief.edit
        if not scripts(ctx.assets):
            if not brief.texts and not ctx.steps and edit.captions_from_script \
                    and not edit.remove_captions:
                ctx.notes.append(_CANT[ctx.lang]["no_script"])
            return False
        return bool(ctx.total > 0 and not brief.texts and not edit.remove_captions and (
            "text" in brief.req.uploads_ref or (edit.captions_from_script and edit.add_word)))

    def apply(self, ctx: EditContext) -> None:
        script = scripts(ctx.assets)[0]
        cap_track = _find_track(ctx.draft, TRACK_TEXT, "Captions", kinds=("caption",), create=True)
        assert cap_track is not None
        for seg in _segments(cap_track):
            ctx.ids.used.discard(str(seg.get("id")))
        caps = _caption_segments(str(script["text"]), ctx.total, ctx.ids)
        cap_track["sg"] = caps
        ctx.step(self.name, {"source": str(script.get("filename") or "script")[:80], "sentences": len(caps)},
                 {"segments": len(caps)})
        if caption_texts(str(script["text"]), ctx.total)[1]:
            ctx.say(f"added {len(caps)} captions from {script.get('filename')}",
                    f"从{script.get('filename')}加了{len(caps)}条字幕")
        else:
            secs = ctx.total // 1000
            ctx.say(f"added {len(caps)} captions from {script.get('filename')}: they cover its beginning, as much "
                    f"as can be read in {secs} s (make the video longer to show more of the script)",
                    f"从{script.get('filename')}加了{len(caps)}条字幕：{secs}秒只够显示脚本的开头（把视频加长可以显示更多）")
