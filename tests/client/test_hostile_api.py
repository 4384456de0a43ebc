"""Hostile input through the Python API: every case raises a typed ``NemoError`` (never a bare
``UnicodeEncodeError`` / ``ValueError`` / ``FileNotFoundError``), the engine stays healthy and
nothing is stored half-way. Plus the client's identity, id-encoding and job-state fixes."""

from __future__ import annotations

import json
import os
import struct
import sys
import uuid
import zlib
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from fakecloud import FAST, FakeCloud, Job
from starlette.requests import Request
from starlette.responses import StreamingResponse

from nemo_jupyter import (
    BadRequest,
    ConfigError,
    DownloadError,
    DraftError,
    DraftMoved,
    FileTooLarge,
    InvalidInput,
    Nemo,
    NemoError,
    RenderCancelled,
    RenderError,
    SessionNotFound,
    StreamError,
    UnsupportedFileType,
    UploadError,
)
from nemo_jupyter.engine.launcher import EngineProcess


def _png(width: int, height: int) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(b"\x00" * 64)) + chunk(b"IEND", b""))


@pytest.fixture(scope="module")
def ready(engine: EngineProcess, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Nemo, Any, Path]]:
    files = tmp_path_factory.mktemp("hostile-files")
    nemo = Nemo(engine.url, retries=0, poll_interval=0.2)
    s = nemo.session("hostile")
    s.ask("make a 3-second video of the ocean")
    yield nemo, s, files
    nemo.close()


def _file(root: Path, name: str, content: bytes) -> Path:
    path = root / name
    path.write_bytes(content)
    return path


def _big_text(root: Path) -> Path:
    return _file(root, "long.txt", b"A sentence. " * 100_000)


def _nan_draft(s: Any) -> Any:
    d = s.state().draft.to_json()
    d["t"][0]["sg"][0]["d"] = float("nan")
    return s.export(draft=d)


def _huge_text_draft(s: Any) -> Any:
    d = s.state().draft.to_json()
    d["t"].append({"tt": 7, "sg": [{"st": 0, "d": 1000, "k": "title", "txt": "w" * 200_000}]})
    return s.export(draft=d)


def _m_list_draft(s: Any) -> Any:
    d = s.state().draft.to_json()
    d["m"] = [1]
    return s.export(draft=d)


def _download_into_a_file(s: Any, root: Path) -> Any:
    blocker = _file(root, "not-a-folder", b"a file")
    d = s.state().draft.to_json()
    d["m"]["title"] = "Elsewhere"     # a draft of its own: no other case's render is reused
    return s.export(quality="preview", draft=d).wait(timeout=120).download(blocker / "x.mp4")


def _stale_save(s: Any) -> Any:
    state = s.state()
    return s.push_draft(state.draft, note="an old copy", base=(state.version or 1) - 1)


def _cancel_then_wait(s: Any) -> Any:
    job = s.export(quality="preview", resolution="720p")
    job.cancel()
    return job.wait(timeout=60)


Call = Callable[[Nemo, Any, Path], Any]

# (case id, call, the typed error expected)
CASES: list[tuple[str, Call, type[NemoError]]] = [
    ("ask-lone-surrogate", lambda n, s, f: s.ask("make a video \ud83d of the sea"), InvalidInput),
    ("ask-lone-low-surrogate", lambda n, s, f: s.ask("\udc80"), InvalidInput),
    ("ask-empty", lambda n, s, f: s.ask("   "), StreamError),
    ("ask-not-text", lambda n, s, f: s.ask(42), StreamError),
    ("ask-too-long", lambda n, s, f: s.ask("make a video " * 3000), StreamError),
    ("session-name-surrogate", lambda n, s, f: n.session("\ud800").ask("make a video"), InvalidInput),
    ("upload-missing", lambda n, s, f: s.upload(f / "missing.png"), UploadError),
    ("upload-folder", lambda n, s, f: s.upload(f), UploadError),
    ("upload-nul-in-path", lambda n, s, f: s.upload("photo\x00.png"), UploadError),
    ("upload-exe", lambda n, s, f: s.upload(_file(f, "setup.exe", b"MZ")), UnsupportedFileType),
    ("upload-fake-png", lambda n, s, f: s.upload(_file(f, "fake.png", b"not a png at all")), UnsupportedFileType),
    ("upload-bomb", lambda n, s, f: s.upload(_file(f, "bomb.png", _png(100_000, 100_000))), UnsupportedFileType),
    ("upload-long-script", lambda n, s, f: s.upload(_big_text(f)), FileTooLarge),
    ("upload-private-url", lambda n, s, f: s.upload(urls=["http://10.1.2.3/secret.png"]), BadRequest),
    ("upload-metadata-url", lambda n, s, f: s.upload(urls=["http://169.254.169.254/x.png"]), BadRequest),
    ("upload-ftp-url", lambda n, s, f: s.upload(urls=["ftp://example.com/a.png"]), UploadError),
    ("upload-url-broken-ipv6", lambda n, s, f: s.upload(urls=["http://[::1/x.png"]), BadRequest),
    ("upload-url-zero-padded-ip", lambda n, s, f: s.upload(urls=["http://127.000.000.001/x.png"]), BadRequest),
    ("download-into-a-file", lambda n, s, f: _download_into_a_file(s, f), DownloadError),
    ("save-on-a-stale-version", lambda n, s, f: _stale_save(s), DraftMoved),
    ("export-nan", lambda n, s, f: _nan_draft(s), DraftError),
    ("export-huge-text", lambda n, s, f: _huge_text_draft(s), NemoError),
    ("export-m-list", lambda n, s, f: _m_list_draft(s), NemoError),
    ("export-bad-tracks", lambda n, s, f: s.export(draft={"t": "x"}), DraftError),
    ("export-bad-quality", lambda n, s, f: s.export(quality="ultra"), NemoError),
    ("state-dotdot-session", lambda n, s, f: n.session(session_id="..").state(), SessionNotFound),
    ("state-slash-session", lambda n, s, f: n.session(session_id="1/../../x").state(), SessionNotFound),
    ("state-query-session", lambda n, s, f: n.session(session_id="1?x=2#y").state(), SessionNotFound),
    ("attach-dotdot", lambda n, s, f: n.attach("..").poll(), RenderError),
    ("attach-slash", lambda n, s, f: n.attach("a/b").poll(), RenderError),
    ("attach-surrogate", lambda n, s, f: n.attach("r\udcff").poll(), RenderError),
    ("wait-after-cancel", lambda n, s, f: _cancel_then_wait(s), RenderCancelled),
    ("config-backend", lambda n, s, f: Nemo("gopher://x"), ConfigError),
    ("config-client-id-newline", lambda n, s, f: Nemo(n.backend, client_id="a\r\nX-Evil: 1"), ConfigError),
    ("config-token-non-ascii", lambda n, s, f: Nemo(n.backend, token="tök"), ConfigError),
    ("config-max-upload-text", lambda n, s, f: Nemo(n.backend, max_upload_mb="lots"), ConfigError),  # type: ignore
    ("config-max-upload-nan", lambda n, s, f: Nemo(n.backend, max_upload_mb=float("nan")), ConfigError),
]


