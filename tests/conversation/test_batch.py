"""Batches: one conversation per row, on the real engine (renders, failures, re-runs) and on the fake
cloud (costs said first, the limit, a batch cut short and finished from where it was)."""

from __future__ import annotations

import math
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from fakecloud import FAST

from nemo_jupyter import AsyncNemo, NemoError
from nemo_jupyter.client.brief import Brief
from nemo_jupyter.client.draft import Draft
from nemo_jupyter.client.loop import run_sync
from nemo_jupyter.client.models import RenderOptions
from nemo_jupyter.conversation import Conversations
from nemo_jupyter.conversation.batch import Batch
from nemo_jupyter.conversation.batch_rows import BatchRow, Checklist, Cue, Transcript, captions_vtt, cues_of

PREVIEW = RenderOptions(quality="preview")


def _count(home: Path, table: str) -> int:
    with sqlite3.connect(home / "engine.sqlite3") as db:
        return int(db.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0])


def _row(name: str, animal: str, word: str, photo: str | None = None) -> BatchRow:
    prompt = f'a 3-second video of a {animal} with the title "{word}" and a narrator saying "{word}"'
    return BatchRow(name=name, fields={"word": word, "english": animal, "photo": photo},
                    prompt=prompt + (", with my photo" if photo else ""), uploads=(photo,) if photo else ())


def _batch(conversations: Conversations, rows: list[BatchRow], folder: Path, **kw: Any) -> Batch:
    return Batch(rows, conversations.nemo, name="words", store=conversations.store, place=str(folder),
                 options=PREVIEW, path_for=lambda row, _d: folder / "out" / f"words-{row.name}.mp4",
                 adopt=conversations.put, **kw)


# -- pure parts --------------------------------------------------------------------------------------------
def test_captions_carry_what_is_heard_escaped_and_the_transcript_everything() -> None:
    cues = [Cue(0.0, 3.0, "[♪ Soft music]", "sound"), Cue(0.0, 3.0, "Katze", "title"),
            Cue(1.2, 2.25, "a <b>cat</b> --> & more\n\nsecond line", "narration")]
    vtt = captions_vtt(cues)
    assert vtt.startswith("WEBVTT\n")
    assert "Katze" not in vtt, "texts on screen are in the picture, not in the captions"
    assert "00:00:01.200 --> 00:00:02.250\n<v Narrator>a &lt;b&gt;cat&lt;/b&gt; → &amp; more\nsecond line" in vtt
    assert "[♪ Soft music]" in vtt
    assert captions_vtt([Cue(0, 1, "only shown", "title")]) == ""
    text = str(Transcript(tuple(cues)))
    assert "0:00 on screen: Katze" in text and "0:01 narrator: a <b>cat</b>" in text and "sound: [♪ Soft music]" in text


def test_a_rows_checklist_prints_as_one_line() -> None:
    brief = Brief.from_json({"kind": "new", "language": "en", "checklist": [
        {"label": "cat", "status": "done"}, {"label": 'voice-over "x"', "status": "not_done", "note": "not spoken"},
        {"label": "odd", "status": "maybe"}, "junk", {"label": "a bat", "status": "substituted", "note": "a bird"}]})
    checks = Checklist(brief)
    assert str(checks) == '✓ cat · ✗ voice-over "x" (not spoken) · ≈ a bat (a bird)'
    assert len(checks) == 3 and not checks.all_done
    assert not Checklist(None) and str(Checklist(None)) == ""


def test_cues_of_a_draft_name_sounds_briefly() -> None:
    draft = Draft.from_json({"t": [
        {"tt": 0, "sg": [{"id": "v1", "st": 0, "d": 10000, "k": "scene", "scene": "forest"}]},
        {"tt": 1, "sg": [{"id": "m1", "n": "Calm music", "st": 0, "d": 10000, "k": "music"},
                         {"id": "n1", "n": "Hi", "st": 2000, "d": 1500, "k": "voice", "txt": "Trees give us air."}]},
        {"tt": 7, "sg": [{"id": "t1", "st": 0, "d": 3000, "k": "title", "txt": "Forest"}]}], "d": 10000})
    cues = cues_of(draft)
    assert [(c.kind, c.text, c.start, c.end) for c in cues] == [
        ("sound", "[♪ Calm music]", 0.0, 3.0), ("title", "Forest", 0.0, 3.0), ("narration", "Trees give us air.", 2.0, 3.5)]


def test_rows_need_their_own_names() -> None:
    with pytest.raises(ValueError, match="same name"):
        Batch([_row("a", "cat", "x"), _row("a", "dog", "y")], AsyncNemo("http://127.0.0.1:9"))


