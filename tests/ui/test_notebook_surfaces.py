"""What a notebook user sees (issue 24), through a real IPython shell and the widgets' comm entry point,
on the real engine (and the fake cloud where a backend must misbehave or charge):

- ``%%nemo -x`` plays a preview within seconds, then the final file in the same player;
- the brief as a checklist under a cell, in the chat transcript and in the compare grid (escaped);
- ``%%nemo -s NAME`` keeps NAME; "nothing here" names where the drafts are; ``%nemo use`` asks first;
- the editable timeline: edits through the DataFrame, versions, undo from another cell;
- the small honesty fixes: uploads, hints, stale lines, "Interrupted", free credits, jobs by notebook,
  Chinese labels, a title bar that says its text, the CLI's short idle.
The browser half is ``tests/e2e/test_browser_notebook.py``.
"""

from __future__ import annotations

import os
import re
import time
from pathlib import Path
from typing import Any

import pytest
from IPython.utils.capture import capture_output

from nemo_jupyter.client.draft import Draft
from nemo_jupyter.client.loop import run_sync
from nemo_jupyter.ui import cell_output
from nemo_jupyter.ui import magics as magics_module
from nemo_jupyter.ui.widgets import ChatWidget, CompareWidget, TimelineWidget, VideoWidget
from nemo_jupyter.ui.widgets.timeline import apply_edits


def _use(magics: Any, url: str) -> None:
    magics.backend = url
    magics.refresh_hz = 50.0


def _run(shell: Any, cell: str) -> tuple[Any, str]:
    with capture_output(display=False) as cap:
        result = shell.run_cell(cell)
    return result, cap.stdout


def _htmls(rec: Any) -> list[str]:
    return [str(c["data"].get("text/html", "")) for c in rec.calls if not c["update"]]


def _front(widget: Any, content: dict[str, Any], buffers: list[bytes] | None = None) -> None:
    widget._handle_msg({"content": {"data": {"method": "custom", "content": content}}, "buffers": buffers or []})


# -- preview first -----------------------------------------------------------------------------------

