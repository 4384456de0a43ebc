"""Uploads over real HTTP: checks before sending, streamed multipart, progress, URL uploads."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from fakecloud import FAST, FakeCloud, envelope

from nemo_jupyter import FileTooLarge, Nemo, UnsupportedFileType, UploadedFile, UploadError
from nemo_jupyter.client.uploads import CHUNK_SIZE, MultipartBody, check_files


def _file(tmp_path: Path, name: str, size: int) -> Path:
    path = tmp_path / name
    path.write_bytes(bytes(i % 251 for i in range(size)))
    return path


def test_files_are_streamed_as_multipart_with_progress(cloud: FakeCloud, tmp_path: Path) -> None:
    a = _file(tmp_path, "clip.mp4", 3 * CHUNK_SIZE + 123)
    b = _file(tmp_path, "script.txt", 500)
    progress: list[tuple[int, int]] = []
    nemo = Nemo(cloud.url, **FAST)
    s = nemo.session()
    files = s.upload(a, b, on_progress=lambda sent, total: progress.append((sent, total)))
    assert [f.filename for f in files] == ["clip.mp4", "script.txt"]
    assert all(isinstance(f, UploadedFile) and f.cdn_url.startswith(cloud.url) for f in files)
    assert files[0].hash == f"sha-{a.stat().st_size}" and files[0].width == 320
    assert cloud.upload_bytes == a.stat().st_size + b.stat().st_size   # every byte arrived
    req = cloud.calls("POST", rf"/api/upload-video/nemo_agent/me/{s.id}")[0]
    assert req.headers["content-type"].startswith("multipart/form-data; boundary=")
    total = int(req.headers["content-length"])                        # exact length, not chunked
    assert "transfer-encoding" not in req.headers
    sent = [p[0] for p in progress]
    assert sent == sorted(sent) and progress[-1] == (total, total) and len(progress) >= 5
    assert [a.cdn_url for a in s.state().assets] == [f.cdn_url for f in files]
    nemo.close()


def test_url_upload_and_the_uploaded_files_variant(cloud: FakeCloud) -> None:
    nemo = Nemo(cloud.url, **FAST)
    s = nemo.session()
    files = s.upload(urls=["https://example.com/photos/cat.png"])
    assert files[0].filename == "cat.png" and files[0].file_type == "image"
    body = cloud.calls("POST", r"/api/upload-video/.*")[0].json
    assert body == {"urls": ["https://example.com/photos/cat.png"], "source_type": "url"}
    cloud.script("POST /api/upload-video/.*", envelope({"uploaded_files": [{"url": "https://cdn.x/a/dog.jpg"}]}))
    [dog] = s.upload(urls=["https://example.com/dog.jpg"])
    assert dog.cdn_url == "https://cdn.x/a/dog.jpg" and dog.filename == "dog.jpg" and dog.file_type == "image"
    nemo.close()


@pytest.mark.parametrize("name", ["setup.exe", "notes.docx", "noext", "movie.flv"])
def test_unsupported_type_is_refused_before_anything_is_sent(cloud: FakeCloud, tmp_path: Path, name: str) -> None:
    path = _file(tmp_path, name, 10)
    nemo = Nemo(cloud.url, **FAST)
    with pytest.raises(UnsupportedFileType) as info:
        nemo.session().upload(path)
    assert "mp4" in str(info.value) and "png" in str(info.value) and "txt" in str(info.value)
    assert cloud.requests == []
    nemo.close()


def test_size_limit_is_checked_before_sending(cloud: FakeCloud, tmp_path: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NEMO_MAX_UPLOAD_MB", "0.5")
    big = _file(tmp_path, "big.mov", 600 * 1024)
    nemo = Nemo(cloud.url, **FAST)
    with pytest.raises(FileTooLarge) as info:
        nemo.session().upload(big)
    assert info.value.limit == 512 * 1024 and "NEMO_MAX_UPLOAD_MB" in str(info.value)
    assert cloud.requests == []
    nemo.close()


def test_missing_file_and_bad_url_are_clear_errors(cloud: FakeCloud, tmp_path: Path) -> None:
    nemo = Nemo(cloud.url, **FAST)
    with pytest.raises(UploadError, match="No file"):
        nemo.session().upload(tmp_path / "nothere.mp4")
    with pytest.raises(UploadError, match="URL"):
        nemo.session().upload(urls=["ftp://x/y.png"])
    with pytest.raises(UploadError, match="Nothing"):
        nemo.session().upload()
    assert cloud.requests == []
    nemo.close()


def test_upload_is_sent_again_whole_after_a_token_refresh(cloud: FakeCloud, tmp_path: Path) -> None:
    clip = _file(tmp_path, "clip.webm", CHUNK_SIZE + 7)
    nemo = Nemo(cloud.url, **FAST)
    s = nemo.session()
    s.state()
    s.upload(urls=["https://example.com/a.png"])       # session exists, token cached
    cloud.expire_all_tokens()
    cloud.tokens.clear()
    [f] = s.upload(clip)
    assert f.filename == "clip.webm"
    assert cloud.upload_bytes == clip.stat().st_size    # the second, complete body arrived
    assert len(cloud.calls("POST", "/api/auth/anonymous-token")) == 2
    nemo.close()


def test_body_is_produced_in_bounded_chunks(tmp_path: Path) -> None:
    path = _file(tmp_path, "clip.mp4", 5 * CHUNK_SIZE + 1)
    [prepared] = check_files([path], max_bytes=10 * CHUNK_SIZE)
    body = MultipartBody([prepared])

    async def collect() -> list[bytes]:
        return [chunk async for chunk in body]

    chunks = asyncio.run(collect())
    assert max(len(c) for c in chunks) <= CHUNK_SIZE
    assert sum(len(c) for c in chunks) == body.content_length
    again = asyncio.run(collect())                      # re-iterable: same bytes again
    assert b"".join(again) == b"".join(chunks)
