"""The notebook of issue 24 in a real browser: JupyterLab (light and dark) and Notebook 7, Debian's
Chromium through Playwright, the real engine. One notebook is run (Run All), then through the page:

- ``%%nemo -x`` (1080p, high quality) shows a preview that plays before the 1080p file exists, then
  the final file in the same player (the same element, its <video> swapped in place);
- the checklist under a cell lists ✗ for what the engine could not do (a logo never uploaded), and a
  request that was all done is one line;
- the editable timeline: dragging a caption's edge changes the draft in the kernel, the arrow keys
  move it, and ``%nemo undo`` (another cell's command) brings it back on the page;
- the compare grid shows a checklist line per item in every column, and no JSON anywhere.

Screenshots go to ``test-artifacts/`` (gitignored): ``issue24-<front end>-*.png``.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from test_browser import ARTIFACTS, CHROMIUM, _free_port, _run_all, _wait_http, require_chromium, stop
from test_browser_grid import Lab, _api

pytestmark = pytest.mark.browser


@dataclass(frozen=True)
class FrontEnd:
    name: str        # lab-light | lab-dark | notebook7
    app: str         # jupyterlab | notebook
    theme: str       # "JupyterLab Light" | "JupyterLab Dark"
    title: str       # the exported video's title (one per front end: the engine renders each anew)

    def url(self, base: str, token: str) -> str:
        if self.app == "notebook":
            return f"{base}/notebooks/issue24.ipynb?token={token}"
        return f"{base}/lab/workspaces/{self.name}/tree/issue24.ipynb?token={token}&reset"


FRONT_ENDS = [FrontEnd("lab-light", "jupyterlab", "JupyterLab Light", "Harbour Light"),
              FrontEnd("lab-dark", "jupyterlab", "JupyterLab Dark", "Harbour Dark"),
              FrontEnd("notebook7", "notebook", "JupyterLab Light", "Harbour Seven")]


def _notebook(path: Path, title: str) -> None:
    import nbformat

    cells = [
        "%load_ext nemo_jupyter\n%config NemoMagics.refresh_hz = 8",
        f'%%nemo -x --resolution 1080p\nmake a 20-second video of a harbour with boats titled "{title}"',
        "%%nemo -s logo\nput my logo in the corner of a forest video",
        "%%nemo -s panda\nmake a 6-second video of a panda in a forest",
        '%%nemo -s edit\nmake a 6-second video of a forest with a caption "Hello"',
        "%nemo timeline --edit",
        "from nemo_jupyter.widgets import CompareWidget\n"
        "cmp = CompareWidget(['a lighthouse and a hologram', 'a red boat on a lake titled \"Home\"'], export=False)\ncmp",
    ]
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(c) for c in cells])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(nb, path)


@pytest.fixture(params=FRONT_ENDS, ids=[f.name for f in FRONT_ENDS])
def served(request: pytest.FixtureRequest, engine: Any, tmp_path_factory: pytest.TempPathFactory
           ) -> Iterator[tuple[FrontEnd, Lab]]:
    require_chromium()
    front: FrontEnd = request.param
    if front.app == "notebook":
        pytest.importorskip("notebook", minversion="7")
    root = tmp_path_factory.mktemp(f"nb-{front.name}")
    home = tmp_path_factory.mktemp(f"nb-{front.name}-home")
    _notebook(root / "issue24.ipynb", front.title)
    runtime = home / "runtime"
    env = {**os.environ, "NEMO_BACKEND": engine.url, "NEMO_ENGINE_HOME": str(engine.home),
           "NEMO_CONFIG_DIR": str(home / "nemo-config"),
           "JUPYTER_CONFIG_DIR": str(home / "config"), "JUPYTER_RUNTIME_DIR": str(runtime),
           "JUPYTERLAB_SETTINGS_DIR": str(home / "settings"), "JUPYTERLAB_WORKSPACES_DIR": str(home / "ws"),
           "IPYTHONDIR": str(home / "ipython")}
    env.pop("NEMO_TOKEN", None)
    settings = home / "settings" / "@jupyterlab" / "apputils-extension"
    settings.mkdir(parents=True)
    (settings / "notification.jupyterlab-settings").write_text('{"fetchNews": "false", "checkForUpdates": false}')
    (settings / "themes.jupyterlab-settings").write_text(json.dumps({"theme": front.theme}))
    token, port = secrets.token_hex(16), _free_port()
    log = (home / "server.log").open("wb")
    proc = subprocess.Popen(
        [sys.executable, "-m", front.app, "--no-browser", f"--ServerApp.token={token}", "--ServerApp.ip=127.0.0.1",
         f"--port={port}", "--allow-root", f"--ServerApp.root_dir={root}", "--ServerApp.open_browser=False"],
        env=env, cwd=root, stdout=log, stderr=subprocess.STDOUT)
    try:
        base = f"http://127.0.0.1:{port}"
        _wait_http(f"{base}/api/status?token={token}", 90, proc)
        lab = Lab(base, token, root, runtime)
        sess = _api(base, token, "/api/sessions", "POST", {"path": "issue24.ipynb", "name": "issue24.ipynb",
                                                           "type": "notebook", "kernel": {"name": "python3"}})
        lab.kernel_id, lab.session_id = sess["kernel"]["id"], sess["id"]
        yield front, lab
    finally:
        stop(proc)
        log.close()


def _shot(page: Any, front: FrontEnd, what: str, locator: Any = None) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    path = str(ARTIFACTS / f"issue24-{front.name}-{what}.png")
    if locator is not None:
        locator.screenshot(path=path)
    else:
        page.screenshot(path=path, full_page=False)


def test_notebook_surfaces_in_the_browser(served: tuple[FrontEnd, Lab]) -> None:
    from playwright.sync_api import sync_playwright

    front, lab = served
    dialogs: list[str] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM),
                                    args=["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                                          "--autoplay-policy=no-user-gesture-required"])
        page = browser.new_page(viewport={"width": 1300, "height": 1000})
        page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
        try:
            _run(page, front, lab)
        finally:
            _shot(page, front, "final")
            browser.close()
    assert not dialogs, dialogs   # no backend text ever ran as script


def _cell(page: Any, n: int) -> Any:
    return page.locator(".jp-Notebook .jp-Cell").nth(n)


def _run(page: Any, front: FrontEnd, lab: Lab) -> None:
    page.goto(front.url(lab.base, lab.token))
    page.wait_for_selector(".jp-Notebook", timeout=90_000)
    accept = page.locator(".jp-Dialog button.jp-mod-accept")
    if accept.count():
        accept.first.click()
    page.wait_for_function("() => document.body.dataset.jpThemeLight !== undefined", timeout=60_000)
    theme_light = page.evaluate("() => document.body.dataset.jpThemeLight")
    assert theme_light == ("false" if "Dark" in front.theme else "true"), theme_light
    page.wait_for_timeout(1500)
    _run_all(page)

    # -- preview first: a playing preview before the 1080p file exists, then the final in the same player
    export = _cell(page, 1)
    player = export.locator('.nemo-root.nemo-video[data-stage="preview"]')   # the live player (not its static copy)
    try:
        player.wait_for(timeout=180_000)
    except Exception:
        ARTIFACTS.mkdir(exist_ok=True)
        (ARTIFACTS / f"issue24-{front.name}-export-cell.html").write_text(export.inner_html())
        raise
    root = player.element_handle()
    outputs = lab.root / "nemo_outputs"
    previews = list((outputs / "previews").glob("*.mp4"))
    assert len(previews) == 1, previews
    final_file = outputs / previews[0].name
    page.wait_for_function("r => { const v = r.querySelector('video'); return v && v.readyState >= 2; }",
                           arg=root, timeout=60_000)
    # (looped, so that it is still playing when the 1080p file comes, however long that takes)
    page.evaluate("r => { const v = r.querySelector('video'); v.muted = true; v.loop = true; return v.play(); }", root)
    page.wait_for_function("r => { const v = r.querySelector('video'); return !v.paused && v.currentTime > 0.3; }",
                           arg=root, timeout=30_000)
    assert not final_file.exists(), "the preview must play before the 1080p file is there"
    assert "previews/" in page.evaluate("r => r.querySelector('video').currentSrc", root)
    note = player.locator(".nemo-video-note").inner_text()
    assert "full-quality video replaces it in this player" in note
    export.scroll_into_view_if_needed()
    _shot(page, front, "preview", export)
    page.wait_for_function("r => r.dataset.stage === 'final' && Number(r.dataset.swapped || 0) >= 1",
                           arg=root, timeout=600_000)
    assert final_file.exists()
    swapped = page.evaluate("r => { const v = r.querySelector('video'); return {src: v.currentSrc, "
                            "connected: r.isConnected, videos: r.querySelectorAll('video').length, "
                            "paused: v.paused, from: Number(r.dataset.swappedFrom), at: Number(r.dataset.swappedAt)}; }",
                            root)
    assert swapped["connected"] and swapped["videos"] == 1, swapped          # the same player, one <video>
    assert swapped["src"].endswith("/" + final_file.name) and "previews" not in swapped["src"], swapped
    assert not swapped["paused"], swapped                                   # still playing
    print(f"swap: preview at {swapped['from']:.2f} s, final at {swapped['at']:.2f} s")
    assert abs(swapped["at"] - swapped["from"]) < 0.25, swapped             # at the moment the preview was
    assert export.locator(".nemo-root.nemo-video").count() == 1            # no second player under the cell
    _shot(page, front, "final-player", export)

    # -- the checklist: ✗ for the logo never uploaded; a request all done is one line -----------------
    logo = _cell(page, 2)
    logo.scroll_into_view_if_needed()
    failed = logo.locator('.nemo-checklist li[data-status="not_done"]')
    failed.first.wait_for(timeout=60_000)
    text = failed.first.inner_text()
    assert text.startswith("✗") and "logo" in text and "?" not in text and "upload it first" in text, text
    assert logo.locator(".nemo-checklist").get_attribute("open") is not None
    _shot(page, front, "checklist", logo)
    done = _cell(page, 3).locator('.nemo-checklist[data-all-done="true"]')
    done.wait_for(timeout=60_000)
    assert done.get_attribute("open") is None and done.locator("summary").inner_text().startswith("✓ Everything")
    assert done.locator("li").first.is_visible() is False                  # collapsed to its one line

    # -- the editable timeline: a drag changes the draft; undo brings it back -------------------------
    timeline = _cell(page, 5).locator('.nemo-tl-wrap[data-editable="true"]')
    timeline.wait_for(timeout=90_000)
    caption = timeline.locator('.nemo-tl-seg[data-kind="caption"]')
    caption.wait_for(timeout=30_000)
    timeline.scroll_into_view_if_needed()
    page.wait_for_timeout(300)
    before = caption.bounding_box()
    lane = timeline.locator(".nemo-tl-text .nemo-tl-lane").bounding_box()
    assert before and lane
    handle = caption.locator(".nemo-tl-handle-end").bounding_box()
    assert handle
    y = handle["y"] + handle["height"] / 2
    page.mouse.move(handle["x"] + handle["width"] / 2, y)
    page.mouse.down()
    page.mouse.move(handle["x"] + lane["width"] * 0.25, y, steps=8)
    page.mouse.up()
    change = timeline.locator(".nemo-tl-change")
    page.wait_for_function("el => el.textContent.startsWith(\"Retimed caption 'Hello' 0-3 s →\")",
                           arg=change.element_handle(), timeout=60_000)
    wider = caption.bounding_box()
    assert wider and wider["width"] > before["width"] * 1.4, (before, wider)   # 3 s → 4.5 s
    ends = lab.kernel("from nemo_jupyter.client.loop import run_sync\n"
                      "conv = get_ipython().magics_manager.registry['NemoMagics'].conversations.get('edit')\n"
                      "d = run_sync(conv.session.state()).draft\n"
                      "print([round(s.end, 1) for s in d.segments() if s.kind == 'caption'])")
    end = float(ends.strip().strip("[]"))
    assert end > 3.5, ends                                                  # the engine's draft changed
    _shot(page, front, "timeline-dragged", timeline)
    lab.kernel("get_ipython().run_line_magic('nemo', 'undo')")             # another cell's command
    page.wait_for_function("([el, w]) => Math.abs(el.getBoundingClientRect().width - w) < 2",
                           arg=[caption.element_handle(), before["width"]], timeout=30_000)
    ends = lab.kernel("print([round(s.end, 1) for s in run_sync(conv.session.state()).draft.segments() "
                      "if s.kind == 'caption'])")
    assert ends.strip() == "[3.0]", ends
    # the keyboard does what the mouse does: → moves the focused bar, Ctrl+Z undoes
    bar = timeline.locator('.nemo-tl-seg[data-kind="caption"]')
    bar.focus()
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowRight")
    page.wait_for_function("el => el.textContent.includes(\"Moved caption 'Hello' 0-3 s → 1-4 s\")",
                           arg=change.element_handle(), timeout=60_000)
    page.keyboard.press("Control+z")
    page.wait_for_function("el => el.textContent.startsWith('Back to version')", arg=change.element_handle(),
                           timeout=60_000)
    assert re.search(r"^\[3\.0\]$", lab.kernel("print([round(s.end, 1) for s in run_sync(conv.session.state())"
                                               ".draft.segments() if s.kind == 'caption'])").strip())
    _shot(page, front, "timeline-undone", timeline)

    # -- the compare grid: checklist lines in every column, no JSON -----------------------------------
    grid = _cell(page, 6).locator(".nemo-cmp-wrap")
    grid.wait_for(timeout=90_000)
    page.wait_for_function("el => el.dataset.done === 'true'", arg=grid.element_handle(), timeout=180_000)
    page.wait_for_function("el => el.querySelectorAll('.nemo-cmp-col .nemo-cmp-check li').length >= 4",
                           arg=grid.element_handle(), timeout=30_000)
    columns = grid.locator(".nemo-cmp-col")
    # (text contents: a take with everything done keeps its list folded, its lines hidden)
    lines = [columns.nth(i).locator(".nemo-cmp-check li").all_text_contents() for i in range(2)]
    assert len(lines[0]) == len(lines[1]), lines                          # lined up across the takes
    flat = [" ".join(x.split()) for x in lines[0]]
    assert any(x.startswith("≈ lighthouse") for x in flat) and any(x.startswith("✗ hologram") for x in flat), lines
    assert any(x.startswith("– ") for x in lines[1]), lines                 # an item this take was not asked
    shown = grid.inner_text()
    assert not re.search(r'\{"|"s":|\[\{|Retimed', shown), shown[:500]
    assert "has the title 'Home'" in shown
    grid.scroll_into_view_if_needed()
    _shot(page, front, "compare", grid)
    time.sleep(0.2)
