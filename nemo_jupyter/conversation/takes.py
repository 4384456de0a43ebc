"""What sets takes apart, in words: each take's draft read as a few facts a person compares (its
length, shape, title, scenes, who is in them, captions, music, sounds, the files it uses), and for
each take the facts in which it differs from the others, said from its own side.

Two takes are two videos, not two versions of one: their segments are never paired with each
other (a scene of one take is not "retimed" into a scene of another). The facts are read with the
draft's one reader (:meth:`~nemo_jupyter.client.draft.Draft.segments`); no key, id or JSON
reaches the words. English and Chinese.
"""

from __future__ import annotations

import posixpath
from collections.abc import Sequence
from dataclasses import dataclass

from ..client.draft import Draft, fmt_seconds
from .zh import mood_word, place_word, subject_word

__all__ = ["Facts", "differences", "facts_of"]

#: the facts compared, in the order they are said
FACT_KEYS = ("length", "shape", "title", "scenes", "places", "actors", "captions", "music", "sounds",
             "narration", "files")


@dataclass(frozen=True)
class Facts:
    """One take's draft as comparable values (each a string or a tuple of strings)."""

    values: dict[str, str | tuple[str, ...] | int]


def facts_of(draft: Draft | None, *, zh: bool = False) -> Facts:
    """The facts of ``draft`` (an empty one for no draft)."""
    if draft is None:
        return Facts({})
    scenes: list[str] = []
    places: list[str] = []
    actors: list[str] = []
    captions: list[str] = []
    music: list[str] = []
    sounds: list[str] = []
    files: list[str] = []
    narration = 0
    for seg in draft.segments():
        if seg.track_type == "video":
            scenes.append(seg.id or str(len(scenes)))
            if seg.scene:
                places.append(place_word(seg.scene, zh))
            actors.extend(subject_word(s, zh) for s in seg.actors)
        if seg.kind in ("caption", "text") and seg.text and seg.text.strip():
            captions.append(seg.text.strip())
        if seg.kind == "music":
            volume = f"{seg.volume * 100:.0f}%" if seg.volume is not None else ""
            if zh:
                music.append(mood_word(seg.mood, zh) + "音乐" + (f"（{volume}）" if volume else ""))
            else:
                music.append(mood_word(seg.mood, zh) + " music" + (f" at {volume}" if volume else ""))
        if seg.kind == "ambient" and seg.sound:
            sounds.append(seg.sound)
        if seg.kind == "voice":
            narration += 1
        if seg.source and not seg.source.startswith(("data:",)):
            files.append(posixpath.basename(seg.source.split("?", 1)[0].rstrip("/")) or seg.source)

    def once(items: list[str]) -> tuple[str, ...]:
        return tuple(dict.fromkeys(items))

    return Facts({
        "length": fmt_seconds(draft.duration), "shape": draft.aspect or "", "title": draft.title or "",
        "scenes": len(scenes), "places": once(places), "actors": once(actors), "captions": once(captions),
        "music": once(music), "sounds": once(sounds), "narration": "yes" if narration else "",
        "files": once(files),
    })


def _quoted(items: Sequence[str], zh: bool) -> str:
    return ("、" if zh else ", ").join((f"「{x}」" if zh else f"'{x}'") for x in items)


def _plain(items: Sequence[str], zh: bool) -> str:
    return ("、" if zh else ", ").join(items)


def _say(key: str, value: str | tuple[str, ...] | int, zh: bool) -> str:
    """One fact in words, from the take's own side."""
    if key == "length":
        return f"时长 {value} 秒" if zh else f"{value} s long"
    if key == "shape":
        return f"画面比例 {value}" if zh else f"shape {value}"
    if key == "title":
        if not value:
            return "没有标题" if zh else "no title"
        return f"标题「{value}」" if zh else f"has the title '{value}'"
    if key == "scenes":
        n = int(value) if isinstance(value, int) else 0
        return f"{n} 个场景" if zh else f"{n} scene{'s' if n != 1 else ''}"
    items = tuple(value) if isinstance(value, tuple) else ()
    if key == "places":
        return ("场景：" + _plain(items, zh)) if zh else ("set in " + _plain(items, zh) if items else "no illustrated scene")
    if key == "actors":
        if not items:
            return "画面里没有角色" if zh else "nobody drawn"
        return ("画面里有" + _plain(items, zh)) if zh else ("draws " + _plain(items, zh))
    if key == "captions":
        if not items:
            return "没有字幕" if zh else "no captions"
        return ("字幕" + _quoted(items, zh)) if zh else ("captions " + _quoted(items, zh))
    if key == "music":
        if not items:
            return "没有背景音乐" if zh else "no music"
        return ("背景音乐：" + _plain(items, zh)) if zh else _plain(items, zh)
    if key == "sounds":
        if not items:
            return "没有环境音" if zh else "no ambient sound"
        return ("环境音：" + _plain(items, zh)) if zh else ("sounds of " + _plain(items, zh))
    if key == "narration":
        return ("有旁白" if value else "没有旁白") if zh else ("narrated" if value else "no narration")
    if key == "files":
        if not items:
            return "没有使用上传的文件" if zh else "uses no uploaded file"
        return ("使用了 " + _plain(items, zh)) if zh else ("uses " + _plain(items, zh))
    return str(value)


def _others(key: str, values: list[str | tuple[str, ...] | int], zh: bool) -> str:
    """What the other takes have for a number-like fact: " (the others: 2)"."""
    if key not in ("length", "scenes", "shape"):
        return ""
    shown = list(dict.fromkeys(str(v) for v in values))
    unit = {"length": " 秒" if zh else " s"}.get(key, "")
    joined = ("、" if zh else ", ").join(v + unit for v in shown if v)
    if not joined:
        return ""
    return f"（其他：{joined}）" if zh else f" (the others: {joined})"


def differences(drafts: Sequence[Draft | None], *, zh: bool = False,
                limit: int = 8) -> list[list[dict[str, str | bool]]]:
    """Per take, the facts in which it differs from the others: ``{"key", "text", "unique"}`` lines
    (``key`` names the fact: ``title``, ``scenes``...),
    ``unique`` when no other take shares the value (only this one has it). A take without a draft,
    or alone, gets no lines."""
    facts = [facts_of(d, zh=zh) if d is not None else None for d in drafts]
    out: list[list[dict[str, str | bool]]] = []
    for i, mine in enumerate(facts):
        others = [f for j, f in enumerate(facts) if j != i and f is not None]
        if mine is None or not others:
            out.append([])
            continue
        rows: list[dict[str, str | bool]] = []
        for key in FACT_KEYS:
            value = mine.values.get(key, "")
            theirs = [o.values.get(key, "") for o in others]
            if all(v == value for v in theirs):
                continue
            unique = len(others) > 1 and all(v != value for v in theirs)
            rows.append({"key": key, "text": _say(key, value, zh) + _others(key, [v for v in theirs if v != value], zh),
                         "unique": unique})
        rows.sort(key=lambda r: not r["unique"])
        out.append(rows[:limit])
    return out
