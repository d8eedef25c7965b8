"""Verifying the audit trail: the chain of hashes, and each written row against its digest.

The chain shows an entry changed, removed or inserted; the digest check shows a stored event,
recommendation, episode, verification or user changed underneath an intact entry. The first
entry that does not hold is named in one sentence.
"""

from __future__ import annotations

from dataclasses import dataclass

from ketamine_cds.domain.audit import AuditEntry, ChainBreak, digest, verify_chain
from ketamine_cds.service.ports import UnitOfWork
from ketamine_cds.service.record_support import RecordDeps, authorised
from ketamine_cds.service.users import user_content

_NO_ROW = object()  # an entry (a refusal) that names no stored row


@dataclass(frozen=True)
class AuditReport:
    """How many entries were checked, and the first break (None when intact)."""

    entries: int
    broken: ChainBreak | None

    @property
    def intact(self) -> bool:
        """Every entry and every row it names hold."""
        return self.broken is None


def _stored_content(uow: UnitOfWork, entry: AuditEntry) -> object | None:  # noqa: PLR0911 - one branch per kind of row
    parts = entry.subject.split("/")
    if entry.action == "user.add" and len(parts) == 2:
        user = uow.users.get(parts[1])
        return None if user is None else user_content(user)
    if parts[0] != "episode" or len(parts) < 2 or not parts[1].isdigit():
        return _NO_ROW
    episode_id = int(parts[1])
    if entry.action in {"episode.start", "episode.import"}:
        header = uow.episodes.get(episode_id)
        return None if header is None else header.content()
    if entry.action in {"event.record", "event.import"}:
        event = uow.events.get(episode_id, int(parts[3]))
        return None if event is None else event.content()
    if entry.action == "recommendation.store":
        stored = uow.recommendations.get(int(parts[3]))
        return None if stored is None else stored.content()
    if entry.action == "episode.verify":
        found = uow.episodes.verifications(episode_id)
        number = int(parts[3])
        return found[number - 1].content() if 0 < number <= len(found) else None
    return _NO_ROW


def _row_break(uow: UnitOfWork, entry: AuditEntry) -> ChainBreak | None:
    content = _stored_content(uow, entry)
    if content is _NO_ROW:
        return None
    if content is None:
        return ChainBreak(entry.seq, f"({entry.action} {entry.subject}) names a row that is gone")
    if digest(content) != entry.payload_digest:
        return ChainBreak(
            entry.seq,
            f"({entry.action} {entry.subject}): the stored row no longer matches its digest",
        )
    return None


def check_record(uow: UnitOfWork) -> AuditReport:
    """Check the chain, the kept head, and every row an entry names."""
    entries = list(uow.audit.entries())
    broken = verify_chain(entries)
    if broken is None:
        mark = uow.audit.head_mark()
        last = entries[-1] if entries else None
        if (mark is None) != (last is None) or (
            mark is not None and last is not None and mark != (last.seq, last.hash)
        ):
            seq = mark[0] if mark else 0
            broken = ChainBreak(seq, "is the last entry the record kept, but it is not there")
    if broken is None:
        for entry in entries:
            broken = _row_break(uow, entry)
            if broken is not None:
                break
    return AuditReport(len(entries), broken)


def verify_audit(deps: RecordDeps, actor: str | None) -> AuditReport:
    """Verify the whole audit trail (any user of the record may)."""
    with deps.uow(writing=False) as uow:
        authorised(uow, actor, "audit.verify")
        return check_record(uow)
