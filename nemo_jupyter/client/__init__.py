"""The client: the NemoVideo protocol over HTTP (cloud or the embedded engine), its errors, the
typed models, uploads, render jobs, settings and the ``Draft`` model. No IPython, no widgets and
no user-facing sentences beyond the errors' own messages.

The public names are re-exported from :mod:`nemo_jupyter`.
"""
