"""``%%nemo`` / ``%nemo`` driven through a real IPython shell, on the real engine."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from _helpers import mp4_duration
from IPython.core.displaypub import DisplayPublisher
from IPython.utils.capture import capture_output

from nemo_jupyter import NemoError
from nemo_jupyter.draft_format import SCENES
from nemo_jupyter.ui.magics import SUBCOMMANDS, NemoMagics, NemoReply, interpolate


def _use(magics: NemoMagics, url: str) -> None:
    magics.backend = url
    magics.refresh_hz = 50.0


# -- no backend needed ---------------------------------------------------------------------------

def test_interpolate_leaves_other_braces_alone() -> None:
    class Obj:
        topic = "rain"

    ns = {"n": 15, "o": Obj(), "xs": ["forest", "sea"], "d": {"k": "snow"}}
    assert interpolate("a {n}-second video", ns) == "a 15-second video"
    assert interpolate("{o.topic} and {xs[1]} and {d['k']}", ns) == "rain and sea and snow"
    assert interpolate('json {"a": 1} stays', ns) == 'json {"a": 1} stays'
    assert interpolate("{undefined} and {n+1} and { n }", ns) == "{undefined} and {n+1} and { n }"
    assert interpolate("{{n}} is literal, {n} is not", ns) == "{n} is literal, 15 is not"
    assert interpolate("{xs[5]} {o.missing}", ns) == "{xs[5]} {o.missing}"


def test_help_lists_every_subcommand(ip: Any) -> None:
    shell, _, _ = ip
    with capture_output(display=False) as cap:
        shell.run_line_magic("nemo", "help")
    lines = cap.stdout.splitlines()
    for name in SUBCOMMANDS:
        assert any(re.match(rf"\s+{name}\s+\S", line) for line in lines), name
    assert len([ln for ln in lines if ln.startswith("  ")]) == len(SUBCOMMANDS)


@pytest.mark.parametrize("name", list(SUBCOMMANDS))
def test_each_subcommand_has_help(ip: Any, name: str) -> None:
    shell, _, _ = ip
    with capture_output(display=False) as cap:
        result = shell.run_cell(f"%nemo {name} --help")
    assert result.success, result.error_in_exec
    assert f"usage: %nemo {name}" in cap.stdout
    assert "--help" in cap.stdout


def _run(shell: Any, cell: str) -> tuple[Any, str]:
    """Runs ``cell`` with its output captured: (the ExecutionResult, what it printed)."""
    with capture_output(display=False) as cap:
        result = shell.run_cell(cell)
    return result, cap.stdout


def _refused(shell: Any, cell: str) -> str:
    """Runs ``cell`` quietly, checks that it failed, and returns the error's text."""
    result, _ = _run(shell, cell)
    assert not result.success
    return str(result.error_in_exec)


def test_cell_help_and_bad_option(ip: Any) -> None:
    shell, _, _ = ip
    with capture_output(display=False) as cap:
        assert shell.run_cell("%%nemo --help\nignored").success
    assert "usage: %%nemo" in cap.stdout and "--export" in cap.stdout
    assert "unrecognized arguments: --bogus" in _refused(shell, "%%nemo --bogus\nmake a video")


def test_config_and_backend_subcommands(ip: Any) -> None:
    shell, _, magics = ip
    shell.run_line_magic("config", "NemoMagics.embed = True")
    assert magics.embed is True
    shell.run_line_magic("config", "NemoMagics.embed = False")
    with capture_output(display=False) as cap:
        shell.run_line_magic("nemo", "config")
    assert "NemoMagics.refresh_hz" in cap.stdout and "NemoMagics.output_dir = 'nemo_outputs'" in cap.stdout
    assert "Unknown backend" in _refused(shell, "%nemo backend ftp://nowhere")


def test_unreachable_backend_fails_the_cell_with_a_readable_error(ip: Any) -> None:
    shell, _, magics = ip
    _use(magics, "http://127.0.0.1:9")
    shell.user_ns["n"] = 5
    result, out = _run(shell, "%%nemo --no-interpolate\nmake a {n}-second video of rain")
    assert isinstance(result.error_in_exec, NemoError)
    assert "Could not reach the backend" in str(result.error_in_exec)
    assert "What to do:" in out and "Traceback" not in out
    assert magics.conversations.get().last_prompt == "make a {n}-second video of rain"


def test_still_working_sign_and_progress_text() -> None:
    from nemo_jupyter.ui.display import format_elapsed, live_markdown, live_plain, progress_text

    assert format_elapsed(80) == "1m20s" and format_elapsed(7) == "7s"
    md = live_markdown("Planning", tool="planning scenes…", elapsed=80, heartbeat=True, backend="cloud")
    assert "still working (1m20s)" in md and "planning scenes…" in md and "cloud" in md
    assert "still working" not in live_markdown("Hi", elapsed=1)
    assert live_plain("", tool=None, elapsed=0) == "thinking…"
    assert progress_text(50, width=10) == "rendering [#####.....]  50%"


