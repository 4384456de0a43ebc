"""The brief as a checklist, in words: each item of a request with its mark (✓ done, ≈ done
differently, ✗ not done) and the one line a checklist collapses to, in the reply's language.

The items' labels and notes come worded by the backend (``state.brief.checklist``); this module
adds only the marks and the summary, so the cell output, the chat widget and the compare grid
say it the same way.
"""

from __future__ import annotations

from ..client.models import Brief, ChecklistItem

__all__ = ["CHECK_MARKS", "MARK_NAMES", "check_mark", "checklist_line", "checklist_summary"]

#: ✓ done, ≈ done differently (the note says with what), ✗ not done (the note says why)
CHECK_MARKS = {"done": "✓", "substituted": "≈", "not_done": "✗", "pending": "✗"}
#: what each mark means (a tooltip, a screen reader's words)
MARK_NAMES = {"done": "done", "substituted": "done differently", "not_done": "not done",
              "pending": "not accounted for"}

# (all done, the word before the counts) in each language the engine replies in; the items' own
# labels and notes come worded by the backend, in the reply's language
_CHECK_WORDS: dict[str, tuple[str, str]] = {
    "en": ("Everything asked for is done ({n} {items})", "Checklist"),
    "zh": ("要求的 {n} 项都做到了", "清单"),
    "es": ("Todo lo pedido está hecho ({n})", "Lista"),
    "fr": ("Tout ce qui était demandé est fait ({n})", "Liste"),
    "de": ("Alles Gewünschte ist erledigt ({n})", "Checkliste"),
    "ja": ("依頼された{n}項目はすべて完了", "チェックリスト"),
    "pt": ("Tudo o que foi pedido está feito ({n})", "Lista"),
    "it": ("Tutto ciò che era richiesto è fatto ({n})", "Elenco"),
    "ko": ("요청한 {n}개 항목을 모두 완료했습니다", "체크리스트"),
}


def check_mark(status: str) -> str:
    """``✓`` done, ``≈`` done differently, ``✗`` not done (or not accounted for)."""
    return CHECK_MARKS.get(status, "✗")


def _check_words(brief: Brief) -> tuple[str, str]:
    lang = (brief.language or "en").lower()
    return _CHECK_WORDS.get(lang.split("-")[0], _CHECK_WORDS["en"])


def checklist_summary(brief: Brief) -> str:
    """The checklist in one line, in the reply's language: ``"✓ Everything asked for is done (4 items)"``
    when every item was, else the counts (``"Checklist: 3 ✓ · 1 ≈ · 2 ✗"``); "" with no items."""
    n = len(brief.checklist)
    if not n:
        return ""
    done_words, head = _check_words(brief)
    if brief.all_done:
        return "✓ " + done_words.format(n=n, items="item" if n == 1 else "items")
    counts = brief.counts()
    parts = [f"{counts[k]} {CHECK_MARKS[k]}" for k in ("done", "substituted", "not_done") if counts[k]]
    sep = "：" if head in ("清单", "チェックリスト") else ": "
    return head + sep + " · ".join(parts)


def checklist_line(item: ChecklistItem) -> str:
    """One item as a line: ``"✗ logo — no such upload: upload it first"``."""
    return f"{check_mark(item.status)} {item.label}" + (f" — {item.note}" if item.note else "")
