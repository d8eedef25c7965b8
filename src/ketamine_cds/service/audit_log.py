"""Reading the audit trail: who did what, to what, and when, filtered, newest first.

Any user of the record may read the trail, as any may verify it (the action ``audit.verify``):
it names people, roles, actions and record rows, never a patient's clinical values. An entry
that names an event comes with the event as written, so an override's reason can be read
beside the entry that chained it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from ketamine_cds.domain.audit import AuditEntry
from ketamine_cds.domain.errors import UserInputError
from ketamine_cds.domain.record import StoredEvent
from ketamine_cds.service.audit_trail import AuditReport, check_record
from ketamine_cds.service.record_support import RecordDeps, authorised

PAGE_SIZE = 200


@dataclass(frozen=True)
class AuditFilter:
    """Which entries to show: by actor, by action (or its start), by episode, by time."""

    actor: str | None = None
    action: str | None = None
    episode: int | None = None
    since: datetime | None = None
    until: datetime | None = None
    before_seq: int | None = None
    limit: int = PAGE_SIZE

    def __post_init__(self) -> None:
        """Refuse a filter that cannot match anything sensible."""
        if not 1 <= self.limit <= 1000:
            raise UserInputError("show between 1 and 1000 audit entries at a time")
        if self.since is not None and self.until is not None and self.since > self.until:
            raise UserInputError("the audit filter's start is after its end")

    def matches(self, entry: AuditEntry) -> bool:
        """Whether the entry passes every part of the filter."""
        subject = entry.subject.split("/")
        checks = (
            self.actor is None or entry.actor == self.actor,
            self.action is None or entry.action.startswith(self.action),
            self.episode is None or subject[:2] == ["episode", str(self.episode)],
            self.since is None or entry.at >= self.since,
            self.until is None or entry.at <= self.until,
            self.before_seq is None or entry.seq < self.before_seq,
        )
        return all(checks)


@dataclass(frozen=True)
class AuditListing:
    """A page of entries (newest first), the events they name, and the chain's verification."""

    entries: tuple[AuditEntry, ...]
    events: dict[int, StoredEvent]
    more: bool
    total: int
    report: AuditReport
    actors: tuple[str, ...]


def _event_of(entry: AuditEntry) -> tuple[int, int] | None:
    parts = entry.subject.split("/")
    shaped = len(parts) == 4 and parts[0] == "episode" and parts[2] == "event"
    if shaped and parts[1].isdigit() and parts[3].isdigit():
        return int(parts[1]), int(parts[3])
    return None


def audit_entries(deps: RecordDeps, actor: str | None, wanted: AuditFilter) -> AuditListing:
    """The entries ``wanted`` names, newest first, with the whole chain verified."""
    with deps.uow(writing=False) as uow:
        authorised(uow, actor, "audit.verify")
        everything = list(uow.audit.entries())
        chosen = [e for e in reversed(everything) if wanted.matches(e)]
        shown = chosen[: wanted.limit]
        events: dict[int, StoredEvent] = {}
        for entry in shown:
            where = _event_of(entry)
            found = None if where is None else uow.events.get(*where)
            if found is not None:
                events[entry.seq] = found
        return AuditListing(
            entries=tuple(shown),
            events=events,
            more=len(chosen) > len(shown),
            total=len(everything),
            report=check_record(uow),
            actors=tuple(sorted({e.actor for e in everything})),
        )
