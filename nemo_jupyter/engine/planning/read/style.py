"""A style asked by name ("in the style of Van Gogh", "dans le style de Monet", "im Stil von Pixar"):
the engine draws its own illustrated style, so the name is no subject to draw ("Van Gogh" is no
van), and the style is said not done (``req.unsupported``, :data:`..vocabulary._UNSUPPORTED`)."""

from __future__ import annotations

import re

# the style words of the languages written with spaces, then the name (up to three words, to a
# punctuation mark or a joining word)
_STYLE_NAME = re.compile(
    r"(?<![^\W_])(?:in\s+the\s+style\s+of|in\s+the\s+manner\s+of|style\s+of|à\s+la\s+manière\s+de|dans\s+le\s+style\s+d[e']|"
    r"façon|al\s+estilo\s+de|en\s+el\s+estilo\s+de|estilo\s+de|no\s+estilo\s+d[eoa]|ao\s+estilo\s+d[eoa]|"
    r"nello\s+stile\s+di|alla\s+maniera\s+di|in\s+stile|stile\s+di|im\s+stil\s+von|im\s+stile?\s+von|im\s+stil)"
    r"\s*(?P<name>(?:(?!(?:and|with|et|avec|und|mit|y|con|e|com|ed)\b)[^\W\d_][\w'-]*\s*){1,3})")


def style_spans(norm: str) -> list[tuple[int, int]]:
    """Where the names of styles asked for are in ``norm`` (lower-cased)."""
    return [(m.start("name"), m.end("name")) for m in _STYLE_NAME.finditer(norm)]


def blank_style_names(norm: str) -> str:
    """``norm`` with the names of styles blanked (same length, so every position still holds): no
    reader takes "Van Gogh" for a van or "Studio Ghibli" for a studio."""
    for a, b in style_spans(norm):
        norm = norm[:a] + " " * (b - a) + norm[b:]
    return norm
