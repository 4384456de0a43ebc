"""Hostile input over raw HTTP: every case gets a typed 4xx answer, the engine stays healthy
and nothing is stored half-way (no upload, no job, no draft change, no temp file left).

The engine here is its own (module scope), with the default egress policy plus one allowed
host name (``localhost``), so the SSRF cases can also check that a redirect from an allowed
host to a refused address is refused."""

from __future__ import annotations

import io
import json
import socket
import struct
import threading
import uuid
import zlib
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import pytest

from nemo_jupyter.engine.launcher import EngineProcess, start_engine

SECRET = "internal-service-secret-" + uuid.uuid4().hex


@pytest.fixture(scope="module")
def hostile_engine(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EngineProcess]:
    proc = start_engine(tmp_path_factory.mktemp("hostile"), idle_timeout=0,
                        extra_args=["--allow-url-host", "localhost"])
    yield proc
    proc.stop()


class _Internal(BaseHTTPRequestHandler):
    """A service only this machine can reach, holding a secret."""

    def do_GET(self) -> None:
        if self.path.startswith("/bounce"):
            self.send_response(302)
            self.send_header("Location", f"http://127.0.0.1:{self.server.server_address[1]}/secret.txt")
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        body = SECRET.encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture(scope="module")
def internal() -> Iterator[int]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Internal)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield int(server.server_address[1])
    server.shutdown()


class Client:
    def __init__(self, url: str) -> None:
        self.url = url
        self.http = httpx.Client(base_url=url, timeout=60, trust_env=False)
        r = self.http.post("/api/auth/anonymous-token", headers={"X-Client-Id": str(uuid.uuid4())})
        self.http.headers["Authorization"] = f"Bearer {r.json()['data']['token']}"
        r = self.http.post("/api/tasks/me/with-session/nemo_agent", json={"task_name": "p", "language": "en"})
        self.sid = str(r.json()["data"]["session_id"])

    def snapshot(self) -> dict[str, Any]:
        state = self.http.get(f"/api/state/nemo_agent/me/{self.sid}/latest").json()["data"]["state"]
        return {"draft": state["draft"], "uploads": [u["filename"] for u in state["video_infos"]],
                "generated": state["generated_media"]}


@pytest.fixture(scope="module")
def client(hostile_engine: EngineProcess) -> Client:
    return Client(hostile_engine.url)


