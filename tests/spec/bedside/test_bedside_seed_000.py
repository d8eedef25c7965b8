"""Seed 000, Table 1 (Marshfield Inpatient Analgesic Ketamine Protocol) at the bedside.

60 kg: test infusion 0.5 mg/kg = 30 mg over 6 h (5 mg/h, the table's own worked figure);
responder infusion 1.5 mg/kg/day = 3.75 mg/h; non-responder 2 mg/kg over 12 h = 10 mg/h.
Stop if pulse > 110, systolic BP up more than 25 % from baseline, sustained RR < 7, agitation, or
severe intolerable psychotomimetic effects; lorazepam 1 mg at the start and every 3 h x 2 prn;
glycopyrrolate 0.2-0.3 mg SC every 6 h prn salivation or lacrimation; titrate up 50-100 % every
24 h when pain recurs, waiting five half-lives (3 h each) between rounds.
"""

from __future__ import annotations

from typing import Any

import pytest
from bedside_build import build, ev, hours, kinds, rec

PROTOCOL = "marshfield-inpatient"
BASELINE = {"pain": 8, "heart_rate": 80, "systolic_bp": 120, "respiratory_rate": 14}
TEST = ev("rate_change", 0, rate="5 mg/h", by="RN")


def _episode(events: list[dict[str, Any]]) -> Any:
    return build(events, protocol=PROTOCOL, weight="60 kg", baseline=BASELINE)


def test_start_is_the_test_infusion_with_lorazepam_at_the_start() -> None:
    """Table 1: 0.5 mg/kg over 6 h (5 mg/h at 60 kg) and lorazepam 1 mg at the beginning."""
    recommendation = rec(_episode([]), 0)
    assert (recommendation.action, recommendation.rate_mg_per_h) == ("start", 5.0)
    assert any(p.drug == "lorazepam" and p.available_now for p in recommendation.prn)


def test_vitals_and_psychotomimetic_effects_hourly_for_three_hours() -> None:
    """Table 1: "every 1 hour x 3": the next look is 1 h after the start, then overdue if missed."""
    assert rec(_episode([TEST]), 0.5).next_assessment_at == hours(1)
    late = rec(_episode([TEST]), 1.5)
    assert "assessment_overdue" in kinds(late)


def test_test_infusion_runs_its_six_hours() -> None:
    """Table 1: at 3 h the test infusion continues, ending at 6 h."""
    recommendation = rec(_episode([TEST, ev("observation", 3, pain=6)]), 3)
    assert (recommendation.action, recommendation.rate_mg_per_h) == ("continue", 5.0)


def test_pain_improved_by_50_percent_moves_to_the_responder_infusion() -> None:
    """Table 1: pain improved by 50 % or more → 1.5 mg/kg/day (3.75 mg/h at 60 kg)."""
    recommendation = rec(_episode([TEST, ev("observation", 6, pain=4)]), 6)
    assert recommendation.action == "next_phase"
    assert recommendation.rate_mg_per_h == pytest.approx(3.75)
    assert "to-responder" in {r.rule for r in recommendation.reasons}


def test_no_improvement_without_severe_effects_doubles_over_12_h() -> None:
    """Table 1: pain not improved, no severe side effects → 2 mg/kg over 12 h (10 mg/h)."""
    recommendation = rec(_episode([TEST, ev("observation", 6, pain=7)]), 6)
    assert recommendation.action == "next_phase"
    assert recommendation.rate_mg_per_h == pytest.approx(10.0)


def test_no_improvement_with_severe_effects_asks_the_physician() -> None:
    """Table 1 gives the doubling only without severe side effects; otherwise the physician."""
    events = [
        TEST,
        ev("observation", 2, symptoms=["dysphoria"], severe=["dysphoria"]),
        ev("observation", 6, pain=7),
    ]
    assert rec(_episode(events), 6).action == "ask_physician"


