"""Seed 001, "Ketamine Protocol Details": the cancer-hospital infusion at the bedside.

Figures: 0.1 mg/kg/h start; +2 mg/h every 2 h for inadequate pain; ceiling the lower of
0.2 mg/kg/h and 20 mg/h (14 mg/h at 70 kg); notify the pain service for BP > 160/100, HR > 110,
RR <= 8, inadequate pain, pruritus, nausea, vomiting, hallucinations, dysphoria, severe agitation;
about 24 h at the effective rate once comfortable, then gradual reduction; below 10 mg/h stop.
"""

from __future__ import annotations

from typing import Any

import pytest
from bedside_build import build, ev, hours, kinds, rec, rules

START = ev("rate_change", 0, rate="0.1 mg/kg/h", by="RN")


def test_no_events_means_start_at_0_1_mg_per_kg_per_h() -> None:
    """Seed 001: "starting at 0.1 mg/kg/hr" is 7 mg/h for 70 kg."""
    recommendation = rec(build([]), 0)
    assert (recommendation.action, recommendation.rate_mg_per_h) == ("start", 7.0)


def test_inadequate_pain_after_2_h_raises_2_mg_per_h() -> None:
    """Seed 001: "increased by 2 mg/hr every 2 hours for inadequate pain control"."""
    recommendation = rec(build([START, ev("observation", 2, pain=8)]), 2)
    assert (recommendation.action, recommendation.rate_mg_per_h) == ("increase", 9.0)
    assert "titrate-2mg-every-2h" in rules(recommendation)
    assert recommendation.next_assessment_at == hours(4)


def test_no_step_sooner_than_2_h_after_the_last() -> None:
    """Seed 001: a step every 2 h; at 3 h after a step at 2 h the answer is to wait until 4 h."""
    events = [START, ev("rate_change", 2, rate="9 mg/h", by="RN"), ev("observation", 3, pain=8)]
    recommendation = rec(build(events), 3)
    assert (recommendation.action, recommendation.rate_mg_per_h) == ("continue", 9.0)
    assert recommendation.next_assessment_at == hours(4)


def test_a_step_taken_too_early_is_flagged() -> None:
    """A bedside increase 1 h after the previous step is flagged in the next recommendation."""
    events = [START, ev("rate_change", 1, rate="9 mg/h", by="RN Lee")]
    assert "titration_too_early" in kinds(rec(build(events), 1.5))


def test_the_last_step_goes_to_the_ceiling_and_says_so() -> None:
    """At 13 mg/h a full step (15) passes the 14 mg/h ceiling: the last permitted step is 14.

    Seed 001: "increased by 2 mg/hr every 2 hours ... to a maximum" of the lower of 0.2 mg/kg/h
    and 20 mg/h; the ceiling itself is within the protocol, so it is offered, and named.
    """
    events = [ev("rate_change", 0, rate="13 mg/h", by="RN"), ev("observation", 2, pain=8)]
    recommendation = rec(build(events), 2)
    assert (recommendation.action, recommendation.rate_mg_per_h) == ("increase", 14.0)
    assert any("last permitted step" in r.text for r in recommendation.reasons)
    assert recommendation.check is not None
    assert recommendation.check.verdict == "within_protocol"


def test_at_the_ceiling_the_rate_holds_and_is_never_passed() -> None:
    """At 14 mg/h (the 70 kg ceiling) pain above goal holds the rate, with ceiling_reached."""
    events = [ev("rate_change", 0, rate="14 mg/h", by="RN"), ev("observation", 2, pain=8)]
    recommendation = rec(build(events), 2)
    assert (recommendation.action, recommendation.rate_mg_per_h) == ("continue", 14.0)
    assert "ceiling_reached" in kinds(recommendation)


def test_the_20_mg_per_h_ceiling_holds_for_a_heavy_patient() -> None:
    """At 120 kg 0.2 mg/kg/h is 24 mg/h; 20 mg/h is lower and holds (seed 001 reading)."""
    events = [ev("rate_change", 0, rate="20 mg/h", by="RN"), ev("observation", 2, pain=8)]
    recommendation = rec(build(events, weight="120 kg"), 2)
    assert (recommendation.action, recommendation.rate_mg_per_h) == ("continue", 20.0)
    assert "ceiling_reached" in kinds(recommendation)


@pytest.mark.parametrize(
    ("observation", "rule"),
    [
        ({"pain": 8, "systolic_bp": 165}, "notify-systolic"),
        ({"pain": 8, "diastolic_bp": 105}, "notify-diastolic"),
        ({"pain": 8, "heart_rate": 115}, "notify-heart-rate"),
        ({"pain": 8, "respiratory_rate": 8}, "notify-respiratory-rate"),
        ({"pain": 8, "symptoms": ["pruritus"]}, "notify-gi-pruritus"),
        ({"pain": 8, "symptoms": ["vomiting"]}, "notify-gi-pruritus"),
        ({"pain": 8, "symptoms": ["hallucinations"]}, "notify-psychotomimetic"),
        (
            {"pain": 8, "symptoms": ["agitation"], "severe": ["agitation"]},
            "notify-severe-agitation",
        ),
    ],
)
def test_notification_thresholds_call_the_pain_service_and_block_increase(
    observation: dict[str, Any], rule: str
) -> None:
    """Seed 001 communication orders: each threshold alerts and the rate is not raised."""
    recommendation = rec(build([START, ev("observation", 2, **observation)]), 2)
    assert recommendation.action == "ask_physician"
    assert recommendation.rate_mg_per_h == 7.0
    assert rule in {alert.rule for alert in recommendation.alerts if alert.kind == "notify"}


