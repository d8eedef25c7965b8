"""Fixtures shared by the integration tests: the session's PostgreSQL server.

PostgreSQL is a real server the session starts itself (Debian's binaries, a temporary data
folder, a Unix socket), unless KETAMINE_CDS_TEST_POSTGRES_URL names one. It is stopped at the end
of the session, whatever the tests did.
"""

from __future__ import annotations

import pg_server
import pytest

# one per xdist worker
postgres = pytest.fixture(scope="session", name="postgres")(pg_server.postgres_databases)
