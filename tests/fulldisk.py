"""A real engine on a real full disk: its data dir is a small tmpfs that a test fills and frees.

The engine runs inside a private mount namespace (``unshare --mount``) where a tmpfs of a few MB
is mounted on its data dir, so the disk that fills is the engine's alone and goes away with it;
nothing is mounted where anyone else can see it. A shell in that namespace takes commands on its
standard input: ``fill`` writes zeros until the disk says ENOSPC, ``free`` removes them. Tests
that need it skip where ``unshare`` or ``mount`` is not allowed (macOS, Windows, a container
without the capability), and say so.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

ROOT = Path(__file__).resolve().parents[1]

_SCRIPT = """
mount -t tmpfs -o size={size}m,mode=0700 tmpfs "$NEMO_FD_HOME" || exit 97
"$NEMO_FD_PYTHON" -m nemo_jupyter.engine --home "$NEMO_FD_HOME" --port 0 --idle-timeout 0 {extra} &
ENGINE=$!
while read -r cmd; do
  case "$cmd" in
    fill) dd if=/dev/zero of="$NEMO_FD_HOME/filler" bs=64k 2>/dev/null; sync; echo "@filled" ;;
    free) rm -f "$NEMO_FD_HOME/filler"; echo "@freed" ;;
    du) echo "@du $(du -sk "$NEMO_FD_HOME/renders" | cut -f1)" ;;
    ls) echo "@ls $(ls -A "$NEMO_FD_HOME/uploads" "$NEMO_FD_HOME/tmp" | tr '\\n' ' ')" ;;
  esac
done
kill "$ENGINE"; wait "$ENGINE"
"""


@dataclass
class FullDiskEngine:
    url: str
    proc: subprocess.Popen[str]

    def _command(self, cmd: str) -> str:
        assert self.proc.stdin is not None and self.proc.stdout is not None
        self.proc.stdin.write(cmd + "\n")
        self.proc.stdin.flush()
        while True:
            line = self.proc.stdout.readline()
            if not line:
                raise RuntimeError("the full-disk engine's shell ended")
            if line.startswith("@"):
                return line[1:].strip()

    def fill(self) -> None:
        """Fill the engine's disk to the last byte."""
        assert self._command("fill") == "filled"

    def free(self) -> None:
        assert self._command("free") == "freed"

    def leftovers(self) -> str:
        """What is in the engine's ``uploads/`` and ``tmp/`` (names only)."""
        return self._command("ls").removeprefix("ls").strip()

    def healthy(self) -> bool:
        r = httpx.get(f"{self.url}/health", timeout=10, trust_env=False)
        return r.status_code == 200 and r.json()["ok"] is True


def _why_not() -> str | None:
    if not sys.platform.startswith("linux") or shutil.which("unshare") is None:
        return "needs Linux's unshare to mount a private tmpfs"
    flags = ["--mount"] if os.geteuid() == 0 else ["--user", "--map-root-user", "--mount"]
    probe = subprocess.run(["unshare", *flags, "--propagation", "private", "sh", "-c",
                            "d=$(mktemp -d) && mount -t tmpfs -o size=1m tmpfs \"$d\""],
                           capture_output=True, text=True, timeout=30, check=False)
    return None if probe.returncode == 0 else f"cannot mount a private tmpfs here: {probe.stderr.strip()[:200]}"


@contextlib.contextmanager
def full_disk_engine(home: Path, *, size_mb: int = 48, extra: str = "") -> Iterator[FullDiskEngine]:
    """An engine whose data dir ``home`` is a ``size_mb`` tmpfs of its own (see the module doc)."""
    why = _why_not()
    if why:
        pytest.skip(why)
    home.mkdir(parents=True, exist_ok=True)
    flags = ["--mount"] if os.geteuid() == 0 else ["--user", "--map-root-user", "--mount"]
    env = {**os.environ, "NEMO_FD_HOME": str(home), "NEMO_FD_PYTHON": sys.executable,
           "PYTHONPATH": os.pathsep.join(p for p in (str(ROOT), os.environ.get("PYTHONPATH", "")) if p)}
    proc = subprocess.Popen(["unshare", *flags, "--propagation", "private", "sh", "-c",
                             _SCRIPT.format(size=int(size_mb), extra=extra)],
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                            env=env)
    assert proc.stdout is not None
    url = None
    deadline = time.monotonic() + 60
    while url is None and time.monotonic() < deadline:
        line = proc.stdout.readline()
        if not line:
            break
        m = re.search(r"listening on (http://\S+)", line)
        url = m.group(1) if m else None
    if url is None:
        proc.kill()
        raise RuntimeError("the engine on a small disk did not start")
    try:
        yield FullDiskEngine(url, proc)
    finally:
        with contextlib.suppress(Exception):
            assert proc.stdin is not None
            proc.stdin.close()
        try:
            proc.wait(20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(10)
