"""The opioid plan in real doses: one species (seed 004), reduced within 12 days (seed 000).

Seed 004, "6. Concomitant management of existing opioids": "It is recommended that conversion of
current opioids (oral, transdermal) to one opioid species be made prior to admission." Seed 000,
"Clinical Protocols for Ketamine Use": "After Ketamine is started, reduction of opioid dose
within the first 12 days of infusion must be attempted unless pain remains uncontrolled."
CDC 2022 factors: transdermal fentanyl 2.4 (per µg/h), oral oxycodone 1.5. Products: the RxNorm
table (12-hourly oxycodone 10, 15, 20, 30, 40 mg; fentanyl patches 12, 25, 50, 75, 100 µg/h).
"""

from __future__ import annotations

import pytest
from library import REF

from ketamine_cds.domain.opioids.regimen import Regimen, RegimenReading
from ketamine_cds.domain.outcomes.opioid_doses import real_doses
from ketamine_cds.service import opioids
from ketamine_cds.service.course import opioid_plan_in_doses

# fentanyl 25 µg/h (60 mg MED) and oxycodone 10 mg four times a day (40 mg, 60 mg MED): 120 mg.
MIXED = RegimenReading(
    Regimen.model_validate(
        {
            "items": [
                {"drug": "fentanyl", "route": "transdermal", "patch": "25 µg/h"},
                {"drug": "oxycodone", "route": "oral", "dose": "10 mg", "doses_per_day": 4},
            ]
        }
    )
)
CDC = opioids.table(REF, "cdc-2022")


def test_one_species_as_12_hourly_tablets() -> None:
    """120 mg MED as oxycodone is 80 mg/day; halved for cross-tolerance, 40 mg: 20 mg 12-hourly."""
    plan = opioid_plan_in_doses(
        REF, MIXED, to_drug="oxycodone", to_route="oral", reduction_percent=50
    )
    assert plan.conversion.equianalgesic_daily == pytest.approx(120 / 1.5)
    target = plan.target
    assert (target.target_daily, target.per_administration_target) == (40, 20)
    assert target.schedule == "every 12 hours"
    assert target.proposed is not None
    assert [(u.strength, u.count) for u in target.proposed.units] == [(20, 1)]
    assert "12 HR" in target.proposed.units[0].name
    assert target.proposed.med_mg == pytest.approx(40 * 1.5)


def test_the_reduction_within_12_days_in_tablets() -> None:
    """25 % of the start every 3 days from day 1: 30, 20, 10 mg/day, each in whole tablets."""
    plan = opioid_plan_in_doses(
        REF,
        MIXED,
        to_drug="oxycodone",
        to_route="oral",
        reduction_percent=50,
        step_percent=25,
        every_days=3,
        first_day=1,
    )
    by_day = dict(plan.steps)
    assert sorted(by_day) == [0, 1, 4, 7, 10]
    day_1, day_4, day_7 = by_day[1], by_day[4], by_day[7]
    assert day_1 is not None
    assert day_4 is not None
    assert day_7 is not None
    assert day_1.proposed is not None
    assert [(u.strength, u.count) for u in day_1.proposed.units] == [(15, 1)]
    assert day_4.proposed is not None
    assert [(u.strength, u.count) for u in day_4.proposed.units] == [(10, 1)]
    # 5 mg a dose is below the smallest 12-hourly tablet: only the amount above is offered.
    assert day_7.proposed is None
    assert day_7.above is not None
    assert day_7.above.daily == 20
    assert by_day[10] is None  # stopped
    assert plan.schedule is not None
    assert not any("after day 12" in w for w in plan.schedule.warnings)


def test_a_first_reduction_after_day_12_is_flagged() -> None:
    """Seed 000's 12 days: a schedule starting on day 13 carries the warning."""
    plan = opioid_plan_in_doses(
        REF,
        MIXED,
        to_drug="oxycodone",
        to_route="oral",
        reduction_percent=50,
        step_percent=25,
        every_days=3,
        first_day=13,
    )
    assert plan.schedule is not None
    assert any("after day 12" in w for w in plan.schedule.warnings)


def test_a_patch_is_the_sum_of_patch_strengths_at_or_below_and_above() -> None:
    """137 µg/h is 100 + 25 + 12 µg/h exactly; the next amount above is shown beside it."""
    doses = real_doses("fentanyl", "transdermal", 137, REF.opioid_products(), CDC)
    assert doses.schedule == "changed every 72 hours"
    assert doses.proposed is not None
    assert sorted(u.strength for u in doses.proposed.units) == [12, 25, 100]
    assert doses.proposed.difference_percent == 0
    assert doses.proposed.med_mg == pytest.approx(137 * 2.4)
    assert doses.above is not None
    assert doses.above.per_administration > 137


def test_nothing_is_rounded_silently() -> None:
    """A target between strengths shows the amount below and above, each with its difference."""
    # 63 mg 12-hourly: the 12-hourly strengths are all multiples of 5 mg
    doses = real_doses("oxycodone", "oral", 126, REF.opioid_products(), CDC)
    assert doses.proposed is not None
    assert doses.above is not None
    assert doses.proposed.per_administration == 60
    assert doses.proposed.difference_percent == pytest.approx(100 * (120 - 126) / 126, abs=0.01)
    assert doses.above.per_administration == 65
    assert doses.above.difference_percent == pytest.approx(100 * (130 - 126) / 126, abs=0.01)


def test_hydromorphone_without_a_12_hourly_product_is_given_every_4_hours() -> None:
    """The table has only immediate-release hydromorphone: every 4 hours (the product's reading)."""
    doses = real_doses("hydromorphone", "oral", 48, REF.opioid_products(), CDC)
    assert (doses.form, doses.schedule, doses.per_administration_target) == (
        "immediate-release tablet",
        "every 4 hours",
        8,
    )
    assert doses.proposed is not None
    assert [(u.strength, u.count) for u in doses.proposed.units] == [(8, 1)]
