"""OpenMoji's CC BY-SA credit on every output that shows the art, and links to files that work in
JupyterLab, Notebook 7, Voila and from disk.

Real engine, real render, real FFmpeg for the metadata and the posters; the front end's URL
helper runs in Node (the one Playwright ships) on the page addresses each front end uses.
"""

from __future__ import annotations

import io
import json
import subprocess
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from nemo_jupyter.client.storyboard import attribution_html, parse_storyboard
from nemo_jupyter.ui.display import video_credit
from nemo_jupyter.ui.widgets._snapshot import video_block

LICENCE_URL = "https://creativecommons.org/licenses/by-sa/4.0/"
STATIC = Path(__file__).resolve().parents[2] / "nemo_jupyter" / "ui" / "widgets" / "static"


@pytest.fixture(scope="module")
def cat_video(engine: Any, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """A 2-second preview of a cat (OpenMoji art) and its storyboard, from the engine."""
    import os

    from nemo_jupyter import Nemo

    folder = tmp_path_factory.mktemp("nb")
    saved = os.environ.get("NEMO_BACKEND")
    os.environ["NEMO_BACKEND"] = engine.url
    try:
        nemo = Nemo()
        session = nemo.session()
        session.ask("make a 2-second video of a cat")
        board = session.storyboard(width=160)
        video = session.export(quality="preview").wait(timeout=120)
        path = folder / "nemo_outputs" / "a cat #1.mp4"
        path.parent.mkdir()
        video.download(str(path))
        nemo.close()
    finally:
        if saved is None:
            os.environ.pop("NEMO_BACKEND", None)
        else:
            os.environ["NEMO_BACKEND"] = saved
    return {"path": path, "folder": folder, "board": board, "duration": video.duration}


def test_the_video_and_its_storyboard_credit_openmoji_as_cc_by_sa_asks(cat_video: dict[str, Any]) -> None:
    credit = video_credit(cat_video["path"])
    assert credit is not None
    assert "adapted from OpenMoji" in credit and "CC BY-SA 4.0" in credit and LICENCE_URL in credit
    board = cat_video["board"]
    assert board is not None and board.credit == credit          # one credit, the same words
    html = board._repr_html_()
    assert f'<a href="{LICENCE_URL}"' in html and "adapted from OpenMoji" in html
    assert "adapted from OpenMoji" in str(board)
    # each still carries it too (a JPEG comment), so a still saved on its own keeps it
    still = Image.open(io.BytesIO(board.frames[0].image))
    assert b"OpenMoji" in still.info.get("comment", b"")


def test_no_art_no_credit(make_media: Any) -> None:
    plain = make_media.video("plain.mp4", 1.0, 64, 48)
    assert video_credit(plain) is None
    assert attribution_html(None) == ""
    board = parse_storyboard({"frames": [{"t": 1, "image": "data:image/jpeg;base64,/9j/"}], "width": 8, "height": 8})
    assert board is not None and board.credit is None and "nemo-credit" not in board._repr_html_()


def test_credit_text_from_a_backend_is_escaped() -> None:
    html = attribution_html('Art <script>alert(1)</script> https://example.org/a?b=1&c="2" end')
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert '<a href="https://example.org/a?b=1&amp;c=' in html


def test_posters_in_a_notebook_and_in_an_exported_page(cat_video: dict[str, Any]) -> None:
    path, folder = cat_video["path"], cat_video["folder"]
    # in a notebook output: relative to the notebook, percent-encoded, fetched as a file (download)
    inline = video_block(path, None, cat_video["duration"], base=folder)
    assert 'href="nemo_outputs/a%20cat%20%231.mp4" download="a cat #1.mp4"' in inline
    assert "data:image/jpeg;base64," in inline and f'<a href="{LICENCE_URL}"' in inline
    # in the exported page beside the videos: a plain relative link (the page is served sandboxed)
    page = video_block(path, None, cat_video["duration"], base=path.parent, page=True)
    assert 'href="a%20cat%20%231.mp4"' in page and "download=" not in page
    assert "adapted from OpenMoji" in page
    # the link resolves from disk to the file
    assert (path.parent / "a cat #1.mp4").is_file()


def test_the_cell_output_of_a_video_credits_the_art(cat_video: dict[str, Any], monkeypatch: pytest.MonkeyPatch) -> None:
    from nemo_jupyter.client.models import Video
    from nemo_jupyter.ui import cell_output

    shown: list[dict[str, str]] = []
    monkeypatch.setattr(cell_output, "display", lambda bundle, raw=True: shown.append(bundle))
    monkeypatch.chdir(cat_video["folder"])
    video = Video(url=None, path=cat_video["path"], job_id="r1", duration=cat_video["duration"])
    cell_output.show_video(video, cat_video["path"], embed=False)
    assert shown and "adapted from OpenMoji" in shown[0]["text/html"] and LICENCE_URL in shown[0]["text/plain"]


# -- the front end's links -----------------------------------------------------------------------
def _node() -> str:
    import playwright

    exe = Path(playwright.__file__).parent / "driver" / "node"
    if not exe.exists():  # pragma: no cover - a Playwright without its bundled Node
        pytest.skip("no Node: Playwright's driver is missing")
    return str(exe)


CASES = [
    # (page path, base URL, what a link to nemo_outputs/c d.html must become)
    ("/lab/tree/class/week%201/lesson.ipynb", "/", "/files/class/week%201/nemo_outputs/c%20d.html"),
    ("/user/ann/lab/workspaces/auto-x/tree/lesson.ipynb", "/user/ann/", "/user/ann/files/nemo_outputs/c%20d.html"),
    ("/doc/tree/a/lesson.ipynb", "/", "/files/a/nemo_outputs/c%20d.html"),
    ("/notebooks/class/lesson.ipynb", "/", "/files/class/nemo_outputs/c%20d.html"),        # Notebook 7
    ("/notebooks/lab/tree/lesson.ipynb", "/", "/files/lab/tree/nemo_outputs/c%20d.html"),  # folders named like routes
    ("/user/notebooks/notebooks/x/lesson.ipynb", "/user/notebooks/", "/user/notebooks/files/x/nemo_outputs/c%20d.html"),
    ("/edit/a/script.py", "/", "/files/a/nemo_outputs/c%20d.html"),
    ("/voila/render/demo/lesson.ipynb", "/", "/voila/files/demo/nemo_outputs/c%20d.html"),
    ("/tree/class", "/", "nemo_outputs/c d.html"),           # a file browser: no notebook to be relative to
    ("/index.html", None, "nemo_outputs/c d.html"),          # no Jupyter page (VS Code, from disk): relative
]


def test_links_to_files_use_the_file_server_in_every_front_end() -> None:
    common = (STATIC / "_common.js").read_text(encoding="utf-8")
    script = common + "\nconst cases = " + json.dumps(CASES) + ";\n" + """
const out = cases.map(([path, base]) =>
  nemoFilesUrl("nemo_outputs/c d.html", path, base === null ? null : { baseUrl: base }));
console.log(JSON.stringify(out));
"""
    proc = subprocess.run([_node(), "-e", script], capture_output=True, text=True, timeout=60, check=False)
    assert proc.returncode == 0, proc.stderr[-2000:]
    got = json.loads(proc.stdout.strip().splitlines()[-1])
    for (path, _base, want), have in zip(CASES, got, strict=True):
        assert have == want, f"{path}: {have} != {want}"


def test_the_live_player_carries_the_credit(cat_video: dict[str, Any], monkeypatch: pytest.MonkeyPatch) -> None:
    from nemo_jupyter.widgets import VideoWidget

    monkeypatch.chdir(cat_video["folder"])
    widget = VideoWidget(cat_video["path"])
    assert "adapted from OpenMoji" in widget.credit and LICENCE_URL in widget.credit
    # drawn from text nodes in the front end: the same helper turns the address into a link
    common = (STATIC / "_common.js").read_text(encoding="utf-8")
    assert "function nemoCredit(node, text)" in common and 'nemoCredit(credit, model.get("credit")' in common
