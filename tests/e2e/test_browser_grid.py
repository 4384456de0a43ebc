"""Themes, the comparison grid and the saved notebook, in JupyterLab in Debian's Chromium.

One notebook (a ChatWidget and a CompareWidget on the embedded engine) is run, then through
the page only:
- a file picked in the chat's file input reaches the backend session (checked in the kernel);
- Play all starts every player and their current times stay within 0.3 s; Pause all stops them;
- a star and a note typed in the grid are in ``cmp.results`` (read in the kernel);
- Export results writes the CSV and the HTML page (with inlined posters);
- text contrast (>= 4.5:1, from computed styles) of chat bubbles, timeline lanes and compare
  text in the light, dark and dark high-contrast themes; a screenshot of each;
- the notebook saved, its kernel shut down and the page reopened shows the static copies
  (transcript, comparison with posters) instead of "Error displaying widget"; nbconvert's
  HTML of the saved file shows them too.
Screenshots go to ``test-artifacts/`` (gitignored).
"""

from __future__ import annotations

import json
import os
import re
import secrets
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from test_browser import ARTIFACTS, CHROMIUM, _free_port, _run_all, _wait_http, require_chromium, stop

pytestmark = pytest.mark.browser

THEMES = ["JupyterLab Light", "JupyterLab Dark", "JupyterLab Dark High Contrast"]
PROMPTS = ["a 4-second video of the ocean", "a 4-second video of a city at night with a title that says Night",
           "a 4-second video of snow"]
BLIND = ["a red balloon in the sky", "a blue kite on a beach", "a green boat on a lake"]

# Contrast of every visible text in the elements matching a selector, from computed styles:
# the text colour composited over the stack of backgrounds under it (WCAG 2 ratio).
CONTRAST_JS = r"""
(sel) => {
  const parse = (c) => {
    let m = c.match(/^rgba?\(([^)]+)\)$/);
    if (m) { const p = m[1].split(/[\s,\/]+/).filter(Boolean).map(Number);
             return [p[0] / 255, p[1] / 255, p[2] / 255, p.length > 3 ? p[3] : 1]; }
    m = c.match(/^color\(srgb\s+([^)]+)\)$/);
    if (m) { const p = m[1].split(/[\s\/]+/).filter(Boolean).map(Number);
             return [p[0], p[1], p[2], p.length > 3 ? p[3] : 1]; }
    return null;
  };
  const over = (top, bottom) => [0, 1, 2].map((i) => top[i] * top[3] + bottom[i] * (1 - top[3])).concat([1]);
  const background = (el) => {
    const layers = [];
    for (let e = el; e; e = e.parentElement) {
      const c = parse(getComputedStyle(e).backgroundColor);
      if (c && c[3] > 0) { layers.push(c); if (c[3] >= 1) break; }
    }
    let acc = [1, 1, 1, 1];
    for (let i = layers.length - 1; i >= 0; i--) acc = over(layers[i], acc);
    return acc;
  };
  const lum = (c) => { const f = (x) => (x <= 0.03928 ? x / 12.92 : Math.pow((x + 0.055) / 1.055, 2.4));
                       return 0.2126 * f(c[0]) + 0.7152 * f(c[1]) + 0.0722 * f(c[2]); };
  const out = [];
  for (const el of document.querySelectorAll(sel)) {
    const own = [...el.childNodes].some((n) => n.nodeType === 3 && n.textContent.trim());
    if (!own || !el.getClientRects().length || el.closest(":disabled, option, .nemo-tl-tip")) continue;
    const st = getComputedStyle(el);
    if (st.visibility === "hidden" || st.display === "none") continue;
    const bg = background(el);
    const fg = over(parse(st.color) || [0, 0, 0, 1], bg);
    const a = lum(fg), b = lum(bg);
    out.push({ text: el.textContent.trim().slice(0, 40), cls: el.className, ratio: (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05),
               color: st.color, background: bg.map((x) => Math.round(x * 255)).join(",") });
  }
  return out;
}
"""


def _notebook(path: Path) -> None:
    import nbformat

    cells = [
        "from nemo_jupyter.widgets import ChatWidget, CompareWidget",
        "chat = ChatWidget(quality='preview')\nchat",
        f"cmp = CompareWidget({PROMPTS!r}, quality='preview')\ncmp",
        f"blind = CompareWidget({BLIND!r}, export=False, blind=True, seed=1)\nblind",
        "from nemo_jupyter.widgets import VideoWidget\nVideoWidget('portrait.mp4')",
    ]
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(c) for c in cells])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(nb, path)