# --------------------------------------------------------------------------- building bad bodies
def _png(width: int, height: int) -> bytes:
    """A tiny PNG whose header declares ``width`` x ``height`` (a decompression bomb when large)."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    idat = zlib.compress(b"\x00" * 64)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")


def _multipart(parts: list[tuple[bytes, bytes]], boundary: bytes = b"XyZbound") -> tuple[bytes, str]:
    """Raw body from (Content-Disposition value, content) pairs."""
    out = io.BytesIO()
    for disposition, content in parts:
        out.write(b"--" + boundary + b"\r\nContent-Disposition: " + disposition + b"\r\n"
                  b"Content-Type: application/octet-stream\r\n\r\n" + content + b"\r\n")
    out.write(b"--" + boundary + b"--\r\n")
    return out.getvalue(), f"multipart/form-data; boundary={boundary.decode()}"


def _file(name: str, content: bytes) -> tuple[bytes, str]:
    return _multipart([(b'form-data; name="files"; filename="' + name.encode("utf-8") + b'"', content)])


def _draft(**seg: Any) -> dict[str, Any]:
    base = {"st": 0, "d": 2000, "k": "scene", "scene": "forest"}
    base.update(seg)
    return {"t": [{"tt": 0, "sg": [base]}], "d": 2000}


def _nested(depth: int) -> str:
    return "[" * depth + "]" * depth


Case = Callable[[Client, int], httpx.Response]


def _post_json(path: str, raw: str | bytes) -> Case:
    def run(c: Client, port: int) -> httpx.Response:
        return c.http.post(path.replace("{sid}", c.sid), content=raw if isinstance(raw, bytes) else raw.encode(),
                           headers={"Content-Type": "application/json"})
    return run


def _post_body(path: str, body: Any) -> Case:
    """POST ``body`` (JSON data, raw text, or a function of the client giving either) to ``path``."""
    def run(c: Client, port: int) -> httpx.Response:
        payload = body(c) if callable(body) else body
        raw = payload if isinstance(payload, str) else json.dumps(payload)
        return c.http.post(path, content=raw.encode("utf-8", "surrogatepass"),
                           headers={"Content-Type": "application/json"})
    return run


def _render(body: Any) -> Case:
    return _post_body("/api/render/proxy/lambda", body)


def _render_draft(draft: Any) -> Case:
    return _render(lambda c: {"id": f"render_{uuid.uuid4().hex[:8]}", "sessionId": c.sid, "draft": draft})


def _upload(body_and_type: tuple[bytes, str] | Callable[[int], tuple[bytes, str]]) -> Case:
    def run(c: Client, port: int) -> httpx.Response:
        body, ctype = body_and_type(port) if callable(body_and_type) else body_and_type
        return c.http.post(f"/api/upload-video/nemo_agent/me/{c.sid}", content=body, headers={"Content-Type": ctype})
    return run


def _urls(*urls: str) -> Case:
    def run(c: Client, port: int) -> httpx.Response:
        return c.http.post(f"/api/upload-video/nemo_agent/me/{c.sid}",
                           json={"urls": [u.replace("{port}", str(port)) for u in urls], "source_type": "url"})
    return run


def _put_draft(body: Any) -> Case:
    """PUT ``body`` (JSON data, or a function of the client giving it) to the session's draft."""
    def run(c: Client, port: int) -> httpx.Response:
        payload = body(c) if callable(body) else body
        return c.http.put(f"/api/state/nemo_agent/me/{c.sid}/draft", content=json.dumps(payload).encode(),
                          headers={"Content-Type": "application/json"})
    return run


def _get(path: str) -> Case:
    def run(c: Client, port: int) -> httpx.Response:
        return c.http.get(path.replace("{sid}", c.sid))
    return run


def _chat(body: Any) -> Case:
    return _post_body("/run_sse", body)


def _msg(c: Client, text: str) -> str:
    return json.dumps({"app_name": "nemo_agent", "user_id": "me", "session_id": c.sid,
                       "new_message": {"parts": [{"text": text}]}})


SESSION = "/api/tasks/me/with-session/nemo_agent"
UPLOAD = "/api/upload-video/nemo_agent/me/{sid}"

