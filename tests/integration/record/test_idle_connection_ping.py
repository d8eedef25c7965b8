"""A pooled PostgreSQL connection the server closed is replaced before a unit of work gets it."""

from __future__ import annotations

from record_db import PostgresDatabases
from sqlalchemy import create_engine, text

from ketamine_cds.adapters.db.engine import make_engine


def _backend_pid(url: str, idle_ping_s: float) -> tuple[int, int]:
    engine = make_engine(url, idle_ping_s=idle_ping_s)
    try:
        with engine.connect() as connection:
            first = int(connection.execute(text("SELECT pg_backend_pid()")).scalar_one())
        # The server ends that session, as a restart or a fail-over would.
        admin = create_engine(url, isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            connection.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": first})
        admin.dispose()
        with engine.connect() as connection:
            second = int(connection.execute(text("SELECT pg_backend_pid()")).scalar_one())
        return first, second
    finally:
        engine.dispose()


def test_an_idle_connection_the_server_closed_is_replaced_at_checkout(
    postgres: PostgresDatabases,
) -> None:
    # Idle for longer than 0 s: pinged, found closed, replaced; the statement runs.
    first, second = _backend_pid(postgres.new(), idle_ping_s=0)
    assert second != first
