"""Trait-level tests of the widgets, on real backends over real HTTP on loopback.

- the embedded engine (``engine`` fixture): real planner, real FFmpeg renders;
- the slow stand-in cloud (``benchmarks/slowcloud.py``): turns that stream for seconds,
  so streaming and Cancel can be observed mid-turn.
"""

from __future__ import annotations

import importlib.util
import itertools
import json
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from _helpers import tiny_mp4

from nemo_jupyter.ui.widgets._base import Throttle, compact_timeline
from nemo_jupyter.widgets import ChatWidget, CompareWidget, TimelineWidget, VideoWidget

ROOT = Path(__file__).resolve().parents[2]
SECRET = "nmv_usr_widgetsecret0123456789abcdef"


def _load_slowcloud() -> Any:
    spec = importlib.util.spec_from_file_location("slowcloud", ROOT / "benchmarks" / "slowcloud.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["slowcloud"] = module
    spec.loader.exec_module(module)
    return module


slowcloud = _load_slowcloud()


@pytest.fixture(scope="module")
def slow() -> Iterator[tuple[str, Any]]:
    options = slowcloud.Options(think=0.3, stream=1.6, render=0.6, chunks=16, video_seconds=1.0, vary=False)
    with slowcloud.serve(options) as (url, cloud):
        cloud.tokens[SECRET] = "user_secret"
        cloud.credits["user_secret"] = 500.0
        yield url, cloud


def _conversation(backend: str, name: str = "t", token: str | None = None) -> Any:
    from nemo_jupyter.client.nemo import AsyncNemo
    from nemo_jupyter.conversation import Conversation
    from nemo_jupyter.ui.widgets.chat import WIDGET_HINTS

    nemo = AsyncNemo(backend=backend, token=token, poll_interval=0.2, poll_backoff=1.0, poll_max_interval=0.5)
    return Conversation(nemo, name, hints=WIDGET_HINTS)


def _wait_for(predicate: Any, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError("condition not met in time")
        time.sleep(0.02)


def _front(widget: Any, content: dict[str, Any]) -> None:
    """A custom message from the front end, through ipywidgets' own comm entry point."""
    widget._handle_msg({"content": {"data": {"method": "custom", "content": content}}, "buffers": []})


def _no_secret(*widgets: Any, secret: str = SECRET) -> None:
    for w in widgets:
        state = w.get_state()
        text = json.dumps({k: v for k, v in state.items() if not isinstance(v, bytes | memoryview)}, default=str)
        assert secret not in text, f"{type(w).__name__} state leaks the token"


DRAFT = {
    "t": [
        {"tt": 0, "n": "Video", "sg": [{"id": "v1", "n": "Forest", "st": 0, "d": 4000, "k": "scene", "scene": "forest",
                                        "src": "https://cdn.example/forest.mp4"},
                                       {"id": "v2", "n": "City", "st": 4000, "d": 3000, "k": "scene"}]},
        {"tt": 1, "n": "BGM", "sg": [{"id": "a1", "n": "Lo-fi", "st": 0, "d": 7000, "k": "music", "v": 0.35,
                                      "xx_unknown": {"token": SECRET}}]},
        {"tt": 7, "n": "Title", "sg": [{"id": "t1", "st": 0, "d": 2000, "k": "title", "txt": "Urban <b>Dreams</b>"}]},
    ],
    "d": 7000,
    "m": {"title": "Urban Dreams"},
}


# -- pure helpers ---------------------------------------------------------------------------------
def test_compact_timeline_keeps_display_fields_only() -> None:
    data = compact_timeline(DRAFT)
    assert [t["type"] for t in data["tracks"]] == ["video", "audio", "text"]
    assert data["duration"] == 7000
    video, audio, text = data["tracks"]
    assert [s["label"] for s in video["segments"]] == ["Forest", "City"]
    assert video["segments"][1]["start"] == 4000 and video["segments"][1]["end"] == 7000
    assert audio["segments"][0]["volume"] == pytest.approx(0.35)
    assert text["segments"][0]["text"] == "Urban <b>Dreams</b>"  # kept as text; the front end uses textContent
    assert SECRET not in json.dumps(data)  # unknown keys are dropped


def test_throttle_coalesces_to_a_few_pushes() -> None:
    pushed: list[int] = []
    throttle = Throttle(pushed.append, hz=5)
    for i in range(200):
        throttle.offer(i)
        time.sleep(0.002)
    throttle.flush()
    assert pushed[-1] == 199  # the last value always arrives
    assert 2 <= len(pushed) <= 8  # ~0.4 s of offers at 5 Hz, not 200 pushes


# -- TimelineWidget -------------------------------------------------------------------------------
def test_timeline_widget_updates_live_and_rejects_garbage() -> None:
    w = TimelineWidget()
    assert w.timeline["tracks"] == []
    changes: list[Any] = []
    w.observe(lambda ch: changes.append(ch["new"]), "timeline")
    w.draft = DRAFT
    assert w.track_count == 3 and len(changes) == 1
    edited = json.loads(json.dumps(DRAFT))
    edited["t"] = edited["t"][:2]
    w.draft = edited
    assert w.track_count == 2 and len(changes) == 2
    with pytest.raises(TypeError, match="cannot read a draft"):
        w.draft = 42
    assert w.track_count == 2  # a bad value leaves the timeline as it was
    _no_secret(w)


# -- VideoWidget ----------------------------------------------------------------------------------
def test_video_widget_serves_by_relative_path_and_sends_bytes_only_on_request(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    mp4 = tiny_mp4(tmp_path / "nemo_outputs" / "clip.mp4")
    w = VideoWidget(path=mp4)
    assert w.path == "nemo_outputs/clip.mp4"  # relative: no machine path in the saved state
    assert str(tmp_path) not in json.dumps({k: v for k, v in w.get_state().items() if k != "data"})
    assert w.data == b"" and w.size == mp4.stat().st_size
    sent: list[tuple[Any, Any]] = []
    monkeypatch.setattr(w, "send", lambda msg, buffers=None: sent.append((msg, buffers)))
    # the front end asks where the file is relative to the Jupyter server's root
    _front(w, {"type": "locate", "server_root": str(tmp_path.parent)})
    assert sent[-1][0] == {"type": "located", "files_path": f"{tmp_path.name}/nemo_outputs/clip.mp4"}
    _front(w, {"type": "locate", "server_root": str(tmp_path / "elsewhere")})
    assert sent[-1][0]["files_path"] == ""
    # last resort: the bytes, as one binary buffer in a message (never in state)
    _front(w, {"type": "bytes"})
    assert sent[-1][1] == [mp4.read_bytes()] and w.data == b""

    embedded = VideoWidget(path=mp4, embed=True)
    assert embedded.data == mp4.read_bytes()
    with pytest.raises(FileNotFoundError, match="render it first"):
        VideoWidget(path=tmp_path / "missing.mp4")
    with pytest.raises(ValueError, match="http"):
        VideoWidget(url="javascript:alert(1)")


# -- ChatWidget on the slow cloud: streaming, cancel, secrets -------------------------------------
def test_chat_reply_streams_in_at_a_few_hz_and_draws_the_draft(slow: tuple[str, Any]) -> None:
    from nemo_jupyter.client.loop import run_sync

    url, _cloud = slow
    conv = _conversation(url)
    before = run_sync(conv.credits()).available
    chat = ChatWidget(conv, reply_hz=6)
    replies: list[str] = []
    chat.observe(lambda ch: replies.append(ch["new"]), "reply")
    statuses: list[str] = []
    chat.observe(lambda ch: statuses.append(ch["new"]), "status")
    chat.send("a quiet forest at dawn")
    _wait_for(lambda: chat.status == "working")
    assert chat.send  # the kernel thread is free while the turn runs on the background loop
    chat.wait(30)
    grown = [r for r in replies if r]
    assert len(grown) >= 3, grown  # the reply grew in several steps
    assert all(len(a) < len(b) for a, b in itertools.pairwise(grown))
    assert len(grown) <= 20  # ... but not once per chunk (16 chunks in 1.6 s at 6 Hz)
    assert statuses[0] == "working" and chat.status == "idle" and chat.reply == ""
    assert chat.messages[-1]["role"] == "assistant" and "forest" in chat.messages[-1]["text"].lower()
    assert "find the Export video button below" in chat.messages[-1]["text"]  # GUI words translated
    assert "export" in chat.actions
    assert chat.timeline.track_count == 3
    assert chat.credits == f"{before - 50:,.0f} credits"  # badge refreshed after the turn (the fake charges 50)
    assert chat.backend


def test_chat_cancel_stops_a_running_turn(slow: tuple[str, Any]) -> None:
    url, cloud = slow
    chat = ChatWidget(_conversation(url, "cancel"))
    chat.send("[[think=20]] a very slow turn")
    _wait_for(lambda: chat.status == "working")
    time.sleep(0.5)
    t0 = time.monotonic()
    # as the front end does it: a comm message handled on the kernel's thread
    _front(chat, {"type": "cancel"})
    chat.wait(10)
    assert time.monotonic() - t0 < 3
    assert chat.status == "cancelled"
    assert "cancelled" in chat.activity
    assert chat.messages[-1]["role"] == "note" and "Nothing was re-sent" in chat.messages[-1]["text"]
    turns = sum(s.turns for s in cloud.sessions.values() if s.sid == chat.conversation.session_id)
    assert turns == 0  # nothing was re-sent behind the user's back
    # the widget is usable again
    chat.send("[[think=0.1;stream=0.2]] now a quick one")
    chat.wait(20)
    assert chat.status == "idle" and chat.messages[-1]["role"] == "assistant"


def test_chat_export_button_renders_and_no_token_in_any_state(
        slow: tuple[str, Any], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    url, _cloud = slow
    monkeypatch.chdir(tmp_path)
    chat = ChatWidget(_conversation(url, "secret", token=SECRET))
    chat.send("[[reply=Done <img src=x onerror=alert(1)>. Click Export to render it.]] a beach")
    chat.wait(30)
    assert "<img src=x onerror=alert(1)>" in chat.messages[-1]["text"]  # text, drawn with textContent
    assert chat.actions == ["export"]
    _front(chat, {"type": "action", "name": "export"})  # the Export button
    chat.wait(30)
    assert chat.status == "idle", chat.error
    assert chat.video.path.startswith("nemo_outputs/") and (tmp_path / chat.video.path).stat().st_size > 1000
    assert chat.video.data == b""  # served, not pushed through state
    assert chat.video.layout.display is None
    _no_secret(chat, chat.timeline, chat.video)
    state = {k: v for k, v in chat.video.get_state().items() if k not in ("data", "_esm", "_css")}
    assert len(json.dumps(state)) < 2_000  # a path, a URL and a few numbers


def test_chat_rejects_a_second_message_while_busy(slow: tuple[str, Any]) -> None:
    url, _cloud = slow
    chat = ChatWidget(_conversation(url, "busy"))
    chat.send("[[think=1.5;stream=0.1]] first")
    _wait_for(lambda: chat.status == "working")
    _front(chat, {"type": "send", "text": "second"})
    assert "still working" in chat.error
    chat.wait(20)
    assert [m["text"] for m in chat.messages if m["role"] == "user"] == ["[[think=1.5;stream=0.1]] first"]


# -- CompareWidget --------------------------------------------------------------------------------
def test_compare_validates_its_prompts() -> None:
    with pytest.raises(ValueError, match="2 to 6 prompts"):
        CompareWidget(["only one"], start=False)
    with pytest.raises(ValueError, match="2 to 6 prompts"):
        CompareWidget([f"p{i}" for i in range(7)], start=False)
    with pytest.raises(ValueError, match="one backend per prompt"):
        CompareWidget(["a", "b", "c"], backends=["local", "cloud"], start=False)


def test_compare_runs_columns_concurrently_on_the_slow_cloud(
        slow: tuple[str, Any], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    url, _cloud = slow
    monkeypatch.chdir(tmp_path)
    prompts = ["[[think=1.0;stream=0.5;render=0.5]] forest", "[[think=1.0;stream=0.5;render=0.5]] city",
               "[[think=1.0;stream=0.5;render=0.5]] ocean"]
    convs = [_conversation(url, f"c{i}") for i in range(3)]
    cmp = CompareWidget(prompts, conversations=convs, export=True, start=False)
    streaming_at_once = threading.Event()

    def watch(_change: Any) -> None:
        if sum(1 for c in cmp.columns if c["reply"]) >= 2 and not cmp.done:
            streaming_at_once.set()

    cmp.observe(watch, "columns")
    t0 = time.monotonic()
    frame = cmp.wait(60)
    wall = time.monotonic() - t0
    assert cmp.done and [c["status"] for c in cmp.columns] == ["done"] * 3
    assert streaming_at_once.is_set()  # several columns streamed at the same time
    assert wall < 2 * 2.0 + 3  # one column alone takes ~2-3 s; in series it would be ~7+
    assert list(frame.columns[:7]) == ["prompt", "backend", "time_to_draft_s", "time_to_render_s", "tracks",
                                       "duration_s", "credits_used"]
    assert (frame["time_to_draft_s"] >= 1.0).all() and (frame["time_to_render_s"] > 0).all()
    assert (frame["tracks"] == 3).all()
    assert all(c["video"]["path"].startswith("nemo_outputs/") for c in cmp.columns)
    assert "3 of 3 finished" in cmp.summary


def test_compare_against_two_backends(slow: tuple[str, Any], engine: Any, tmp_path: Path,
                                      monkeypatch: pytest.MonkeyPatch) -> None:
    url, _cloud = slow
    monkeypatch.chdir(tmp_path)
    cmp = CompareWidget.against_backends("a 2-second video of a calm ocean", [engine.url, url], export=False)
    frame = cmp.wait(120)
    assert list(frame["prompt"]) == ["a 2-second video of a calm ocean"] * 2
    assert frame["backend"].nunique() == 2
    assert [c["status"] for c in cmp.columns] == ["done", "done"], [c["error"] for c in cmp.columns]
    assert (frame["tracks"] >= 1).all()
    # each backend is its own account: credits are measured per column
    assert frame["credits_used"].notna().all()


# -- on the embedded engine: real planner, real renders ------------------------------------------
def test_chat_and_compare_on_the_engine(engine_env: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    chat = ChatWidget(_conversation(engine_env.url, "engine-chat"), quality="preview")
    drafts: list[Any] = []
    chat.timeline.observe(lambda ch: drafts.append(ch["new"]), "timeline")
    chat.send("make a 2-second video of a forest with soft music and a title that says Hello")
    chat.wait(120)
    assert chat.status == "idle", chat.error
    assert drafts and chat.timeline.track_count >= 2
    kinds = {t["type"] for t in chat.timeline.timeline["tracks"]}
    assert {"video", "audio"} <= kinds
    # a second widget on the same conversation (as %nemo chat does) shows the draft at once
    again = ChatWidget(chat.conversation)
    _wait_for(lambda: again.timeline.track_count == chat.timeline.track_count, timeout=30)
    before = chat.timeline.timeline
    chat.send("make the music quieter")
    chat.wait(120)
    assert chat.timeline.timeline != before  # the draft trait follows the edit
    chat.export()
    chat.wait(300)
    assert chat.status == "idle", chat.error
    video = tmp_path / chat.video.path
    assert video.stat().st_size > 1000 and chat.video.duration == pytest.approx(2.0, abs=0.6)

    cmp = CompareWidget(["a 1-second video of the ocean", "a 1-second video of a city at night",
                         "a 1-second video of snow"], backends=engine_env.url, quality="preview")
    frame = cmp.wait(600)
    assert [c["status"] for c in cmp.columns] == ["done"] * 3, [c["error"] for c in cmp.columns]
    assert len(frame) == 3 and (frame["tracks"] >= 1).all() and frame["time_to_render_s"].notna().all()
    for col in cmp.columns:
        assert (tmp_path / col["video"]["path"]).stat().st_size > 1000


# -- notebooks 03 and 04, executed headless on the engine ------------------------------------------
@pytest.mark.parametrize("name", ["03-prompt-comparison.ipynb", "04-timeline-editing.ipynb"])
def test_notebook_runs_headless(name: str, engine_env: Any, tmp_path: Path) -> None:
    import nbformat
    from nbclient import NotebookClient

    nb = nbformat.read(ROOT / "notebooks" / name, as_version=4)
    assert all(not c.get("outputs") for c in nb.cells if c.cell_type == "code")  # committed without outputs
    NotebookClient(nb, timeout=600, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}).execute()
    outputs = json.dumps([c.get("outputs", []) for c in nb.cells if c.cell_type == "code"])
    assert "nmv_" not in outputs and "Traceback" not in outputs
    videos = list((tmp_path / "nemo_outputs").glob("*.mp4"))
    if name.startswith("03"):
        assert len(videos) == 3 and "time_to_render_s" in outputs and "Fastest from prompt to video" in outputs
    else:
        assert [v.name for v in videos] == ["three-places-edited.mp4"]
        assert "volume" in outputs.lower() and "title" in outputs.lower()
    assert len(nbformat.writes(nb)) < 200_000  # widget state stays small: no video bytes in the notebook
