"""A full disk answered as such on every endpoint: HTTP 507 with what to free (see :mod:`..disk`)."""

from __future__ import annotations

from pathlib import Path

from ..disk import disk_full_message
from .common import ApiError

__all__ = ["DISK_FULL_STATUS", "disk_full_error"]

DISK_FULL_STATUS = 507   # HTTP 507 Insufficient Storage; the envelope's code is the same number


def disk_full_error(home: Path | None, what: str = "this request") -> ApiError:
    """The 507 answer to a request that met a full disk."""
    return ApiError(DISK_FULL_STATUS, DISK_FULL_STATUS, disk_full_message(home, what), {"reason": "disk_full"})
