"""The embedded engine over real HTTP on loopback (talking HTTP directly, not through the client)."""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from _helpers import QuietHandler, loopback_server

from nemo_jupyter.engine.launcher import EngineProcess, start_engine

FOREST = "generate a 30-second video of a forest with birds and soft background music"


class Api:
    """A tiny raw-HTTP helper: one anonymous user, sessions, SSE frames."""

    def __init__(self, url: str, client_id: str | None = None) -> None:
        self.url = url
        self.http = httpx.Client(base_url=url, timeout=120, trust_env=False)
        self.client_id = client_id or str(uuid.uuid4())
        r = self.http.post("/api/auth/anonymous-token", headers={"X-Client-Id": self.client_id})
        assert r.status_code == 200, r.text
        self.auth = r.json()["data"]
        self.http.headers["Authorization"] = f"Bearer {self.auth['token']}"

    def session(self, language: str = "en") -> str:
        r = self.http.post("/api/tasks/me/with-session/nemo_agent",
                           json={"task_name": "project", "language": language})
        assert r.status_code == 200 and r.json()["code"] == 0, r.text
        return str(r.json()["data"]["session_id"])

    def chat(self, sid: str, text: str) -> list[dict[str, Any] | None]:
        """One turn; the frames in order (None for an empty keep-alive frame)."""
        body = {"app_name": "nemo_agent", "user_id": "me", "session_id": sid,
                "new_message": {"role": "user", "parts": [{"text": text}]}, "streaming": True}
        frames: list[dict[str, Any] | None] = []
        with self.http.stream("POST", "/run_sse", json=body, headers={"Accept": "text/event-stream"}) as r:
            assert r.status_code == 200, r.read()
            assert r.headers["content-type"].startswith("text/event-stream")
            for line in r.iter_lines():
                if line.startswith("data:"):
                    payload = line[5:].strip()
                    frames.append(json.loads(payload) if payload else None)
        return frames

    def state(self, sid: str) -> dict[str, Any]:
        r = self.http.get(f"/api/state/nemo_agent/me/{sid}/latest")
        assert r.status_code == 200, r.text
        return dict(r.json()["data"])

    def upload(self, sid: str, *paths: Path, names: list[str] | None = None) -> httpx.Response:
        names = names or [p.name for p in paths]
        files = [("files", (n, p.open("rb"))) for n, p in zip(names, paths, strict=True)]
        try:
            return self.http.post(f"/api/upload-video/nemo_agent/me/{sid}", files=files)
        finally:
            for _, (_, fh) in files:
                fh.close()


@pytest.fixture
def api(engine: EngineProcess) -> Iterator[Api]:
    a = Api(engine.url)
    yield a
    a.http.close()


# --------------------------------------------------------------------------- auth
def test_health_names_the_home_by_hash_not_path(engine: EngineProcess) -> None:
    data = httpx.get(f"{engine.url}/health", trust_env=False).json()
    assert data["ok"] is True and data["engine"] == "nemo_jupyter"
    assert str(engine.home) not in json.dumps(data)
    assert len(data["home"]) == 16


def test_loopback_engine_refuses_other_host_names(engine: EngineProcess) -> None:
    """DNS rebinding: a page on evil.example pointed at 127.0.0.1 must not reach the engine."""
    port = httpx.URL(engine.url).port
    for host in ("evil.example", f"evil.example:{port}", f"127.0.0.1.evil.example:{port}", ""):
        for method, path in (("POST", "/api/auth/anonymous-token"), ("GET", "/health")):
            r = httpx.request(method, f"{engine.url}{path}", headers={"Host": host, "X-Client-Id": "page"},
                              trust_env=False)
            assert r.status_code == 400, (host, path, r.text)
            assert "not allowed" in r.json()["message"] and "localhost" in r.json()["message"]
    for host in (f"127.0.0.1:{port}", "127.0.0.1", f"localhost:{port}", "LocalHost", f"[::1]:{port}"):
        r = httpx.get(f"{engine.url}/health", headers={"Host": host}, trust_env=False)
        assert r.status_code == 200 and r.json()["ok"] is True, (host, r.text)
    assert Api(engine.url).auth["token"], "ordinary requests still work"