def test_mild_agitation_is_not_a_notification() -> None:
    """Seed 001 names *severe* agitation; mild agitation holds the rate (side effects present)."""
    recommendation = rec(build([START, ev("observation", 2, pain=8, symptoms=["agitation"])]), 2)
    assert recommendation.action == "continue"
    assert "notify-severe-agitation" not in {a.rule for a in recommendation.alerts}


def test_hr_of_110_is_not_above_110() -> None:
    """Seed 001: heart rate > 110; 110 itself is within and the step goes ahead."""
    recommendation = rec(build([START, ev("observation", 2, pain=8, heart_rate=110)]), 2)
    assert recommendation.action == "increase"


def test_after_a_physician_responds_the_rate_is_held_not_raised() -> None:
    """A physician decision answers the call; the threshold still holds, so no increase."""
    events = [
        START,
        ev("observation", 2, pain=8, heart_rate=115),
        ev("physician_decision", 2.5, physician="Dr A", decision="Continue, recheck in 1 h."),
    ]
    recommendation = rec(build(events), 2.5)
    assert (recommendation.action, recommendation.rate_mg_per_h) == ("continue", 7.0)
    assert "notify" in kinds(recommendation)


def _comfortable(rate: str, until_h: int) -> list[dict[str, Any]]:
    """A rate, then pain 3/10 every 4 h (the product's default interval: seed 001 gives none)."""
    return [
        ev("rate_change", 0, rate=rate, by="RN"),
        *(ev("observation", h, pain=3) for h in range(2, until_h + 1, 4)),
    ]


def test_comfortable_holds_about_24_h_then_tapers() -> None:
    """Seed 001: "continuation of the hourly ketamine dose for approximately 24 hours"."""
    events = _comfortable("12 mg/h", 26)
    held = rec(build(events), 20)
    assert (held.action, held.rate_mg_per_h) == ("continue", 12.0)
    assert held.next_assessment_at == hours(22)
    assert any("until 2024-05-03T10:00" in r.text for r in held.reasons)
    tapering = rec(build(events), 26)
    assert (tapering.action, tapering.rate_mg_per_h) == ("taper", 12.0)
    assert "physician_needed" in kinds(tapering)


def test_a_comfortable_score_a_day_old_does_not_start_the_taper() -> None:
    """Readings have an age: 24 h after the only pain score the assessment is overdue, no taper."""
    events = [ev("rate_change", 0, rate="12 mg/h", by="RN"), ev("observation", 2, pain=3)]
    late = rec(build(events), 26)
    assert (late.action, late.rate_mg_per_h) == ("continue", 12.0)
    assert "assessment_overdue" in kinds(late)
    assert late.next_assessment_at == hours(26)


def test_comfortable_below_10_mg_per_h_after_the_hold_can_stop() -> None:
    """Seed 001: already below 10 mg/h after the 24 h hold, the infusion can be discontinued."""
    assert rec(build(_comfortable("7 mg/h", 26)), 26).action == "discontinue"


def test_below_10_mg_per_h_the_infusion_can_be_stopped() -> None:
    """Seed 001: "After the dose has been reduced to less than 10 mg/hr ... discontinued"."""
    events = [
        ev("rate_change", 0, rate="14 mg/h", by="RN"),
        ev("observation", 2, pain=3),
        ev("rate_change", 27, rate="12 mg/h", by="Dr A"),
        ev("observation", 28, pain=3),
        ev("rate_change", 30, rate="9 mg/h", by="Dr A"),
        ev("observation", 31, pain=3),
    ]
    assert rec(build(events), 28).action == "taper"
    stopping = rec(build(events), 31)
    assert (stopping.action, stopping.rate_mg_per_h) == ("discontinue", 0.0)


CASE_2 = [
    ev("rate_change", 0, rate="0.1 mg/kg/h", by="supportive oncology"),
    ev("rate_change", 24, rate="15 mg/h", by="RN"),
    ev("observation", 24, pain=5),
    ev("rate_change", 48, rate="18 mg/h", by="RN"),
    ev("observation", 48, pain=5),
]


def test_case_2_at_18_mg_per_h_gets_a_soft_limit_alert_until_an_override() -> None:
    """Seed 001 case 2 (70 kg, 7 mg/h start) ran 18 mg/h; the 70 kg ceiling is 14 mg/h."""
    before = rec(build(CASE_2, goal=5), 49)
    assert "soft_limit" in kinds(before)
    assert before.action == "ask_physician"
    assert before.rate_mg_per_h == 18.0
    override = ev("physician_override", 50, physician="Dr B", reason="Pain crisis, no side effects")
    after = build([*CASE_2, override], goal=5)
    for moment in (50, 60):
        later = rec(after, moment)
        assert "soft_limit" not in kinds(later)
        assert "override_in_effect" in kinds(later)
        assert later.rate_mg_per_h == 18.0
        assert later.action != "increase"


def test_an_override_does_not_cover_a_higher_rate_later() -> None:
    """An override recorded at 18 mg/h does not cover 20 mg/h set afterwards."""
    events = [
        *CASE_2,
        ev("physician_override", 50, physician="Dr B", reason="Pain crisis"),
        ev("rate_change", 52, rate="20 mg/h", by="RN"),
    ]
    assert "soft_limit" in kinds(rec(build(events, goal=5), 52))
