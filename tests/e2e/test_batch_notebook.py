"""``notebooks/05-vocabulary-batch.ipynb`` through real kernels on the real engine: 12 rows of words in
two languages, one of them naming a drawing that is not there, gives 11 videos and one named failure;
run again, nothing is made again; a changed row is the only one made again; a kernel restarted in the
middle of a batch leaves the re-run only the rest to do. Then the lesson pack of the batch."""

from __future__ import annotations

import json
import queue
import re
import shutil
import sqlite3
import time
from pathlib import Path
from typing import Any

import nbformat
import pytest
from jupyter_client.manager import KernelManager
from nbclient import NotebookClient

NOTEBOOK = Path(__file__).resolve().parents[2] / "notebooks" / "05-vocabulary-batch.ipynb"
LONG = "a 10-second video of"
SHORT = "a 3-second video of"       # the same notebook, shorter videos (two shared cores)
REPORT = ("import json\nprint('REPORT ' + json.dumps({'rows': list(gallery.index), 'status': list(gallery.status), "
          "'reused': [bool(x) for x in gallery.reused], 'reason': list(gallery.reason), 'file': list(gallery.file)}))")


def _count(home: Path, table: str) -> int:
    with sqlite3.connect(home / "engine.sqlite3") as db:
        return int(db.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0])


def _notebook(*, template: str = SHORT, word: tuple[str, str] | None = None) -> Any:
    nb = nbformat.read(NOTEBOOK, as_version=4)
    batch = [c for c in nb.cells if c.cell_type == "code" and c.source.startswith("%%nemo --each words")]
    assert len(batch) == 1 and LONG in batch[0].source
    batch[0].source = batch[0].source.replace(LONG, template)
    if word is not None:
        table = next(c for c in nb.cells if c.cell_type == "code" and "words = pd.DataFrame" in c.source)
        assert word[0] in table.source
        table.source = table.source.replace(word[0], word[1])
    nb.cells.append(nbformat.v4.new_code_cell(REPORT))
    return nb


def _execute(nb: Any, cwd: Path) -> tuple[dict[str, Any], str]:
    NotebookClient(nb, kernel_name="python3", timeout=600, resources={"metadata": {"path": str(cwd)}}).execute()
    text = json.dumps([c.get("outputs", []) for c in nb.cells], ensure_ascii=False)
    printed = "".join(o.get("text", "") for o in nb.cells[-1].get("outputs", []) if o.get("output_type") == "stream")
    assert printed.startswith("REPORT "), text[-2000:]
    return json.loads(printed[len("REPORT "):]), text


@pytest.fixture
def work(engine_env: Any, tmp_path: Path) -> Path:
    work = tmp_path / "class"
    work.mkdir()
    shutil.copy(NOTEBOOK, work)
    return work


