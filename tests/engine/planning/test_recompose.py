"""Editing the composition of the video's own cast in words: colours, counts, sizes and relations
change where the subjects are, and the rest of the video stays as it was."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from _frames import erode, frame, hue_mask

from nemo_jupyter import draft_format as df
from nemo_jupyter.engine.planner import plan
from nemo_jupyter.engine.render import render_draft


def scenes(d: dict[str, Any]) -> list[dict[str, Any]]:
    return [s for t in d["t"] if t["tt"] == df.TRACK_VIDEO for s in t["sg"]]


def acts(d: dict[str, Any], k: int = 0) -> dict[str, dict[str, Any]]:
    return {a["s"]: a for a in scenes(d)[k].get("act", [])}


@pytest.fixture(scope="module")
def video() -> dict[str, Any]:
    d = plan("a girl with balloons and a cat near a chair in the park", None, []).draft
    assert d is not None and {"girl", "balloon", "cat", "chair"} <= set(acts(d))
    return d


def edit(draft: dict[str, Any], prompt: str) -> tuple[dict[str, Any], str]:
    p = plan(prompt, draft, [])
    assert p.draft is not None, p.reply
    assert len(scenes(p.draft)) == len(scenes(draft))  # the same scenes, edited
    return p.draft, p.reply


def test_a_colour_a_count_and_a_size_change_in_every_scene(video: dict[str, Any]) -> None:
    blue, reply = edit(video, "make the balloons blue")
    assert all(acts(blue, k)["balloon"]["col"] == "blue" for k in range(len(scenes(blue))))
    assert {"girl", "cat", "chair"} <= set(acts(blue)) and "blue" in reply
    five, reply = edit(video, "five balloons")
    assert acts(five)["balloon"]["n"] == 5 and "5" in reply
    both, _ = edit(video, "make the chair red and show three cats")
    assert acts(both)["chair"]["col"] == "red" and acts(both)["cat"]["n"] == 3


def test_a_relation_puts_one_against_the_other(video: dict[str, Any]) -> None:
    under, reply = edit(video, "put the cat under the chair")
    names = [a["s"] for a in scenes(under)[0]["act"]]
    assert acts(under)["cat"]["rel"] == {"k": "under", "o": names.index("chair")} and "under" in reply
    chase, reply = edit(video, "now the cat chases the girl")
    assert acts(chase)["cat"]["rel"]["k"] == "chase" and "chasing" in reply
    bed, _ = edit(video, "put the cat on a bed")  # the bed joins the scenes the cat is in
    names = [a["s"] for a in scenes(bed)[0]["act"]]
    assert "bed" in names and acts(bed)["cat"]["rel"] == {"k": "on", "o": names.index("bed")}


@pytest.mark.slow
def test_the_edited_draft_draws_the_new_colour(tmp_path: Path, video: dict[str, Any]) -> None:
    blue, _ = edit(video, "make the balloons blue")
    for d, name in ((video, "before.mp4"), (blue, "after.mp4")):
        d = {**d, "m": {**d["m"], "width": 320, "height": 180}, "d": 1500,
             "t": [{"tt": 0, "sg": [{**scenes(d)[0], "st": 0, "d": 1500}]}]}
        render_draft(d, tmp_path / name, resolve=lambda _s: None, quality="preview")
    sky = slice(0, 120)  # (the balloons float up high; the park's sky is blue too: count saturated blue)
    before = erode(hue_mask(frame(tmp_path / "before.mp4", 0.7, 320, 180), "blue", min_sat=0.6))[sky].sum()
    after = erode(hue_mask(frame(tmp_path / "after.mp4", 0.7, 320, 180), "blue", min_sat=0.6))[sky].sum()
    assert after > before + 30


@pytest.mark.parametrize(("prompt", "subject", "key", "value", "said"), [
    ("rends le chat bleu", "cat", "col", "blue", "bleu"),
    ("mach die Katze riesig", "cat", "sc", 2.0, "riesig"),
    ("把猫变小", "cat", "sc", 0.7, "小"),
    ("fai tre gatti", "cat", "n", 3, "3"),
    ("make the cat giant", "cat", "sc", 2.0, "giant"),
])
def test_composition_edits_in_other_languages_are_done_and_said_so(video: dict[str, Any], prompt: str, subject: str,
                                                                  key: str, value: object, said: str) -> None:
    draft, reply = edit(video, prompt)
    for k in range(len(scenes(draft))):
        assert acts(draft, k)[subject].get(key) == value
        assert set(acts(draft, k)) == set(acts(video, k))  # nobody else came or went
    assert said in reply
    p = plan(prompt, video, [])
    assert p.brief is not None and all(c["status"] == "done" for c in p.brief["checklist"]), p.brief["checklist"]


def test_a_relation_edit_is_accounted_done_in_the_edit(video: dict[str, Any]) -> None:
    p = plan("maintenant le chat poursuit la fille", video, [])
    assert p.draft is not None and p.brief is not None
    assert acts(p.draft)["cat"]["rel"]["k"] == "chase"
    rels = [c for c in p.brief["checklist"] if c["what"] == "relation"]
    assert rels and all(c["status"] == "done" for c in rels), p.brief["checklist"]
    assert "Pas fait" not in p.reply