# (case id, request, HTTP status(es), protocol code or None, words the message must contain)
CASES: list[tuple[str, Case, tuple[int, ...], int | None, str]] = [
    # --- sessions: bodies that are not clean JSON
    ("session-nan", _post_json(SESSION, '{"task_name": NaN}'), (422,), 4000, "NaN"),
    ("session-infinity", _post_json(SESSION, '{"task_name": "x", "language": -Infinity}'), (422,), 4000, "Infinity"),
    ("session-1e999", _post_json(SESSION, '{"task_name": 1e999}'), (422,), 4000, "finite"),
    ("session-lone-surrogate", _post_json(SESSION, '{"task_name": "a\\ud800b"}'), (422,), 4000, "surrogate"),
    ("session-surrogate-key", _post_json(SESSION, '{"\\udfff": 1}'), (422,), 4000, "surrogate"),
    ("session-deep-nesting", _post_json(SESSION, '{"task_name": ' + _nested(50_000) + "}"), (422,), 4000, "nested"),
    ("session-nesting-40", _post_json(SESSION, '{"x": ' + _nested(40) + "}"), (422,), 4000, "nested"),
    ("session-not-json", _post_json(SESSION, "{task_name: project"), (422,), 4000, "JSON"),
    ("session-array", _post_json(SESSION, "[1, 2]"), (422,), 4000, "object"),
    ("session-latin1-bytes", _post_json(SESSION, b'{"task_name": "caf\xe9"}'), (422,), 4000, "UTF-8"),
    ("session-name-list", _post_json(SESSION, '{"task_name": ["a"]}'), (422,), 4000, "string"),
    ("session-language-int", _post_json(SESSION, '{"language": 7}'), (422,), 4000, "string"),
    ("session-huge-body", _post_json(SESSION, '{"task_name": "' + "a" * (5 * 1024 * 1024) + '"}'), (413,), 4002,
     "limit"),
    ("session-huge-int", _post_json(SESSION, '{"task_name": ' + "9" * 5000 + "}"), (422,), 4000, "JSON"),
    # --- state and other reads
    ("state-other-session", _get("/api/state/nemo_agent/me/999999999/latest"), (404,), 1002, "Session not found"),
    ("state-dotdot", _get("/api/state/nemo_agent/me/%2E%2E/latest"), (404,), None, ""),
    ("state-long-id", _get("/api/state/nemo_agent/me/" + "9" * 5000 + "/latest"), (404,), 1002, "not found"),
    ("media-not-hex", _get("/media/../../engine.sqlite3/x"), (404,), None, ""),
    ("media-unknown-key", _get("/media/" + "0" * 32 + "/x.mp4"), (404,), None, ""),
    ("job-status-unknown", _get("/api/render/proxy/lambda/render_nope"), (404,), None, "No render job"),
    ("job-status-dotdot", _get("/api/render/proxy/lambda/%2E%2E"), (404,), None, ""),
    ("job-download-unknown", _get("/api/render/proxy/render_nope/download"), (404,), None, ""),
    # --- chat
    ("chat-no-session", _chat({"new_message": {"parts": [{"text": "hi"}]}}), (422,), None, "session_id"),
    ("chat-no-message", _chat(lambda c: {"session_id": c.sid}), (422,), None, "new_message"),
    ("chat-parts-not-list", _chat(lambda c: {"session_id": c.sid, "new_message": {"parts": "hi"}}), (422,), None,
     "parts"),
    ("chat-nan", _chat(lambda c: _msg(c, "x").replace('"me"', "NaN")), (422,), None, "NaN"),
    ("chat-lone-surrogate", _chat(lambda c: _msg(c, "make a video ").replace("video ", "video \\ud83d")), (422,),
     None, "surrogate"),
    ("chat-unknown-session", _chat({"session_id": "424242424242", "new_message": {"parts": [{"text": "hi"}]}}),
     (404,), None, "Session not found"),
    ("chat-deep", _chat(lambda c: '{"session_id": "' + c.sid + '", "x": ' + _nested(5000) + "}"), (422,), None,
     "nested"),
    # --- uploads: multipart that is broken or hostile
    ("upload-no-boundary", _upload((b"abc", "multipart/form-data")), (422,), 4000, "boundary"),
    ("upload-garbled", _upload((b"--XyZbound\r\nthis is not a part header at all\x00\xff\r\n\r\n" * 3,
                                "multipart/form-data; boundary=XyZbound")), (422,), 4000, "malformed"),
    ("upload-truncated", _upload((b'--XyZbound\r\nContent-Disposition: form-data; name="files"; filename="a.png"'
                                  b"\r\n\r\n\x89PNG\r\n\x1a\n partial", "multipart/form-data; boundary=XyZbound")),
     (422,), 4000, ""),
    ("upload-huge-part-header", _upload(_multipart([(b'form-data; name="files"; filename="' + b"a" * 20_000
                                                     + b'.png"', b"x")])), (422,), 4000, "header"),
    ("upload-too-many-files", _upload(_multipart([(f'form-data; name="files"; filename="f{i}.txt"'.encode(),
                                                   b"hello") for i in range(60)])), (413,), 4002, "files"),
    ("upload-exe", _upload(_file("setup.exe", b"MZ\x90\x00")), (415,), 4001, ".exe"),
    ("upload-no-name", _upload(_file("", b"hello")), (415, 422), None, ""),
    ("upload-dots-name", _upload(_file("....", b"hello")), (415,), 4001, "name"),
    ("upload-empty", _upload(_file("empty.png", b"")), (415,), 4001, "empty"),
    ("upload-fake-png", _upload(_file("fake.png", b"\x89PNG\r\n\x1a\n" + b"garbage" * 20)), (415,), 4001, "fake.png"),
    ("upload-bomb-png", _upload(_file("bomb.png", _png(100_000, 100_000))), (415,), 4001, "megapixels"),
    ("upload-bomb-png-60mpx", _upload(_file("big.png", _png(10_000, 6_000))), (415,), 4001, "megapixels"),
    ("upload-mislabelled", _upload(_file("clip.mp4", _png(4, 4))), (415,), 4001, "clip.mp4"),
    ("upload-text-nul", _upload(_file("script.txt", b"hello\x00world")), (415,), 4001, "binary"),
    ("upload-text-latin1", _upload(_file("script.txt", "café".encode("latin-1"))), (415,), 4001, "UTF-8"),
    ("upload-text-too-big", _upload(_file("long.txt", b"a. " * 400_000)), (413,), 4002, "1 MB"),
    ("upload-wrong-ctype", _upload((b"hello", "text/plain")), (422,), 4000, "multipart"),
    ("upload-urls-not-list", _post_json(UPLOAD, '{"urls": "http://example.com/a.png"}'), (422,), 4000, "urls"),
    ("upload-too-many-urls", _urls(*[f"http://203.0.113.{i}/a.png" for i in range(25)]), (413,), 4002, "URLs"),
    # --- URL uploads: SSRF
    ("url-file-scheme", _urls("file:///etc/passwd"), (415,), 4001, "http"),
    ("url-loopback", _urls("http://127.0.0.1:{port}/secret.txt"), (422,), 4000, "loopback"),
    ("url-loopback-2", _urls("http://127.0.0.2:{port}/secret.txt"), (422,), 4000, "loopback"),
    ("url-ipv6-loopback", _urls("http://[::1]:{port}/secret.txt"), (422,), 4000, "loopback"),
    ("url-v4-mapped", _urls("http://[::ffff:127.0.0.1]:{port}/secret.txt"), (422,), 4000, "loopback"),
    ("url-metadata", _urls("http://169.254.169.254/latest/meta-data/iam.txt"), (422,), 4000, "link-local"),
    ("url-private", _urls("http://10.0.0.1/a.png"), (422,), 4000, "private"),
    ("url-private-192", _urls("http://192.168.1.1/a.png"), (422,), 4000, "private"),
    ("url-unspecified", _urls("http://0.0.0.0:{port}/secret.txt"), (422,), 4000, "unspecified"),
    ("url-multicast", _urls("http://224.0.0.1/a.png"), (422,), 4000, "multicast"),
    ("url-decimal-ip", _urls("http://2130706433:{port}/secret.txt"), (422,), 4000, ""),
    ("url-redirect-to-loopback", _urls("http://localhost:{port}/bounce.txt"), (422,), 4000, "loopback"),
    # --- URL uploads: addresses that cannot be parsed (were a 500)
    ("url-zero-padded-ip", _urls("http://127.000.000.001/x.png"), (422,), 4000, "not a URL"),
    ("url-broken-ipv6", _urls("http://[::1/x.png"), (422,), 4000, "not a URL"),
    ("url-port-too-big", _urls("http://example.com:99999/x.png"), (422,), 4000, "not a URL"),
    ("url-no-host", _urls("http:///x.png"), (422,), 4000, "not a URL"),
    ("url-one-bad-of-two", _urls("http://127.0.0.1:{port}/notes.txt", "http://[::1/x.png"), (422,), 4000,
     "not a URL"),
    # --- draft saves: size, stale bases, listing pages
    ("draft-put-over-1mb", _put_draft({"draft": {**_draft(zz="x" * 1_200_000)}}), (413,), 4002, "1 MB"),
    ("draft-put-stale-base", _put_draft({"draft": _draft(), "base": 987}), (409,), 4009, "has changed"),
    ("draft-put-base-not-int", _put_draft({"draft": _draft(), "base": "1"}), (422,), 4000, "base"),
    ("draft-put-no-draft", _put_draft({"note": "x"}), (422,), 4000, "draft"),
    ("versions-limit-0", _get("/api/state/nemo_agent/me/{sid}/versions?limit=0"), (422,), 4000, "limit"),
    ("versions-after-text", _get("/api/state/nemo_agent/me/{sid}/versions?after=x"), (422,), 4000, "after"),
    # --- disk
    ("upload-larger-than-disk", lambda c, port: _announce_huge_upload(c), (413,), 4002, "disk"),
    # --- render: ids
    ("job-id-dot", _render(lambda c: {"id": ".", "draft": _draft()}), (422,), None, "letter or digit"),
    ("job-id-dotdot", _render(lambda c: {"id": "..", "draft": _draft()}), (422,), None, "letter or digit"),
    ("job-id-dash", _render(lambda c: {"id": "-rf", "draft": _draft()}), (422,), None, "letter or digit"),
    ("job-id-long", _render(lambda c: {"id": "r" * 200, "draft": _draft()}), (422,), None, "128"),
    ("job-id-slash", _render(lambda c: {"id": "a/../b", "draft": _draft()}), (422,), None, "letters"),
    ("job-id-int", _render(lambda c: {"id": 5, "draft": _draft()}), (422,), None, "string"),
    # --- render: numbers and types
    ("draft-nan", _render(lambda c: '{"id": "r_nan1", "draft": {"t": [{"tt": 0, "sg": [{"st": 0, "d": NaN}]}]}}'),
     (422,), None, "NaN"),
    ("draft-infinity", _render(lambda c: '{"id": "r_inf1", "draft": {"t": [], "d": Infinity}}'), (422,), None,
     "Infinity"),
    ("draft-1e999", _render(lambda c: '{"id": "r_big1", "draft": {"t": [{"sg": [{"st": 0, "d": 1e999}]}]}}'),
     (422,), None, "finite"),
    ("draft-m-list", _render_draft({**_draft(), "m": [1]}), (422,), None, "'m'"),
    ("draft-st-string", _render_draft(_draft(st="5")), (422,), None, "'st'"),
    ("draft-d-bool", _render_draft(_draft(d=True)), (422,), None, "'d'"),
    ("draft-txt-number", _render_draft({"t": [{"tt": 7, "sg": [{"st": 0, "d": 1000, "k": "title", "txt": 5}]}]}),
     (422,), None, "'txt'"),
    ("draft-volume-5", _render_draft({"t": [{"tt": 1, "sg": [{"st": 0, "d": 1000, "k": "music", "v": 5}]}]}),
     (422,), None, "'v'"),
    ("draft-el-string", _render_draft(_draft(el="birds")), (422,), None, "'el'"),
    ("draft-act-not-list", _render_draft(_draft(act={"s": "cat"})), (422,), None, "'act'"),
    ("draft-tt-string", _render_draft({"t": [{"tt": "0", "sg": [{"st": 0, "d": 1000}]}]}), (422,), None, "'tt'"),
    ("draft-string-not-json", _render(lambda c: {"id": "r_str1", "draft": "{not json"}), (422,), None, "JSON"),
    ("draft-empty", _render_draft({"t": []}), (422,), None, "Nothing on the timeline"),
    # --- render: limits
    ("draft-text-200k", _render_draft({"t": [{"tt": 7, "sg": [{"st": 0, "d": 5000, "k": "title",
                                                               "txt": "w " * 100_000}]}]}), (422,), None, "1000"),
    ("draft-10k-segments", _render_draft({"t": [{"tt": 7, "sg": [{"st": i, "d": 1000, "k": "caption", "txt": "a"}
                                                                 for i in range(10_000)]}]}), (422,), None, "2000"),
    ("draft-60-tracks", _render_draft({"t": [{"tt": 0, "sg": [{"st": 0, "d": 1000}]} for _ in range(60)]}), (422,),
     None, "tracks"),
    ("draft-two-hours", _render_draft(_draft(d=7_200_000)), (422,), None, "minutes"),
    ("draft-total-d", _render_draft({**_draft(), "d": 1e12}), (422,), None, "minutes"),
    ("draft-width-huge", _render_draft({**_draft(), "m": {"width": 100_000, "height": 1080}}), (422,), None, "4096"),
    ("draft-pixels-4096sq", _render_draft({**_draft(), "m": {"width": 4096, "height": 4096}}), (422,), None,
     "Mpx"),
    ("draft-deep", _render(lambda c: '{"id": "r_deep", "draft": {"t": [], "x": ' + _nested(100) + "}}"), (422,),
     None, "nested"),
    ("draft-unknown-src", _render_draft({"t": [{"tt": 0, "sg": [{"st": 0, "d": 1000, "k": "image",
                                                               "src": "http://evil/x.png"}]}]}), (422,), None,
     "not uploads"),
    ("draft-surrogate-txt", _render(lambda c: '{"id": "r_sur", "draft": {"t": [{"tt": 7, "sg": [{"st": 0, "d": 9, '
                                              '"txt": "\\udc80"}]}]}}'), (422,), None, "surrogate"),
    ("render-quality", _render(lambda c: {"id": "r_q1", "draft": _draft(), "output": {"quality": "ultra"}}), (422,),
     None, "quality"),
    ("render-output-list", _render(lambda c: {"id": "r_o1", "draft": _draft(), "output": ["mp4"]}), (422,), None,
     "output"),
    ("render-unknown-session", _render(lambda c: {"id": "r_s1", "sessionId": "31337", "draft": _draft()}), (404,),
     None, "Session not found"),
    ("render-cancel-unknown", lambda c, port: c.http.post("/api/render/proxy/lambda/render_none/cancel"), (404,),
     None, ""),
]


