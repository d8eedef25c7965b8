"""A seed 004 patient discharged after a subcutaneous infusion: the summary and the letter.

Seed 004, "Proposal for best practice": assessment before with the BPI and PSEQ; opioids converted
to one species before admission; subcutaneous induction 0.05-0.1 mg/kg/h; 2-5 days; observation
for 4 hours after cessation; the GP told of any change in the opioid regimen; an emergency plan
for recrudescence of pain; follow-up.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from bedside_build import T0, build, ev
from library import REF, shipped

from ketamine_cds.domain.episode import Episode
from ketamine_cds.domain.outcomes.discharge import DischargeDetails, DischargeSummary, build_summary
from ketamine_cds.domain.outcomes.medicines import DischargeMedicines
from ketamine_cds.domain.outcomes.reconcile import reconcile
from ketamine_cds.service import opioids

BPI_BEFORE = {
    "worst": 9,
    "least": 5,
    "average": 7,
    "now": 8,
    "general_activity": 8,
    "mood": 7,
    "walking_ability": 8,
    "normal_work": 9,
    "relations_with_others": 6,
    "sleep": 8,
    "enjoyment_of_life": 8,
}
BPI_AFTER = {
    "worst": 5,
    "least": 2,
    "average": 3,
    "now": 3,
    "general_activity": 4,
    "mood": 3,
    "walking_ability": 4,
    "normal_work": 5,
    "relations_with_others": 3,
    "sleep": 4,
    "enjoyment_of_life": 4,
}
PSEQ_BEFORE = [1, 1, 2, 1, 0, 1, 0, 1, 1, 2]
PSEQ_AFTER = [3, 3, 4, 3, 2, 3, 1, 3, 3, 4]
STOP_H = 72.0
MEDICINES = DischargeMedicines.model_validate(
    {
        "label": "discharge home",
        "medicines": [
            {"drug": "pregabalin", "dose": "150 mg", "doses_per_day": 2, "route": "oral"},
            {"drug": "paracetamol", "dose": "1000 mg", "doses_per_day": 4, "route": "oral"},
        ],
        "opioids": {
            "items": [
                {
                    "name": "oxycodone controlled release",
                    "drug": "oxycodone",
                    "dose": "30 mg",
                    "doses_per_day": 2,
                    "route": "oral",
                }
            ]
        },
    }
)
DETAILS = DischargeDetails(
    patient_name="Test Patient",
    team="Persistent Pain Service",
    contact="the Persistent Pain Service, 555 0100 (weekdays 8-5)",
    after_hours="the on-call anaesthetist via switchboard, 555 0000",
    gp="Dr A. General",
    follow_up="Pain clinic review in 2 weeks, then multidisciplinary review at 3 months",
    author="Dr P. Specialist",
)


def seed_004_episode() -> Episode:
    """Chronic non-cancer neuropathic pain, 80 kg: 3 days of subcutaneous ketamine at 4 mg/h."""
    return build(
        [
            ev(
                "assessment",
                0,
                by="pain team",
                population="non_cancer",
                pain_types=["neuropathic"],
                bpi=BPI_BEFORE,
                pseq={"answers": PSEQ_BEFORE},
            ),
            # oxycodone 80 mg a day, converted to one species before admission (seed 004)
            ev("opioid_use", 0, med_mg_per_24h=120, breakthrough_doses_24h=4),
            ev("rate_change", 1, rate="0.05 mg/kg/h", by="RN"),
            ev("observation", 24, pain=5),
            ev("observation", 48, pain=3),
            ev("opioid_use", 48, med_mg_per_24h=90, breakthrough_doses_24h=1),
            ev("observation", 70, pain=3),
            ev("stop", STOP_H, by="Dr P. Specialist"),
            ev(
                "assessment",
                STOP_H + 2,
                by="pain team",
                function="better",
                bpi=BPI_AFTER,
                pseq={"answers": PSEQ_AFTER},
            ),
        ],
        protocol="noncancer-subcutaneous",
        weight="80 kg",
        goal=3,
        baseline={"pain": 8},
    )


def seed_004_summary(after_stop_h: float = 5.0) -> DischargeSummary:
    """The summary of the seed 004 patient, discharged ``after_stop_h`` hours after the stop."""
    episode = seed_004_episode()
    protocol = shipped("noncancer-subcutaneous")
    at: datetime = T0 + timedelta(hours=STOP_H + after_stop_h)
    reconciliation = reconcile(episode, protocol, MEDICINES, at)
    med = opioids.med_of(REF, MEDICINES.opioids) if MEDICINES.opioids else None
    return build_summary(
        episode=episode,
        protocol=protocol,
        medicines=MEDICINES,
        reconciliation=reconciliation,
        details=DETAILS,
        at=at,
        discharge_med_mg=None if med is None else med.total_med_mg,
        discharge_med_table=None if med is None else f"{med.table_id} {med.table_version}",
    )