@pytest.mark.slow   # a dozen renders a run, a few runs
def test_a_vocabulary_batch_runs_reruns_and_survives_a_kernel_restart(engine_env: Any, work: Path) -> None:
    home = Path(engine_env.home)
    jobs0, sessions0 = _count(home, "jobs"), _count(home, "sessions")

    first, text = _execute(_notebook(), work)
    assert len(first["rows"]) == 12 and first["status"].count("done") == 11
    failed = first["rows"][first["status"].index("failed")]
    assert failed == "es-sun"
    reason = first["reason"][first["status"].index("failed")]
    assert "sol.png" in reason and "no such file" in reason
    assert "es-sun" in text and "11 of 12 done" in text
    files = [work / f for f in first["file"] if f]
    assert len(files) == 11 and all(f.is_file() for f in files)
    assert _count(home, "jobs") - jobs0 == 11 and _count(home, "sessions") - sessions0 == 11
    page = (work / "vocabulary.html").read_text(encoding="utf-8")
    assert page.count('<section class="video"') == 11 and "Vocabulary: German and Spanish" in page
    assert len(list((work / "vocabulary_files").glob("*.mp4"))) == 11

    # run again (a new kernel): every row reused, nothing sent, nothing made
    mtimes = {f: f.stat().st_mtime_ns for f in files}
    second, text = _execute(_notebook(), work)
    assert second["reused"].count(True) == 11 and second["status"] == first["status"]
    assert "(11 reused)" in text
    assert _count(home, "jobs") - jobs0 == 11 and _count(home, "sessions") - sessions0 == 11
    assert all(f.stat().st_mtime_ns == t for f, t in mtimes.items())

    # one word changed: that row alone is made again
    third, _ = _execute(_notebook(word=('"der Apfel"', '"die Birne"')), work)
    changed = third["rows"].index("de-apple")
    assert [r for i, r in enumerate(third["reused"]) if i != changed and third["status"][i] == "done"] == [True] * 10
    assert third["reused"][changed] is False and third["status"][changed] == "done"
    assert _count(home, "jobs") - jobs0 == 12

    # a kernel restarted mid-batch (a new template: every row to make again), then Run All
    jobs1, sessions1 = _count(home, "jobs"), _count(home, "sessions")
    nb = _notebook(template="a 4-second video of")
    done_before = _restart_during_batch(nb, work, rows_done=3)
    assert 3 <= done_before < 11
    fourth, text = _execute(_notebook(template="a 4-second video of"), work)
    assert fourth["status"].count("done") == 11
    assert fourth["reused"].count(True) >= done_before, "rows finished before the restart are not made again"
    # a render running at the restart is picked up, not asked again; one whose submit the interrupt cut
    # short may be asked twice (the engine then reuses the render of the same key): at most the two
    # render lanes' worth. A turn cut short is sent again: at most the rows in flight (2 slots x 2 + 1).
    made = _count(home, "jobs") - jobs1
    assert made <= 11 + 2, f"{made} render jobs for 11 rows"
    assert _count(home, "sessions") - sessions1 <= 11 + 5, "turns made before the restart are replayed, not re-sent"


def _restart_during_batch(nb: Any, cwd: Path, *, rows_done: int) -> int:
    """Run ``nb`` in a real kernel until its batch says ``rows_done`` rows are done, then restart the
    kernel as JupyterLab does (interrupt, then shut down); returns the rows done by then."""
    km = KernelManager(kernel_name="python3")
    km.start_kernel(cwd=str(cwd))
    kc = km.client()
    kc.start_channels()
    try:
        kc.wait_for_ready(timeout=60)
        for cell in nb.cells:
            if cell.cell_type != "code":
                continue
            msg_id = kc.execute(cell.source)
            if cell.source.startswith("%%nemo --each"):
                return _until_done(kc, msg_id, rows_done, km)
            _until_idle(kc, msg_id)
        raise AssertionError("no batch cell")
    finally:
        kc.stop_channels()
        km.shutdown_kernel(now=True)


def _until_idle(kc: Any, msg_id: str, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            msg = kc.get_iopub_msg(timeout=1)
        except queue.Empty:
            continue
        if msg["parent_header"].get("msg_id") == msg_id and msg["msg_type"] == "status" and \
                msg["content"].get("execution_state") == "idle":
            return
    raise AssertionError("the cell did not finish")


def _until_done(kc: Any, msg_id: str, rows: int, km: KernelManager, timeout: float = 300) -> int:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            msg = kc.get_iopub_msg(timeout=1)
        except queue.Empty:
            continue
        if msg["parent_header"].get("msg_id") != msg_id:
            continue
        plain = str((msg["content"].get("data") or {}).get("text/plain", ""))
        m = re.search(r"words: (\d+) of 12 done", plain)
        if m and int(m.group(1)) >= rows:
            km.restart_kernel(now=False)   # as JupyterLab's "Restart Kernel": interrupt, then shutdown
            return int(m.group(1))
    raise AssertionError(f"the batch never reached {rows} rows done")


def test_the_notebook_is_committed_without_outputs() -> None:
    nb = nbformat.read(NOTEBOOK, as_version=4)
    nbformat.validate(nb)
    assert all(c.outputs == [] and c.execution_count is None for c in nb.cells if c.cell_type == "code")
