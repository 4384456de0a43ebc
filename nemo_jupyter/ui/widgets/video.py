"""``VideoWidget``: plays a rendered MP4 without pushing megabytes through widget state.

The widget state holds a *relative* path (under the kernel's working directory, which is
the notebook's folder) and, when known, the backend's URL for the file. The front end
turns the relative path into a Jupyter file-server URL (it asks the kernel for the path
relative to the server root that the page reports, so no absolute path is ever stored),
tries the candidates in order, and as a last resort asks the kernel for the bytes as one
binary message buffer that is never kept in state. ``embed=True`` stores the bytes in a
binary trait instead (for front ends without a kernel, at the price of a large notebook).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import anywidget
import traitlets

from ...client.models import Video
from ...client.storyboard import attribution_html
from ..display import video_credit, video_html, video_info
from ._base import css, esm, redact
from ._snapshot import StaticCopy, esc, video_block

#: bytes above which the kernel refuses to send a video through the comm
MAX_COMM_BYTES = 300 * 1024 * 1024


class VideoSource:
    """Where a video lives, and the secret-free traits that describe it to the front end."""

    def __init__(self, video: Video | str | os.PathLike[str] | None = None, *,
                 path: str | os.PathLike[str] | None = None, url: str | None = None) -> None:
        duration, size = 0.0, None
        if isinstance(video, Video):
            path = path or video.path
            url = url or video.url
            duration, size = video.duration or 0.0, video.size
        elif video is not None:  # VideoWidget("nemo_outputs/x.mp4") or a URL
            text = os.fspath(video)
            if text.startswith(("http://", "https://", "data:", "blob:")):
                url = url or text
            else:
                path = path or text
        self.abs_path: Path | None = Path(path).expanduser().resolve() if path else None
        if self.abs_path is not None and not self.abs_path.is_file():
            raise FileNotFoundError(
                f"No video file at {os.fspath(path or '')!r} (paths are relative to the notebook's folder): "
                "check the name, render it first, or pass url= instead."
            )
        self.url = str(url) if url else ""
        if self.url and not self.url.startswith(("http://", "https://", "data:", "blob:")):
            raise ValueError(f"url must be an http(s) URL, not {self.url[:40]!r}")
        self.url = redact(self.url)
        self.duration = float(duration)
        self.width = self.height = 0   # the player reads the size from the file
        if not size and self.abs_path is not None:
            size = self.abs_path.stat().st_size
        self.size = int(size or 0)

    def relative_path(self) -> str:
        """The file relative to the kernel's cwd, with ``/``; empty when it is outside it."""
        if self.abs_path is None:
            return ""
        try:
            return self.abs_path.relative_to(Path.cwd().resolve()).as_posix()
        except ValueError:
            return ""

    def traits(self) -> dict[str, Any]:
        name = self.abs_path.name if self.abs_path else (self.url.rsplit("/", 1)[-1].split("?")[0] or "video.mp4")
        return {
            "path": self.relative_path(),
            "url": self.url,
            "filename": name,
            "duration": self.duration,
            "width": self.width,
            "height": self.height,
            "size": self.size,
            "local_file": self.abs_path is not None,
            "credit": (video_credit(self.abs_path) or "") if self.abs_path is not None else "",  # OpenMoji's
        }

    def answer(self, content: dict[str, Any]) -> tuple[dict[str, Any], list[bytes]] | None:
        """The reply to a front-end request (``locate`` or ``bytes``), or None."""
        kind = content.get("type")
        if kind == "locate":
            files_path = ""
            root = str(content.get("server_root") or "")
            if self.abs_path is not None and root:
                try:
                    root_path = Path(root).expanduser().resolve()
                    files_path = self.abs_path.relative_to(root_path).as_posix()
                except (ValueError, OSError):
                    files_path = ""
            return {"type": "located", "files_path": files_path}, []
        if kind == "bytes":
            if self.abs_path is None or not self.abs_path.is_file():
                return {"type": "bytes", "error": "The video file is not on the kernel's machine."}, []
            size = self.abs_path.stat().st_size
            if size > MAX_COMM_BYTES:
                return {"type": "bytes", "error": "The video is too large to send; use the download link."}, []
            return {"type": "bytes"}, [self.abs_path.read_bytes()]
        return None