# -- on the real engine --------------------------------------------------------------------------

def test_cell_streams_shows_timeline_and_video(ip: Any, engine: Any, tmp_path: Path) -> None:
    shell, rec, magics = ip
    _use(magics, engine.url)
    shell.user_ns["secs"] = 3
    with capture_output(display=False):
        result = shell.run_cell(
            "%%nemo -x -o rep --quality preview --resolution 720p\n"
            "make a {secs}-second video of a forest with birds and soft music {undefined}")
    assert result.success, result.error_in_exec
    conv = magics.conversations.get()
    assert conv.last_prompt == "make a 3-second video of a forest with birds and soft music {undefined}"

    # streamed: one display handle, updated several times
    first = rec.calls[0]
    display_id = first["transient"]["display_id"]
    updates = [c for c in rec.calls if c["update"] and c["transient"].get("display_id") == display_id]
    assert len(updates) >= 2
    final = updates[-1]["data"]
    assert "text/markdown" in final and "local engine" in final["text/markdown"]
    reply = shell.user_ns["rep"]
    assert isinstance(reply, NemoReply) and reply.text
    assert reply.text.split()[0] in final["text/markdown"]

    # the timeline table and its summary
    tables = [c["data"] for c in rec.calls if "<table" in c["data"].get("text/html", "")]
    assert tables and "Timeline" in tables[0]["text/plain"]
    table_html = tables[0]["text/html"]
    assert ">3 s<" in table_html and "3.000000" not in table_html   # seconds, as people read them
    for internal in ("segment_id", "extra", "http://", "/media/", "{&#x27;", "track_type"):
        assert internal not in table_html, internal   # still in the DataFrame, not in the table
    assert ">nan<" not in table_html and ">None<" not in table_html
    # the summary is shown once, beside the table: the reply's change line stays short
    assert reply.changes and all("Timeline (" not in c for c in reply.changes)

    # the video: a file beside the notebook, shown by relative URL, valid H.264 of the right length
    videos = [c["data"] for c in rec.calls if "<video" in c["data"].get("text/html", "")]
    assert len(videos) == 1
    m = re.search(r'<video src="(nemo_outputs/[^"]+\.mp4)"', videos[0]["text/html"])
    assert m, videos[0]["text/html"][:300]
    mp4 = tmp_path / m.group(1)
    assert mp4.exists() and mp4_duration(mp4) == pytest.approx(3, abs=0.1)
    assert "base64" not in videos[0]["text/html"]

    # the cell's value is the reply (so _ works), and it was not printed a second time
    assert shell.user_ns["_"] is reply
    assert not any("TurnResult(" in str(c["data"].get("text/plain", "")) for c in rec.calls)

    # no token anywhere in what was displayed
    token = magics.conversations.nemo._token
    assert token and token not in rec.texts()

    # subcommands on the same conversation
    rec.calls.clear()
    with capture_output(display=False):
        assert shell.run_cell("%nemo status").success
    assert any("<table" in c["data"].get("text/html", "") for c in rec.calls)
    rec.calls.clear()
    with capture_output(display=False):
        assert shell.run_cell("%nemo credits").success
    assert "charges nothing" in rec.texts() and "100000" not in rec.texts()   # the free engine, in words
    with capture_output(display=False) as cap:
        assert shell.run_cell("%nemo sessions").success
    assert "* default: 1 turn(s)" in cap.stdout


def test_a_prompt_the_engine_cannot_use_fails_the_cell(ip: Any, engine: Any) -> None:
    shell, _, magics = ip
    _use(magics, engine.url)
    result, out = _run(shell, "%%nemo -x -s nothing\nxyzzy plugh")
    assert isinstance(result.error_in_exec, NemoError)
    assert "nothing to export" in str(result.error_in_exec)
    assert "What to do:" in out


def test_help_scenes_asks_the_backend_what_it_can_draw(ip: Any, engine: Any) -> None:
    shell, rec, magics = ip
    _use(magics, engine.url)
    result, out = _run(shell, "%nemo help scenes")
    assert result.success, result.error_in_exec
    shown = rec.texts() + out
    assert f"{len(SCENES)} backgrounds" in shown and "water cycle" in shown


def test_terminal_shell_streams_plain_text(ip: Any, engine: Any) -> None:
    shell, rec, magics = ip
    _use(magics, engine.url)
    shell.display_pub = DisplayPublisher(shell=shell)  # what a terminal IPython has: no handles to redraw
    try:
        with capture_output(display=False) as cap:
            result = shell.run_cell("%%nemo -s term\nmake a 3-second video of snow")
    finally:
        shell.display_pub = rec
    assert result.success, result.error_in_exec
    out = cap.stdout
    reply = shell.user_ns["_"]
    assert reply.text and reply.text in out            # the reply, streamed as plain text
    assert "· " in out                                 # tool activity as progress lines
    assert "Timeline (" in out                         # the summary, as text/plain
    assert "<" not in out and "text/markdown" not in out


