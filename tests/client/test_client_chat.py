"""Chat turns over real HTTP against the fake cloud: shapes, quirks, timeouts, drops."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path
from typing import Any

import pytest
from _helpers import cloud_session
from fakecloud import FAST, FIXTURES, FakeCloud, replay_http, replay_sse_file, sse
from starlette.requests import Request

from nemo_jupyter import (
    AsyncNemo,
    Heartbeat,
    Nemo,
    Notice,
    SessionNotFound,
    StreamDropped,
    StreamError,
    TextEvent,
    ToolCall,
    ToolResult,
    TurnTimeout,
)
from nemo_jupyter.conversation.words import notice_text

FOREST = {"t": [{"tt": 0, "sg": [{"n": "forest", "st": 0, "d": 30000}]}], "d": 30000}


def _fixture(name: str) -> Path:
    path = FIXTURES / name
    if not path.exists():
        pytest.skip(f"the shared fixtures folder is absent ({path.parent.name}/{name} not found)")
    return path


def test_adk_capture_replayed_byte_for_byte(cloud: FakeCloud) -> None:
    nemo, s = cloud_session(cloud)
    s.ask("hello")   # creates the session; the default chat sets a draft
    cloud.script("POST /run_sse", replay_sse_file(_fixture("adk-run-sse-streaming.txt")))
    events = list(s.stream("make a 30-second forest video"))
    texts = [e for e in events if isinstance(e, TextEvent)]
    assert [t.partial for t in texts] == [True, True, True, False, False]
    assert texts[3].text == "I'll make a 30-second forest video with soft music." and texts[3].delta == ""
    assert texts[-1].text.endswith("Done. Say export to render.")
    assert texts[-1].text.count("I'll make") == 1    # replaced, not appended
    assert any(isinstance(e, ToolCall) and e.name == "generate_video_with_seedance" for e in events)
    result = next(e for e in events if isinstance(e, ToolResult))
    assert result.state_delta["draft"]["d"] == 30000
    # the request body is the ADK /run_sse body
    body = cloud.calls("POST", "/run_sse")[-1].json
    assert body["app_name"] == "nemo_agent" and body["user_id"] == "me" and body["session_id"] == s.id
    assert body["new_message"]["parts"] == [{"text": "make a 30-second forest video"}]
    nemo.close()


def test_unknown_session_capture_gives_session_not_found_and_a_new_session(cloud: FakeCloud) -> None:
    nemo = Nemo(cloud.url, **FAST)
    s = nemo.session(session_id="nope")
    cloud.script("POST /run_sse", replay_http(_fixture("adk-run-sse-unknown-session.txt")))
    with pytest.raises(SessionNotFound) as info:
        s.ask("make it vertical")
    assert "draft" in str(info.value).lower()
    assert s.id is None       # a new session is made at next use; the message was not re-sent
    assert len(cloud.calls("POST", "/run_sse")) == 1
    reply = s.ask("make a forest video")
    assert reply.text == "Working on it." and s.id in cloud.sessions
    nemo.close()


@pytest.mark.parametrize("shape", ["adk", "typed"])
def test_both_event_shapes_over_http(cloud: FakeCloud, shape: str) -> None:
    cloud.chat_shape = shape
    nemo = Nemo(cloud.url, **FAST)
    s = nemo.session("demo")
    reply = s.ask("make a forest video")
    assert reply.text == "Working on it."
    assert not reply.silent and reply.session_id == s.id
    kinds = {type(e).__name__ for e in reply.events}
    assert {"TextEvent", "ToolCall", "ToolResult"} <= kinds
    if shape == "typed":
        assert any(isinstance(e, Heartbeat) for e in reply.events)
    assert reply.draft is not None and reply.draft.is_exportable
    assert any("make a forest video" in c for c in reply.changes)
    assert s.draft is reply.draft or s.draft == reply.draft
    created = cloud.calls("POST", "/api/tasks/me/with-session/nemo_agent")[0].json
    assert created == {"task_name": "demo", "language": "en"}
    nemo.close()


@pytest.mark.parametrize(("text", "lang"), [("做一个森林视频", "zh-CN"), ("森の動画を作って", "ja"),
                                            ("숲 영상을 만들어", "ko"), ("a forest video", "en")])
def test_language_detected_from_first_message(cloud: FakeCloud, text: str, lang: str) -> None:
    nemo, s = cloud_session(cloud)
    s.ask(text)
    assert s.language == lang
    assert cloud.calls("POST", "/api/tasks/me/with-session/nemo_agent")[0].json["language"] == lang
    nemo.close()


def test_silent_turn_reports_changes_from_the_state_diff(cloud: FakeCloud) -> None:
    nemo, s = cloud_session(cloud, "make a forest video")
    sid = s.id

    def silent_edit(request: Request) -> Any:
        cloud.sessions[sid].draft = {**cloud.sessions[sid].draft, "t": cloud.sessions[sid].draft["t"] + [
            {"tt": 7, "sg": [{"k": "title", "txt": "Urban Dreams", "st": 0, "d": 3000}]}]}
        return sse([{"type": "heartbeat"}, "", {"content": {"role": "model", "parts": [
            {"functionCall": {"id": "x", "name": "add_title", "args": {}}}]}}])(request)

    cloud.script("POST /run_sse", silent_edit)
    reply = s.ask("add a title Urban Dreams")
    assert reply.silent and reply.text == ""
    assert reply.changes and any("Urban Dreams" in c for c in reply.changes)
    assert "Urban Dreams" in str(reply) and reply.draft_before is not None
    nemo.close()


def test_heartbeats_only_time_out(cloud: FakeCloud) -> None:
    nemo, s = cloud_session(cloud, "hello", turn_timeout=0.6)
    frames: list[Any] = [{"type": "text", "content": "Thinking"}]
    frames += [x for _ in range(60) for x in ({"type": "heartbeat"}, 0.05)]
    cloud.script("POST /run_sse", sse(frames))
    start = time.monotonic()
    with pytest.raises(TurnTimeout):
        s.ask("generate a long video")
    assert 0.5 <= time.monotonic() - start < 2.5
    assert len(cloud.calls("POST", "/run_sse")) == 2      # never re-sent
    nemo.close()


def test_silent_server_also_times_out(cloud: FakeCloud) -> None:
    nemo, s = cloud_session(cloud, "hello", turn_timeout=0.4)
    cloud.script("POST /run_sse", sse([3.0]))
    with pytest.raises(TurnTimeout):
        s.ask("anything")
    nemo.close()


@pytest.mark.parametrize("frame", [{"error": "model overloaded"},
                                   {"errorCode": "MAX_TOKENS", "errorMessage": "response too long"}])
def test_mid_stream_error_is_a_stream_error(cloud: FakeCloud, frame: dict[str, str]) -> None:
    nemo, s = cloud_session(cloud, "hello")
    cloud.script("POST /run_sse", sse([{"content": {"role": "model", "parts": [{"text": "Sure"}]}}, frame]))
    with pytest.raises(StreamError) as info:
        s.ask("make it")
    assert not isinstance(info.value, (TurnTimeout, StreamDropped))
    assert (frame.get("error") or frame["errorMessage"]) in str(info.value)
    nemo.close()


def test_dropped_stream_recovers_from_state_without_resending(cloud: FakeCloud) -> None:
    nemo, s = cloud_session(cloud, "hello")
    sid = s.id

    def drop_after_change(request: Request) -> Any:
        cloud.sessions[sid].draft = FOREST
        return sse([{"content": {"role": "model", "parts": [{"text": "On it"}]}, "partial": True}], drop=True)(request)

    cloud.script("POST /run_sse", drop_after_change)
    reply = s.ask("make a forest video")
    assert reply.recovered and reply.text == "On it"
    assert reply.notices == [Notice("recovered")]               # the client says what happened, as data
    assert "not re-sent" in notice_text(reply.notices[0])    # ... and the conversation words it
    assert any("forest" in c for c in reply.changes)
    assert len(cloud.calls("POST", "/run_sse")) == 2          # the message was not re-sent
    assert len(cloud.calls("GET", r"/api/state/.*")) >= 1
    nemo.close()


def test_dropped_stream_with_no_change_gives_up_after_the_checks(cloud: FakeCloud) -> None:
    nemo, s = cloud_session(cloud, "hello")
    states_before = len(cloud.calls("GET", r"/api/state/.*"))
    cloud.script("POST /run_sse", sse([{"type": "text", "content": "Star"}], drop=True))
    with pytest.raises(StreamDropped) as info:
        s.ask("make it blue")
    assert info.value.changed is False
    assert len(cloud.calls("GET", r"/api/state/.*")) - states_before == FAST["recovery_checks"]
    assert len(cloud.calls("POST", "/run_sse")) == 2
    nemo.close()


def test_trailing_temporary_issue_is_dropped_after_normal_output(cloud: FakeCloud) -> None:
    nemo, s = cloud_session(cloud)
    cloud.script("POST /run_sse", sse([{"content": {"role": "model", "parts": [{"text": "Your video is ready."}]}},
                                       {"content": {"role": "model", "parts": [
                                           {"text": "I encountered a temporary issue. Please try again."}]}}]))
    assert s.ask("make a video").text == "Your video is ready."
    nemo.close()


def test_sync_api_works_inside_a_running_event_loop(cloud: FakeCloud) -> None:
    """Like a Jupyter cell: the caller's thread already runs a loop; the sync twin must still work."""

    async def cell() -> str:
        nemo = Nemo(cloud.url, **FAST)
        try:
            return nemo.session().ask("make a forest video").text
        finally:
            nemo.close()

    assert asyncio.run(cell()) == "Working on it."


