"""Internals of :mod:`nemo_jupyter.engine.planner` (the entry point); nothing here is public."""
