"""The wall clock, handed to use cases by bootstrap (the domain never reads it)."""

from __future__ import annotations

from datetime import UTC, datetime


class SystemClock:
    """The system's time, in UTC."""

    def now(self) -> datetime:
        """The current time (UTC, microseconds)."""
        return datetime.now(UTC)
