"""A turn's result as text: Markdown that stays in a saved notebook, and plain text.

Pure functions (no IPython) of what a result shows (:class:`Shown`). Backend text is always
escaped, never live HTML or Markdown: a reply that contains ``<script>`` or ``[a link](...)``
shows those characters as typed. :class:`~nemo_jupyter.conversation.TurnResult` shows itself
through these, and the front ends reuse them (:mod:`nemo_jupyter.ui.display` re-exports them).
"""

from __future__ import annotations

import html
import re
from collections.abc import Sequence
from typing import Protocol

from ..client.models import Brief
from .checklist import checklist_line, checklist_summary

__all__ = ["Shown", "checklist_plain", "escape_markdown", "result_markdown", "result_plain"]


class Shown(Protocol):
    """What a turn's result shows: its words, its changes, its notices and its backend."""

    @property
    def text(self) -> str: ...

    @property
    def changes(self) -> Sequence[str]: ...

    @property
    def silent(self) -> bool: ...

    @property
    def notices(self) -> Sequence[str]: ...

    @property
    def backend(self) -> str: ...

    @property
    def brief(self) -> Brief | None: ...

_MD_INLINE = re.compile(r"([\\`*_\[\]|~$])")
_MD_LINE_START = re.compile(r"(?m)^(\s*)([#+=>-])")
_MD_NUMBERED = re.compile(r"(?m)^(\s*\d+)([.)])(?=\s|$)")


def escape_markdown(text: str) -> str:
    """Backend text shown as Markdown *text*: no HTML, no links, no emphasis, no math; line breaks kept."""
    text = html.escape(text or "", quote=False)
    text = _MD_INLINE.sub(r"\\\1", text)
    text = _MD_LINE_START.sub(lambda m: m.group(1) + "\\" + m.group(2), text)
    text = _MD_NUMBERED.sub(lambda m: m.group(1) + "\\" + m.group(2), text)
    return text.replace("\r\n", "\n").replace("\n", "  \n")


def result_markdown(result: Shown, *, checklist: bool = True) -> str:
    """The final reply as Markdown that stays in the saved notebook (``checklist=False``: without
    the brief's checklist, which the caller shows on its own)."""
    parts: list[str] = []
    if result.text:
        parts.append(escape_markdown(result.text))
    if result.changes and not result.silent:
        parts.append("\n".join(f"- {escape_markdown(c)}" for c in result.changes))
    lines = checklist_plain(result.brief) if checklist else []
    if lines:
        parts.append("  \n".join(escape_markdown(line.strip()) for line in lines))
    parts.extend(f"> {escape_markdown(str(notice))}" for notice in result.notices)
    if result.backend:
        parts.append(f"<sub>{html.escape(result.backend)}</sub>")
    return "\n\n".join(parts)


def checklist_plain(brief: Brief | None) -> list[str]:
    """The brief's checklist as lines: its summary, then each item unless every one was done."""
    if brief is None or not brief.checklist:
        return []
    lines = [checklist_summary(brief)]
    if not brief.all_done:
        lines.extend(f"  {checklist_line(item)}" for item in brief.checklist)
    return lines


def result_plain(result: Shown, *, checklist: bool = True) -> str:
    lines = [result.text or ""]
    if result.changes and not result.silent:
        lines.extend(f"  - {c}" for c in result.changes)
    if checklist:
        lines.extend(checklist_plain(result.brief))
    if result.backend:
        lines.append(f"[{result.backend}]")
    return "\n".join(x for x in lines if x)
