"""The conversation layer: routing, GUI-word translation, turns on a scripted server and on the real engine."""

from __future__ import annotations

import asyncio
import itertools
import json
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import imageio_ffmpeg
import pytest
from fakecloud import serve
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, StreamingResponse
from starlette.routing import Route

from nemo_jupyter import AsyncNemo
from nemo_jupyter.client.loop import run_sync, submit
from nemo_jupyter.conversation import (
    Conversation,
    Conversations,
    Intent,
    TurnCancelled,
    TurnUpdate,
    backend_badge,
    humanize_tool,
    parse_upload,
    route,
    translate_gui,
)

# -- routing -------------------------------------------------------------------------------------

ROUTES = [
    # export
    ("export", Intent.EXPORT), ("Export it!", Intent.EXPORT), ("please export the video", Intent.EXPORT),
    ("download", Intent.EXPORT), ("send me the video", Intent.EXPORT), ("ok, export now please", Intent.EXPORT),
    ("render it in 720p", Intent.EXPORT),
    ("导出", Intent.EXPORT), ("导出视频", Intent.EXPORT), ("请导出。", Intent.EXPORT), ("把视频发给我", Intent.EXPORT),
    ("帮我导出一下", Intent.EXPORT), ("下载", Intent.EXPORT),
    # credits
    ("credits", Intent.CREDITS), ("How many credits do I have?", Intent.CREDITS), ("balance", Intent.CREDITS),
    ("积分", Intent.CREDITS), ("余额", Intent.CREDITS), ("还剩多少积分？", Intent.CREDITS),
    # status
    ("status", Intent.STATUS), ("show tracks", Intent.STATUS), ("show me the timeline", Intent.STATUS),
    ("状态", Intent.STATUS), ("时间线", Intent.STATUS), ("显示轨道", Intent.STATUS),
    # upload
    ("upload logo.png clip.mp4", Intent.UPLOAD), ("upload https://example.com/a.mp4", Intent.UPLOAD),
    ("上传 a.png", Intent.UPLOAD),
    # chat, including command words inside creative sentences
    ("make a video about exports", Intent.CHAT),
    ("add a title that says download now", Intent.CHAT),
    ("export the forest scene as a separate clip with music", Intent.CHAT),
    ("make a 30-second video explaining credit card balance", Intent.CHAT),
    ("what is the status of forests in winter? make a video", Intent.CHAT),
    ("upload my photos and make a video", Intent.CHAT),
    ("做一个关于导出的视频", Intent.CHAT),
    ("生成一个30秒的森林视频，配上轻柔的音乐", Intent.CHAT),
    ("把标题改成「积分」", Intent.CHAT),
    ("", Intent.CHAT),
    ("generate a 30-second video of a forest with birds and soft background music", Intent.CHAT),
]


@pytest.mark.parametrize(("text", "intent"), ROUTES)
def test_route(text: str, intent: Intent) -> None:
    assert route(text) is intent


def test_parse_upload_splits_paths_and_urls() -> None:
    assert parse_upload("upload logo.png https://x.test/b.mp4, notes.txt") == (
        ["logo.png", "notes.txt"], ["https://x.test/b.mp4"])
    assert parse_upload("upload my photos and make a video") is None
    assert parse_upload("make a video") is None


# -- GUI words -----------------------------------------------------------------------------------

def test_translate_click_export_en_and_zh() -> None:
    text, actions = translate_gui("Great! Click the Export button in the top right corner to download.")
    assert actions == ["export"]
    assert "Click" not in text and "button" not in text
    assert 'say "export"' in text

    text, actions = translate_gui("请点击「导出」按钮下载视频。")
    assert actions == ["export"]
    assert "点击" not in text and "导出视频（输入「导出」）" in text


def test_translate_timeline_drag_and_generic_click() -> None:
    text, actions = translate_gui("You can drag the clip to reorder it. Then preview in the timeline.")
    assert actions == ["timeline", "edit"]
    assert "drag" not in text.lower() and "status" in text
    text, actions = translate_gui("Click [Add Music] to add music.")
    assert actions == ["send:Add Music"]
    assert '"Add Music"' in text and "Click" not in text
    text, actions = translate_gui("打开时间线面板查看。你也可以拖拽片段调整顺序。")
    assert actions == ["timeline", "edit"]
    assert "打开" not in text and "拖拽" not in text


def test_translate_uses_caller_hints_and_keeps_plain_text() -> None:
    hints = {"en": {"export": "run %nemo export"}}
    text, actions = translate_gui("Done! Click Export to get your video.", hints)
    assert text == "Done! Run %nemo export." and actions == ["export"]
    plain = "I made a 30-second forest video with birds and soft music."
    assert translate_gui(plain) == (plain, [])
    # a trailing temporary-issue line after a normal answer is dropped
    assert translate_gui("All done. I encountered a temporary issue.")[0] == "All done."


