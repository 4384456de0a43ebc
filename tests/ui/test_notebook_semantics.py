"""A conversation that behaves like a notebook, through a real IPython shell: replay instead of
resend, versions and undo, new conversations, typos, costs, file names, the readable table.

The cloud is the fake of ``tests/fakecloud.py`` (it counts ``/run_sse`` calls, render submits and
credits spent); undo and the table also run on the real engine. nbclient and kernel-restart
tests are in ``test_notebook_kernels.py``.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx
from fakecloud import FakeCloud
from IPython.core.interactiveshell import InteractiveShell
from IPython.utils.capture import capture_output

from nemo_jupyter.ui.magics import NemoMagics
from nemo_jupyter.ui.naming import output_path, slug

CELLS = [
    ("c1", "%%nemo\nmake a 10-second video of a forest with birds"),
    ("c2", '%%nemo\nadd the title "Deep Woods"'),
    ("c3", "%%nemo -x --quality preview\nmake it 8 seconds"),
]


def _use(magics: NemoMagics, url: str) -> None:
    magics.backend = ""
    magics.backend = url   # a fresh registry: no conversation of an earlier test is reused
    magics.refresh_hz = 50.0


def _run(shell: InteractiveShell, cells: list[tuple[str, str]]) -> list[Any]:
    out = []
    with capture_output(display=False):
        for cell_id, source in cells:
            result = shell.run_cell(source, store_history=True, cell_id=cell_id)
            assert result.success, (source, result.error_in_exec)
            out.append(result.result)
    return out


def _counts(cloud: FakeCloud) -> tuple[int, int, int]:
    return cloud.chat_turns, cloud.render_submits, cloud.credits_spent


def _fast(magics: NemoMagics) -> None:
    nemo = magics.conversations.nemo
    nemo.poll_interval, nemo.poll_max_interval = 0.02, 0.05


# -- replay, not resend ---------------------------------------------------------------------------
def test_run_all_twice_sends_and_spends_nothing_the_second_time(ip: Any, cloud: FakeCloud) -> None:
    shell, rec, magics = ip
    _use(magics, cloud.url)
    _fast(magics)
    first = _run(shell, CELLS)
    assert _counts(cloud) == (3, 1, 100 + 50 + 50)
    assert first[0].credits_spent == 100 and "Credits: 100 spent" in rec.texts()
    video = Path(first[2].video_path)
    assert video.is_file()

    rec.calls.clear()
    before = len(cloud.requests)
    again = _run(shell, CELLS)   # Run All again in the same kernel
    assert _counts(cloud) == (3, 1, 200), "the second run sent a prompt, rendered or spent credits"
    assert len(cloud.requests) == before, [r.path for r in cloud.requests[before:]]
    assert all(r.reused for r in again)
    assert [r.text for r in again] == [r.text for r in first]
    assert "(reused, no credits spent; --fresh asks again)" in rec.texts()
    assert Path(again[2].video_path) == video and len(list(video.parent.glob("*.mp4"))) == 1
    assert "<table" in rec.texts() and "<video" in rec.texts()   # reply, timeline and video, shown again

    # a restarted kernel (a new registry, same notebook): still nothing sent
    _use(magics, cloud.url)
    _fast(magics)
    _run(shell, CELLS)
    assert _counts(cloud) == (3, 1, 200)

    # --fresh asks again
    with capture_output(display=False):
        assert shell.run_cell("%%nemo --fresh\nmake a 10-second video of a forest with birds", cell_id="c1").success
    assert cloud.chat_turns == 4


def test_editing_a_middle_cell_resends_from_that_cell_on(ip: Any, cloud: FakeCloud) -> None:
    shell, _rec, magics = ip
    _use(magics, cloud.url)
    _fast(magics)
    cells = [("c1", "%%nemo\nmake a video of a forest"), ("c2", "%%nemo\nmake it rain"),
             ("c3", "%%nemo\nadd a caption"), ("c4", "%%nemo\nmake it 5 seconds")]
    _run(shell, cells)
    assert cloud.chat_turns == 4
    sent_before = len(cloud.calls("POST", "/run_sse"))
    edited = [cells[0], cells[1], ("c3", "%%nemo\nadd a caption that says hello"), cells[3]]
    results = _run(shell, edited)
    sent = [r.json["new_message"]["parts"][0]["text"] for r in cloud.calls("POST", "/run_sse")[sent_before:]]
    assert sent == ["add a caption that says hello", "make it 5 seconds"]
    assert [r.reused for r in results] == [True, True, False, False]
    # every cell ran in the same cloud session
    assert len({r.session_id for r in results}) == 1


# -- versions and undo ------------------------------------------------------------------------------
def _engine_draft(magics: NemoMagics) -> Any:
    conv = magics.conversations.get()
    nemo = conv.nemo
    http = httpx.Client(base_url=nemo.base_url, headers={"Authorization": f"Bearer {nemo._token}"},
                        trust_env=False)
    try:
        data = http.get(f"/api/state/nemo_agent/me/{conv.session_id}/latest").json()["data"]
        versions = http.get(f"/api/state/nemo_agent/me/{conv.session_id}/versions").json()["data"]
    finally:
        http.close()
    return data["state"]["draft"], versions


def test_undo_restores_the_previous_draft_exactly(ip: Any, engine: Any) -> None:
    shell, rec, magics = ip
    _use(magics, engine.url)
    first, second = _run(shell, [("a", "%%nemo\nmake a 6-second video of a forest"),
                                 ("b", '%%nemo\nadd the title "Deep Woods" for the first 2 seconds')])
    conv = magics.conversations.get()
    draft_one = json.dumps(first.draft.to_json(), sort_keys=True)
    assert json.dumps(second.draft.to_json(), sort_keys=True) != draft_one
    rec.calls.clear()
    (undone,) = _run(shell, [("c", "%nemo undo")])
    assert json.dumps(undone.draft.to_json(), sort_keys=True) == draft_one
    on_engine, versions = _engine_draft(magics)
    assert json.dumps(on_engine, sort_keys=True) == draft_one, "the engine stands on version 1 again"
    assert versions["current"] == 1
    assert "Back to version 1" in rec.texts() and "Nothing was sent" in rec.texts()

    rec.calls.clear()
    (rows,) = _run(shell, [("d", "%nemo versions")])
    assert [r["version"] for r in rows] == ["1", "2"] and rows[0][""] == "← current"
    assert rows[0]["change"].startswith("new video") and "Deep Woods" in rows[1]["change"]
    assert rows[1]["cell"].startswith("[")
    assert "<table" in rec.texts()

    # words work too, in both languages; an edit after an undo builds on the restored version
    _run(shell, [("e", "%%nemo\ngo back to version 2")])
    assert conv.versions.head == 2
    _run(shell, [("f", "%%nemo\n撤销")])
    assert conv.versions.head == 1
    (edit,) = _run(shell, [("g", "%%nemo\nmake it 4 seconds")])
    assert edit.draft.duration == 4 and conv.versions.current.parent == 1
    assert "Deep Woods" not in json.dumps(edit.draft.to_json())


def test_a_prompt_for_a_different_video_says_so_in_one_line(ip: Any, engine: Any) -> None:
    shell, _rec, magics = ip
    _use(magics, engine.url)
    _one, other = _run(shell, [("a", "%%nemo\ngenerate a 10-second video of a volcano with lava"),
                               ("b", "%%nemo\ngenerate a 10-second video of the ocean at sunset")])
    assert other.new_video
    assert other.changes == ["Started a new video; the previous one is version 1, %nemo undo brings it back."]
    (back,) = _run(shell, [("c", "%nemo undo")])
    assert back.draft.title == _one.draft.title


def test_new_name_then_a_prompt_gives_a_fresh_draft(ip: Any, cloud: FakeCloud) -> None:
    shell, rec, magics = ip
    _use(magics, cloud.url)
    (forest,) = _run(shell, [("a", "%%nemo\nmake a video of volcano mountains")])
    _run(shell, [("b", "%nemo new birthday")])
    assert magics.conversations.current == "birthday"
    rec.calls.clear()
    (card,) = _run(shell, [("c", "%%nemo\na birthday card for Mia")])
    assert card.conversation == "birthday" and card.session_id != forest.session_id
    assert "volcano" not in json.dumps(card.draft.to_json())
    assert card.draft_before is None, "a new session: nothing to edit"
    assert "birthday · " in rec.texts(), "with two conversations, each output says which one it is"
    new_sessions = cloud.calls("POST", "/api/tasks/me/with-session/nemo_agent")
    assert len(new_sessions) == 2


# -- subcommands ------------------------------------------------------------------------------------
def test_a_typo_never_reaches_the_backend(ip: Any, cloud: FakeCloud) -> None:
    shell, _rec, magics = ip
    _use(magics, cloud.url)
    for line, guess in (("%nemo exprot", "export"), ("%nemo sesions", "sessions"), ("%nemo jbos --resume x", "jobs"),
                        ("%nemo undoo", "undo"), ("%nemo versoins", "versions")):
        with capture_output(display=False):
            result = shell.run_cell(line)
        assert not result.success
        assert f"did you mean {guess}?" in str(result.error_in_exec), line
    with capture_output(display=False):
        result = shell.run_cell("%nemo qwerty")
    assert "unknown subcommand 'qwerty'" in str(result.error_in_exec)
    assert cloud.requests == [], "nothing was sent anywhere"


def test_subcommands_answer_once(ip: Any, cloud: FakeCloud) -> None:
    shell, _rec, magics = ip
    _use(magics, cloud.url)
    for line in ("%nemo sessions", "%nemo config", "%nemo backend", "%nemo jobs -o js"):
        with capture_output(display=False) as cap:
            result = shell.run_cell(line, store_history=True)
        assert result.success, result.error_in_exec
        # printed once; the value is in _ (and -o VAR) but not echoed again as Out[]
        formatted = shell.display_formatter.format(result.result)[0]
        assert formatted == {}, (line, formatted)
        assert cap.stdout.count("Backend:") <= 1
    assert shell.user_ns["js"] == []


# -- credits ---------------------------------------------------------------------------------------
def test_cost_is_said_before_and_a_budget_refuses(ip: Any, cloud: FakeCloud) -> None:
    shell, rec, magics = ip
    _use(magics, cloud.url)
    with capture_output(display=False):
        refused = shell.run_cell("%%nemo --max-credits 60\nmake a video of a forest", cell_id="x")
    assert not refused.success and "typically costs about 100 credits" in str(refused.error_in_exec)
    assert cloud.chat_turns == 0
    magics.max_credits = 120
    (made,) = _run(shell, [("x", "%%nemo\nmake a video of a forest")])
    assert "25000 credits available; a new video typically costs about 100" in rec.texts()
    assert made.credits_spent == 100 and made.credits_left == 24900


def test_interrupting_a_render_keeps_it_running_with_the_command_that_resumes(cloud: FakeCloud) -> None:
    from nemo_jupyter.ui.notebook_words import interrupted_text

    text = interrupted_text(rendering=True, job_id="render_1_ab")
    assert "still running" in text and "%nemo jobs --resume render_1_ab" in text
    assert "Nothing was re-sent" not in text and "cancelled" not in text
    assert "不会重发" in interrupted_text(rendering=False, job_id=None, zh=True)


# -- files and the table ---------------------------------------------------------------------------
def test_slugs_are_safe_readable_and_keep_cjk(tmp_path: Path) -> None:
    assert slug("Spring Walk") == "spring-walk"
    assert slug("春天的森林") == "春天的森林"
    assert slug("生成一个关于火山的视频", prompt=True) == "火山"
    assert slug("make a 30-second video of a forest with birds", prompt=True) == "forest-birds"
    assert slug("../../etc/passwd") == "etc-passwd"
    assert slug("CON") == "con-video" and slug("") == "nemo-video" and slug("🎂!!") == "nemo-video"
    assert len(slug("森" * 200).encode()) <= 80
    (tmp_path / "x.mp4").write_bytes(b"1")
    assert output_path("x", tmp_path).name == "x-2.mp4" and output_path("y", tmp_path).name == "y.mp4"


def test_a_chinese_conversation_gets_chinese_labels_and_a_cjk_file_name(ip: Any, cloud: FakeCloud) -> None:
    shell, rec, magics = ip
    _use(magics, cloud.url)
    _fast(magics)
    (made,) = _run(shell, [("z", "%%nemo -x\n春天的森林和小鸟")])
    assert made.zh
    html = rec.texts()
    for header in ("轨道", "内容", "开始", "结束", "文字", "音量"):
        assert header in html
    assert "时间线（1 条轨道）" in html and "积分：本次花费 100" in html
    assert Path(made.video_path).name == "春天的森林和小鸟.mp4"


def test_the_table_appears_before_the_render_ends_and_hides_internals(ip: Any, engine: Any) -> None:
    shell, rec, magics = ip
    _use(magics, engine.url)
    (made,) = _run(shell, [("t", '%%nemo -x --quality preview\nmake a 4-second video of the ocean, title "Waves"')])
    calls = rec.calls
    table_at = next(i for i, c in enumerate(calls) if "nemo-timeline" in c["data"].get("text/html", ""))
    progress_at = [i for i, c in enumerate(calls) if "nemo-progress" in c["data"].get("text/html", "")]
    assert progress_at and table_at < progress_at[-1], "the table is shown while the render still runs"
    table = calls[table_at]["data"]["text/html"]
    assert "Waves" in table and "segment_id" not in table and "/media/" not in table and "extra" not in table
    # the reply does not invite an export under the video it already made
    final = [c for c in calls if c["update"]][-1]["data"]["text/markdown"]
    assert "export" not in final.lower()
    assert Path(made.video_path).name == "waves.mp4"
    df = made.draft.to_dataframe()
    assert "segment_id" in df.columns and "extra" in df.columns   # the DataFrame keeps everything


def test_uploads_and_exports_are_steps_too(ip: Any, cloud: FakeCloud, make_media: Any) -> None:
    """Run All with an upload cell and an export cell: the second run uploads and renders nothing."""
    shell, rec, magics = ip
    _use(magics, cloud.url)
    _fast(magics)
    photo = make_media.image("beach.png", 64, 48, "blue")
    cells = [("u", f"%nemo upload {photo}"), ("p", '%%nemo\nmake a video with my photo, title "Beach"'),
             ("e", "%nemo export --quality preview")]
    first = _run(shell, cells)
    uploads = len(cloud.calls("POST", "/api/upload-video/.*"))
    assert uploads == 1 and cloud.render_submits == 1
    assert "credits available; an export is free" in rec.texts()
    assert first[2].credits_spent == 0
    _use(magics, cloud.url)   # a restarted kernel
    _fast(magics)
    rec.calls.clear()
    again = _run(shell, cells)
    assert len(cloud.calls("POST", "/api/upload-video/.*")) == uploads and cloud.render_submits == 1
    assert cloud.chat_turns == 1
    assert "not sent again" in rec.texts() and again[2].reused
    assert again[1].session_id == first[1].session_id, "the upload and the prompt share one session"
