"""Draft versions kept by the engine in SQLite, and work that outlives the client that asked for it."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from nemo_jupyter.engine.launcher import EngineProcess
from nemo_jupyter.engine.store import Store
from tests.engine.api.test_engine_api import Api, _draft, _wait

FOREST = "generate a 12-second video of a forest with birds"


@pytest.fixture
def api(engine: EngineProcess) -> Iterator[Api]:
    a = Api(engine.url)
    yield a
    a.http.close()


def _versions(api: Api, sid: str) -> dict[str, Any]:
    r = api.http.get(f"/api/state/nemo_agent/me/{sid}/versions")
    assert r.status_code == 200, r.text
    return dict(r.json()["data"])


def test_every_change_is_a_version_and_restore_is_exact(api: Api) -> None:
    sid = api.session()
    api.chat(sid, FOREST)
    first = api.state(sid)["state"]["draft"]
    api.chat(sid, 'add the title "Deep Woods" for the first 3 seconds')
    second = api.state(sid)["state"]["draft"]
    assert second != first
    api.chat(sid, "please do something I cannot parse: qwxz")  # not understood: no new version
    listing = _versions(api, sid)
    assert [v["version"] for v in listing["versions"]] == [1, 2] and listing["current"] == 2
    assert listing["versions"][1]["parent"] == 1 and listing["versions"][1]["note"].startswith("add the title")
    assert listing["versions"][0]["draft"] == first

    r = api.http.post(f"/api/state/nemo_agent/me/{sid}/versions/1/restore")
    assert r.status_code == 200 and r.json()["data"]["version"] == 1, r.text
    assert api.state(sid)["state"]["draft"] == first, "undo gives back the earlier draft exactly"
    assert _versions(api, sid)["current"] == 1

    api.chat(sid, "make it 8 seconds")        # an edit after the undo builds on version 1
    listing = _versions(api, sid)
    assert listing["current"] == 3 and listing["versions"][2]["parent"] == 1
    assert api.state(sid)["state"]["draft"]["d"] == 8000

    missing = api.http.post(f"/api/state/nemo_agent/me/{sid}/versions/9/restore")
    assert missing.status_code == 404 and "no draft version 9" in missing.json()["message"]


def test_put_draft_moves_back_or_adds_a_version(api: Api) -> None:
    sid = api.session()
    api.chat(sid, FOREST)
    first = api.state(sid)["state"]["draft"]
    api.chat(sid, "make it 6 seconds")
    r = api.http.put(f"/api/state/nemo_agent/me/{sid}/draft", json={"draft": first, "note": "undo"})
    assert r.status_code == 200 and r.json()["data"]["version"] == 1, "a known draft: the head moves back"
    assert api.state(sid)["state"]["draft"] == first
    edited = json.loads(json.dumps(first))
    edited["m"]["title"] = "From a DataFrame"
    r = api.http.put(f"/api/state/nemo_agent/me/{sid}/draft", json={"draft": edited})
    assert r.json()["data"]["version"] == 3
    assert _versions(api, sid)["versions"][2]["kind"] == "set"
    assert api.http.put(f"/api/state/nemo_agent/me/{sid}/draft", json={"draft": {"t": "x"}}).status_code == 422
    assert api.http.put(f"/api/state/nemo_agent/me/{sid}/draft", json={}).status_code == 422
    r = api.http.put(f"/api/state/nemo_agent/me/{sid}/draft", json={"draft": None})
    assert r.status_code == 200 and api.state(sid)["state"]["draft"] is None
    other = Api(api.url)
    assert other.http.get(f"/api/state/nemo_agent/me/{sid}/versions").json()["code"] == 1002


def test_versions_survive_a_restart(tmp_path: Path) -> None:
    store = Store(tmp_path)
    sess = store.create_session("anon_x", "project", "en")
    store.record_turn(sess.session_id, "one", "ok", draft={"t": [], "d": 1}, language="en")
    store.record_turn(sess.session_id, "two", "ok", draft={"t": [], "d": 2}, language="en")
    store.record_turn(sess.session_id, "same", "ok", draft={"t": [], "d": 2}, language="en")
    store.close()
    again = Store(tmp_path)
    versions, current = again.versions(sess.session_id)
    assert [v["note"] for v in versions] == ["one", "two"] and current == 2
    assert again.set_draft(sess.session_id, None, version=1) == 1
    got = again.get_session(sess.session_id)
    assert got is not None and got.draft == {"t": [], "d": 1}
    again.close()


# -- a client that goes away -----------------------------------------------------------------------
def test_a_render_outlives_the_process_that_asked_for_it(api: Api) -> None:
    """The kernel that submitted a render dies at once (SIGKILL-like exit): the render still finishes."""
    sid = api.session()
    job_id = f"render_{uuid.uuid4().hex}"
    script = textwrap.dedent(f"""
        import httpx, os, json
        http = httpx.Client(base_url={api.url!r}, trust_env=False,
                            headers={{"Authorization": "Bearer {api.auth['token']}"}})
        r = http.post("/api/render/proxy/lambda", json={{"id": {job_id!r}, "sessionId": {sid!r},
                      "draft": json.loads({json.dumps(json.dumps(_draft(2.0)))}), "output": {{"quality": "low"}}}})
        assert r.status_code == 200, r.text
        os._exit(9)   # no goodbye, no cancel: as when a kernel dies
    """)
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True, timeout=60)
    assert proc.returncode == 9, proc.stderr.decode()
    data = _wait(api, job_id, 90)
    assert data["status"] == "completed", data


def test_a_chat_turn_is_finished_and_kept_when_the_stream_is_closed(tmp_path: Path,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    """The client closes /run_sse while the planner works: the turn still lands in the session."""
    from fakecloud import serve, slow_engine_planner

    from nemo_jupyter.engine import app as app_mod

    started = slow_engine_planner(monkeypatch, 1.0, keepalive=0.1)
    with serve(app_mod.create_app(tmp_path / "home"), lifespan="on") as url:
        api = Api(url)
        sid = api.session()
        body = {"app_name": "nemo_agent", "user_id": "me", "session_id": sid,
                "new_message": {"parts": [{"text": FOREST}]}}
        with api.http.stream("POST", "/run_sse", json=body) as r:
            assert r.status_code == 200
            next(r.iter_bytes())           # one keep-alive, then the client goes away
        assert started.wait(5)
        deadline = time.monotonic() + 10
        while api.state(sid)["state"]["draft"] is None:
            assert time.monotonic() < deadline, "the turn was dropped with the connection"
            time.sleep(0.1)
        assert api.state(sid)["state"]["draft"]["d"] == 12000
        assert _versions(api, sid)["current"] == 1


# -- bounds: versions kept, pages, the drafts quota -----------------------------------------------
@pytest.fixture(scope="module")
def bounded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    from nemo_jupyter.engine.launcher import start_engine

    proc = start_engine(tmp_path_factory.mktemp("bounded"), idle_timeout=0,
                        extra_args=["--keep-versions", "5", "--quota", "drafts_mb=1.5"])
    yield proc
    proc.stop()


def _numbered(n: int, pad: int = 0) -> dict[str, Any]:
    seg = {"st": 0, "d": 1000 + n, "k": "scene", "scene": "forest", **({"zz": "x" * pad} if pad else {})}
    return {"t": [{"tt": 0, "sg": [seg]}], "d": 1000 + n}


def test_a_session_keeps_its_newest_versions_and_lists_them_by_pages(bounded: Any) -> None:
    api = Api(bounded.url)
    sid = api.session()
    for n in range(1, 9):
        r = api.http.put(f"/api/state/nemo_agent/me/{sid}/draft", json={"draft": _numbered(n), "note": f"v{n}"})
        assert r.status_code == 200 and r.json()["data"]["version"] == n, r.text
    listing = _versions(api, sid)
    assert [v["version"] for v in listing["versions"]] == [4, 5, 6, 7, 8], "the oldest are pruned"
    assert listing["total"] == 5 and listing["current"] == 8 and listing["next"] is None
    assert listing["versions"][0]["draft"] == _numbered(4)
    pruned = api.http.post(f"/api/state/nemo_agent/me/{sid}/versions/2/restore")
    assert pruned.status_code == 404 and "keeps its newest 5" in pruned.json()["message"]
    assert api.http.post(f"/api/state/nemo_agent/me/{sid}/versions/5/restore").json()["data"]["version"] == 5

    pages, after = [], 0
    while True:
        page = api.http.get(f"/api/state/nemo_agent/me/{sid}/versions",
                            params={"after": after, "limit": 2, "drafts": 0}).json()["data"]
        pages.append([v["version"] for v in page["versions"]])
        assert all("draft" not in v for v in page["versions"])
        if page["next"] is None:
            break
        after = page["next"]
    assert pages == [[4, 5], [6, 7], [8]]


def test_the_megabytes_of_drafts_a_user_saves_are_a_quota(bounded: Any) -> None:
    api = Api(bounded.url)
    sid = api.session()
    for n in range(3):   # 0.45 MB each: 1.35 MB of the 1.5 MB a day
        r = api.http.put(f"/api/state/nemo_agent/me/{sid}/draft", json={"draft": _numbered(n, pad=450_000)})
        assert r.status_code == 200, r.text
    before = _versions(api, sid)
    r = api.http.put(f"/api/state/nemo_agent/me/{sid}/draft", json={"draft": _numbered(9, pad=450_000)})
    assert r.status_code == 429 and int(r.headers["Retry-After"]) > 60, r.text
    assert "megabytes of drafts" in r.json()["message"]
    assert _versions(api, sid) == before, "the refused draft was not kept"
    assert api.http.put(f"/api/state/nemo_agent/me/{sid}/draft", json={"draft": _numbered(1)}).status_code == 200
