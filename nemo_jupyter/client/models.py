"""Plain data the client hands out: events, replies, state, uploads, credits, videos.

Everything here is a frozen dataclass except :class:`Video` (its ``path`` is
filled in by ``download``). Objects that show themselves in a notebook do it
with plain strings (``_repr_html_`` / ``_repr_mimebundle_``); backend text is
always HTML-escaped, never live markup.
"""

from __future__ import annotations

import contextlib
import html
import os
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from ..draft_format import UPLOAD_FORMATS
from .brief import Brief, ChecklistItem
from .secrets import get_logger, redact

if TYPE_CHECKING:
    from .draft import Draft

__all__ = [
    "Brief",
    "ChecklistItem",
    "Credits",
    "Event",
    "Heartbeat",
    "Notice",
    "NoticeCode",
    "RenderOptions",
    "Reply",
    "State",
    "TextEvent",
    "ToolCall",
    "ToolResult",
    "UploadedFile",
    "Video",
]

log = get_logger("nemo_jupyter.models")


# -- events --------------------------------------------------------------------------------------
@dataclass(frozen=True)
class TextEvent:
    """Reply text. ``text`` is the whole reply so far; ``delta`` what this event added.

    ``delta`` is empty when the event replaced streamed partial text with the final
    full text (ADK streaming). ``partial`` is True for streamed chunks.
    """

    text: str
    delta: str
    partial: bool = False


@dataclass(frozen=True)
class ToolCall:
    name: str
    args: dict[str, Any] = field(default_factory=dict)
    id: str | None = None


@dataclass(frozen=True)
class ToolResult:
    name: str
    result: Any = None
    id: str | None = None
    state_delta: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Heartbeat:
    """A keep-alive: the backend is still working."""


Event = TextEvent | ToolCall | ToolResult | Heartbeat


# -- account -------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Credits:
    available: float
    frozen: float = 0
    total: float = 0
    free: bool = False   # the backend says it charges nothing (the embedded engine)

    @classmethod
    def from_json(cls, data: Any) -> Credits:
        d = data if isinstance(data, dict) else {}
        available = _num(d.get("available")) or 0
        frozen = _num(d.get("frozen")) or 0
        total = _num(d.get("total"))
        free = d.get("free") is True or "charges nothing" in str(d.get("note") or "")
        return cls(available=available, frozen=frozen, total=available + frozen if total is None else total,
                   free=free)

    def __str__(self) -> str:
        return f"{self.available:g} credits available ({self.frozen:g} held by running work, {self.total:g} total)"


# -- uploads -------------------------------------------------------------------------------------
# What the backend's answers may name: our upload formats, plus the DOCX/PDF scripts the
# cloud's skill texts mention (we do not send those ourselves).
_EXT_TYPES = {
    **{ext: kind for kind, exts in UPLOAD_FORMATS.items() for ext in exts},
    **dict.fromkeys(("docx", "pdf"), "text"),
}


def file_type_of(name: str) -> str | None:
    """``video`` | ``image`` | ``audio`` | ``text`` from a file name's extension, or None."""
    ext = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    return _EXT_TYPES.get(ext)


@dataclass(frozen=True)
class UploadedFile:
    filename: str
    file_type: str | None
    cdn_url: str
    duration: float | None = None
    width: int | None = None
    height: int | None = None
    fps: float | None = None
    hash: str | None = None
    raw: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def from_json(cls, data: Any) -> UploadedFile:
        d = data if isinstance(data, dict) else {}
        url = d.get("cdn_url") or d.get("cdnUrl") or d.get("url") or ""
        name = d.get("filename") or d.get("file_name") or d.get("name") or ""
        if not name and url:
            name = str(url).split("?", 1)[0].rstrip("/").rsplit("/", 1)[-1]
        ftype = d.get("file_type") or d.get("fileType") or d.get("type") or file_type_of(str(name))
        width, height = _num(d.get("width")), _num(d.get("height"))
        return cls(
            filename=str(name),
            file_type=str(ftype) if ftype else None,
            cdn_url=str(url),
            duration=_num(d.get("duration")),
            width=int(width) if width is not None else None,
            height=int(height) if height is not None else None,
            fps=_num(d.get("fps")),
            hash=str(d["hash"]) if d.get("hash") is not None else None,
            raw=dict(d),
        )