def _api(base: str, token: str, path: str, method: str = "GET", body: Any = None) -> Any:
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(f"{base}{path}", data=data, method=method,
                                 headers={"Content-Type": "application/json", "Authorization": f"token {token}"})
    with urllib.request.urlopen(req, timeout=60) as resp:
        raw = resp.read()
    return json.loads(raw) if raw else None


class Lab:
    def __init__(self, base: str, token: str, root: Path, runtime: Path) -> None:
        self.base, self.token, self.root, self.runtime = base, token, root, runtime
        self.kernel_id = ""
        self.session_id = ""

    def kernel(self, code: str) -> str:
        """Run ``code`` in the notebook's kernel (a second client on its connection file); its stdout."""
        from jupyter_client import BlockingKernelClient

        kc = BlockingKernelClient(connection_file=str(self.runtime / f"kernel-{self.kernel_id}.json"))
        kc.load_connection_file()
        kc.start_channels()
        out: list[str] = []
        try:
            kc.wait_for_ready(timeout=30)
            reply = kc.execute_interactive(code, timeout=60, output_hook=lambda m: out.append(
                m["content"].get("text", "") if m["msg_type"] == "stream" else
                m["content"].get("evalue", "") if m["msg_type"] == "error" else ""))
            assert reply["content"]["status"] == "ok", "".join(out)
        finally:
            kc.stop_channels()
        return "".join(out)


@pytest.fixture(scope="module")
def lab(engine: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Lab]:
    require_chromium()
    root = tmp_path_factory.mktemp("lab-grid")
    home = tmp_path_factory.mktemp("lab-grid-home")
    _notebook(root / "grid.ipynb")
    import imageio_ffmpeg

    subprocess.run([imageio_ffmpeg.get_ffmpeg_exe(), "-hide_banner", "-loglevel", "error", "-y", "-f", "lavfi",
                    "-i", "testsrc2=s=180x320:r=10:d=1", "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt",
                    "yuv420p", str(root / "portrait.mp4")], check=True, capture_output=True, timeout=60)
    runtime = home / "runtime"
    env = {**os.environ, "NEMO_BACKEND": engine.url, "NEMO_ENGINE_HOME": str(engine.home),
           "JUPYTER_CONFIG_DIR": str(home / "config"), "JUPYTER_RUNTIME_DIR": str(runtime),
           "JUPYTERLAB_SETTINGS_DIR": str(home / "settings"), "JUPYTERLAB_WORKSPACES_DIR": str(home / "ws"),
           "IPYTHONDIR": str(home / "ipython")}
    env.pop("NEMO_TOKEN", None)
    news = home / "settings" / "@jupyterlab" / "apputils-extension" / "notification.jupyterlab-settings"
    news.parent.mkdir(parents=True)
    news.write_text('{"fetchNews": "false", "checkForUpdates": false}')
    token = secrets.token_hex(16)
    port = _free_port()
    log = (home / "lab.log").open("wb")
    proc = subprocess.Popen(
        [sys.executable, "-m", "jupyterlab", "--no-browser", f"--ServerApp.token={token}",
         "--ServerApp.ip=127.0.0.1", f"--port={port}", "--allow-root", f"--ServerApp.root_dir={root}"],
        env=env, cwd=root, stdout=log, stderr=subprocess.STDOUT)
    try:
        base = f"http://127.0.0.1:{port}"
        _wait_http(f"{base}/api/status?token={token}", 90, proc)
        lab = Lab(base, token, root, runtime)
        sess = _api(base, token, "/api/sessions", "POST",
                    {"path": "grid.ipynb", "name": "grid.ipynb", "type": "notebook", "kernel": {"name": "python3"}})
        lab.kernel_id, lab.session_id = sess["kernel"]["id"], sess["id"]
        yield lab
    finally:
        stop(proc)
        log.close()


def _shot(page: Any, name: str, locator: Any = None) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    if locator is not None:
        locator.screenshot(path=str(ARTIFACTS / f"{name}.png"))
    else:
        page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def _open(page: Any, lab: Lab) -> None:
    page.goto(f"{lab.base}/lab/workspaces/grid/tree/grid.ipynb?token={lab.token}&reset")
    page.wait_for_selector(".jp-Notebook", timeout=90_000)
    accept = page.locator(".jp-Dialog button.jp-mod-accept")
    if accept.count():
        accept.first.click()


