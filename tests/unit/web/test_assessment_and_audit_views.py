"""The assessment step's view (verdicts, findings, scores, evidence) and the audit page's rows."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from web_rows import stored

from ketamine_cds.adapters.patient_files import read_patient_file
from ketamine_cds.adapters.reference_data import ShippedReferenceData
from ketamine_cds.domain.audit import AuditEntry, ChainBreak
from ketamine_cds.entrypoints.web.presenters.assessment import assessment_view
from ketamine_cds.entrypoints.web.presenters.audit_page import audit_view
from ketamine_cds.service.assessment import assess_record
from ketamine_cds.service.audit_reading import AuditPage, AuditQuery
from ketamine_cds.service.audit_trail import AuditReport

PATIENTS = Path(__file__).parents[3] / "examples" / "patients"


def _assessed(protocols, name):
    record = read_patient_file(PATIENTS / name)
    return assessment_view(assess_record(protocols, ShippedReferenceData(), record))


def test_a_contraindicated_patient_cannot_choose_the_protocols_it_rules_out(protocols):
    """Brain metastases (raised intracranial pressure) make every protocol not eligible."""
    view = _assessed(protocols, "contraindicated-brain-metastases.yaml")
    assert view.protocols
    assert any(f.grade == "contraindicated" for f in view.present)
    assert all(p.verdict == "not_eligible" for p in view.protocols)
    assert view.choosable == ()
    assert all(p.verdict_words == "Not eligible" for p in view.protocols)


def test_seed_001_case_1_may_choose_the_cancer_protocol_and_shows_level_iii(protocols):
    """Seed 001's first case: cancer-continuous needs information but may be chosen; seed 003
    grades refractory cancer pain level III; a protocol for another population is ruled out."""
    view = _assessed(protocols, "seed001-case1-ewing.yaml")
    by_id = {p.id: p for p in view.protocols}
    assert by_id["cancer-continuous"].verdict == "needs_information"
    assert by_id["cancer-continuous"].selectable
    assert by_id["cancer-continuous"].missing
    assert not by_id["amr-spinal-cord-injury"].selectable
    assert view.evidence.indication == "refractory cancer pain"
    assert view.evidence.level == "III"
    assert "[seed 003]" in view.evidence.source
    assert view.baseline_pain == 8


def _entry(seq, action, subject, actor="nina", role="nurse"):
    return AuditEntry(
        seq=seq,
        at=datetime(2024, 6, 2, 8, seq, tzinfo=UTC),
        actor=actor,
        role=role,
        action=action,
        subject=subject,
        payload_digest="ab" * 32,
        versions={
            "software": "0.1.0",
            "protocol": "cancer-continuous@1.0.0",
            "protocol_hash": "f" * 64,
        },
    )


def test_audit_rows_name_the_event_and_mark_refusals():
    """An event's entry carries what it recorded; a refusal is marked as one."""
    override = stored(
        3,
        0,
        type="physician_override",
        physician="phil",
        reason="pain crisis",
        up_to="16 mg/h",
        author="phil",
        role="physician",
    )
    entries = (
        _entry(5, "refused.event.rate_change", "episode/1"),
        _entry(4, "event.record", "episode/1/event/3", actor="phil", role="physician"),
    )
    page = AuditPage(entries, 2, AuditQuery())
    view = audit_view(page, AuditReport(5, None), {(1, 3): override})
    refused, recorded = view.rows
    assert refused.refused
    assert refused.action_words == "refused: event rate change"
    assert refused.episode_id == 1
    assert not recorded.refused
    assert recorded.detail is not None
    assert "Reason: pain crisis" in recorded.detail
    assert "protocol cancer-continuous@1.0.0" in recorded.versions
    assert "protocol_hash" not in recorded.versions
    assert view.intact
    assert "intact" in view.chain_text
    assert view.next_offset is None


def test_an_episode_filter_keeps_that_episode_only():
    """Episode 3 is episode/3 and episode/3/…, never episode/30 (the subject's start matches)."""
    entries = (
        _entry(3, "event.record", "episode/30/event/1"),
        _entry(2, "event.record", "episode/3/event/1"),
        _entry(1, "episode.start", "episode/3"),
    )
    page = AuditPage(entries, 3, AuditQuery(subject="episode/3", limit=2))
    view = audit_view(page, AuditReport(3, None), {}, episode=3)
    assert [r.subject for r in view.rows] == ["episode/3/event/1", "episode/3"]


def test_the_next_page_starts_after_the_entries_shown():
    """100 of 250 matching entries shown from 100: the older ones start at 200."""
    entries = tuple(_entry(i % 50 + 1, "event.record", "episode/1/event/1") for i in range(100))
    page = AuditPage(entries, 250, AuditQuery(limit=100, offset=100))
    assert audit_view(page, AuditReport(250, None), {}).next_offset == 200


def test_a_broken_chain_is_named_in_one_sentence():
    """The first break is reported with its entry number."""
    broken = AuditReport(9, ChainBreak(4, "was changed"))
    view = audit_view(AuditPage((), 0, AuditQuery()), broken, {})
    assert not view.intact
    assert view.chain_text == "Audit trail broken: audit entry 4 was changed."
