"""``%%nemo --each VAR``, ``nemo_jupyter.batch`` and ``%nemo pack`` through a real IPython shell on the
real engine: rows into prompts, the live display and the gallery, the DataFrame, the page."""

from __future__ import annotations

import html.parser
import math
import re
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from IPython.core.error import UsageError
from IPython.utils.capture import capture_output

import nemo_jupyter
from nemo_jupyter.conversation.batch import COLUMNS
from nemo_jupyter.conversation.batch_rows import Checklist, Transcript
from nemo_jupyter.ui.batching import make_rows

XSS = '<img src=x onerror="alert(1)">'


class _Tags(html.parser.HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))


def _inert(markup: str, *, scripts: int = 0) -> list[tuple[str, dict[str, str | None]]]:
    """No event handler, no script (but ``scripts`` of our own), no remote source, no ``javascript:``."""
    parser = _Tags()
    parser.feed(markup)
    assert parser.tags
    assert sum(tag == "script" for tag, _ in parser.tags) == scripts
    for tag, attrs in parser.tags:
        assert tag not in ("iframe", "object", "embed", "img") or (attrs.get("src") or "").startswith("data:image/")
        for name, value in attrs.items():
            assert not name.startswith("on"), (tag, name)
            if name in ("src", "poster") and value:
                assert not re.match(r"(?i)\s*(https?:|javascript:|//)", value), (tag, value[:80])
            if name == "href" and value:
                assert not value.lower().startswith("javascript:"), value
    return parser.tags


# -- rows into prompts (no backend) --------------------------------------------------------------------
def test_rows_are_named_filled_and_their_files_named_in_their_prompts() -> None:
    table = pd.DataFrame({"name": ["cat", "cat", None], "word": ["Katze", "Kater", "Hund"],
                          "first name": ["Ann", "Bo", "Cy"], "photo": [None, "a.png", math.nan],
                          "logo": ["", "brand.png", "brand.png"]})
    rows = make_rows('{word} for {row["first name"]} by {teacher}', table, namespace={"teacher": "Ms Li"})
    assert [r.name for r in rows] == ["cat", "cat-2", "2"]
    assert rows[0].prompt == "Katze for Ann by Ms Li"
    assert rows[1].prompt == "Kater for Bo by Ms Li, with my photo, with my logo"
    assert rows[1].uploads == ("a.png", "brand.png")
    assert rows[2].prompt == "Hund for Cy by Ms Li, with my logo" and rows[2].uploads == ("brand.png",)
    assert rows[1].fields["logo"] == "brand.png" and rows[1].fields["first name"] == "Bo", "values kept as they were"
    # a template that names its file already gets no second mention; --upload columns by file type
    rows = make_rows("{word} with my picture", [{"word": "x", "snap": "s.jpg", "song": "s.mp3"}],
                     uploads=["snap", "song"])
    assert rows[0].prompt == "x with my picture, with my music" and rows[0].name == "0"
    indexed = make_rows("{word}", pd.DataFrame({"word": ["a", "b"]}, index=pd.Index(["r1", "r2"])))
    assert [r.name for r in indexed] == ["r1", "r2"]
    zh = make_rows("做一个关于{w}的视频", [{"w": "猫", "photo": "m.png"}])
    assert zh[0].prompt == "做一个关于猫的视频，用我的照片"


def test_a_template_naming_no_column_or_variable_is_refused_before_anything_is_sent() -> None:
    with pytest.raises(UsageError) as info:
        make_rows("a video of {wrod} and {word}", [{"word": "cat"}], what="words")
    assert "{wrod}" in str(info.value) and "columns: word" in str(info.value) and "{{wrod}}" in str(info.value)
    assert make_rows("{{wrod}} {word}", [{"word": "cat"}])[0].prompt == "{wrod} cat"
    with pytest.raises(UsageError, match="no such column"):
        make_rows("{word}", [{"word": "cat"}], uploads=["photo"])
    with pytest.raises(UsageError, match="DataFrame or a list of dicts"):
        make_rows("{word}", "cat")


def test_each_refuses_what_it_cannot_run(ip: Any) -> None:
    shell, _, _ = ip
    for cell, words in [("%%nemo --each nothing\na video of {x}", "no variable 'nothing'"),
                        ("%%nemo --upload photo\na video", "--upload names columns"),
                        ("%%nemo --each words --concurrency 0\na video", "at least 1"),
                        ("%%nemo --each words -s other\na video of {word}", "leave -s out"),
                        ("%%nemo --each words --no-interpolate\na video of {word}", "the same words")]:
        shell.user_ns["words"] = [{"word": "cat"}]
        with capture_output(display=False):
            result = shell.run_cell(cell)
        assert not result.success and words in str(result.error_in_exec), (cell, result.error_in_exec)
    with capture_output(display=False):
        result = shell.run_cell("%nemo pack page.html nothing")
    assert not result.success and "no variable 'nothing'" in str(result.error_in_exec)


