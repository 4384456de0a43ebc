"""The render's kept values (paintings, sound stems): least recently used go first, one maker per key."""

from __future__ import annotations

import threading
import time
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from nemo_jupyter.engine.render.errors import RenderCancelled
from nemo_jupyter.engine.render.kept import Kept
from nemo_jupyter.engine.render.sound import audio as A


def test_least_recently_used_go_first_and_heavy_values_are_not_kept() -> None:
    kept: Kept[str] = Kept(10, weight=len)
    assert kept.get_or_make("a", lambda: "aaaa") == "aaaa"
    kept.get_or_make("b", lambda: "bbbb")
    kept.get_or_make("a", lambda: "never")          # a is used again: b is now the oldest
    kept.get_or_make("c", lambda: "cccc")           # 12 > 10: b goes
    assert kept.get_or_make("a", lambda: "new") == "aaaa"
    assert kept.get_or_make("b", lambda: "made again") == "made again"
    assert kept.get_or_make("big", lambda: "x" * 6) == "x" * 6
    assert kept.get_or_make("big", lambda: "y" * 6) == "y" * 6  # heavier than half the limit: not kept


def test_one_maker_per_key_the_others_wait_for_it() -> None:
    kept: Kept[int] = Kept(4)
    calls: list[str] = []
    started = threading.Event()

    def slow() -> int:
        calls.append(threading.current_thread().name)
        started.set()
        time.sleep(0.4)
        return 42

    got: list[int] = []
    first = threading.Thread(target=lambda: got.append(kept.get_or_make("k", slow)), name="first")
    first.start()
    assert started.wait(5)
    t0 = time.monotonic()
    got.append(kept.get_or_make("k", lambda: calls.append("second") or 7))  # waits, does not make
    first.join()
    assert got == [42, 42] and calls == ["first"]
    assert 0.2 < time.monotonic() - t0 < 5


def test_a_failed_maker_leaves_the_work_to_the_one_waiting_and_a_wait_can_be_cancelled() -> None:
    kept: Kept[int] = Kept(4)
    started = threading.Event()

    def fails() -> int:
        started.set()
        time.sleep(0.3)
        raise RenderCancelled("the other render was cancelled")

    def failing() -> None:
        with pytest.raises(RenderCancelled):
            kept.get_or_make("k", fails)

    t = threading.Thread(target=failing)
    t.start()
    assert started.wait(5)
    assert kept.get_or_make("k", lambda: 5) == 5      # made here once the maker failed
    t.join()
    # a wait stops at the waiter's own cancel, within a tenth of a second
    hold = threading.Event()
    maker = threading.Thread(target=lambda: kept.get_or_make("slow", lambda: hold.wait(10) and 1))
    maker.start()
    time.sleep(0.1)
    cancel_at = time.monotonic() + 0.3

    def check() -> None:
        if time.monotonic() > cancel_at:
            raise RenderCancelled("cancelled")

    with pytest.raises(RenderCancelled):
        kept.get_or_make("slow", lambda: 2, check)
    assert time.monotonic() - cancel_at < 0.5
    hold.set()
    maker.join()


def test_warming_a_drafts_stems_is_the_work_its_mix_does(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """The engine warms a new draft's music and ambient sound in the background; the render's mix
    then synthesises nothing, and a mix started during the warm-up waits for it (work done once)."""
    draft: dict[str, Any] = {"d": 6000, "m": {"width": 320, "height": 180}, "t": [
        {"tt": 1, "sg": [{"id": "m", "k": "music", "mood": "calm", "st": 0, "d": 6000},
                         {"id": "a", "k": "ambient", "snd": "rain", "st": 1000, "d": 4000}]}]}
    A._kept.clear()
    made: list[str] = []
    loop, amb = A._music_loop, A._ambient
    monkeypatch.setattr(A, "_music_loop", lambda *a: (made.append("music"), time.sleep(0.3), loop(*a))[2])
    monkeypatch.setattr(A, "_ambient", lambda *a: (made.append("ambient"), amb(*a))[1])
    warm = threading.Thread(target=A.warm_stems, args=(draft, 6.0))
    warm.start()
    time.sleep(0.05)
    A.mix_draft(draft, 6.0, lambda s: None, tmp_path / "a.wav")   # while the warm-up runs
    warm.join()
    assert sorted(made) == ["ambient", "music"]
    A.mix_draft(draft, 6.0, lambda s: None, tmp_path / "b.wav")
    assert sorted(made) == ["ambient", "music"]
    a, b = (np.frombuffer((tmp_path / n).read_bytes()[44:], dtype="<i2") for n in ("a.wav", "b.wav"))
    assert a.size == 6 * 48000 * 2 and np.array_equal(a, b) and np.abs(a).max() > 1000
    A._kept.clear()