def test_there_are_enough_python_api_cases() -> None:
    assert len(CASES) >= 30


@pytest.mark.parametrize(("name", "call", "expected"), CASES, ids=[c[0] for c in CASES])
def test_hostile_call_raises_a_typed_error_and_nothing_is_stored(
        name: str, call: Call, expected: type[NemoError], ready: tuple[Nemo, Any, Path],
        engine: EngineProcess) -> None:
    nemo, s, files = ready
    before = s.state()
    with pytest.raises(NemoError) as info:
        call(nemo, s, files)
    err = info.value
    assert isinstance(err, expected), (type(err), err)
    assert err.message and err.hint, err
    assert "Traceback" not in str(err)
    assert httpx.get(f"{engine.url}/health", trust_env=False).json()["ok"] is True
    after = s.state()
    assert after.draft == before.draft and [a.filename for a in after.assets] == [a.filename for a in before.assets]


def test_non_ascii_and_undecodable_file_names_upload(ready: tuple[Nemo, Any, Path]) -> None:
    _nemo, s, files = ready
    uploaded = s.upload(_file(files, "海浪 🌊.png", _png(4, 3)))
    assert uploaded[0].filename == "海浪 🌊.png"
    if sys.platform.startswith("linux"):
        raw = os.path.join(os.fsencode(files), b"caf\xe9.png")   # a Latin-1 name on a UTF-8 system
        with open(raw, "wb") as fh:
            fh.write(_png(2, 2))
        [odd] = s.upload(os.fsdecode(raw))
        assert odd.filename == "caf_.png"


# --------------------------------------------------------------------------- identity
def test_an_explicit_client_id_is_honoured_when_a_token_is_cached(engine: EngineProcess) -> None:
    first = Nemo(engine.url, retries=0)
    first.credits()                                   # caches a token for the persisted client id
    other_id = str(uuid.uuid4())
    second = Nemo(engine.url, client_id=other_id, retries=0)
    second.credits()
    assert second.user_id and first.user_id and second.user_id != first.user_id
    again = Nemo(engine.url, client_id=other_id, retries=0)
    again.credits()
    assert again.user_id == second.user_id            # its own cached token is reused
    third = Nemo(engine.url, retries=0)
    third.credits()
    assert third.user_id == first.user_id             # and the persisted id still has its own
    for n in (first, second, again, third):
        n.close()


# --------------------------------------------------------------------------- a lost submit answer
def test_a_lost_submit_answer_finds_the_job_instead_of_saying_unreachable(cloud: FakeCloud) -> None:
    async def accept_then_drop(request: Request) -> Any:
        body = json.loads(await request.body())
        cloud.jobs[body["id"]] = Job(body["id"], str(body.get("sessionId")), body.get("draft"), body.get("output"))

        async def broken() -> Any:
            raise ConnectionResetError("fake cloud: the answer is lost")
            yield b""   # pragma: no cover

        return StreamingResponse(broken(), media_type="application/json")

    nemo = Nemo(cloud.url, **FAST)
    s = nemo.session()
    s.ask("make a forest video")
    cloud.script("POST /api/render/proxy/lambda", accept_then_drop)
    job = s.export()
    assert job.id in cloud.jobs
    assert cloud.render_submits == 1                   # found, not submitted again
    assert job.wait(timeout=30).url
    nemo.close()
