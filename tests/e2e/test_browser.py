"""The widgets in a real browser: JupyterLab on loopback, Debian's Chromium driven by Playwright.

One notebook is opened and run (Run All). Then, through the page only:
- the chat reply streams in (the streaming bubble is sampled and grows), with the
  "still working" sign before it, and Cancel stops a turn while it runs;
- a reply containing ``<img src=x onerror=alert(1)>`` executes nothing;
- on the embedded engine, a prompt typed in the chat draws one timeline row per track,
  the Export button renders, and the ``<video>`` element loads with the right duration;
- a CompareWidget with 3 prompts finishes all 3 and its videos load.

Screenshots go to ``test-artifacts/`` (gitignored). Chromium is never downloaded: without
``/usr/bin/chromium`` the test is skipped, unless ``CI`` is set, where it fails.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM = Path("/usr/bin/chromium")
XSS = "<img src=x onerror=alert(1)>"


def require_chromium() -> None:
    """Skip without Debian's Chromium (fail in CI, which must install it)."""
    if not CHROMIUM.exists():
        if os.environ.get("CI"):
            pytest.fail("/usr/bin/chromium is missing: CI must install Debian's chromium for the browser tests")
        pytest.skip("/usr/bin/chromium is missing (apt-get install chromium)")


def stop(proc: subprocess.Popen[Any]) -> None:
    """End a server this test started: terminate, then kill after 15 s."""
    proc.terminate()
    try:
        proc.wait(15)
    except subprocess.TimeoutExpired:
        proc.kill()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _wait_http(url: str, timeout: float, proc: subprocess.Popen[Any] | None = None) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"{proc.args[:3]} exited with {proc.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except Exception:
            time.sleep(0.3)
    raise TimeoutError(f"{url} did not answer in {timeout} s")


def _tiny_mp4(path: Path, seconds: float) -> Path:
    import imageio_ffmpeg

    subprocess.run([imageio_ffmpeg.get_ffmpeg_exe(), "-hide_banner", "-loglevel", "error", "-y", "-f", "lavfi",
                    "-i", f"testsrc2=s=160x90:r=10:d={seconds}", "-c:v", "libx264", "-preset", "ultrafast",
                    "-pix_fmt", "yuv420p", str(path)], check=True, capture_output=True, timeout=60)
    return path


def _start_session(base: str, token: str, path: str) -> None:
    """Start the notebook's kernel through the REST API, so the page attaches to it (no kernel dialog)."""
    body = json.dumps({"path": path, "name": path, "type": "notebook", "kernel": {"name": "python3"}}).encode()
    req = urllib.request.Request(f"{base}/api/sessions?token={token}", data=body, method="POST",
                                 headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=60) as resp:
        assert json.loads(resp.read())["kernel"]["id"]


def _notebook(path: Path) -> None:
    import nbformat

    cells = [
        "import os\n"
        "from nemo_jupyter.widgets import ChatWidget, CompareWidget\n"
        "SLOW = os.environ['NEMO_TEST_SLOWCLOUD']",
        "slow_chat = ChatWidget(backend=SLOW, session='stream')\nslow_chat",
        "chat = ChatWidget(quality='preview')\nchat",
        "cmp = CompareWidget(['a 1-second video of the ocean', 'a 1-second video of a city at night',\n"
        "                     'a 1-second video of snow'], quality='preview')\ncmp",
        "from nemo_jupyter.widgets import VideoWidget\n"
        "VideoWidget(path=os.environ['NEMO_TEST_OUTSIDE_MP4'])  # outside the server root: bytes over the comm",
    ]
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(c) for c in cells])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(nb, path)


