"""Counts: ``n`` copies of an actor arranged as a group that can be counted at a glance.

Ground subjects stand in a row (two or three staggered rows when one would make them tiny, the
back rows higher and a little smaller); flyers fly in a V (a loose grid for big flocks);
swimmers swim as a school; floating things (balloons) make a bunch. Copies never hide one
another's bodies, and the group shrinks until it fits the frame's free band. At most
:data:`MAX_COPIES` are drawn (the planner says so when more were asked).
"""

from __future__ import annotations

import math

from .placed import Copy, Frame, Placed

MAX_COPIES = 12
GAP = 1.3           # distance between neighbours, in copy widths: a gap between any two
ROW_RISE = 0.95     # how much higher a back row stands, in copy heights (each row seen)
ROW_SCALE = 0.9     # how much smaller each row back


def style_of(p: Placed) -> str:
    """How copies of ``p`` group: ``flock``, ``school``, ``bunch`` or ``row``."""
    if p.motion == "fly":
        return "flock"
    if p.motion == "swim":
        return "school"
    if p.motion in ("float", "orbit"):
        return "bunch"
    return "row"


def _rows(n: int, r: int) -> list[int]:
    base, extra = divmod(n, r)
    return [base + (1 if i < extra else 0) for i in range(r)]  # the front row gets the extra ones


def row_copies(n: int, r: int, w: float, h: float) -> list[Copy]:
    """``n`` copies in ``r`` staggered rows (front row first), feet offsets around the anchor."""
    out: list[Copy] = []
    rows = _rows(n, r)
    for k, cnt in enumerate(rows):
        s = ROW_SCALE ** k
        dy = -sum(ROW_RISE * h * ROW_SCALE ** j for j in range(k))
        # a back row as long as the front one stands half a step aside, in the gaps
        stagger = 0.5 * GAP * w * s if k % 2 and cnt == rows[0] else 0.0
        for j in range(cnt):
            dx = (j - (cnt - 1) / 2) * GAP * w * s + stagger
            out.append(Copy(dx, dy, s, phase=(3 * len(out)) % 8))
    return out


def _fit_rows(n: int, aspect: float, h: float, avail_w: float, avail_h: float) -> tuple[int, float]:
    """The number of rows and the copy height that show ``n`` copies biggest within the space."""
    best = (1, 0.0)
    for r in range(1, min(3, n) + 1):
        per_row = _rows(n, r)[0]
        by_w = avail_w / max(1e-6, (per_row - 1) * GAP * aspect + aspect)
        stack = 1 + sum(ROW_RISE * ROW_SCALE ** j for j in range(r - 1))
        by_h = avail_h / stack
        size = min(h, by_w, by_h)
        if size > best[1] * 1.25:  # one row unless more rows make them clearly bigger
            best = (r, size)
    return best


def arrange(p: Placed, n: int, f: Frame) -> None:
    """Give ``p`` its ``n`` copies (already sized as one copy), shrinking them to fit the frame."""
    n = max(1, min(MAX_COPIES, n))
    p.asked = n
    if n == 1:
        p.copies = [Copy(0.0, 0.0)]
        return
    style = style_of(p)
    aspect = p.width / max(1, p.height)
    avail_w = f.W - 2 * f.margin
    if style == "row":
        avail_h = max(f.H * 0.12, p.fy - f.ceiling - f.H * 0.02)
        r, size = _fit_rows(n, aspect, p.height, avail_w, avail_h)
        _set_size(p, size)
        p.copies = row_copies(n, r, p.width, p.height)
    elif style == "flock" and n <= 7:
        size = min(p.height, avail_w / ((n // 2 + 1) * 1.0 * aspect + aspect), f.H * 0.5 / (1 + 0.45 * (n // 2)))
        _set_size(p, size)
        w, h = p.width, p.height
        p.copies = [Copy(0.0, 0.0)]
        for k in range(1, n):
            rank, side = (k + 1) // 2, (1 if k % 2 else -1)
            p.copies.append(Copy(-p.direction * rank * 1.1 * w, side * rank * 0.55 * h, 0.95 ** rank, phase=k))
    else:  # school, bunch, big flocks: a staggered grid
        cols = math.ceil(math.sqrt(n * 1.6))
        rows = math.ceil(n / cols)
        step_x, step_y = 1.3, 1.1
        size = min(p.height, avail_w / (cols * step_x * aspect + 0.5 * step_x * aspect),
                   f.H * 0.6 / (rows * step_y))
        _set_size(p, size)
        w, h = p.width, p.height
        p.copies = []
        for k in range(n):
            row, col = divmod(k, cols)
            in_row = min(cols, n - row * cols)
            dx = (col - (in_row - 1) / 2) * step_x * w + (0.25 * step_x * w if row % 2 else 0.0)
            dy = (row - (rows - 1) / 2) * step_y * h
            p.copies.append(Copy(dx, dy, 1.0, phase=(3 * k) % 8))


def _set_size(p: Placed, height: float) -> None:
    if height < p.height:
        p.resize(max(6.0, height) / p.height)
