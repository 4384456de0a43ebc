"""Timing phrases of every language from its grammar file (``timing`` in ``data/lang/<lang>.json``):
templates such as "a los {n} segundos", "{a}초부터 {b}초까지", "最初の{n}秒" compiled once into one
pattern per language, read with the language's number words ("bei sekunde fünf", "三秒目に").
"""

from __future__ import annotations

import re
from functools import cache

from ..brief import Timing
from .grammar import LANGS, grammar
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
    for kind in _KINDS:
        for i, template in enumerate(sorted(table.get(kind, []), key=len, reverse=True)):
            # (read as the prompt is: Korean particles split off, "{n}초에" -> "{n}초 에")
            body = re.escape(split_particles(template.lower())).replace(r"\ ", r"\s*")
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