def test_host_check_only_when_asked(tmp_path: Path) -> None:
    import anyio

    from nemo_jupyter.engine.__main__ import _trusted_hosts
    from nemo_jupyter.engine.app import LOOPBACK_HOSTS, create_app

    assert _trusted_hosts("0.0.0.0", None, LOOPBACK_HOSTS) is None
    assert _trusted_hosts("192.168.1.5", None, LOOPBACK_HOSTS) is None
    assert set(_trusted_hosts("127.0.0.1", None, LOOPBACK_HOSTS) or []) == set(LOOPBACK_HOSTS)
    assert "hub.example" in (_trusted_hosts("::1", "https://hub.example/proxy/8765", LOOPBACK_HOSTS) or [])

    async def health(app: Any, base: str) -> int:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=base) as client:
            return (await client.get("/health")).status_code

    open_app = create_app(tmp_path / "open")  # an engine the user exposed with --host: any Host
    closed = create_app(tmp_path / "closed", trusted_hosts=LOOPBACK_HOSTS)
    try:
        assert anyio.run(health, open_app, "http://evil.example") == 200
        assert anyio.run(health, closed, "http://evil.example") == 400
        assert anyio.run(health, closed, "http://localhost:8765") == 200
    finally:
        open_app.state.engine.store.close()
        closed.state.engine.store.close()


def test_token_needs_client_id(engine: EngineProcess) -> None:
    r = httpx.post(f"{engine.url}/api/auth/anonymous-token", trust_env=False)
    assert r.status_code == 400
    assert "X-Client-Id" in r.json()["detail"]


def test_same_client_id_gets_fresh_token_same_user(engine: EngineProcess) -> None:
    a = Api(engine.url)
    b = Api(engine.url, client_id=a.client_id)
    c = Api(engine.url)
    assert a.auth["token"] != b.auth["token"]
    assert a.auth["user_id"] == b.auth["user_id"] != c.auth["user_id"]
    assert a.auth["token"].startswith("nmv_usr_") and a.auth["credits"] > 0
    assert a.auth["expires_at"].endswith("Z")


@pytest.mark.parametrize("headers", [{}, {"Authorization": "Bearer nmv_usr_forged"}, {"Authorization": "Basic x"}])
def test_every_api_needs_a_valid_token(engine: EngineProcess, headers: dict[str, str]) -> None:
    http = httpx.Client(base_url=engine.url, trust_env=False, headers=headers)
    for method, path in [("GET", "/api/credits/balance/simple"),
                         ("POST", "/api/tasks/me/with-session/nemo_agent"),
                         ("GET", "/api/state/nemo_agent/me/1/latest"),
                         ("POST", "/api/upload-video/nemo_agent/me/1"),
                         ("POST", "/run_sse"),
                         ("POST", "/api/render/proxy/lambda"),
                         ("GET", "/api/render/proxy/lambda/x"),
                         ("POST", "/api/render/proxy/lambda/x/cancel"),
                         ("GET", "/api/render/proxy/x/download")]:
        r = http.request(method, path, json={})
        assert r.status_code == 401, (method, path, r.text)
        assert r.json()["code"] == 1001


def test_token_is_stored_hashed(engine: EngineProcess, api: Api) -> None:
    raw = (engine.home / "engine.sqlite3").read_bytes()
    wal = engine.home / "engine.sqlite3-wal"
    raw += wal.read_bytes() if wal.exists() else b""
    assert api.auth["token"].encode() not in raw
    log = (engine.home / "engine.log").read_text()
    assert api.auth["token"] not in log


