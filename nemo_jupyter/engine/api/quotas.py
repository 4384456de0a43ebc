"""Quotas and the class code: one user (or one stranger) cannot take the engine for themselves.

Every engine counts, per client id or per user, in sliding windows kept in memory:

=====================  =======================================  ==========
quota                  what is counted                          default
=====================  =======================================  ==========
``tokens``             anonymous tokens per client id per hour   30
``tokens_per_ip``      tokens per remote address per hour        200 (not counted for loopback)
``sessions``           new sessions per user per hour            200
``upload_mb``          MB uploaded per user per day              20000
``queued_renders``     renders pending or running per user       8
``video_minutes``      minutes of video submitted per user/hour  120
``drafts_mb``          MB of drafts set (``PUT .../draft``) per  500
                       user per day
=====================  =======================================  ==========

Over a quota the answer is HTTP 429 with ``Retry-After`` (seconds until the window frees
enough) and a message naming the quota and what to do. ``--quota NAME=VALUE`` changes one
(a classroom may want ``queued_renders=2``, ``video_minutes=20``).

A classroom engine (``--host`` on a non-loopback address) hands out tokens only to clients
that send the class code the teacher set (``--class-code``, or one the engine makes up and
prints): ``X-Class-Code`` on ``POST /api/auth/anonymous-token``. Anyone else on the network
gets 403 and nothing else. Guessing is slowed down per address: after
:data:`FREE_CODE_TRIES` wrong codes, each further try must wait twice as long as the one
before (1 s, 2 s, 4 s ... at most :data:`MAX_CODE_WAIT`), answered 429 with ``Retry-After``
(a right code during the wait too); the count is forgotten after an hour without a wrong code,
or at the first right one. A code must be hard to guess at all (:func:`class_code_problem`:
at least :data:`MIN_CODE_CHARS` letters and digits): the engine refuses to start with a weak
one and suggests one it made up.
"""

from __future__ import annotations

import hmac
import math
import threading
import time
from collections import defaultdict, deque
from collections.abc import Iterable
from dataclasses import dataclass, fields, replace
from typing import Any

from .common import ApiError

__all__ = ["CLASS_CODE_HEADER", "QuotaLimits", "Quotas", "class_code_problem", "make_class_code",
           "parse_quota_args"]

CLASS_CODE_HEADER = "X-Class-Code"
HOUR = 3600.0
DAY = 86400.0
FREE_CODE_TRIES = 5        # wrong class codes from one address before it must wait
MAX_CODE_WAIT = 900.0      # the longest wait between two tries (seconds)
CODE_MEMORY = HOUR         # wrong codes are forgotten after this long without one
MIN_CODE_CHARS = 8         # letters and digits in a class code
_CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"   # no look-alikes (0/O, 1/I)


def make_class_code() -> str:
    """A code a teacher can read out: 3 groups of 4 letters and digits, no look-alikes (60 bits)."""
    import secrets

    raw = "".join(secrets.choice(_CODE_ALPHABET) for _ in range(12))
    return "-".join(raw[i:i + 4] for i in range(0, 12, 4))


def class_code_problem(code: str) -> str | None:
    """Why ``code`` is too easy to guess for a class code, or None when it will do."""
    chars = [c for c in code if c.isalnum()]
    if len(chars) < MIN_CODE_CHARS:
        return (f"it has {len(chars)} letters and digits; a class code needs at least {MIN_CODE_CHARS}, "
                "so that nobody on the network can guess it")
    if len({c.upper() for c in chars}) < 4:
        return "it repeats too few different characters to be hard to guess"
    return None


@dataclass(frozen=True)
class QuotaLimits:
    tokens: int = 30
    tokens_per_ip: int = 200
    sessions: int = 200
    upload_mb: float = 20_000.0
    queued_renders: int = 8
    video_minutes: float = 120.0
    drafts_mb: float = 500.0


