"""The conversation layer under the notebook (issue 24): the brief folded and replayed, the checklist's
words, takes told apart in words, a preview before the full render, edits by hand as versions, uploads
that name what they left out, one file per resumed render, Chinese diffs. Real engine, real HTTP."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path
from typing import Any

import pytest
from fakecloud import FAST, FakeCloud

from nemo_jupyter import AsyncNemo
from nemo_jupyter.client.draft import Draft
from nemo_jupyter.client.loop import run_sync
from nemo_jupyter.client.models import Brief, RenderOptions
from nemo_jupyter.conversation import (
    Conversation,
    Conversations,
    Intent,
    Progress,
    TurnUpdate,
    Undo,
    checklist_summary,
    fold,
    fold_all,
)
from nemo_jupyter.conversation.compare import Comparison
from nemo_jupyter.conversation.formats import checklist_plain, result_markdown
from nemo_jupyter.conversation.takes import differences
from nemo_jupyter.conversation.zh import segment_label_zh, zh_change


def _brief(*statuses: str, language: str = "en") -> Brief:
    brief = Brief.from_json({"kind": "new", "language": language, "checklist": [
        {"id": f"i{n}", "what": "actor", "label": f"thing {n}", "status": s, "note": "" if s == "done" else f"why {n}"}
        for n, s in enumerate(statuses)]})
    assert brief is not None
    return brief


# -- the brief: folded, worded, replayed ------------------------------------------------------------

def test_fold_keeps_the_brief_and_the_preview_and_nothing_else_writes_them() -> None:
    brief = _brief("done", "not_done")
    state = fold_all([TurnUpdate("text", text="Hi"), TurnUpdate("state", text="Hi", brief=brief),
                      TurnUpdate("tool", tool="rendering…")])
    assert state.brief is brief and state.text == "Hi"
    only = fold(Progress(), TurnUpdate("brief", text="A question", brief=brief))
    assert only.brief is brief and only.draft is None   # a question: a brief, no draft change
    assert fold(state, TurnUpdate("progress", percent=5)).brief is brief   # kept until a new one comes
    from nemo_jupyter.client.models import Video

    video = Video(url=None, path=Path("p.mp4"))
    assert fold(state, TurnUpdate("preview", video=video)).preview is video
    assert fold(state, TurnUpdate("progress", video=video)).preview is None   # only a "preview" says so


def test_the_checklist_collapses_to_one_line_in_the_reply_s_language() -> None:
    assert checklist_summary(_brief("done", "done", "done")) == "✓ Everything asked for is done (3 items)"
    assert checklist_summary(_brief("done", language="zh-CN")) == "✓ 要求的 1 项都做到了"
    assert checklist_summary(_brief("done", language="es")).startswith("✓ Todo lo pedido")
    assert checklist_summary(_brief("done", "substituted", "not_done", "pending")) == "Checklist: 1 ✓ · 1 ≈ · 2 ✗"
    assert checklist_plain(_brief("done", "done")) == ["✓ Everything asked for is done (2 items)"]   # one line
    lines = checklist_plain(_brief("done", "not_done"))
    assert lines[1:] == ["  ✓ thing 0", "  ✗ thing 1 — why 1"]
    assert checklist_plain(None) == [] and checklist_plain(Brief.from_json({"kind": "help"})) == []


def test_backend_text_in_a_checklist_is_text_in_markdown() -> None:
    from nemo_jupyter.conversation import TurnResult

    evil = Brief.from_json({"kind": "new", "checklist": [
        {"label": "<img src=x onerror=alert(1)>", "status": "not_done", "note": "[click](javascript:x) *bold*"}]})
    md = result_markdown(TurnResult(intent=Intent.CHAT, text="ok", brief=evil))
    assert "<img" not in md and "&lt;img" in md and "\\[click\\]" in md and "\\*bold\\*" in md


def test_a_turn_carries_its_brief_and_a_replayed_turn_shows_the_same(engine: Any, tmp_path: Path,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NEMO_CONFIG_DIR", str(tmp_path / "config"))
    updates: list[TurnUpdate] = []
    convs = Conversations(engine.url, replay=True, place=str(tmp_path / "a.ipynb"))
    first = run_sync(convs.get("logo").run("put my logo in the corner of a forest video", cell="c1",
                                           on_update=updates.append))
    assert first.brief is not None and not first.brief.all_done
    assert fold_all(updates).brief == first.brief          # what every front end draws
    again_convs = Conversations(engine.url, replay=True, place=str(tmp_path / "a.ipynb"))   # Run All, a new kernel
    again = run_sync(again_convs.get("logo").run("put my logo in the corner of a forest video", cell="c1"))
    assert again.reused and again.brief == first.brief


# -- takes told apart, in words ---------------------------------------------------------------------

def _draft(title: str, seconds: int, scenes: list[tuple[str, list[str]]], caption: str | None = None) -> Draft:
    each = seconds * 1000 // len(scenes)
    video = [{"id": f"v{i}", "n": s.title(), "st": i * each, "d": each, "k": "scene", "scene": s,
              "act": [{"s": a, "art": "1F986", "x": 0.5} for a in acts]} for i, (s, acts) in enumerate(scenes)]
    tracks: list[dict[str, Any]] = [{"tt": 0, "n": "Video", "sg": video},
                                    {"tt": 1, "n": "BGM", "sg": [{"id": "m", "n": "Soft music", "st": 0,
                                                                  "d": seconds * 1000, "k": "music", "mood": "soft",
                                                                  "v": 0.3}]}]
    if caption:
        tracks.append({"tt": 7, "n": "Captions", "sg": [{"id": "c", "n": caption, "st": 0, "d": 3000,
                                                         "k": "caption", "txt": caption}]})
    return Draft({"t": tracks, "d": seconds * 1000, "m": {"title": title}})


def test_takes_differ_in_facts_never_in_keys_json_or_retimed_scenes() -> None:
    a = _draft("Second Life", 15, [("forest", ["duck"]), ("lake", ["duck"]), ("city", [])])
    b = _draft("Home", 10, [("ocean", ["wastebasket"]), ("ocean", [])], caption="Bye")
    rows = differences([a, b])
    text = " | ".join(r["text"] for take in rows for r in take)
    assert "has the title 'Second Life'" in text and "has the title 'Home'" in text
    assert "3 scenes (the others: 2)" in text and "2 scenes (the others: 3)" in text
    assert "captions 'Bye'" in text and "no captions" in text and "draws wastebasket" in text
    assert not re.search(r"[{}\[\]\"]|\bact\b|Retimed|Moved|Changed|\bs\d", text), text
    zh_rows = differences([a, b], zh=True)
    zh = " | ".join(r["text"] for take in zh_rows for r in take)
    assert "标题「Second Life」" in zh and "3 个场景" in zh and "鸭子" in zh
    assert not re.search(r"[A-Za-z]{4,}", re.sub(r"「[^」]*」", "", zh)), zh   # no English words outside names


def test_a_draft_diff_says_list_and_object_values_in_words() -> None:
    a = _draft("T", 10, [("forest", ["duck", "fox"])])
    b = _draft("T", 10, [("forest", ["cat"])])
    lines = a.diff(b)
    assert "Changed actors of video 'Forest' duck, fox → cat" in lines
    assert not any("{" in line or '"s"' in line for line in lines)


def test_results_have_one_column_per_checklist_item_and_show_whole_prompts() -> None:
    long = "a lighthouse in thick fog on a rocky coast at dawn with seagulls circling <script>x</script>"
    convs = [Conversation(AsyncNemo(backend="http://127.0.0.1:9")) for _ in range(2)]   # never reached
    comp = Comparison([long, "five yellow ducklings"], convs, export=False)
    comp.takes[0].brief = Brief.from_json({"kind": "new", "checklist": [
        {"what": "actor", "label": "lighthouse", "status": "substituted", "note": "drawn as tokyo tower"},
        {"what": "weather", "label": "fog", "status": "not_done", "note": "that weather is not painted"}]})
    comp.takes[1].brief = Brief.from_json({"kind": "new", "checklist": [
        {"what": "actor", "label": "ducklings", "status": "done"},
        {"what": "colour", "label": "ducklings", "status": "not_done", "note": "not drawn in that colour"}]})
    frame = comp.results()
    checks = [c for c in frame.columns if c.startswith("check: ")]
    assert checks == ["check: lighthouse", "check: fog", "check: ducklings", "check: ducklings (colour)"]
    assert list(frame["check: fog"]) == ["✗ that weather is not painted", ""]
    assert list(frame["check: lighthouse"]) == ["≈ drawn as tokyo tower", ""]
    assert frame["check: ducklings"].iloc[1] == "✓"
    html = frame._repr_html_()
    assert "seagulls circling &lt;script&gt;x&lt;/script&gt;" in html and "<script>" not in html   # whole, escaped
    assert "white-space: normal" in html
    assert list(frame[frame["prompt"] == long]["take"]) == ["Take A"]   # still a DataFrame


# -- Chinese in diffs and labels ---------------------------------------------------------------------

def test_chinese_change_lines_and_labels_have_no_english_words() -> None:
    lines = ["Added caption '再见' 0-3 s", "Removed caption '你好'", "Retimed video 'Forest: panda' 0-10 s → 0-5 s",
             "Changed volume of music 'Soft music' 30% → 50%", "Moved title 'Hi' 0-3 s → 1-4 s",
             "Changed actors of video 'Forest' duck → cat"]
    for line in lines:
        out = re.sub(r"「[^」]*」", "", zh_change(line))
        assert not re.search(r"\b(caption|video|music|title|Added|Removed|Retimed|Moved|Changed|actors)\b", out), out
    assert zh_change("Added caption '再见' 0-3 s") == "新增了 字幕「再见」0-3 秒"
    scene = next(_draft("T", 4, [("forest", ["panda"])]).segments())
    assert segment_label_zh(scene) == "森林：熊猫"


# -- preview first ----------------------------------------------------------------------------------

def test_a_full_render_plays_a_preview_first_on_the_engine(engine: Any, tmp_path: Path) -> None:
    conv = Conversation(AsyncNemo(backend=engine.url))
    updates: list[TurnUpdate] = []
    target = tmp_path / "out" / "waves.mp4"
    result = run_sync(conv.run("make a 3-second video of ocean waves", export=True, resolution="720p",
                               path=target, preview_first=True, on_update=updates.append))
    kinds = [u.kind for u in updates]
    assert "preview" in kinds and kinds.index("preview") < kinds.index("done")
    preview = next(u.video for u in updates if u.kind == "preview")
    assert preview is not None and preview.path == target.parent / "previews" / "waves.mp4"
    assert preview.path.exists() and result.preview is preview
    assert result.video is not None and Path(result.video.path) == target and target.exists()
    # the preview came before the full file was there: the full render's progress follows it
    after = kinds[kinds.index("preview"):]
    assert "progress" in after
    again = run_sync(conv.export(resolution="720p", path=target, preview_first=True))
    assert again.cached and conv.renderer.last_preview is None   # an identical export: no preview needed
    quick: list[TurnUpdate] = []
    run_sync(conv.export(quality="preview", path=tmp_path / "q.mp4", preview_first=True, on_update=quick.append))
    assert not any(u.kind == "preview" for u in quick)   # a preview asked for is not previewed


def test_a_charging_backend_is_sent_only_the_render_asked_for(cloud: FakeCloud, tmp_path: Path) -> None:
    conv = Conversation(AsyncNemo(cloud.url, **FAST))
    updates: list[TurnUpdate] = []
    run_sync(conv.run('a video titled "Paid"', export=True, path=tmp_path / "paid.mp4", preview_first=True,
                      on_update=updates.append))
    assert cloud.render_submits == 1 and not any(u.kind == "preview" for u in updates)


# -- edits by hand: versions, words, undo, every surface told ----------------------------------------

def test_an_edit_by_hand_is_a_version_said_in_words_and_undo_brings_it_back(engine: Any) -> None:
    conv = Conversation(AsyncNemo(backend=engine.url))
    seen: list[Draft | None] = []
    stop = conv.watch(seen.append)
    made = run_sync(conv.run('a 6-second video of a forest with the title "Spring" for the first 3 seconds'))
    assert made.draft is not None and seen[-1] == made.draft
    frame = made.draft.to_dataframe()
    row = frame.index[frame["text"] == "Spring"][0]
    frame.loc[row, "end"] = 5.0
    edited = Draft.from_dataframe(frame, base=made.draft)
    result = run_sync(conv.edit(edited))
    assert result.intent is Intent.EDIT and result.version == 2 and seen[-1] == edited
    assert result.changes == ["Retimed title 'Spring' 0-3 s → 0-5 s"]
    assert run_sync(conv.session.state()).draft == edited          # the engine's draft is the edited one
    assert run_sync(conv.run("make it 8 seconds")).draft is not None   # the next prompt edits the edited draft
    state = run_sync(conv.session.state()).draft
    assert state is not None and any(s.text == "Spring" and s.end - s.start == pytest.approx(5)
                                     for s in state.segments())
    run_sync(conv.run(Undo()))
    back = run_sync(conv.run(Undo()))
    assert back.draft == made.draft and run_sync(conv.session.state()).draft == made.draft
    assert seen[-1] == made.draft                                   # a widget watching redraws
    unchanged = run_sync(conv.edit(made.draft))
    assert not unchanged.changes and "nothing changed" in unchanged.text
    stop()
    run_sync(conv.edit(edited))
    assert seen[-1] == made.draft                                   # stopped watching


# -- uploads, resumes ---------------------------------------------------------------------------------

def test_several_files_upload_the_good_ones_and_name_the_refused(engine: Any, make_media: Any) -> None:
    conv = Conversation(AsyncNemo(backend=engine.url))
    photo = make_media.image("beach.png")
    notes = make_media.text("notes.docx", "not a format")
    result = run_sync(conv.run(f"upload {photo} {notes}"))
    assert [u.filename for u in result.uploads] == ["beach.png"]
    assert conv.last_upload_refused and "notes.docx" in conv.last_upload_refused[0]
    assert "Not uploaded (1): notes.docx (" in result.text and "not a format the backend accepts" in result.text
    from nemo_jupyter import UploadError

    with pytest.raises(UploadError, match=r"None of the files can be uploaded: notes.docx .*; a.docx"):
        run_sync(conv.upload([notes, make_media.text("a.docx", "x")]))


def test_a_finished_job_resumed_twice_is_one_file(engine: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NEMO_CONFIG_DIR", str(tmp_path / "config"))
    conv = Conversation(AsyncNemo(backend=engine.url))
    run_sync(conv.run("make a 2-second video of snow"))
    job = run_sync(conv.session.start_export(run_sync(conv.session.order_export(RenderOptions(quality="preview")))))
    first = run_sync(conv.resume(job.id, path=tmp_path / "out" / "snow.mp4"))
    again = run_sync(Conversation(AsyncNemo(backend=engine.url)).resume(job.id))   # as %nemo jobs --resume ID
    assert again.cached and Path(again.path) == Path(first.path)       # the same file, not a second copy
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["snow.mp4"]
    elsewhere = run_sync(Conversation(AsyncNemo(backend=engine.url)).resume(job.id, path=tmp_path / "out" / "b.mp4"))
    assert elsewhere.cached and os.path.samefile(elsewhere.path, first.path)   # a name asked for: a link, no bytes
    entries = json.loads((tmp_path / "config" / "renders.json").read_text())
    assert [e["job_id"] for e in entries.values()] == [job.id]