# --------------------------------------------------------------------------- session, credits, state
def test_session_state_and_credits(api: Api) -> None:
    sid = api.session("en")
    assert sid.isdigit()
    st = api.state(sid)
    assert st["session_id"] == sid and st["task_name"] == "project"
    assert st["state"]["draft"] is None
    assert st["state"]["canvas_config"] == {"width": 1920, "height": 1080, "aspect_ratio": "16:9"}
    assert st["state"]["video_infos"] == [] and st["state"]["generated_media"] == []
    cr = api.http.get("/api/credits/balance/simple").json()
    assert cr["code"] == 0
    assert cr["data"]["total"] == cr["data"]["available"] + cr["data"]["frozen"]


def test_claim_token_for_own_session_only(engine: EngineProcess, api: Api) -> None:
    sid = api.session()
    r = api.http.post("/api/auth/claim-token", json={"session_id": sid})
    assert r.json()["code"] == 0 and r.json()["data"]["claim_token"].startswith("clm_")
    other = Api(engine.url)
    assert other.http.post("/api/auth/claim-token", json={"session_id": sid}).json()["code"] == 1002


def test_unknown_or_foreign_session_is_1002(engine: EngineProcess, api: Api) -> None:
    other = Api(engine.url)
    sid = other.session()
    for s in ("999", sid):  # unknown, and someone else's
        r = api.http.get(f"/api/state/nemo_agent/me/{s}/latest")
        assert r.status_code == 404 and r.json()["code"] == 1002


def test_run_sse_unknown_session_is_404_before_streaming(api: Api) -> None:
    body = {"app_name": "nemo_agent", "user_id": "me", "session_id": "nope",
            "new_message": {"parts": [{"text": "hi"}]}}
    r = api.http.post("/run_sse", json=body)
    assert r.status_code == 404
    assert r.headers["content-type"] == "application/json"
    assert r.json() == {"detail": "Session not found: nope"}


@pytest.mark.parametrize("text,code", [("   ", "EMPTY_MESSAGE"), ("x" * 20_001, "MESSAGE_TOO_LONG")])
def test_run_sse_empty_or_huge_prompt_is_a_clear_error(api: Api, text: str, code: str) -> None:
    sid = api.session()
    frames = api.chat(sid, text)
    assert len(frames) == 1 and frames[0] is not None
    assert frames[0]["errorCode"] == code and frames[0]["error"]
    assert api.state(sid)["state"]["draft"] is None


# --------------------------------------------------------------------------- chat (needs the planner)
def test_run_sse_stream_shape(api: Api) -> None:
    sid = api.session()
    frames = [f for f in api.chat(sid, FOREST) if f is not None]
    texts = [f for f in frames if "text" in f["content"]["parts"][0]]
    partials = [f for f in texts if f.get("partial")]
    finals = [f for f in texts if not f.get("partial")]
    assert len(partials) >= 2, "the reply streams as several partial chunks"
    full = "".join(p["content"]["parts"][0]["text"] for p in partials)
    assert finals and finals[0]["content"]["parts"][0]["text"] == full
    assert frames.index(finals[0]) > frames.index(partials[-1])
    calls = [f for f in frames if "functionCall" in f["content"]["parts"][0]]
    results = [f for f in frames if "functionResponse" in f["content"]["parts"][0]]
    assert calls and len(calls) == len(results)
    for c, r in zip(calls, results, strict=True):
        assert r["content"]["role"] == "user"
        assert c["content"]["parts"][0]["functionCall"]["id"] == r["content"]["parts"][0]["functionResponse"]["id"]
    delta = results[-1]["actions"]["stateDelta"]
    assert delta["draft"]["d"] == 30000
    assert any(tr["sg"] for tr in delta["draft"]["t"])
    # The state holds the same draft.
    assert api.state(sid)["state"]["draft"] == delta["draft"]
    for f in frames:
        assert f["author"] == "nemo_agent" and f["invocationId"] == frames[0]["invocationId"]