def _announce_huge_upload(c: Client) -> httpx.Response:
    """An upload that says it is 10 TB: refused before a byte of it is stored."""
    host, port = c.url.rsplit("//", 1)[1].split(":")
    head = (f"POST /api/upload-video/nemo_agent/me/{c.sid} HTTP/1.1\r\nHost: {host}:{port}\r\n"
            f"Authorization: {c.http.headers['Authorization']}\r\n"
            "Content-Type: multipart/form-data; boundary=XyZbound\r\n"
            f"Content-Length: {10 * 1024 ** 4}\r\nConnection: close\r\n\r\n")
    with socket.create_connection((host, int(port)), timeout=30) as s:
        s.sendall(head.encode() + b'--XyZbound\r\nContent-Disposition: form-data; name="files"; '
                                  b'filename="huge.mp4"\r\n\r\n' + b"\0" * 65536)
        raw = b""
        while b"\r\n\r\n" not in raw or len(raw) < raw.find(b"\r\n\r\n") + 10:
            piece = s.recv(65536)
            if not piece:
                break
            raw += piece
        while True:
            piece = s.recv(65536)
            if not piece:
                break
            raw += piece
    head_raw, _, body = raw.partition(b"\r\n\r\n")
    status = int(head_raw.split()[1])
    if b"transfer-encoding: chunked" in head_raw.lower():
        out, rest = b"", body
        while rest:
            size_line, _, rest = rest.partition(b"\r\n")
            size = int(size_line.split(b";")[0] or b"0", 16)
            if size == 0:
                break
            out, rest = out + rest[:size], rest[size + 2:]
        body = out
    return httpx.Response(status, content=body, headers={"content-type": "application/json"})


