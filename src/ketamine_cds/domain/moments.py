"""Clinical times as clinicians write them: ISO 8601, always with a zone."""

from __future__ import annotations

from datetime import datetime

from ketamine_cds.domain.errors import UserInputError


def parse_time(text: str) -> datetime:
    """Read a timezone-aware ISO 8601 time, e.g. ``2024-03-02T08:00Z``."""
    try:
        moment = datetime.fromisoformat(text.strip())
    except ValueError:
        raise UserInputError(
            f"'{text}' is not a time; write it as ISO 8601 with a zone (2024-03-02T08:00Z)"
        ) from None
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise UserInputError(f"the time '{text}' has no time zone; add one (e.g. Z or +01:00)")
    return moment
