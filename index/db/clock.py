"""The one clock of the storage layer: every timestamp the catalogue database stores is UTC
ISO 8601, written by :func:`timestamp` (or computed from :func:`now`)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Literal


def now() -> datetime:
    """The current time, timezone-aware in UTC."""
    return datetime.now(UTC)


def timestamp(*, timespec: Literal["seconds", "microseconds"] = "seconds") -> str:
    """The current time as stored: ISO 8601 in UTC.

    Args:
        timespec: ``seconds`` for most rows; ``microseconds`` where rows are ordered by time
            (audit entries, shortlist additions).
    """
    return now().isoformat(timespec=timespec)
