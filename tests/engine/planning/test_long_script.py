"""Long scripts: captions are planned from as much of the script as a viewer can read, in
readable pieces, never the whole script in one caption (speed: benchmarks/long_script.py)."""

from __future__ import annotations

import random

from nemo_jupyter import draft_format as df
from nemo_jupyter.engine.planner import plan
from nemo_jupyter.engine.planning.tracks import CAPTION_MAX_CHARS, READ_CHARS_PER_S, caption_texts
from nemo_jupyter.engine.render.timeline.validate import shape_problems


def _script(chars: int) -> str:
    rnd = random.Random(7)
    words = ["the", "river", "runs", "past", "our", "school", "where", "children", "learn", "to", "read", "and", "write", "and", "sing"]
    out: list[str] = []
    size = 0
    while size < chars:
        sentence = " ".join(rnd.choice(words) for _ in range(rnd.randint(3, 40))).capitalize() + "."
        out.append(sentence)
        size += len(sentence) + 1
    return " ".join(out)


def test_a_1mb_script_gives_readable_captions_from_its_beginning() -> None:
    text = _script(1024 * 1024)
    caps, complete = caption_texts(text, 30_000)
    assert not complete
    assert 1 <= len(caps) <= 20                            # at most one caption per 1.5 s
    assert all(0 < len(c) <= CAPTION_MAX_CHARS for c in caps)
    assert sum(len(c) for c in caps) <= 30 * READ_CHARS_PER_S + CAPTION_MAX_CHARS
    assert text.startswith(caps[0])                        # the script's beginning, in order
    joined = " ".join(caps)
    assert text.startswith(joined[:200])


def test_a_sentence_without_spaces_is_cut_into_captions() -> None:
    caps, complete = caption_texts("海" * 5000 + "。", 60_000)
    assert all(len(c) <= CAPTION_MAX_CHARS for c in caps) and not complete


def test_a_short_script_is_captioned_whole_one_sentence_each() -> None:
    text = "Welcome to our bakery. We bake fresh bread every morning! Come and taste it today."
    caps, complete = caption_texts(text, 30_000)
    assert complete and caps == ["Welcome to our bakery.", "We bake fresh bread every morning!",
                                 "Come and taste it today."]


def test_many_short_sentences_are_merged_evenly_in_order() -> None:
    text = " ".join(f"Line {i}." for i in range(40))
    caps, complete = caption_texts(text, 30_000)       # 20 captions at most, 450 characters to read
    assert complete and len(caps) <= 20 and " ".join(caps) == text
    short, complete = caption_texts(text, 15_000)      # 225 characters: only the start fits
    assert not complete and len(short) <= 10 and text.startswith(" ".join(short))


def test_planning_with_a_1mb_script_says_what_fits_and_renders() -> None:
    script = {"filename": "book.txt", "file_type": "text", "cdn_url": "http://x/media/" + "a" * 32 + "/book.txt",
              "text": _script(1024 * 1024), "duration": None, "width": None, "height": None}
    first = plan("make a 20-second video of a forest", None, [script])
    result = plan("add captions from my script", first.draft, [script])
    assert result.understood and result.draft is not None
    caps = [s for t in result.draft["t"] if t.get("tt") == df.TRACK_TEXT for s in t["sg"] if s.get("k") == "caption"]
    assert caps and all(len(s["txt"]) <= CAPTION_MAX_CHARS for s in caps)
    assert "beginning" in result.reply and "longer" in result.reply
    assert shape_problems(result.draft) == []             # the planner's drafts pass the render limits
