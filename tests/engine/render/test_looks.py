"""Time of day and weather on every scene family, checked on frames of real renders: night is dark
with a darker sky, dusk and dawn are warm, rain is grey with rain falling, snow lies white, fog
washes the distance out, wind blows leaves across; rooms show it through their light and windows."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from _frames import frame, render, scene_draft

from nemo_jupyter import draft_format as F
from nemo_jupyter.engine.render.picture.scenes.registry import facts

pytestmark = pytest.mark.slow
W, H = 320, 180


def look(tmp: Path, family: str, tod: str | None = None, wx: str | None = None, t: float = 0.5) -> np.ndarray:
    seg = {k: v for k, v in (("tod", tod), ("wx", wx)) if v}
    name = f"{family}-{tod}-{wx}.mp4"
    path = tmp / name
    if not path.exists():
        render(tmp, scene_draft(None, scene=family, d=1200, w=W, h=H, **seg), name)
    return frame(path, t, W, H)


def lum(img: np.ndarray) -> float:
    return float(img.mean())


def sat(img: np.ndarray) -> float:
    return float((img.max(axis=2) - img.min(axis=2)).mean())


def test_scene_keys_are_drawn() -> None:
    assert {"tod", "wx"} <= F.SCENE_DRAWN


def moving(a: np.ndarray, b: np.ndarray) -> float:
    return float((np.abs(a - b).max(axis=2) > 30).mean())


@pytest.mark.parametrize("family", F.SCENES)
def test_night_is_painted_on_every_family(tmp_path: Path, family: str) -> None:
    day, night = look(tmp_path, family, "day"), look(tmp_path, family, "night")
    if facts(family).time == "night" and family != "city":  # night by itself: the night shown
        assert lum(night) < 120, family
        return
    if facts(family).room:  # lamplight: dimmer, and the windows dark
        assert lum(night) < 0.86 * lum(day), (family, lum(day), lum(night))
        return
    assert lum(night) < 0.6 * lum(day), (family, lum(day), lum(night))
    assert night[..., 2].mean() >= night[..., 0].mean() - 5, family  # moonlight is blue, not just dim


@pytest.mark.parametrize("family", F.SCENES)
def test_rain_is_painted_on_every_family(tmp_path: Path, family: str) -> None:
    day, rain = look(tmp_path, family, "day"), look(tmp_path, family, wx="rain")
    # a frame later: rain falls fast, clouds and birds hardly move
    day_later, later = look(tmp_path, family, "day", t=0.5 + 1 / 30), look(tmp_path, family, wx="rain", t=0.5 + 1 / 30)
    assert np.abs(rain - day).mean() > 3, family                     # it looks different
    if facts(family).room == "daylight":  # its windows: grey outside, streaked with rain
        return
    assert moving(rain, later) > moving(day, day_later) + 0.001, family  # rain falls
    if not facts(family).room and facts(family).time == "day" and facts(family).sky:
        top = slice(0, H // 4)
        assert sat(rain[top]) < sat(day[top]) or sat(rain[top]) < 30, family  # a grey sky
        assert (rain[top].min(axis=2) > 240).mean() < 0.01, family         # no sun


@pytest.mark.parametrize("family", ["park", "street", "road", "countryside", "forest", "farm", "beach", "mountains",
                                    "desert", "lake", "castle", "city"])
def test_dawn_dusk_snow_fog_and_wind_outdoors(tmp_path: Path, family: str) -> None:
    day = look(tmp_path, family, "day")
    for tod in ("dawn", "dusk"):
        warm = look(tmp_path, family, tod)
        ratio = warm[..., 0].mean() / max(1.0, warm[..., 2].mean())
        assert ratio > day[..., 0].mean() / max(1.0, day[..., 2].mean()) * 1.05 or ratio > 1.1, (family, tod)
    snow = look(tmp_path, family, "day", "snow")
    low = slice(int(H * 0.75), H)
    whiteness = lambda img: float((img.min(axis=2) > 175).mean())  # noqa: E731
    assert whiteness(snow[low]) > whiteness(day[low]) + 0.2, family  # snow on the ground
    fog = look(tmp_path, family, "day", "fog")
    band = slice(int(H * 0.35), int(H * 0.75))
    assert fog[band].std() < day[band].std() * 0.8, family           # the distance washed out
    wind, gust = look(tmp_path, family, "day", "wind"), look(tmp_path, family, "day", "wind", t=0.8)
    still, later = look(tmp_path, family, "day"), look(tmp_path, family, "day", t=0.8)
    moved = lambda a, b: float((np.abs(a - b).max(axis=2) > 40).mean())  # noqa: E731
    assert moved(wind, gust) > moved(still, later) + 0.002, family    # leaves blown across


@pytest.mark.parametrize("family", ["classroom", "kitchen", "cafe", "desk", "library"])
def test_rooms_show_the_time_through_their_light(tmp_path: Path, family: str) -> None:
    day, night = look(tmp_path, family, "day"), look(tmp_path, family, "night")
    dusk = look(tmp_path, family, "dusk")
    assert lum(night) < 0.86 * lum(day)
    assert dusk[..., 0].mean() - dusk[..., 2].mean() > day[..., 0].mean() - day[..., 2].mean() + 5
    rain = look(tmp_path, family, wx="rain")
    assert np.abs(rain - day).mean() > 2  # grey sky and streaks in the windows
