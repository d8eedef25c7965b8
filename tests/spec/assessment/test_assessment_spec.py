"""Worked examples from the sources: screening, eligibility, contraindications, scores, evidence.

Each row names the passage its numbers come from.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from library import REF, SOURCE

from ketamine_cds.adapters.patient_files import (
    load_contraindication_table,
    load_evidence_table,
    read_patient_file,
)
from ketamine_cds.domain.assessment.contraindications import Presence, check_contraindications
from ketamine_cds.domain.assessment.evidence import evidence_for
from ketamine_cds.domain.assessment.measures import bpi_interference, bpi_severity, pseq_total
from ketamine_cds.domain.assessment.patient import Bpi, Lanss, PatientRecord, Pseq
from ketamine_cds.domain.assessment.report import Verdict
from ketamine_cds.domain.assessment.screening import score_lanss, screen_neuropathic
from ketamine_cds.service.assessment import assess_record

EXAMPLES = Path(__file__).resolve().parents[3] / "examples" / "patients"


def _lanss(*yes: str) -> Lanss:
    fields = (
        "dysaesthesia",
        "autonomic",
        "evoked_pain",
        "paroxysmal_pain",
        "thermal_pain",
        "allodynia",
        "altered_pinprick_threshold",
    )
    return Lanss(**{name: name in yes for name in fields})


def test_seed_000_patient_descriptors_screen_positive() -> None:
    """Seed 000, "Neuropathic Pain": "burning" and "numbness" plus allodynia screen positive."""
    record = PatientRecord.model_validate(
        {"pain": {"descriptors": ["burning", "numbness"], "examination_signs": ["allodynia"]}}
    )
    screen = screen_neuropathic(record)
    assert screen.status == "positive"
    assert [d.value for d in screen.npq_descriptors] == ["numbness"]
    assert screen.source.document == "seed 000"


def test_seed_000_example_file_screens_positive() -> None:
    """The seed 000 example patient (burning, numbness, hypoalgesia, allodynia) is positive."""
    record = read_patient_file(EXAMPLES / "seed000-vasculitis.yaml")
    assert screen_neuropathic(record).status == "positive"


def test_non_cancer_without_central_sensitisation_is_not_eligible() -> None:
    """Seed 004, "2. Patient selection": without central sensitisation, not eligible."""
    record = read_patient_file(EXAMPLES / "not-eligible-no-central-sensitisation.yaml")
    (protocol,) = assess_record(SOURCE, REF, record, "noncancer-subcutaneous").protocols
    assert protocol.verdict is Verdict.NOT_ELIGIBLE
    failed = [c.id for c in protocol.eligibility.criteria if c.status.value == "not_met"]
    assert "elig-central-sensitisation" in failed


def test_seed_004_typical_candidate_is_eligible() -> None:
    """Seed 004's selection met, with every contraindication recorded absent: eligible."""
    record = read_patient_file(EXAMPLES / "seed004-candidate.yaml")
    (protocol,) = assess_record(SOURCE, REF, record, "noncancer-subcutaneous").protocols
    assert protocol.verdict is Verdict.ELIGIBLE


def test_history_of_psychosis_is_flagged_with_seed_000_as_source() -> None:
    """Seed 000, "Ketamine": psychotomimetic effects are greatest after psychosis."""
    record = PatientRecord.model_validate({"psychiatric": {"psychosis_history": True}})
    found = {
        f.entry.id: f
        for f in check_contraindications(load_contraindication_table(), record)
        if f.presence is Presence.PRESENT
    }
    flagged = found["psychosis_history"]
    assert flagged.entry.grade.value == "caution"
    assert flagged.entry.sources[0].document == "seed 000"
    assert "history of psychosis" in (flagged.entry.sources[0].quote or "")


def test_hepatic_impairment_shows_both_seed_000_and_seed_003() -> None:
    """Seed 000 says reduce the dose, seed 003 no change in moderate dysfunction: both shown."""
    record = PatientRecord.model_validate({"organ_function": {"hepatic": "moderate"}})
    found = [
        f
        for f in check_contraindications(load_contraindication_table(), record)
        if f.presence is Presence.PRESENT and f.entry.id == "hepatic_impairment"
    ]
    documents = [s.document for s in found[0].entry.sources]
    assert documents[:2] == ["seed 000", "seed 003"]


def test_preserved_ketamine_is_never_neuraxial() -> None:
    """Seed 003, "Neuraxial and Regional Administration": preserved ketamine not centrally."""
    record = PatientRecord.model_validate(
        {"plan": {"route": "neuraxial", "preparation": "preserved"}}
    )
    found = {
        f.entry.id: f.entry.grade.value
        for f in check_contraindications(load_contraindication_table(), record)
        if f.presence is Presence.PRESENT
    }
    assert found["preserved_ketamine_neuraxial"] == "contraindicated"


