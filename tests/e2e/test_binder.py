"""binder/ launches the notebooks: its files must stay in step with the package."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

tomllib = pytest.importorskip("tomllib")  # Python 3.11+

ROOT = Path(__file__).resolve().parents[2]
BINDER = ROOT / "binder"


def _names(requirements: list[str]) -> set[str]:
    return {re.split(r"[<>=!~\[; ]", r.strip(), maxsplit=1)[0].lower().replace("_", "-")
            for r in requirements if r.strip() and not r.strip().startswith("#")}


def test_binder_requirements_cover_every_runtime_dependency() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    needed = _names(project["dependencies"])
    listed = _names((BINDER / "requirements.txt").read_text().splitlines())
    assert needed <= listed, f"binder/requirements.txt misses {sorted(needed - listed)}"
    assert {"jupyterlab", "ipykernel"} <= listed


def test_binder_installs_the_fonts_and_the_package() -> None:
    apt = (BINDER / "apt.txt").read_text().split()
    assert "fonts-noto-cjk" in apt and "fonts-dejavu-core" in apt
    post = BINDER / "postBuild"
    assert os.access(post, os.X_OK), "repo2docker runs postBuild only when it is executable"
    assert "pip install" in post.read_text()


def test_the_readme_badge_opens_a_notebook_that_exists() -> None:
    readme = (ROOT / "README.md").read_text()
    match = re.search(r"urlpath=lab/tree/([\w./-]+\.ipynb)", readme)
    assert match, "README.md has no Binder launch badge"
    assert (ROOT / match.group(1)).is_file()
