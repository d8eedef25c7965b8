"""Fixtures of the record's integration tests: every test runs on SQLite and on PostgreSQL.

PostgreSQL is the session's server (``postgres``, in ``tests/integration/conftest.py``).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from record_db import PostgresDatabases, RecordDb, open_record, sqlite_record


@pytest.fixture(params=["sqlite", "postgresql"])
def record(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[RecordDb]:
    """A fresh, migrated record with the ward's users, on each database."""
    if request.param == "sqlite":
        db = sqlite_record(tmp_path)
    else:
        databases: PostgresDatabases = request.getfixturevalue("postgres")
        db = open_record("postgresql", databases.new())
    db.add_ward()
    try:
        yield db
    finally:
        db.engine.dispose()