def test_async_twin_streams(cloud: FakeCloud) -> None:
    async def main() -> list[str]:
        async with AsyncNemo(cloud.url, **FAST) as nemo:
            s = nemo.session()
            out = [e.text async for e in s.stream("make a forest video") if isinstance(e, TextEvent)]
            credits = await nemo.credits()
            assert credits.available == 25000 - cloud.generation_cost  # the turn spent a generation
            return out

    assert asyncio.run(main())[-1] == "Working on it."


def test_on_event_callback_sees_events_as_they_arrive(cloud: FakeCloud) -> None:
    nemo = Nemo(cloud.url, **FAST)
    seen: list[object] = []
    reply = nemo.session().ask("make a forest video", on_event=seen.append)
    assert seen == reply.events and len(seen) >= 4
    nemo.close()


def test_reply_markdown_escapes_backend_html(cloud: FakeCloud) -> None:
    nemo = Nemo(cloud.url, **FAST)
    cloud.script("POST /run_sse", sse([{"type": "text", "content": "<script>alert(1)</script> & <b>bold</b>"}]))
    reply = nemo.session().ask("x")
    bundle = reply._repr_mimebundle_()
    assert "<script>" not in bundle["text/markdown"] and "&lt;script&gt;" in bundle["text/markdown"]
    assert "<b>" not in bundle["text/markdown"]
    assert bundle["text/plain"].startswith("<script>")
    nemo.close()