def test_there_are_at_least_60_hostile_http_cases() -> None:
    assert len(CASES) >= 70
    assert len({c[0] for c in CASES}) == len(CASES)


@pytest.mark.parametrize(("name", "case", "statuses", "code", "words"), CASES, ids=[c[0] for c in CASES])
def test_hostile_request_gets_a_typed_4xx_and_nothing_is_stored(
        name: str, case: Case, statuses: tuple[int, ...], code: int | None, words: str,
        client: Client, hostile_engine: EngineProcess, internal: int) -> None:
    before = client.snapshot()
    r = case(client, internal)
    assert r.status_code in statuses, (r.status_code, r.text[:400])
    body = r.json()
    assert isinstance(body, dict)
    message = str(body.get("message") or body.get("detail") or body.get("error") or "")
    assert message, body
    if code is not None:
        assert body.get("code") == code, body
    assert words.lower() in message.lower(), message
    assert SECRET not in r.text
    # the engine is healthy and nothing was kept
    health = httpx.get(f"{hostile_engine.url}/health", timeout=10, trust_env=False)
    assert health.status_code == 200 and health.json()["ok"] is True
    assert client.snapshot() == before
    leftovers = [p for p in (hostile_engine.home / "tmp").rglob("*") if p.is_file()]
    assert leftovers == [], leftovers


