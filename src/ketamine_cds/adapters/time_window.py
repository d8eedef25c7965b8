"""The times the product reads: from 1990 to the end of 2099, with a time zone.

An episode before 1990 predates every source the product cites and any electronic record it
would be replayed from; a time after 2099 is a typing error. Both bounds keep every time the
engine derives (a time plus an interval, a course of days or weeks) far from the end of the
calendar in year 9999, where date arithmetic overflows (docs/adr/0008-plausible-times.md).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime

from pydantic import BaseModel

EARLIEST = datetime(1990, 1, 1, tzinfo=UTC)
LATEST = datetime(2100, 1, 1, tzinfo=UTC)
WINDOW_TEXT = "1990-01-01 to 2099-12-31"

Place = tuple[int | str, ...]
Moment = datetime | date


def is_plausible(moment: Moment) -> bool:
    """Whether ``moment`` lies in the window (a time without a zone is read as UTC)."""
    if not isinstance(moment, datetime):
        moment = datetime(moment.year, moment.month, moment.day, tzinfo=UTC)
    elif moment.tzinfo is None or moment.utcoffset() is None:
        moment = moment.replace(tzinfo=UTC)
    return EARLIEST <= moment < LATEST


def outside_text(moment: Moment) -> str:
    """The sentence's end for a time outside the window."""
    return f"{moment.isoformat()} is outside the times the product reads ({WINDOW_TEXT})"


def _walk(value: object, path: Place) -> Iterator[tuple[Place, Moment]]:
    if isinstance(value, datetime | date):
        yield path, value
    elif isinstance(value, BaseModel):
        for field in type(value).model_fields:
            yield from _walk(getattr(value, field), (*path, field))
    elif isinstance(value, list | tuple):
        for index, item in enumerate(value):
            yield from _walk(item, (*path, index))
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _walk(item, (*path, str(key)))


def first_implausible(model: BaseModel) -> tuple[Place, Moment] | None:
    """The place and value of the first time in ``model`` outside the window, if any."""
    return next(((p, m) for p, m in _walk(model, ()) if not is_plausible(m)), None)
