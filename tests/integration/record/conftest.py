"""Fixtures of the record's integration tests: every test runs on SQLite and on PostgreSQL.

PostgreSQL is a real server the session starts itself (Debian's binaries, a temporary data
folder, a Unix socket), unless KETAMINE_CDS_TEST_POSTGRES_URL names one. It is stopped at the end
of the session, whatever the tests did.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from pg_cluster import ENV_REQUIRE, ENV_URL, Cluster, find_bindir
from record_db import PostgresDatabases, RecordDb, open_record, sqlite_record


@pytest.fixture(scope="session")
def postgres() -> Iterator[PostgresDatabases]:
    """A PostgreSQL server for this test session (one per xdist worker)."""
    given = os.environ.get(ENV_URL)
    cluster: Cluster | None = None
    if given:
        server_url = given
    else:
        bindir = find_bindir()
        if bindir is None:
            if os.environ.get(ENV_REQUIRE):
                pytest.fail(
                    "PostgreSQL's server is not installed; scripts/bootstrap.sh installs it"
                )
            pytest.skip("PostgreSQL's server binaries are not installed")
        cluster = Cluster(bindir).start()
        server_url = cluster.url()
    databases = PostgresDatabases(server_url)
    try:
        yield databases
    finally:
        try:
            databases.drop_all()
        finally:
            if cluster is not None:
                cluster.stop()


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
