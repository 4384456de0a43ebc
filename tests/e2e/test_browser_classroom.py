"""The classroom notebook as a class sees it: executed on the real engine, then opened in
JupyterLab in Debian's Chromium. The timeline table must read like a table of data (track,
what, from, to, text, volume), with no internal keys or URLs. Screenshot: test-artifacts/classroom.png.
"""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from pathlib import Path
from typing import Any

import nbformat
import pytest

from tests.e2e.test_browser import ARTIFACTS, CHROMIUM, _free_port, _wait_http, require_chromium, stop
from tests.e2e.test_notebooks import run_classroom

pytestmark = pytest.mark.browser


def test_classroom_timeline_table_in_jupyterlab(engine_env: Any, tmp_path: Path) -> None:
    require_chromium()
    from playwright.sync_api import sync_playwright

    work = tmp_path / "class"
    work.mkdir()
    nb = run_classroom(work)
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(nb, work / "classroom.ipynb")

    home = tmp_path / "lab-home"
    env = {**os.environ, "JUPYTER_CONFIG_DIR": str(home / "config"), "JUPYTER_RUNTIME_DIR": str(home / "runtime"),
           "JUPYTERLAB_SETTINGS_DIR": str(home / "settings"), "JUPYTERLAB_WORKSPACES_DIR": str(home / "ws"),
           "IPYTHONDIR": str(home / "ipython")}
    news = home / "settings" / "@jupyterlab" / "apputils-extension" / "notification.jupyterlab-settings"
    news.parent.mkdir(parents=True)
    news.write_text('{"fetchNews": "false", "checkForUpdates": false}')
    token, port = secrets.token_hex(16), _free_port()
    log = (home / "lab.log").open("wb")
    proc = subprocess.Popen(
        [sys.executable, "-m", "jupyterlab", "--no-browser", f"--ServerApp.token={token}", "--ServerApp.ip=127.0.0.1",
         f"--port={port}", "--allow-root", f"--ServerApp.root_dir={work}", "--ServerApp.open_browser=False"],
        env=env, cwd=work, stdout=log, stderr=subprocess.STDOUT)
    try:
        base = f"http://127.0.0.1:{port}"
        _wait_http(f"{base}/api/status?token={token}", 90, proc)
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=str(CHROMIUM),
                                        args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"])
            page = browser.new_page(viewport={"width": 1280, "height": 1000})
            try:
                page.goto(f"{base}/lab/workspaces/classroom/tree/classroom.ipynb?token={token}&reset")
                table = page.locator("table.nemo-timeline").first
                table.wait_for(timeout=90_000)
                headers = [h.strip() for h in table.locator("th").all_inner_texts()]
                assert headers == ["track", "what", "from", "to", "text", "volume"]
                text = table.inner_text()
                assert "The Water Cycle" in text and "segment_id" not in text and "http" not in text
                box = table.bounding_box()
                assert box is not None and box["width"] < 1100, "the table fits beside the notebook"
                table.scroll_into_view_if_needed()
                ARTIFACTS.mkdir(exist_ok=True)
                cell = page.locator(".jp-Cell", has=page.locator("table.nemo-timeline")).first
                cell.screenshot(path=str(ARTIFACTS / "classroom-table.png"))
                page.screenshot(path=str(ARTIFACTS / "classroom.png"))
            finally:
                browser.close()
    finally:
        stop(proc)
        log.close()
