"""Render on a Dask cluster: a class beyond one machine.

``python -m nemo_jupyter.engine --dask SPEC`` (or ``NEMO_DASK_SCHEDULER=SPEC``) sends the render
work of the engine to Dask workers instead of this machine's cores. ``SPEC`` is one of:

=========================  ==========================================================
``tcp://host:8786``        a running ``dask scheduler`` (workers: ``dask worker tcp://host:8786``)
``local`` / ``local:N``    a :class:`distributed.LocalCluster` of N worker processes here
                           (default: one per two cores), for one big machine
``gateway``                a new cluster from dask-gateway (its address from Dask's config,
``gateway://ADDRESS``      as JupyterHub deployments set it), or from the gateway at ADDRESS
=========================  ==========================================================

How a render runs there (:mod:`.renderer`): the draft is cut at scene boundaries into chunks
(:func:`..render.pipeline.chunk_boundaries`); each chunk's video is rendered by a worker as
its own H.264 stream (:mod:`.tasks`), while the engine mixes the audio once for the whole
timeline; the chunks are joined without re-encoding and the audio is muxed last, so there is
no seam in the sound and the frames are the whole render's frames.

Media travel *with the task*: the uploads a draft uses are read by the engine and handed to
Dask (``scatter``, keyed by content hash, so a photo used by every chunk of a render, or by
many renders, travels to a worker once). Workers need nothing but ``pip install nemo-jupyter``:
no shared file system, no path that only the engine's machine has. Uploads are bounded by the
engine's upload limit, so this stays within what a Dask worker's memory holds comfortably.

Nothing here is imported unless a cluster is configured: the engine without ``--dask`` does
not import Dask at all.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .renderer import ClusterRenderer

__all__ = ["ENV", "connect", "from_env"]

#: the setting that turns cluster rendering on (``--dask`` sets it for the engine process)
ENV = "NEMO_DASK_SCHEDULER"


def from_env() -> ClusterRenderer | None:
    """The cluster renderer configured by ``NEMO_DASK_SCHEDULER``, or None (render locally)."""
    spec = os.environ.get(ENV, "").strip()
    return connect(spec) if spec else None


def connect(spec: str) -> ClusterRenderer:
    """Connect to (or start) the cluster that ``spec`` names (see the module docstring)."""
    from .renderer import ClusterRenderer

    return ClusterRenderer.connect(spec)
