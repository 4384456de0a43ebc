"""The brief as the client reads it: what the backend understood a turn to ask, item by item, and
how each item ended (``state.brief`` and the turn's stateDelta ``brief``). Plain frozen data; the
backend's words in it are text (redacted, bounded), escaped wherever they are drawn.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .secrets import redact

__all__ = ["CHECK_STATUSES", "Brief", "ChecklistItem"]

CHECK_STATUSES = ("done", "substituted", "not_done", "pending")
_LABEL_CHARS, _NOTE_CHARS, _ITEMS = 200, 300, 60


def _text(value: Any, limit: int) -> str:
    """A backend string as plain data: a non-string is nothing, tokens are masked, the length bounded."""
    return redact(value)[:limit] if isinstance(value, str) else ""


@dataclass(frozen=True)
class ChecklistItem:
    """One item of a request and how it ended: ``status`` is ``done``, ``substituted`` (done
    differently: ``note`` says with what), ``not_done`` (``note`` says why) or ``pending`` (the
    backend did not account for it: shown as not done). ``label`` and ``note`` are the backend's
    words, in the reply's language: text, to be escaped where it is drawn."""

    id: str
    what: str
    label: str
    status: str
    note: str = ""

    @classmethod
    def from_json(cls, data: Any) -> ChecklistItem | None:
        if not isinstance(data, dict):
            return None
        label = _text(data.get("label"), _LABEL_CHARS)
        status = data.get("status")
        if not label or status not in CHECK_STATUSES:
            return None
        return cls(id=_text(data.get("id"), 80), what=_text(data.get("what"), 40), label=label,
                   status=str(status), note=_text(data.get("note"), _NOTE_CHARS))

    @property
    def done(self) -> bool:
        return self.status == "done"


@dataclass(frozen=True)
class Brief:
    """What the backend understood a turn to ask (the state's ``brief``): its ``kind`` (``new``,
    ``edit``, ``question``, ``outside``, ``help``, ``export``...), the reply's ``language`` and the
    ``checklist`` of the request's items with their outcomes. ``raw`` is the backend's JSON (the
    actors, relations, scenes, texts and uploads it read), kept as it came. A backend that sends
    no brief (the cloud may not) gives ``None``, never an empty brief."""

    kind: str
    language: str
    checklist: tuple[ChecklistItem, ...] = ()
    template: str | None = None
    raw: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def from_json(cls, data: Any) -> Brief | None:
        if not isinstance(data, dict) or not data:
            return None
        items = data.get("checklist")
        checklist = tuple(item for item in (ChecklistItem.from_json(x) for x in
                                            (items if isinstance(items, list) else [])[:_ITEMS])
                          if item is not None)
        template = data.get("template")
        return cls(kind=_text(data.get("kind"), 40) or "unknown", language=_text(data.get("language"), 20) or "en",
                   checklist=checklist, template=template if isinstance(template, str) and template else None,
                   raw=dict(data))

    @property
    def all_done(self) -> bool:
        """Every item was done as asked (an empty checklist is not "all done": there is nothing to show)."""
        return bool(self.checklist) and all(item.done for item in self.checklist)

    def counts(self) -> dict[str, int]:
        """How many items ended each way: ``{"done": 3, "substituted": 1, "not_done": 2}`` (pending
        items count as not done)."""
        out = {"done": 0, "substituted": 0, "not_done": 0}
        for item in self.checklist:
            out["not_done" if item.status == "pending" else item.status] += 1
        return out

    def to_json(self) -> dict[str, Any]:
        return dict(self.raw)


