"""The draft: a model over the compact timeline JSON that keeps every unknown key.

- :mod:`.reader`: the one reader of the format (:class:`~.reader.DraftView`, segment timing,
  :class:`Track` and :class:`Segment` views);
- :mod:`.model`: :class:`Draft` (a view that also converts: summary, sources, the three below);
- :mod:`.codec`: to a pandas DataFrame and back (:meth:`Draft.to_dataframe`, :meth:`Draft.from_dataframe`);
- :mod:`.diff`: two drafts compared in words (:meth:`Draft.diff`);
- :mod:`.html`: the notebook table and the Styler (:meth:`Draft._repr_html_`, :meth:`Draft.to_styled`);
- :mod:`.writer`: what an edited DataFrame writes back (new times, rebuilt tracks), in the reader's keys;
- :mod:`.values`: the column names, nouns, colours and numbers they share.

pandas is imported inside the methods that need it, so that importing ``nemo_jupyter`` stays fast.
"""

from __future__ import annotations

from ...draft_format import SANDBOX_PREFIX
from .model import Draft, Segment, Track
from .values import COLUMNS, fmt_seconds

__all__ = ["COLUMNS", "SANDBOX_PREFIX", "Draft", "Segment", "Track", "fmt_seconds"]
