"""Retiming a video keeps the times asked for: a title "for the first 3 seconds" stays 3 s long when
the video is shortened or lengthened, and the reply says so when a shorter video cannot hold it."""

from __future__ import annotations

from typing import Any

from nemo_jupyter.engine.planner import plan


def _texts(draft: dict[str, Any]) -> dict[str, tuple[int, int]]:
    return {s["txt"]: (s["st"], s["st"] + s["d"]) for t in draft["t"] for s in t["sg"] if s.get("k") in ("title", "caption")}


def test_a_title_keeps_its_seconds_when_the_video_is_retimed() -> None:
    made = plan('a 20-second video of a forest with the title "Spring" for the first 3 seconds', None, [])
    assert made.draft is not None and _texts(made.draft)["Spring"] == (0, 3000)
    shorter = plan("make it 10 seconds", made.draft, [])
    assert shorter.draft is not None and _texts(shorter.draft)["Spring"] == (0, 3000)   # not 0-1.5 s
    scenes = [s for t in shorter.draft["t"] for s in t["sg"] if s.get("k") == "scene"]
    assert scenes[-1]["st"] + scenes[-1]["d"] == 10000                                   # the pictures scaled
    assert "titles and captions keep their own length" in shorter.reply
    longer = plan("make it 30 seconds", shorter.draft, [])
    assert longer.draft is not None and _texts(longer.draft)["Spring"] == (0, 3000)


def test_a_shorter_video_that_cannot_hold_a_title_says_so() -> None:
    made = plan('a 20-second video of a forest with the title "Spring" for the first 3 seconds', None, [])
    tiny = plan("make it 2 seconds", made.draft, [])
    assert tiny.draft is not None and _texts(tiny.draft)["Spring"] == (0, 2000)
    assert "'Spring' was shown for 3 s; the shorter video leaves it 2 s." in tiny.reply
