"""Concurrent turns on one session (two kernels, a widget and a cell on one conversation) keep every
edit, in the order they came: the engine lets one writer change a session's draft at a time.

The engine here is served in-process with its planner slowed down (as a loaded engine is), so
that on an engine without one writer per session the turns would all plan on the same draft."""

from __future__ import annotations

import asyncio
import json
import threading
import uuid
from pathlib import Path
from typing import Any

import httpx
import pytest
from fakecloud import serve, slow_engine_planner

from nemo_jupyter import DraftMoved, Nemo


def _captions(draft: dict[str, Any]) -> list[str]:
    return sorted(str(sg.get("txt")) for t in draft["t"] for sg in t["sg"] if sg.get("k") == "caption")


async def _turn(http: httpx.AsyncClient, sid: str, text: str) -> str:
    body = {"session_id": sid, "new_message": {"parts": [{"text": text}]}}
    async with http.stream("POST", "/run_sse", json=body) as r:
        raw = (await r.aread()).decode()
    finals = [json.loads(line[5:]) for line in raw.splitlines() if line.startswith("data: {")]
    return " ".join(p["text"] for e in finals if not e.get("partial")
                    for p in e.get("content", {}).get("parts", []) if "text" in p)


def test_parallel_turns_on_one_session_keep_every_edit_in_order(tmp_path: Path,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    from nemo_jupyter.engine import app as app_mod

    slow_engine_planner(monkeypatch, 0.25, keepalive=0.1)

    async def main(url: str) -> tuple[list[str], dict[str, Any], list[str]]:
        async with httpx.AsyncClient(base_url=url, timeout=120, trust_env=False) as http:
            r = await http.post("/api/auth/anonymous-token", headers={"X-Client-Id": str(uuid.uuid4())})
            http.headers["Authorization"] = f"Bearer {r.json()['data']['token']}"
            sid = (await http.post("/api/tasks/me/with-session/nemo_agent", json={})).json()["data"]["session_id"]
            await _turn(http, sid, "make a 10-second video of the sea")
            replies = await asyncio.gather(*[_turn(http, sid, f'add the caption "CAP{i}" from {i} to {i + 1} seconds')
                                             for i in range(8)])
            state = (await http.get(f"/api/state/nemo_agent/me/{sid}/latest")).json()["data"]["state"]
            versions = (await http.get(f"/api/state/nemo_agent/me/{sid}/versions?drafts=0")).json()["data"]
            return list(replies), {"draft": state["draft"], "version": state.get("version"), **versions}, []

    with serve(app_mod.create_app(tmp_path / "home"), lifespan="on") as url:
        replies, got, _ = asyncio.run(main(url))
    assert all("Added the caption" in r for r in replies), replies
    assert _captions(got["draft"]) == [f"CAP{i}" for i in range(8)], "every reply said added: every edit is kept"
    numbers = [v["version"] for v in got["versions"]]
    assert numbers == list(range(1, 10)) and got["current"] == 9 == got["version"]
    assert [v["parent"] for v in got["versions"]] == [None, *range(1, 9)], "each turn built on the one before"
    assert sorted(v["note"] for v in got["versions"][1:]) == sorted(
        f'add the caption "CAP{i}" from {i} to {i + 1} seconds' for i in range(8))


def test_two_kernels_and_a_widget_on_one_conversation_keep_every_edit(tmp_path: Path,
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    from nemo_jupyter.conversation import Conversation
    from nemo_jupyter.engine import app as app_mod

    slow_engine_planner(monkeypatch, 0.2, keepalive=0.1)
    monkeypatch.setenv("NEMO_CONFIG_DIR", str(tmp_path / "config"))   # one user: the kernels share it
    with serve(app_mod.create_app(tmp_path / "home"), lifespan="on") as url:
        first = Nemo(url, retries=0)
        s = first.session()
        s.ask("make a 10-second video of the sea")
        sid = str(s.id)
        second = Nemo(url, retries=0)
        widget = Conversation(Nemo(url, retries=0).aio)
        widget.memory.adopt(sid)
        errors: list[BaseException] = []

        def kernel(nemo: Nemo, slots: range) -> None:
            try:
                mine = nemo.session(session_id=sid)
                for i in slots:
                    mine.ask(f'add the caption "K{i}" from {i} to {i + 1} seconds')
            except BaseException as exc:   # pragma: no cover - reported below
                errors.append(exc)

        def widget_turns() -> None:
            from nemo_jupyter.client.loop import run_sync

            try:
                for i in (6, 7, 8):
                    run_sync(widget.run(f'add the caption "K{i}" from {i} to {i + 1} seconds'))
            except BaseException as exc:   # pragma: no cover
                errors.append(exc)

        threads = [threading.Thread(target=kernel, args=(first, range(0, 3))),
                   threading.Thread(target=kernel, args=(second, range(3, 6))),
                   threading.Thread(target=widget_turns)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(120)
        assert not errors, errors
        state = s.state()
        assert _captions(state.draft.to_json()) == [f"K{i}" for i in range(9)]   # type: ignore[union-attr]

        # a save based on a version the others have moved past is refused, not a lost edit
        stale = state.version - 3   # type: ignore[operator]
        with pytest.raises(DraftMoved) as moved:
            s.push_draft(state.draft, note="an old copy", base=stale)
        assert "changed" in moved.value.message and moved.value.hint
        assert s.state().version == state.version
        assert s.push_draft(state.draft, note="the same", base=state.version) == state.version
        for n in (first, second):
            n.close()