@pytest.mark.parametrize("name", ["海浪.png", "café.png", "🌊 wave.png", "שלום.png", "e\u0301te\u0301.png",
                                  "\u202egnp.exe.png", "名前 with space.png"])
def test_non_ascii_upload_names_are_kept(client: Client, name: str) -> None:
    body, ctype = _file(name, _png(4, 3))
    r = client.http.post(f"/api/upload-video/nemo_agent/me/{client.sid}", content=body,
                         headers={"Content-Type": ctype})
    assert r.status_code == 200, r.text
    stored = r.json()["data"]["files"][0]["filename"]
    import unicodedata

    assert stored.removesuffix(".png").split("-")[0] in unicodedata.normalize("NFC", name), (stored, name)
    assert "\ufffd" not in stored


def test_an_rfc5987_file_name_wins(client: Client) -> None:
    body, ctype = _multipart([(b"form-data; name=\"files\"; filename=\"fallback.png\"; "
                               b"filename*=UTF-8''%E6%B5%B7%E6%B5%AA.png", _png(2, 2))])
    r = client.http.post(f"/api/upload-video/nemo_agent/me/{client.sid}", content=body,
                         headers={"Content-Type": ctype})
    assert r.status_code == 200 and r.json()["data"]["files"][0]["filename"].startswith("海浪"), r.text


