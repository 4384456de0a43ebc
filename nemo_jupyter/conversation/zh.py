"""The conversation's words in Chinese where the backend and the client wrote English: the change
lines of the draft's diff (the backend's own names and texts kept, quoted 「」), and what a segment
shows (its scene and actors, its music's mood), from the engine's vocabulary the draft format shares.
"""

from __future__ import annotations

import re

from ..client.draft import Segment
from ..draft_format import SCENE_FAMILIES, subject_zh

__all__ = ["mood_word", "place_word", "segment_label_zh", "subject_word", "zh_change"]

_NAME = r"((?:ambient sound|video|image|music|audio|narration|title|caption|text|segment)(?: '[^']*')?)"
_ZH_CHANGES: list[tuple[re.Pattern[str], str]] = [(re.compile(p.replace("NAME", _NAME)), r) for p, r in (
    (r"^Changed duration (.+?) s → (.+?) s$", r"时长 \1 秒 → \2 秒"),
    (r"^Changed aspect (.+) → (.+)$", r"画面比例 \1 → \2"),
    (r"^Changed size (.+) → (.+)$", r"尺寸 \1 → \2"),
    (r"^Changed video title '(.*)' → '(.*)'$", r"视频标题「\1」→「\2」"),
    (r"^Removed track (\d+) '(.*)'$", r"删除了轨道 \1「\2」"),
    (r"^Added track (\d+) '(.*)'$", r"新增了轨道 \1「\2」"),
    (r"^Changed volume of NAME (\S+) → (\S+)$", r"\1 的音量 \2 → \3"),
    (r"^Changed (\w+) text '(.*)' → '(.*)'$", r"文字「\2」→「\3」"),
    (r"^Renamed (.+) → '(.*)'$", r"\1 改名为「\2」"),
    (r"^Removed (.+)$", r"删除了 \1"),
    (r"^Added (.+)$", r"新增了 \1"),
    (r"^Moved (.+) to track (\d+) '(.*)'$", r"\1 移到了轨道 \2「\3」"),
    (r"^Moved NAME (\S+ s) → (\S+ s)$", r"\1 移到了 \3（原来 \2）"),
    (r"^Retimed NAME (\S+ s) → (\S+ s)$", r"\1 的时间 \2 → \3"),
    (r"^Changed source of NAME (.+) → (.+)$", r"\1 的素材 \2 → \3"),
    (r"^Changed ([a-z -]+?) of NAME (.+) → (.+)$", r"\2 的\1 \3 → \4"),
)]
#: the diff's English words outside the quoted names: segment nouns, key words, seconds
_ZH_WORDS = {
    "ambient sound": "环境音", "video": "视频", "image": "图片", "music": "音乐", "audio": "音频",
    "narration": "旁白", "title": "标题", "caption": "字幕", "text": "文字", "segment": "片段",
    "kind": "类型", "scene": "场景", "elements": "元素", "camera": "镜头", "transition length": "转场时长",
    "transition": "转场", "fade-in": "淡入", "fade-out": "淡出", "mood": "风格", "text position": "文字位置",
    "text size": "文字大小", "text colour": "文字颜色", "in-point": "入点", "voice": "声音",
    "speaking rate": "语速", "actors": "角色", "time of day": "时间", "weather": "天气", "role": "作用",
    "none": "无", "default": "默认",
}
_ZH_WORD = re.compile(r"(?<![A-Za-z'])(" + "|".join(sorted((re.escape(w) for w in _ZH_WORDS), key=len, reverse=True))
                      + r")(?![A-Za-z'])")


def _zh_outside_quotes(text: str) -> str:
    """The diff's English words and units in Chinese, the backend's own names (quoted) kept."""
    parts = re.split(r"('[^']*'|「[^」]*」)", text)
    for i in range(0, len(parts), 2):
        piece = _ZH_WORD.sub(lambda m: _ZH_WORDS[m.group(1)], parts[i])
        parts[i] = re.sub(r"(\d) s\b", r"\1 秒", piece)
    for i in range(1, len(parts), 2):
        if parts[i].startswith("'"):
            parts[i] = "「" + parts[i][1:-1] + "」"
    return re.sub(r" ?(「[^」]*」) ?", r"\1", "".join(parts))


def zh_change(line: str) -> str:
    """A change line of the client's diff in Chinese (the backend's own names and texts kept)."""
    for pattern, repl in _ZH_CHANGES:
        if pattern.match(line):
            return _zh_outside_quotes(pattern.sub(repl, line))
    return _zh_outside_quotes(line)


# -- what a segment shows ---------------------------------------------------------------------
_MOOD_WORDS = {"soft": ("soft", "轻柔"), "lofi": ("lo-fi", "Lo-fi"), "upbeat": ("upbeat", "欢快"),
               "epic": ("epic", "史诗"), "calm": ("calm", "平静")}


def subject_word(subject: str, zh: bool) -> str:
    """An actor's subject id as a word: ``"tokyo_tower"`` -> ``"tokyo tower"`` / ``"东京塔"``."""
    return (subject_zh(subject) if zh else None) or subject.replace("_", " ")


def place_word(scene: str, zh: bool) -> str:
    """A scene family as a word (``"forest"`` / ``"森林"``)."""
    names = SCENE_FAMILIES.get(scene, {}).get("names") or []
    if zh and len(names) > 1 and isinstance(names[1], str):
        return names[1]
    return str(names[0]) if names else scene.replace("_", " ")


def mood_word(mood: str | None, zh: bool) -> str:
    en, cn = _MOOD_WORDS.get(mood or "", (mood or "", mood or ""))
    return cn if zh else en


def segment_label_zh(seg: Segment) -> str | None:
    """A Chinese label for a segment whose own name the backend wrote in English (the engine names
    segments in English: "Forest: panda", "Soft music"): the scene and its actors, the music's mood,
    the ambient sound; None when the segment's own words should stay (a text, an upload, a name
    that is not ASCII)."""
    own = seg.name or ""
    if own and not own.isascii():
        return None
    if seg.kind == "scene" and seg.scene:
        names = list(dict.fromkeys(subject_word(s, True) for s in seg.actors))
        return place_word(seg.scene, True) + ("：" + "、".join(names) if names else "")
    if seg.kind == "music":
        return mood_word(seg.mood, True) + "音乐"
    if seg.kind == "ambient" and seg.sound:
        return {"birds": "鸟鸣", "rain": "雨声", "waves": "海浪声", "wind": "风声", "city": "城市声",
                "fire": "篝火声"}.get(seg.sound, seg.sound)
    return None
