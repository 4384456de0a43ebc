"""``python -m build``: the wheel and the sdist carry the licence and the third-party notices.

Builds both from a copy of the project's files (so nothing is written into the work tree) and
reads the wheel's metadata and files as pip would install them.
"""

from __future__ import annotations

import email.parser
import shutil
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def dists(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    src = tmp_path_factory.mktemp("src")
    for name in ("pyproject.toml", "README.md", "LICENSE", "THIRD-PARTY-NOTICES.md"):
        shutil.copy2(ROOT / name, src / name)
    shutil.copytree(ROOT / "nemo_jupyter", src / "nemo_jupyter",
                    ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    out = tmp_path_factory.mktemp("dist")
    proc = subprocess.run([sys.executable, "-m", "build", "--sdist", "--wheel", "--outdir", str(out), str(src)],
                          capture_output=True, text=True, timeout=900, check=False)
    assert proc.returncode == 0, (proc.stdout + proc.stderr)[-3000:]
    wheels, sdists = list(out.glob("*.whl")), list(out.glob("*.tar.gz"))
    assert len(wheels) == 1 and len(sdists) == 1, list(out.iterdir())
    return {"wheel": wheels[0], "sdist": sdists[0]}


def test_the_wheel_metadata_names_the_licence_and_ships_both_files(dists: dict[str, Path]) -> None:
    with zipfile.ZipFile(dists["wheel"]) as whl:
        names = whl.namelist()
        meta_name = next(n for n in names if n.endswith(".dist-info/METADATA"))
        meta = email.parser.Parser().parsestr(whl.read(meta_name).decode("utf-8"))
        info = meta_name.rsplit("/", 1)[0]
        licence = whl.read(f"{info}/licenses/LICENSE").decode("utf-8")
        notices = whl.read(f"{info}/licenses/THIRD-PARTY-NOTICES.md").decode("utf-8")
    assert meta["License-Expression"] == "MIT"
    assert set(meta.get_all("License-File") or []) == {"LICENSE", "THIRD-PARTY-NOTICES.md"}
    assert licence.startswith("MIT License") and "THE SOFTWARE IS PROVIDED \"AS IS\"" in licence
    # what the notices must tell someone who installs it
    for needle in ("FFmpeg", "--enable-gpl", "GPL-3.0-or-later", "Piper", "eSpeak NG", "OpenMoji",
                   "CC BY-SA 4.0", "https://creativecommons.org/licenses/by-sa/4.0/", "adapted",
                   "en_US-joe-medium", "CC0", "lessac", "Noto Sans CJK", "DejaVu Sans", "Unicode License"):
        assert needle in notices, needle
    requires = meta.get_all("Requires-Dist") or []
    assert any(r.startswith("psutil") for r in requires) and any(r.startswith("filelock") for r in requires)
    # the package itself is there, with its data and front-end files
    assert "nemo_jupyter/engine/processes.py" in names
    assert "nemo_jupyter/ui/widgets/static/_common.js" in names


def test_the_sdist_has_the_licence_files(dists: dict[str, Path]) -> None:
    with tarfile.open(dists["sdist"]) as tar:
        names = {n.split("/", 1)[1] for n in tar.getnames() if "/" in n}
    assert {"LICENSE", "THIRD-PARTY-NOTICES.md", "pyproject.toml", "README.md"} <= names
