"""Fixtures shared by the integration tests: the session's PostgreSQL server.

PostgreSQL is a real server the session starts itself (Debian's binaries, a temporary data
folder, a Unix socket), unless KETAMINE_CDS_TEST_POSTGRES_URL names one. It is stopped at the end
of the session, whatever the tests did.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
from pg_cluster import ENV_REQUIRE, ENV_URL, Cluster, find_bindir
from record_db import PostgresDatabases


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
