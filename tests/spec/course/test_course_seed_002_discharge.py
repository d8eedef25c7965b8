"""Seed 002's discharge: memantine dropped from the list blocks the summary with a critical alert.

Seed 002, "Case Description": "On discharge, the memantine was inadvertently discontinued. During
the following 2 wk he complained of a return of his burning low back pain and lower extremity
pain, which proved refractory to IV morphine even when administered to the point of over
sedation." Protocol ultra-low-memantine: memantine continues after discharge
(``continue_after_discharge``) and must be on every transfer and discharge list.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from bedside_build import T0
from course_build import pod, protocol, record_with, seed_002

from ketamine_cds.adapters.reference_data import ShippedReferenceData
from ketamine_cds.domain.errors import UserInputError
from ketamine_cds.domain.outcomes.discharge import DischargeDetails, build_summary
from ketamine_cds.domain.outcomes.medicines import DischargeMedicines
from ketamine_cds.domain.outcomes.reconcile import reconcile
from ketamine_cds.service.course import LeaveOff, discharge

# "Memantine (10 mg bid), methadone (120 mg/d), and gabapentin (2100 mg/d) were continued".
WITHOUT = DischargeMedicines.model_validate(
    {
        "label": "discharge to a nursing home, POD 49",
        "medicines": [
            {"drug": "gabapentin", "dose": "700 mg", "doses_per_day": 3, "route": "oral"},
            {"drug": "naproxen", "dose": "500 mg", "doses_per_day": 2, "route": "oral"},
        ],
        "opioids": {
            "items": [{"drug": "methadone", "dose": "40 mg", "doses_per_day": 3, "route": "oral"}]
        },
    }
)
WITH = WITHOUT.model_copy(
    update={
        "medicines": (
            *WITHOUT.medicines,
            *DischargeMedicines.model_validate(
                {
                    "medicines": [
                        {
                            "drug": "Memantine hydrochloride",
                            "dose": "10 mg",
                            "doses_per_day": 2,
                            "route": "oral",
                        }
                    ]
                }
            ).medicines,
        )
    }
)
POD_49 = T0 + timedelta(hours=pod(49))


def test_memantine_missing_from_the_discharge_list_is_a_critical_blocking_alert() -> None:
    """The reconciliation names memantine, its last dose, and the harm seed 002 reports."""
    result = reconcile(seed_002(), protocol("ultra-low-memantine"), WITHOUT, POD_49)
    assert result.blocked
    assert result.missing == ("memantine",)
    (alert,) = result.alerts
    assert alert.kind == "nmda_antagonist_missing"
    assert "10 mg twice daily" in alert.text
    assert "did not respond to IV morphine" in alert.text
    assert "seed 002" in alert.source


def test_the_summary_is_refused_while_memantine_is_missing() -> None:
    """The summary cannot be built from a blocked reconciliation."""
    episode, ulm = seed_002(), protocol("ultra-low-memantine")
    blocked = reconcile(episode, ulm, WITHOUT, POD_49)
    with pytest.raises(UserInputError, match="memantine is missing"):
        build_summary(
            episode=episode,
            protocol=ulm,
            medicines=WITHOUT,
            reconciliation=blocked,
            details=DischargeDetails(),
            at=POD_49,
        )


def test_memantine_on_the_list_by_its_salt_name_passes() -> None:
    """'Memantine hydrochloride 10 mg twice daily' is memantine: nothing blocks."""
    result = reconcile(seed_002(), protocol("ultra-low-memantine"), WITH, POD_49)
    assert not result.blocked
    assert result.items[0].listed_as == "memantine hydrochloride 10 mg twice daily, oral"


def test_a_transfer_is_reconciled_as_a_discharge_is() -> None:
    """Seed 002's loss was at a transfer to a nursing home: a transfer list is checked too."""
    result = reconcile(seed_002(), protocol("ultra-low-memantine"), WITHOUT, POD_49, "transfer")
    assert result.blocked
    assert "missing from the transfer medicines" in result.alerts[0].text


def test_through_the_record_the_discharge_is_blocked_until_a_physician_leaves_it_off(
    tmp_path: Path,
) -> None:
    """The use case issues no summary; a nurse cannot acknowledge; the physician's reason can."""
    record = record_with(tmp_path, seed_002())
    reference = ShippedReferenceData()
    blocked = discharge(record.deps, reference, "nina", 1, WITHOUT)
    assert blocked.blocked
    assert blocked.reconciliation.missing == ("memantine",)
    decision = (LeaveOff("memantine", "stopped for dizziness; reviewed with the patient"),)
    with pytest.raises(UserInputError, match="needs the physician role"):
        discharge(record.deps, reference, "nina", 1, WITHOUT, leave_off=decision)
    issued = discharge(record.deps, reference, "phil", 1, WITHOUT, leave_off=decision)
    assert not issued.blocked
    assert issued.summary is not None
    (drug,) = issued.summary.nmda_antagonists
    assert (drug.drug, drug.listed_as, drug.acknowledged_by) == ("memantine", None, "phil")
    again = discharge(record.deps, reference, "nina", 1, WITHOUT)
    assert not again.blocked


def test_the_discharge_with_memantine_issues_the_summary_through_the_record(
    tmp_path: Path,
) -> None:
    """Memantine on the list: the summary is issued, its MED computed from the list's opioids."""
    record = record_with(tmp_path, seed_002())
    result = discharge(record.deps, ShippedReferenceData(), "nina", 1, WITH)
    assert result.summary is not None
    assert result.summary.opioids.discharge_med_mg is not None
    assert any(m.nmda_antagonist and "memantine" in m.text for m in result.summary.medicines)
