"""The picture files a render hands to FFmpeg: opaque stills as raw PPM, the rest as PNG written once
per process (the chunks of one render on a cluster worker need the same files again)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from PIL import Image

from nemo_jupyter.engine.render.encode import inputs


@pytest.fixture(autouse=True)
def _cold_cache(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("NEMO_INPUT_CACHE_MB", raising=False)
    inputs.clear()


def _sprite(colour: tuple[int, int, int, int]) -> Image.Image:
    return Image.new("RGBA", (64, 48), colour)


def test_the_same_pixels_are_linked_from_the_cache_not_written_again(tmp_path: Path,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    a, b = tmp_path / "a", tmp_path / "b"
    a.mkdir()
    b.mkdir()
    first = Path(inputs.write_png(_sprite((200, 10, 10, 128)), a / "s.png"))
    saves: list[object] = []
    real_save = Image.Image.save
    monkeypatch.setattr(Image.Image, "save", lambda self, *x, **k: (saves.append(x), real_save(self, *x, **k)))
    second = Path(inputs.write_png(_sprite((200, 10, 10, 128)), b / "s.png"))
    assert saves == [], "the same pixels were compressed again"
    assert second.read_bytes() == first.read_bytes()
    assert os.stat(second).st_ino == os.stat(first).st_ino  # a hard link, no copy
    # other pixels (or another compression level) are another file
    inputs.write_png(_sprite((10, 200, 10, 128)), b / "t.png")
    inputs.write_png(_sprite((200, 10, 10, 128)), b / "u.png", level=0)
    assert len(saves) == 2
    with Image.open(b / "t.png") as im:
        assert im.getpixel((0, 0)) == (10, 200, 10, 128)


def test_a_render_keeps_its_file_when_the_cache_evicts_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NEMO_INPUT_CACHE_MB", "1")
    kept = Path(inputs.write_png(_sprite((1, 2, 3, 255)), tmp_path / "kept.png"))
    noisy = [Image.frombytes("RGBA", (200, 200), os.urandom(200 * 200 * 4)) for _ in range(10)]
    for i, im in enumerate(noisy):  # ~160 KB each: the first ones are evicted
        inputs.write_png(im, tmp_path / f"n{i}.png", level=0)
    assert inputs._size <= 2**20
    with Image.open(kept) as im:
        assert im.getpixel((5, 5)) == (1, 2, 3, 255)
    # and a file never shares its bytes with a later write to the same name
    inputs.write_png(_sprite((9, 9, 9, 255)), tmp_path / "kept.png")
    again = Path(inputs.write_png(_sprite((1, 2, 3, 255)), tmp_path / "again.png"))
    with Image.open(again) as im:
        assert im.getpixel((5, 5)) == (1, 2, 3, 255)


def test_opaque_stills_are_raw_ppm_and_transparent_ones_png(tmp_path: Path) -> None:
    rgb = Path(inputs.write_still(Image.new("RGB", (40, 30), (5, 6, 7)), tmp_path / "bg"))
    rgba = Path(inputs.write_still(_sprite((5, 6, 7, 100)), tmp_path / "fg"))
    assert rgb.suffix == ".ppm" and rgba.suffix == ".png"
    with Image.open(rgb) as im:
        assert im.mode == "RGB" and im.getpixel((3, 3)) == (5, 6, 7)


def test_the_cache_can_be_turned_off(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NEMO_INPUT_CACHE_MB", "0")
    a = Path(inputs.write_png(_sprite((1, 1, 1, 1)), tmp_path / "a.png"))
    b = Path(inputs.write_png(_sprite((1, 1, 1, 1)), tmp_path / "b.png"))
    assert os.stat(a).st_ino != os.stat(b).st_ino
