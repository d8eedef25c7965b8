"""The record stores, reads back and audits on both databases."""

from __future__ import annotations

from record_db import RecordDb

from ketamine_cds.service.audit_trail import verify_audit


def test_ward_users_are_audited(record: RecordDb) -> None:
    """Adding the ward's five users leaves five chained audit entries that verify."""
    report = verify_audit(record.deps, "nina")
    assert report.intact
    assert report.entries == 5
