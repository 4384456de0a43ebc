"""Relations drawn between actors: one template per kind, one module each (see :mod:`.base`).

A module of this folder defines a :class:`~.base.Template` subclass for its ``kind`` and
registers it with :func:`relation`; :func:`template` finds it. A new relation is a new module.
"""

from __future__ import annotations

import importlib
import pkgutil
from functools import lru_cache
from pathlib import Path
from typing import TypeVar

from .base import Template

_T = TypeVar("_T", bound=type[Template])
TEMPLATES: dict[str, Template] = {}
_TOOLKIT = {"base", "props"}


def relation(cls: _T) -> _T:
    """Register the decorated template class for its ``kind``."""
    if cls.kind in TEMPLATES and type(TEMPLATES[cls.kind]) is not cls:
        raise ValueError(f"two templates for the relation {cls.kind!r}")
    TEMPLATES[cls.kind] = cls()
    return cls


@lru_cache(maxsize=1)
def load() -> dict[str, Template]:
    """Every template of this folder, by kind (each module imported once)."""
    for info in pkgutil.iter_modules([str(Path(__file__).parent)]):
        if not info.name.startswith("_") and info.name not in _TOOLKIT:
            importlib.import_module(f"{__package__}.{info.name}")
    return TEMPLATES


def template(kind: str) -> Template | None:
    return load().get(kind)
