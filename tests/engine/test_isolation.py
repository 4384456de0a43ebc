"""Isolation on a shared machine: private engine (Unix socket + secret), file modes, stale
port files, a second OS user, and FFmpeg dying with the engine."""

from __future__ import annotations

import http.server
import json
import os
import shutil
import signal
import stat
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any, ClassVar

import httpx
import pytest

from nemo_jupyter.engine.launcher import (
    PORT_FILE,
    SECRET_HEADER,
    EngineAddress,
    ensure_engine_address,
    find_engine_address,
    home_id,
    start_engine,
    stop_engine,
)

unix_only = pytest.mark.skipif(not hasattr(os, "getuid") or sys.platform == "win32", reason="POSIX modes")


def _modes(root: Path) -> dict[str, int]:
    out = {}
    for dirpath, dirs, files in os.walk(root):
        for name in dirs + files:
            p = Path(dirpath) / name
            out[str(p.relative_to(root))] = stat.S_IMODE(p.lstat().st_mode)
    return out


def _assert_private(root: Path) -> None:
    assert stat.S_IMODE(root.stat().st_mode) == 0o700, oct(root.stat().st_mode)
    modes = _modes(root)
    assert modes, "nothing was written"
    loose = {name: oct(mode) for name, mode in modes.items() if mode & 0o077}
    assert not loose, f"readable by others: {loose}"


@pytest.fixture
def open_base() -> Iterator[Path]:
    """A world-traversable dir (0755) under /tmp, so only our own modes protect what is inside
    (pytest's tmp_path lives under a 0700 dir, which would hide any mistake)."""
    base = Path(tempfile.mkdtemp(prefix="nemo-iso-"))
    os.chmod(base, 0o755)
    try:
        yield base
    finally:
        shutil.rmtree(base, ignore_errors=True)


# --------------------------------------------------------------------------- the private engine
@unix_only
def test_ensure_engine_listens_on_a_private_unix_socket_and_asks_for_its_secret(open_base: Path) -> None:
    home = open_base / "home"
    addr = ensure_engine_address(home)
    try:
        assert addr.socket and Path(addr.socket).exists() and addr.secret
        assert stat.S_ISSOCK(Path(addr.socket).stat().st_mode)
        assert stat.S_IMODE(Path(addr.socket).stat().st_mode) == 0o600
        with httpx.Client(transport=addr.transport(), trust_env=False) as http:
            r = http.post(f"{addr.url}/api/auth/anonymous-token", headers={"X-Client-Id": "someone"})
            assert r.status_code == 403 and SECRET_HEADER in r.json()["message"]
            r = http.post(f"{addr.url}/api/auth/anonymous-token",
                          headers={"X-Client-Id": "someone", **addr.headers()})
            assert r.status_code == 200 and r.json()["data"]["token"]
            wrong = http.get(f"{addr.url}/api/credits/balance/simple", headers={SECRET_HEADER: "0" * 64})
            assert wrong.status_code == 403
            health = http.get(f"{addr.url}/health").json()
            assert "proof" not in health and "secret" not in json.dumps(health)
        # no TCP port at all
        info = json.loads((home / PORT_FILE).read_text())
        assert info["socket"] == addr.socket and info["private"] is True
        assert ensure_engine_address(home) == addr   # found again, not started twice
        _assert_private(home)
    finally:
        assert stop_engine(home)
    assert not Path(addr.socket).exists()


@unix_only
def test_a_private_tcp_engine_refuses_requests_without_its_secret(open_base: Path) -> None:
    home = open_base / "tcp"
    proc = start_engine(home, private=True, idle_timeout=0)
    try:
        assert proc.address is not None and proc.address.socket is None and proc.address.secret
        r = httpx.post(f"{proc.url}/api/auth/anonymous-token", headers={"X-Client-Id": "x"}, trust_env=False)
        assert r.status_code == 403
        r = httpx.post(f"{proc.url}/api/auth/anonymous-token", trust_env=False,
                       headers={"X-Client-Id": "x", **proc.address.headers()})
        assert r.status_code == 200
        assert find_engine_address(home) == proc.address
    finally:
        proc.stop()


