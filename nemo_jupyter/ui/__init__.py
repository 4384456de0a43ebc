"""Presentation: the ``%%nemo`` / ``%nemo`` magics, the notebook display helpers, the widgets and
the command line. Everything here calls :mod:`nemo_jupyter.conversation` and draws what it gets;
nothing here speaks HTTP.
"""
