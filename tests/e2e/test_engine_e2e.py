"""End-to-end acceptance: prompts in over real HTTP, real MP4s out, checked with FFmpeg.

These render real videos (marked ``slow``): the 30 s 1080p forest, a vertical clip, a title
check, and three uploaded photos turned into a promotional video.
"""

from __future__ import annotations

import json
import re
import subprocess
import time
import uuid
from pathlib import Path
from typing import Any

import httpx
import imageio_ffmpeg
import numpy as np
import pytest

pytestmark = pytest.mark.slow

FFMPEG = imageio_ffmpeg.get_ffmpeg_exe()
FOREST = "generate a 30-second video of a forest with birds and soft background music"


class Api:
    def __init__(self, url: str) -> None:
        self.http = httpx.Client(base_url=url, timeout=300, trust_env=False)
        r = self.http.post("/api/auth/anonymous-token", headers={"X-Client-Id": str(uuid.uuid4())})
        self.http.headers["Authorization"] = f"Bearer {r.json()['data']['token']}"
        self.sid = str(self.http.post("/api/tasks/me/with-session/nemo_agent",
                                      json={"task_name": "project", "language": "en"}).json()["data"]["session_id"])

    def chat(self, text: str) -> dict[str, Any]:
        """One turn; returns the draft from the state afterwards (checked against the stream)."""
        body = {"app_name": "nemo_agent", "user_id": "me", "session_id": self.sid,
                "new_message": {"role": "user", "parts": [{"text": text}]}, "streaming": True}
        delta = None
        with self.http.stream("POST", "/run_sse", json=body) as r:
            assert r.status_code == 200
            for line in r.iter_lines():
                if line.startswith("data:") and line[5:].strip():
                    ev = json.loads(line[5:])
                    assert "error" not in ev, ev
                    delta = (ev.get("actions") or {}).get("stateDelta", {}).get("draft") or delta
        draft = self.http.get(f"/api/state/nemo_agent/me/{self.sid}/latest").json()["data"]["state"]["draft"]
        assert delta is not None and draft == delta
        return dict(draft)

    def upload(self, *paths: Path) -> list[dict[str, Any]]:
        handles = [p.open("rb") for p in paths]
        try:
            r = self.http.post(f"/api/upload-video/nemo_agent/me/{self.sid}",
                               files=[("files", (p.name, fh)) for p, fh in zip(paths, handles, strict=True)])
        finally:
            for fh in handles:
                fh.close()
        assert r.json()["code"] == 0, r.text
        return list(r.json()["data"]["files"])

    def render(self, draft: dict[str, Any], out: Path, *, quality: str = "high",
               resolution: str | None = None) -> Path:
        job_id = f"render_{int(time.time() * 1000)}_{uuid.uuid4().hex[:6]}"
        output: dict[str, Any] = {"format": "mp4", "quality": quality}
        if resolution:
            output["resolution"] = resolution
        r = self.http.post("/api/render/proxy/lambda",
                           json={"id": job_id, "sessionId": self.sid, "draft": draft, "output": output})
        assert r.json()["success"] is True, r.text
        seen: list[float] = []
        deadline = time.monotonic() + 400
        while True:
            data = self.http.get(f"/api/render/proxy/lambda/{job_id}").json()["data"]
            seen.append(data["progress"])
            if data["status"] in ("completed", "failed"):
                break
            assert time.monotonic() < deadline, "render took too long"
            time.sleep(0.5)
        assert data["status"] == "completed", data
        assert seen == sorted(seen), "progress never goes back"
        with self.http.stream("GET", f"/api/render/proxy/{job_id}/download") as dl, out.open("wb") as fh:
            assert dl.status_code == 200
            for chunk in dl.iter_bytes():
                fh.write(chunk)
        return out


