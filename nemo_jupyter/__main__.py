"""``python -m nemo_jupyter "PROMPT" -o out.mp4``: the command line lives in :mod:`nemo_jupyter.ui.cli`."""

from __future__ import annotations

import sys

from .ui.cli import main

if __name__ == "__main__":
    sys.exit(main())