@pytest.mark.parametrize(
    ("observations", "rule"),
    [
        ([{"heart_rate": 111}], "stop-pulse"),
        ([{"systolic_bp": 151}], "stop-systolic-rise"),
        ([{"respiratory_rate": 6}, {"respiratory_rate": 6}], "stop-respiratory-rate"),
        ([{"symptoms": ["agitation"]}], "stop-agitation"),
        (
            [{"symptoms": ["hallucinations"], "severe": ["hallucinations"]}],
            "stop-severe-psychotomimetic",
        ),
    ],
)
def test_stop_criteria_stop_the_infusion(observations: list[dict[str, Any]], rule: str) -> None:
    """Table 1: "Stop infusion if P>110, systolic ... > 25 % of baseline, sustained RR <7 ..."."""
    events = [TEST, *(ev("observation", 1 + i, **o) for i, o in enumerate(observations))]
    recommendation = rec(_episode(events), 1 + len(observations))
    assert (recommendation.action, recommendation.rate_mg_per_h) == ("stop", 0.0)
    assert rule in {a.rule for a in recommendation.alerts if a.kind == "stop_criterion"}


@pytest.mark.parametrize(
    "observations",
    [
        [{"heart_rate": 110}],
        [{"systolic_bp": 150}],
        [{"respiratory_rate": 6}],
        [{"symptoms": ["hallucinations"]}],
    ],
)
def test_just_inside_the_stop_criteria_does_not_stop(observations: list[dict[str, Any]]) -> None:
    """110 is not > 110; 150 is exactly +25 % of 120; one RR of 6 is not sustained; mild effects."""
    events = [TEST, *(ev("observation", 1 + i, **o) for i, o in enumerate(observations))]
    assert rec(_episode(events), 1 + len(observations)).action != "stop"


def test_lorazepam_for_psychotomimetic_effects_every_3_h_two_more_doses() -> None:
    """Table 1: lorazepam at the start and every 3 h x 2 subsequent doses prn."""
    given = [ev("prn_given", h, drug="lorazepam", dose="1 mg", by="RN") for h in (0, 3)]
    dreams = ev("observation", 4, symptoms=["vivid_dreams"])
    too_soon = rec(_episode([TEST, *given, dreams]), 4)
    lorazepam = next(p for p in too_soon.prn if p.drug == "lorazepam")
    assert not lorazepam.available_now
    ready = rec(
        _episode([TEST, *given, dreams, ev("observation", 6, symptoms=["vivid_dreams"])]), 6
    )
    assert next(p for p in ready.prn if p.drug == "lorazepam").available_now
    third = ev("prn_given", 6, drug="lorazepam", dose="1 mg", by="RN")
    later = ev("observation", 9.5, symptoms=["vivid_dreams"])
    spent = rec(_episode([TEST, *given, third, later]), 9.5)
    assert not next(p for p in spent.prn if p.drug == "lorazepam").available_now


def test_glycopyrrolate_for_salivation() -> None:
    """Table 1: glycopyrrolate 0.2-0.3 mg SC every 6 h prn excessive salivation or lacrimation."""
    recommendation = rec(_episode([TEST, ev("observation", 1, symptoms=["salivation"])]), 1)
    glyco = next(p for p in recommendation.prn if p.drug == "glycopyrrolate")
    assert (glyco.dose, glyco.route, glyco.available_now) == ("0.2-0.3 mg", "sc", True)


RESPONDER = [
    TEST,
    ev("observation", 6, pain=4),
    ev("phase_change", 6, to_phase="responder-infusion", by="Dr O"),
    ev("rate_change", 6, rate="1.5 mg/kg/day", by="RN"),
    ev("observation", 8, pain=3),
]


def test_pain_recurring_titrates_up_50_percent_after_24_h() -> None:
    """Table 1: "If pain recurs, titrate upwards by 50%-100% every 24 hours"."""
    early = rec(_episode([*RESPONDER, ev("observation", 20, pain=6)]), 20)
    assert (early.action, early.next_assessment_at) == ("continue", hours(22))
    allowed = hours(30).isoformat(timespec="minutes")
    assert any(f"next step is allowed at {allowed}" in r.text for r in early.reasons)
    due = rec(_episode([*RESPONDER, ev("observation", 30, pain=6)]), 30)
    assert due.action == "increase"
    assert due.rate_mg_per_h == pytest.approx(3.75 * 1.5)


def test_responder_infusion_for_48_h_then_subcutaneous_three_times_daily() -> None:
    """Table 1: 1.5 mg/kg/day for 48 (72) h, then 1:1 to subcutaneous tid (30 mg per dose)."""
    recommendation = rec(_episode([*RESPONDER, ev("observation", 54, pain=3)]), 54)
    assert recommendation.action == "next_phase"
    assert recommendation.dose_mg == pytest.approx(30.0)
