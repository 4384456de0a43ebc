"""The engine's HTTP API, one module per resource.

- :mod:`.sessions`: health, auth tokens, sessions, credits, state;
- :mod:`.chat`: ``/run_sse`` (with :mod:`.sse`, the event encoding);
- :mod:`.uploads`: uploads (with :mod:`.multipart` and :mod:`.fetch`, the URL fetcher);
- :mod:`.render`: render jobs and media;
- :mod:`.common`: limits, errors, response shapes, the :class:`~.common.Engine` state, request helpers;
- :mod:`.middleware`: the activity clock and the trusted-Host check.

The routes are put together in :func:`nemo_jupyter.engine.app.create_app`.
"""
