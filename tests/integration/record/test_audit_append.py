"""A write's audit entries, chained by the database (PostgreSQL) or the writer (SQLite), verify.

The subjects carry what could move the cuts of the text PostgreSQL hashes: quotes, backslashes,
a JSON escape written out, non-ASCII letters and an emoji, and the key names the cuts are made at.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from record_db import RecordDb
from sqlalchemy.exc import StatementError

from ketamine_cds.domain.audit import EntryDraft, digest, verify_chain

SUBJECTS = (
    'episode/1 "quoted" \\ back\\slash \\u0000',
    "José Müller, 服务, 🩺, line\u2028separator",
    'a subject holding "prev_hash":"' + "0" * 64 + '" and "seq":12',
)


def test_entries_with_any_text_chain_and_verify(record: RecordDb) -> None:
    at = datetime(2024, 3, 2, 8, 0, 0, 123456, tzinfo=timezone(timedelta(hours=5)))
    with record.deps.uow() as uow:
        for number, subject in enumerate(SUBJECTS):
            versions = {"protocol": f'x "{number}"', "seq": "1"}
            draft = EntryDraft("nina", "nurse", "event.record", subject, digest(number), versions)
            uow.audit.add(draft, at + timedelta(seconds=number))
        uow.commit()
    with record.deps.uow(writing=False) as uow:
        entries = list(uow.audit.entries())
    assert verify_chain(entries) is None
    assert [e.subject for e in entries[-3:]] == list(SUBJECTS)
    assert entries[-3].at == at.astimezone(UTC)
    assert [e.seq for e in entries] == list(range(1, len(entries) + 1))


def test_an_entry_at_a_time_without_a_zone_is_refused(record: RecordDb) -> None:
    with record.deps.uow(writing=False) as uow:
        before = len(list(uow.audit.entries()))
    draft = EntryDraft("nina", "nurse", "event.record", "episode/1", digest(1))
    with record.deps.uow() as uow:
        uow.audit.add(draft, datetime(2024, 3, 2, 8, 0))  # noqa: DTZ001 - the naive time refused
        with pytest.raises((ValueError, StatementError)):
            uow.commit()
    with record.deps.uow(writing=False) as uow:
        assert len(list(uow.audit.entries())) == before
