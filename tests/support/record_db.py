"""Record databases for the tests: a fresh SQLite file or a fresh PostgreSQL database each,
migrated by the shipped migrations, with the usual users of a ward."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Engine, create_engine, text

from ketamine_cds.adapters.clock import SystemClock
from ketamine_cds.adapters.db.engine import make_engine
from ketamine_cds.adapters.db.migrate import upgrade
from ketamine_cds.adapters.db.uow import SqlUnitOfWorkFactory
from ketamine_cds.adapters.protocol_source import FileProtocolSource
from ketamine_cds.service.record_support import RecordDeps
from ketamine_cds.service.users import add_user

WARD = (
    ("ann", "admin"),
    ("phil", "physician"),
    ("paula", "pharmacist"),
    ("nina", "nurse"),
    ("nora", "nurse"),
)


@dataclass
class RecordDb:
    """One test's record: its URL, engine and the use cases' dependencies."""

    kind: str
    url: str
    engine: Engine
    deps: RecordDeps

    def add_ward(self) -> None:
        """Add the admin, a physician, a pharmacist and two nurses."""
        first, *rest = WARD
        add_user(self.deps, None, first[0], "admin")
        for name, role in rest:
            add_user(self.deps, "ann", name, role)  # type: ignore[arg-type]


def open_record(kind: str, url: str) -> RecordDb:
    """A record on ``url``, migrated to the newest revision."""
    engine = make_engine(url)
    upgrade(engine)
    deps = RecordDeps(SqlUnitOfWorkFactory(engine), FileProtocolSource(), SystemClock())
    return RecordDb(kind, url, engine, deps)


def sqlite_record(folder: Path) -> RecordDb:
    """A record in a new SQLite file."""
    return open_record("sqlite", f"sqlite:///{folder / 'record.sqlite3'}")


class PostgresDatabases:
    """Creates one database per test on a server, each copied from one migrated template."""

    def __init__(self, server_url: str) -> None:
        self._server_url = server_url
        self._admin = create_engine(server_url, isolation_level="AUTOCOMMIT")
        self._template = f"kcds_tmpl_{uuid.uuid4().hex[:10]}"
        self._created: list[str] = [self._template]
        with self._admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{self._template}"'))
        migrated = make_engine(self.url(self._template))
        upgrade(migrated)
        migrated.dispose()

    def url(self, name: str) -> str:
        """The URL of database ``name`` on the same server."""
        base, _, query = self._server_url.partition("?")
        head = base.rsplit("/", 1)[0]
        return f"{head}/{name}" + (f"?{query}" if query else "")

    def new(self) -> str:
        """A new migrated database's URL."""
        name = f"kcds_{uuid.uuid4().hex[:12]}"
        with self._admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{self._template}"'))
        self._created.append(name)
        return self.url(name)

    def drop_all(self) -> None:
        """Drop every database made here."""
        with self._admin.connect() as connection:
            for name in reversed(self._created):
                connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        self._admin.dispose()