class _Impostor(http.server.BaseHTTPRequestHandler):
    """Whatever server now holds the port of a crashed engine: it answers /health with the
    predictable values and records every header it is sent."""

    seen: ClassVar[list[dict[str, str]]] = []
    home: ClassVar[str] = ""

    def _answer(self) -> None:
        type(self).seen.append({k.lower(): v for k, v in self.headers.items()})
        body = json.dumps({"ok": True, "engine": "nemo_jupyter", "home": type(self).home,
                           "proof": "0" * 64, "data": {"token": "stolen"}, "code": 0}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_GET = do_POST = _answer

    def log_message(self, *args: Any) -> None:
        pass


def test_a_stale_port_file_with_a_reused_pid_and_port_gets_no_client_id(tmp_path: Path,
                                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    from nemo_jupyter import Nemo

    home = tmp_path / "crashed"
    home.mkdir()
    _Impostor.seen, _Impostor.home = [], home_id(home)
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Impostor)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_address[1]}"
    # The crashed engine's file: its port is now the impostor's, its pid is alive (reused: ours).
    (home / PORT_FILE).write_text(json.dumps({"url": url, "pid": os.getpid(), "home": home_id(home),
                                              "socket": None, "private": True, "secret": "a1" * 32}))
    monkeypatch.setenv("NEMO_ENGINE_HOME", str(home))
    monkeypatch.delenv("NEMO_BACKEND", raising=False)
    client_id = str(uuid.uuid4())
    nemo = Nemo("local", client_id=client_id, retries=0)
    try:
        assert find_engine_address(home) is None
        assert nemo.credits().available > 0          # a new engine of our own answered
        assert not nemo.base_url.startswith(url)
    finally:
        nemo.close()
        stop_engine(home)
        server.shutdown()
    assert _Impostor.seen, "the impostor was asked for its health (the test can fail)"
    for headers in _Impostor.seen:
        assert "x-client-id" not in headers and SECRET_HEADER.lower() not in headers
        assert "authorization" not in headers
        assert client_id not in json.dumps(headers)


