"""The comparison grid's kernel side, and what widgets leave behind in a saved notebook.

Real parts: the slow stand-in cloud (``benchmarks/slowcloud.py``, real HTTP on loopback, a
real MP4) and the embedded engine (real planner, real renders through its one-worker queue).
The front end is exercised through ipywidgets' own comm entry point; the browser side is in
``tests/e2e/test_browser_grid.py``.
"""

from __future__ import annotations

import importlib.util
import json
import math
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from _helpers import tiny_mp4

from nemo_jupyter.widgets import ChatWidget, CompareWidget, VideoWidget

ROOT = Path(__file__).resolve().parents[2]


def _load_slowcloud() -> Any:
    spec = importlib.util.spec_from_file_location("slowcloud", ROOT / "benchmarks" / "slowcloud.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("slowcloud", module)
    spec.loader.exec_module(module)
    return module


slowcloud = _load_slowcloud()


@pytest.fixture(scope="module")
def slow() -> Iterator[str]:
    options = slowcloud.Options(think=0.2, stream=0.4, render=0.5, chunks=4, video_seconds=1.0, vary=False)
    with slowcloud.serve(options) as (url, _cloud):
        yield url


def _conversation(backend: str, name: str) -> Any:
    from nemo_jupyter.client.nemo import AsyncNemo
    from nemo_jupyter.conversation import Conversation
    from nemo_jupyter.ui.widgets.chat import WIDGET_HINTS

    nemo = AsyncNemo(backend=backend, poll_interval=0.1, poll_backoff=1.0, poll_max_interval=0.2)
    return Conversation(nemo, name, hints=WIDGET_HINTS)


def _front(widget: Any, content: dict[str, Any], buffers: list[bytes] | None = None) -> None:
    """A custom message from the front end, through ipywidgets' own comm entry point."""
    widget._handle_msg({"content": {"data": {"method": "custom", "content": content}}, "buffers": buffers or []})


def _sent(widget: Any, monkeypatch: pytest.MonkeyPatch) -> list[dict[str, Any]]:
    """Every custom message the widget sends to the front end, collected."""
    import ipywidgets

    out: list[dict[str, Any]] = []
    original = ipywidgets.Widget.send

    def spy(self: Any, content: Any, buffers: Any = None) -> None:
        if self is widget:
            out.append(content)
        original(self, content, buffers)

    monkeypatch.setattr(ipywidgets.Widget, "send", spy)
    return out



# -- VideoWidget -----------------------------------------------------------------------------------
def test_video_widget_takes_a_positional_path_or_url_and_refuses_a_missing_file(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    tiny_mp4(tmp_path / "nemo_outputs" / "x.mp4", size="90x160")
    w = VideoWidget("nemo_outputs/x.mp4")
    assert w.path == "nemo_outputs/x.mp4" and w.local_file and w.size > 0
    assert VideoWidget(Path("nemo_outputs/x.mp4")).path == "nemo_outputs/x.mp4"
    assert VideoWidget("https://cdn.example/v.mp4").url == "https://cdn.example/v.mp4"
    with pytest.raises(FileNotFoundError, match=r"nemo_outputs/missing\.mp4"):
        VideoWidget("nemo_outputs/missing.mp4")


# -- the grid on the slow cloud: star, note, export, static copy, blind mode -------------------------
def test_star_and_note_reach_the_results_and_export_writes_csv_and_html(
        slow: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    prompts = ["[[think=0.2]] a forest at dawn with a title that says Morning",
               "[[think=0.2]] a city at night", "[[think=0.2]] the ocean"]
    cmp = CompareWidget(prompts, conversations=[_conversation(slow, f"g{i}") for i in range(3)], start=False)
    sent = _sent(cmp, monkeypatch)
    cmp._static_shown = True  # as once displayed: it keeps its static copy fresh
    frame = cmp.wait(60)
    assert list(frame["status"]) == ["done"] * 3, [c["error"] for c in cmp.columns]
    # the full prompt (not cut to a common start), the file, and the takes' names
    assert list(frame["prompt"]) == prompts and list(frame["take"]) == ["Take A", "Take B", "Take C"]
    assert all(str(f).startswith("nemo_outputs/") and (tmp_path / f).is_file() for f in frame["file"])
    assert frame["time_to_render_s"].notna().all() and frame["queue_wait_s"].notna().all()
    assert {"title", "aspect", "captions", "duration_s", "credits_used"} <= set(frame.columns)

    _front(cmp, {"type": "star", "column": 1, "value": True})
    _front(cmp, {"type": "note", "column": 2, "text": "best colours, <b>too long</b>"})
    frame = cmp.results
    assert list(frame["star"]) == [False, True, False]
    assert frame.loc[2, "note"] == "best colours, <b>too long</b>"
    cmp._throttle.flush()
    assert [c["star"] for c in cmp.columns] == [False, True, False] and cmp.columns[2]["note"].startswith("best")

    _front(cmp, {"type": "export"})
    csv_path = tmp_path / cmp.exported["csv"]
    html_path = tmp_path / cmp.exported["html"]
    import pandas as pd

    back = pd.read_csv(csv_path)
    assert list(back["star"]) == [False, True, False] and back.loc[2, "note"] == "best colours, <b>too long</b>"
    page = html_path.read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>") and page.count("data:image/jpeg;base64,") == 3  # posters inlined
    assert "&lt;b&gt;too long&lt;/b&gt;" in page and "<b>too long" not in page  # notes are escaped
    for f in frame["file"]:  # links relative to the page's own folder
        assert f'href="{Path(f).name}"' in page
    assert "download=" not in page              # the page is served sandboxed: plain links play the video

    # the static copy the front end writes into the notebook: marked with the model id, posters, table
    copies = [m for m in sent if m.get("type") == "snapshot"]
    assert copies and copies[-1]["model_id"] == cmp.model_id
    html = copies[-1]["html"]
    assert f'data-nemo-static="{cmp.model_id}"' in html and html.count("data:image/jpeg") == 3
    assert "<table>" in html and "a city at night" in html and "★" in html
    assert "download=" in html                  # in the notebook, links fetch the file (not the app shell)
    # state stays small: no video bytes, no posters in the synced traits
    state = json.dumps({k: v for k, v in cmp.get_state().items() if k not in ("_esm", "_css")}, default=str)
    assert "data:image" not in state and len(state) < 60_000


def test_blind_mode_hides_names_collects_rankings_and_reveals(slow: str, tmp_path: Path,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    prompts = ["[[think=0.1]] a red balloon", "[[think=0.1]] a blue kite", "[[think=0.1]] a green boat"]
    cmp = CompareWidget(prompts, conversations=[_conversation(slow, f"b{i}") for i in range(3)], export=False,
                        blind=True, seed=3, start=False)
    cmp.wait(60)
    cmp._throttle.flush()
    shown = json.dumps(cmp.columns)
    assert not any(p.split("]] ")[1] in shown for p in prompts)  # no prompt in the synced state
    assert cmp.order != [0, 1, 2] and [c["name"] for c in cmp.columns] == ["Take A", "Take B", "Take C"]
    with pytest.raises(ValueError, match="different rank"):
        cmp.rank("ann", [1, 1, 2])
    _front(cmp, {"type": "rank", "voter": "ann", "ranks": [1, 2, 3]})  # ranks by the columns as shown
    _front(cmp, {"type": "rank", "voter": "bob", "ranks": [1, 3, 2]})
    assert cmp.rankings == 2
    cmp._throttle.flush()
    assert cmp.tally_rows == [] and all(c["timeline"]["title"] == "" for c in cmp.columns)  # nothing told yet
    tally = cmp.tally
    assert list(tally["prompt"]) == ["(hidden)"] * 3
    best = cmp.order[0]  # the first column shown got two first places
    assert tally.iloc[0]["take"] == "Take A" and tally.iloc[0]["first_places"] == 2 and tally.iloc[0]["points"] == 6
    _front(cmp, {"type": "reveal"})
    assert cmp.revealed and cmp.tally.iloc[0]["prompt"] == prompts[best]
    cmp._throttle.flush()
    assert cmp.columns[0]["prompt"] == prompts[best] and len(cmp.tally_rows) == 3
    assert list(cmp.ballots.columns) == ["voter", "Take A", "Take B", "Take C"]


def test_differences_are_facts_in_words_and_variations_run_one_prompt(
        slow: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from nemo_jupyter.client.draft import Draft
    from nemo_jupyter.conversation.compare import Comparison

    def draft(title: str, seconds: int, scene: str) -> Draft:
        return Draft({"t": [{"tt": 0, "n": "Video", "sg": [{"id": "v", "n": scene, "st": 0, "d": seconds * 1000,
                                                             "k": "scene", "scene": scene}]}],
                      "d": seconds * 1000, "m": {"title": title}})

    comp = Comparison(["a", "b", "c"], [_conversation("http://127.0.0.1:9", f"c{i}") for i in range(3)],
                      export=False)   # (never reached: the drafts are given)
    for take, d in zip(comp.takes, [draft("Dawn", 4, "forest"), draft("Dawn", 4, "forest"),
                                   draft("Night", 6, "city")], strict=True):
        take.draft = d
    diffs = comp.differences()
    texts = [line["text"] for line in diffs[2]]
    assert "has the title 'Night'" in texts and all(line["unique"] for line in diffs[2])   # only C has these
    assert "6 s long (the others: 4 s)" in texts
    assert all(not line["unique"] for line in diffs[0])  # A shares everything with B
    # said from each take's own side: it has a thing, or not (it never "added" or "removed" one)
    assert not any(line["text"].startswith(("Added", "Removed", "Retimed")) for rows in diffs for line in rows)
    monkeypatch.chdir(tmp_path)
    cmp = CompareWidget.variations("[[think=0.1]] a quiet lake", 2, export=False, start=False,
                                   conversations=[_conversation(slow, f"v{i}") for i in range(2)])
    cmp.wait(60)
    assert list(cmp.results["prompt"]) == ["[[think=0.1]] a quiet lake"] * 2


def test_chat_upload_new_and_clear_from_the_front_end(engine_env: Any, tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    chat = ChatWidget(_conversation(engine_env.url, "up"))
    sent = _sent(chat, monkeypatch)
    data = tiny_mp4(tmp_path / "src.mp4").read_bytes()
    half = len(data) // 2
    _front(chat, {"type": "upload_chunk", "id": "f1", "name": "../../clip.mp4", "size": len(data), "offset": 0,
                  "last": False}, [data[:half]])
    _front(chat, {"type": "upload_chunk", "id": "f1", "name": "../../clip.mp4", "size": len(data),
                  "offset": half, "last": True}, [data[half:]])
    acks = [m for m in sent if m.get("type") == "upload_ack"]
    assert [a.get("received") for a in acks] == [half, len(data)] and not any("error" in a for a in acks)
    _front(chat, {"type": "upload_done", "ids": ["f1"]})
    chat.wait(30)
    assert chat.status == "idle", chat.error
    assert chat.uploads == ["clip.mp4"]  # the folder part of the name is dropped
    assert "Uploaded clip.mp4" in chat.messages[-1]["text"]
    # a refused type is a clear error sent back, nothing kept
    _front(chat, {"type": "upload_chunk", "id": "f2", "name": "evil.exe", "size": 3, "offset": 0, "last": True},
           [b"abc"])
    assert "not accepted" in [m for m in sent if m.get("type") == "upload_ack"][-1]["error"]

    from nemo_jupyter.client.loop import run_sync

    state = run_sync(chat.conversation.state())  # the upload reached the backend session
    assert [a.filename for a in state.assets] == ["clip.mp4"] and state.assets[0].file_type == "video"
    chat.send("make a 2-second video of a forest")
    chat.wait(60)
    assert chat.actions[:1] == ["export"], chat.error  # the Export button, while the draft is exportable
    assert 'say "export"' not in chat.messages[-1]["text"].lower()  # the reply points at the button instead
    chat.send("qwertyuiop zxcv")
    chat.wait(60)
    assert "export" in chat.actions  # stays after a reply that was not understood
    n = len(chat.messages)
    assert n >= 4
    _front(chat, {"type": "clear"})
    assert chat.messages == [] and chat.timeline.track_count > 0  # the draft stays
    _front(chat, {"type": "new"})
    assert chat.timeline.track_count == 0 and chat.uploads == [] and not chat.conversation.started
    assert "New conversation" in chat.messages[-1]["text"]


def test_static_copy_is_displayed_after_the_widget_and_nbconvert_shows_it(
        slow: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from IPython.core.interactiveshell import InteractiveShell

    monkeypatch.chdir(tmp_path)
    chat = ChatWidget(_conversation(slow, "s"))
    chat.send("[[think=0.1;reply=Here is a <script>x</script> forest.]] a forest")
    chat.wait(30)
    outputs: list[dict[str, Any]] = []
    shell = InteractiveShell.instance()
    monkeypatch.setattr(shell.display_pub, "publish", lambda data, metadata=None, **kw: outputs.append(data))
    chat._ipython_display_()
    assert "application/vnd.jupyter.widget-view+json" in outputs[0]
    html = outputs[1]["text/html"]
    assert f'data-nemo-static="{chat.model_id}"' in html
    assert "a forest" in html and "&lt;script&gt;" in html and "<script>" not in html

    # nbconvert's HTML of a notebook holding these outputs (no widget state) shows the copy
    import nbformat
    from nbconvert import HTMLExporter

    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("chat", outputs=[
        nbformat.v4.new_output("display_data", data=outputs[0]),
        nbformat.v4.new_output("display_data", data=outputs[1])])])
    body, _ = HTMLExporter().from_notebook_node(nb)
    assert "a forest" in body and "nemo-static" in body


# -- the engine: three equal renders through one worker ------------------------------------------------
def test_render_time_excludes_the_queue_and_credits_are_zero_on_the_engine(
        engine_env: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    prompts = ["a 2-second video of the ocean", "a 2-second video of a desert", "a 2-second video of snow"]
    cmp = CompareWidget(prompts, backends=engine_env.url, quality="preview")
    frame = cmp.wait(600)
    assert list(frame["status"]) == ["done"] * 3, [c["error"] for c in cmp.columns]
    renders, waits = list(frame["time_to_render_s"]), list(frame["queue_wait_s"])
    assert all(r > 0 for r in renders) and all(not math.isnan(w) for w in waits)
    # three takes, fewer render lanes (one full worker plus the preview lane on 2 cores): a take
    # waited, and its wait is reported in its own column, as measured by the polls
    assert max(waits) > 0, (renders, waits)
    assert (frame["credits_used"] == 0).all()  # a free engine charges nothing (not NaN)
    assert "0 credits used" in cmp.summary
    assert all(frame["aspect"]) and all(frame["title"].map(lambda t: isinstance(t, str)))


def test_high_quality_render_of_one_take_and_cancel_of_another(slow: str, tmp_path: Path,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    prompts = ["[[think=0.1]] a harbour", "[[think=30]] a slow one"]
    cmp = CompareWidget(prompts, conversations=[_conversation(slow, f"h{i}") for i in range(2)], start=False)
    cmp.start()
    deadline = time.monotonic() + 30
    while cmp.takes[0].status != "done" or cmp.takes[1].status != "drafting":
        assert time.monotonic() < deadline, [t.status for t in cmp.takes]
        time.sleep(0.05)
    _front(cmp, {"type": "cancel", "column": 1})  # the grid's per-column Cancel
    _front(cmp, {"type": "hq", "column": 0})
    frame = cmp.wait(30)
    assert list(frame["status"]) == ["done", "cancelled"]
    deadline = time.monotonic() + 30
    while cmp.takes[0].hq.get("status") != "done":
        assert time.monotonic() < deadline and cmp.takes[0].hq.get("status") != "failed", cmp.takes[0].hq
        time.sleep(0.05)
    frame = cmp.results
    assert frame.loc[0, "hq_file"].endswith("-high.mp4") and (tmp_path / frame.loc[0, "hq_file"]).is_file()
    assert frame.loc[0, "file"] != frame.loc[0, "hq_file"]
    cmp._throttle.flush()
    assert cmp.columns[0]["video"]["filename"].endswith("-high.mp4")  # the column now plays the high-quality one
    assert cmp.columns[0]["hq"]["status"] == "done"


def test_queue_position_while_waiting_and_the_render_clock() -> None:
    from nemo_jupyter.conversation import TurnUpdate
    from nemo_jupyter.conversation.compare import Comparison, RenderClock

    changes: list[int] = []
    comp = Comparison(["a", "b"], [object(), object()], on_change=changes.append)
    take = comp.takes[1]
    clock = RenderClock()
    follow = comp._follower(take, clock)
    follow(TurnUpdate("progress", percent=0.0, status="pending", queue_position=2))
    assert (take.status, take.queue_position, take.progress) == ("queued", 2, -1.0)
    time.sleep(0.3)
    follow(TurnUpdate("progress", percent=10.0, status="processing"))
    assert (take.status, take.queue_position, take.progress) == ("rendering", None, 10.0)
    time.sleep(0.2)
    follow(TurnUpdate("progress", percent=100.0, status="completed"))
    assert clock.queue_wait_s >= 0.25 and 0.15 <= clock.render_s < 0.3 + clock.queue_wait_s
    assert changes and set(changes) == {1}


def test_the_queue_place_and_the_estimate_are_shown_in_the_grid_the_live_cell_and_the_terminal() -> None:
    import io

    from nemo_jupyter.conversation import TurnUpdate
    from nemo_jupyter.conversation.compare import Comparison, RenderClock
    from nemo_jupyter.conversation.progress import Progress, fold
    from nemo_jupyter.conversation.words import render_status_text
    from nemo_jupyter.ui.live import NotebookLive, TerminalLive

    assert render_status_text(True, 2, 12.4) == "queued · 2nd · ~12 s"
    assert render_status_text(False, None, 8.0) == "rendering · ~8 s left"
    assert render_status_text(True, 11, 200) == "queued · 11th · ~3 min"
    assert render_status_text(True, 1, None, zh=True) == "排队中 · 第1位"
    queued = TurnUpdate("progress", percent=0.0, status="pending", queue_position=2, estimate_s=12.0)
    running = TurnUpdate("progress", percent=40.0, status="processing", estimate_s=8.2)
    state = fold(Progress(), queued)
    assert state.render_line == "queued · 2nd · ~12 s"
    assert fold(state, running).render_line == "rendering · ~8 s left"
    assert fold(state, TurnUpdate("progress", percent=100.0, tool="rendered")).render_line == ""
    # the compare grid's column
    comp = Comparison(["a", "b"], [object(), object()], on_change=lambda i: None)
    take = comp.takes[0]
    follow = comp._follower(take, RenderClock())
    follow(queued)
    assert (take.status, take.eta) == ("queued", "2nd · ~12 s")
    follow(running)
    assert (take.status, take.eta) == ("rendering", "~8 s left")
    # ... and its high-quality render's line
    hq = comp._hq_follower(take)
    hq(queued)
    assert take.hq == {"status": "queued", "progress": -1.0, "eta": "2nd · ~12 s"}
    hq(running)
    assert take.hq == {"status": "rendering", "progress": 40.0, "eta": "~8 s left"}
    hq(TurnUpdate("progress", percent=100.0, status="completed"))
    assert take.hq["eta"] == ""
    js = (ROOT / "nemo_jupyter/ui/widgets/static/compare.js").read_text(encoding="utf-8")
    assert "c.eta" in js and "hqInfo.eta" in js
    # the magics' live cell and the terminal printer
    shown: list[Any] = []

    class Handle:
        def update(self, bundle: Any, raw: bool = True) -> None:
            shown.append(bundle)

    def display(bundle: Any, raw: bool = True, display_id: bool = True) -> Handle:
        shown.append(bundle)
        return Handle()

    live = NotebookLive(4.0, "engine", display)
    live.feed(queued)
    assert "queued · 2nd · ~12 s" in live.bundle()["text/plain"]
    live.feed(running)
    assert "rendering · ~8 s left" in live.bundle()["text/html"]
    err = io.StringIO()
    term = TerminalLive(io.StringIO(), err, bar=False)
    term(queued)
    assert "queued · 2nd · ~12 s" in err.getvalue()


def test_the_exported_csv_runs_no_formula(slow: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Titles, captions, notes and prompts are backend or user text: in a spreadsheet a cell that
    begins with = + - or @ would run as a formula, so the CSV neutralises it (a leading ')."""
    import csv

    monkeypatch.chdir(tmp_path)
    prompts = ['=HYPERLINK("http://example.com/x","click") a forest', "@SUM(1+1) a city at night"]
    cmp = CompareWidget(prompts, conversations=[_conversation(slow, f"csv{i}") for i in range(2)], start=False)
    frame = cmp.wait(60)
    assert list(frame["status"]) == ["done"] * 2, [c["error"] for c in cmp.columns]
    cmp.note(0, "+1 call 555")
    cmp.note(1, "-2+3 seconds")
    csv_path, _ = cmp.export_results(tmp_path / "out", "cmp")
    with csv_path.open(newline="", encoding="utf-8") as fh:
        rows = list(csv.reader(fh))
    header, body = rows[0], rows[1:]
    cells = [cell for row in body for cell in row]
    assert not [c for c in cells if c.lstrip(" ").startswith(("=", "+", "-", "@"))], cells
    by_name = [dict(zip(header, row, strict=True)) for row in body]
    assert by_name[0]["prompt"] == "'" + prompts[0] and by_name[1]["note"] == "'-2+3 seconds"
    assert float(by_name[0]["duration_s"]) > 0          # numbers stay numbers
    assert cmp.results.loc[0, "note"] == "+1 call 555"  # the DataFrame itself is unchanged
