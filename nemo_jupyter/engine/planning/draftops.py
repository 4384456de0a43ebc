"""Reading and writing compact drafts defensively (odd drafts never raise)."""

from __future__ import annotations

from typing import Any

from nemo_jupyter.draft_format import (
    SIZES_1080,
    TRACK_AUDIO,
    TRACK_TEXT,
    TRACK_VIDEO,
)

from .common import FADE_MS, _int

_PREFIX = {"scene": "v", "image": "v", "video": "v", "music": "m", "audio": "m", "ambient": "a",
           "title": "t", "text": "t", "caption": "c", "voice": "n", "overlay": "o"}


class _Ids:
    def __init__(self, draft: dict[str, Any] | None) -> None:
        self.used: set[str] = set()
        if draft:
            for track in _tracks(draft):
                for seg in _segments(track):
                    if "id" in seg:
                        self.used.add(str(seg["id"]))

    def new(self, kind: str) -> str:
        prefix = _PREFIX.get(kind, "s")
        n = 1
        while f"{prefix}{n}" in self.used:
            n += 1
        sid = f"{prefix}{n}"
        self.used.add(sid)
        return sid


def _tracks(draft: dict[str, Any]) -> list[dict[str, Any]]:
    tracks = draft.get("t")
    if not isinstance(tracks, list):
        return []
    return [t for t in tracks if isinstance(t, dict)]


def _segments(track: dict[str, Any]) -> list[dict[str, Any]]:
    sg = track.get("sg")
    if not isinstance(sg, list):
        return []
    return [s for s in sg if isinstance(s, dict)]


def _tt(track: dict[str, Any]) -> int | None:
    value = track.get("tt")
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _seg_kind(track: dict[str, Any], seg: dict[str, Any]) -> str:
    k = seg.get("k")
    if isinstance(k, str) and k:
        return k
    tt = _tt(track)
    name = str(track.get("n", "")).lower()
    if tt == TRACK_AUDIO:
        return "ambient" if "ambient" in name else "music"
    if tt == TRACK_TEXT:
        return "caption" if "caption" in name or "subtitle" in name else "title"
    return "scene"


def _has_content(draft: dict[str, Any] | None) -> bool:
    if not isinstance(draft, dict):
        return False
    return any(_segments(t) for t in _tracks(draft))


def _duration_of(draft: dict[str, Any]) -> int:
    d = _int(draft.get("d"), 0)
    if d > 0:
        return d
    end = 0
    for track in _tracks(draft):
        for seg in _segments(track):
            end = max(end, _int(seg.get("st")) + _int(seg.get("d")))
    return end


def _meta(draft: dict[str, Any]) -> dict[str, Any]:
    m = draft.get("m")
    if not isinstance(m, dict):
        m = {}
        draft["m"] = m
    return m


def _size(aspect: str, res: int) -> tuple[int, int]:
    w, h = SIZES_1080.get(aspect, SIZES_1080["16:9"])
    if res == 1080:
        return w, h
    return round(w * res / 1080 / 2) * 2, round(h * res / 1080 / 2) * 2


def _current_res(m: dict[str, Any]) -> int:
    w, h = _int(m.get("width"), 0), _int(m.get("height"), 0)
    short = min(w, h) if w > 0 and h > 0 else 1080
    return 720 if short <= 720 else 1080


def _current_aspect(m: dict[str, Any]) -> str:
    aspect = m.get("aspect")
    if aspect in SIZES_1080:
        return str(aspect)
    w, h = _int(m.get("width"), 0), _int(m.get("height"), 0)
    if w > 0 and h > 0:
        return "9:16" if h > w else ("1:1" if h == w else "16:9")
    return "16:9"


def named_track(draft: dict[str, Any], tt: int, name: str, *, kinds: tuple[str, ...] = (),
                create: bool = False) -> dict[str, Any] | None:
    """The track called ``name`` first, else as :func:`_find_track` finds one (a draft may hold two
    caption tracks: the narration's subtitles, "Captions", and the captions a prompt asked, "Text")."""
    for track in _tracks(draft):
        if _tt(track) == tt and str(track.get("n", "")) == name:
            return track
    return _find_track(draft, tt, name, kinds=kinds, create=create)


def _find_track(draft: dict[str, Any], tt: int, name: str, *, kinds: tuple[str, ...] = (),
                create: bool = False, after: tuple[int, ...] = ()) -> dict[str, Any] | None:
    for track in _tracks(draft):
        if _tt(track) != tt:
            continue
        if str(track.get("n", "")) == name:
            return track
        segs = _segments(track)
        if kinds and segs and all(_seg_kind(track, s) in kinds for s in segs) and not str(
                track.get("n", "")).startswith("Ambient"):
            return track
    if not create:
        return None
    track = {"tt": tt, "n": name, "sg": []}
    tracks = draft.get("t")
    if not isinstance(tracks, list):
        tracks = []
        draft["t"] = tracks
    # Keep the bottom-to-top order video, audio, text.
    order = {TRACK_VIDEO: 0, TRACK_AUDIO: 1, TRACK_TEXT: 2}
    rank = order.get(tt, 3)
    index = len(tracks)
    for i, other in enumerate(tracks):
        other_tt = _tt(other) if isinstance(other, dict) else None
        if other_tt is not None and order.get(other_tt, 3) > rank:
            index = i
            break
    tracks.insert(index, track)
    return track


def _sg(track: dict[str, Any]) -> list[Any]:
    sg = track.get("sg")
    if not isinstance(sg, list):
        sg = []
        track["sg"] = sg
    return sg


def _drop_empty_tracks(draft: dict[str, Any], tts: tuple[int, ...]) -> None:
    tracks = draft.get("t")
    if isinstance(tracks, list):
        draft["t"] = [t for t in tracks if not (isinstance(t, dict) and _tt(t) in tts and not _segments(t)
                                                 and isinstance(t.get("sg"), list))]


def _boundaries(total: int, n: int) -> list[int]:
    return [(total * i) // n for i in range(n + 1)]


def _fade(d: int) -> int:
    return max(0, min(FADE_MS, d // 3))


def _audio_fades(d: int) -> tuple[int, int]:
    return min(1_000, d // 4), min(1_500, d // 4)