def test_cell_export_plays_a_preview_then_the_final_file_in_the_same_player(
        ip: Any, engine: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    shell, rec, magics = ip
    _use(magics, engine.url)
    players: list[tuple[VideoWidget, bool]] = []
    shown = cell_output.show_player

    def spy(video: Any, *, zh: bool = False) -> Any:
        player = shown(video, zh=zh)
        assert player.stage == "preview" and player.path == "nemo_outputs/previews/harbour.mp4"
        assert "replaces it in this player" in player.note
        players.append((player, Path("nemo_outputs/harbour.mp4").exists()))   # the final file: not yet
        return player

    monkeypatch.setattr(magics_module, "show_player", spy)
    result, _ = _run(shell, '%%nemo -x --resolution 720p\na 5-second video of a harbour titled "Harbour"')
    assert result.success, result.error_in_exec
    assert len(players) == 1
    player, final_existed = players[0]
    assert not final_existed, "the preview must play before the full-quality file exists"
    assert player.stage == "final" and player.path == "nemo_outputs/harbour.mp4" and not player.note
    assert Path("nemo_outputs/previews/harbour.mp4").exists() and Path("nemo_outputs/harbour.mp4").exists()
    # one player: no second <video> output (the player's static copy, for a saved notebook, aside)
    assert not any("<video" in h for h in _htmls(rec) if "nemo-static" not in h)
    reply = shell.user_ns["_"]
    assert reply.video_path == "nemo_outputs/harbour.mp4" and reply.preview is not None
    assert "<video" in player.static_html() and 'src="nemo_outputs/harbour.mp4"' in player.static_html()
    rec.calls.clear()
    again, _ = _run(shell, "%nemo export --quality preview --resolution 720p")
    assert again.success and len(players) == 1              # a preview asked for is not previewed


def test_a_render_that_does_not_finish_leaves_the_preview_saying_so(ip: Any, engine: Any,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    shell, _rec, magics = ip
    _use(magics, engine.url)
    players: list[VideoWidget] = []
    shown = cell_output.show_player

    def spy(video: Any, *, zh: bool = False) -> Any:
        players.append(shown(video, zh=zh))
        return players[-1]

    monkeypatch.setattr(magics_module, "show_player", spy)
    failed, _ = _run(shell, '%%nemo -x --timeout 4 --resolution 1080p\na 20-second video of a meadow titled "Meadow"')
    conv = magics.conversations.get()
    job = conv.last_job
    if job is not None:
        run_sync(job.cancel())   # (the render would go on on the engine: stop it, the machine is shared)
    assert not failed.success and "did not finish within 4 s" in str(failed.error_in_exec)
    assert len(players) == 1 and players[0].stage == "preview"
    assert players[0].note.startswith("Preview only: the full-quality render did not finish here")


# -- the brief as a checklist ------------------------------------------------------------------------

def test_a_cell_shows_the_checklist_with_what_could_not_be_done(ip: Any, engine: Any) -> None:
    shell, rec, magics = ip
    _use(magics, engine.url)
    result, _ = _run(shell, "%%nemo -s logo\nput my logo in the corner of a forest video")
    assert result.success, result.error_in_exec
    checklist = next(h for h in _htmls(rec) if "nemo-checklist" in h)
    assert 'data-all-done="false" open' in checklist
    assert re.search(r'data-status="not_done".*✗</span>logo.*upload it first', checklist)
    plain = next(str(c["data"]["text/plain"]) for c in rec.calls if "nemo-checklist" in str(c["data"]))
    assert "✗ logo — no such upload: upload it first" in plain and "?" not in plain.split("logo")[0][-3:]
    rec.calls.clear()
    result, _ = _run(shell, "%%nemo -s panda\nmake a 6-second video of a panda in a forest")
    checklist = next(h for h in _htmls(rec) if "nemo-checklist" in h)
    assert 'data-all-done="true"' in checklist and " open" not in checklist      # collapsed to one line
    assert "✓ Everything asked for is done" in checklist


def test_backend_text_in_a_checklist_is_escaped_everywhere(ip: Any, cloud: Any, monkeypatch: pytest.MonkeyPatch,
                                                          tmp_path: Path) -> None:
    shell, rec, magics = ip
    _use(magics, cloud.url)
    evil = "<img src=x onerror=alert(1)>"
    cloud.brief = {"kind": "new", "language": "en", "checklist": [
        {"id": "x", "what": "actor", "label": evil, "status": "not_done", "note": f"because {evil}"}]}
    result, _ = _run(shell, '%%nemo\na video titled "Evil"')
    assert result.success, result.error_in_exec
    html = next(h for h in _htmls(rec) if "nemo-checklist" in h)
    assert "<img" not in html and "&lt;img src=x onerror=alert(1)&gt;" in html
    chat = ChatWidget(magics.conversations.get())
    chat.send('another "Evil"').result(60)
    message = chat.messages[-1]
    assert message["checklist"]["items"][0]["label"] == evil     # text: the front end uses textContent
    assert "<img" not in chat.static_html() and "&lt;img" in chat.static_html()


def test_the_compare_grid_shows_checklist_columns_and_differences_in_words(engine_env: Any, tmp_path: Path,
                                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    cmp = CompareWidget(["a lighthouse and a hologram", 'a red boat on a lake titled "Home"'], export=False)
    cmp.wait(120)
    cmp._throttle.flush()
    keys = [r["key"] for r in cmp.check_rows]
    assert "actor|lighthouse" in keys and "actor|hologram" in keys and "actor|red boat" in keys
    first = cmp.columns[cmp.order.index(0)]
    marks = {i["label"]: i["mark"] for i in first["checklist"]["items"]}
    assert marks["lighthouse"] == "≈" and marks["hologram"] == "✗"
    differs = [d["text"] for c in cmp.columns for d in c["differs"]]
    assert differs and not any(re.search(r"[{}\[\]\"]|Retimed|Changed", t) for t in differs), differs
    frame = cmp.results
    assert "check: hologram" in frame.columns and frame["check: hologram"].iloc[0].startswith("✗")
    body = cmp.static_body()
    assert "✗ hologram — I have no drawing of it" in body and "min-width:14em" in body   # readable table


# -- conversations that stay chosen ------------------------------------------------------------------

def test_a_named_conversation_stays_chosen_and_nothing_here_says_where_drafts_are(ip: Any, engine: Any) -> None:
    shell, _rec, magics = ip
    _use(magics, engine.url)
    convs = magics.conversations
    result, out = _run(shell, "%%nemo -s water\nmake a 4-second video of a river")
    assert result.success and convs.current == "water"
    assert out.count("Conversation 'water' is now current") == 1 and "%nemo use default goes back" in out
    result, out = _run(shell, "%%nemo -s water\nmake it 3 seconds")
    assert "is now current" not in out                          # said once, when it changed
    result, _ = _run(shell, "%%nemo\nadd a caption \"Flow\"")
    assert convs.get("water").versions.current.number == 3       # the plain cell edited 'water'
    assert convs.get("default").versions.current is None
    _, out = _run(shell, "%nemo timeline -s default")
    assert "No timeline yet in conversation 'default': Conversation 'water' has one: %nemo use water" in out
    _, out = _run(shell, "%nemo versions -s default")
    assert "Conversation 'water' has one" in out
    failed, _ = _run(shell, "%nemo export -s default")
    assert not failed.success
    text = str(failed.error_in_exec)
    assert "(conversation 'default')" in text and "%nemo use water switches to it" in text
    failed, _ = _run(shell, "%nemo undo -s default")
    assert not failed.success and "%nemo use water switches to it" in str(failed.error_in_exec)
    failed, _ = _run(shell, "%nemo use nosuch")
    assert not failed.success and convs.current == "water" and "nosuch" not in convs
    assert "There is no conversation 'nosuch'" in str(failed.error_in_exec)
    assert "%nemo new nosuch" in str(failed.error_in_exec)


# -- the editable timeline ---------------------------------------------------------------------------

def test_edits_go_through_the_dataframe_and_round_trip() -> None:
    draft = Draft({"t": [{"tt": 0, "n": "Video", "sg": [{"id": "v", "n": "Forest", "st": 0, "d": 6000, "k": "scene",
                                                         "scene": "forest", "cam": "zoom_in"}]},
                         {"tt": 7, "n": "Captions", "sg": [
                             {"id": "c1", "n": "Hello", "st": 0, "d": 2000, "k": "caption", "txt": "Hello", "sz": 54},
                             {"id": "c2", "n": "Bye", "st": 4000, "d": 2000, "k": "caption", "txt": "Bye"}]}],
                   "d": 6000, "m": {"title": "T"}})
    edited = apply_edits(draft, [{"op": "time", "row": 1, "start": 1.0, "end": 3.5},
                                 {"op": "text", "row": 1, "text": "Hi there"}, {"op": "delete", "row": 2}])
    seg = [s for s in edited.segments() if s.track_type == "text"]
    assert [(s.text, s.start, s.end, s.name) for s in seg] == [("Hi there", 1.0, 3.5, "Hi there")]
    assert seg[0].raw["sz"] == 54 and next(edited.segments()).raw["cam"] == "zoom_in"   # unknown keys kept
    assert Draft.from_dataframe(edited.to_dataframe(), base=edited) == edited               # round trip
    assert draft.diff(edited) == ["Removed caption 'Bye'", "Retimed caption 'Hello' 0-2 s → 1-3.5 s",
                                  "Changed caption text 'Hello' → 'Hi there'", "Renamed caption 'Hello' → 'Hi there'"]
    for bad in ([{"op": "time", "row": 9, "start": 0, "end": 1}], [{"op": "time", "row": 0, "start": 3, "end": 2}],
                [{"op": "text", "row": 1, "text": "  "}], [{"op": "swap", "row": 0}]):
        with pytest.raises(ValueError):
            apply_edits(draft, bad)


def test_a_timeline_edit_is_a_version_and_undo_in_another_cell_redraws_it(ip: Any, engine: Any) -> None:
    shell, _rec, magics = ip
    _use(magics, engine.url)
    result, _ = _run(shell, '%%nemo -s edit\na 6-second video of a forest with a caption "Hello"')
    assert result.success, result.error_in_exec
    widget = _run(shell, "%nemo timeline --edit")[0].result
    assert isinstance(widget, TimelineWidget) and widget.editable and "Drag a bar" in widget.how
    caption = next(s for t in widget.timeline["tracks"] for s in t["segments"] if s["kind"] == "caption")
    assert caption["label"] == "Hello"
    before = widget.draft
    done = widget.edit([{"op": "time", "row": caption["row"], "start": 2.0, "end": 5.0}])
    assert done is not None and done.version == 2 and widget.change == "Moved caption 'Hello' 0-3 s → 2-5 s"
    conv = magics.conversations.get("edit")
    assert run_sync(conv.session.state()).draft == widget.draft != before     # the engine's draft
    moved = next(s for t in widget.timeline["tracks"] for s in t["segments"] if s["kind"] == "caption")
    assert (moved["start"], moved["end"]) == (2000, 5000)
    result, _ = _run(shell, "%nemo undo")
    assert result.success and widget.draft == before                    # the widget followed the undo
    _front(widget, {"type": "edit", "ops": [{"op": "time", "row": 999, "start": 0, "end": 1}]})
    deadline = time.monotonic() + 20
    while not widget.error and time.monotonic() < deadline:
        time.sleep(0.05)
    assert "does not fit this timeline" in widget.error and widget.draft == before   # nothing lost
    read_only = TimelineWidget(before)
    assert not read_only.editable and read_only.edit([{"op": "delete", "row": 0}]) is None


def test_a_title_bar_says_its_text_and_chinese_labels_are_chinese(engine_env: Any) -> None:
    from nemo_jupyter import Nemo
    from nemo_jupyter.ui import timeline_table

    nemo = Nemo()
    try:
        draft = nemo.session().ask('a forest video titled "Spring Walk"').draft
        widget = TimelineWidget(draft)
        bars = [s["label"] for t in widget.timeline["tracks"] for s in t["segments"] if s["kind"] == "title"]
        assert bars == ["Spring Walk"]
        zh = nemo.session().ask("做一个十秒的熊猫在森林里的视频，加字幕「你好」").draft
    finally:
        nemo.close()
    rows = timeline_table.table_rows(zh, zh=True)
    assert [r["what"] for r in rows][:2] == ["森林：熊猫", "轻柔音乐"]
    assert not any(re.search(r"[A-Za-z]{3,}", r["what"] + r["track"]) for r in rows), rows
    assert "Forest" not in timeline_table.summary(zh, zh=True)


# -- small honesty fixes -----------------------------------------------------------------------------

def test_chat_over_the_magics_conversation_names_its_own_controls(ip: Any, engine: Any) -> None:
    shell, _rec, magics = ip
    _use(magics, engine.url)
    chat = _run(shell, "%nemo chat -s mixed")[0].result
    assert isinstance(chat, ChatWidget)
    chat.send("make a 3-second video of rain").result(60)
    said = chat.messages[-1]["text"]
    assert "Export video button" in said and "%nemo" not in said
    assert chat.credits == "free: nothing is charged"                   # not "100000 credits"
    assert _run(shell, "%%nemo -s mixed\nmake it 2 seconds")[0].success
    assert "%nemo export" in shell.user_ns["_"].text                     # the cell says its own


def test_uploads_send_the_good_files_and_name_the_refused(ip: Any, engine: Any, make_media: Any,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    shell, rec, magics = ip
    _use(magics, engine.url)
    photo, notes = make_media.image("sea.png"), make_media.text("plan.docx", "no")
    result, _ = _run(shell, f"%nemo upload -s up {photo} {notes}")
    assert result.success, result.error_in_exec
    text = rec.texts()
    assert "Uploaded 1 file(s)" in text and "- sea.png (image)" in text and "Not uploaded (1)" in text
    assert "plan.docx (" in text and "not a format the backend accepts" in text
    # none can go: the cell fails, and the live line says so (no "thinking…" left above the error)
    rec.calls.clear()
    failed, _ = _run(shell, f"%nemo upload -s up {notes}")
    assert not failed.success
    last = [c for c in rec.calls if "text/plain" in c["data"]][-1]
    assert "thinking" not in str(last["data"]["text/plain"]) and "failed" in str(last["data"]["text/plain"])
    # the chat: one file refused by the front end's receiver, the other uploaded, both said
    chat = ChatWidget(magics.conversations.get("up"))
    data = photo.read_bytes()
    monkeypatch.setattr("ipywidgets.Widget.send", lambda *a, **k: None)
    _front(chat, {"type": "upload_chunk", "id": "f1", "name": "sea.png", "size": len(data), "offset": 0,
                  "last": True}, [data])
    _front(chat, {"type": "upload_done", "ids": ["f1"], "refused": ["plan.docx: this file type is not accepted."]})
    chat.wait(60)
    notes_said = [m["text"] for m in chat.messages if m["role"] == "note"]
    assert not chat.error, chat.error
    assert any(re.match(r"Uploaded sea(-2)?\.png\. Say what", n) for n in notes_said), notes_said
    assert any("Not uploaded (1): plan.docx: this file type is not accepted." in n for n in notes_said)
    _front(chat, {"type": "upload_done", "ids": [], "refused": ["x.exe: this file type is not accepted."]})
    assert "Nothing was uploaded: x.exe" in chat.error


def test_an_interrupted_cell_says_interrupted_once() -> None:
    err = magics_module._Interrupted("Interrupted: stopped waiting for the reply.")
    lines = err._render_traceback_()
    assert len(lines) == 1 and lines[0].count("Interrupted") == 1 and "_Interrupted" not in lines[0]


def test_jobs_are_listed_with_the_notebook_they_came_from() -> None:
    from nemo_jupyter.ui.notebook_words import jobs_text

    class Job:
        def __init__(self, job_id: str, notebook: str | None) -> None:
            self.id, self.status, self.progress = job_id, "processing", 40.0
            self.meta = {"label": f"video {job_id}", **({"notebook": notebook} if notebook else {})}

    text = jobs_text([Job("r1", "/home/a/lesson.ipynb"), Job("r2", "/home/a/other.ipynb"), Job("r3", None)],
                     notebook="/home/a/lesson.ipynb")
    here, _, there = text.partition("From other notebooks:")
    assert here.startswith("From this notebook (lesson.ipynb):") and "r1" in here and "r2" not in here
    assert "r2: video r2 [from other.ipynb]" in there and "r3: video r3 [notebook unknown]" in there


def test_the_cli_starts_an_engine_that_stops_soon(monkeypatch: pytest.MonkeyPatch, capsys: Any) -> None:
    from nemo_jupyter.ui import cli

    monkeypatch.delenv("NEMO_ENGINE_IDLE", raising=False)
    assert cli.main(["  "]) == 2                 # (an empty prompt: nothing started)
    assert os.environ.pop("NEMO_ENGINE_IDLE") == str(cli.CLI_ENGINE_IDLE_S) == "60"

    class Info:
        pid, holders, linger = 4242, [os.getpid()], 60.0

    class Client:
        def engine_info(self) -> Info:
            return Info()

    assert cli.engine_notice(Client()) == ("The local engine (pid 4242) keeps running for 60 s once idle, then stops "
                                            "on its own (NEMO_ENGINE_IDLE=SECONDS changes that); "
                                            "`python -m nemo_jupyter.engine --stop` stops it now.")
