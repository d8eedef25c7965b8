"""Fixtures of the API tests: the application on a fresh record, on SQLite and on PostgreSQL.

``ward`` is the app built by the product's own factory (``create_app``) on a migrated record
with an admin (ann), a physician (phil), a pharmacist (paula) and two nurses (nina, nora), each
with a bearer token; nina and phil also have passwords. Requests go through Starlette's test
client over https (the session cookie is ``Secure``).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from api_ward import Ward, open_ward
from record_db import PostgresDatabases, RecordDb, open_record, sqlite_record


@pytest.fixture(params=["sqlite", "postgresql"])
def record_db(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[RecordDb]:
    """A fresh migrated record (no users yet), on each database."""
    if request.param == "sqlite":
        db = sqlite_record(tmp_path)
    else:
        databases: PostgresDatabases = request.getfixturevalue("postgres")
        db = open_record("postgresql", databases.new())
    try:
        yield db
    finally:
        db.engine.dispose()


@pytest.fixture
def ward(record_db: RecordDb, tmp_path: Path) -> Iterator[Ward]:
    """The application on a new record with the ward's users."""
    built = open_ward(record_db, tmp_path / "data")
    try:
        yield built
    finally:
        built.close()
