"""CDS Hooks token ids already used are kept in the record's database, on SQLite and PostgreSQL,
so a token replayed to the other worker of the service is refused as it is by the first."""

from __future__ import annotations

import time
from datetime import timedelta

from record_db import RecordDb
from sqlalchemy import func, select

from ketamine_cds.adapters.db import tables as t
from ketamine_cds.adapters.db.engine import make_engine
from ketamine_cds.adapters.db.seen_tokens import SqlSeenTokens

LEEWAY = timedelta(seconds=60)


def test_a_token_used_on_one_worker_is_refused_on_the_other(record_db: RecordDb) -> None:
    """Two workers, two engines on one database: the second use of (issuer, jti) is refused."""
    other = make_engine(record_db.url)
    try:
        first, second = SqlSeenTokens(record_db.engine, LEEWAY), SqlSeenTokens(other, LEEWAY)
        expires = time.time() + 300
        assert first.first_use("https://ehr.example", "jti-1", expires)
        assert not second.first_use("https://ehr.example", "jti-1", expires)
        assert not first.first_use("https://ehr.example", "jti-1", expires)
        assert second.first_use("https://other-ehr.example", "jti-1", expires)
        assert second.first_use("https://ehr.example", "jti-2", expires)
    finally:
        other.dispose()


def test_expired_token_ids_are_removed(record_db: RecordDb) -> None:
    """A row is kept until its token's expiry plus the leeway, then the next use removes it."""
    seen = SqlSeenTokens(record_db.engine, LEEWAY)
    assert seen.first_use("https://ehr.example", "old", time.time() - 3 * LEEWAY.total_seconds())
    assert seen.first_use("https://ehr.example", "new", time.time() + 300)
    with record_db.engine.connect() as connection:
        kept = connection.execute(select(func.count()).select_from(t.seen_tokens)).scalar_one()
    assert kept == 1