def test_humanize_tool_and_badge() -> None:
    assert humanize_tool("plan_scenes") == "planning scenes…"
    assert humanize_tool("setMusic") == "setting music…"
    assert humanize_tool("compose_score") == "composing score…"
    assert backend_badge("local") == "local engine"
    assert backend_badge("cloud") == "cloud"
    assert backend_badge("http://127.0.0.1:8123") == "local engine (127.0.0.1:8123)"
    assert backend_badge("https://mega-api-prod.nemovideo.ai") == "cloud"


# -- a scripted server (fake cloud) --------------------------------------------------------------

DRAFT_A = {"t": [{"tt": 0, "n": "Video", "sg": [{"id": "v1", "n": "City", "st": 0, "d": 10000, "k": "scene"}]}],
           "d": 10000, "m": {"width": 1920, "height": 1080}}
DRAFT_B = {"t": [*DRAFT_A["t"], {"tt": 7, "n": "Title", "sg": [
    {"id": "t1", "n": "Title", "st": 0, "d": 3000, "k": "title", "txt": "Urban Dreams"}]}],
    "d": 10000, "m": {"width": 1920, "height": 1080}}


class Script:
    """What the fake backend does on the next /run_sse."""

    def __init__(self) -> None:
        self.frames: list[dict[str, Any]] = []
        self.after_draft: dict[str, Any] | None = None
        self.hold_seconds = 0.0
        self.draft: dict[str, Any] | None = None
        self.messages: list[str] = []


def _fake_app(script: Script) -> Starlette:
    def ok(data: Any) -> JSONResponse:
        return JSONResponse({"code": 0, "message": "ok", "data": data})

    async def token(request: Request) -> JSONResponse:
        return ok({"token": "nmv_usr_faketoken123", "user_id": "anon_1", "expires_at": "2099-01-01T00:00:00Z",
                   "credits": 100})

    async def session(request: Request) -> JSONResponse:
        return ok({"task_id": "task1", "session_id": "42", "user_id": "anon_1"})

    async def state(request: Request) -> JSONResponse:
        return ok({"session_id": "42", "task_id": "task1", "task_name": "project",
                   "state": {"draft": script.draft, "video_infos": []}})

    async def credits(request: Request) -> JSONResponse:
        return ok({"available": 90, "frozen": 10, "total": 100})

    async def run_sse(request: Request) -> StreamingResponse:
        body = await request.json()
        script.messages.append(body["new_message"]["parts"][0]["text"])

        async def gen() -> Any:
            for frame in script.frames:
                yield f"data: {json.dumps(frame)}\n\n"
                await asyncio.sleep(0.05)
            end = time.monotonic() + script.hold_seconds
            while time.monotonic() < end:
                yield 'data: {"type": "heartbeat"}\n\n'
                await asyncio.sleep(0.1)
            if script.after_draft is not None:
                script.draft = script.after_draft

        return StreamingResponse(gen(), media_type="text/event-stream")

    return Starlette(routes=[
        Route("/api/auth/anonymous-token", token, methods=["POST"]),
        Route("/api/tasks/me/with-session/nemo_agent", session, methods=["POST"]),
        Route("/api/state/nemo_agent/me/{sid}/latest", state),
        Route("/api/credits/balance/simple", credits),
        Route("/run_sse", run_sse, methods=["POST"]),
    ])


@pytest.fixture
def fake() -> Iterator[tuple[str, Script]]:
    script = Script()
    with serve(_fake_app(script)) as url:
        yield url, script


def _adk_text(text: str, partial: bool) -> dict[str, Any]:
    return {"content": {"role": "model", "parts": [{"text": text}]}, "author": "nemo", "partial": partial}


def _adk_call(name: str) -> list[dict[str, Any]]:
    return [{"content": {"role": "model", "parts": [{"functionCall": {"id": "c1", "name": name, "args": {}}}]}},
            {"content": {"role": "user", "parts": [{"functionResponse": {"id": "c1", "name": name,
                                                                          "response": {"ok": True}}}]}}]


def _conversation(url: str) -> Conversation:
    return Conversation(AsyncNemo(backend=url), hints={"en": {"export": "run %nemo export"}})