def probe(path: Path) -> dict[str, Any]:
    """Duration, size, codecs from ``ffmpeg -i`` and an exact frame count from decoding."""
    err = subprocess.run([FFMPEG, "-hide_banner", "-i", str(path), "-map", "0:v:0", "-f", "null", "-"],
                         capture_output=True, text=True, timeout=300).stderr
    video = re.search(r"Video: (\w+).*?, (\w+)\(?.*?, (\d{2,5})x(\d{2,5})", err)
    assert video, err
    frames = re.findall(r"frame=\s*(\d+)", err)
    fps = re.search(r"(\d+(?:\.\d+)?) fps", err)
    audio = re.search(r"Audio: (\w+)", err)
    return {"vcodec": video.group(1), "pix_fmt": video.group(2), "width": int(video.group(3)),
            "height": int(video.group(4)), "frames": int(frames[-1]) if frames else 0,
            "fps": float(fps.group(1)) if fps else 0.0, "acodec": audio.group(1) if audio else None,
            "faststart": _moov_before_mdat(path)}


def _moov_before_mdat(path: Path) -> bool:
    head = path.read_bytes()[:1 << 20]
    moov, mdat = head.find(b"moov"), head.find(b"mdat")
    return moov != -1 and (mdat == -1 or moov < mdat)


def audio_rms_dbfs(path: Path) -> float:
    pcm = subprocess.run([FFMPEG, "-v", "error", "-i", str(path), "-map", "0:a:0", "-ac", "1", "-ar", "16000",
                          "-f", "s16le", "-"], capture_output=True, timeout=120, check=True).stdout
    samples = np.frombuffer(pcm, dtype=np.int16).astype(np.float64) / 32768.0
    assert samples.size > 16000
    return float(20 * np.log10(np.sqrt(np.mean(samples**2)) + 1e-12))


def frames_rgb(path: Path, *, fps: float = 1.0, size: tuple[int, int] = (160, 90)) -> np.ndarray:
    w, h = size
    raw = subprocess.run([FFMPEG, "-v", "error", "-i", str(path), "-vf", f"fps={fps},scale={w}:{h}",
                          "-f", "rawvideo", "-pix_fmt", "rgb24", "-"], capture_output=True, timeout=120,
                         check=True).stdout
    return np.frombuffer(raw, dtype=np.uint8).reshape(-1, h, w, 3)


def frame_at(path: Path, t: float) -> np.ndarray:
    err = subprocess.run([FFMPEG, "-v", "error", "-ss", str(t), "-i", str(path), "-frames:v", "1",
                          "-f", "rawvideo", "-pix_fmt", "rgb24", "-"], capture_output=True, timeout=60, check=True)
    info = probe(path)
    return np.frombuffer(err.stdout, dtype=np.uint8).reshape(info["height"], info["width"], 3)


@pytest.fixture
def api(engine: Any) -> Api:
    return Api(engine.url)


def test_forest_prompt_gives_30s_1080p_h264_with_audible_music(api: Api, tmp_path: Path) -> None:
    draft = api.chat(FOREST)
    assert draft["d"] == 30000
    out = api.render(draft, tmp_path / "forest.mp4")  # the default: high quality, 1080p
    info = probe(out)
    assert (info["vcodec"], info["pix_fmt"]) == ("h264", "yuv420p")
    assert (info["width"], info["height"]) == (1920, 1080)
    assert info["fps"] == 30
    assert abs(info["frames"] - 900) <= 1, info  # 30.0 s to one frame
    assert info["acodec"] == "aac"
    assert info["faststart"], "moov atom first (+faststart)"
    loud = audio_rms_dbfs(out)
    assert loud > -40, f"music too quiet: {loud:.1f} dBFS"
    frames = frames_rgb(out, fps=0.5)
    assert frames.std() > 20, "not flat colours"
    motion = np.abs(frames[1:].astype(int) - frames[:-1].astype(int)).mean()
    assert motion > 2, "the picture moves"


def test_vertical_prompt_gives_1080x1920(api: Api, tmp_path: Path) -> None:
    draft = api.chat("make a 4-second vertical video of a city skyline at night")
    assert (draft["m"]["width"], draft["m"]["height"]) == (1080, 1920)
    out = api.render(draft, tmp_path / "vertical.mp4", quality="low", resolution="1080p")
    info = probe(out)
    assert (info["width"], info["height"]) == (1080, 1920)
    assert abs(info["frames"] - 120) <= 1


