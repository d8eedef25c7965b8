"""A PostgreSQL server for a test fixture: the one named by KETAMINE_CDS_TEST_POSTGRES_URL, or
one started from Debian's binaries in a temporary data folder; its databases are dropped and the
server it started is stopped afterwards, whatever the tests did."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
from pg_cluster import ENV_REQUIRE, ENV_URL, Cluster, find_bindir
from record_db import PostgresDatabases


def postgres_databases() -> Iterator[PostgresDatabases]:
    """New databases on a PostgreSQL server, until the fixture using this ends."""
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
