"""Card feedback lands in the record's hash-chained audit trail, and the chain still verifies."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from ehr.hook_builders import FixedClock
from record_db import sqlite_record

from ketamine_cds.adapters.cds_hooks.feedback import AuditTrailFeedbackLog
from ketamine_cds.adapters.cds_hooks.ports import CardFeedback
from ketamine_cds.domain.audit import digest
from ketamine_cds.service.audit_trail import verify_audit


def test_feedback_is_chained_into_the_audit_trail(tmp_path: Path) -> None:
    """Two items: two entries after the ward's, naming the card and outcome; the chain holds."""
    record = sqlite_record(tmp_path)
    record.add_ward()
    with record.deps.uow(writing=False) as uow:
        before = len(list(uow.audit.entries()))
    at = datetime(2024, 5, 4, 12, 1, tzinfo=UTC)
    items = [
        CardFeedback(
            "ketamine-order-sign", "card-1", "accepted", at, "https://ehr.example.org", ("s-1",)
        ),
        CardFeedback(
            "ketamine-order-sign",
            "card-1",
            "overridden",
            at,
            "https://ehr.example.org",
            reason_code="physician-override",
            comment="pain service agrees",
        ),
    ]
    AuditTrailFeedbackLog(record.deps.uow, FixedClock()).record(items)
    with record.deps.uow(writing=False) as uow:
        entries = list(uow.audit.entries())
    added = entries[before:]
    assert [(e.action, e.subject, e.actor, e.role) for e in added] == [
        ("cds.card.accepted", "cds-card/card-1", "ehr:https://ehr.example.org", "ehr"),
        ("cds.card.overridden", "cds-card/card-1", "ehr:https://ehr.example.org", "ehr"),
    ]
    assert added[1].payload_digest == digest(items[1].content())
    assert verify_audit(record.deps, "ann").intact
