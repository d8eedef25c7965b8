"""A pooled PostgreSQL connection the server closed is replaced before a unit of work gets it."""

from __future__ import annotations

import pytest
from record_db import PostgresDatabases
from sqlalchemy import create_engine, text
from sqlalchemy.exc import OperationalError

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


def test_a_connection_used_moments_ago_is_handed_out_without_a_ping(
    postgres: PostgresDatabases,
) -> None:
    # Used within the idle time: no ping, so a session the server ended in between reaches the
    # statement, as decision record 0137 accepts; the pool then connects anew.
    url = postgres.new()
    with pytest.raises(OperationalError):
        _backend_pid(url, idle_ping_s=60)
