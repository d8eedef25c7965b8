"""The ``audit_entries`` chain and the ``audit_head`` row that serialises its writers.

A write's entries are chained and inserted when its unit of work commits, so other writers of
the record do not wait while this one is computed. On PostgreSQL one statement locks the head
row, chains and inserts the entries (migration 0004), and the commit follows at once; SQLite's
writer holds the database's write lock already and chains them here.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Row, bindparam, insert, select, text, update

from ketamine_cds.adapters.db import tables as t
from ketamine_cds.domain.audit import (
    GENESIS_HASH,
    AuditEntry,
    EntryDraft,
    canonical_text,
    chain_after,
    chain_text,
    utc_text,
)

_HEAD = select(t.audit_head.c.seq, t.audit_head.c.hash).where(t.audit_head.c.id == 1)
_INSERT = insert(t.audit_entries)
# One statement per entry: the head row's trigger lets it move one entry at a time.
_MOVE_HEAD = (
    update(t.audit_head)
    .where(t.audit_head.c.id == 1)
    .values(seq=bindparam("new_seq"), hash=bindparam("new_hash"))
)


_APPEND = text("SELECT ketamine_cds_audit_append(CAST(:entries AS jsonb))")


def _entry(row: Row[Any]) -> AuditEntry:
    return AuditEntry(
        seq=row.seq,
        at=row.at,
        actor=row.actor,
        role=row.role,
        action=row.action,
        subject=row.subject,
        payload_digest=row.payload_digest,
        versions=json.loads(row.versions),
        prev_hash=row.prev_hash,
        hash=row.hash,
    )


def _row(entry: AuditEntry) -> dict[str, object]:
    return {
        "seq": entry.seq,
        "at": entry.at,
        "actor": entry.actor,
        "role": entry.role,
        "action": entry.action,
        "subject": entry.subject,
        "payload_digest": entry.payload_digest,
        "versions": canonical_text(dict(entry.versions)),
        "prev_hash": entry.prev_hash,
        "hash": entry.hash,
    }


def _drafted(draft: EntryDraft, at: datetime) -> dict[str, str]:
    """An entry as ``ketamine_cds_audit_append`` takes it: its columns and its cut text."""
    if at.tzinfo is None:  # the column type refuses one on every other path
        raise ValueError("the record stores only timezone-aware times")
    cut = chain_text(draft, at)
    return {
        "at": utc_text(at),
        "actor": draft.actor,
        "role": draft.role,
        "action": draft.action,
        "subject": draft.subject,
        "payload_digest": draft.payload_digest,
        "versions": canonical_text(dict(draft.versions)),
        "head": cut.head,
        "middle": cut.middle,
        "tail": cut.tail,
    }


class SqlAudit:
    """The audit trail of one unit of work: entries waiting for its commit, and the chain."""

    def __init__(self, connection: Connection) -> None:
        self._c = connection
        self._waiting: list[tuple[EntryDraft, datetime]] = []

    def add(self, draft: EntryDraft, at: datetime) -> None:
        """Keep the entry until the unit of work commits (``flush``)."""
        self._waiting.append((draft, at))

    def flush(self) -> None:
        """Chain the waiting entries to the head, insert them and move the head to the last."""
        if not self._waiting:
            return
        if self._c.dialect.name == "postgresql":
            self._c.execute(_APPEND, {"entries": json.dumps([_drafted(*w) for w in self._waiting])})
            self._waiting.clear()
            return
        seq, last_hash = self._c.execute(_HEAD).one()
        entries: list[AuditEntry] = []
        for draft, at in self._waiting:
            entries.append(chain_after((seq, last_hash), draft, at))
            seq, last_hash = entries[-1].seq, entries[-1].hash
        self._c.execute(_INSERT, [_row(entry) for entry in entries])
        self._c.execute(
            _MOVE_HEAD, [{"new_seq": entry.seq, "new_hash": entry.hash} for entry in entries]
        )
        self._waiting.clear()

    def entries(self) -> Iterator[AuditEntry]:
        """Every entry in order."""
        for row in self._c.execute(select(t.audit_entries).order_by(t.audit_entries.c.seq)):
            yield _entry(row)

    def head_mark(self) -> tuple[int, str] | None:
        """The position and hash kept in the head row (None before the first entry)."""
        row = self._c.execute(_HEAD).first()
        if row is None or (row.seq == 0 and row.hash == GENESIS_HASH):
            return None
        return (row.seq, row.hash)
