"""The brief as the client reads it: typed, bounded, redacted; from the turn's stateDelta or the state;
None when the backend sends none (the cloud may not)."""

from __future__ import annotations

from typing import Any

from _helpers import cloud_session
from fakecloud import FakeCloud

from nemo_jupyter import Nemo
from nemo_jupyter.client.models import Brief, ChecklistItem, State

ENGINE_LIKE = {
    "kind": "new", "language": "en", "template": None, "actors": [{"id": "a1", "noun": "lighthouse"}],
    "checklist": [
        {"id": "a1", "what": "actor", "label": "lighthouse", "status": "substituted", "note": "drawn as tokyo tower"},
        {"id": "weather:fog", "what": "weather", "label": "fog", "status": "not_done",
         "note": "that weather is not painted"},
        {"id": "place:city", "what": "place", "label": "city", "status": "done", "note": ""},
        {"id": "u1", "what": "upload", "label": "logo.png as the logo", "status": "pending"},
    ],
}


def test_a_brief_is_typed_counted_and_kept_whole() -> None:
    brief = Brief.from_json(ENGINE_LIKE)
    assert brief is not None and brief.kind == "new" and brief.language == "en"
    assert [i.status for i in brief.checklist] == ["substituted", "not_done", "done", "pending"]
    assert brief.checklist[0] == ChecklistItem("a1", "actor", "lighthouse", "substituted", "drawn as tokyo tower")
    assert brief.counts() == {"done": 1, "substituted": 1, "not_done": 2}   # a pending item was not done
    assert not brief.all_done
    assert brief.to_json()["actors"] == ENGINE_LIKE["actors"]   # the rest of what it read, as it came
    done = Brief.from_json({"kind": "edit", "checklist": [{"label": "title 'Hi'", "status": "done"}]})
    assert done is not None and done.all_done and done.language == "en"
    nothing = Brief.from_json({"kind": "help", "language": "en", "checklist": []})
    assert nothing is not None and not nothing.all_done   # nothing to show is not "all done"


def test_what_is_not_a_brief_is_none_and_backend_text_is_bounded() -> None:
    for raw in (None, {}, [], "brief", 3):
        assert Brief.from_json(raw) is None
    token = "nmv_usr_" + "a" * 30
    brief = Brief.from_json({"kind": 7, "language": None, "checklist": [
        {"label": "x" * 5000, "status": "done"},
        {"label": f"uses {token}", "status": "not_done", "note": ["not", "text"]},
        {"label": "no status"},
        {"label": "", "status": "done"},
        "not an item",
        {"label": "odd", "status": "finished"},
    ] + [{"label": f"item {i}", "status": "done"} for i in range(200)]})
    assert brief is not None and brief.kind == "unknown" and brief.language == "en"
    labels = [i.label for i in brief.checklist]
    assert len(labels[0]) == 200 and token not in labels[1] and brief.checklist[1].note == ""
    assert "no status" not in labels and "odd" not in labels and len(brief.checklist) <= 60
    assert State.from_json({"state": {"draft": None, "brief": ENGINE_LIKE}}).brief == Brief.from_json(ENGINE_LIKE)
    assert State.from_json({"state": {"draft": None}}).brief is None


def test_the_engine_sends_the_brief_with_the_turn_and_keeps_it_in_the_state(engine_env: Any) -> None:
    nemo = Nemo()
    try:
        s = nemo.session()
        reply = s.ask("put my logo in the corner of a forest video")
        assert reply.brief is not None and reply.brief.kind == "new"
        logo = [i for i in reply.brief.checklist if i.what == "upload"]
        assert logo and logo[0].status == "not_done" and "upload" in logo[0].note   # why, in words
        assert s.state().brief == reply.brief
        fog = s.ask("a lighthouse in thick fog").brief
        assert fog is not None and any(i.status == "substituted" and i.note for i in fog.checklist)
    finally:
        nemo.close()


def test_a_cloud_without_a_brief_gives_none_and_one_in_the_state_is_read(cloud: FakeCloud) -> None:
    nemo, s = cloud_session(cloud)
    try:
        assert s.ask('a video titled "Plain"').brief is None
        cloud.brief, cloud.brief_in_state = ENGINE_LIKE, True
        reply = s.ask("again")
        assert reply.brief is not None and reply.brief.checklist[1].label == "fog"   # from the state
        cloud.brief_in_state = False
        cloud.brief = {**ENGINE_LIKE, "kind": "edit"}
        assert s.ask("once more").brief.kind == "edit"   # the turn's own (its stateDelta) comes first
    finally:
        nemo.close()
