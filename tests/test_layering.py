"""The layering rules of ARCHITECTURE.md, checked by import-linter contracts (``[tool.importlinter]``
in pyproject.toml), inside the test suite.

- ui -> conversation -> client: a lower box never imports a higher one (layers);
- the client imports no IPython / ipywidgets / anywidget, no server library, nothing from
  ``conversation`` or ``ui``, and from ``engine/`` only ``engine.launcher``;
- ``engine/`` imports nothing from the client, the conversation layer or the presentation
  (``draft_format`` and ``_version`` are plain data);
- presentation (``ui/``: magics, display, widgets, the command line) imports no httpx /
  httpx_sse and none of the client's HTTP modules;
- the conversation layer imports no IPython, widget or HTTP library;
- inside the client, its draft, the conversation layer, the presentation and the widgets, modules
  stand in layers: no two import each other, directly or round a circle;
- ``import nemo_jupyter`` stays light: no IPython, pandas, ipywidgets, starlette or uvicorn.

Every import counts, including the ones inside functions (import-linter reads them all).
The last tests build a small package that breaks each rule and check that the contracts fail.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PKG = ROOT / "nemo_jupyter"
LIGHT_IMPORT_FORBIDDEN = ("IPython", "pandas", "ipywidgets", "anywidget", "starlette", "uvicorn")
CONTRACTS = ("layers", "client-no-presentation", "client-engine-launcher-only", "engine-alone",
             "presentation-no-http", "conversation-no-presentation", "client-layers", "draft-layers",
             "conversation-layers", "ui-layers", "widgets-layers")
#: an import circle in each box, for the fake package (each breaks that box's layers contract)
CIRCLES = {"client": ("pipeline", "session"), "client/draft": ("reader", "model"),
           "conversation": ("memory", "orchestrator"), "ui": ("subcommands", "magics"),
           "ui/widgets": ("_base", "chat")}


def lint_imports(cwd: Path, pythonpath: Path) -> subprocess.CompletedProcess[str]:
    """Run import-linter on the ``[tool.importlinter]`` contracts of ``cwd/pyproject.toml``."""
    code = "import sys; from importlinter.cli import lint_imports; sys.exit(lint_imports(no_cache=True, no_logo=True))"
    return subprocess.run([sys.executable, "-c", code], cwd=cwd, capture_output=True, text=True, timeout=300,
                          env={"PYTHONPATH": str(pythonpath), "PATH": "/usr/bin:/bin", "LANG": "C.UTF-8"})


def contract_states(output: str) -> dict[str, str]:
    """``{contract name: "KEPT" | "BROKEN"}`` from import-linter's report (names may wrap lines)."""
    text = re.sub(r"\s+", " ", output)
    return {m.group(1).strip(): m.group(2) for m in re.finditer(r"([^\n]*?) (KEPT|BROKEN)", text)}


# --------------------------------------------------------------------------- the rules on the real package


def test_every_import_contract_is_kept() -> None:
    out = lint_imports(ROOT, ROOT)
    assert out.returncode == 0, out.stdout + out.stderr
    assert f"Contracts: {len(CONTRACTS)} kept, 0 broken." in out.stdout, out.stdout


def test_the_rules_cover_the_package() -> None:
    config = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    for contract in CONTRACTS:
        assert f'id = "{contract}"' in config
    for box in ("client", "conversation", "ui", "engine"):
        assert (PKG / box / "__init__.py").is_file(), box
        assert f'"nemo_jupyter.{box}"' in config, box
    for box in CIRCLES:   # a layers contract inside each box
        assert f'containers = ["nemo_jupyter.{box.replace("/", ".")}"]' in config, box
    assert len(list((PKG / "client").rglob("*.py"))) >= 3  # exceptions, loop, nemo at least
    assert (PKG / "draft_format.py").is_file()


