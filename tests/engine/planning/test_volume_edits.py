"""Volume edits as the planner answers them (``ops/set_volume.py``), by the rule of
``render/sound/loudness.py``: a volume is a gain against its kind's default, the whole never louder
than the loudness target. The renders that check the figures are in ``tests/engine/render/test_volume.py``."""

from __future__ import annotations

import math
from typing import Any

import pytest

from nemo_jupyter import draft_format as df
from nemo_jupyter.engine import planner
from nemo_jupyter.engine.render.sound import loudness as L

MUSIC_ONLY = "a 6-second vertical video of a sunset with soft music"     # 9:16: social, -14 LUFS
FOREST = "a 10-second video of a forest with birds and soft music"        # 16:9: the web, -16 LUFS


def made(prompt: str) -> dict[str, Any]:
    draft = planner._plan(prompt, None, []).draft
    assert draft is not None
    return draft


def music_v(draft: dict[str, Any]) -> float:
    (v,) = [sg["v"] for t in draft["t"] for sg in t["sg"] if sg.get("k") == "music"]
    return float(v)


def ask(item: str, plan: planner.Plan) -> dict[str, Any]:
    assert plan.brief is not None
    (line,) = [c for c in plan.brief["checklist"] if c["id"] == item]
    return dict(line)


def test_music_alone_quieter_says_how_much_quieter_the_video_plays() -> None:
    d = made(MUSIC_ONLY)
    assert music_v(d) == df.VOLUME["music"] and L.plays_at(d) == df.LOUDNESS["social"]
    r = planner._plan("make the music quieter", d, [])
    assert r.draft is not None and music_v(r.draft) == pytest.approx(df.VOLUME["music"] / 2, abs=0.01)
    heard = L.plays_at(r.draft)
    assert heard is not None and heard == pytest.approx(-14 + 20 * math.log10(music_v(r.draft) / 0.35))
    assert "the whole video plays about 6 dB quieter: -20 LUFS" in r.reply, r.reply
    assert ask("volume:down", r)["status"] == "done"
    # turned up past its default, a lone sound plays no louder: "quieter" starts from where it plays
    loud = planner._plan("set the music to 70%", d, [])
    assert loud.draft is not None and ask("volume:70", loud)["status"] == "substituted"
    assert "plays at -14 LUFS either way" in loud.reply, loud.reply
    down = planner._plan("make the music quieter", loud.draft, [])
    assert down.draft is not None and music_v(down.draft) == music_v(r.draft)
    assert "about 6 dB quieter" in down.reply


def test_louder_at_the_platform_loudness_is_not_done_and_says_why() -> None:
    d = made(MUSIC_ONLY)
    r = planner._plan("make the music louder", d, [])
    assert r.understood and r.draft is None and not r.steps
    line = ask("volume:up", r)
    assert line["status"] == "not_done" and "-14 LUFS" in line["note"] and "social platforms" in line["note"]
    assert "Not done: louder music (it already plays at -14 LUFS" in r.reply, r.reply
    zh = planner._plan("把音乐调大", d, [])
    assert zh.draft is None and "已经是-14 LUFS" in zh.reply and "社交平台" in zh.reply, zh.reply
    # below its default it goes up, to the platform's loudness at most, and says so
    low = planner._plan("make the music quieter", d, []).draft
    up = planner._plan("make the music louder", low, [])
    assert up.draft is not None and music_v(up.draft) == df.VOLUME["music"]
    assert "about 6 dB louder: -14 LUFS" in up.reply and "as loud as the video gets" in up.reply, up.reply


def test_music_beside_other_sounds_changes_its_balance_and_says_with_what() -> None:
    d = made(FOREST)
    assert {sg.get("k") for t in d["t"] for sg in t["sg"]} >= {"music", "ambient"}
    down = planner._plan("make the music quieter", d, [])
    assert down.draft is not None and L.plays_at(down.draft) is None  # the balance decides: measured at render
    assert "about 6 dB quieter against the other sounds (bird song). They keep their level." in down.reply
    up = planner._plan("make the music louder", d, [])
    assert up.draft is not None and music_v(up.draft) == pytest.approx(0.7)
    assert "about 6 dB louder against the other sounds (bird song)" in up.reply
    assert "no louder than -16 LUFS, the loudness set for the web" in up.reply, up.reply
    top = planner._plan("make the music louder", planner._plan("set the music to 100%", d, []).draft, [])
    assert top.draft is None and ask("volume:up", top)["note"] == "the music is already at 100%"
    faint = planner._plan("make the music quieter", planner._plan("set the music to 1%", d, []).draft, [])
    assert faint.draft is None and ask("volume:down", faint)["status"] == "not_done" and "no music" in faint.reply


def test_where_a_draft_plays_follows_from_its_volumes() -> None:
    def draft(*sounds: tuple[str, float], aspect: str = "9:16") -> dict[str, Any]:
        sg = [{"id": f"s{i}", "st": 0, "d": 4000, "k": k, "v": v, **({"mood": "soft"} if k == "music" else {}),
               **({"snd": "rain"} if k == "ambient" else {}), **({"txt": "Hello."} if k == "voice" else {})}
              for i, (k, v) in enumerate(sounds)]
        return {"d": 4000, "m": {"aspect": aspect}, "t": [{"tt": df.TRACK_AUDIO, "sg": sg}]}

    assert L.plays_at(draft(("music", 0.35))) == -14.0
    assert L.plays_at(draft(("music", 0.175))) == pytest.approx(-14 - 6.02, abs=0.01)
    assert L.plays_at(draft(("music", 0.175), aspect="16:9")) == pytest.approx(-16 - 6.02, abs=0.01)
    assert L.plays_at(draft(("music", 0.9), ("ambient", 0.6))) == -14.0           # above: the target
    assert L.plays_at(draft(("music", 0.175), ("voice", 0.5))) == pytest.approx(-20.02, abs=0.01)  # together
    assert L.plays_at(draft(("music", 0.175), ("voice", 1.0))) is None            # the balance decides
    assert L.plays_at(draft(("music", 0.0))) is None                              # no sound
    assert [s.kind for s in L.sounds(draft(("music", 0.0), ("voice", 1.0)))] == ["voice"]  # muted: left out
    bare = {"id": "m", "st": 0, "d": 1000, "k": "music"}
    assert L.volume(bare, "music") == df.VOLUME["music"] and L.volume({**bare, "v": 3}, "music") == 1.0