def test_run_sse_not_understood_keeps_draft(api: Api) -> None:
    sid = api.session()
    api.chat(sid, FOREST)
    before = api.state(sid)["state"]["draft"]
    frames = [f for f in api.chat(sid, "qwzx vvbnm plorp") if f is not None]
    text = [f for f in frames if not f.get("partial") and "text" in f["content"]["parts"][0]]
    assert text and len(text[-1]["content"]["parts"][0]["text"]) > 20
    assert not any("draft" in (f["actions"]["stateDelta"] or {}) for f in frames)  # only the brief
    assert api.state(sid)["state"]["draft"] == before


# --------------------------------------------------------------------------- uploads
def test_upload_several_files_multipart(api: Api, make_media: Any) -> None:
    sid = api.session()
    img = make_media.image("red.png", 64, 48, "red")
    vid = make_media.video("clip.mp4", 1.0, 64, 48)
    wav = make_media.audio("tone.wav", 1.0)
    txt = make_media.text("script.txt", "Welcome to our bakery.\nFresh bread every day.\n")
    r = api.upload(sid, img, vid, wav, txt)
    assert r.status_code == 200, r.text
    files = r.json()["data"]["files"]
    assert [f["file_type"] for f in files] == ["image", "video", "audio", "text"]
    assert (files[0]["width"], files[0]["height"]) == (64, 48)
    assert abs(files[1]["duration"] - 1.0) < 0.2
    for f in files:
        assert set(f) >= {"filename", "file_type", "cdn_url", "duration", "width", "height", "fps", "hash"}
    # cdn_url serves the bytes without auth, with range support.
    got = httpx.get(files[0]["cdn_url"], trust_env=False)
    assert got.status_code == 200 and got.content == img.read_bytes()
    part = httpx.get(files[1]["cdn_url"], headers={"Range": "bytes=0-99"}, trust_env=False)
    assert part.status_code == 206 and part.content == vid.read_bytes()[:100]
    infos = api.state(sid)["state"]["video_infos"]
    assert [i["filename"] for i in infos] == ["red.png", "clip.mp4", "tone.wav", "script.txt"]
    assert infos[3]["text_preview"].startswith("Welcome to our bakery")