def _times(page: Any) -> list[dict[str, Any]]:
    return page.evaluate("() => [...document.querySelector('.nemo-cmp-wrap').querySelectorAll('.nemo-cmp-col video')].map("
                         "v => ({t: v.currentTime, paused: v.paused, d: v.duration}))")


def _contrast(page: Any, theme: str) -> dict[str, float]:
    groups = {"chat bubbles": ".nemo-chat .nemo-msg, .nemo-chat .nemo-msg *",
              "timeline lanes": ".nemo-tl, .nemo-tl *",
              "compare text": ".nemo-cmp-wrap, .nemo-cmp-wrap *",
              "chat panel": ".nemo-chat *"}
    worst: dict[str, float] = {}
    for name, sel in groups.items():
        items = page.evaluate(CONTRAST_JS, sel)
        assert items, f"{theme}: no text found for {name}"
        low = min(items, key=lambda x: x["ratio"])
        worst[name] = round(low["ratio"], 2)
        assert low["ratio"] >= 4.5, f"{theme}, {name}: {low}"
    return worst


def test_grid_themes_and_saved_notebook(lab: Lab) -> None:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM),
                                    args=["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                                          "--autoplay-policy=no-user-gesture-required"])
        page = browser.new_page(viewport={"width": 1300, "height": 1000})
        try:
            _run(page, lab)
        finally:
            _shot(page, "grid-final")
            browser.close()


def _run(page: Any, lab: Lab) -> None:
    _open(page, lab)
    page.wait_for_selector(".jp-Notebook-ExecutionIndicator[data-status='idle']", timeout=90_000)
    _run_all(page)
    chat = page.locator(".nemo-chat").first
    chat.wait_for(timeout=90_000)

    # -- the chat: a draft, an upload through the file input, a render --------------------------
    chat.locator("textarea.nemo-chat-prompt").fill("make a 4-second video of a forest with soft music "
                                                   "and a title that says Hello")
    chat.locator("button.nemo-chat-send").click()
    page.wait_for_function("el => el.dataset.status === 'idle' && el.querySelector('.nemo-action-export')",
                           arg=chat.element_handle(), timeout=120_000)
    picture = lab.root / "logo.png"
    import imageio_ffmpeg

    subprocess.run([imageio_ffmpeg.get_ffmpeg_exe(), "-hide_banner", "-loglevel", "error", "-y", "-f", "lavfi",
                    "-i", "color=c=gray:s=64x48", "-frames:v", "1", str(picture)], check=True, timeout=60)
    chat.locator("input.nemo-upload-input").set_input_files(str(picture))
    page.wait_for_function("el => (el.querySelector('.nemo-chat-uploads') || {}).textContent?.includes('logo.png')"
                           " && el.dataset.status === 'idle'", arg=chat.element_handle(), timeout=60_000)
    seen = lab.kernel("from nemo_jupyter.client.loop import run_sync\n"
                      "print([a.filename for a in run_sync(chat.conversation.state()).assets])")
    assert "logo.png" in seen, seen
    chat.locator("button.nemo-action-export").click()
    cell = page.locator(".jp-Notebook .jp-Cell").nth(1)
    video = cell.locator("video.nemo-video-el")
    video.wait_for(timeout=180_000)
    page.wait_for_function("v => v.readyState >= 1 && v.duration > 0", arg=video.element_handle(), timeout=300_000)
    assert chat.locator("button.nemo-action-export").count() == 1  # Export stays while the draft is exportable

    # -- a vertical video gets a vertical player (no 16:9 letterbox) ----------------------------------
    portrait = page.locator(".jp-Notebook .jp-Cell").nth(4).locator("video.nemo-video-el")
    page.wait_for_function("v => v.readyState >= 1 && v.videoHeight > 0", arg=portrait.element_handle(),
                           timeout=90_000)
    box = portrait.bounding_box()
    assert box and abs(box["width"] / box["height"] - 180 / 320) < 0.03, box

    # -- the grid: all done, Play all keeps the players together --------------------------------
    grid = page.locator(".nemo-cmp-wrap").first
    page.wait_for_function("el => el.dataset.done === 'true'", arg=grid.element_handle(), timeout=600_000)
    cols = grid.locator(".nemo-cmp-col")
    assert cols.count() == 3
    assert [cols.nth(i).get_attribute("data-status") for i in range(3)] == ["done"] * 3
    page.wait_for_function("() => [...document.querySelector('.nemo-cmp-wrap').querySelectorAll('.nemo-cmp-col video')]"
                           ".filter(v => v.readyState >= 3 && v.duration > 3).length === 3", timeout=120_000)
    grid.scroll_into_view_if_needed()
    grid.locator(".nemo-cmp-playall").click()
    page.wait_for_function("() => [...document.querySelector('.nemo-cmp-wrap').querySelectorAll('video')]"
                           ".every(v => !v.paused && v.currentTime > 0.4)", timeout=20_000)
    first = _times(page)
    page.wait_for_timeout(800)
    second = _times(page)
    for sample in (first, second):
        assert all(not v["paused"] for v in sample), sample
        ts = [v["t"] for v in sample]
        assert min(ts) > 0.3 and max(ts) - min(ts) <= 0.3, ts
    print("Play all, current times:", [round(v["t"], 3) for v in first], [round(v["t"], 3) for v in second])
    assert min(v["t"] for v in second) > max(v["t"] for v in first)  # they play on
    _shot(page, "grid-playing", grid)
    grid.locator(".nemo-cmp-pauseall").click()
    page.wait_for_timeout(300)
    assert all(v["paused"] for v in _times(page))
    # the scrub moves every player to one time
    grid.locator(".nemo-cmp-scrub").evaluate("(s) => { s.value = '2'; s.dispatchEvent(new Event('input')); }")
    page.wait_for_timeout(400)
    assert all(abs(v["t"] - 2.0) < 0.15 for v in _times(page))

    # -- blind mode: nothing names the takes; a ranking; the reveal ------------------------------------
    bl = page.locator(".nemo-cmp-wrap").nth(1)
    page.wait_for_function("el => el.dataset.done === 'true'", arg=bl.element_handle(), timeout=120_000)
    assert not any(b in bl.inner_text() for b in BLIND)  # the prompts are hidden (the pictures are not)
    for i, rank in enumerate(["2", "1", "3"]):
        bl.locator(".nemo-cmp-col").nth(i).locator("select.nemo-cmp-rank").select_option(rank)
    bl.locator("input.nemo-cmp-voter").fill("Ann")
    bl.locator(".nemo-cmp-submitrank").click()
    page.wait_for_function("el => el.querySelector('.nemo-cmp-blindinfo').textContent.startsWith('1 ranking')",
                           arg=bl.element_handle(), timeout=10_000)
    bl.scroll_into_view_if_needed()
    _shot(page, "grid-blind-ranked", bl)
    bl.locator(".nemo-cmp-reveal").click()
    bl.locator("table.nemo-cmp-tally").wait_for(timeout=10_000)
    tally = json.loads(lab.kernel("print(blind.tally.to_json(orient='records'))"))
    assert tally[0]["take"] == "Take B" and tally[0]["points"] == 3 and tally[0]["first_places"] == 1, tally
    shown = bl.inner_text()
    assert all(b in shown for b in BLIND)  # revealed
    _shot(page, "grid-blind-revealed", bl)

    # -- star and note, in the results DataFrame ----------------------------------------------------
    cols.nth(0).locator(".nemo-btn-star").click()
    note = cols.nth(1).locator("textarea.nemo-cmp-note")
    note.fill("the best light")
    note.blur()
    page.wait_for_function("el => el.dataset.star === 'true'", arg=cols.nth(0).element_handle(), timeout=10_000)
    page.wait_for_timeout(800)
    got = json.loads(lab.kernel("print(cmp.results[['star', 'note']].to_json(orient='records'))"))
    assert got == [{"star": True, "note": ""}, {"star": False, "note": "the best light"},
                   {"star": False, "note": ""}], got
    assert cols.nth(1).locator(".nemo-cmp-diff li").count() >= 1  # what differs from the others

    # -- export: the CSV and the page ----------------------------------------------------------------
    grid.locator(".nemo-cmp-export").click()
    links = grid.locator(".nemo-cmp-exported a")
    links.nth(1).wait_for(timeout=60_000)
    csv = sorted((lab.root / "nemo_outputs").glob("comparison-*.csv"))
    html = sorted((lab.root / "nemo_outputs").glob("comparison-*.html"))
    assert csv and html
    assert "the best light" in csv[-1].read_text(encoding="utf-8")
    page_html = html[-1].read_text(encoding="utf-8")
    assert page_html.count("data:image/jpeg;base64,") == 3 and "ocean" in page_html
    assert "/files/" in (links.nth(1).get_attribute("href") or "")

    # -- contrast and screenshots in every theme ------------------------------------------------------
    worst: dict[str, dict[str, float]] = {}
    for theme in THEMES:
        if theme != THEMES[0]:  # Settings → Theme → <theme>, in the open page (outputs are not saved yet)
            page.locator(".lm-MenuBar-itemLabel", has_text=re.compile(r"^Settings$")).click()
            page.locator(".lm-Menu-itemLabel", has_text=re.compile(r"^Theme$")).hover()
            page.locator(".lm-Menu-itemLabel", has_text=re.compile(f"^{re.escape(theme)}$")).click()
            page.wait_for_timeout(1500)
        page.wait_for_function("t => document.body.dataset.jpThemeName === t", arg=theme, timeout=30_000)
        worst[theme] = _contrast(page, theme)
        slug = re.sub(r"\W+", "-", theme.lower())
        page.locator(".jp-Notebook .jp-Cell").nth(1).screenshot(path=str(ARTIFACTS / f"grid-chat-{slug}.png"))
        page.locator(".jp-Notebook .jp-Cell").nth(2).screenshot(path=str(ARTIFACTS / f"grid-compare-{slug}.png"))
    print("worst contrast per theme:", json.dumps(worst))
    page.locator(".lm-MenuBar-itemLabel", has_text=re.compile(r"^Settings$")).click()
    page.locator(".lm-Menu-itemLabel", has_text=re.compile(r"^Theme$")).hover()
    page.locator(".lm-Menu-itemLabel", has_text=re.compile(f"^{re.escape(THEMES[0])}$")).click()

    # -- at 700 px the three columns still stand side by side, narrower they wrap --------------------
    page.locator(".nemo-cmp-wrap").first.evaluate("el => { el.style.width = '700px'; }")
    cols_js = "() => [...document.querySelector('.nemo-cmp-wrap').querySelectorAll('.nemo-cmp-col')]"
    tops = page.evaluate(cols_js + ".map(c => c.getBoundingClientRect().top)")
    assert max(tops) - min(tops) < 2, tops
    heads = page.evaluate("() => [...document.querySelector('.nemo-cmp-wrap').querySelectorAll('.nemo-cmp-col video')]"
                          ".map(c => c.getBoundingClientRect().top)")
    assert max(heads) - min(heads) < 2, heads  # the players line up (subgrid rows)
    page.locator(".nemo-cmp-wrap").first.evaluate("el => { el.style.width = '420px'; }")
    tops = page.evaluate(cols_js + ".map(c => c.getBoundingClientRect().top)")
    assert len(set(round(t) for t in tops)) >= 2, tops
    page.locator(".nemo-cmp-wrap").first.evaluate("el => { el.style.width = ''; }")

    # -- saved, kernel shut down, reopened: the static copies ------------------------------------------
    page.locator(".jp-Notebook .jp-Cell").first.click()
    page.keyboard.press("Control+s")
    saved = lab.root / "grid.ipynb"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and "the best light" not in saved.read_text(encoding="utf-8"):
        page.wait_for_timeout(500)
    text = saved.read_text(encoding="utf-8")
    assert "forest" in text and "the best light" in text and "data-nemo-static" in text
    assert len(text) < 400_000  # posters are small; no video bytes in the notebook
    _api(lab.base, lab.token, f"/api/sessions/{lab.session_id}", "DELETE")
    _open(page, lab)
    static = page.locator(".nemo-static")
    static.nth(2).wait_for(timeout=90_000)
    page.wait_for_timeout(3000)
    assert page.locator(".nemo-root").count() == 0  # no live widget: the kernel that had them is gone
    chat_copy, grid_copy = static.nth(0), static.nth(1)
    assert chat_copy.is_visible() and grid_copy.is_visible()
    assert "forest" in chat_copy.inner_text().lower() and "Uploaded logo.png" in chat_copy.inner_text()
    assert all(p_.split(" with ")[0] in grid_copy.inner_text() for p_ in PROMPTS)
    assert "the best light" in grid_copy.inner_text()
    assert grid_copy.locator("img").count() == 3
    assert all(grid_copy.locator("img").nth(i).evaluate("i => i.naturalWidth > 0") for i in range(3))
    assert page.get_by_text("Error displaying widget").filter(visible=True).count() == 0
    _shot(page, "grid-reopened-without-kernel")

    # -- nbconvert's HTML of the saved notebook shows them too ---------------------------------------
    done = subprocess.run([sys.executable, "-m", "jupyter", "nbconvert", "--to", "html", "--stdout", str(saved)],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    assert "nemo-static" in done.stdout and "the best light" in done.stdout and "forest" in done.stdout.lower()
    assert done.stdout.count("data:image/jpeg;base64,") >= 4  # the chat's poster and three in the grid