@pytest.mark.parametrize(
    ("yes", "score", "positive"),
    [
        # Bennett 2001 weights: dysaesthesia 5, autonomic 5, evoked 3, paroxysmal 2, thermal 1,
        # allodynia 5, pin-prick 3; total 24; 12 or more: neuropathic mechanisms likely.
        ((), 0, False),
        (
            (
                "dysaesthesia",
                "autonomic",
                "evoked_pain",
                "paroxysmal_pain",
                "thermal_pain",
                "allodynia",
                "altered_pinprick_threshold",
            ),
            24,
            True,
        ),
        (("dysaesthesia", "autonomic", "evoked_pain", "paroxysmal_pain", "thermal_pain"), 16, True),
        (("dysaesthesia", "allodynia"), 10, False),
        (("dysaesthesia", "allodynia", "paroxysmal_pain"), 12, True),
        (
            ("evoked_pain", "paroxysmal_pain", "thermal_pain", "altered_pinprick_threshold"),
            9,
            False,
        ),
        # Seed 000's patient: burning (thermal), allodynia and hypoalgesia (pin-prick): 1+5+3.
        (("thermal_pain", "allodynia", "altered_pinprick_threshold"), 9, False),
    ],
)
def test_lanss_hand_worked(yes: tuple[str, ...], score: int, positive: bool) -> None:
    """LANSS totals worked by hand from Bennett (Pain 2001;92:147-157)."""
    result = score_lanss(_lanss(*yes))
    assert result.score == score
    assert result.positive is positive


@pytest.mark.parametrize(
    ("answers", "severity", "interference"),
    [
        # Cleeland's BPI User Guide: severity = mean of worst, least, average, now;
        # interference = mean of the seven items (at least four answered).
        ({"worst": 8, "least": 4, "average": 6, "now": 5}, 5.75, None),
        (
            {
                "worst": 10,
                "least": 2,
                "average": 6,
                "now": 4,
                "general_activity": 7,
                "mood": 5,
                "walking_ability": 6,
                "normal_work": 8,
                "relations_with_others": 3,
                "sleep": 9,
                "enjoyment_of_life": 4,
            },
            5.5,
            6.0,
        ),
        ({"general_activity": 7, "mood": 5, "walking_ability": 6, "sleep": 4}, None, 5.5),
        ({"general_activity": 7, "mood": 5, "sleep": 4}, None, None),
    ],
)
def test_bpi_hand_worked(
    answers: dict[str, int], severity: float | None, interference: float | None
) -> None:
    """BPI severity and interference worked by hand from the User Guide's scoring rules."""
    bpi = Bpi(**answers)
    assert bpi_severity(bpi).value == severity
    assert bpi_interference(bpi).value == interference


@pytest.mark.parametrize(
    ("answers", "total"),
    [
        # Nicholas, Eur J Pain 2007: ten items 0-6, total = sum, 0-60.
        ([0] * 10, 0),
        ([6] * 10, 60),
        ([3, 2, 4, 3, 1, 2, 0, 3, 2, 4], 24),
        ([2, 1, 2, 1, 1, 2, 0, 2, 1, 2], 14),
    ],
)
def test_pseq_hand_worked(answers: list[int], total: int) -> None:
    """PSEQ totals worked by hand from Nicholas (2007)."""
    assert pseq_total(Pseq(answers=list(answers))).value == total


@pytest.mark.parametrize(
    ("indication", "level"),
    [
        ("perioperative_acute_pain", "I"),  # seed 003 box, Level 1: perioperative opioid sparing
        ("peripheral_neuropathic_pain", "II"),  # Level II: peripheral neuropathic pain
        ("refractory_cancer_pain", "III"),  # Level III: refractory cancer pain, terminal stage
        ("opioid_tolerance", "II"),  # Level II tolerance-protective; Level IV opioid-tolerant
        ("visceral_pain", "IV"),  # Level IV: visceral pain
    ],
)
def test_seed_003_evidence_levels(indication: str, level: str) -> None:
    """Seed 003, "Summary of Evidence on Ketamine Analgesia": strongest level by indication."""
    view = evidence_for(load_evidence_table(), indication)
    assert view.level == level
    assert view.source.document == "seed 003"


def test_missing_information_is_never_silently_eligible() -> None:
    """A record lacking selection facts gives needs_information naming the missing fields."""
    record = read_patient_file(EXAMPLES / "seed001-case1-ewing.yaml")
    (protocol,) = assess_record(SOURCE, REF, record, "cancer-continuous").protocols
    assert protocol.verdict is Verdict.NEEDS_INFORMATION
    assert "pregnancy" in protocol.missing
    assert "psychiatric.active_psychosis" in protocol.missing
