"""Render a chunk of a draft: the output frames ``first..end-1`` and nothing else.

The cluster (``engine/cluster``) renders a long draft as several chunks in parallel and joins
them without re-encoding. A chunk must show exactly the frames of the whole render, so every
decision stays global (the clip plan, which shot of a family this is, transitions, text
timing); a chunk only *builds* the clips it shows and trims what lies outside its window.

Chunks are cut where a scene's body starts (:func:`boundaries`): after the cross-fade into it,
or at the cut. So a chunk's first frame belongs to one clip alone, and a cross-fade is always
rendered whole inside one chunk.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from typing import Protocol, TypeVar

__all__ = ["ChunkWindow", "boundaries"]


class _ClipLike(Protocol):
    frames: int
    fade_in: int


C = TypeVar("C", bound=_ClipLike)


def _starts(clips: Sequence[_ClipLike]) -> list[int]:
    """Output frame where each clip's stream starts (its cross-fade in begins there)."""
    out, pos = [], 0
    for j, clip in enumerate(clips):
        out.append(pos)
        nxt = clips[j + 1].fade_in if j + 1 < len(clips) else 0
        pos += clip.frames - nxt
    return out


def boundaries(clips: Sequence[_ClipLike], n_total: int) -> list[int]:
    """Output frames where a chunk may start: the first frame of each clip's body (after its
    cross-fade in, or at its cut), strictly inside the video."""
    starts = _starts(clips)
    cuts = [starts[j] + clips[j].fade_in for j in range(1, len(clips))]
    return sorted({c for c in cuts if 0 < c < n_total})


@dataclasses.dataclass
class ChunkWindow:
    """Which clips a render builds and how its output is trimmed (the whole video by default)."""

    first: int
    end: int
    n_total: int
    _build: set[int] = dataclasses.field(default_factory=set)   # positions in the clip list
    _lead_in: int = 0        # frames of the first built clip's stream before ``first``
    _first_pos: int = 0
    _ids: set[int] = dataclasses.field(default_factory=set)
    audio: bool = True       # a chunk has no sound: the cluster mixes it once for the whole timeline

    @classmethod
    def of(cls, window: tuple[int, int] | None, n_total: int) -> ChunkWindow:
        if window is None:
            return cls(0, n_total, n_total)
        first, end = int(window[0]), int(window[1])
        if not 0 <= first < end <= n_total:
            raise ValueError(f"chunk window {first}..{end} is not inside the video's 0..{n_total} frames")
        return cls(first, end, n_total, audio=False)

    @property
    def whole(self) -> bool:
        return self.first == 0 and self.end == self.n_total

    def select(self, clips: Sequence[_ClipLike]) -> None:
        """Decide which clips to build; the window's ends must be chunk boundaries."""
        starts = _starts(clips)
        ok = {0, self.n_total, *boundaries(clips, self.n_total)}
        if self.first not in ok or self.end not in ok:
            raise ValueError(f"chunk window {self.first}..{self.end} does not start and end at scene "
                             f"boundaries {sorted(ok)}")
        self._build = set()
        for j, clip in enumerate(clips):
            a = starts[j]
            b = a + clip.frames
            if b > self.first and a < self.end:
                self._build.add(j)
        self._first_pos = min(self._build)
        self._lead_in = self.first - starts[self._first_pos]
        self._ids = {id(clips[j]) for j in self._build}

    def builds(self, clip: object) -> bool:
        return self.whole or id(clip) in self._ids

    def clips(self, clips: Sequence[C]) -> list[C]:
        """The clips to join, in order; the first one of a later chunk joins without its
        cross-fade in (those frames lie before the window and are trimmed)."""
        if self.whole:
            return list(clips)
        out = [clips[j] for j in sorted(self._build)]
        if self._first_pos > 0:
            out[0] = dataclasses.replace(out[0], fade_in=0)  # type: ignore[type-var]
        return out

    @property
    def fades_from_black(self) -> bool:
        """The video's own fade in from black belongs to the first chunk only."""
        return self._first_pos == 0

    @property
    def lead_in(self) -> int:
        """Frames to drop at the start of the joined clips."""
        return 0 if self.whole else self._lead_in

    def shows(self, start_s: float, end_s: float, fps: int = 30) -> bool:
        """Whether an overlay shown from ``start_s`` to ``end_s`` has frames in the window."""
        return round(start_s * fps) < self.end and round(end_s * fps) > self.first
