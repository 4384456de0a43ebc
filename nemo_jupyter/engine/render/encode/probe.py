"""What is this file? Media probing with FFmpeg (no ffprobe) and Pillow.

:func:`probe_media` sniffs the content, checks it against the extension, then
reads the Duration/Stream lines of ``ffmpeg -i`` (and decodes one frame), or
verifies an image with Pillow. Anything corrupt or mislabelled raises
:class:`MediaError` with a message that says what the file really is.
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path
from typing import Any

from ..errors import MediaError
from .ffmpeg import ffmpeg_exe

__all__ = ["MediaError", "probe_media", "sniff"]

IMAGE_EXT = {".png": "PNG", ".jpg": "JPEG", ".jpeg": "JPEG", ".gif": "GIF", ".webp": "WebP", ".bmp": "BMP"}
VIDEO_EXT = {".mp4", ".mov", ".m4v", ".webm", ".mkv", ".avi"}
AUDIO_EXT = {".mp3", ".wav", ".m4a", ".aac", ".ogg", ".oga", ".flac", ".opus"}

_DURATION = re.compile(r"Duration:\s*(\d+):(\d+):(\d+(?:\.\d+)?)")
_VIDEO = re.compile(r"Stream #\S+.*?: Video: (?P<codec>\w+).*?(?P<w>\d{2,5})x(?P<h>\d{2,5})")
_FPS = re.compile(r"(\d+(?:\.\d+)?) fps")
_TBR = re.compile(r"(\d+(?:\.\d+)?) tbr")
_ROTATE = re.compile(r"rotation of (-?\d+(?:\.\d+)?) degrees")


def sniff(head: bytes) -> tuple[str, str]:
    """(category, description) of content from its first bytes: category is
    image | video | audio | text | unknown."""
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image", "a PNG image"
    if head.startswith(b"\xff\xd8\xff"):
        return "image", "a JPEG image"
    if head[:6] in (b"GIF87a", b"GIF89a"):
        return "image", "a GIF image"
    if head.startswith(b"RIFF") and head[8:12] == b"WEBP":
        return "image", "a WebP image"
    if head.startswith(b"BM") and len(head) > 26:
        return "image", "a BMP image"
    if head.startswith(b"RIFF") and head[8:12] == b"WAVE":
        return "audio", "a WAV audio file"
    if head.startswith(b"RIFF") and head[8:12] == b"AVI ":
        return "video", "an AVI video"
    if head[4:8] == b"ftyp":
        brand = head[8:12]
        if brand in (b"M4A ", b"M4B ", b"M4P "):
            return "audio", "an M4A audio file"
        return "video", "an MP4/MOV video"
    if head.startswith(b"\x1a\x45\xdf\xa3"):
        return "video", "a WebM/Matroska video"
    if head.startswith(b"ID3") or (len(head) > 1 and head[0] == 0xFF and head[1] & 0xE0 == 0xE0):
        return "audio", "an MP3 audio file"
    if head.startswith(b"OggS"):
        return "audio", "an Ogg audio file"
    if head.startswith(b"fLaC"):
        return "audio", "a FLAC audio file"
    if head and b"\x00" not in head:
        try:
            head.decode("utf-8")
            return "text", "plain text"
        except UnicodeDecodeError:
            pass
    if not head:
        return "unknown", "an empty file"
    return "unknown", "not a recognised image, video or audio format"


def _category_of_ext(ext: str) -> str | None:
    if ext in IMAGE_EXT:
        return "image"
    if ext in VIDEO_EXT:
        return "video"
    if ext in AUDIO_EXT:
        return "audio"
    return None


def probe_media(path: Path) -> dict[str, Any]:
    """``{"file_type": video|image|audio, "duration", "width", "height", "fps", "has_audio"}``.

    ``duration`` is in seconds (0.0 for images); ``width``/``height``/``fps`` are
    ``None`` for audio. Raises :class:`MediaError` for corrupt or mislabelled files.
    """
    path = Path(path)
    name = path.name
    try:
        with path.open("rb") as fh:
            head = fh.read(64)
    except OSError as exc:
        raise MediaError(f"{name}: cannot be read ({exc.strerror or exc}).") from None
    category, what = sniff(head)
    ext = path.suffix.lower()
    expected = _category_of_ext(ext)
    if category in ("unknown", "text"):
        hint = f"{name} is {what}, not an image, video or audio file"
        if expected:
            hint = f"{name} claims to be {ext[1:].upper()} {expected} but is {what}"
        raise MediaError(f"{hint}. Upload a real PNG/JPEG image, MP4/MOV/WebM video or MP3/WAV/M4A audio.")
    if expected is not None and expected != category and not (expected == "video" and category == "audio"):
        raise MediaError(
            f"{name} claims to be {ext[1:].upper()} {expected} but its content is {what}. "
            f"Rename it with the right extension or export it again."
        )
    if category == "image":
        return _probe_image(path, what)
    return _probe_av(path, category, what)


#: The largest image accepted (its declared size, checked before a pixel is decoded): a
#: "decompression bomb" declares billions of pixels in a few kilobytes.
MAX_IMAGE_PIXELS = 50_000_000


def _probe_image(path: Path, what: str) -> dict[str, Any]:
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(path) as im:
            width, height = im.size
            if width * height > MAX_IMAGE_PIXELS:
                raise MediaError(
                    f"{path.name} is {width}x{height} = {width * height / 1e6:.0f} megapixels; the limit is "
                    f"{MAX_IMAGE_PIXELS // 1_000_000} megapixels. Scale it down (for example to 4000 pixels "
                    "on the long side) and upload again.")
            im.verify()
        with Image.open(path) as im:
            im.load()  # verify() does not decode the pixels; a truncated file fails here
            width, height = im.size
    except Image.DecompressionBombError:
        raise MediaError(f"{path.name} declares more pixels than any photo has (a decompression bomb?); the limit "
                         f"is {MAX_IMAGE_PIXELS // 1_000_000} megapixels.") from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
        raise MediaError(f"{path.name} looks like {what} but is corrupt: {exc}.") from None
    return {"file_type": "image", "duration": 0.0, "width": width, "height": height,
            "fps": None, "has_audio": False}


def _ffmpeg_info(path: Path, decode: bool) -> tuple[int, str]:
    cmd = [ffmpeg_exe(), "-hide_banner", "-nostdin", "-i", str(path)]
    if decode:
        cmd += ["-map", "0:v:0?", "-map", "0:a:0?", "-t", "1", "-f", "null", "-"]
    try:
        res = subprocess.run(cmd, capture_output=True, text=True, errors="replace", timeout=60)
    except subprocess.TimeoutExpired:
        raise MediaError(f"{path.name}: probing took too long; the file may be damaged.") from None
    return res.returncode, res.stderr


def _probe_av(path: Path, category: str, what: str) -> dict[str, Any]:
    code, err = _ffmpeg_info(path, decode=True)
    has_video = _VIDEO.search(err) is not None
    has_audio = "Audio:" in err
    if code != 0 or not (has_video or has_audio):
        lines = [ln.strip() for ln in err.splitlines()
                 if ln.strip() and not ln.strip().startswith(("Input #", "Metadata", "Stream", "Duration"))]
        reason = lines[-1] if lines else "FFmpeg cannot read it"
        reason = reason.replace(str(path), path.name)
        raise MediaError(f"{path.name} looks like {what} but is corrupt or unreadable: {reason}")
    dm = _DURATION.search(err)
    duration = 0.0
    if dm:
        duration = int(dm.group(1)) * 3600 + int(dm.group(2)) * 60 + float(dm.group(3))
    if has_video and category == "video":
        vm = _VIDEO.search(err)
        assert vm is not None
        width, height = int(vm.group("w")), int(vm.group("h"))
        line = err[vm.start():err.find("\n", vm.start())]
        fm = _FPS.search(line) or _TBR.search(line)
        fps = float(fm.group(1)) if fm else None
        rm = _ROTATE.search(err)
        if rm and round(abs(float(rm.group(1)))) % 180 == 90:
            width, height = height, width
        if duration <= 0:
            raise MediaError(f"{path.name} is {what} without a usable duration; export it again.")
        return {"file_type": "video", "duration": round(duration, 3), "width": width, "height": height,
                "fps": fps, "has_audio": has_audio}
    if not has_audio:
        raise MediaError(f"{path.name} is {what} without an audio stream.")
    if duration <= 0:
        raise MediaError(f"{path.name} is {what} without a usable duration; export it again.")
    return {"file_type": "audio", "duration": round(duration, 3), "width": None, "height": None,
            "fps": None, "has_audio": True}