# -- on the engine --------------------------------------------------------------------------------------
@pytest.mark.slow
def test_each_runs_draws_a_gallery_keeps_a_dataframe_and_packs_it(ip: Any, engine: Any, tmp_path: Path,
                                                                   make_media: Any) -> None:
    shell, rec, magics = ip
    magics.backend = engine.url
    magics.refresh_hz = 20.0
    photo = make_media.image("pic.png", 320, 240, "teal")
    shell.user_ns["words"] = pd.DataFrame({
        "word": ["die Katze", XSS, "der Apfel"], "english": ["cat", "dog", "apple"],
        "photo": [None, None, str(photo)]}, index=pd.Index(["katze", "hund", "apfel"]))
    with capture_output(display=False):
        result = shell.run_cell('%%nemo --each words -x --quality preview -o gal\n'
                                'a 3-second video of a {english}, with the title "{word}" and a narrator saying "{word}"')
    assert result.success, result.error_in_exec
    gal = shell.user_ns["gal"]
    assert isinstance(gal, pd.DataFrame) and list(gal.columns) == ["word", "english", "photo", *COLUMNS]
    assert list(gal["status"]) == ["done"] * 3, gal["reason"].tolist()
    assert gal.loc["apfel", "prompt"].endswith(", with my photo")
    assert isinstance(gal.loc["katze", "checklist"], Checklist) and "✓ cat" in str(gal.loc["katze", "checklist"])
    assert isinstance(gal.loc["katze", "transcript"], Transcript)
    assert "narrator: die Katze" in str(gal.loc["katze", "transcript"])
    assert all((tmp_path / f).is_file() for f in gal["file"]) and gal["file"].str.startswith("nemo_outputs/").all()
    assert set(magics.conversations.names()) >= {"words/katze", "words/hund", "words/apfel"}

    # one live display, redrawn, its last word the counts; then the gallery
    live = rec.calls[0]["transient"]["display_id"]
    updates = [c for c in rec.calls if c["update"] and c["transient"].get("display_id") == live]
    assert updates and "words: 3 of 3 done" in updates[-1]["data"]["text/plain"]
    galleries = [c["data"] for c in rec.calls if "<table class='nemo-gallery'" in c["data"].get("text/html", "")]
    assert len(galleries) == 1
    page = galleries[0]["text/html"]
    tags = _inert(page)
    assert "&lt;img src=x onerror=&quot;alert(1)&quot;&gt;" in page, "a row's text is text"
    videos = [a for t, a in tags if t == "source"]
    assert [a["src"] for a in videos] == list(gal["file"]), "players link the files beside the notebook"
    assert sum(t == "track" for t, _ in tags) == 3 and all(
        (a.get("poster") or "").startswith("data:image/jpeg;base64,") for t, a in tags if t == "video")
    assert "die Katze" in galleries[0]["text/plain"]

    # run again: every row reused, nothing sent, the same files
    rec.calls.clear()
    with capture_output(display=False):
        assert shell.run_cell('%%nemo --each words -x --quality preview -o gal2\n'
                              'a 3-second video of a {english}, with the title "{word}" and a narrator saying '
                              '"{word}"').success
    gal2 = shell.user_ns["gal2"]
    assert gal2["reused"].all() and list(gal2["file"]) == list(gal["file"])
    assert "(3 reused)" in rec.texts()

    # the same from Python, with the magics' conversations and settings
    frame = nemo_jupyter.batch('a 3-second video of a {english}, with the title "{word}"',
                               [{"word": "la lune", "english": "moon"}], name="more", quality="preview")
    assert list(frame["status"]) == ["done"] and "more/0" in magics.conversations.names()

    # the lesson pack of the batch, and of every video of the notebook
    with capture_output(display=False) as cap:
        assert shell.run_cell("%nemo pack lesson.html gal --title 'Words, week 3'").success
    assert "Lesson pack: lesson.html (3 videos" in cap.stdout
    text = (tmp_path / "lesson.html").read_text(encoding="utf-8")
    tags = _inert(text, scripts=1)
    assert "<title>Words, week 3</title>" in text and "Content-Security-Policy" in text
    sources = [a["src"] for t, a in tags if t == "source"]
    assert len(sources) == 3 and all(s.startswith("lesson_files/") for s in sources)
    assert all((tmp_path / s).is_file() for s in sources)
    assert "&lt;img src=x onerror=&quot;alert(1)&quot;&gt;" in text and XSS not in text
    assert text.count('kind="captions"') == 3 and "Narrator:" in text and "✓" in text
    assert "CC BY-SA 4.0" in text, "the art's licence is credited"
    with capture_output(display=False) as cap:
        assert shell.run_cell("%nemo pack everything.html").success
    assert "(4 videos" in cap.stdout, cap.stdout
    assert (tmp_path / "everything.html").read_text(encoding="utf-8").count("<section class=\"video\"") == 4


