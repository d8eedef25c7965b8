"""The values a file or an option may hold: times from 1990 to 2099, quantities of a sane size.

A time before 1990 predates every source the product cites and any electronic record it would be
replayed from; a time after 2099 is a typing error. Both bounds keep every time the engine derives
(a time plus an interval, a course of days or weeks) far from the end of the calendar in year 9999,
where date arithmetic overflows (docs/adr/0008-plausible-times.md).

A quantity is zero or between :data:`SMALLEST` and :data:`LARGEST` in its canonical unit (mg,
mg/h, mg/kg/h, hours …): ``1e400 mg/h`` reads as infinity and ``1e-308 mg/h`` as a number no
pump can run, and neither is a value to check against a limit (docs/adr/0007-strict-options.md).
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Iterator
from datetime import UTC, date, datetime

from pydantic import BaseModel

from ketamine_cds.domain.units import Measure

EARLIEST = datetime(1990, 1, 1, tzinfo=UTC)
LATEST = datetime(2100, 1, 1, tzinfo=UTC)
WINDOW_TEXT = "1990-01-01 to 2099-12-31"
SMALLEST = 1e-6
LARGEST = 1e6

Place = tuple[int | str, ...]


def is_plausible_time(moment: datetime | date) -> bool:
    """Whether ``moment`` lies in the window (a time without a zone is read as UTC)."""
    if not isinstance(moment, datetime):
        moment = datetime(moment.year, moment.month, moment.day, tzinfo=UTC)
    elif moment.tzinfo is None or moment.utcoffset() is None:
        moment = moment.replace(tzinfo=UTC)
    return EARLIEST <= moment < LATEST


def time_outside_text(moment: datetime | date) -> str:
    """What is wrong with a time outside the window."""
    return f"{moment.isoformat()} is outside the times the product reads ({WINDOW_TEXT})"


def is_plausible_size(value: float) -> bool:
    """Whether ``value`` is zero or finite and between :data:`SMALLEST` and :data:`LARGEST`."""
    return value == 0 or SMALLEST <= abs(value) <= LARGEST


def size_outside_text(shown: str) -> str:
    """What is wrong with a number outside the sizes the product reads."""
    return f"{shown} is outside the numbers the product reads ({SMALLEST:g} to {LARGEST:g})"


def _problem(value: object) -> str | None:
    if isinstance(value, datetime | date) and not is_plausible_time(value):
        return time_outside_text(value)
    if isinstance(value, Measure) and not is_plausible_size(value.magnitude()):
        return size_outside_text(str(value))
    if isinstance(value, float) and not (math.isfinite(value) and is_plausible_size(value)):
        return size_outside_text(repr(value))
    return None


def _children(value: object) -> Iterator[tuple[int | str, object]]:
    if isinstance(value, BaseModel):
        yield from ((name, getattr(value, name)) for name in type(value).model_fields)
    elif isinstance(value, list | tuple):
        yield from enumerate(value)
    elif isinstance(value, dict):
        yield from ((str(key), item) for key, item in value.items())
    elif dataclasses.is_dataclass(value) and not isinstance(value, type | Measure):
        yield from ((f.name, getattr(value, f.name)) for f in dataclasses.fields(value))


def first_implausible(value: object, place: Place = ()) -> tuple[Place, str] | None:
    """Where the first implausible time or quantity in ``value`` is, and what is wrong."""
    problem = _problem(value)
    if problem is not None:
        return place, problem
    for key, child in _children(value):
        found = first_implausible(child, (*place, key))
        if found is not None:
            return found
    return None