def test_conversations_upload_and_jobs_subcommands(ip: Any, engine: Any, make_media: Any) -> None:
    shell, rec, magics = ip
    _use(magics, engine.url)
    photo = make_media.image("beach.png", 64, 48, "blue")
    with capture_output(display=False) as cap:
        assert not shell.run_cell("%nemo use class-a").success   # no such conversation: nothing made unasked
        assert magics.conversations.current == "default" and "class-a" not in magics.conversations
        assert shell.run_cell("%nemo new class-a").success
        assert shell.run_cell("%nemo use class-a").success
        assert shell.run_cell(f"%nemo upload {photo}").success
        assert shell.run_cell("%nemo sessions").success
        assert shell.run_cell("%nemo jobs").success
        assert shell.run_cell("%nemo new").success
        assert shell.run_cell("%nemo use default").success
    assert "Current conversation: 'class-a'" in cap.stdout
    assert "* class-a: 0 turn(s), session " in cap.stdout and "(not started)" not in cap.stdout.split("* class-a")[1]
    assert "Uploaded 1 file(s)" in rec.texts() and "beach.png (image)" in rec.texts()
    assert "No unfinished renders." in cap.stdout
    assert "is current and empty: the next %%nemo cell starts a new video" in cap.stdout
    assert magics.conversations.current == "default"
    assert magics.conversations.get("class-a").session_id is None  # %nemo new dropped the session
    assert "name at least one file" in _refused(shell, "%nemo upload")


def test_backend_text_is_never_live_html() -> None:
    from nemo_jupyter.conversation import Intent, TurnResult
    from nemo_jupyter.ui.display import result_markdown

    evil = '<img src=x onerror=alert(1)> **bold** [link](javascript:alert(1)) $x$\n# heading\n1. item'
    md = result_markdown(TurnResult(intent=Intent.CHAT, text=evil, changes=["Added <script>x</script>"]))
    assert "<img" not in md and "&lt;img src=x onerror=alert(1)&gt;" in md
    assert "<script>" not in md
    assert r"\*\*bold\*\*" in md and r"\[link\]" in md and r"\$x\$" in md
    assert "\n\\# heading" in md and "1\\. item" in md


def test_chat_and_compare_subcommands_open_widgets(ip: Any) -> None:
    from nemo_jupyter.widgets import ChatWidget

    shell, _, magics = ip
    _use(magics, "http://127.0.0.1:9")
    widget = shell.run_line_magic("nemo", "chat -s lesson")
    assert isinstance(widget, ChatWidget)
    assert widget.conversation is magics.conversations.get("lesson")
    assert "2 to 6 prompts" in _refused(shell, "%%nemo compare\nonly one prompt")


def test_jobs_resume_after_a_restart(ip: Any, engine: Any, tmp_path: Path) -> None:
    from nemo_jupyter.client.loop import run_sync

    shell, rec, magics = ip
    _use(magics, engine.url)
    with capture_output(display=False):
        assert shell.run_cell("%%nemo -s old\nmake a 2-second video of rain").success
    old = magics.conversations.get("old")
    job = run_sync(old.session.export(quality="preview", resolution="720p"))  # submitted, never waited for
    magics.backend = ""
    _use(magics, engine.url)  # a fresh registry, as after a kernel restart
    with capture_output(display=False) as cap:
        assert shell.run_cell("%nemo jobs").success
    assert job.id in cap.stdout and f"%nemo jobs --resume {job.id}" in cap.stdout
    rec.calls.clear()
    with capture_output(display=False):
        result = shell.run_cell(f"%nemo jobs --resume {job.id}")
    assert result.success, result.error_in_exec
    videos = [c["data"] for c in rec.calls if "<video" in c["data"].get("text/html", "")]
    assert len(videos) == 1
    mp4 = next((tmp_path / "nemo_outputs").glob("*.mp4"))
    assert mp4_duration(mp4) == pytest.approx(2, abs=0.1)
    with capture_output(display=False) as cap:
        assert shell.run_cell("%nemo jobs").success
    assert "No unfinished renders." in cap.stdout


def test_embedded_video_is_written_once_and_large_files_are_linked(tmp_path: Path) -> None:
    from nemo_jupyter.ui import display as view

    mp4 = tmp_path / "clip.mp4"
    mp4.write_bytes(b"\x00\x00\x00\x18ftypmp42" + b"x" * 4000)
    embedded = view.video_html(mp4, rel_url="nemo_outputs/clip.mp4", embed=True)
    assert embedded.count("data:video/mp4;base64,") == 1
    linked = view.video_html(mp4, rel_url="nemo_outputs/clip.mp4", embed=True, embed_limit=1000)
    assert "base64" not in linked and 'src="nemo_outputs/clip.mp4"' in linked and "too large to embed" in linked