@pytest.mark.slow
def test_a_comparison_packs_with_its_votes_and_keeps_a_blind_one_blind(engine_env: Any, tmp_path: Path,
                                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    from nemo_jupyter.ui.widgets import CompareWidget

    monkeypatch.chdir(tmp_path)
    cmp = CompareWidget(['a 2-second video of rain, titled "Rainy"', 'a 2-second video of snow, titled "Snowy"'],
                        backends=engine_env.url, quality="preview", blind=True, seed=3)
    cmp.wait(timeout=300)
    cmp.rank("Ann", [1, 2])
    cmp.rank("Bo", [1, 2])
    with capture_output(display=False) as cap:
        nemo_jupyter.pack("vote.html", cmp)
    assert "Lesson pack: vote.html (2 videos" in cap.stdout
    page = (tmp_path / "vote.html").read_text(encoding="utf-8")
    _inert(page, scripts=1)
    # blind: the takes are named by letter, no prompt is said (what a video shows, it shows, transcript too)
    assert "video of rain" not in page and "video of snow" not in page and "What was asked" not in page
    assert re.findall(r'<h2 id="v\d-title">([^<]*)</h2>', page) == ["1. Take A", "2. Take B"]
    assert "<h2 id='votes'>Votes</h2>" in page and ">(hidden)<" in page and ">4<" in page   # Borda: 2 + 2
    assert sorted(p.name for p in (tmp_path / "vote_files").glob("*.mp4")) == ["01-take-a.mp4", "02-take-b.mp4"]
    cmp.reveal()
    nemo_jupyter.pack("vote.html", cmp, quiet=True)
    page = (tmp_path / "vote.html").read_text(encoding="utf-8")
    assert "Rainy" in page and "Snowy" in page and "a 2-second video of rain" in page


@pytest.mark.slow
def test_an_interrupted_batch_keeps_its_rows_and_a_rerun_finishes_the_rest(engine_env: Any, tmp_path: Path,
                                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    from nemo_jupyter.client.exceptions import TurnCancelled
    from nemo_jupyter.client.loop import run_sync
    from nemo_jupyter.client.models import RenderOptions
    from nemo_jupyter.conversation import Conversations
    from nemo_jupyter.conversation.batch import Batch
    from nemo_jupyter.ui.batching import _drive, _Sink

    monkeypatch.chdir(tmp_path)
    conversations = Conversations(engine_env.url, replay=True, place=str(tmp_path))
    table = [{"name": n, "thing": n} for n in ("cat", "dog", "fox", "owl", "bee", "cow")]
    rows = make_rows('a 3-second video of a {thing}, with the title "{thing}"', table)

    def batch() -> Batch:
        return Batch(rows, conversations.nemo, name="zoo", store=conversations.store, place=str(tmp_path),
                     options=RenderOptions(quality="preview"), concurrency=2,
                     path_for=lambda row, _d: tmp_path / "out" / f"{row.name}.mp4")

    job = batch()

    class Interrupted(_Sink):   # the user presses Stop once two rows are done
        def draw(self, bundle: dict[str, str], line: str) -> None:
            if job.summary().done >= 2:
                raise KeyboardInterrupt

    with pytest.raises(TurnCancelled, match=r"interrupted: \d of 6 rows done") as info:
        _drive(job, Interrupted(False), hz=20)
    assert "Run the cell again" in str(info.value)
    done = {r.row.name for r in job.runs if r.status == "done"}
    assert 2 <= len(done) < 6 and all(r.final for r in job.runs)
    assert all(r.status == "cancelled" and "keeps going" in r.reason for r in job.runs if r.row.name not in done)

    again = batch()
    run_sync(again.run())
    assert [r.status for r in again.runs] == ["done"] * 6
    assert {r.row.name for r in again.runs if r.reused} == done, "the rows done before are reused, the rest made"


def test_a_python_batch_on_the_cloud_says_its_cost_before_the_counts(cloud: Any, tmp_path: Path,
                                                                      monkeypatch: pytest.MonkeyPatch,
                                                                      capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.chdir(tmp_path)
    frame = nemo_jupyter.batch('a video titled "{w}"', [{"w": "sun"}, {"w": "moon"}], name="sky", backend=cloud.url,
                               quality="preview", max_credits=200)
    err = capsys.readouterr().err
    assert "2 new video(s): typically about 200 credits (100 each)" in err
    assert err.index("typically about 200 credits") < err.index("sky: 2 of 2 done")
    assert list(frame["status"]) == ["done", "done"] and list(frame["credits"]) == [100, 100]
    assert "Credits spent by this batch: 200." in err
    with pytest.raises(nemo_jupyter.NemoError, match="over the limit of 100"):
        nemo_jupyter.batch('a video titled "{w}"', [{"w": "star"}, {"w": "comet"}], name="sky2", backend=cloud.url,
                           max_credits=100)
    assert cloud.chat_turns == 2