def test_httpx_sends_a_non_ascii_name_that_arrives_unchanged(client: Client, tmp_path: Path) -> None:
    path = tmp_path / "波.png"
    path.write_bytes(_png(5, 5))
    with path.open("rb") as fh:
        r = client.http.post(f"/api/upload-video/nemo_agent/me/{client.sid}", files=[("files", (path.name, fh))])
    assert r.status_code == 200 and r.json()["data"]["files"][0]["filename"].startswith("波"), r.text


def test_an_allowed_host_can_be_fetched(client: Client, internal: int) -> None:
    """The allow list works (so the refusals above are the policy, not a broken fetch)."""
    r = client.http.post(f"/api/upload-video/nemo_agent/me/{client.sid}",
                         json={"urls": [f"http://localhost:{internal}/notes.txt"]})
    assert r.status_code == 200, r.text
    assert r.json()["data"]["files"][0]["text_preview"] == SECRET


def test_a_full_disk_while_receiving_is_a_413_and_the_part_is_dropped(tmp_path: Path) -> None:
    import errno

    from nemo_jupyter.engine.api.common import ApiError
    from nemo_jupyter.engine.api.multipart import _Incoming

    inc = _Incoming(tmp_path, "big.mp4", 10 ** 9)

    class Full(io.BytesIO):
        def write(self, data: Any) -> int:
            raise OSError(errno.ENOSPC, "No space left on device")

    inc.fh.close()
    inc.fh = Full()   # type: ignore[assignment]
    with pytest.raises(ApiError) as info:
        inc.write(b"x" * 10)
    assert info.value.status == 413 and info.value.code == 4002 and "disk" in info.value.message


