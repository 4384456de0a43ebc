"""Small helpers shared by several test files (no fixtures: plain functions and context managers)."""

from __future__ import annotations

import html.parser
import re
import subprocess
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import imageio_ffmpeg
from fakecloud import FAST, FakeCloud
from IPython.core.displaypub import DisplayPublisher

from nemo_jupyter import Nemo


def tiny_mp4(path: Path, seconds: float = 1.0, size: str = "160x90") -> Path:
    """A small real H.264 MP4 (FFmpeg's test pattern, 10 fps) at ``path``, its folders made."""
    path.parent.mkdir(parents=True, exist_ok=True)
    subprocess.run([imageio_ffmpeg.get_ffmpeg_exe(), "-hide_banner", "-loglevel", "error", "-y", "-f", "lavfi",
                    "-i", f"testsrc2=s={size}:r=10:d={seconds}", "-c:v", "libx264", "-preset", "ultrafast",
                    "-pix_fmt", "yuv420p", str(path)], check=True, capture_output=True, timeout=60)
    return path


def mp4_duration(path: Path) -> float:
    """The duration FFmpeg reads from an H.264 file (asserts that it is H.264)."""
    proc = subprocess.run([imageio_ffmpeg.get_ffmpeg_exe(), "-hide_banner", "-i", str(path)],
                          capture_output=True, text=True, check=False)
    assert "Video: h264" in proc.stderr, proc.stderr[-400:]
    m = re.search(r"Duration: (\d+):(\d+):([\d.]+)", proc.stderr)
    assert m
    return int(m.group(1)) * 3600 + int(m.group(2)) * 60 + float(m.group(3))


class QuietHandler(BaseHTTPRequestHandler):
    """A request handler that logs nothing; ``send_bytes`` answers 200 with a body."""

    def send_bytes(self, payload: bytes, content_type: str) -> None:
        self.send_response(200)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, *args: object) -> None:
        pass


@contextmanager
def loopback_server(handler: type[BaseHTTPRequestHandler]) -> Iterator[str]:
    """Serve ``handler`` on a free 127.0.0.1 port in a thread; yields its base URL; shuts it down after."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def cloud_session(cloud: FakeCloud, prompt: str | None = None, **settings: Any) -> tuple[Nemo, Any]:
    """A client on the fake cloud (fast retries, plus ``settings``) and a new session, asked ``prompt`` once
    when one is given."""
    nemo = Nemo(cloud.url, **{**FAST, **settings})
    s = nemo.session()
    if prompt is not None:
        s.ask(prompt)
    return nemo, s


class Recorder(DisplayPublisher):
    """Keeps every display call: (data, metadata, transient, update)."""

    def __init__(self, **kw: Any) -> None:
        super().__init__(**kw)
        self.calls: list[dict[str, Any]] = []

    def publish(self, data: dict[str, Any], metadata: Any = None, source: Any = None, *,
                transient: Any = None, update: bool = False, **kw: Any) -> None:
        self.calls.append({"data": data, "transient": transient or {}, "update": update})

    def texts(self) -> str:
        return "\n".join(str(v) for c in self.calls for v in c["data"].values())


# -- what a hostile backend may send, and how to tell that an output stayed inert ------------------
class _Tags(html.parser.HTMLParser):
    """Every tag and its attributes, as a browser would read them."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))


def assert_inert(markup: str) -> None:
    """No event handler, no script, and images only from data:image/(jpeg|png|webp);base64."""
    parser = _Tags()
    parser.feed(markup)
    assert parser.tags, markup[:200]
    for tag, attrs in parser.tags:
        assert tag not in ("script", "iframe", "object", "embed"), tag
        for name, value in attrs.items():
            assert not name.startswith("on"), (tag, name, value)
            if name in ("src", "href") and value:
                assert value.startswith(("data:image/jpeg;base64,", "data:image/png;base64,",
                                          "data:image/webp;base64,", "http://", "https://")), (tag, value[:80])


TINY_PNG_B64 = "iVBORw0KGgoAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
"""a few bytes that start like a PNG, as base64 (the client never decodes a still)"""

HOSTILE_STORYBOARD: dict[str, Any] = {
    "width": 160, "height": 90, "credit": "<b onclick=x>art</b> https://example.com/\"onmouseover=x",
    "frames": [
        {"t": 0, "image": f'data:image/jpeg" onerror="alert(1)" x=";base64,{TINY_PNG_B64}', "label": "a"},
        {"t": 1, "image": f"data:image/svg+xml;base64,{TINY_PNG_B64}", "label": "svg"},
        {"t": 2, "image": f"javascript:alert(3)//;base64,{TINY_PNG_B64}", "label": "js"},
        {"t": 3, "image": f"data:image/png;base64,{TINY_PNG_B64}", "label": '<img src=x onerror="alert(4)">',
         "st": "1e999", "d": {"x": 1}},
    ]}
"""A storyboard answer a tampered backend could send: a media type that closes the ``src`` attribute
and adds an ``onerror`` handler, an SVG, a ``javascript:`` URL, and markup in the labels."""


