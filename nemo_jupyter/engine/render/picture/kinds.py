"""What a piece of art shows (a person, a mammal, a vehicle, a building...), for the layout's rules:
a person holds things in its hand and an animal in its mouth, a rider sits on a horse's back and
on a bicycle's saddle. Read from the planner's subject table (``planning/data/subjects.json``:
each subject's OpenMoji hexcode and Unicode emoji subgroup), by art."""

from __future__ import annotations

import functools
import json
from pathlib import Path

_SUBJECTS = Path(__file__).resolve().parents[2] / "planning" / "data" / "subjects.json"


@functools.lru_cache(maxsize=1)
def _table() -> dict[str, str]:
    try:
        subjects = json.loads(_SUBJECTS.read_text("utf-8"))["subjects"]
    except (OSError, ValueError, KeyError):
        return {}
    return {str(v[0]): str(v[1]) for v in subjects.values() if isinstance(v, list) and len(v) >= 2}


def kind_of(art: str) -> str:
    """The emoji subgroup of ``art`` ("animal-mammal", "person-role", "transport-ground", ...), or ""."""
    table = _table()
    return table.get(art) or table.get(art.replace("-FE0F", "")) or table.get(f"{art}-FE0F") or ""