# -- state ---------------------------------------------------------------------------------------
@dataclass(frozen=True)
class State:
    """A session's state: the draft, uploaded/generated assets, canvas, and the raw answer."""

    draft: Draft | None
    assets: list[UploadedFile] = field(default_factory=list)
    generated_media: list[Any] = field(default_factory=list)
    canvas: dict[str, Any] = field(default_factory=dict)
    raw: dict[str, Any] = field(default_factory=dict, repr=False)
    draft_error: str | None = None
    brief: Brief | None = None   # the last turn's brief, when the backend keeps one
    version: int | None = None   # the engine's number of this draft (its versions extension; None elsewhere)

    @classmethod
    def from_json(cls, data: Any) -> State:
        from .draft import Draft
        from .exceptions import DraftError

        d = data if isinstance(data, dict) else {}
        inner = d.get("state")
        st: dict[str, Any] = inner if isinstance(inner, dict) else d
        draft: Draft | None = None
        error: str | None = None
        raw_draft = st.get("draft")
        if raw_draft not in (None, "", {}):
            try:
                draft = Draft.from_json(raw_draft)
            except DraftError as exc:  # keep everything else usable; the raw draft stays in .raw
                error = str(exc)
                log.warning("state has a draft that cannot be read: %s", exc)
        infos = st.get("video_infos") or st.get("videoInfos") or []
        assets = [UploadedFile.from_json(x) for x in infos if isinstance(x, dict)] if isinstance(infos, list) else []
        generated = st.get("generated_media") or st.get("generatedMedia") or []
        canvas = st.get("canvas_config") or st.get("canvasConfig") or {}
        return cls(
            draft=draft,
            assets=assets,
            generated_media=list(generated) if isinstance(generated, list) else [generated],
            canvas=dict(canvas) if isinstance(canvas, dict) else {},
            raw=dict(d),
            draft_error=error,
            brief=Brief.from_json(st.get("brief")),
            version=st["version"] if isinstance(st.get("version"), int) and not isinstance(st["version"], bool)
            else None,
        )


# -- replies -------------------------------------------------------------------------------------
NoticeCode = Literal["recovered", "skipped_events", "temporary_issue_dropped"]
"""``recovered``: the stream dropped and the result was read from the state (nothing re-sent);
``skipped_events``: ``count`` unreadable frames were skipped; ``temporary_issue_dropped``: a
trailing "temporary issue" message after a normal reply was left out."""


@dataclass(frozen=True)
class Notice:
    """A remark about how a turn went, as data (the conversation layer words it for the user)."""

    code: NoticeCode
    count: int = 0


@dataclass(frozen=True)
class Reply:
    """One finished turn.

    ``text`` is what the backend said (may be empty: ``silent``); ``changes`` the
    draft's changes in words, from the state before and after the turn.
    ``recovered`` is True when the stream dropped and the result was read back
    from the state instead (the message was not re-sent). ``notices`` say how the turn
    went (recovery, skipped frames) as :class:`Notice` codes. ``brief`` is what the backend
    understood the message to ask, item by item (None when it sent none).
    """

    text: str
    events: list[Event] = field(default_factory=list, repr=False)
    changes: list[str] = field(default_factory=list)
    draft: Draft | None = field(default=None, repr=False)
    draft_before: Draft | None = field(default=None, repr=False)
    session_id: str | None = None
    silent: bool = False
    recovered: bool = False
    notices: list[Notice] = field(default_factory=list)
    brief: Brief | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        # token-like text is masked here, before any escaping (escaping turns nmv_ into nmv\_)
        object.__setattr__(self, "text", redact(self.text))

    def __str__(self) -> str:
        return self._plain()

    def _plain(self) -> str:
        parts = []
        if self.text:
            parts.append(self.text)
        elif self.silent:
            parts.append("(no reply text)" if not self.changes else "(no reply text; the draft changed)")
        if self.changes:
            parts.append("Changes:\n" + "\n".join(f"- {c}" for c in self.changes))
        return "\n\n".join(parts)

    def _markdown(self) -> str:
        parts = []
        if self.text:
            parts.append(html.escape(self.text, quote=False))
        elif self.silent:
            parts.append("*(no reply text)*")
        if self.changes:
            parts.append("**Changes:**\n\n" + "\n".join(f"- {html.escape(c, quote=False)}" for c in self.changes))
        return "\n\n".join(parts)

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict[str, str]:
        return {"text/plain": self._plain(), "text/markdown": self._markdown()}


# -- renders -------------------------------------------------------------------------------------
QUALITIES = ("high", "medium", "preview", "low")
RESOLUTIONS = ("720p", "1080p")


@dataclass(frozen=True)
class RenderOptions:
    """How to render, one value from a front end's arguments to the render request.

    ``None`` in a field means "not said here": :meth:`or_` fills it from another value (a
    front end's settings), and the request falls back to the protocol's defaults (``high``
    quality, the backend's resolution). ``timeout`` is how long to wait for the render
    (seconds; None: the caller's default).
    """

    quality: str | None = None
    resolution: str | None = None
    timeout: float | None = None

    def or_(self, other: RenderOptions) -> RenderOptions:
        """These options, with what they leave unsaid taken from ``other``."""
        return RenderOptions(quality=self.quality or other.quality,
                             resolution=self.resolution or other.resolution,
                             timeout=self.timeout or other.timeout)

    @property
    def output(self) -> dict[str, Any]:
        """The render request's ``output`` object (PROTOCOL.md: format, quality, resolution)."""
        out: dict[str, Any] = {"format": "mp4", "quality": self.quality or "high"}
        if self.resolution:
            out["resolution"] = self.resolution
        return out


