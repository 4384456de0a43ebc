"""Durations ("30-second", "一分钟") and timing phrases ("at 5s", "for the first 3 seconds")."""

from __future__ import annotations

import re

from .brief import Timing
from .common import _parse_cn_number, _parse_en_number, _unit_ms

_NUM_EN = (r"(?:\d+(?:[.,]\d+)?|(?:twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety)[\s-]+"
           r"(?:one|two|three|four|five|six|seven|eight|nine)|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|"
           r"fourteen|fifteen|sixteen|seventeen|eighteen|nineteen|twenty|thirty|forty|fifty|sixty|ninety)")
# (with the seconds and minutes of Spanish, Portuguese, French, Italian and German: "10 segundos")
_UNIT_EN = (r"(?:hours?|hrs?|h|minutes?|mins?|minutos?|minuten?|minuti|minuto|m|seconds?|secs?|segundos?|secondes?|"
            r"secondi|secondo|sekunden?|s)")
_SEC_EN = r"(?:seconds?|secs?|segundos?|secondes?|secondi|secondo|sekunden?|s)"
_NUM_ZH = r"(?:\d+(?:\.\d+)?|[零〇一二两三四五六七八九十百]+)"

_DUR_EN = re.compile(
    r"(?<![\w.])(?P<half>half\s+an?\s+(?P<hu>minute|hour))(?![a-z])|"
    r"(?<![\w.])(?:an?|one)\s+(?P<aunit>minute|hour)\s+and\s+a\s+half(?![a-z])|"
    r"(?<![\w.])(?P<n1>" + _NUM_EN + r"|an?)\s*-?\s*(?P<u1>" + _UNIT_EN + r")(?![a-z])"
    r"(?:\s*(?:and\s*)?(?P<n2>\d+(?:\.\d+)?)\s*-?\s*(?P<u2>" + _SEC_EN + r")(?![a-z]))?")
_DUR_ZH = re.compile(
    r"(?P<zn>" + _NUM_ZH + r")\s*(?P<zu>小时|分钟|分(?=\s*" + _NUM_ZH + r"\s*秒)|秒钟|秒)"
    r"(?:\s*(?P<zn2>" + _NUM_ZH + r")\s*秒)?|(?P<zh15>" + _NUM_ZH + r")\s*分半(?:钟)?|(?P<zhalf>半)(?:分钟|分|个小时|小时)")

_NOT_PCT = r"(?![\d.]|\s*(?:%|percent|per\s+cent|p(?![a-z])|k(?![a-z])))"
_TIMING_RE = re.compile(
    r"(?:for|during|in|over)?\s*(?:the\s+)?first\s+(?P<first>" + _NUM_EN + r")\s*-?\s*(?P<firstu>"
    + _UNIT_EN + r")(?![a-z])|"
    r"(?:for|during|in|over)?\s*(?:the\s+)?(?:last|final)\s+(?P<last>" + _NUM_EN + r")\s*-?\s*(?P<lastu>"
    + _UNIT_EN + r")(?![a-z])|"
    r"(?:from|between)\s+(?P<fa>\d+(?:\.\d+)?)\s*(?P<fau>" + _UNIT_EN + r")?\s*(?:to|-|until|till|and|–)\s*"
    r"(?P<fb>\d+(?:\.\d+)?)" + _NOT_PCT + r"\s*(?P<fbu>" + _UNIT_EN + r")?(?![a-z])|"
    r"(?:at|after|starting at|from)\s+(?:the\s+)?(?P<at>\d+(?:\.\d+)?)" + _NOT_PCT + r"\s*-?\s*(?P<atu>" + _UNIT_EN
    + r")?(?:\s+mark)?(?![a-z0-9])|"
    r"(?:at|in|near|towards?)\s+the\s+(?P<end>end|finish|close|last\s+scene|outro)(?![a-z])|"
    r"(?:at|in)\s+the\s+(?P<start>start|beginning|opening|intro)(?![a-z])|"
    r"(?:in|at)\s+the\s+(?P<middle>middle)(?![a-z])|"
    r"(?:for|lasting)\s+(?P<for>" + _NUM_EN + r")\s*-?\s*(?P<foru>" + _UNIT_EN + r")(?![a-z])|"
    r"前\s*(?P<zfirst>" + _NUM_ZH + r")\s*秒|(?:最后|后|结尾)\s*(?P<zlast>" + _NUM_ZH + r")\s*秒|"
    r"从?\s*(?:第\s*)?(?P<zfa>" + _NUM_ZH + r")\s*秒?\s*(?:到|至|-|~)\s*(?:第\s*)?(?P<zfb>" + _NUM_ZH
    + r")\s*秒|"
    r"(?:在|于)?\s*第?\s*(?P<zat>" + _NUM_ZH + r")\s*秒\s*(?:处|时|的时候|开始|出现)|"
    r"(?:在|于)\s*第?\s*(?P<zat2>" + _NUM_ZH + r")\s*秒|"
    r"(?P<zend>结尾|片尾|末尾|最后)|(?P<zstart>开头|片头|开始时|一开始)|"
    r"(?:持续|显示|停留)\s*(?P<zfor>" + _NUM_ZH + r")\s*秒")


