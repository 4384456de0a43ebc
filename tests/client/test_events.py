"""The SSE event parser: both shapes, ADK partial/final text, errors, and fuzzing."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from httpx_sse._decoders import SSEDecoder
from hypothesis import given, settings
from hypothesis import strategies as st

from nemo_jupyter import EventParseError, Heartbeat, StreamError, TextEvent, ToolCall, ToolResult
from nemo_jupyter.client.events import EventAssembler

FIXTURES = Path(__file__).resolve().parents[2].parent / "shared" / "fixtures"


def _payloads(raw: str) -> list[str]:
    decoder = SSEDecoder()
    out = []
    for line in raw.split("\n"):
        event = decoder.decode(line)
        if event is not None:
            out.append(event.data)
    return out


def test_adk_fixture_partial_then_full_text_is_replaced_not_appended() -> None:
    path = FIXTURES / "adk-run-sse-streaming.txt"
    if not path.exists():
        pytest.skip(f"shared fixtures folder absent ({FIXTURES.name}); cannot replay the ADK capture")
    a = EventAssembler()
    events = [e for data in _payloads(path.read_text(encoding="utf-8")) for e in a.feed(data)]
    texts = [e for e in events if isinstance(e, TextEvent)]
    assert [t.partial for t in texts] == [True, True, True, False, False]
    assert texts[2].text == "I'll make a 30-second forest video with soft music."
    # the non-partial repeat replaces the partial chunks: same text, nothing added
    assert texts[3].text == texts[2].text and texts[3].delta == ""
    assert texts[-1].text == "I'll make a 30-second forest video with soft music.\n\nDone. Say export to render."
    calls = [e for e in events if isinstance(e, ToolCall)]
    results = [e for e in events if isinstance(e, ToolResult)]
    assert calls == [ToolCall("generate_video_with_seedance", {"prompt": "forest", "duration": 30}, "adk-call-1")]
    assert results[0].id == "adk-call-1" and results[0].result == {"status": "ok", "clip": "c1"}
    assert results[0].state_delta["draft"]["d"] == 30000
    assert a.state_delta["draft"]["t"][0]["sg"][0]["n"] == "forest"


def test_typed_shape_appends_and_keeps_tools_internal() -> None:
    a = EventAssembler()
    out = []
    for frame in [{"type": "text", "content": "Hel"}, {"type": "heartbeat"}, {"type": "text", "content": "lo"},
                  {"type": "tool_call", "name": "gen", "args": {"x": 1}},
                  {"type": "tool_result", "name": "gen", "result": {"ok": 1}, "state_delta": {"draft": {"t": []}}}]:
        out.extend(a.feed(json.dumps(frame)))
    assert isinstance(out[1], Heartbeat)
    assert out[2] == TextEvent("Hello", "lo", False)
    assert out[3] == ToolCall("gen", {"x": 1}, None)
    assert out[4].state_delta == {"draft": {"t": []}}
    assert a.text == "Hello"


def test_empty_data_is_a_heartbeat_and_snake_case_adk_is_read() -> None:
    a = EventAssembler()
    assert a.feed("") == [Heartbeat()]
    events = a.feed(json.dumps({"content": {"role": "model", "parts": [
        {"function_call": {"id": "1", "name": "n", "args": {}}}, {"text": "ok"}]},
        "invocation_id": "x", "actions": {"state_delta": {"k": 1}}}))
    assert events[0] == TextEvent("ok", "ok", False) and events[1] == ToolCall("n", {}, "1")
    assert a.state_delta == {"k": 1}


def test_duplicate_event_id_is_not_repeated_and_thoughts_are_skipped() -> None:
    a = EventAssembler()
    frame = {"id": "e1", "content": {"role": "model", "parts": [{"text": "secret plan", "thought": True},
                                                                 {"text": "Hi"}]}}
    assert a.feed(json.dumps(frame)) == [TextEvent("Hi", "Hi", False)]
    assert a.feed(json.dumps({"id": "e1", "actions": {"artifactDelta": {"a": 1}}})) == []
    assert a.text == "Hi"


@pytest.mark.parametrize("frame", [
    {"error": "quota exceeded"},
    {"errorCode": "MALFORMED_FUNCTION_CALL", "errorMessage": "bad call"},
    {"error_code": 500, "error_message": "boom", "content": {"parts": []}},
    {"type": "error", "content": "broken"},
])
def test_error_frames_raise_stream_error(frame: dict[str, object]) -> None:
    with pytest.raises(StreamError) as info:
        EventAssembler().feed(json.dumps(frame))
    assert "error" in str(info.value).lower()


@pytest.mark.parametrize("data", ["not json", "[1, 2]", "42", '"text"', "{", b"\xff\xfe"])
def test_garbage_raises_event_parse_error(data: str | bytes) -> None:
    with pytest.raises(EventParseError):
        EventAssembler().feed(data)


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True) | st.text(max_size=20),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(
        st.sampled_from(["type", "content", "parts", "text", "partial", "actions", "stateDelta", "error",
                         "errorCode", "functionCall", "functionResponse", "name", "args", "id", "role",
                         "result", "thought", "x"]), children, max_size=5),
    max_leaves=25)


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=200))
def test_arbitrary_bytes_give_events_or_typed_errors(data: bytes) -> None:
    try:
        events = EventAssembler().feed(data)
    except (EventParseError, StreamError):
        return
    assert all(isinstance(e, (TextEvent, ToolCall, ToolResult, Heartbeat)) for e in events)


@settings(max_examples=400, deadline=None)
@given(st.lists(json_values, min_size=1, max_size=5))
def test_arbitrary_json_gives_events_or_typed_errors(frames: list[object]) -> None:
    a = EventAssembler()
    for frame in frames:
        try:
            events = a.feed(json.dumps(frame))
        except (EventParseError, StreamError):
            continue
        for e in events:
            assert isinstance(e, (TextEvent, ToolCall, ToolResult, Heartbeat))
            if isinstance(e, TextEvent):
                assert e.text == a.text and a.text.endswith(e.delta)
    assert isinstance(a.text, str)