def test_import_nemo_jupyter_stays_light() -> None:
    code = (
        "import sys, nemo_jupyter\n"
        f"print(sorted(m for m in {LIGHT_IMPORT_FORBIDDEN!r} if m in sys.modules))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "[]"


# --------------------------------------------------------------------------- the checker can fail


@pytest.fixture
def fake_pkg(tmp_path: Path) -> Path:
    """A tiny package laid out like ours, with one file breaking each rule, and our contracts."""
    pkg = tmp_path / "fakepkg"
    for rel, text in {
        "__init__.py": "",
        "draft_format.py": "",
        "widgets.py": "",
        "client/__init__.py": "",
        "client/nemo.py": "import httpx\nfrom ..engine.launcher import ensure\n",
        "client/bad.py": "def f():\n    from .. import conversation\n    import IPython.display\n",
        "client/eng.py": "from ..engine import app\n",
        "conversation/__init__.py": "from ..client import nemo\n",
        "conversation/up.py": "from ..ui import display\n",
        "conversation/shown.py": "import IPython\n",
        "engine/__init__.py": "",
        "engine/launcher.py": "",
        "engine/app.py": "from .. import draft_format\nfrom .launcher import x\n",
        "engine/render/__init__.py": "",
        "engine/render/pipe.py": "from ... import draft_format\nfrom ...client.nemo import Nemo\n",
        "ui/__init__.py": "",
        "ui/display.py": "from httpx_sse import connect_sse\n",
        "ui/widgets/__init__.py": "import anywidget\nfrom ...client.nemo import AsyncNemo\n",
        **{f"{box}/{a}.py": f"from . import {b}\n" for box, (a, b) in CIRCLES.items()},
        **{f"{box}/{b}.py": f"from . import {a}\n" for box, (a, b) in CIRCLES.items()},
    }.items():
        path = pkg / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    config = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    section = config[config.index("\n[tool.importlinter]\n"):].replace("nemo_jupyter", "fakepkg")
    for name in set(re.findall(r'"fakepkg((?:\.\w+)+)"', section)):   # every module a contract names exists
        parts = name.strip(".").split(".")
        if not any((pkg.joinpath(*parts[:i]) / "__init__.py").is_file() or pkg.joinpath(*parts[:i]).with_suffix(
                ".py").is_file() for i in range(len(parts), len(parts) + 1)):
            stub = pkg.joinpath(*parts).with_suffix(".py")
            stub.parent.mkdir(parents=True, exist_ok=True)
            for parent in stub.parents:
                if parent == pkg.parent:
                    break
                (parent / "__init__.py").touch()
            stub.touch()
    for container, layers in re.findall(r'containers = \["fakepkg\.([\w.]+)"\]\s*exhaustive = true\s*layers = \[([^\]]*)\]',
                                        section):   # every layer of a box's layers contract exists
        folder = pkg.joinpath(*container.split("."))
        (folder / "__init__.py").touch()
        for name in re.findall(r"[\w]+", layers.replace('"', " ")):
            module = folder / f"{name}.py"
            if not module.exists() and not (folder / name / "__init__.py").exists():
                module.write_text("", encoding="utf-8")
    (tmp_path / "pyproject.toml").write_text(section, encoding="utf-8")
    return tmp_path


def test_the_contracts_report_each_broken_rule(fake_pkg: Path) -> None:
    out = lint_imports(fake_pkg, fake_pkg)
    report = out.stdout
    assert out.returncode == 1, report + out.stderr
    states = contract_states(report)
    assert f"Contracts: 0 kept, {len(CONTRACTS)} broken." in report, report
    assert all(state == "BROKEN" for state in states.values()), states
    for line in ("fakepkg.client.bad -> fakepkg.conversation (l.2)",     # a function-level import counts
                 "fakepkg.client.bad -> IPython (l.3)",        # import IPython.display
                 "fakepkg.client.eng -> fakepkg.engine.app (l.1)",
                 "fakepkg.engine.render.pipe -> fakepkg.client.nemo (l.2)",
                 "fakepkg.ui.display -> httpx_sse (l.1)",
                 "fakepkg.ui.widgets -> fakepkg.client.nemo (l.2)",
                 "fakepkg.conversation.up -> fakepkg.ui.display (l.1)",
                 "fakepkg.conversation.shown -> IPython (l.1)"):
        assert line in report, (line, report)
    for box, (a, b) in CIRCLES.items():   # an import circle inside a box is reported
        module = f"fakepkg.{box.replace('/', '.')}"
        assert f"{module}.{a} -> {module}.{b} (l.1)" in report or f"{module}.{b} -> {module}.{a} (l.1)" in report, \
            (box, report)


def test_allowed_imports_are_not_reported(fake_pkg: Path) -> None:
    report = lint_imports(fake_pkg, fake_pkg).stdout
    assert "fakepkg.client.nemo -> fakepkg.engine.launcher" not in report   # the one engine module allowed
    assert "fakepkg.engine.app -> fakepkg.draft_format" not in report        # plain data
    assert "fakepkg.engine.app -> fakepkg.engine.launcher" not in report