def _blank(text: str, start: int, end: int) -> str:
    return text[:start] + " " * (end - start) + text[end:]


def _num(text: str | None) -> float | None:
    if text is None:
        return None
    return _parse_en_number(text)


def _ms(value: float | None, unit: str | None) -> int | None:
    if value is None:
        return None
    return round(value * _unit_ms(unit or "s"))


def _find_timings(norm: str) -> list[Timing]:
    out: list[Timing] = []
    for m in _TIMING_RE.finditer(norm):
        g = m.groupdict()
        t = Timing(start=m.start(), end=m.end())
        if g["first"]:
            t.st, t.end_s = 0.0, (_ms(_num(g["first"]), g["firstu"]) or 0) / 1000
        elif g["last"]:
            t.length, t.at_end = (_ms(_num(g["last"]), g["lastu"]) or 0) / 1000, True
        elif g["fa"]:
            unit = g["fbu"] or g["fau"]
            t.st = (_ms(_num(g["fa"]), g["fau"] or unit) or 0) / 1000
            t.end_s = (_ms(_num(g["fb"]), unit) or 0) / 1000
        elif g["at"]:
            t.st = (_ms(_num(g["at"]), g["atu"]) or 0) / 1000
        elif g["end"]:
            t.at_end = True
        elif g["start"]:
            t.at_start = True
        elif g["middle"]:
            t.middle = True
        elif g["for"]:
            t.length = (_ms(_num(g["for"]), g["foru"]) or 0) / 1000
        elif g["zfirst"]:
            t.st, t.end_s = 0.0, _parse_cn_number(g["zfirst"])
        elif g["zlast"]:
            t.length, t.at_end = _parse_cn_number(g["zlast"]), True
        elif g["zfa"]:
            t.st, t.end_s = _parse_cn_number(g["zfa"]), _parse_cn_number(g["zfb"])
        elif g["zat"] or g["zat2"]:
            t.st = _parse_cn_number(g["zat"] or g["zat2"])
        elif g["zend"]:
            t.at_end = True
        elif g["zstart"]:
            t.at_start = True
        elif g["zfor"]:
            t.length = _parse_cn_number(g["zfor"])
        else:
            continue
        out.append(t)
    return out


_DECADE_NEXT = re.compile(r"\s*(?:music|style|vibes?|retro|era|look|aesthetic|songs?|hits|pop|rock|disco|fashion|"
                          r"kids?|cartoons?|tv|movies?|films?|synth|nostalgia)(?![a-z])")


def _decade(text: str, m: re.Match[str]) -> bool:
    """ "80s music", "the 1990s": a decade, not a length."""
    n1, unit = m.group("n1") or "", m.group("u1") or ""
    if unit != "s" or not n1.isdigit() or m.group("n2") or text[m.start("n1") + len(n1):m.start("u1")].strip():
        return False
    value = int(n1)
    round_decade = value % 10 == 0 and (10 <= value <= 90 or 1000 <= value <= 2090)
    if not round_decade:
        return False
    return value >= 1000 or bool(_DECADE_NEXT.match(text, m.end())) or text[:m.start()].rstrip().endswith(
        ("the", "'"))


def _find_duration(text: str) -> tuple[int | None, int, int]:
    """The first duration phrase in ``text`` (timing phrases already blanked): (ms, start, end)."""
    best: tuple[int | None, int, int] = (None, len(text) + 1, len(text) + 1)
    for m in _DUR_EN.finditer(text):
        g = m.groupdict()
        ms: int | None = None
        if g["half"]:
            ms = _unit_ms(g["hu"]) // 2
        elif g["aunit"]:
            ms = _unit_ms(g["aunit"]) * 3 // 2
        elif _decade(text, m):
            continue
        else:
            n1 = g["n1"]
            unit = g["u1"]
            if n1 in ("a", "an") and unit in ("m", "h", "s", "secs", "sec", "second", "seconds"):
                continue
            value = _parse_en_number(n1)
            if value is not None:
                ms = round(value * _unit_ms(unit))
                if g["n2"]:
                    ms += round(float(g["n2"]) * 1000)
        if ms is not None:
            best = (ms, m.start(), m.end())
            break
    z = _DUR_ZH.search(text)
    if z and z.start() < best[1]:
        g = z.groupdict()
        ms = None
        if g["zhalf"]:
            unit = z.group(0)
            ms = (3_600_000 if "时" in unit else 60_000) // 2
        elif g["zh15"]:
            value = _parse_cn_number(g["zh15"])
            ms = round(((value or 0) + 0.5) * 60_000)
        else:
            value = _parse_cn_number(g["zn"])
            if value is not None:
                ms = round(value * _unit_ms(g["zu"]))
                if g["zn2"]:
                    ms += round((_parse_cn_number(g["zn2"]) or 0) * 1000)
        if ms is not None:
            best = (ms, z.start(), z.end())
    return best
