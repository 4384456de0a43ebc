"""Evaluate the FFmpeg expressions of sprites (``x``, ``y``, ``enable``) in Python.

The storyboard strip draws a scene at one moment without running FFmpeg, so it needs the
sprites' positions at that time. FFmpeg's expression language is small: numbers, ``+ - * / ^``,
the variables of the overlay filter and a few functions. Expressions are parsed with
:mod:`ast` and only those nodes are allowed: nothing else can run.
"""

from __future__ import annotations

import ast
import math
import re
from collections.abc import Callable
from functools import lru_cache

__all__ = ["ExprError", "evaluate"]


class ExprError(ValueError):
    """An expression this evaluator does not understand."""


def _mod(a: float, b: float) -> float:
    return a - b * math.floor(a / b) if b else math.nan


def _clip(x: float, lo: float, hi: float) -> float:
    return min(max(x, lo), hi)


FUNCS: dict[str, Callable[..., float]] = {
    "mod": _mod, "sin": math.sin, "cos": math.cos, "tan": math.tan, "abs": abs,
    "min": min, "max": max, "floor": math.floor, "ceil": math.ceil, "trunc": math.trunc,
    "round": lambda x: math.floor(x + 0.5), "sqrt": lambda x: math.sqrt(max(0.0, x)),
    "exp": lambda x: math.exp(min(x, 700.0)), "log": lambda x: math.log(x) if x > 0 else -math.inf,
    "pow": lambda a, b: float(a) ** float(b), "hypot": math.hypot, "clip": _clip,
    "gte": lambda a, b: float(a >= b), "gt": lambda a, b: float(a > b),
    "lte": lambda a, b: float(a <= b), "lt": lambda a, b: float(a < b),
    "eq": lambda a, b: float(a == b), "between": lambda x, a, b: float(a <= x <= b),
    "_if": lambda c, a, b=0.0: a if c else b, "_not": lambda x: float(not x),
}
CONSTS = {"PI": math.pi, "E": math.e, "PHI": (1 + 5 ** 0.5) / 2}
_OPS: dict[type, Callable[[float, float], float]] = {
    ast.Add: lambda a, b: a + b, ast.Sub: lambda a, b: a - b, ast.Mult: lambda a, b: a * b,
    ast.Div: lambda a, b: a / b if b else math.copysign(math.inf, a) if a else math.nan,
    ast.Pow: lambda a, b: float(a) ** float(b),
}


@lru_cache(maxsize=4096)
def _parse(text: str) -> ast.expr:
    src = re.sub(r"\bif\s*\(", "_if(", re.sub(r"\bnot\s*\(", "_not(", text.replace("^", "**")))
    try:
        return ast.parse(src.strip(), mode="eval").body
    except SyntaxError as exc:
        raise ExprError(f"cannot parse {text!r}") from exc


def _eval(node: ast.expr, names: dict[str, float]) -> float:
    if isinstance(node, ast.Constant) and isinstance(node.value, (int, float)):
        return float(node.value)
    if isinstance(node, ast.Name):
        if node.id in names:
            return float(names[node.id])
        if node.id in CONSTS:
            return CONSTS[node.id]
        raise ExprError(f"unknown variable {node.id}")
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
        v = _eval(node.operand, names)
        return -v if isinstance(node.op, ast.USub) else v
    if isinstance(node, ast.BinOp) and type(node.op) in _OPS:
        return _OPS[type(node.op)](_eval(node.left, names), _eval(node.right, names))
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in FUNCS and not node.keywords:
        return float(FUNCS[node.func.id](*(_eval(a, names) for a in node.args)))
    raise ExprError(f"unsupported expression element {type(node).__name__}")


def evaluate(text: str | float | int, **names: float) -> float:
    """The value of FFmpeg expression ``text`` with the given variables (``t``, ``W``, ``H``, ...)."""
    if isinstance(text, (int, float)):
        return float(text)
    try:
        return _eval(_parse(str(text)), names)
    except (ArithmeticError, TypeError, ValueError) as exc:
        if isinstance(exc, ExprError):
            raise
        raise ExprError(f"cannot evaluate {text!r}: {exc}") from exc