def test_text_scripts_are_capped_and_state_carries_only_a_preview(api: Api, make_media: Any,
                                                                   tmp_path: Path) -> None:
    sid = api.session()
    big = tmp_path / "novel.txt"
    big.write_bytes(b"word " * (1024 * 1024 // 5 + 1))  # just over 1 MB: far below the upload limit
    r = api.upload(sid, big)
    assert r.status_code == 413, r.text
    body = r.json()
    assert body["code"] == 4002 and "1 MB" in body["message"] and "script" in body["message"], body
    assert body["data"]["limit"] == 1024 * 1024
    assert api.state(sid)["state"]["video_infos"] == [], "a refused script stores nothing"

    lines = [f"Line {i} of our long bakery script, told slowly and with care." for i in range(1, 12)]
    script = make_media.text("long.txt", "\n".join(lines) + "\n")
    r = api.upload(sid, script)
    assert r.status_code == 200, r.text
    for info in (r.json()["data"]["files"][0], api.state(sid)["state"]["video_infos"][0]):
        assert "text" not in info
        assert len(info["text_preview"]) == 200 and info["text_preview"].startswith("Line 1 of")
    # The planner still reads the whole script from the store: the last line becomes a caption.
    api.chat(sid, FOREST)
    api.chat(sid, "make it 60 seconds")   # captions hold what can be read in the video: 680 characters
    api.chat(sid, "add captions from my script")
    assert "Line 11 of our long bakery script" in json.dumps(api.state(sid)["state"]["draft"])


def test_upload_path_tricks_are_sanitised(engine: EngineProcess, api: Api, make_media: Any) -> None:
    sid = api.session()
    txt = make_media.text("a.txt", "hello")
    r = api.upload(sid, txt, txt, txt, names=["../../evil.txt", "/etc/passwd.txt", "..\\..\\win.txt"])
    assert r.status_code == 200, r.text
    names = [f["filename"] for f in r.json()["data"]["files"]]
    assert names == ["evil.txt", "passwd.txt", "win.txt"]
    assert not (engine.home / "evil.txt").exists() and not (engine.home.parent / "evil.txt").exists()
    for f in r.json()["data"]["files"]:
        assert "/media/" in f["cdn_url"] and ".." not in f["cdn_url"]


def test_upload_bad_files_are_4001_and_nothing_is_stored(api: Api, make_media: Any, tmp_path: Path) -> None:
    sid = api.session()
    good = make_media.image("ok.png", 32, 32, "blue")
    corrupt = tmp_path / "broken.mp4"
    corrupt.write_bytes(b"\x00\x00\x00\x18ftypmp42" + b"garbage" * 200)
    audio_as_png = make_media.audio("tone.wav", 0.5)
    not_utf8 = tmp_path / "latin.txt"
    not_utf8.write_bytes("café crème".encode("latin-1"))
    docx = make_media.text("essay.docx", "x")
    cases = [(corrupt, "broken.mp4", "broken.mp4"), (audio_as_png, "photo.png", "photo.png"),
             (not_utf8, "latin.txt", "UTF-8"), (docx, "essay.docx", ".txt")]
    for path, name, expect in cases:
        r = api.upload(sid, good, path, names=["ok.png", name])
        assert r.status_code == 415, (name, r.text)
        body = r.json()
        assert body["code"] == 4001 and expect in body["message"], body
        assert body["data"]["accepted"]
    assert api.state(sid)["state"]["video_infos"] == [], "a refused upload stores nothing, not even the good file"


def test_upload_by_url_from_a_loopback_server(api: Api, make_media: Any) -> None:
    img = make_media.image("green.png", 40, 30, "green")
    payload = img.read_bytes()

    class Handler(QuietHandler):
        def do_GET(self) -> None:
            if self.path == "/pics/green.png":
                self.send_bytes(payload, "image/png")
            else:
                self.send_response(404)
                self.end_headers()

    with loopback_server(Handler) as base:
        sid = api.session()
        r = api.http.post(f"/api/upload-video/nemo_agent/me/{sid}",
                          json={"urls": [f"{base}/pics/green.png"], "source_type": "url"})
        assert r.status_code == 200, r.text
        f = r.json()["data"]["files"][0]
        assert (f["filename"], f["file_type"], f["width"], f["height"]) == ("green.png", "image", 40, 30)
        assert httpx.get(f["cdn_url"], trust_env=False).content == payload
        bad = api.http.post(f"/api/upload-video/nemo_agent/me/{sid}", json={"urls": ["file:///etc/passwd"]})
        assert bad.json()["code"] == 4001
        missing = api.http.post(f"/api/upload-video/nemo_agent/me/{sid}", json={"urls": [f"{base}/nope.png"]})
        assert missing.json()["code"] != 0 and "404" in missing.json()["message"]
        assert len(api.state(sid)["state"]["video_infos"]) == 1


def test_upload_by_url_follows_few_redirects_and_only_to_http(api: Api, make_media: Any) -> None:
    payload = make_media.image("blue.png", 20, 10, "blue").read_bytes()

    class Handler(QuietHandler):
        def do_GET(self) -> None:
            if self.path == "/blue.png":
                self.send_bytes(payload, "image/png")
                return
            self.send_response(302)
            if self.path.startswith("/hops/"):  # /hops/N redirects N times before the file
                n = int(self.path.rsplit("/", 1)[1])
                self.send_header("Location", f"/hops/{n - 1}" if n > 1 else "/blue.png")
            else:
                self.send_header("Location", "file:///etc/passwd")
            self.send_header("Content-Length", "0")
            self.end_headers()

    with loopback_server(Handler) as base:
        sid = api.session()
        up = f"/api/upload-video/nemo_agent/me/{sid}"
        r = api.http.post(up, json={"urls": [f"{base}/hops/3"]})
        assert r.status_code == 200 and r.json()["data"]["files"][0]["width"] == 20, r.text
        r = api.http.post(up, json={"urls": [f"{base}/hops/4"]})
        assert r.json()["code"] == 4000 and "more than 3 redirects" in r.json()["message"], r.text
        r = api.http.post(up, json={"urls": [f"{base}/to-file"]})
        assert r.status_code == 415 and r.json()["code"] == 4001, r.text
        assert "file URL" in r.json()["message"] and "http and https" in r.json()["message"]
        assert len(api.state(sid)["state"]["video_infos"]) == 1


@pytest.fixture(scope="module")
def small_engine(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EngineProcess]:
    proc = start_engine(tmp_path_factory.mktemp("small-engine"), idle_timeout=0, max_upload_mb=1,
                        extra_args=["--allow-url-host", "127.0.0.1"])
    yield proc
    proc.stop()


def test_oversize_upload_is_4002_while_streaming(small_engine: EngineProcess, tmp_path: Path) -> None:
    api = Api(small_engine.url)
    sid = api.session()
    big = tmp_path / "big.txt"
    big.write_bytes(b"a" * (3 * 1024 * 1024))
    small = tmp_path / "small.txt"
    small.write_text("fine")
    r = api.upload(sid, small, big)
    assert r.status_code == 413
    assert r.json()["code"] == 4002 and r.json()["data"]["limit"] == 1024 * 1024
    assert api.state(sid)["state"]["video_infos"] == []
    leftovers = [p for p in (small_engine.home / "tmp").rglob("*") if p.is_file()]
    assert leftovers == [], "the partial file is removed"
    assert not any((small_engine.home / "uploads").iterdir())


# --------------------------------------------------------------------------- render endpoints
def _draft(seconds: float = 1.0, w: int = 320, h: int = 180) -> dict[str, Any]:
    ms = int(seconds * 1000)
    return {"t": [{"tt": 0, "n": "Video", "sg": [{"id": "s1", "k": "scene", "scene": "forest", "st": 0, "d": ms}]}],
            "d": ms, "m": {"title": "t", "width": w, "height": h, "fps": 30, "aspect": "16:9"}}


@pytest.mark.parametrize("draft,words", [
    ({"t": [], "d": 1000}, "Nothing on the timeline"),
    ({"t": [{"tt": 0, "sg": []}]}, "Nothing on the timeline"),
    ({"t": [{"tt": 0, "sg": [{"st": 0, "d": -5}]}]}, "duration"),
    ({"tracks": []}, "track list"),
    ("not json", "not JSON"),
])
def test_render_refuses_bad_drafts_and_queues_nothing(api: Api, draft: Any, words: str) -> None:
    sid = api.session()
    job_id = f"render_{uuid.uuid4().hex}"
    r = api.http.post("/api/render/proxy/lambda", json={"id": job_id, "sessionId": sid, "draft": draft})
    assert r.status_code == 422 and r.json()["success"] is False
    assert words in r.json()["error"]
    assert api.http.get(f"/api/render/proxy/lambda/{job_id}").status_code == 404


def test_render_duplicate_id_is_refused(api: Api) -> None:
    sid = api.session()
    job_id = f"render_{uuid.uuid4().hex}"
    body = {"id": job_id, "sessionId": sid, "draft": _draft(0.5), "output": {"format": "mp4", "quality": "low"}}
    first = api.http.post("/api/render/proxy/lambda", json=body)
    assert first.status_code == 200 and first.json() == {
        "success": True, "data": {"id": job_id, "status": "pending", "progress": 0,
                                  "createdAt": first.json()["data"]["createdAt"]}}
    again = api.http.post("/api/render/proxy/lambda", json=body)
    assert again.status_code == 409 and "exists" in again.json()["error"]
    api.http.post(f"/api/render/proxy/lambda/{job_id}/cancel")


def _wait(api: Api, job_id: str, timeout: float = 120) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        data = api.http.get(f"/api/render/proxy/lambda/{job_id}").json()["data"]
        if data["status"] in ("completed", "failed"):
            return dict(data)
        time.sleep(0.3)
    raise AssertionError(f"render {job_id} did not finish")


def test_render_submit_poll_download(api: Api) -> None:
    sid = api.session()
    job_id = f"render_{uuid.uuid4().hex}"
    r = api.http.post("/api/render/proxy/lambda", json={
        "id": job_id, "sessionId": sid, "draft": _draft(1.0),
        "output": {"format": "mp4", "quality": "low", "resolution": "720p"}})
    assert r.status_code == 200, r.text
    data = _wait(api, job_id)
    assert data["status"] == "completed", data
    assert data["progress"] == 100 and data["outputUrl"] and data["completedAt"] >= data["createdAt"]
    assert data["error"] is None
    dl = api.http.get(f"/api/render/proxy/{job_id}/download")
    assert dl.status_code == 200 and dl.headers["content-type"] == "video/mp4"
    assert dl.content[4:8] == b"ftyp"
    media = httpx.get(data["outputUrl"], trust_env=False)
    assert media.content == dl.content
    gen = api.state(sid)["state"]["generated_media"]
    assert [g["id"] for g in gen] == [job_id]
    # Someone else cannot poll or download it.
    other = Api(api.url)
    assert other.http.get(f"/api/render/proxy/lambda/{job_id}").status_code == 404
    assert other.http.get(f"/api/render/proxy/{job_id}/download").status_code == 404


def test_render_cancel(engine: EngineProcess, api: Api) -> None:
    sid = api.session()
    job_id = f"render_{uuid.uuid4().hex}"
    r = api.http.post("/api/render/proxy/lambda", json={
        "id": job_id, "sessionId": sid, "draft": _draft(60.0, 1920, 1080), "output": {"quality": "high"}})
    assert r.status_code == 200
    deadline = time.monotonic() + 60
    while api.http.get(f"/api/render/proxy/lambda/{job_id}").json()["data"]["status"] == "pending":
        assert time.monotonic() < deadline
        time.sleep(0.1)
    c = api.http.post(f"/api/render/proxy/lambda/{job_id}/cancel")
    assert c.status_code == 200 and c.json()["success"] is True
    data = _wait(api, job_id, 60)
    assert data["status"] == "failed" and "cancel" in data["error"]
    assert api.http.get(f"/api/render/proxy/{job_id}/download").status_code == 409
    deadline = time.monotonic() + 10
    while list((engine.home / "tmp").glob(f"render-{job_id}")) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not list((engine.home / "tmp").glob(f"render-{job_id}")), "temp files are cleaned"


def test_media_paths_are_unguessable(engine: EngineProcess) -> None:
    assert httpx.get(f"{engine.url}/media/{'0' * 32}/x.png", trust_env=False).status_code == 404
    assert httpx.get(f"{engine.url}/media/../engine.sqlite3", trust_env=False).status_code == 404


def test_render_sources_must_be_uploads_sandbox_paths_map(api: Api, make_media: Any) -> None:
    sid = api.session()
    up = api.upload(sid, make_media.image("pic.png", 64, 36, "yellow")).json()["data"]["files"][0]
    seg = {"id": "i1", "k": "image", "st": 0, "d": 500}
    for src, accepted in [("/mnt/userdata/nothere.png", False), ("http://elsewhere.example/x.png", False),
                          ("/mnt/userdata/pic.png", True), (up["cdn_url"], True)]:
        job_id = f"render_{uuid.uuid4().hex}"
        draft = {"t": [{"tt": 0, "sg": [{**seg, "src": src}]}], "d": 500}
        r = api.http.post("/api/render/proxy/lambda", json={"id": job_id, "sessionId": sid, "draft": draft,
                                                           "output": {"quality": "low", "resolution": "720p"}})
        assert (r.status_code == 200) is accepted, (src, r.text)
        if accepted:
            api.http.post(f"/api/render/proxy/lambda/{job_id}/cancel")
        else:
            assert "not uploads" in r.json()["error"]
            assert api.http.get(f"/api/render/proxy/lambda/{job_id}").status_code == 404


def test_concurrent_renders_are_bounded_by_the_cores(api: Api) -> None:
    from nemo_jupyter.engine.jobs import max_workers

    sid = api.session()
    ids = [f"render_{uuid.uuid4().hex}" for _ in range(max_workers() + 1)]
    for job_id in ids:
        r = api.http.post("/api/render/proxy/lambda", json={
            "id": job_id, "sessionId": sid, "draft": _draft(60.0, 1920, 1080), "output": {"quality": "high"}})
        assert r.status_code == 200
    try:
        seen_processing = 0
        deadline = time.monotonic() + 4
        while time.monotonic() < deadline:
            statuses = [api.http.get(f"/api/render/proxy/lambda/{j}").json()["data"]["status"] for j in ids]
            running = statuses.count("processing")
            assert running <= max_workers(), statuses
            seen_processing = max(seen_processing, running)
            time.sleep(0.3)
        assert seen_processing >= 1
        assert "pending" in statuses, "the extra job waits for a free worker"
    finally:
        for job_id in ids:
            api.http.post(f"/api/render/proxy/lambda/{job_id}/cancel")
    for job_id in ids:
        assert _wait(api, job_id, 60)["status"] == "failed"


def test_keepalives_flow_during_a_slow_planner(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """In-process engine on loopback with a planner slowed down on purpose: empty data frames keep
    the stream alive until the reply comes."""

    from fakecloud import serve, slow_engine_planner

    from nemo_jupyter.engine import app as app_mod

    slow_engine_planner(monkeypatch, 1.3, keepalive=0.25)
    with serve(app_mod.create_app(tmp_path / "home"), lifespan="on") as url:
        api = Api(url)
        frames = api.chat(api.session(), "a 10-second video of snow")
    empty = [i for i, f in enumerate(frames) if f is None]
    assert len(empty) >= 3
    assert max(empty) < min(i for i, f in enumerate(frames) if f is not None), "keep-alives come before the reply"
    assert frames[-1] is not None and frames[-1]["actions"]["stateDelta"]["draft"]["d"] == 10000


def test_reply_chunks_rebuild_the_text() -> None:
    from nemo_jupyter.engine.api.sse import _chunks

    for text in ["Made a 30-second video of a forest with birds and soft music.",
                 "已生成一个30秒的森林视频，带有鸟鸣和轻柔的背景音乐。请说导出来渲染。", "ok"]:
        parts = _chunks(text)
        assert "".join(parts) == text
        assert len(parts) >= (2 if len(text) > 20 else 1)


def test_oversize_url_upload_is_4002(small_engine: EngineProcess) -> None:
    blob = b"b" * (2 * 1024 * 1024)

    class Handler(QuietHandler):
        protocol_version = "HTTP/1.0"  # without Content-Length the body ends at close

        def do_GET(self) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "text/plain")
            if self.path == "/sized.txt":
                self.send_header("Content-Length", str(len(blob)))
            self.end_headers()
            self.wfile.write(blob)

    with loopback_server(Handler) as base:
        api = Api(small_engine.url)
        sid = api.session()
        for path in ("/sized.txt", "/unsized.txt"):
            r = api.http.post(f"/api/upload-video/nemo_agent/me/{sid}", json={"urls": [f"{base}{path}"]})
            assert r.status_code == 413 and r.json()["code"] == 4002, (path, r.text)
        assert api.state(sid)["state"]["video_infos"] == []
        assert not [p for p in (small_engine.home / "tmp").rglob("*") if p.is_file()]