@pytest.mark.parametrize("name", ["海" * 90 + ".png", "🌊" * 70 + ".png", "e\u0301" * 130 + ".png",
                                  "ä" * 140 + ".jpeg"])
def test_upload_names_longer_than_a_file_system_allows_are_cut_to_fit(client: Client, hostile_engine: EngineProcess,
                                                                     name: str) -> None:
    """A name over 255 bytes of UTF-8 (90 CJK characters, 70 emoji) was a 500 that left an empty folder."""
    body, ctype = _file(name, _png(4, 3))
    r = client.http.post(f"/api/upload-video/nemo_agent/me/{client.sid}", content=body,
                         headers={"Content-Type": ctype})
    assert r.status_code == 200, r.text
    stored = r.json()["data"]["files"][0]["filename"]
    assert len(stored.encode("utf-8")) <= 200 and stored.endswith(name.rsplit(".", 1)[1]), stored
    assert stored.rsplit(".", 1)[0] and "\ufffd" not in stored
    import unicodedata

    assert unicodedata.normalize("NFC", name).startswith(stored.rsplit(".", 1)[0][:20])
    folders = [d for d in (hostile_engine.home / "uploads").iterdir() if d.is_dir()]
    assert all(len(list(d.iterdir())) == 1 for d in folders), "no empty upload folder is left"
    assert httpx.get(r.json()["data"]["files"][0]["cdn_url"], trust_env=False).status_code == 200


def test_every_answer_says_nosniff(client: Client) -> None:
    """Media served as the type the engine names, never sniffed (an upload named .png holding HTML)."""
    body, ctype = _file("tiny.png", _png(2, 2))
    up = client.http.post(f"/api/upload-video/nemo_agent/me/{client.sid}", content=body,
                          headers={"Content-Type": ctype}).json()["data"]["files"][0]
    media = httpx.get(up["cdn_url"], trust_env=False)
    assert media.status_code == 200 and media.headers["content-type"] == "image/png"
    answers = [media, client.http.get(f"/api/state/nemo_agent/me/{client.sid}/latest"),
               client.http.get("/media/" + "0" * 32 + "/x.mp4"), client.http.get("/no/such/endpoint"),
               httpx.get(f"{client.url}/health", trust_env=False)]
    for r in answers:
        assert r.headers.get("x-content-type-options") == "nosniff", (r.request.url, dict(r.headers))


def test_a_saved_draft_keeps_only_the_keys_a_draft_has(client: Client) -> None:
    draft = {**_draft(zz=1), "junk": "x" * 1000, "t": [{"tt": 0, "sg": [_draft()["t"][0]["sg"][0]], "hidden": 1}]}
    r = client.http.put(f"/api/state/nemo_agent/me/{client.sid}/draft", json={"draft": draft})
    assert r.status_code == 200, r.text
    assert r.json()["data"]["dropped"] == ["junk", "t[0].hidden"]
    stored = client.snapshot()["draft"]
    assert "junk" not in stored and "hidden" not in stored["t"][0] and stored["d"] == 2000
    state = client.http.get(f"/api/state/nemo_agent/me/{client.sid}/latest").json()["data"]["state"]
    version = state["version"]
    r = client.http.put(f"/api/state/nemo_agent/me/{client.sid}/draft", json={"draft": None, "base": version})
    assert r.status_code == 200 and r.json()["data"]["version"] > version    # the right base is accepted