@unix_only
def test_a_private_engine_video_is_shown_once_downloaded(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from nemo_jupyter import Nemo

    home = tmp_path / "home"
    monkeypatch.setenv("NEMO_ENGINE_HOME", str(home))
    monkeypatch.delenv("NEMO_BACKEND", raising=False)
    monkeypatch.chdir(tmp_path)
    nemo = Nemo("local", retries=0, poll_interval=0.2)
    try:
        s = nemo.session()
        s.ask("make a 1-second video of the ocean")
        video = s.export(quality="preview", resolution="720p").wait(timeout=120)
        assert nemo.is_private_engine and video.private
        assert video.src is None and "download" in video._repr_html_()   # no browser can open its URL
        video.download()
        assert video.src == f"nemo_outputs/{video.job_id}.mp4" and 'src="nemo_outputs/' in video._repr_html_()
    finally:
        nemo.close()
        stop_engine(home)


@unix_only
def test_an_old_data_dir_is_made_private_when_the_engine_starts(open_base: Path) -> None:
    home = open_base / "old"
    (home / "uploads" / "k").mkdir(parents=True)
    (home / "uploads" / "k" / "photo.png").write_bytes(b"x")
    for p in (home, home / "uploads", home / "uploads" / "k"):
        os.chmod(p, 0o755)
    os.chmod(home / "uploads" / "k" / "photo.png", 0o644)
    proc = start_engine(home, idle_timeout=0)
    try:
        _assert_private(home)
    finally:
        proc.stop()


@unix_only
def test_client_config_files_are_private(open_base: Path, monkeypatch: pytest.MonkeyPatch,
                                         engine: Any) -> None:
    from nemo_jupyter import Nemo

    config = open_base / "config"
    monkeypatch.setenv("NEMO_CONFIG_DIR", str(config))
    nemo = Nemo(engine.url, retries=0)
    try:
        s = nemo.session()
        s.ask("make a 2-second video of the ocean")
        s.export(quality="preview", resolution="720p").cancel()
    finally:
        nemo.close()
    names = set(_modes(config))
    assert {"client_id", "tokens.json"} <= names, names
    _assert_private(config)


# --------------------------------------------------------------------------- a second OS user
_ATTACKER = r'''
import json, os, socket, sys, http.client
home, config, sock_path, port = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
out = {"uid": os.getuid(), "read": [], "listed": [], "control": None}
def try_read(path):
    try:
        with open(path, "rb") as fh:
            fh.read(16)
        out["read"].append(path)
    except OSError:
        pass
out["control"] = os.access(sys.argv[5], os.R_OK) and open(sys.argv[5]).read()
for root in (home, config):
    try:
        out["listed"].append((root, os.listdir(root)))
    except OSError:
        pass
    for name in ("engine.json", "engine.sqlite3", "engine.log", "client_id", "tokens.json", "jobs.json",
                 "engine.sock", "uploads"):
        try_read(os.path.join(root, name))
try:
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.settimeout(3)
    s.connect(sock_path)
    s.sendall(b"POST /api/auth/anonymous-token HTTP/1.1\r\nHost: localhost\r\nX-Client-Id: x\r\n"
              b"Content-Length: 0\r\nConnection: close\r\n\r\n")
    out["socket"] = s.recv(200).decode("latin-1")
except OSError as exc:
    out["socket"] = "refused: " + type(exc).__name__
try:
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    c.request("POST", "/api/auth/anonymous-token", headers={"X-Client-Id": "x"})
    r = c.getresponse()
    out["tcp_token_status"] = r.status
    out["tcp_token_body"] = r.read(300).decode("utf-8", "replace")
except OSError as exc:
    out["tcp_token_status"] = "error: " + type(exc).__name__
print(json.dumps(out))
'''


@pytest.fixture
def other_user() -> Iterator[str]:
    if not hasattr(os, "getuid") or os.getuid() != 0 or not shutil.which("useradd") or not shutil.which("runuser"):
        pytest.skip("needs root with useradd and runuser to create a second OS user")
    name = f"nemo{uuid.uuid4().hex[:8]}"
    r = subprocess.run(["useradd", "--no-create-home", "--shell", "/usr/sbin/nologin", name],
                       capture_output=True, text=True)
    if r.returncode != 0:
        pytest.skip(f"useradd failed: {r.stderr.strip()}")
    try:
        yield name
    finally:
        subprocess.run(["userdel", name], capture_output=True)


@unix_only
def test_a_second_os_user_can_neither_read_the_files_nor_get_a_token_nor_reach_the_socket(
        open_base: Path, other_user: str, monkeypatch: pytest.MonkeyPatch) -> None:
    from nemo_jupyter import Nemo

    python = shutil.which("python3", path="/usr/bin:/bin") or sys.executable
    home, config = open_base / "home", open_base / "config"
    monkeypatch.setenv("NEMO_ENGINE_HOME", str(home))
    monkeypatch.setenv("NEMO_CONFIG_DIR", str(config))
    monkeypatch.delenv("NEMO_BACKEND", raising=False)
    control = open_base / "public.txt"
    control.write_text("readable")
    os.chmod(control, 0o644)
    script = open_base / "attacker.py"
    script.write_text(_ATTACKER)
    os.chmod(script, 0o644)
    nemo = Nemo("local", retries=0)
    tcp = start_engine(open_base / "tcp-home", private=True, idle_timeout=0)
    try:
        s = nemo.session()
        s.ask("make a 2-second video of the ocean")   # prompts in the database, a token cached
        addr = ensure_engine_address(home)
        assert addr.socket
        r = subprocess.run(["runuser", "-u", other_user, "--", python, str(script), str(home), str(config),
                            addr.socket, tcp.url.rsplit(":", 1)[1], str(control)],
                           capture_output=True, text=True, timeout=60)
        assert r.returncode == 0, r.stderr
        seen = json.loads(r.stdout)
    finally:
        nemo.close()
        tcp.stop()
        stop_engine(home)
    assert seen["uid"] != 0
    assert seen["control"] == "readable", "the other user can read a public file: the test can fail"
    assert seen["read"] == [] and seen["listed"] == [], seen
    assert seen["socket"].startswith("refused"), seen["socket"]
    assert seen["tcp_token_status"] == 403, seen


# --------------------------------------------------------------------------- FFmpeg and the engine
def _children(pid: int) -> list[tuple[int, str, int]]:
    """(pid, command name, process group) of ``pid``'s children, from /proc."""
    out = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            raw = (entry / "stat").read_text()
        except OSError:
            continue
        comm = raw[raw.index("(") + 1: raw.rindex(")")]
        fields = raw[raw.rindex(")") + 2:].split()
        if int(fields[1]) == pid:
            out.append((int(entry.name), comm, int(fields[2])))
    return out


def _is_encode(pid: int) -> bool:
    """The render's FFmpeg (not a short ``ffmpeg -version`` check)."""
    try:
        return b"-progress" in Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return False


def _gone(pid: int) -> bool:
    try:
        raw = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return True
    return raw[raw.rindex(")") + 2:].split()[0] in ("Z", "X")   # a zombie encodes nothing


@pytest.mark.slow
@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads /proc")
def test_ffmpeg_has_its_own_process_group_and_dies_with_the_engine(tmp_path: Path) -> None:
    proc = start_engine(tmp_path / "home", idle_timeout=0)
    try:
        http = httpx.Client(base_url=proc.url, timeout=60, trust_env=False)
        token = http.post("/api/auth/anonymous-token", headers={"X-Client-Id": "pg"}).json()["data"]["token"]
        http.headers["Authorization"] = f"Bearer {token}"
        draft = {"t": [{"tt": 0, "sg": [{"st": 0, "d": 300_000, "k": "scene", "scene": "forest"}]}], "d": 300_000,
                 "m": {"width": 1920, "height": 1080}}
        r = http.post("/api/render/proxy/lambda", json={"id": f"render_pg_{uuid.uuid4().hex[:6]}", "draft": draft})
        assert r.status_code == 200, r.text
        deadline = time.monotonic() + 90
        ffmpeg: list[tuple[int, str, int]] = []
        while time.monotonic() < deadline and not ffmpeg:
            ffmpeg = [c for c in _children(proc.pid) if "ffmpeg" in c[1] and _is_encode(c[0])]
            time.sleep(0.1)
        assert ffmpeg, "no FFmpeg started within 90 s"
        engine_pgid = os.getpgid(proc.pid)
        for pid, _comm, pgid in ffmpeg:
            assert pgid == pid and pgid != engine_pgid       # leads its own group
        os.kill(proc.pid, signal.SIGKILL)                    # the engine crashes mid-render
        proc._popen and proc._popen.wait(10)
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline and not all(_gone(p) for p, _, _ in ffmpeg):
            time.sleep(0.05)
        left = [p for p, _, _ in ffmpeg if not _gone(p)]
        for pid in left:   # clean up before failing
            os.kill(pid, signal.SIGKILL)
        assert not left, "FFmpeg kept encoding after the engine died"
    finally:
        proc.stop()


def test_engine_address_repr_hides_the_secret() -> None:
    addr = EngineAddress(url="http://localhost", socket="/run/x.sock", secret="s3cr3t" * 8)
    assert "s3cr3t" not in repr(addr)
