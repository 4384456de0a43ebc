"""The lesson pack in a real browser: a batch made on the engine, packed, then opened from a ``file://``
URL in Debian's Chromium with the network off. Every video plays, its captions are a text track
with cues, no request leaves the page, the text reads in light and dark (contrast measured, and
screenshots in ``test-artifacts/`` to look at), the keyboard reaches the theme button and the
transcript's times, which jump the player there; the page with its videos inside it plays too."""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Any

import pytest
from test_browser import ARTIFACTS, CHROMIUM, require_chromium
from test_browser_grid import CONTRAST_JS

import nemo_jupyter

pytestmark = pytest.mark.browser

WORDS = [{"name": "katze", "word": "die Katze", "english": "cat"},
         {"name": "perro", "word": "el perro", "english": "dog"},
         {"name": "pomme", "word": "la pomme", "english": "apple"}]
TEMPLATE = 'a 3-second video of a {english}, with the title "{word}", a narrator saying "{word}" and calm music'

PLAY_JS = """async () => {
  const out = [];
  for (const v of document.querySelectorAll('video')) {
    v.muted = true;
    let error = null;
    try { await v.play(); } catch (e) { error = String(e); }
    await new Promise((r) => setTimeout(r, 800));
    v.pause();
    const t = v.textTracks[0];
    out.push({error, code: v.error && v.error.code, time: v.currentTime, duration: v.duration, ready: v.readyState,
              mode: t ? t.mode : null, kind: t ? t.kind : null,
              cues: t && t.cues ? [...t.cues].map((c) => c.text) : null});
  }
  return out;
}"""


@pytest.fixture(scope="module")
def pack_dir(engine: Any, tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("pack")
    cwd = Path.cwd()
    os.chdir(root)
    try:
        frame = nemo_jupyter.batch(TEMPLATE, WORDS, name="words", quality="preview", backend=engine.url, show=False)
        assert list(frame["status"]) == ["done"] * 3, frame["reason"].tolist()
        nemo_jupyter.pack(root / "folder" / "lesson.html", frame, title="Words", quiet=True)
        nemo_jupyter.pack(root / "inside" / "lesson.html", frame, title="Words", embed=True, quiet=True)
    finally:
        os.chdir(cwd)
    return root


def _open(browser: Any, page_file: Path, scheme: str) -> tuple[Any, Any, list[str], list[str]]:
    context = browser.new_context(color_scheme=scheme, viewport={"width": 1200, "height": 900}, offline=True)
    requests: list[str] = []
    errors: list[str] = []
    context.on("request", lambda r: requests.append(r.url))
    context.route("http*://**/*", lambda route: (errors.append(f"network: {route.request.url}"), route.abort()))
    page = context.new_page()
    page.on("console", lambda m: errors.append(m.text) if m.type in ("error", "warning") else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(page_file.as_uri())
    page.wait_for_load_state("load")
    return context, page, requests, errors


def test_the_pack_plays_from_disk_offline_in_light_and_dark(pack_dir: Path) -> None:
    require_chromium()
    from playwright.sync_api import sync_playwright

    page_file = pack_dir / "folder" / "lesson.html"
    assert len(list((pack_dir / "folder" / "lesson_files").glob("*.mp4"))) == 3
    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM),
                                    args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"])
        try:
            for scheme in ("light", "dark"):
                context, page, requests, errors = _open(browser, page_file, scheme)
                played = page.evaluate(PLAY_JS)
                assert len(played) == 3
                for v in played:
                    assert v["error"] is None and v["code"] is None, v
                    assert v["ready"] >= 2 and v["time"] > 0.1 and v["duration"] == pytest.approx(3, abs=0.2), v
                    assert v["kind"] == "captions" and v["mode"] == "showing", v   # a video that speaks: on
                    assert v["cues"] and any(w in " ".join(v["cues"]) for w in ("die Katze", "el perro", "la pomme"))
                    assert any("Calm music" in c for c in v["cues"]), v["cues"]
                assert all(u.startswith(("file://", "data:")) for u in requests), requests
                assert not errors, errors
                low = page.evaluate(CONTRAST_JS, "body, body *")
                assert low, "no text measured"
                worst = min(low, key=lambda x: x["ratio"])
                assert worst["ratio"] >= 4.5, (scheme, worst)
                bg = page.evaluate("() => getComputedStyle(document.body).backgroundColor")
                assert (bg == "rgb(255, 255, 255)") == (scheme == "light"), (scheme, bg)
                page.evaluate("() => { for (const v of document.querySelectorAll('video')) v.currentTime = 1.5; }")
                page.wait_for_timeout(300)
                page.screenshot(path=str(ARTIFACTS / f"pack-{scheme}.png"), full_page=True)
                context.close()

            # the keyboard: the skip link, then the theme button (auto -> light -> dark, remembered)
            context, page, _requests, errors = _open(browser, page_file, "light")
            page.keyboard.press("Tab")
            assert page.evaluate("() => document.activeElement.className") == "skip"
            page.keyboard.press("Tab")
            assert page.evaluate("() => document.activeElement.id") == "theme"
            page.keyboard.press("Enter")
            page.keyboard.press("Enter")
            assert page.evaluate("() => document.documentElement.dataset.theme") == "dark"
            page.reload()
            assert page.evaluate("() => document.documentElement.dataset.theme") == "dark", "the choice is kept"
            assert page.evaluate("() => getComputedStyle(document.body).backgroundColor") != "rgb(255, 255, 255)"
            # a transcript's time is a button: the player jumps there and plays
            button = page.locator("ol.transcript button").nth(2)
            start = float(button.get_attribute("data-t") or "nan")
            button.focus()
            page.keyboard.press("Enter")
            page.wait_for_timeout(400)
            state = page.evaluate("() => { const v = document.getElementById('v1'); v.pause(); "
                                  "return {t: v.currentTime, focus: document.activeElement.id}; }")
            assert state["focus"] == "v1" and state["t"] >= start - 0.05, (state, start)
            assert not errors, errors
            context.close()

            # one file to hand out: the videos inside the page
            inside = pack_dir / "inside" / "lesson.html"
            assert not (pack_dir / "inside" / "lesson_files").exists()
            lonely = pack_dir / "alone.html"
            shutil.copy(inside, lonely)   # the page alone, away from every other file
            context, page, requests, errors = _open(browser, lonely, "dark")
            played = page.evaluate(PLAY_JS)
            assert len(played) == 3 and all(v["error"] is None and v["time"] > 0.1 for v in played), played
            assert all(u.startswith(("file://", "data:")) for u in requests) and not errors, (requests, errors)
            context.close()
        finally:
            browser.close()
