"""What the render benchmarks share: CPU seconds, medians as text, the CPU lines and the verdict."""

from __future__ import annotations

import argparse
import resource
import statistics
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


def parser(doc: str | None) -> argparse.ArgumentParser:
    """The options every render benchmark takes: ``--runs`` and ``--keep``."""
    ap = argparse.ArgumentParser(description=doc, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--runs", type=int, default=1, help="repeat each measurement N times (default 1)")
    ap.add_argument("--keep", type=Path, default=None, help="keep the rendered files in this folder")
    return ap


@contextmanager
def workdirs(keep: Path | None) -> Iterator[tuple[Path, Path]]:
    """(a temporary work folder, the folder for the rendered files: ``keep`` or the work folder)."""
    with tempfile.TemporaryDirectory(prefix="nemo-bench-") as tmpname:
        tmp = Path(tmpname)
        outdir = keep or tmp
        outdir.mkdir(parents=True, exist_ok=True)
        yield tmp, outdir


def cpu_seconds() -> float:
    """CPU seconds used so far by this process and its finished children (FFmpeg)."""
    me, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime


def fmt(values: list[float], unit: str = "") -> str:
    """The median, and every run when there is more than one."""
    med = statistics.median(values)
    if len(values) == 1:
        return f"{med:.2f}{unit}"
    runs = ", ".join(f"{v:.2f}" for v in values)
    return f"{med:.2f}{unit} (median of {len(values)} runs: {runs})"


def report(walls: list[tuple[str, list[float]]], ratios: list[float], target: float,
           cpu: tuple[str, list[float], str, list[float]], extra: tuple[str, ...] = ()) -> int:
    """Prints the wall times (``name_s: …``), the ratio against ``target``, the ``extra`` lines, the
    CPU seconds of the measured renders and of their reference with their ratio (for information: far
    less sensitive to other people's load than wall time), then PASS or FAIL. Returns the exit code."""
    for name, values in walls:
        print(f"{name}: {fmt(values, ' s')}")
    print(f"ratio: {fmt(ratios)} (target <= {target})")
    for line in extra:
        print(line)
    name, used, ref_name, ref_used = cpu
    print(f"{name}_cpu_s: {fmt(used, ' s')}")
    print(f"{ref_name}_cpu_s: {fmt(ref_used, ' s')}")
    print(f"cpu_ratio: {fmt([a / b for a, b in zip(used, ref_used, strict=True)])}")
    ok = statistics.median(ratios) <= target
    print("result: " + ("PASS" if ok else "FAIL"))
    return 0 if ok else 1
