"""Scene families: one registration each (an entry of scenes.json with its words, names, mood and
how actors stand in it, and a painter of the same name), found by the renderer and the planner alike."""

from __future__ import annotations

from typing import Any

from nemo_jupyter import draft_format as F
from nemo_jupyter.engine.planning import vocabulary as V
from nemo_jupyter.engine.render.picture.scenes import FAMILIES, ROOMS_BY_DAY
from nemo_jupyter.engine.render.picture.scenes.registry import facts

LANGS = ("en", "zh", "ja", "es", "fr", "de", "pt", "it", "ko")


def test_every_family_has_one_entry_and_one_painter() -> None:
    assert tuple(F.SCENE_FAMILIES) == F.SCENES
    assert set(FAMILIES) == set(F.SCENES)
    assert len(set(FAMILIES.values())) == len(FAMILIES)  # one painter each
    for fam, entry in F.SCENE_FAMILIES.items():
        missing = [lang for lang in LANGS if not entry.get(lang)]
        assert not missing, f"{fam} has no words in {missing}"
        assert len(entry["names"]) == 2 and entry["mood"] in F.MOODS
        far, near = facts(fam).ground
        assert 0.3 < far <= near < 1.0, fam
        assert fam in V._SCENE_NAMES and fam in V._DEFAULT_MOOD


def test_facts_come_from_the_entry() -> None:
    assert facts("ocean").water_line == 0.74 and facts("ocean").swim == 0.66
    assert facts("forest").foreground and not facts("park").foreground
    assert facts("city").time == "night" and facts("park").time == "day"
    assert "classroom" in ROOMS_BY_DAY and "park" not in ROOMS_BY_DAY and facts("stage").room == "closed"
    assert facts("no such family") == facts("abstract")


def test_every_family_paints_the_same_picture_each_time_in_one_process() -> None:
    """A painting depends on its family, size and seed only: the second painting of a family in one
    process equals the first (a space backdrop once drew its nebulae from the C library's process-wide
    ``rand()``, so a render differed after whatever painted before it, and a test of it failed in the
    full suite)."""
    import hashlib

    import numpy as np

    from nemo_jupyter.engine.render.picture.scenes import paint_scene

    def digest(fam: str) -> str:
        layers = paint_scene(fam, 96, 54, 96, 54, seed=3, dur=2.0, hints=frozenset({"actors"}))
        return hashlib.md5(np.ascontiguousarray(np.asarray(layers.background)).tobytes()).hexdigest()

    first = {fam: digest(fam) for fam in FAMILIES}
    assert {fam: digest(fam) for fam in FAMILIES} == first


def test_a_family_leaves_out_its_own_things_when_the_actors_are_those_things(monkeypatch: Any) -> None:
    """ "four trees in a park", "two trains at the station": the park's own trees and the station's
    waiting train would be counted with the actors, so the family leaves them out (and keeps them for
    any other actor); a forest keeps its trees, which are the place itself."""
    import numpy as np

    from nemo_jupyter.engine.render.picture.scenes import paint_scene, scenery

    drawn: list[str] = []
    for name in ("round_tree", "pine", "palm"):
        real = getattr(scenery, name)
        monkeypatch.setattr(scenery, name, lambda *a, _n=name, _r=real, **k: (drawn.append(_n), _r(*a, **k))[1])
    for module in ("places", "town", "wild", "nature", "land"):
        mod = __import__(f"nemo_jupyter.engine.render.picture.scenes.{module}", fromlist=["x"])
        for name in ("round_tree", "pine", "palm"):
            if hasattr(mod, name):
                monkeypatch.setattr(mod, name, getattr(scenery, name))

    def trees(fam: str, art: str) -> int:
        drawn.clear()
        paint_scene(fam, 160, 90, 160, 90, seed=1, dur=1.0, hints=frozenset({"actors", f"art:{art}"}))
        return len(drawn)

    for fam in ("park", "countryside", "beach", "oasis", "snowy_village", "road", "lake"):
        assert trees(fam, "1F415") > 0, fam       # a dog in the park: the park's trees stay
        assert trees(fam, "1F333") == 0, fam      # trees in the park: only the actors are trees
    assert trees("forest", "1F333") > 0

    def red(hints: frozenset[str]) -> int:
        bg = np.asarray(paint_scene("station", 320, 180, 320, 180, seed=1, dur=1.0, hints=hints).background)
        r, g, b = (bg[..., i].astype(int) for i in range(3))
        return int(((r > 170) & (g < 80) & (b < 80)).sum())

    assert red(frozenset({"actors", "art:1F415"})) > 500  # the red carriages of the waiting train
    assert red(frozenset({"actors", "art:1F686"})) == 0