class VideoWidget(StaticCopy, anywidget.AnyWidget):
    """A ``<video controls>`` player with a download link.

    ``VideoWidget(video)`` takes a :class:`~nemo_jupyter.Video` (its ``path`` and ``url``), a
    path (``VideoWidget("nemo_outputs/x.mp4")``) or an http(s) URL; ``path=`` and ``url=`` work
    too. A path with no file behind it raises :class:`FileNotFoundError` at once.
    ``embed=True`` puts the bytes into the (saved) widget state. ``stage="preview"`` (with a
    ``note``) marks a quick preview that a later :meth:`show` replaces in place.
    """

    _esm = esm("video")
    _css = css("nemo")
    static_title = "Video"

    path = traitlets.Unicode("").tag(sync=True)
    url = traitlets.Unicode("").tag(sync=True)
    filename = traitlets.Unicode("").tag(sync=True)
    duration = traitlets.Float(0.0).tag(sync=True)
    width = traitlets.Int(0).tag(sync=True)
    height = traitlets.Int(0).tag(sync=True)
    size = traitlets.Int(0).tag(sync=True)
    local_file = traitlets.Bool(False).tag(sync=True)  # the kernel can send the bytes when nothing else loads
    credit = traitlets.Unicode("").tag(sync=True)  # the art's credit the video carries (OpenMoji, CC BY-SA)
    data = traitlets.Bytes(b"").tag(sync=True)
    #: "preview" while a quick preview plays until the full-quality file replaces it, "final" then
    #: (the player swaps the file in place, at the same moment of the video, still playing if it was)
    stage = traitlets.Unicode("").tag(sync=True)
    note = traitlets.Unicode("").tag(sync=True)    # a line under the player ("Preview: ...")

    def __init__(self, video: Video | str | os.PathLike[str] | None = None, *,
                 path: str | os.PathLike[str] | None = None, url: str | None = None, embed: bool = False,
                 stage: str = "", note: str = "", **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._source: VideoSource | None = None
        self.on_msg(self._on_front_msg)
        if video is not None or path or url:
            self.show(video, path=path, url=url, embed=embed, stage=stage, note=note)

    def show(self, video: Video | str | os.PathLike[str] | None = None, *,
             path: str | os.PathLike[str] | None = None, url: str | None = None, embed: bool = False,
             stage: str = "", note: str = "") -> None:
        """Point the player at another video. ``stage="preview"`` marks a quick preview (``note`` says
        so under it); a later ``show`` of the full-quality file swaps it in the same player, at the
        same moment, without a blank frame."""
        source = VideoSource(video, path=path, url=url)
        data = b""
        if embed:
            if source.abs_path is None:
                raise ValueError("embed=True needs a local file (path=...)")
            data = source.abs_path.read_bytes()
        self._source = source
        with self.hold_sync():
            for key, value in source.traits().items():
                setattr(self, key, value)
            self.data = data
            self.stage, self.note = stage, redact(note)[:300]
        self.push_static()

    def static_body(self) -> str:
        src = self._source
        if src is None:
            return "<p class='nemo-s-note'>No video.</p>"
        rel = src.relative_path()
        if rel and not self.data:
            # a player in the saved notebook too: the file beside it, by relative URL (as a cell's video)
            info = video_info(src.abs_path, duration=src.duration or None) if src.abs_path is not None else ""
            note = f"<div class='nemo-s-note'>{esc(self.note)}</div>" if self.note else ""
            credit = video_credit(src.abs_path) if src.abs_path is not None else None
            return (video_html(src.abs_path or rel, rel_url=rel) + f"<div class='nemo-s-note'>{esc(info)}</div>" + note
                    + attribution_html(credit))
        return video_block(src.abs_path, src.url, src.duration or None)

    def static_text(self) -> str:
        return f"Video: {self.filename or self.url or 'none'}"

    def __repr__(self) -> str:
        where = self.path or self.url or ("embedded" if self.data else "")
        if not where:
            return "VideoWidget(empty)"
        extra = f", {self.duration:.1f} s" if self.duration else ""
        return f"VideoWidget({where}{extra})"

    def clear(self) -> None:
        self._source = None
        with self.hold_sync():
            self.path = self.url = self.filename = ""
            self.duration, self.width, self.height, self.size, self.data = 0.0, 0, 0, 0, b""
            self.local_file = False
            self.stage = self.note = ""

    def _on_front_msg(self, _widget: Any, content: Any, _buffers: Any) -> None:
        if isinstance(content, dict) and content.get("type") == "snapshot?":
            self.push_static()
            return
        if not isinstance(content, dict) or self._source is None:
            return
        answer = self._source.answer(content)
        if answer is not None:
            msg, buffers = answer
            self.send(msg, buffers or None)