def test_silent_turn_reports_the_diff_in_words(fake: tuple[str, Script]) -> None:
    url, script = fake
    script.draft = DRAFT_A
    conv = _conversation(url)
    run_sync(conv.session._ensure("hi"))  # the session exists, as after a first turn
    script.frames = _adk_call("add_title")
    script.after_draft = DRAFT_B
    updates: list[TurnUpdate] = []
    result = run_sync(conv.run('add the title "Urban Dreams" for 3 seconds', on_update=updates.append))
    assert result.silent and result.intent is Intent.CHAT
    assert result.changes, "the diff must come from the state"
    assert "Urban Dreams" in result.text and result.text.startswith("Done. What changed:")
    kinds = [u.kind for u in updates]
    assert "tool" in kinds and "state" in kinds and kinds[-1] == "done"
    assert any(u.tool == "adding title…" for u in updates)
    assert script.messages == ['add the title "Urban Dreams" for 3 seconds']  # sent once


def test_gui_words_in_a_reply_become_actions(fake: tuple[str, Script]) -> None:
    url, script = fake
    script.draft = None
    words = "Your video is ready. Click the Export button to download it."
    script.frames = [_adk_text("Your video ", True), _adk_text("is ready. ", True), _adk_text(words, False)]
    script.after_draft = DRAFT_A
    updates: list[TurnUpdate] = []
    result = run_sync(_conversation(url).run("make a city video", on_update=updates.append))
    assert result.raw_text == words
    assert result.actions == ["export"]
    assert result.text == "Your video is ready. Run %nemo export."
    texts = [u.text for u in updates if u.kind == "text"]
    assert texts[0] == "Your video " and texts[-1] == words
    assert result.changes and result.draft is not None


def test_cancel_stops_a_running_turn(fake: tuple[str, Script]) -> None:
    url, script = fake
    script.frames = [_adk_text("Working on it", True)]
    script.hold_seconds = 20
    conv = _conversation(url)
    future = submit(conv.run("make a long video"))
    deadline = time.monotonic() + 10
    while not conv.running and time.monotonic() < deadline:
        time.sleep(0.02)
    time.sleep(0.3)
    start = time.monotonic()
    assert conv.cancel()
    with pytest.raises(TurnCancelled):
        future.result(10)
    assert time.monotonic() - start < 5
    assert not conv.running


def test_credits_and_status_intents(fake: tuple[str, Script]) -> None:
    url, script = fake
    conv = _conversation(url)
    result = run_sync(conv.run("how many credits do I have?"))
    assert result.intent is Intent.CREDITS and result.credits.available == 90
    assert "90" in result.text
    result = run_sync(conv.run("status"))
    assert result.intent is Intent.STATUS and "empty" in result.text
    assert script.messages == []  # nothing went to the chat


def test_registry_names_and_switch_backend(fake: tuple[str, Script]) -> None:
    url, _ = fake
    convs = Conversations(url)
    a = convs.get()
    b = convs.get("second")
    assert convs.get("second") is b and a is not b
    convs.use("second")
    assert convs.current == "second" and convs.names() == ["default", "second"]
    assert convs.backend.startswith("local engine")
    run_sync(convs.switch_backend("cloud"))
    assert convs.backend == "cloud" and len(convs) == 0


# -- the real engine -----------------------------------------------------------------------------

def _mp4_duration(path: Path) -> float:
    proc = subprocess.run([imageio_ffmpeg.get_ffmpeg_exe(), "-hide_banner", "-i", str(path)],
                          capture_output=True, text=True, check=False)
    assert "Video: h264" in proc.stderr, proc.stderr[-500:]
    import re

    m = re.search(r"Duration: (\d+):(\d+):([\d.]+)", proc.stderr)
    assert m, proc.stderr[-500:]
    return int(m.group(1)) * 3600 + int(m.group(2)) * 60 + float(m.group(3))


def test_real_engine_turn_streams_and_exports(engine: Any, tmp_path: Path) -> None:
    conv = Conversation(AsyncNemo(backend=engine.url))
    updates: list[TurnUpdate] = []
    result = run_sync(conv.run("make a 4-second video of the ocean with upbeat music", on_update=updates.append))
    texts = [u.text for u in updates if u.kind == "text"]
    assert len(texts) >= 2, "the reply must stream in several pieces"
    assert all(len(a) <= len(b) for a, b in itertools.pairwise(texts))
    assert result.text and not result.silent
    assert result.changes and result.draft is not None and result.draft.duration == pytest.approx(4, abs=0.1)
    assert any(u.kind == "tool" for u in updates)
    assert any(u.kind == "state" for u in updates)

    progress: list[TurnUpdate] = []
    out = tmp_path / "ocean.mp4"
    video = run_sync(conv.export(quality="preview", resolution="720p", path=out, on_update=progress.append))
    assert out.exists() and Path(video.path) == out
    assert _mp4_duration(out) == pytest.approx(4, abs=0.1)
    assert [u.percent for u in progress][-1] == 100.0


