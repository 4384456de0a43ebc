"""The shipped notebooks, executed headless with nbclient on the real engine."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path
from typing import Any

import nbformat
import pytest
from _helpers import mp4_duration
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError

NOTEBOOKS = Path(__file__).resolve().parents[2] / "notebooks"


def _execute(nb: Any, cwd: Path, timeout: int = 300) -> Any:
    client = NotebookClient(nb, kernel_name="python3", timeout=timeout, resources={"metadata": {"path": str(cwd)}})
    client.execute()
    return nb


def run_classroom(work: Path) -> Any:
    """The classroom notebook executed in ``work`` with shorter videos (nbclient); returns it."""
    nb = nbformat.read(NOTEBOOKS / "02-classroom.ipynb", as_version=4)
    _shorten(nb, "make a 20-second video", "make a 6-second video")
    _shorten(nb, "make it 15 seconds", "make it 4 seconds")
    _shorten(nb, "%nemo export", "%nemo export --quality preview --resolution 720p")
    return _execute(nb, work)


def _shorten(nb: Any, old: str, new: str) -> None:
    """Keep test renders short on the shared 2-core machine: same cells, a shorter video."""
    for cell in nb.cells:
        if old in cell.source:
            cell.source = cell.source.replace(old, new)
            return
    raise AssertionError(f"{old!r} not found in the notebook")


def _tokens(engine_home: Path, config_dir: Path) -> list[str]:
    """Every token the engine or the client knows, read from their own files."""
    found: set[str] = set()
    for root in (engine_home, config_dir):
        for path in root.rglob("*"):
            if path.is_file() and path.stat().st_size < 5_000_000:
                data = path.read_bytes()
                found.update(m.decode() for m in re.findall(rb"nmv_[A-Za-z0-9_\-]{8,}", data))
    return sorted(found)


def test_notebooks_are_committed_without_outputs() -> None:
    for path in sorted(NOTEBOOKS.glob("0[12]-*.ipynb")):
        nb = nbformat.read(path, as_version=4)
        nbformat.validate(nb)
        for cell in nb.cells:
            if cell.cell_type == "code":
                assert cell.outputs == [] and cell.execution_count is None, path.name


def test_quickstart_runs_headless_small_and_without_tokens(engine_env: Any, tmp_path: Path) -> None:
    import os

    work = tmp_path / "nb"
    work.mkdir()
    shutil.copy(NOTEBOOKS / "01-quickstart.ipynb", work)
    nb = nbformat.read(work / "01-quickstart.ipynb", as_version=4)
    code = [c.source for c in nb.cells if c.cell_type == "code"]
    assert len(code) == 3 and code[0] == "%load_ext nemo_jupyter" and code[1].startswith("%%nemo -x")
    _shorten(nb, "%%nemo -x\ngenerate a 30-second", "%%nemo -x --quality preview --resolution 720p\ngenerate a 4-second")
    _execute(nb, work)
    out = work / "01-quickstart.executed.ipynb"
    nbformat.write(nb, out)

    assert out.stat().st_size < 200_000, out.stat().st_size
    text = out.read_text(encoding="utf-8")
    for cell in nb.cells:
        for output in cell.get("outputs", []):
            assert output.get("output_type") != "error"
    # the streamed reply is kept as Markdown; the timeline table and the video are there
    assert "text/markdown" in text and "local engine" in text
    assert "<table" in text and "Timeline" in text
    m = re.search(r'<video src=\\"(nemo_outputs/[^"\\]+\.mp4)', text)
    assert m, "no relative <video> in the executed notebook"
    mp4 = work / m.group(1)
    assert mp4.exists() and mp4_duration(mp4) == pytest.approx(4, abs=0.1)
    assert "base64" not in text
    # no token, neither the prefix nor any token the engine handed out
    assert "nmv_" not in text
    tokens = _tokens(Path(engine_env.home), Path(os.environ["NEMO_CONFIG_DIR"]))
    assert tokens, "expected the engine to have issued a token"
    assert not any(t in text for t in tokens)


def test_classroom_runs_headless(engine_env: Any, tmp_path: Path) -> None:
    work = tmp_path / "class"
    work.mkdir()
    nb = run_classroom(work)
    outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs]
    assert not [o for o in outputs if o.get("output_type") == "error"]
    text = json.dumps(nbformat.v4.new_notebook(cells=nb.cells))
    assert "Where Does Rain Come From?" in text
    assert re.search(r"The video lasts 4 s; the title", text), "the pandas cell did not read the edited timeline"
    videos = list((work / "nemo_outputs").glob("*.mp4"))
    assert len(videos) == 1 and mp4_duration(videos[0]) == pytest.approx(4, abs=0.1)


def test_a_failing_prompt_stops_the_notebook(engine_env: Any, tmp_path: Path) -> None:
    nb = nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_code_cell("%load_ext nemo_jupyter"),
        nbformat.v4.new_code_cell("%%nemo -x\nxyzzy plugh"),
        nbformat.v4.new_code_cell("print('should not run')"),
    ])
    with pytest.raises(CellExecutionError) as info:
        _execute(nb, tmp_path, timeout=120)
    assert "NotExportable" in str(info.value) and "nothing to export" in str(info.value)
    assert nb.cells[2].outputs == []
