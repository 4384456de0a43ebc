"""Timing phrases of every language from its grammar file (``timing`` in ``data/lang/<lang>.json``):
templates such as "a los {n} segundos", "{a}초부터 {b}초까지", "最初の{n}秒" compiled once into one
pattern per language, read with the language's number words ("bei sekunde fünf", "三秒目に").
"""

from __future__ import annotations

import re
from functools import cache

from ..brief import Timing
from .grammar import LANGS, PARTICLE_SPACE, grammar
from .korean import split_particles

_KINDS = ("from_to", "first", "last", "at", "for")  # the longer forms first
_ZH_NUM = "[零〇一二两三四五六七八九十百]+"


def _number_words(lang: str) -> dict[str, int]:
    out: dict[str, int] = {}
    for value, words in grammar(lang).data.get("numbers", {}).items():
        for w in words:
            out[w.lower()] = int(value)
    return out


def _number(text: str, lang: str) -> float | None:
    text = text.strip().lower().replace(",", ".")
    try:
        return float(text)
    except ValueError:
        pass
    got = _number_words(lang).get(text)
    if got is not None:
        return float(got)
    from ..common import _parse_cn_number

    return _parse_cn_number(text)


@cache
def _pattern(lang: str) -> re.Pattern[str] | None:
    table = grammar(lang).data.get("timing")
    if not isinstance(table, dict):
        return None
    words = sorted(_number_words(lang), key=len, reverse=True)
    num = r"(?:\d+(?:[.,]\d+)?|" + _ZH_NUM + ("|" + "|".join(re.escape(w) for w in words) if words else "") + ")"
    parts = []
    # the longest template first, whatever its kind ("{n}秒にして" is a length, "{n}秒に" a moment)
    templates = [(kind, i, t) for kind in _KINDS for i, t in enumerate(table.get(kind, []))]
    for kind, i, template in sorted(templates, key=lambda x: -len(x[2])):
        # (read as the prompt is: Korean particles split off, "{n}초에" -> "{n}초 에")
        body = re.escape(split_particles(template.lower())).replace(r"\ ", r"\s*").replace(PARTICLE_SPACE, r"\s*")
        for slot in ("n", "a", "b"):
            body = body.replace(re.escape("{" + slot + "}"), f"(?P<{kind}_{slot}_{i}>{num})")
        parts.append(body)
    if not parts:
        return None
    latin = lang not in ("zh", "ja", "ko")
    edge_l, edge_r = (r"(?<![^\W_])", r"(?![^\W_])") if latin else ("", "")
    return re.compile(edge_l + "(?:" + "|".join(parts) + ")" + edge_r)


def find_timings(norm: str, lang: str) -> list[Timing]:
    """The timing phrases of ``lang`` in ``norm`` (English and Chinese ones are read by ``timing.py``)."""
    if lang not in LANGS or lang in ("en",):
        return []
    pat = _pattern(lang)
    if pat is None:
        return []
    out = []
    for m in pat.finditer(norm):
        got = {k: v for k, v in m.groupdict().items() if v is not None}
        if not got:
            continue
        kind = next(k for k in _KINDS if any(g.startswith(k + "_") for g in got))
        vals = {g.split("_")[-2]: _number(v, lang) for g, v in got.items()}
        t = Timing(start=m.start(), end=m.end())
        if kind == "from_to" and vals.get("a") is not None and vals.get("b") is not None:
            t.st, t.end_s = vals["a"], vals["b"]
        elif kind == "first" and vals.get("n") is not None:
            t.st, t.end_s = 0.0, vals["n"]
        elif kind == "last" and vals.get("n") is not None:
            t.length, t.at_end = vals["n"], True
        elif kind == "at" and vals.get("n") is not None:
            t.st = vals["n"]
        elif kind == "for" and vals.get("n") is not None:
            t.length = vals["n"]
        else:
            continue
        out.append(t)
    return out


@cache
def _duration_pattern(lang: str) -> re.Pattern[str] | None:
    """ "un minuto", "eine Minute", "drei Minuten", "30초", "두 시간": a number of the language then a unit."""
    table = grammar(lang).data.get("timing")
    if not isinstance(table, dict):
        return None
    latin = lang not in ("zh", "ja", "ko")
    # (a one-letter unit is a word only in the scripts without spaces: "2分", "20초", but not "5 s")
    secs = [w.lower() for w in table.get("seconds", []) if len(w) > 1 or (not latin and not w.isascii())]
    mins = [w.lower() for w in table.get("minutes", []) if len(w) > 1 or (not latin and not w.isascii())]
    if not secs and not mins:
        return None
    words = sorted(_number_words(lang), key=len, reverse=True)
    extra = {"es": ["un", "una", "medio"], "fr": ["un", "une", "demi"], "de": ["ein", "eine", "einer", "einen", "halbe"],
             "pt": ["um", "uma", "meio"], "it": ["un", "uno", "una", "mezzo"]}.get(lang, [])
    num = r"(?P<n>\d+(?:[.,]\d+)?|" + _ZH_NUM + "|" + "|".join(re.escape(w) for w in words + extra) + ")"
    unit = r"(?P<u>" + "|".join(re.escape(u) for u in sorted(secs + mins, key=len, reverse=True)) + ")"
    edge_l, edge_r = (r"(?<![^\W_])", r"(?![^\W_])") if latin else ("", "")
    return re.compile(edge_l + num + r"\s*-?\s*" + unit + edge_r)


def find_duration(text: str, lang: str) -> tuple[int | None, int, int]:
    """The first length said in ``lang``'s own words: (ms, start, end), or (None, ...)."""
    if lang not in LANGS or lang in ("en", "zh"):
        return None, len(text) + 1, len(text) + 1
    pat = _duration_pattern(lang)
    if pat is None:
        return None, len(text) + 1, len(text) + 1
    table = grammar(lang).data.get("timing", {})
    mins = {w.lower() for w in table.get("minutes", [])}
    for m in pat.finditer(text):
        word = m.group("n").lower()
        value = {"un": 1.0, "una": 1.0, "uno": 1.0, "une": 1.0, "ein": 1.0, "eine": 1.0, "einer": 1.0,
                 "einen": 1.0, "um": 1.0, "medio": 0.5, "demi": 0.5, "halbe": 0.5, "meio": 0.5,
                 "mezzo": 0.5}.get(word)
        if value is None:
            value = _number(word, lang)
        if value is None:
            continue
        unit_ms = 60_000 if m.group("u").lower() in mins else 1_000
        return round(value * unit_ms), m.start(), m.end()
    return None, len(text) + 1, len(text) + 1
