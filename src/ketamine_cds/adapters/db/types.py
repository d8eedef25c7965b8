"""Column types that mean the same on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import cast

from sqlalchemy import DateTime, Dialect, String
from sqlalchemy.types import TypeDecorator, TypeEngine

_ZERO = timedelta(0)


class UtcTime(TypeDecorator[datetime]):
    """A timezone-aware time, stored in UTC to the microsecond.

    PostgreSQL keeps it as ``timestamptz``; SQLite, which has no time type, as fixed-width ISO
    8601 text, so text order is time order and nothing is lost on the way back.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine[object]:
        """Text on SQLite, a time with zone elsewhere."""
        if dialect.name == "sqlite":
            return dialect.type_descriptor(cast("TypeEngine[object]", String(32)))
        return dialect.type_descriptor(cast("TypeEngine[object]", DateTime(timezone=True)))

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> object:
        """Refuse a naive time; write UTC."""
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("the record stores only timezone-aware times")
        moment = value.astimezone(UTC)
        return moment.isoformat(timespec="microseconds") if dialect.name == "sqlite" else moment

    def process_result_value(self, value: object, dialect: Dialect) -> datetime | None:  # noqa: ARG002 - SQLAlchemy's signature
        """Read back as an aware UTC time."""
        if value is None:
            return None
        if isinstance(value, str):
            moment = datetime.fromisoformat(value)
            return moment if moment.utcoffset() == _ZERO else moment.astimezone(UTC)
        if isinstance(value, datetime):
            return value.astimezone(UTC)
        raise TypeError(f"unexpected stored time {value!r}")
