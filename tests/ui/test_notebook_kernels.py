"""The notebook semantics through real kernels: nbclient runs of one notebook, and a kernel
interrupted and restarted in the middle of a render (jupyter_client), against the fake cloud."""

from __future__ import annotations

import json
import queue
import time
from pathlib import Path
from typing import Any

import nbformat
import pytest
from fakecloud import FAKE_MP4, FakeCloud
from jupyter_client.manager import KernelManager
from nbclient import NotebookClient

pytestmark = pytest.mark.slow   # real kernels, a minute or two each

CELLS = [
    "%%nemo\nmake a 10-second video of a forest with birds",
    '%%nemo\nadd the title "Deep Woods"',
    "%%nemo\nadd soft music",
    "%nemo export --quality preview",
]


def _notebook(cells: list[str]) -> Any:
    return nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("%load_ext nemo_jupyter"),
                                           *[nbformat.v4.new_code_cell(c) for c in cells]])


def _execute(nb: Any, cwd: Path) -> Any:
    NotebookClient(nb, kernel_name="python3", timeout=300, resources={"metadata": {"path": str(cwd)}}).execute()
    return nb


def _text(nb: Any) -> str:
    return json.dumps([c.get("outputs", []) for c in nb.cells], ensure_ascii=False)


@pytest.fixture
def on_cloud(cloud: FakeCloud, monkeypatch: pytest.MonkeyPatch) -> FakeCloud:
    monkeypatch.setenv("NEMO_BACKEND", cloud.url)
    return cloud


def test_the_same_notebook_twice_costs_nothing_the_second_time(on_cloud: FakeCloud, tmp_path: Path) -> None:
    cloud = on_cloud
    first = _execute(_notebook(CELLS), tmp_path)
    assert (cloud.chat_turns, cloud.render_submits, cloud.credits_spent) == (3, 1, 200)
    assert "Credits: 100 spent" in _text(first)
    videos = list((tmp_path / "nemo_outputs").glob("*.mp4"))
    assert [v.name for v in videos] == ["deep-woods.mp4"], "named after the video's title"

    second = _execute(_notebook(CELLS), tmp_path)   # a new kernel, the same notebook
    assert (cloud.chat_turns, cloud.render_submits, cloud.credits_spent) == (3, 1, 200)
    text = _text(second)
    assert text.count("reused, no credits spent") == 3
    assert "already rendered with these settings" in text
    assert list((tmp_path / "nemo_outputs").glob("*.mp4")) == videos, "one file per distinct render"

    # the third run with the middle cell edited: asked again from that cell on, the rest replayed
    edited = list(CELLS)
    edited[1] = '%%nemo\nadd the title "Tall Trees"'
    sent_before = cloud.chat_turns
    third = _execute(_notebook(edited), tmp_path)
    prompts = [r.json["new_message"]["parts"][0]["text"] for r in cloud.calls("POST", "/run_sse")[sent_before:]]
    assert prompts == ['add the title "Tall Trees"', "add soft music"]
    assert _text(third).count("reused, no credits spent") == 1


# -- a kernel restarted during a render --------------------------------------------------------------
class Kernel:
    """A real ipykernel driven over ZMQ, as JupyterLab drives it."""

    def __init__(self, cwd: Path) -> None:
        self.km = KernelManager(kernel_name="python3")
        self.km.start_kernel(cwd=str(cwd))
        self._client()

    def _client(self) -> None:
        self.kc = self.km.client()
        self.kc.start_channels()
        self.kc.wait_for_ready(timeout=60)

    def send(self, code: str) -> str:
        return str(self.kc.execute(code))

    def outputs(self, msg_id: str, *, until: str | None = None, timeout: float = 120) -> tuple[str, bool]:
        """Text of every output of ``msg_id`` until it goes idle (or ``until`` appears: returns early)."""
        texts: list[str] = []
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                msg = self.kc.get_iopub_msg(timeout=1)
            except queue.Empty:
                continue
            if msg["parent_header"].get("msg_id") != msg_id:
                continue
            content = msg["content"]
            if msg["msg_type"] == "status" and content.get("execution_state") == "idle":
                return "\n".join(texts), True
            texts.append(json.dumps(content.get("data") or content.get("text") or content.get("evalue") or "",
                                    ensure_ascii=False))
            if until and until in texts[-1]:
                return "\n".join(texts), False
        raise AssertionError(f"no idle within {timeout} s; got: {texts[-5:]}")

    def run(self, code: str, timeout: float = 120) -> str:
        return self.outputs(self.send(code), timeout=timeout)[0]

    def restart(self) -> None:
        self.kc.stop_channels()
        self.km.restart_kernel(now=False)   # as JupyterLab's "Restart Kernel": interrupt, then shutdown
        self._client()

    def close(self) -> None:
        self.kc.stop_channels()
        self.km.shutdown_kernel(now=True)


def _jobs(cloud: FakeCloud, n: int) -> list[str]:
    deadline = time.monotonic() + 30
    while len(cloud.jobs) < n:
        assert time.monotonic() < deadline, "the render was never submitted"
        time.sleep(0.05)
    time.sleep(0.5)   # the kernel is following it now
    return list(cloud.jobs)


def test_a_kernel_restarted_during_a_render_finds_the_job_and_gets_its_video(on_cloud: FakeCloud,
                                                                              tmp_path: Path) -> None:
    cloud = on_cloud
    cloud.render_seconds = 10.0
    kernel = Kernel(tmp_path)
    night = '%%nemo -x\nmake a video of a forest, title "Night Walk"'
    try:
        kernel.run("%load_ext nemo_jupyter\n%config NemoMagics.refresh_hz = 20")
        cell = kernel.send(night)
        kernel.outputs(cell, until="nemo-progress", timeout=120)      # the render is running
        (first,) = _jobs(cloud, 1)
        kernel.km.interrupt_kernel()                                  # the user presses Stop
        text, idle = kernel.outputs(cell, timeout=30)
        assert idle and "still running on the backend" in text and f"%nemo jobs --resume {first}" in text
        assert "rendering" not in text.split("Interrupted")[-1], "no progress bar left behind"

        cell = kernel.send('%%nemo -x\nadd the title "Day Walk"')
        kernel.outputs(cell, until="nemo-progress", timeout=120)
        (second,) = [j for j in _jobs(cloud, 2) if j != first]
        kernel.restart()                   # as JupyterLab's Restart Kernel: an interrupt, then a shutdown
        assert not cloud.jobs[first].cancelled and not cloud.jobs[second].cancelled
        kernel.run("%load_ext nemo_jupyter")
        listed = kernel.run("%nemo jobs")
        for job_id, title in ((first, "Night Walk"), (second, "Day Walk")):
            assert job_id in listed and title in listed and f"%nemo jobs --resume {job_id}" in listed, listed

        got = kernel.run(f"%nemo jobs --resume {second}", timeout=120)
        assert "Video saved to" in got, got[-800:]
        assert (tmp_path / "nemo_outputs" / "day-walk.mp4").read_bytes() == FAKE_MP4

        # the first cell run again (Run All after the restart): its turn is replayed and its render,
        # still known by its draft, is picked up instead of submitted again
        again = kernel.run(night, timeout=120)
        assert "reused" in again and "Video saved to" in again, again[-800:]
        assert (tmp_path / "nemo_outputs" / "night-walk.mp4").read_bytes() == FAKE_MP4
        assert cloud.render_submits == 2 and cloud.chat_turns == 2
        assert "No unfinished renders" in kernel.run("%nemo jobs")
        assert not any(j.cancelled for j in cloud.jobs.values())
    finally:
        kernel.close()