def test_quoted_title_is_visible_in_the_first_seconds(engine: Any, tmp_path: Path) -> None:
    plain, titled = Api(engine.url), Api(engine.url)
    d_plain = plain.chat("make a 3-second video of the ocean")
    d_titled = titled.chat('make a 3-second video of the ocean with the title "Hello Class"')
    texts = [sg.get("txt") for tr in d_titled["t"] if tr["tt"] == 7 for sg in tr["sg"]]
    assert "Hello Class" in texts
    a = frame_at(plain.render(d_plain, tmp_path / "plain.mp4", quality="low", resolution="720p"), 1.0)
    b = frame_at(titled.render(d_titled, tmp_path / "titled.mp4", quality="low", resolution="720p"), 1.0)
    assert a.shape == b.shape == (720, 1280, 3)
    diff = np.abs(a.astype(int) - b.astype(int)).max(axis=2) > 60
    share = diff.mean()
    assert 0.002 < share < 0.3, f"title pixels: {share:.4f} of the frame"
    ys, xs = np.nonzero(diff)
    # The title is a compact block inside the safe margins, not noise over the whole frame.
    assert xs.min() > 0.03 * 1280 and xs.max() < 0.97 * 1280
    assert ys.min() > 0.03 * 720 and ys.max() < 0.97 * 720
    assert (ys.max() - ys.min()) < 0.5 * 720


COLOURS = {"magenta": (255, 0, 255), "yellow": (255, 230, 0), "cyan": (0, 220, 255)}


def test_three_photos_and_text_become_a_promo_using_the_photos(api: Api, make_media: Any, tmp_path: Path) -> None:
    photos = [make_media.image(f"{n}.png", 640, 480, "0x{:02X}{:02X}{:02X}".format(*c)) for n, c in COLOURS.items()]
    script = make_media.text("script.txt", "Fresh coffee every morning.\nVisit us today.\n")
    files = api.upload(*photos, script)
    assert [f["file_type"] for f in files] == ["image", "image", "image", "text"]
    draft = api.chat("turn my text and images into a 30-second promotional video")
    assert draft["d"] == 30000
    srcs = json.dumps(draft)
    for f in files[:3]:
        assert f["cdn_url"] in srcs or f["filename"] in srcs
    out = api.render(draft, tmp_path / "promo.mp4", quality="low", resolution="720p")
    info = probe(out)
    assert abs(info["frames"] - 900) <= 1
    frames = frames_rgb(out, fps=2).astype(int)
    for name, colour in COLOURS.items():
        close = (np.abs(frames - np.array(colour)).max(axis=3) < 45).mean(axis=(1, 2))
        assert close.max() > 0.3, f"{name} photo not seen (best frame share {close.max():.2f})"


def test_a_photo_uploaded_for_a_turn_that_does_not_use_it_is_said_once(api: Api, make_media: Any) -> None:
    """Over HTTP: a photo uploaded, then a prompt that never mentions it: the reply and the state's
    brief say it was not used (never dropped in silence); the next turn, about something else, does
    not repeat it; asking for it uses it."""
    photo = make_media.image("beach.png", 640, 480, "0x3080C0")
    api.upload(photo)
    api.chat("a cat playing in a garden")
    state = api.http.get(f"/api/state/nemo_agent/me/{api.sid}/latest").json()["data"]["state"]
    (up,) = state["brief"]["uploads"]
    assert up["file"] == "beach.png" and up["status"] == "not_done" and up["reason"] == "r_upload_unasked"
    assert any(i["what"] == "upload" and i["status"] == "not_done" for i in state["brief"]["checklist"])
    api.chat("make it 20 seconds")
    state = api.http.get(f"/api/state/nemo_agent/me/{api.sid}/latest").json()["data"]["state"]
    assert state["brief"]["uploads"] == []
    draft = api.chat("use my photo")
    assert "beach.png" in json.dumps(draft)
