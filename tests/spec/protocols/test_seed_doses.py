"""The sources' own worked numbers, reproduced by the dose plan.

Each row cites the passage its figures come from.
"""

from __future__ import annotations

import pytest
from library import SOURCE

from ketamine_cds.domain.errors import UserInputError
from ketamine_cds.domain.units import BodyWeight
from ketamine_cds.service.planning import plan


def _phase(protocol: str, weight_kg: float, phase_id: str) -> dict[str, object]:
    result = plan(SOURCE, protocol, BodyWeight.from_kg(weight_kg)).model_dump(mode="json")
    return next(p for p in result["phases"] if p["id"] == phase_id)


@pytest.mark.parametrize(
    ("case", "weight_kg", "start_mg_per_h", "ceiling_mg_per_h"),
    [
        # seed 001 Case 1: "started at 0.1 mg/kg/hr (10 mg/hr) ... to a maximum of 20 mg/hr"
        ("seed 001 case 1", 100, 10.0, 20.0),
        # seed 001 Case 2: "started at 0.1 mg/kg/hr (7 mg/hr)"; 0.2 mg/kg/h × 70 kg = 14 mg/h
        ("seed 001 case 2", 70, 7.0, 14.0),
    ],
)
def test_seed_001_cases(
    case: str, weight_kg: float, start_mg_per_h: float, ceiling_mg_per_h: float
) -> None:
    """Seed 001's cases: start 0.1 mg/kg/h; ceiling the lower of 0.2 mg/kg/h and 20 mg/h."""
    phase = _phase("cancer-continuous", weight_kg, "infusion")
    assert phase["rate_mg_per_h"] == pytest.approx(start_mg_per_h), case
    assert phase["ceiling_rate_mg_per_h"] == pytest.approx(ceiling_mg_per_h), case
    assert phase["titration"]["step_mg_per_h"] == 2.0  # "increased by 2 mg/hr every 2 hours"
    assert phase["titration"]["interval_h"] == 2.0


def test_seed_000_table_1_test_infusion() -> None:
    """Seed 000 Table 1: 0.5 mg/kg over 6 h, 'average dose 30 mg, i.e. 5 mg/hour x 6 hours'."""
    phase = _phase("marshfield-inpatient", 60, "test-infusion")
    assert phase["dose_mg"] == pytest.approx(30.0)
    assert phase["rate_mg_per_h"] == pytest.approx(5.0)
    assert phase["over_h"] == 6.0
    assert phase["over_options_h"] == [4.0]


def test_seed_000_table_1_responder_rate_is_about_100_mg_a_day() -> None:
    """Seed 000 Table 1: 1.5 mg/kg/day 'for an average weight person ... ± 100 mg/day'."""
    phase = _phase("marshfield-inpatient", 70, "responder-infusion")
    assert phase["rate_mg_per_h"] * 24 == pytest.approx(105.0)
    assert phase["rate_mg_per_h"] * 24 == pytest.approx(100, rel=0.1)


def test_seed_000_table_1_nonresponder_doubles_the_dose() -> None:
    """Seed 000 Table 1: 2 mg/kg over the next 12 hours."""
    phase = _phase("marshfield-inpatient", 60, "nonresponder-infusion")
    assert phase["dose_mg"] == pytest.approx(120.0)
    assert phase["rate_mg_per_h"] == pytest.approx(10.0)


def test_seed_002_ultra_low_rate() -> None:
    """Seed 002: '55 µg kg-1 h-1 (5 mg/h)' — about 91 kg."""
    phase = _phase(
        "ultra-low-memantine",
        91,
        plan(SOURCE, "ultra-low-memantine", BodyWeight.from_kg(91)).phases[0].id,
    )
    assert phase["rate_mg_per_h"] == pytest.approx(5.0, rel=0.01)


def test_seed_000_review_kotlinska_daily_dose() -> None:
    """Seed 000 review: 0.8 mg/kg/day 'amounts to about 2 mg/hour for a 60 kg person'."""
    result = plan(SOURCE, "kotlinska-oral", BodyWeight.from_kg(60))
    phase = result.phases[0]
    assert phase.daily_dose_mg == pytest.approx(48.0)
    assert phase.rate_mg_per_h == pytest.approx(2.0)


def test_seed_000_review_100_mg_a_day() -> None:
    """Seed 000 review: 'starting at 100 mg/day (~4 mg/hour)' (Good et al.; Jackson et al.)."""
    for protocol in ("good-triple-agent", "jackson-burst"):
        phase = plan(SOURCE, protocol, BodyWeight.from_kg(70)).phases[0]
        assert phase.rate_mg_per_h == pytest.approx(100 / 24)
        assert round(phase.rate_mg_per_h or 0) == 4


def test_seed_000_review_jackson_schedule() -> None:
    """Seed 000 review: 100 → 300 → 500 mg/day (~4, ~12, ~20 mg/hour), every 24 hours."""
    titration = plan(SOURCE, "jackson-burst", BodyWeight.from_kg(70)).phases[0].titration
    assert titration is not None
    assert titration.schedule_mg_per_h == pytest.approx([100 / 24, 300 / 24, 500 / 24])
    assert titration.interval_h == 24.0


def test_seed_004_noncancer_induction_and_maximum() -> None:
    """Seed 004 protocol: induction 0.05-0.1 mg/kg/h, maximum 0.5 mg/kg/h (70 kg: 3.5-7, 35)."""
    phase = plan(SOURCE, "noncancer-subcutaneous", BodyWeight.from_kg(70)).phases[0]
    assert phase.route == "sc"
    assert phase.rate_range_mg_per_h == pytest.approx([3.5, 7.0])
    assert phase.rate_mg_per_h == pytest.approx(3.5)
    assert phase.ceiling_rate_mg_per_h == pytest.approx(35.0)


def test_a_start_above_the_protocols_own_ceiling_is_refused_not_clamped() -> None:
    """Seed 001 at 201 kg: 0.1 mg/kg/h = 20.1 mg/h is above the 20 mg/h ceiling; no plan."""
    with pytest.raises(UserInputError, match=r"20\.1 mg/h, above its own ceiling of 20 mg/h"):
        plan(SOURCE, "cancer-continuous", BodyWeight.from_kg(201))