# -- video ---------------------------------------------------------------------------------------
Fetcher = Callable[[Path], Awaitable[Path]]


def make_folder(target: Path, job_id: str | None = None) -> None:
    """The folder ``target`` goes in, made if missing; a :class:`~.exceptions.DownloadError` that
    names it when it cannot be (a file in the way, no permission, a full disk)."""
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        from .exceptions import DownloadError

        raise DownloadError(f"Cannot make the folder {target.parent} for the video "
                            f"({(exc.strerror or type(exc).__name__).lower()}).",
                            hint="Download to a folder you can write: video.download(\"PATH\").",
                            job_id=job_id) from None


def _place(src: Path, target: Path, job_id: str | None = None) -> Path:
    """``src`` at ``target``: ``target`` itself when it is that file already, else a hard link
    there (no copy) or, across file systems, a copy; always ``target``."""
    import shutil

    from .exceptions import DownloadError

    try:
        if target.exists() and os.path.samefile(src, target):
            return target
    except OSError:
        pass
    make_folder(target, job_id)
    tmp = target.with_name(f".{target.name}.{os.getpid()}.{os.urandom(3).hex()}.part")
    try:
        try:
            os.link(src, tmp)
        except OSError:
            shutil.copyfile(src, tmp)
        os.replace(tmp, target)
    except OSError as exc:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise DownloadError(f"Could not save the video as {target} ({(exc.strerror or type(exc).__name__).lower()}); "
                            "nothing was kept.", job_id=job_id) from None
    return target


@dataclass(eq=False)
class Video:
    """A rendered MP4: ``url`` on the backend, ``path`` once downloaded."""

    url: str | None
    path: Path | None = None
    job_id: str | None = None
    duration: float | None = None
    size: int | None = None
    cached: bool = False  # an identical export was downloaded before: ``path`` is that file
    _fetch: Fetcher | None = field(default=None, repr=False, compare=False)
    #: the URL is the private embedded engine's (its socket and secret): only the client can fetch it
    private: bool = field(default=False, repr=False, compare=False)

    def _default_path(self) -> Path:
        return Path("nemo_outputs") / f"{self.job_id or 'video'}.mp4"

    async def adownload(self, path: str | os.PathLike[str] | None = None) -> Path:
        """Download the MP4 (streamed to a temporary file, then renamed) and return its path: ``path``
        when one is given, always (the file of an identical export already here is linked or copied
        there). A folder that cannot be made or written is a :class:`~.exceptions.DownloadError`."""
        target = Path(path) if path is not None else self._default_path()
        if self.cached and self.path is not None and Path(self.path).is_file():
            # the file of an identical export is here already: nothing to fetch; asked for at a
            # path (another name, another notebook's folder), it is linked there, or copied
            if path is not None:
                self.path = _place(Path(self.path), target, self.job_id)
            return self.path
        if self._fetch is None:
            from .exceptions import RenderError

            raise RenderError("This video has no backend to download from.",
                              hint="Re-attach the job with RenderJob.attach(nemo, job_id).", job_id=self.job_id)
        self.path = await self._fetch(target)
        return self.path

    def download(self, path: str | os.PathLike[str] | None = None) -> Path:
        """Sync twin of :meth:`adownload` (works inside Jupyter's running loop)."""
        from .loop import run_sync

        return run_sync(self.adownload(path))

    @property
    def src(self) -> str | None:
        """Relative path when downloaded under the working directory, else the URL (None for the
        private embedded engine's URL, which no browser can open: download the video first)."""
        if self.path is not None:
            try:
                rel = Path(os.path.abspath(self.path)).relative_to(Path.cwd().resolve())
                return rel.as_posix()
            except ValueError:
                pass
        return None if self.private else self.url

    def _repr_html_(self) -> str:
        src = self.src
        if not src and self.private:
            if self.path is not None:
                return f"<em>video saved to {html.escape(str(self.path))}</em>"
            return "<em>video not downloaded yet: video.download() shows it here</em>"
        if not src:
            return "<em>video not available</em>"
        return f'<video controls playsinline style="max-width:100%" src="{html.escape(src, quote=True)}"></video>'


def _num(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return value
    if isinstance(value, str):
        try:
            return float(value)
        except ValueError:
            return None
    return None
