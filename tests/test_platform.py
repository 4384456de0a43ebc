"""The package on Windows and macOS, and engines that go away.

- Windows, simulated: the driver and the engine it starts run with ``tests/windows_sim`` first on
  ``PYTHONPATH``, so every module of the package sees no POSIX-only name (``os.fork``,
  ``os.WNOHANG``, ``signal.SIGKILL``, ``socket.AF_UNIX``, ``fcntl``...; ``sys.platform`` is
  ``win32``). Every module must import, and a real engine must start (loopback TCP with its
  secret, no Unix socket), plan, render a real MP4 and stop.
- macOS and Windows have no parent-death signal: the guard process kills FFmpeg when the engine
  dies (forced on here, on Linux, where the OS would otherwise do it).
- Processes and locks through psutil and filelock: zombies are dead, a reused pid is not ours, a
  lock is released when its holder is killed.
- The engine a kernel or the command line starts stops after ``NEMO_ENGINE_IDLE`` seconds idle
  once no process holds it; the README's first command says so and its engine is then gone.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
import time
from pathlib import Path
from typing import Any

import psutil
import pytest

from nemo_jupyter.engine import processes
from nemo_jupyter.engine.launcher import PORT_FILE, engine_info, stop_engine

ROOT = Path(__file__).resolve().parents[1]
SIM = Path(__file__).resolve().parent / "windows_sim"


def _env(home: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("NEMO_")}
    env.update(NEMO_ENGINE_HOME=str(home / "engine"), NEMO_CONFIG_DIR=str(home / "config"),
               PYTHONPATH=os.pathsep.join([str(ROOT), env.get("PYTHONPATH", "")]).rstrip(os.pathsep), **extra)
    return env


def _gone(pid: int, within: float) -> bool:
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        if not processes.pid_alive(pid):
            return True
        time.sleep(0.1)
    return not processes.pid_alive(pid)


# -- Windows, simulated --------------------------------------------------------------------------
_DRIVER = """
import importlib, json, os, pkgutil, sys
from pathlib import Path

import nemo_jupyter
from nemo_jupyter.engine import launcher, processes

# the simulation is on for our modules (and only for them)
assert processes.sys.platform == "win32" and not hasattr(processes.os, "fork"), "simulation not active"
try:
    exec("import fcntl", {"__name__": "nemo_jupyter.x"})
    raise AssertionError("fcntl imported")
except ImportError:
    pass

failed = []
for mod in pkgutil.walk_packages(nemo_jupyter.__path__, "nemo_jupyter.", onerror=failed.append):
    try:
        importlib.import_module(mod.name)
    except Exception as exc:  # report them all
        failed.append(f"{mod.name}: {exc!r}")

from nemo_jupyter import Nemo

nemo = Nemo()
session = nemo.session()
reply = session.ask("make a 2-second video of a cat")
video = session.export(quality="preview").wait(timeout=120)
out = Path(sys.argv[1]) / "cat.mp4"
video.download(str(out))
info = launcher.engine_info()
print(json.dumps({"failed": failed, "reply": reply.text, "size": out.stat().st_size,
                  "engine_pid": info.pid if info else None, "holders": list(info.holders) if info else [],
                  "me": os.getpid()}))
nemo.close()
"""


def test_windows_simulation_imports_every_module_and_runs_the_engine(tmp_path: Path) -> None:
    env = _env(tmp_path)
    env["PYTHONPATH"] = os.pathsep.join([str(SIM), env["PYTHONPATH"]])
    proc = subprocess.run([sys.executable, "-c", _DRIVER, str(tmp_path)], env=env, cwd=tmp_path,
                          capture_output=True, text=True, timeout=300, check=False)
    home = tmp_path / "engine"
    try:
        assert proc.returncode == 0, proc.stderr[-3000:]
        result = json.loads(proc.stdout.strip().splitlines()[-1])
        assert result["failed"] == [], result["failed"]
        assert "2-second" in result["reply"]
        assert result["size"] > 10_000
        assert (tmp_path / "cat.mp4").read_bytes()[4:8] == b"ftyp"
        assert result["me"] in result["holders"]           # the driver held the engine while it ran
        port = json.loads((home / PORT_FILE).read_text())
        assert port["socket"] is None and port["private"] is True     # no Unix sockets: loopback TCP + secret
        assert port["url"].startswith("http://127.0.0.1:")
        log = (home / "engine.log").read_text()
        assert "private: only clients holding its secret" in log
        engine_pid = result["engine_pid"]
        assert engine_pid == port["pid"] and processes.pid_alive(engine_pid)
    finally:
        stopped = stop_engine(home)
    assert stopped
    assert _gone(port["pid"], 15)


# -- macOS / Windows: no parent-death signal -----------------------------------------------------
_PARENT = """
import subprocess, sys, time
from nemo_jupyter.engine.processes import ChildGuard, detached_popen_kwargs

