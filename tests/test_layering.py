"""The layering rules of ARCHITECTURE.md, checked on the source with ``ast``.

- client modules (``nemo_jupyter/client/``) import no IPython / ipywidgets / anywidget, nothing from
  the presentation (``ui``, ``widgets``) or ``conversation``, no server library, and from ``engine/``
  only ``engine.launcher``;
- ``engine/`` imports nothing from the rest of the package but ``draft_format`` (and ``_version``,
  plain data);
- presentation (``ui/``: magics, display, widgets, the command line) imports no httpx / httpx_sse and
  nothing from ``client.nemo`` / ``client.events``;
- ``import nemo_jupyter`` stays light: no IPython, pandas, ipywidgets, starlette or uvicorn.

Every import counts, including the ones inside functions. Files that do not exist yet are skipped.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PKG = ROOT / "nemo_jupyter"
PKG_NAME = "nemo_jupyter"

CLIENT_FORBIDDEN = (
    "IPython", "ipywidgets", "anywidget", "starlette", "uvicorn",
    f"{PKG_NAME}.magics", f"{PKG_NAME}.widgets", f"{PKG_NAME}.conversation", f"{PKG_NAME}.display",
    f"{PKG_NAME}.ui",
)
CLIENT_ENGINE_ALLOWED = (f"{PKG_NAME}.engine", f"{PKG_NAME}.engine.launcher")
# _version is plain data (one string), like draft_format; see the report of the layering test.
ENGINE_ALLOWED = (f"{PKG_NAME}.engine", f"{PKG_NAME}.draft_format", f"{PKG_NAME}._version")
PRESENTATION_FORBIDDEN = ("httpx", "httpx_sse", f"{PKG_NAME}._client", f"{PKG_NAME}._events",
                          f"{PKG_NAME}.client.nemo", f"{PKG_NAME}.client.events")
PRESENTATION_FILES = ("ui", "widgets.py", "__main__.py")
LIGHT_IMPORT_FORBIDDEN = ("IPython", "pandas", "ipywidgets", "anywidget", "starlette", "uvicorn")


def module_name(path: Path, root: Path = PKG, package: str = PKG_NAME) -> str:
    parts = list(path.relative_to(root).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join([package, *parts])


def is_module(name: str, root: Path = PKG, package: str = PKG_NAME) -> bool:
    """True when ``name`` is a module or package of ours that exists on disk."""
    if name != package and not name.startswith(package + "."):
        return False
    rel = Path(*name.split(".")[1:]) if "." in name else Path()
    return (root / rel).with_suffix(".py").is_file() or (root / rel / "__init__.py").is_file()


def imports(path: Path, root: Path = PKG, package: str = PKG_NAME) -> list[tuple[int, str]]:
    """Every module ``path`` imports, as absolute dotted names, with line numbers.

    ``from a import b`` counts as importing ``a.b`` when that is a module of ours, else ``a``.
    """
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    name = module_name(path, root, package)
    here = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.extend((node.lineno, alias.name) for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base_parts = here.split(".")
                if node.level - 1 >= len(base_parts):
                    raise AssertionError(f"{path}:{node.lineno}: relative import goes above the package")
                base = ".".join(base_parts[: len(base_parts) - (node.level - 1)])
                base = f"{base}.{node.module}" if node.module else base
            else:
                base = node.module or ""
            for alias in node.names:
                candidate = f"{base}.{alias.name}"
                found.append((node.lineno, candidate if is_module(candidate, root, package) else base))
    return found


def within(name: str, prefixes: tuple[str, ...]) -> bool:
    return any(name == p or name.startswith(p + ".") for p in prefixes)


def client_violations(path: Path, root: Path = PKG, package: str = PKG_NAME) -> list[str]:
    bad = []
    for line, mod in imports(path, root, package):
        forbidden = tuple(f.replace(PKG_NAME, package, 1) for f in CLIENT_FORBIDDEN)
        engine = f"{package}.engine"
        if within(mod, forbidden) or (within(mod, (engine,)) and mod not in
                                      tuple(a.replace(PKG_NAME, package, 1) for a in CLIENT_ENGINE_ALLOWED)):
            bad.append(f"{path.name}:{line} imports {mod}")
    return bad


def engine_violations(path: Path, root: Path = PKG, package: str = PKG_NAME) -> list[str]:
    allowed = tuple(a.replace(PKG_NAME, package, 1) for a in ENGINE_ALLOWED)
    return [f"{path.relative_to(root)}:{line} imports {mod}" for line, mod in imports(path, root, package)
            if within(mod, (package,)) and not within(mod, allowed)]


def presentation_violations(path: Path, root: Path = PKG, package: str = PKG_NAME) -> list[str]:
    forbidden = tuple(f.replace(PKG_NAME, package, 1) for f in PRESENTATION_FORBIDDEN)
    return [f"{path.relative_to(root)}:{line} imports {mod}" for line, mod in imports(path, root, package)
            if within(mod, forbidden)]


def client_files() -> list[Path]:
    return sorted((PKG / "client").rglob("*.py"))


def engine_files() -> list[Path]:
    return sorted((PKG / "engine").rglob("*.py")) if (PKG / "engine").is_dir() else []


def presentation_files() -> list[Path]:
    out: list[Path] = []
    for name in PRESENTATION_FILES:
        target = PKG / name
        out.extend(sorted(target.rglob("*.py")) if target.is_dir() else [target] if target.is_file() else [])
    return out


def ids(paths: list[Path]) -> list[str]:
    return [str(p.relative_to(PKG)) for p in paths]


# --------------------------------------------------------------------------- the rules on the real package


@pytest.mark.parametrize("path", client_files(), ids=ids(client_files()))
def test_client_modules_stay_out_of_presentation_and_engine(path: Path) -> None:
    assert client_violations(path) == []


@pytest.mark.parametrize("path", engine_files(), ids=ids(engine_files()))
def test_engine_imports_nothing_from_the_client(path: Path) -> None:
    assert engine_violations(path) == []


@pytest.mark.parametrize("name", PRESENTATION_FILES)
def test_presentation_never_speaks_http(name: str) -> None:
    target = PKG / name
    if not target.exists():
        pytest.skip(f"{name} does not exist yet")
    files = sorted(target.rglob("*.py")) if target.is_dir() else [target]
    assert [v for f in files for v in presentation_violations(f)] == []


def test_the_rules_cover_the_package() -> None:
    assert len(client_files()) >= 3  # exceptions, loop, nemo at least
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
    """A tiny package named like ours with one file breaking each rule."""
    pkg = tmp_path / "fakepkg"
    for rel, text in {
        "__init__.py": "",
        "draft_format.py": "",
        "conversation.py": "",
        "_client.py": "import httpx\nfrom .engine.launcher import ensure\n",
        "_bad.py": "def f():\n    from . import conversation\n    import IPython.display\n",
        "_eng.py": "from .engine import app\n",
        "engine/__init__.py": "",
        "engine/launcher.py": "",
        "engine/app.py": "from .. import draft_format\nfrom .launcher import x\n",
        "engine/render/pipe.py": "from ... import draft_format\nfrom ..._client import Nemo\n",
        "engine/render/__init__.py": "",
        "widgets/__init__.py": "",
        "widgets/chat.py": "import anywidget\nfrom .._client import AsyncNemo\n",
        "display.py": "from httpx_sse import connect_sse\n",
    }.items():
        path = pkg / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return pkg


def test_relative_imports_are_resolved(fake_pkg: Path) -> None:
    got = imports(fake_pkg / "engine/render/pipe.py", fake_pkg, "fakepkg")
    assert got == [(1, "fakepkg.draft_format"), (2, "fakepkg._client")]
    assert imports(fake_pkg / "_bad.py", fake_pkg, "fakepkg") == [(2, "fakepkg.conversation"), (3, "IPython.display")]


def test_the_checker_reports_each_broken_rule(fake_pkg: Path) -> None:
    args = (fake_pkg, "fakepkg")
    assert client_violations(fake_pkg / "_client.py", *args) == []
    assert client_violations(fake_pkg / "_bad.py", *args) == ["_bad.py:2 imports fakepkg.conversation",
                                                              "_bad.py:3 imports IPython.display"]
    assert client_violations(fake_pkg / "_eng.py", *args) == ["_eng.py:1 imports fakepkg.engine.app"]
    assert engine_violations(fake_pkg / "engine/app.py", *args) == []
    assert engine_violations(fake_pkg / "engine/render/pipe.py", *args) == [
        str(Path("engine/render/pipe.py")) + ":2 imports fakepkg._client"]
    assert presentation_violations(fake_pkg / "widgets/chat.py", *args) == [
        str(Path("widgets/chat.py")) + ":2 imports fakepkg._client"]
    assert presentation_violations(fake_pkg / "display.py", *args) == ["display.py:1 imports httpx_sse"]
