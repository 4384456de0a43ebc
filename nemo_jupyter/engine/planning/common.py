"""Plan, Step, limits and small helpers shared by the planning modules."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from nemo_jupyter import draft_format as F

from .vocabulary import _CN_DIGITS, _EN_NUMBERS, _canon

MIN_MS = 1_000
MAX_MS = 600_000
DEFAULT_MS = 15_000
#: the music's and an ambient sound's volume when none is asked: their kinds' defaults, at which the
#: video plays at its loudness target (``draft_format.VOLUME``; ``render/sound/loudness.py``)
MUSIC_V = F.VOLUME["music"]
AMBIENT_V = F.VOLUME["ambient"]
TITLE_MS = 3_000
CAPTION_MS = 3_000
FADE_MS = 800
MAX_PROMPT = 20_000


@dataclass
class Step:
    """One planning step; the app streams it as a functionCall + functionResponse."""

    name: str
    args: dict[str, Any]
    result: dict[str, Any]


@dataclass
class Plan:
    """The outcome of one prompt."""

    draft: dict[str, Any] | None
    reply: str
    steps: list[Step] = field(default_factory=list)
    understood: bool = True
    language: str = "en"
    brief: dict[str, Any] | None = None  # the brief as JSON, with each item's outcome and its checklist


def _lang_key(language: str) -> str:
    return "zh" if language.lower().startswith("zh") else "en"


def _name(table: dict[str, tuple[str, str]], key: str, lang: str) -> str:
    pair = table.get(key, (key, key))
    return pair[1] if lang == "zh" else pair[0]


def _secs(ms: int) -> str:
    s = ms / 1000.0
    if abs(s - round(s)) < 0.05:
        return str(round(s))
    return f"{s:.1f}"


def _span(st: int, d: int, lang: str) -> str:
    return f"{_secs(st)}-{_secs(st + d)}{'秒' if lang == 'zh' else ' s'}"


def _int(value: Any, default: int = 0) -> int:
    if isinstance(value, bool):
        return default
    if isinstance(value, int):
        return value
    if isinstance(value, float) and math.isfinite(value):
        return round(value)
    return default


def _float(value: Any, default: float) -> float:
    if isinstance(value, bool):
        return default
    if isinstance(value, (int, float)) and math.isfinite(float(value)):
        return float(value)
    return default


def _short(text: str, limit: int = 80) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _parse_cn_number(text: str) -> float | None:
    text = text.strip()
    if not text:
        return None
    try:
        return float(text)
    except ValueError:
        pass
    if text == "半":
        return 0.5
    total = 0
    current = 0
    seen = False
    for ch in text:
        if ch in _CN_DIGITS:
            current = _CN_DIGITS[ch]
            seen = True
        elif ch == "十":
            total += (current or 1) * 10
            current = 0
            seen = True
        elif ch == "百":
            total += (current or 1) * 100
            current = 0
            seen = True
        else:
            return None
    return float(total + current) if seen else None


def _parse_en_number(text: str) -> float | None:
    text = _canon(text.lower())
    try:
        return float(text.replace(",", "."))
    except ValueError:
        pass
    if text in _EN_NUMBERS:
        return float(_EN_NUMBERS[text])
    parts = text.split(" ")
    if len(parts) == 2 and parts[0] in _EN_NUMBERS and parts[1] in _EN_NUMBERS:
        return float(_EN_NUMBERS[parts[0]] + _EN_NUMBERS[parts[1]])
    value = _parse_cn_number(text)
    return value


def _unit_ms(unit: str) -> int:
    unit = unit.lower()
    if unit.startswith(("h", "小")):
        return 3_600_000
    if unit.startswith(("m", "分")):
        return 60_000
    return 1_000