def parse_quota_args(items: Iterable[str]) -> QuotaLimits:
    """``["queued_renders=2", "video_minutes=20"]`` -> limits (ValueError with a clear message)."""
    limits = QuotaLimits()
    names = {f.name: f.type for f in fields(QuotaLimits)}
    for item in items:
        name, _, raw = item.partition("=")
        name = name.strip().replace("-", "_")
        if name not in names:
            raise ValueError(f"unknown quota {name!r}: use one of {', '.join(names)}")
        try:
            value: float = float(raw)
        except ValueError:
            raise ValueError(f"quota {name}={raw!r} is not a number") from None
        if not math.isfinite(value) or value < 0:
            raise ValueError(f"quota {name} must be a number >= 0")
        number: Any = int(value) if names[name] in (int, "int") else value
        limits = replace(limits, **{name: number})
    return limits


class _Window:
    """Amounts in a sliding time window, per key."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.items: dict[str, deque[tuple[float, float]]] = defaultdict(deque)

    def _trim(self, key: str, now: float) -> deque[tuple[float, float]]:
        q = self.items[key]
        while q and q[0][0] <= now - self.seconds:
            q.popleft()
        return q

    def used(self, key: str, now: float) -> float:
        return sum(amount for _, amount in self._trim(key, now))

    def retry_after(self, key: str, now: float, need: float, limit: float) -> int:
        """Seconds until ``need`` more fits under ``limit`` (the window's length if it never will)."""
        q = self._trim(key, now)
        total = sum(amount for _, amount in q)
        for stamp, amount in q:   # oldest first: each one leaving frees its amount
            total -= amount
            if total + need <= limit:
                return max(1, math.ceil(stamp + self.seconds - now))
        return max(1, math.ceil(self.seconds))

    def add(self, key: str, now: float, amount: float = 1.0) -> None:
        self._trim(key, now).append((now, amount))


def _too_many(what: str, limit: str, retry: int, todo: str) -> ApiError:
    when = f"{retry} s" if retry < 120 else f"{math.ceil(retry / 60)} minutes"
    err = ApiError(429, 429, f"Too many {what}: the limit is {limit}. Try again in {when}, {todo}",
                   {"quota": what, "retry_after": retry})
    err.headers = {"Retry-After": str(retry)}
    return err


class Quotas:
    """The counters of one engine (thread-safe; in memory: a restart starts them afresh)."""

    def __init__(self, limits: QuotaLimits | None = None, *, class_code: str | None = None) -> None:
        self.limits = limits or QuotaLimits()
        self.class_code = class_code or None
        self._lock = threading.Lock()
        self._tokens = _Window(HOUR)
        self._tokens_ip = _Window(HOUR)
        self._sessions = _Window(HOUR)
        self._uploads = _Window(DAY)
        self._video = _Window(HOUR)
        self._drafts = _Window(DAY)
        self._renders: dict[str, set[str]] = defaultdict(set)
        self._wrong_codes: dict[str, tuple[int, float]] = {}   # address -> (wrong codes in a row, last one)

    # -- the class code ------------------------------------------------------------------------
    def check_class_code(self, given: str | None, address: str | None = None) -> None:
        """Refuse (403) a missing or wrong class code; an ``address`` that guessed wrong too often
        waits first (429, see the module's docstring)."""
        if self.class_code is None:
            return
        key = address or "unknown"
        now = time.monotonic()
        with self._lock:
            wrong, last = self._wrong_codes.get(key, (0, 0.0))
            if wrong and now - last > CODE_MEMORY:
                wrong = 0
            if wrong >= FREE_CODE_TRIES:
                wait = min(MAX_CODE_WAIT, 2.0 ** (wrong - FREE_CODE_TRIES))
                if now < last + wait:
                    raise _too_many("wrong class codes from this address",
                                    f"{FREE_CODE_TRIES} tries, then a wait that doubles with each wrong one",
                                    max(1, math.ceil(last + wait - now)),
                                    "with the code exactly as your teacher wrote it (NEMO_CLASS_CODE).")
            right = given is not None and hmac.compare_digest(given.strip().encode("utf-8", "replace"),
                                                              self.class_code.encode("utf-8"))
            if right:
                self._wrong_codes.pop(key, None)
                return
            if len(self._wrong_codes) > 10_000:   # bounded: forget the addresses quiet for an hour
                self._wrong_codes = {k: v for k, v in self._wrong_codes.items() if now - v[1] <= CODE_MEMORY}
            self._wrong_codes[key] = (wrong + 1, now)
        raise ApiError(403, 1003, "This is a classroom engine: a token needs the class code your teacher "
                                  f"gave you. Set NEMO_CLASS_CODE=<code> (sent as {CLASS_CODE_HEADER}) "
                                  "and try again.", {"reason": "class_code"})

    # -- counters -------------------------------------------------------------------------------
    def token(self, client_id: str, peer: str | None) -> None:
        now = time.monotonic()
        with self._lock:
            lim = self.limits
            if self._tokens.used(client_id, now) + 1 > lim.tokens:
                raise _too_many("tokens for this client id", f"{lim.tokens} an hour",
                                self._tokens.retry_after(client_id, now, 1, lim.tokens),
                                "or keep using the token you have (it lasts 7 days).")
            if peer and self._tokens_ip.used(peer, now) + 1 > lim.tokens_per_ip:
                raise _too_many("tokens from this address", f"{lim.tokens_per_ip} an hour",
                                self._tokens_ip.retry_after(peer, now, 1, lim.tokens_per_ip),
                                "or reuse the tokens you have.")
            self._tokens.add(client_id, now)
            if peer:
                self._tokens_ip.add(peer, now)

    def session(self, user: str) -> None:
        now = time.monotonic()
        with self._lock:
            limit = self.limits.sessions
            if self._sessions.used(user, now) + 1 > limit:
                raise _too_many("new sessions", f"{limit} an hour", self._sessions.retry_after(user, now, 1, limit),
                                "or keep working in one of your sessions.")
            self._sessions.add(user, now)

    def upload(self, user: str, size: int) -> None:
        """Before an upload of ``size`` bytes (its Content-Length) is read."""
        now = time.monotonic()
        mb = size / (1024 * 1024)
        with self._lock:
            limit = self.limits.upload_mb
            if self._uploads.used(user, now) + mb > limit:
                raise _too_many("uploaded megabytes", f"{limit:g} MB a day",
                                self._uploads.retry_after(user, now, mb, limit), "or upload smaller files.")
            self._uploads.add(user, now, mb)

    def drafts(self, user: str, size: int) -> None:
        """Before a draft of ``size`` bytes is stored as a new version (``PUT .../draft``)."""
        now = time.monotonic()
        mb = size / (1024 * 1024)
        with self._lock:
            limit = self.limits.drafts_mb
            if self._drafts.used(user, now) + mb > limit:
                raise _too_many("megabytes of drafts saved", f"{limit:g} MB a day",
                                self._drafts.retry_after(user, now, mb, limit),
                                "or save smaller drafts (fewer, shorter segments).")
            self._drafts.add(user, now, mb)

    def render(self, user: str, job_id: str, seconds: float, is_active: Any) -> None:
        """Before a render of ``seconds`` of video is queued; ``is_active(job_id)`` tells if an
        earlier job of the user is still pending or running."""
        now = time.monotonic()
        with self._lock:
            lim = self.limits
            active = self._renders[user]
            for old in [j for j in active if not is_active(j)]:
                active.discard(old)
            if len(active) + 1 > lim.queued_renders:
                raise _too_many("renders queued or running", f"{lim.queued_renders} at once", 30,
                                "when one of your renders has finished (or cancel one).")
            minutes = seconds / 60.0
            if self._video.used(user, now) + minutes > lim.video_minutes:
                raise _too_many("minutes of video", f"{lim.video_minutes:g} minutes of video an hour",
                                self._video.retry_after(user, now, minutes, lim.video_minutes),
                                "or render a shorter or preview version first.")
            self._video.add(user, now, minutes)
            active.add(job_id)

    def forget_render(self, user: str, job_id: str, seconds: float) -> None:
        """A render counted by :meth:`render` was not queued after all."""
        with self._lock:
            self._renders[user].discard(job_id)
            q = self._video.items.get(user)
            if q:
                for i in range(len(q) - 1, -1, -1):
                    if abs(q[i][1] - seconds / 60.0) < 1e-9:
                        del q[i]
                        break
