"""Companion-drug events, their courses, and the reconciliation's edge cases."""

from __future__ import annotations

from datetime import timedelta

import pytest
from bedside_build import T0, build, ev
from course_build import memantine, protocol, seed_002
from pydantic import ValidationError

from ketamine_cds.domain.outcomes.companions import companion_courses
from ketamine_cds.domain.outcomes.medicines import DischargeMedicines, names_drug
from ketamine_cds.domain.outcomes.reconcile import reconcile

NOTHING = DischargeMedicines()
LATER = T0 + timedelta(days=30)


def test_a_companion_drug_started_needs_its_dose_frequency_and_route() -> None:
    """'started' without doses_per_day is refused; 'stopped' with a dose is refused."""
    with pytest.raises(ValidationError, match="needs its dose, doses_per_day and route"):
        build([ev("companion_drug", 1, drug="memantine", action="started", dose="5 mg",
                  route="oral", by="Dr")])  # fmt: skip
    with pytest.raises(ValidationError, match="takes no dose"):
        build([ev("companion_drug", 1, drug="memantine", action="stopped", dose="5 mg", by="Dr")])


def test_a_companion_dose_is_one_dose_not_a_range() -> None:
    """'5-10 mg' is what an order allows, not what was started."""
    with pytest.raises(ValidationError, match="not the range"):
        build([ev("companion_drug", 1, drug="memantine", action="started", dose="5-10 mg",
                  doses_per_day=2, route="oral", by="Dr")])  # fmt: skip


def test_an_empty_assessment_is_refused() -> None:
    """An assessment must record something."""
    with pytest.raises(ValidationError, match="records nothing"):
        build([ev("assessment", 1, by="RN")])


def test_a_course_follows_start_change_stop_and_restart() -> None:
    """Started 5 mg, changed to 10 mg, stopped, restarted at 10 mg: running 10 mg bid."""
    episode = build(
        [
            memantine(1, "started", "5 mg"),
            memantine(2, "changed", "10 mg"),
            memantine(3, "stopped"),
            memantine(4, "started", "10 mg"),
        ]
    )
    course = companion_courses(episode, T0 + timedelta(hours=5))["memantine"]
    assert course.running
    assert course.regimen == "10 mg twice daily, oral"
    assert course.daily_mg == 20
    stopped = companion_courses(episode, T0 + timedelta(hours=3.5))["memantine"]
    assert not stopped.running


def test_an_acknowledgement_before_a_restart_does_not_cover_it() -> None:
    """Left off, then restarted: the restart needs a new acknowledgement."""
    episode = seed_002(
        [
            memantine(1, "started", "5 mg"),
            ev("reconciliation_acknowledged", 2, drug="memantine", physician="Dr",
               reason="stopping it deliberately"),
            memantine(3, "started", "10 mg"),
        ]
    )  # fmt: skip
    assert reconcile(episode, protocol("ultra-low-memantine"), NOTHING, LATER).blocked


def test_an_acknowledgement_at_transfer_does_not_cover_the_discharge() -> None:
    """Each occasion is acknowledged on its own."""
    episode = seed_002(
        [
            memantine(1, "started", "5 mg"),
            ev("reconciliation_acknowledged", 2, drug="memantine", physician="Dr",
               reason="held during the transfer", occasion="transfer"),
        ]
    )  # fmt: skip
    ulm = protocol("ultra-low-memantine")
    assert not reconcile(episode, ulm, NOTHING, LATER, "transfer").blocked
    assert reconcile(episode, ulm, NOTHING, LATER, "discharge").blocked


def test_methadone_given_for_its_nmda_share_must_be_on_the_opioid_list() -> None:
    """A running companion methadone is found among the list's opioids."""
    episode = build(
        [ev("companion_drug", 1, drug="methadone", action="started", dose="10 mg",
            doses_per_day=3, route="oral", by="Dr")],
        protocol="marshfield-inpatient",
    )  # fmt: skip
    marshfield = protocol("marshfield-inpatient")
    assert reconcile(episode, marshfield, NOTHING, LATER).missing == ("methadone",)
    listed = DischargeMedicines.model_validate(
        {"opioids": {"items": [{"drug": "methadone", "dose": "10 mg", "doses_per_day": 3,
                                "route": "oral"}]}}
    )  # fmt: skip
    assert not reconcile(episode, marshfield, listed, LATER).blocked


def test_a_companion_drug_not_given_as_nmda_antagonist_is_not_required() -> None:
    """nmda_antagonist: false (say, a drug recorded for another reason) is not reconciled."""
    episode = build(
        [ev("companion_drug", 1, drug="gabapentin", action="started", dose="300 mg",
            doses_per_day=3, route="oral", nmda_antagonist=False, by="Dr")]
    )  # fmt: skip
    assert reconcile(episode, protocol("cancer-continuous"), NOTHING, LATER).items == ()


def test_oral_ketamine_still_running_must_be_on_the_list() -> None:
    """An episode ending on subcutaneous ketamine three times daily relies on ketamine."""
    episode = build(
        [ev("dose_given", 1, dose="35 mg", route="sc", by="RN")],
        protocol="marshfield-inpatient",
        phase="subcutaneous-tid",
    )
    result = reconcile(episode, protocol("marshfield-inpatient"), NOTHING, LATER)
    assert result.missing == ("ketamine",)
    assert "35 mg three times daily" in result.alerts[0].text


def test_memantine_the_protocol_starts_but_never_recorded_is_a_warning() -> None:
    """The record cannot say it was relied on: a warning, not a block."""
    result = reconcile(seed_002([]), protocol("ultra-low-memantine"), NOTHING, LATER)
    assert not result.blocked
    assert any("holds no memantine" in w for w in result.warnings)


@pytest.mark.parametrize(
    ("listed", "drug", "same"),
    [
        ("memantine", "memantine", True),
        ("Memantine  Hydrochloride", "memantine", True),
        ("memantinex", "memantine", False),
        ("methadone", "memantine", False),
    ],
)
def test_a_listed_name_is_the_drug_or_the_drug_with_its_salt(
    listed: str, drug: str, same: bool
) -> None:
    """Names compare in lower case, by the generic name and what follows it."""
    assert names_drug(listed, drug) is same
