"""File names for rendered videos: a safe, readable slug of the video's title, CJK kept.

``slug("Spring Walk")`` -> ``"spring-walk"``, ``slug("春天的森林")`` -> ``"春天的森林"``,
``slug("make a 30-second video of a forest with birds", prompt=True)`` -> ``"forest-birds"``.
A slug never holds a path separator, a control or reserved character, a leading dot or a
Windows device name, and stays under 80 UTF-8 bytes, so it is a valid file name everywhere.
"""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

__all__ = ["output_path", "slug"]

MAX_BYTES = 80
_WORD = re.compile(r"[^\W_]+", re.UNICODE)  # letters and digits of any script
_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff]")
_STOP = {
    "a", "an", "the", "of", "with", "and", "to", "video", "videos", "make", "makes", "generate", "create",
    "please", "for", "second", "seconds", "minute", "minutes", "s", "sec", "me", "my", "about", "some", "in",
    "on", "at", "that", "this", "it", "short", "clip", "movie", "vertical", "square", "wide", "soft", "i",
    "want", "would", "like", "can", "you", "could", "let", "lets", "show", "new",
}
_ZH_STOP = re.compile(r"^(?:请|帮我|给我|我想要?|生成|制作|做|创建|一个|一段|一部|视频|关于|的|个|段)+|(?:的)?(?:视频|短片|影片)$")
_RESERVED = {"con", "prn", "aux", "nul", *(f"com{i}" for i in range(1, 10)), *(f"lpt{i}" for i in range(1, 10))}


def slug(text: str | None, *, prompt: bool = False, default: str = "nemo-video") -> str:
    """A file-name slug of ``text``; ``prompt=True`` drops filler words ("make a video of ...")."""
    norm = unicodedata.normalize("NFKC", text or "")
    words: list[str] = []
    for word in _WORD.findall(norm):
        low = word.lower()
        if _CJK.search(word):
            low = _ZH_STOP.sub("", word) if prompt else word
            if not low:
                continue
        elif prompt and (low in _STOP or re.fullmatch(r"\d+(?:s|sec|secs|seconds?)?", low)):
            continue
        words.append(low)
    if prompt:
        words = words[:5]
    out = ""
    for word in words:
        cand = f"{out}-{word}" if out else word
        if len(cand.encode("utf-8")) > MAX_BYTES:
            if not out:  # one long word (a CJK sentence): cut it by characters
                while word and len(word.encode("utf-8")) > MAX_BYTES:
                    word = word[:-1]
                out = word
            break
        out = cand
    out = out.strip("-.")
    if not out or out.lower() in _RESERVED:
        return default if not out else f"{out}-video"
    return out


def output_path(name: str | None, folder: str | Path = "nemo_outputs", *,
                prompt: bool = False) -> Path:
    """Where a new MP4 goes: ``<folder>/<slug of name>.mp4``, or ``-2``, ``-3`` ... when that file
    exists; never an existing file.

    The one naming rule of the magics, the widgets and the command line; ``prompt=True`` names
    the file after a prompt (filler words dropped), otherwise after a title kept whole.
    """
    base = Path(folder or "nemo_outputs")
    stem = slug(name, prompt=prompt)
    path = base / f"{stem}.mp4"
    n = 2
    while path.exists():
        path = base / f"{stem}-{n}.mp4"
        n += 1
    return path
