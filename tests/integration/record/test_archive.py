"""The archive of protocol and limit-table texts, on SQLite and PostgreSQL: a text a rolled-back
write meant to keep is kept by the next write that needs it."""

from __future__ import annotations

from record_db import RecordDb


def test_a_text_kept_by_a_write_rolled_back_is_kept_by_the_next(record: RecordDb) -> None:
    """The engine's units of work share what is known stored, but only what was committed."""
    with record.deps.uow() as uow:
        uow.archive.keep("a" * 64, "protocol", "p", "1.0.0", "text one")
        # no commit: the write is refused or fails, and rolls back
    with record.deps.uow(writing=False) as uow:
        assert uow.archive.text("a" * 64) is None
    with record.deps.uow() as uow:
        uow.archive.keep("a" * 64, "protocol", "p", "1.0.0", "text one")
        uow.commit()
    with record.deps.uow() as uow:
        uow.archive.keep("a" * 64, "protocol", "p", "1.0.0", "text one")  # known: no second row
        uow.commit()
    with record.deps.uow(writing=False) as uow:
        assert uow.archive.text("a" * 64) == "text one"