@pytest.fixture(scope="module")
def lab(engine: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str]]:
    require_chromium()
    root = tmp_path_factory.mktemp("lab")
    home = tmp_path_factory.mktemp("lab-home")
    _notebook(root / "widgets.ipynb")
    slow_port = _free_port()
    env = {**os.environ,
           "NEMO_BACKEND": engine.url, "NEMO_ENGINE_HOME": str(engine.home),
           "NEMO_TEST_SLOWCLOUD": f"http://127.0.0.1:{slow_port}",
           "JUPYTER_CONFIG_DIR": str(home / "config"), "JUPYTER_RUNTIME_DIR": str(home / "runtime"),
           "JUPYTERLAB_SETTINGS_DIR": str(home / "settings"), "JUPYTERLAB_WORKSPACES_DIR": str(home / "ws"),
           "IPYTHONDIR": str(home / "ipython")}
    env.pop("NEMO_TOKEN", None)
    env["NEMO_TEST_OUTSIDE_MP4"] = str(_tiny_mp4(home / "outside.mp4", seconds=1.5))
    news = home / "settings" / "@jupyterlab" / "apputils-extension" / "notification.jupyterlab-settings"
    news.parent.mkdir(parents=True)
    news.write_text('{"fetchNews": "false", "checkForUpdates": false}')
    slow = subprocess.Popen([sys.executable, str(ROOT / "benchmarks" / "slowcloud.py"), "--port", str(slow_port)],
                            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    token = secrets.token_hex(16)
    port = _free_port()
    log = (home / "lab.log").open("wb")
    proc = subprocess.Popen(
        [sys.executable, "-m", "jupyterlab", "--no-browser", f"--ServerApp.token={token}",
         "--ServerApp.ip=127.0.0.1", f"--port={port}", "--allow-root", f"--ServerApp.root_dir={root}",
         "--ServerApp.open_browser=False"],
        env=env, cwd=root, stdout=log, stderr=subprocess.STDOUT)
    try:
        base = f"http://127.0.0.1:{port}"
        _wait_http(f"{base}/api/status?token={token}", 90, proc)
        _wait_http(f"http://127.0.0.1:{slow_port}/api/credits/balance/simple", 30, slow)
        _start_session(base, token, "widgets.ipynb")
        yield base, token
    finally:
        for p in (proc, slow):
            stop(p)
        log.close()


def _run_all(page: Any) -> None:
    """Run All from the Run menu; if the kernel was not ready for it, Restart & Run All from the toolbar."""
    started = ("() => [...document.querySelectorAll('.jp-InputArea-prompt')]"
               ".some(e => /\\[(\\d+|\\*)\\]/.test(e.textContent))")
    for attempt in range(6):
        accept = page.locator(".jp-Dialog button.jp-mod-accept")  # "Select Kernel" / "Restart Kernel?"
        if accept.count():
            accept.first.click()
        page.locator(".jp-Cell .jp-InputPrompt").first.click()  # focus this notebook
        if attempt % 2 == 0:
            page.locator(".lm-MenuBar-itemLabel", has_text=re.compile(r"^Run$")).click()
            page.locator(".lm-Menu-itemLabel", has_text=re.compile(r"^Run All Cells$")).click()
        else:
            page.locator("[data-command='notebook:restart-run-all']").first.click()
            page.locator(".jp-Dialog button.jp-mod-accept").first.click(timeout=10_000)
        try:
            page.wait_for_function(started, timeout=10_000)
            return
        except Exception:
            continue
    raise AssertionError("the notebook's cells never started running")


def _shot(page: Any, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def test_widgets_in_jupyterlab(lab: tuple[str, str]) -> None:
    from playwright.sync_api import sync_playwright

    base, token = lab
    dialogs: list[str] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM),
                                    args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"])
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
        try:
            _run(page, base, token, dialogs)
        finally:
            _shot(page, "browser-final")
            browser.close()


def _run(page: Any, base: str, token: str, dialogs: list[str]) -> None:
    page.goto(f"{base}/lab/workspaces/nemo-test/tree/widgets.ipynb?token={token}&reset")
    page.wait_for_selector(".jp-Notebook", timeout=90_000)
    page.wait_for_selector(".jp-Notebook-ExecutionIndicator[data-status='idle']", timeout=90_000)
    _run_all(page)
    chats = page.locator(".nemo-chat")
    chats.nth(1).wait_for(timeout=90_000)
    slow_chat, chat = chats.nth(0), chats.nth(1)
    page.locator(".nemo-cmp").wait_for(timeout=90_000)
    _shot(page, "browser-after-run-all")

    # -- 1. streaming: type a slow prompt, press Enter, sample the streaming bubble -----------
    prompt = slow_chat.locator("textarea.nemo-chat-prompt")
    prompt.fill("[[think=10;stream=4]] a forest at dawn")
    prompt.press("Enter")
    working = slow_chat.locator(".nemo-chat-still")
    t_sent = time.monotonic()
    working.wait_for(timeout=25_000)
    # a calm sign, and only after a long quiet (8 s without any visible change)
    assert re.search(r"still working \(\d+s\)", working.inner_text()) and time.monotonic() - t_sent >= 7
    bubble = slow_chat.locator(".nemo-msg-streaming")
    lengths: list[int] = []
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        # read in one go: the bubble may be replaced by the final message between two calls
        texts = bubble.evaluate_all("els => els.map(e => e.innerText)")
        text = texts[0] if texts else ""
        if text and text != "…":
            lengths.append(len(text))
        if lengths and not texts:
            break
        page.wait_for_timeout(150)
    distinct = sorted(set(lengths))
    assert len(distinct) >= 3 and lengths == sorted(lengths), lengths  # grew in steps, never shrank
    _shot(page, "browser-streamed")
    slow_chat.locator(".nemo-msg-assistant").last.wait_for()
    assert "forest" in slow_chat.locator(".nemo-msg-assistant").last.inner_text().lower()

    # -- 2. Cancel stops a running turn (the kernel handles the click mid-turn) --------------
    prompt.fill("[[think=60]] a turn that takes a minute")
    prompt.press("Enter")
    page.wait_for_function("el => el.dataset.status === 'working'", arg=slow_chat.element_handle(), timeout=20_000)
    page.wait_for_timeout(800)
    t0 = time.monotonic()
    slow_chat.locator("button.nemo-chat-cancel").click()
    page.wait_for_function("el => el.dataset.status === 'cancelled'", arg=slow_chat.element_handle(),
                           timeout=10_000)
    assert time.monotonic() - t0 < 8

    # -- 3. a reply with markup executes nothing ---------------------------------------------
    page.evaluate("window.__nemoXss = 0")
    prompt.fill(f"[[think=0.2;stream=0.5;reply=Look {XSS} and <script>window.__nemoXss=1</script> "
                "<b onmouseover=alert(2)>here</b>. Click Export to render it.]] xss")
    prompt.press("Enter")
    last = slow_chat.locator(".nemo-msg-assistant").last
    page.wait_for_function("el => el.dataset.status === 'idle'", arg=slow_chat.element_handle(), timeout=20_000)
    assert XSS in last.inner_text()  # shown as text
    assert slow_chat.locator(".nemo-chat-log img, .nemo-chat-log script, .nemo-chat-log b").count() == 0
    last.hover()
    page.wait_for_timeout(1500)
    assert dialogs == [] and page.evaluate("window.__nemoXss") == 0
    _shot(page, "browser-xss")

    # -- 4. on the engine: timeline rows, Export button, video duration ----------------------
    eprompt = chat.locator("textarea.nemo-chat-prompt")
    eprompt.fill("make a 3-second video of a forest with soft music and a title that says Hello")
    chat.locator("button.nemo-chat-send").click()
    page.wait_for_function("el => el.dataset.status === 'idle' && el.querySelector('.nemo-action-export')",
                           arg=chat.element_handle(), timeout=120_000)
    # the timeline widget is the next view in the chat's box (the third cell's output)
    engine_cell = page.locator(".jp-Notebook .jp-Cell").nth(2)
    timeline = engine_cell.locator(".nemo-tl")
    timeline.wait_for()
    head = timeline.locator(".nemo-tl-head").inner_text()
    m = re.search(r"(\d+) tracks?", head)
    assert m, head
    rows = timeline.locator(".nemo-tl-row")
    assert rows.count() == int(m.group(1)) >= 2
    types = {rows.nth(i).get_attribute("data-track-type") for i in range(rows.count())}
    assert {"video", "audio"} <= types
    timeline.locator(".nemo-tl-seg").first.hover()
    assert timeline.locator(".nemo-tl-tip").is_visible() and "→" in timeline.locator(".nemo-tl-tip").inner_text()
    _shot(page, "browser-timeline")
    chat.locator("button.nemo-action-export").click()
    video = engine_cell.locator("video.nemo-video-el")
    video.wait_for(timeout=180_000)
    page.wait_for_function("v => v.readyState >= 1 && isFinite(v.duration) && v.duration > 0",
                           arg=video.element_handle(), timeout=300_000)
    duration = video.evaluate("v => v.duration")
    assert abs(duration - 3.0) < 0.5, duration
    src = video.evaluate("v => v.currentSrc")
    assert "/files/" in src and "nemo_outputs/" in src, src  # served by Jupyter, not pushed through state
    video.scroll_into_view_if_needed()
    _shot(page, "browser-video")

    # -- 5. the CompareWidget finished all 3 -------------------------------------------------
    cmp = page.locator(".nemo-cmp").first
    page.wait_for_function(
        "el => el.parentElement.dataset.done === 'true'", arg=cmp.element_handle(), timeout=600_000)
    cols = cmp.locator(".nemo-cmp-col")
    assert cols.count() == 3
    assert [cols.nth(i).get_attribute("data-status") for i in range(3)] == ["done"] * 3
    for i in range(3):
        v = cols.nth(i).locator("video")
        page.wait_for_function("v => v.readyState >= 1 && v.duration > 0", arg=v.element_handle(),
                               timeout=60_000)
    cmp.scroll_into_view_if_needed()
    _shot(page, "browser-compare")

    # -- 6. a file the server cannot serve still plays: bytes as one binary comm message ------
    outside = page.locator(".jp-Notebook .jp-Cell").nth(4).locator("video.nemo-video-el")
    page.wait_for_function("v => v.readyState >= 1 && v.duration > 0", arg=outside.element_handle(),
                           timeout=90_000)
    assert outside.evaluate("v => v.dataset.nemoSource") == "bytes"
    assert outside.evaluate("v => v.currentSrc").startswith("blob:")
    assert abs(outside.evaluate("v => v.duration") - 1.5) < 0.3