def test_an_unreadable_frame_is_skipped_not_fatal(cloud: FakeCloud, caplog: pytest.LogCaptureFixture) -> None:
    nemo = Nemo(cloud.url, **FAST)
    cloud.script("POST /run_sse", sse(["<html>oops", {"type": "text", "content": "Still fine."}]))
    s = nemo.session()
    reply = s.ask("x")
    assert reply.text == "Still fine."
    assert s.aio.last_turn is not None and s.aio.last_turn.skipped == 1
    assert "skipped an unreadable event" in caplog.text
    nemo.close()


def test_upload_to_a_lost_session_forgets_it(cloud: FakeCloud, tmp_path: Path) -> None:
    nemo = Nemo(cloud.url, **FAST)
    s = nemo.session(session_id="31337")
    with pytest.raises(SessionNotFound):
        s.upload(urls=["https://example.com/a.png"])
    assert s.id is None
    nemo.close()


def test_claim_link_for_an_anonymous_session(cloud: FakeCloud) -> None:
    nemo, s = cloud_session(cloud, web_url="https://web.example")
    with pytest.raises(StreamError):
        s.claim_url()
    s.ask("make a forest video")
    url = s.claim_url()
    assert url.startswith("https://web.example/workspace/claim?ct=clm_")
    assert cloud.calls("POST", "/api/auth/claim-token")[0].json == {"task_id": s.task_id, "session_id": s.id}
    nemo.close()


def test_after_a_timed_out_turn_the_next_turn_reads_the_draft_first(cloud: FakeCloud) -> None:
    nemo, s = cloud_session(cloud, turn_timeout=0.4)
    s.ask("hello")          # the draft is known after a normal turn
    stale = s.draft

    def late_change(request: Request) -> Any:
        cloud.sessions[s.id].draft = FOREST          # the backend goes on and edits the draft...
        return sse([{"type": "text", "content": "Thinking"}, 3.0])(request)   # ...after we gave up

    cloud.script("POST /run_sse", late_change)
    with pytest.raises(TurnTimeout):
        s.ask("generate a long video")
    seen = len(cloud.requests)
    reply = s.ask("now a title")
    # the state was read before the message was sent, and the diff starts from the changed draft
    later = [f"{r.method} {r.path}" for r in cloud.requests[seen:]]
    first_state = next(i for i, r in enumerate(later) if r.startswith("GET /api/state/"))
    assert first_state < later.index("POST /run_sse")
    assert reply.draft_before is not None and reply.draft_before != stale
    assert reply.draft_before.to_json()["d"] == 30000
    nemo.close()
