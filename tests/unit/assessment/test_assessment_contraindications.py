"""Contraindications and cautions: cited entries decided against the record."""

from __future__ import annotations

import pytest
from assessment_records import safe_record

from ketamine_cds.domain.assessment.contraindications import (
    Condition,
    ContraindicationEntry,
    ContraindicationTable,
    Grade,
    Presence,
    check_contraindications,
    decide_condition,
)
from ketamine_cds.domain.assessment.patient import PatientRecord


def _present(table: ContraindicationTable, record: PatientRecord) -> dict[str, str]:
    return {
        f.entry.id: f.entry.grade.value
        for f in check_contraindications(table, record)
        if f.presence is Presence.PRESENT
    }


def test_every_entry_is_cited_or_marked_silent(table: ContraindicationTable) -> None:
    """Each entry names at least one source, unless it says the sources are silent."""
    for entry in table.entries:
        assert entry.sources or entry.sources_silent, entry.id


def test_every_condition_is_used_by_the_table(table: ContraindicationTable) -> None:
    """The closed vocabulary of conditions has no member the table forgets."""
    assert {entry.condition for entry in table.entries} == set(Condition)


def test_an_entry_without_source_is_refused() -> None:
    """An uncited entry that does not declare silence fails validation."""
    with pytest.raises(ValueError, match="no source"):
        ContraindicationEntry(id="x", grade=Grade.NOTE, condition=Condition.SEIZURES, text="t")


def test_a_safe_record_flags_nothing(
    table: ContraindicationTable,
) -> None:
    """With every condition recorded as absent, nothing is flagged."""
    assert _present(table, safe_record()) == {}


@pytest.mark.parametrize(
    ("pressure", "present"),
    [("160/100", Presence.ABSENT), ("161/90", Presence.PRESENT), ("150/101", Presence.PRESENT)],
)
def test_baseline_blood_pressure_uses_seed_001_threshold(pressure: str, present: Presence) -> None:
    """Above 160/100 mmHg (seed 001, notify the pain service) is flagged; 160/100 is not."""
    record = safe_record(cardiovascular={"blood_pressure": pressure})
    result = decide_condition(Condition.BASELINE_BLOOD_PRESSURE_ABOVE_160_100, record)
    assert result.presence is present


@pytest.mark.parametrize(("rate", "present"), [(110, Presence.ABSENT), (111, Presence.PRESENT)])
def test_baseline_heart_rate_above_110_is_flagged(rate: int, present: Presence) -> None:
    """A baseline pulse above 110/min (seed 000 stop, seed 001 notify) is flagged; 110 is not."""
    record = safe_record(cardiovascular={"heart_rate": rate})
    assert decide_condition(Condition.BASELINE_HEART_RATE_ABOVE_110, record).presence is present


def test_pregnancy_not_recorded_is_unknown_except_for_men() -> None:
    """Pregnancy left out is unknown for a woman and absent for a man."""
    woman = PatientRecord(sex="female")
    man = PatientRecord(sex="male")
    assert decide_condition(Condition.PREGNANCY, woman).presence is Presence.UNKNOWN
    assert decide_condition(Condition.PREGNANCY, woman).missing == ("pregnancy",)
    assert decide_condition(Condition.PREGNANCY, man).presence is Presence.ABSENT


def test_neuraxial_plan_needs_the_preparation(table: ContraindicationTable) -> None:
    """Neuraxial with preserved ketamine is contraindicated; without a preparation, unknown."""
    preserved = safe_record(plan={"route": "neuraxial", "preparation": "preserved"})
    assert _present(table, preserved) == {"preserved_ketamine_neuraxial": "contraindicated"}
    free = safe_record(plan={"route": "neuraxial", "preparation": "preservative_free"})
    assert _present(table, free) == {"preservative_free_neuraxial": "caution"}
    unstated = safe_record(plan={"route": "neuraxial"})
    result = decide_condition(Condition.PRESERVED_KETAMINE_NEURAXIAL, unstated)
    assert result.presence is Presence.UNKNOWN
    assert result.missing == ("plan.preparation",)


def test_severe_hepatic_disease_is_contraindicated_and_moderate_is_a_caution(
    table: ContraindicationTable,
) -> None:
    """Severe hepatic disease (Cohen 2018: avoid) blocks; moderate is a caution citing both."""
    severe = safe_record(organ_function={"hepatic": "severe", "renal": "none"})
    assert _present(table, severe) == {"severe_hepatic_disease": "contraindicated"}
    moderate = safe_record(organ_function={"hepatic": "moderate", "renal": "none"})
    assert _present(table, moderate) == {"hepatic_impairment": "caution"}


def test_harm_factors_not_looked_for_is_a_note(table: ContraindicationTable) -> None:
    """Seed 004 asks for harm factors to be identified; a record without that gets a note."""
    record = safe_record(harm_factors={})
    assert _present(table, record) == {"harm_factors_not_assessed": "note"}
    listed = safe_record(harm_factors={"factors": ["lives alone"]})
    assert _present(table, listed) == {"harm_factors": "caution"}


def test_concurrent_opioids_note_reads_the_med(table: ContraindicationTable) -> None:
    """An MED above zero gives the respiratory-depression note; zero gives none."""
    on = safe_record(opioids={"med_mg_per_day": 90})
    off = safe_record(opioids={"med_mg_per_day": 0})
    assert _present(table, on) == {"concurrent_opioids": "note"}
    assert _present(table, off) == {}
