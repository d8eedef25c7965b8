"""The database engine for a record URL: durable single-writer SQLite, or PostgreSQL (psycopg 3).

SQLite runs in WAL mode with ``synchronous=FULL`` (a commit is on disk before it returns), foreign
keys on and a busy timeout, and every writing transaction starts with ``BEGIN IMMEDIATE``: the
write lock is taken before anything is read, so the audit chain's head and an episode's version
are read by one writer at a time. PostgreSQL serialises the same two things with row locks
(``SELECT ... FOR UPDATE``) on the episode and on the chain's head.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event, exc
from sqlalchemy.engine import make_url
from sqlalchemy.pool import ConnectionPoolEntry, PoolProxiedConnection

from ketamine_cds.domain.errors import UserInputError

BUSY_TIMEOUT_MS = 30_000
BEGIN_OPTION = "ketamine_cds_begin"
# A pooled PostgreSQL connection unused for longer than this is asked whether it is still open
# before a unit of work gets it (docs/adr/0137, the product's reading): a restarted or failed-over
# server is noticed there, not by a clinician's request.
IDLE_PING_S = 5.0
_LAST_USED = "ketamine_cds_last_used"


def normalise_url(url: str) -> str:
    """A URL with the driver the product uses (psycopg 3 for PostgreSQL)."""
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url.removeprefix(prefix)
    return url


def _sqlite_connect(dbapi_connection: Any, _record: object) -> None:  # noqa: ANN401 - DB-API
    # Autocommit at the driver, so the transaction starts where the begin hook says.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=FULL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    cursor.close()


def _sqlite_begin(connection: Connection) -> None:
    mode = connection.get_execution_options().get(BEGIN_OPTION, "DEFERRED")
    connection.exec_driver_sql(f"BEGIN {mode}")


def _ping_when_idle(engine: Engine, idle_s: float) -> None:
    """Ping a pooled connection at checkout when it has been idle, and replace it if it is gone.

    SQLAlchemy's ``pool_pre_ping`` pings at every checkout: two round trips of a dozen in each
    request the ward sends. A connection checked in moments ago was open then; one idle longer
    is pinged, and one that fails the ping is discarded and the pool connects anew (SQLAlchemy's
    documented ``DisconnectionError`` at checkout).
    """

    def checked_in(_dbapi: Any, record: ConnectionPoolEntry) -> None:  # noqa: ANN401 - DB-API
        record.info[_LAST_USED] = time.monotonic()

    def checking_out(
        dbapi: Any,  # noqa: ANN401 - DB-API
        record: ConnectionPoolEntry,
        _proxy: PoolProxiedConnection,
    ) -> None:
        last = record.info.get(_LAST_USED)
        if last is not None and time.monotonic() - last < idle_s:
            return
        try:
            engine.dialect.do_ping(dbapi)
        except Exception as error:
            raise exc.DisconnectionError(str(error)) from error

    event.listen(engine, "checkin", checked_in)
    event.listen(engine, "checkout", checking_out)


def make_engine(url: str, *, idle_ping_s: float = IDLE_PING_S) -> Engine:
    """An engine for ``url``; a SQLite file's folder is created when missing."""
    try:
        parsed = make_url(normalise_url(url))
    except Exception:  # noqa: BLE001 - SQLAlchemy raises several kinds for a bad URL
        raise UserInputError(f"'{url}' is not a database URL") from None
    backend = parsed.get_backend_name()
    if backend == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(parsed, connect_args={"timeout": BUSY_TIMEOUT_MS / 1000})
        event.listen(engine, "connect", _sqlite_connect)
        event.listen(engine, "begin", _sqlite_begin)
        return engine
    if backend == "postgresql":
        engine = create_engine(parsed)
        _ping_when_idle(engine, idle_ping_s)
        return engine
    raise UserInputError(
        f"the record runs on SQLite or PostgreSQL, not '{backend}' ({url.split(':', 1)[0]})"
    )


def writing(connection: Connection) -> Connection:
    """The connection set to take the write lock when its transaction begins (SQLite)."""
    return connection.execution_options(**{BEGIN_OPTION: "IMMEDIATE"})
