"""The embedded local engine: the NemoVideo API on loopback, rendering real videos.

It is an illustrated storyboard renderer (a deterministic planner, drawn animated
scenes, synthesised music, FFmpeg), not a diffusion model. Clients reach it only
over HTTP; the one module they import is :mod:`nemo_jupyter.engine.launcher`
(re-exported here), which finds or starts the engine process for a data dir.
"""

from __future__ import annotations

from .launcher import (
    EngineProcess,
    EngineStartError,
    default_home,
    ensure_engine,
    find_engine,
    start_engine,
    stop_engine,
)

__all__ = [
    "EngineProcess",
    "EngineStartError",
    "default_home",
    "ensure_engine",
    "find_engine",
    "start_engine",
    "stop_engine",
]