guard = ChildGuard(force=True)
# a child in its own session without the parent-death signal: only the guard can end it
child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(120)"], **detached_popen_kwargs())
guard.watch(child.pid)
print(child.pid, guard.pid, flush=True)
time.sleep(120)
"""


def test_the_guard_kills_a_child_when_its_engine_dies(tmp_path: Path) -> None:
    parent = subprocess.Popen([sys.executable, "-c", _PARENT], stdout=subprocess.PIPE, text=True,
                              env=_env(tmp_path))
    assert parent.stdout is not None
    child_pid, guard_pid = (int(x) for x in parent.stdout.readline().split())
    try:
        assert processes.pid_alive(child_pid) and processes.pid_alive(guard_pid)
        time.sleep(0.5)
        assert processes.pid_alive(child_pid)           # alive while its parent is
        parent.kill()                                   # as a crash: no clean-up code runs
        parent.wait(10)
        assert _gone(child_pid, 10), "the child outlived its parent"
        assert _gone(guard_pid, 10)
    finally:
        processes.kill_tree(child_pid)
        processes.kill_tree(guard_pid)


def test_ffmpeg_runs_in_its_own_group_with_the_platform_s_death_rule() -> None:
    kwargs = processes.child_popen_kwargs()
    if sys.platform.startswith("linux"):
        assert kwargs.get("start_new_session") is True and callable(kwargs.get("preexec_fn"))
        assert processes.GUARD.enabled is False         # the OS does it: no guard process
    else:  # pragma: no cover - macOS, Windows
        assert "preexec_fn" not in kwargs and processes.GUARD.enabled


# -- processes and locks -------------------------------------------------------------------------
def test_a_zombie_is_dead_and_a_reused_pid_is_not_ours() -> None:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    deadline = time.monotonic() + 10
    while psutil.Process(child.pid).status() != psutil.STATUS_ZOMBIE and time.monotonic() < deadline:
        time.sleep(0.05)
    try:
        assert processes.pid_exists(child.pid)          # not yet reaped: the pid still exists
        assert not processes.pid_alive(child.pid)       # but it does not run
    finally:
        child.wait()
    me = processes.create_time()
    assert me is not None
    assert processes.pid_alive(os.getpid(), me)
    assert not processes.pid_alive(os.getpid(), me - 5)  # same pid, another start: not the process we knew
    assert not processes.pid_alive(0) and not processes.pid_alive(-1)


def test_terminate_tree_stops_a_process_and_its_children(tmp_path: Path) -> None:
    code = ("import subprocess, sys, time; c = subprocess.Popen([sys.executable, '-c', 'import time; "
            "time.sleep(60)']); print(c.pid, flush=True); time.sleep(60)")
    parent = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
    assert parent.stdout is not None
    grandchild = int(parent.stdout.readline())
    assert processes.terminate_tree(parent.pid, timeout=5)
    parent.wait(5)
    assert _gone(grandchild, 5)


def test_a_file_lock_holds_across_processes_and_ends_with_its_holder(tmp_path: Path) -> None:
    lock_path = tmp_path / "x.lock"
    holder = subprocess.Popen(
        [sys.executable, "-c", textwrap.dedent(f"""
            import sys, time
            from nemo_jupyter.engine.processes import file_lock
            lock = file_lock({str(lock_path)!r}); lock.acquire(); print("held", flush=True); time.sleep(60)
        """)], stdout=subprocess.PIPE, text=True, env=_env(tmp_path))
    assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
    from filelock import Timeout

    lock = processes.file_lock(lock_path)
    with pytest.raises(Timeout):
        lock.acquire(timeout=0.5)
    holder.kill()                                       # killed while holding it
    holder.wait(10)
    lock.acquire(timeout=5)
    # threads of one process wait for each other too (two clients in one kernel), and the lock
    # may be released by another thread than the one that took it (asyncio.to_thread)
    import threading

    got: list[float] = []
    other = threading.Thread(target=lambda: (processes.file_lock(lock_path).acquire(timeout=5),
                                             got.append(time.monotonic())))
    other.start()
    time.sleep(0.3)
    assert not got                                      # still waiting
    released = time.monotonic()
    lock.release()
    other.join(5)
    assert got and got[0] >= released
    processes.file_lock(lock_path).release()            # released here, taken in the other thread
    if hasattr(os, "getuid"):
        assert lock_path.stat().st_mode & 0o077 == 0 or not lock_path.exists()


# -- quotes and Windows paths in %nemo lines -----------------------------------------------------
def test_quoted_paths_lose_their_quotes_and_windows_paths_keep_their_backslashes() -> None:
    from nemo_jupyter.ui.arguments import ArgumentsError, split_line

    assert split_line('upload "a b.png" c.png') == ["upload", "a b.png", "c.png"]
    assert split_line("upload 'my photo.jpg'", windows=True) == ["upload", "my photo.jpg"]
    assert split_line(r'upload "C:\Users\Ann\My Photos\a b.png" D:\x\y.png', windows=True) == [
        "upload", r"C:\Users\Ann\My Photos\a b.png", r"D:\x\y.png"]
    assert split_line(r"upload a\ b.png", windows=False) == ["upload", "a b.png"]
    assert split_line("upload #1.png", windows=True) == ["upload", "#1.png"]   # not a comment
    with pytest.raises(ArgumentsError, match="check the quotes"):
        split_line('upload "a b.png')


def test_nemo_upload_of_a_quoted_name_with_a_space(ip: Any, engine: Any, make_media: Any) -> None:
    from IPython.utils.capture import capture_output

    shell, rec, magics = ip
    magics.backend = engine.url
    photo = make_media.image("a b.png", 64, 48, "green")
    with capture_output(display=False):
        assert shell.run_cell(f'%nemo upload "{photo}"').success
    assert "a b.png (image)" in rec.texts()


# -- engines that go away ------------------------------------------------------------------------
_KERNEL = """
import sys, time
from nemo_jupyter.engine.launcher import ensure_engine_address
ensure_engine_address()
print("ready", flush=True)
time.sleep(120)
"""


def test_an_engine_stays_while_a_kernel_holds_it_and_goes_once_none_does(tmp_path: Path) -> None:
    kernel = subprocess.Popen([sys.executable, "-c", _KERNEL], stdout=subprocess.PIPE, text=True,
                              env=_env(tmp_path, NEMO_ENGINE_IDLE="2"))
    home = tmp_path / "engine"
    try:
        assert kernel.stdout is not None and kernel.stdout.readline().strip() == "ready"
        info = engine_info(home)
        assert info is not None and info.linger == 2.0 and info.holders == (kernel.pid,)
        time.sleep(5)                                   # idle well past 2 s, but held
        assert processes.pid_alive(info.pid), "the engine stopped while a kernel held it"
        kernel.kill()                                   # the kernel dies without cleaning up
        kernel.wait(10)
        assert _gone(info.pid, 2 + 5), "the engine stayed after its last kernel died"
        assert not (home / PORT_FILE).exists()
        assert not list((home / "holders").glob("*.json"))   # the dead kernel's file was swept
    finally:
        kernel.kill()
        stop_engine(home)


def test_a_bad_engine_idle_setting_is_a_clear_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from nemo_jupyter.engine.launcher import ensure_engine_address

    monkeypatch.setenv("NEMO_ENGINE_IDLE", "ten minutes")
    with pytest.raises(ValueError, match="NEMO_ENGINE_IDLE must be a number of seconds"):
        ensure_engine_address(tmp_path / "engine")
    assert not (tmp_path / "engine" / PORT_FILE).exists()


README_PROMPT = "generate a 30-second video of a forest with birds and soft background music"


@pytest.mark.slow
def test_the_readme_command_leaves_no_engine_behind(tmp_path: Path) -> None:
    """The README's first command, with NEMO_ENGINE_IDLE=5: it says how long the engine stays,
    and the engine it started is gone within that time (plus its shutdown)."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert f'python -m nemo_jupyter "{README_PROMPT}" -o forest.mp4' in readme
    proc = subprocess.run([sys.executable, "-m", "nemo_jupyter", README_PROMPT, "-o", "x.mp4"], cwd=tmp_path,
                          env=_env(tmp_path, NEMO_ENGINE_IDLE="5"), capture_output=True, text=True,
                          timeout=600, check=False)
    ended = time.monotonic()
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert (tmp_path / "x.mp4").stat().st_size > 100_000
    notice = proc.stderr.strip().splitlines()[-1]
    assert "keeps running for 5 s once idle, then stops on its own" in notice, proc.stderr[-500:]
    pid = int(notice.split("(pid ")[1].split(")")[0])
    assert _gone(pid, 5 + 5 - (time.monotonic() - ended)), "the engine outlived its idle time"
    assert "held by no kernel: stopping" in (tmp_path / "engine" / "engine.log").read_text()
