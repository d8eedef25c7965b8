"""Reading the audit trail: who did what, to what, and when, filtered; newest first.

Any user of the record may read it (as any may verify it): an entry names the actor, the action
and the subject (``episode/3/event/7``), never the content, which only its digest stands for.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from ketamine_cds.domain.audit import AuditEntry
from ketamine_cds.domain.errors import UserInputError
from ketamine_cds.service.record_support import RecordDeps, authorised

MAX_PAGE = 1000


@dataclass(frozen=True)
class AuditQuery:
    """Which entries: by actor, by the start of the action or subject, by time; one page."""

    actor: str | None = None
    action: str | None = None
    subject: str | None = None
    since: datetime | None = None
    until: datetime | None = None
    limit: int = 100
    offset: int = 0

    def matches(self, entry: AuditEntry) -> bool:
        """Whether the entry is one the query asks for."""
        return (
            (self.actor is None or entry.actor == self.actor)
            and (self.action is None or entry.action.startswith(self.action))
            and (self.subject is None or entry.subject.startswith(self.subject))
            and (self.since is None or entry.at >= self.since)
            and (self.until is None or entry.at < self.until)
        )


@dataclass(frozen=True)
class AuditPage:
    """One page of entries, newest first, and how many match in all."""

    entries: tuple[AuditEntry, ...]
    matching: int
    query: AuditQuery


def read_audit(deps: RecordDeps, actor: str | None, query: AuditQuery) -> AuditPage:
    """The entries the query asks for, newest first."""
    if not 1 <= query.limit <= MAX_PAGE or query.offset < 0:
        raise UserInputError(f"a page of the audit trail holds 1 to {MAX_PAGE} entries")
    with deps.uow(writing=False) as uow:
        authorised(uow, actor, "audit.verify")
        found = [entry for entry in uow.audit.entries() if query.matches(entry)]
    found.reverse()
    page = found[query.offset : query.offset + query.limit]
    return AuditPage(tuple(page), len(found), query)