def test_gui_hints_are_not_rewritten_by_later_rules() -> None:
    hints = {"en": {"export": "use the Export button below"}}
    text, actions = translate_gui("Done! Click the Export button to download it.", hints)
    assert text == "Done! Use the Export button below."
    assert actions == ["export"]
    text, actions = translate_gui('Open the timeline panel to preview, then click "Add music".')
    assert "panel" not in text and 'ask for "Add music"' in text
    assert actions == ["timeline", "send:Add music"]


def test_a_turn_that_exports_does_not_invite_an_export(engine: Any, tmp_path: Path) -> None:
    conv = Conversation(AsyncNemo(backend=engine.url))
    plain = run_sync(conv.run("make a 2-second video of snow"))
    assert 'say "export"' in plain.text.lower(), "the engine invites an export when none was asked for"
    done = run_sync(conv.run("make it 1 second", export=True, quality="preview", resolution="720p",
                             path=tmp_path / "snow.mp4"))
    assert done.video is not None and (tmp_path / "snow.mp4").exists()
    assert "export" not in done.text.lower() and "export" not in done.actions


# -- one routing, one wording, one state read ----------------------------------------------------

def test_words_are_read_once_into_typed_commands(tmp_path: Path) -> None:
    from nemo_jupyter.conversation import Balance, Chat, Export, Status, Undo, Upload, parse_command

    photo = tmp_path / "logo.png"
    photo.write_bytes(b"png")
    assert parse_command("export it please") == Export()
    assert parse_command("还剩多少积分？") == Balance(zh=True) and parse_command("credits") == Balance()
    assert parse_command("show me the timeline") == Status()
    assert parse_command(f"upload {photo} https://x.test/b.mp4") == Upload((str(photo),), ("https://x.test/b.mp4",))
    assert parse_command("go back to version 2") == Undo(2) and parse_command("撤销") == Undo(None)
    assert parse_command("make a video about exports") == Chat("make a video about exports")


def test_a_streamed_reply_only_grows_and_says_the_invitation_the_surface_s_way() -> None:
    from nemo_jupyter.conversation.words import streamed_words

    reply = 'Made a 3-second video of rain. Say "export" to render it.'
    hints = {"en": {"export_invite": "Run %nemo export to render it."}}
    for invite, end in ((True, "rain. Run %nemo export to render it."), (False, "rain. ")):
        shown = [streamed_words(reply[:n], hints, zh=False, invite=invite) for n in range(1, len(reply) + 1)]
        assert all(b.startswith(a) for a, b in itertools.pairwise(shown)), shown   # a terminal never takes back
        assert shown[-1].endswith(end) and "Say" not in "".join(shown)
    assert streamed_words("Say hello", None, zh=False, invite=False) == "Say hello"   # not an invitation


def test_an_export_reads_the_session_state_once(cloud: Any) -> None:
    from fakecloud import FAST

    conv = Conversation(AsyncNemo(cloud.url, **FAST))
    run_sync(conv.run("make a forest video"))
    before = len(cloud.calls("GET", r"/api/state/nemo_agent/me/.*/latest"))
    video = run_sync(conv.export(quality="preview"))
    assert video.job_id and len(cloud.calls("POST", "/api/render/proxy/lambda")) == 1
    assert len(cloud.calls("GET", r"/api/state/nemo_agent/me/.*/latest")) - before == 1
    # an export of the draft the conversation stands on (after an undo), with no uploads in it, reads none
    run_sync(conv.run("make it 5 seconds"))
    run_sync(conv.run("undo"))
    before = len(cloud.calls("GET", r"/api/state/nemo_agent/me/.*/latest"))
    run_sync(conv.export(quality="preview"))
    assert len(cloud.calls("GET", r"/api/state/nemo_agent/me/.*/latest")) == before


def test_the_replay_log_forgets_turns_older_than_its_days(tmp_path: Path) -> None:
    import sqlite3
    import time

    from nemo_jupyter.conversation.replay import ReplayStore

    path = tmp_path / "replay.sqlite3"
    store = ReplayStore(path, max_age_days=30)
    store.put_turn("old", {"kind": "chat", "text": "a forest"})
    store.put_turn("new", {"kind": "chat", "text": "a city"})
    store.close()
    with sqlite3.connect(path) as db:
        db.execute("UPDATE turns SET created=? WHERE key='old'", (time.time() - 31 * 86400,))
    again = ReplayStore(path, max_age_days=30)
    assert again.turn("old") is None and again.turn("new") == {"kind": "chat", "text": "a city"}
    again.close()
    forever = ReplayStore(path, max_age_days=0)
    assert forever.turn("new") is not None
    forever.close()