# -- on the real engine --------------------------------------------------------------------------------
@pytest.mark.slow
def test_rows_at_once_a_failure_in_its_row_and_reruns_that_redo_only_what_changed(
        engine_env: Any, tmp_path: Path, make_media: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    home = Path(engine_env.home)
    photo = make_media.image("hund.png", 320, 240, "orange")
    conversations = Conversations(engine_env.url, replay=True, place=str(tmp_path))
    rows = [_row("katze", "cat", "die Katze"), _row("hund", "dog", "der Hund", str(photo)),
            _row("apfel", "apple", "der Apfel", "photos/missing.png"), _row("perro", "dog", "el perro")]
    jobs0, sessions0 = _count(home, "jobs"), _count(home, "sessions")

    first = _batch(conversations, rows, tmp_path)
    run_sync(first.run())
    by = {r.row.name: r for r in first.runs}
    assert [by[n].status for n in ("katze", "hund", "apfel", "perro")] == ["done", "done", "failed", "done"]
    assert "missing.png" in by["apfel"].reason and "no such file" in by["apfel"].reason
    assert _count(home, "jobs") - jobs0 == 3, "one render per row that made a video"
    assert _count(home, "sessions") - sessions0 == 3, "nothing sent for the row whose photo is missing"
    slots = run_sync(conversations.nemo.render_slots())
    assert slots and first.running_at_once == 2 * slots + 1, "about twice the engine's render slots at once"
    for name in ("katze", "hund", "perro"):
        run = by[name]
        assert Path(run.file).is_file() and run.file.endswith(f"words-{name}.mp4")
        assert run.duration_s == pytest.approx(3.0, abs=0.2)
        assert run.checklist and (run.checklist.all_done or name == "hund"), run.checklist
        vtt = Path(run.captions_file).read_text(encoding="utf-8")
        assert f"<v Narrator>{run.row.fields['word']}" in vtt
        assert run.credits == 0 and not run.reused
        assert conversations.get(f"words/{name}") is first.conversations[name], "%nemo use words/<row> finds it"
    assert "hund.png as the photo" in str(by["hund"].checklist), "the row's photo is in its video"
    frame = first.results()
    assert list(frame.index) == ["katze", "hund", "apfel", "perro"]
    assert frame.loc["katze", "file"] == "out/words-katze.mp4", "files as the notebook links them"
    assert frame.attrs["failed"] == 1 and frame.attrs["credits_used_total"] == 0

    mtimes = {n: Path(by[n].file).stat().st_mtime_ns for n in ("katze", "hund", "perro")}
    restarted = Conversations(engine_env.url, replay=True, place=str(tmp_path))   # as in a new kernel
    again = _batch(restarted, rows, tmp_path)
    run_sync(again.run())
    assert [(r.status, r.reused) for r in again.runs] == [("done", True), ("done", True), ("failed", False),
                                                         ("done", True)]
    assert _count(home, "jobs") - jobs0 == 3 and _count(home, "sessions") - sessions0 == 3, "nothing sent again"
    assert all(Path(r.file).stat().st_mtime_ns == mtimes[r.row.name] for r in again.runs if r.reused)
    assert again.runs[0].checklist == by["katze"].checklist and again.runs[0].cues == by["katze"].cues
    # each reused row's conversation stands after its turn again (replayed, nothing sent): edits go on there
    hund = restarted.get("words/hund")
    assert hund.session_id == by["hund"].session_id and hund.last_prompt == rows[1].prompt
    draft = run_sync(hund.timeline())
    assert draft is not None and draft.title == "der Hund"

    changed = [rows[0], rows[1], rows[2], _row("perro", "dog", "el perro grande")]
    third = _batch(conversations, changed, tmp_path)
    run_sync(third.run())
    assert [r.reused for r in third.runs] == [True, True, False, False]
    assert third.runs[3].status == "done" and third.runs[3].title == "el perro grande"
    assert _count(home, "jobs") - jobs0 == 4, "the changed row alone was rendered"

    Path(third.runs[0].file).unlink()   # a video deleted by hand: made again (its turn replayed, nothing asked)
    fourth = _batch(conversations, changed, tmp_path)
    run_sync(fourth.run())
    assert fourth.runs[0].status == "done" and not fourth.runs[0].reused and Path(fourth.runs[0].file).is_file()
    assert _count(home, "sessions") - sessions0 == 4, "its turn was replayed, not sent again"


# -- on the fake cloud ------------------------------------------------------------------------------------
def _cloud_rows() -> list[BatchRow]:
    return [BatchRow(name=w, fields={"word": w}, prompt=f'a video titled "{w}"') for w in ("sun", "moon", "star")]


def test_a_cloud_batch_says_its_cost_first_and_max_credits_caps_the_whole_batch(cloud: Any, tmp_path: Path,
                                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    conversations = Conversations(cloud.url, nemo=AsyncNemo(cloud.url, **FAST), replay=True, place=str(tmp_path))
    refused = _batch(conversations, _cloud_rows(), tmp_path, max_credits=250)
    with pytest.raises(NemoError) as info:
        run_sync(refused.run())
    assert "about 300 credits, over the limit of 250" in str(info.value)
    assert "--max-credits" in str(info.value)
    assert cloud.chat_turns == 0 and cloud.render_submits == 0, "nothing sent"

    job = _batch(conversations, _cloud_rows(), tmp_path, max_credits=300)
    run_sync(job.run())
    assert job.cost_line and "3 new video(s): typically about 300 credits (100 each)" in job.cost_line
    assert "25000 available" in job.cost_line
    assert [r.status for r in job.runs] == ["done"] * 3
    assert [r.credits for r in job.runs] == [100, 100, 100], "each row's own cost (turns one at a time)"
    assert job.credits_total == 300 and cloud.credits_spent == 300
    assert job.running_at_once == 4, "a backend that does not say takes four rows at once"

    rerun = _batch(conversations, _cloud_rows(), tmp_path, max_credits=10)
    run_sync(rerun.run())     # everything made before: nothing to pay, so no limit to pass
    assert all(r.reused and r.credits == 0 for r in rerun.runs) and rerun.cost_line is None
    assert cloud.chat_turns == 3


def test_a_batch_cut_short_is_finished_from_where_it_was(cloud: Any, tmp_path: Path,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    """As after a kernel restarted mid-batch: turns made and renders done, but no row kept yet. The
    re-run replays each row's turn and reuses its render: nothing is sent or spent again."""
    monkeypatch.chdir(tmp_path)
    conversations = Conversations(cloud.url, nemo=AsyncNemo(cloud.url, **FAST), replay=True, place=str(tmp_path))
    first = _batch(conversations, _cloud_rows(), tmp_path)
    run_sync(first.run())
    assert cloud.chat_turns == 3 and cloud.render_submits == 3
    store = conversations.store
    assert store is not None
    with sqlite3.connect(store.path) as db:   # the rows' own records lost, the turns and renders kept
        db.executemany("DELETE FROM turns WHERE key=?", [(r.key,) for r in first.runs])

    fresh = Conversations(cloud.url, nemo=AsyncNemo(cloud.url, **FAST), replay=True, place=str(tmp_path))
    again = _batch(fresh, _cloud_rows(), tmp_path)
    run_sync(again.run())
    assert [(r.status, r.reused) for r in again.runs] == [("done", False)] * 3
    assert (cloud.chat_turns, cloud.render_submits, cloud.credits_spent) == (3, 3, 300), "nothing sent again"
    assert [r.file for r in again.runs] == [r.file for r in first.runs]
    assert all(math.isclose(r.credits, 0) for r in again.runs)


def test_rows_drafted_then_rendered_send_no_turn_twice(cloud: Any, tmp_path: Path,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    """The same rows asked without -x, then with -x, then at another quality: each render is made,
    but each row's turn was sent once (its conversation replays it)."""
    monkeypatch.chdir(tmp_path)
    conversations = Conversations(cloud.url, nemo=AsyncNemo(cloud.url, **FAST), replay=True, place=str(tmp_path))
    drafts = _batch(conversations, _cloud_rows(), tmp_path, export=False)
    run_sync(drafts.run())
    assert [(r.status, r.file, r.title) for r in drafts.runs] == [("done", "", w) for w in ("sun", "moon", "star")]
    assert (cloud.chat_turns, cloud.render_submits) == (3, 0)
    rendered = _batch(conversations, _cloud_rows(), tmp_path)
    run_sync(rendered.run())
    assert [r.status for r in rendered.runs] == ["done"] * 3 and all(Path(r.file).is_file() for r in rendered.runs)
    assert (cloud.chat_turns, cloud.render_submits, cloud.credits_spent) == (3, 3, 300)
    assert all(r.credits == 0 for r in rendered.runs), "replayed turns cost nothing"
    other = Batch(_cloud_rows(), conversations.nemo, name="words", store=conversations.store, place=str(tmp_path),
                  options=RenderOptions(quality="low"), path_for=lambda row, _d: tmp_path / "low" / f"{row.name}.mp4")
    run_sync(other.run())
    assert [r.status for r in other.runs] == ["done"] * 3
    assert (cloud.chat_turns, cloud.render_submits) == (3, 6)


def test_fresh_asks_every_row_again_and_keeps_what_it_made(cloud: Any, tmp_path: Path,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    conversations = Conversations(cloud.url, nemo=AsyncNemo(cloud.url, **FAST), replay=True, place=str(tmp_path))
    run_sync(_batch(conversations, _cloud_rows(), tmp_path).run())
    fresh = _batch(conversations, _cloud_rows(), tmp_path, fresh=True)
    run_sync(fresh.run())
    # every turn asked again; a draft the same as before keeps its render (the client's render cache)
    assert not any(r.reused for r in fresh.runs) and (cloud.chat_turns, cloud.render_submits) == (6, 3)
    assert len({r.session_id for r in fresh.runs}) == 3, "a new session each, never an edit of the old video"
    after = _batch(conversations, _cloud_rows(), tmp_path)
    run_sync(after.run())
    assert all(r.reused for r in after.runs) and [r.session_id for r in after.runs] == [
        r.session_id for r in fresh.runs], "the rows made fresh are the ones kept"
    assert cloud.chat_turns == 6
