"""The public surface: sorted __all__, every name imports, import stays light."""

from __future__ import annotations

import subprocess
import sys

import nemo_jupyter


def test_all_is_sorted_and_importable() -> None:
    assert nemo_jupyter.__all__ == sorted(nemo_jupyter.__all__)
    for name in nemo_jupyter.__all__:
        assert getattr(nemo_jupyter, name) is not None, name
    for name in ("Nemo", "AsyncNemo", "Session", "AsyncSession", "RenderJob", "AsyncRenderJob", "Video", "Reply",
                 "State", "Credits", "UploadedFile", "Draft", "TextEvent", "ToolCall", "ToolResult", "Heartbeat",
                 "Settings", "load_ipython_extension", "unload_ipython_extension"):
        assert name in nemo_jupyter.__all__


def test_every_exception_is_exported_and_in_the_drawn_tree() -> None:
    from nemo_jupyter.client import exceptions as _exceptions

    doc = _exceptions.__doc__ or ""
    for name in _exceptions.__all__:
        assert name in nemo_jupyter.__all__
        cls = getattr(nemo_jupyter, name)
        assert issubclass(cls, nemo_jupyter.NemoError)
        assert name in doc, name


def test_import_does_not_pull_heavy_or_presentation_modules() -> None:
    code = ("import sys, nemo_jupyter; bad=[m for m in ('IPython','ipywidgets','anywidget','pandas',"
            "'nemo_jupyter.engine','nemo_jupyter.ui.magics') if m in sys.modules]; print(bad)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_version_matches_attribution_header() -> None:
    from nemo_jupyter.client.settings import Settings

    assert Settings().attribution_headers["X-Skill-Version"] == nemo_jupyter.__version__
