"""Soak: 20 concurrent clients on one engine for a bounded time; every edit kept, nothing leaking.

One real engine (its own data dir), real HTTP on loopback, the real client (``Nemo``), in one run:

1. reference: one client alone makes a video and adds ``--reference`` captions, one turn after
   the other (the turn time of an idle engine);
2. soak: ``--clients`` clients at once for ``--seconds`` (default 20 for 100 s; at most 3 minutes
   in all). Each makes a 2-minute video and then adds captions, one second each, in slots of its
   own; two of them (two kernels of one user) share one conversation and take the even and the
   odd slots of it. Every turn's caption must be in the final draft.

It prints the errors (any exception a client met), the lost edits (captions a reply said were
added that the final draft does not have), the turns and their times against the reference,
and what the engine grew by per turn: resident memory (RSS, with its peak and samples) and its data
dir on disk.
Target: 0 errors and 0 lost edits (``--check`` exits 1 otherwise).

    python benchmarks/soak.py [--clients 20] [--seconds 100] [--check]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from nemo_jupyter import Nemo, Settings  # noqa: E402
from nemo_jupyter.engine.launcher import start_engine  # noqa: E402

VIDEO = "make a 2-minute video of the sea with calm music"
SLOTS = 120   # one-second caption slots of that video


def _caption(tag: str, slot: int) -> str:
    return f'add the caption "{tag}-{slot}" from {slot} to {slot + 1} seconds'


def _captions(draft: Any) -> set[str]:
    data = draft.to_json() if draft is not None else {"t": []}
    return {str(sg.get("txt")) for t in data.get("t", []) for sg in t.get("sg", []) if sg.get("k") == "caption"}


def _du(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def _rss(pid: int) -> int:
    import psutil

    return int(psutil.Process(pid).memory_info().rss)


def _settled_rss(pid: int, *, most: float = 12.0) -> int:
    """The engine's RSS once the work it does after a turn (painting the strip, making the sound in
    the background) has ended: sampled until it stops moving (at most ``most`` seconds), the least."""
    seen = [_rss(pid)]
    deadline = time.monotonic() + most
    while time.monotonic() < deadline:
        time.sleep(0.5)
        seen.append(_rss(pid))
        if len(seen) >= 4 and max(seen[-4:]) - min(seen[-4:]) < 2 * 2**20:
            break
    return min(seen[-4:])


class Client(threading.Thread):
    """One client: its own user (config dir), unless it shares one (a second kernel)."""

    def __init__(self, url: str, tag: str, config: Path, deadline: float, slots: range,
                 session_id: str | None = None) -> None:
        super().__init__(name=f"soak-{tag}", daemon=True)
        settings = Settings.from_env(backend=url, config_dir=str(config))
        self.nemo = Nemo(url, settings=settings, retries=2)
        self.tag, self.deadline, self.slots = tag, deadline, slots
        self.session = self.nemo.session(session_id=session_id) if session_id else None
        self.added: list[str] = []
        self.times: list[float] = []
        self.errors: list[str] = []

    def run(self) -> None:
        try:
            if self.session is None:
                self.session = self.nemo.session(self.tag)
                self._turn(VIDEO, None)
            for slot in self.slots:
                if time.monotonic() >= self.deadline:
                    break
                self._turn(_caption(self.tag, slot), f"{self.tag}-{slot}")
        except Exception as exc:   # counted, and the client stops
            self.errors.append(f"{type(exc).__name__}: {exc}")

    def _turn(self, text: str, caption: str | None) -> None:
        assert self.session is not None
        t0 = time.monotonic()
        reply = self.session.ask(text)
        self.times.append(time.monotonic() - t0)
        if caption is not None:
            if f'caption "{caption}"' not in reply.text:
                raise RuntimeError(f"the reply to {text!r} did not add it: {reply.text[:120]!r}")
            self.added.append(caption)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--clients", type=int, default=20, help="clients at once (two share a conversation)")
    ap.add_argument("--seconds", type=float, default=100.0, help="how long the clients add captions (<= 150)")
    ap.add_argument("--reference", type=int, default=8, help="turns of the client alone")
    ap.add_argument("--check", action="store_true", help="exit 1 unless 0 errors and 0 lost edits")
    args = ap.parse_args()
    seconds = min(150.0, args.seconds)
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="nemo-soak-") as tmpname:
        tmp = Path(tmpname)
        engine = start_engine(tmp / "engine", idle_timeout=0)
        try:
            return _run(engine, tmp, args, seconds, started)
        finally:
            engine.stop()


def _run(engine: Any, tmp: Path, args: argparse.Namespace, seconds: float, started: float) -> int:
    url, home = engine.url, engine.home
    # 1. the reference: one client alone
    alone = Client(url, "alone", tmp / "cfg-alone", time.monotonic() + 60, range(args.reference))
    alone.run()
    alone.nemo.close()
    if alone.errors:
        print(f"the client alone failed: {alone.errors[0]}")
        return 1
    ref = statistics.median(alone.times[1:])

    # 2. the soak: the pair shares one session (one user, two kernels), the others have their own
    shared_cfg = tmp / "cfg-shared"
    opener = Nemo(url, settings=Settings.from_env(backend=url, config_dir=str(shared_cfg)))
    shared = opener.session("shared")
    shared.ask(VIDEO)
    shared_id = str(shared.id)
    deadline = time.monotonic() + seconds
    clients = [Client(url, "K1", shared_cfg, deadline, range(0, SLOTS, 2), session_id=shared_id),
               Client(url, "K2", shared_cfg, deadline, range(1, SLOTS, 2), session_id=shared_id)]
    clients += [Client(url, f"C{i:02d}", tmp / f"cfg-{i}", deadline, range(SLOTS)) for i in range(args.clients - 2)]
    rss0, disk0 = _settled_rss(engine.pid), _du(home)
    deadline = time.monotonic() + seconds   # from now: the engine has settled
    for c in clients:
        c.deadline = deadline
    t0 = time.monotonic()
    for c in clients:
        c.start()
    samples: list[tuple[int, int]] = []   # (turns so far, engine RSS), every tenth of the soak
    while any(c.is_alive() for c in clients) and time.monotonic() < deadline + 120:
        time.sleep(seconds / 10)
        samples.append((sum(len(c.times) for c in clients), _rss(engine.pid)))
    for c in clients:
        c.join(1)
    wall = time.monotonic() - t0
    rss1, disk1 = _settled_rss(engine.pid), _du(home)

    # every caption a reply said was added must be in the final draft of its session
    errors = [f"{c.tag}: {e}" for c in clients for e in c.errors] + [f"{c.tag}: still running" for c in clients
                                                                      if c.is_alive()]
    lost: list[str] = []
    finals = {shared_id: _captions(shared.state().draft)}
    for c in clients:
        if c.session is None:
            continue
        sid = str(c.session.id)
        if sid not in finals:
            finals[sid] = _captions(c.session.state().draft)
        lost += [cap for cap in c.added if cap not in finals[sid]]
    turns = sum(len(c.times) for c in clients)
    times = sorted(t for c in clients for t in c.times)
    for c in clients:
        c.nemo.close()
    opener.close()

    print(f"clients: {len(clients)} (K1 and K2 share one conversation), {wall:.0f} s")
    print(f"turns: {turns} ({turns / wall:.1f} a second), captions added: {sum(len(c.added) for c in clients)}"
          f" (shared conversation: {len(finals[shared_id])})")
    print(f"errors: {len(errors)}")
    for e in errors[:5]:
        print(f"  {e}")
    print(f"lost_edits: {len(lost)}" + (f" (e.g. {', '.join(lost[:5])})" if lost else ""))
    print(f"turn_s_alone (reference): {ref:.3f} s (median of {len(alone.times) - 1})")
    if times:
        p50, p95 = times[len(times) // 2], times[int(len(times) * 0.95)]
        print(f"turn_s_under_load: p50 {p50:.3f} s, p95 {p95:.3f} s, max {times[-1]:.2f} s "
              f"(p50 / reference = {p50 / ref:.1f}; {len(clients)} clients on {os.cpu_count()} cores)")
    per_turn = max(1, turns)
    print(f"engine_rss (settled): {rss0 / 2**20:.0f} MB -> {rss1 / 2**20:.0f} MB "
          f"({(rss1 - rss0) / per_turn / 1024:+.1f} KB per turn)")
    if samples:
        print(f"engine_rss_peak: {max(r for _, r in samples) / 2**20:.0f} MB; samples (MB@turns): "
              + " ".join(f"{r / 2**20:.0f}@{n}" for n, r in samples)
              + " (painting strips and sounds comes and goes; a leak would only climb)")
    print(f"engine_disk: {disk0 / 2**20:.1f} MB -> {disk1 / 2**20:.1f} MB "
          f"({(disk1 - disk0) / per_turn / 1024:+.1f} KB per turn)")
    print(f"total: {time.monotonic() - started:.0f} s")
    ok = not errors and not lost
    print("PASS" if ok else "FAIL")
    return 0 if ok or not args.check else 1


if __name__ == "__main__":
    sys.exit(main())
