"""The scene families: one registration each.

A family is an entry of the engine's ``planning/data/scenes.json`` (read as
:data:`nemo_jupyter.draft_format.SCENE_FAMILIES`: its words in nine languages, its names, its mood,
and how actors stand in it) and a painter: a function ``fn(ctx)`` of a module of this folder,
registered under the family's name with :func:`family`. Modules of this folder are found by
:func:`load`, so a new family is that entry and that function, nothing else.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TypeVar

from ..... import draft_format as F
from .scenery import Ctx

SceneFn = Callable[[Ctx], None]
_Fn = TypeVar("_Fn", bound=Callable[..., None])

#: family name -> painter, filled by the modules of this folder as they are imported
PAINTERS: dict[str, SceneFn] = {}


def family(name: str) -> Callable[[_Fn], _Fn]:
    """Register the decorated function as the painter of family ``name`` (an entry of scenes.json)."""

    def register(fn: _Fn) -> _Fn:
        if name in PAINTERS and PAINTERS[name] is not fn:
            raise ValueError(f"two painters for the scene family {name!r}")
        PAINTERS[name] = fn
        return fn

    return register


_TOOLKIT = {"scenery", "registry", "looks"}


@lru_cache(maxsize=1)
def load() -> dict[str, SceneFn]:
    """Every painter of this folder, by family name (each module imported once)."""
    for info in pkgutil.iter_modules([str(Path(__file__).parent)]):
        if not info.name.startswith("_") and info.name not in _TOOLKIT:
            importlib.import_module(f"{__package__}.{info.name}")
    return PAINTERS


@dataclass(frozen=True)
class Facts:
    """How actors stand in a family and what it shows by itself (from its scenes.json entry)."""

    name: str
    ground: tuple[float, float]       # the ground line (far, near), fractions of the frame height
    swim: float | None = None         # where swimmers swim (their centre line)
    water_line: float | None = None   # where boats float (their keel)
    room: str | None = None           # an indoor family: "daylight" (windows) or "closed"
    foreground: bool = False          # paints a near layer (parallax on pans)
    time: str = "day"                 # the time of day it shows by itself
    shadows: bool = True              # things cast shadows on its ground (not in space)
    lights: bool = False              # a town whose windows light up at night
    sky: bool = True                  # it shows an open sky (not under water, not in space)


@lru_cache(maxsize=128)
def facts(name: str) -> Facts:
    """The facts of family ``name`` (an unknown name: those of ``abstract``)."""
    entry = F.SCENE_FAMILIES.get(name)
    if entry is None:
        name, entry = "abstract", F.SCENE_FAMILIES["abstract"]
    g = entry.get("ground") or (0.7, 0.88)
    return Facts(name, (float(g[0]), float(g[1])), _num(entry.get("swim")), _num(entry.get("water_line")),
                 str(entry["room"]) if entry.get("room") else None, bool(entry.get("foreground")),
                 str(entry.get("time") or "day"), entry.get("shadows", True) is not False,
                 bool(entry.get("lights")), entry.get("sky", True) is not False)


def _num(v: object) -> float | None:
    return float(v) if isinstance(v, (int, float)) and not isinstance(v, bool) else None
