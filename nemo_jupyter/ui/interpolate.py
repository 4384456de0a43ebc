"""Prompt interpolation: ``{name}`` in a ``%%nemo`` cell is replaced by the notebook's variable.

Only plain references resolve (``{name}``, ``{name.attr}``, ``{name[0]}``, ``{name['k']}``);
nothing is evaluated, and anything else stays exactly as typed (unlike ``str.format``,
a brace in a prompt never breaks it).
"""

from __future__ import annotations

import re
from typing import Any

__all__ = ["interpolate", "unresolved"]

_REF = r"[A-Za-z_]\w*(?:\.[A-Za-z_]\w*|\[-?\d+\]|\['[^'\]]*'\]|\[\"[^\"\]]*\"\])*"
_TOKEN = re.compile(r"\{\{(" + _REF + r")\}\}|\{(" + _REF + r")\}")
_PART = re.compile(r"\.([A-Za-z_]\w*)|\[(-?\d+)\]|\['([^'\]]*)'\]|\[\"([^\"\]]*)\"\]")
_MISSING = object()


def _resolve(ref: str, namespace: dict[str, Any]) -> Any:
    root = re.match(r"[A-Za-z_]\w*", ref)
    assert root is not None
    if root.group(0) not in namespace:
        return _MISSING
    value = namespace[root.group(0)]
    for m in _PART.finditer(ref, root.end()):
        attr, index, key1, key2 = m.groups()
        try:
            if attr is not None:
                value = getattr(value, attr)
            elif index is not None:
                value = value[int(index)]
            else:
                value = value[key1 if key1 is not None else key2]
        except Exception:
            return _MISSING
    return value


def interpolate(text: str, namespace: dict[str, Any]) -> str:
    """Replace ``{name}``, ``{name.attr}``, ``{name[0]}``, ``{name['k']}`` that resolve in ``namespace``.

    Everything else is left exactly as typed: ``{"a": 1}``, ``{undefined}``, ``{1+1}``, lone
    braces. ``{{name}}`` is an escape and gives a literal ``{name}``. Nothing is evaluated.
    """

    def repl(m: re.Match[str]) -> str:
        if m.group(1) is not None:
            return "{" + m.group(1) + "}"
        value = _resolve(m.group(2), namespace)
        return m.group(0) if value is _MISSING else str(value)

    return _TOKEN.sub(repl, text)


def unresolved(text: str, namespace: dict[str, Any]) -> list[str]:
    """The ``{references}`` of ``text`` that look like names but resolve to nothing in ``namespace``
    (a column's name mistyped in a template), in order, once each; ``{{escaped}}`` ones are not."""
    out: list[str] = []
    for m in _TOKEN.finditer(text):
        ref = m.group(2)
        if ref is not None and _resolve(ref, namespace) is _MISSING and ref not in out:
            out.append(ref)
    return out
