"""The unit of work over SQLAlchemy: one connection, one transaction, the repositories on it."""

from __future__ import annotations

from types import TracebackType
from typing import Self

from sqlalchemy import Connection, Engine

from ketamine_cds.adapters.db.access import SqlAccess
from ketamine_cds.adapters.db.audit_log import SqlAudit
from ketamine_cds.adapters.db.committed_events import CommittedEvents
from ketamine_cds.adapters.db.engine import writing
from ketamine_cds.adapters.db.repositories import (
    SqlArchive,
    SqlEpisodes,
    SqlEvents,
    SqlRecommendations,
    SqlUsers,
)
from ketamine_cds.service.access_ports import AccessRepository
from ketamine_cds.service.ports import (
    AuditLog,
    EpisodeRepository,
    EventLog,
    RecommendationLog,
    ReferenceArchive,
    UserRepository,
)


class SqlUnitOfWork:
    """One transaction; what is not committed when it ends is rolled back."""

    users: UserRepository
    episodes: EpisodeRepository
    events: EventLog
    _events: SqlEvents
    recommendations: RecommendationLog
    audit: AuditLog
    _audit: SqlAudit
    _archive: SqlArchive
    archive: ReferenceArchive
    access: AccessRepository

    def __init__(
        self,
        engine: Engine,
        *,
        write: bool,
        archived: set[str],
        committed: CommittedEvents,
        one_read: bool = False,
    ) -> None:
        self._engine = engine
        self._write = write
        self._one_read = one_read and not write
        self._archived = archived
        self._committed = committed
        self._connection: Connection | None = None

    def __enter__(self) -> Self:
        """Open the connection and begin (a writer takes the write lock on SQLite)."""
        connection = self._engine.connect()
        if self._write:
            writing(connection)
        elif connection.dialect.name == "postgresql":
            # A reader sees one snapshot: the audit chain, its head and the rows it names agree.
            # A single statement is its own snapshot and needs no transaction around it: a
            # BEGIN and a ROLLBACK saved, for the token lookup every program's request makes.
            level = "AUTOCOMMIT" if self._one_read else "REPEATABLE READ"
            connection.execution_options(isolation_level=level)
        connection.begin()
        self._connection = connection
        self.users = SqlUsers(connection)
        self.episodes = SqlEpisodes(connection)
        self.events = self._events = SqlEvents(
            connection, self._committed if self._write else None
        )
        self.recommendations = SqlRecommendations(connection)
        self.audit = self._audit = SqlAudit(connection)
        self.archive = self._archive = SqlArchive(connection, self._archived)
        self.access = SqlAccess(connection)
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        """Roll back anything not committed and give the connection back."""
        if self._connection is not None:
            self._connection.rollback()
            self._events.rolled_back()
            self._connection.close()
            self._connection = None

    def commit(self) -> None:
        """Append the waiting audit entries, then commit.

        On SQLite (synchronous=FULL) the write is on disk when this returns.
        """
        if self._connection is None:
            raise RuntimeError("the unit of work is not open")
        self._audit.flush()
        self._connection.commit()
        self._archive.committed()
        self._events.committed()

    def rollback(self) -> None:
        """Roll the transaction back."""
        if self._connection is not None:
            self._connection.rollback()
            self._events.rolled_back()


class SqlUnitOfWorkFactory:
    """Opens units of work on one engine."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._archived: set[str] = set()  # content hashes of texts known stored in this database
        self._committed = CommittedEvents()

    def __call__(self, *, writing: bool = True, one_read: bool = False) -> SqlUnitOfWork:
        """A new unit of work (``one_read``: a reader that runs one statement)."""
        return SqlUnitOfWork(
            self.engine,
            write=writing,
            archived=self._archived,
            committed=self._committed,
            one_read=one_read,
        )
