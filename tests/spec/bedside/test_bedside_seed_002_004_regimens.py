"""Seed 004 (pause, recurrence, stop, wean, observe), seed 002 (failed taper) and Jackson's burst.

Seed 004, "Proposal for best practice", 5. Infusion protocol: troublesome side effects → pause
1 h then restart; further side effects → contact the physician; dissociative or amnestic effects
→ termination; optional 12-24 h wean; observe 4 h after cessation.
Seed 002, "Case Description": halving the rate brought back pain and hydromorphone use; ketamine
was resumed at 55 µg/kg/h. Seed 000, "Clinical Protocols for Ketamine Use": Jackson's 100 → 300 →
500 mg/day every 24 h, discontinued after 5 days without analgesic effect at 500 mg/day.
"""

from __future__ import annotations

from typing import Any

import pytest
from bedside_build import build, ev, hours, kinds, rec, rules

SC = "noncancer-subcutaneous"
INDUCTION = ev("rate_change", 0, rate="0.05 mg/kg/h", by="Dr P")


def _sc(events: list[dict[str, Any]]) -> Any:
    return build(events, protocol=SC, weight="80 kg")


def test_seed_004_start_is_the_low_end_of_induction() -> None:
    """Induction 0.05-0.1 mg/kg/h: 4 mg/h at 80 kg, the range shown for the physician's choice."""
    recommendation = rec(_sc([]), 0)
    assert (recommendation.action, recommendation.rate_mg_per_h) == ("start", 4.0)
    assert any("range" in r.text for r in recommendation.reasons)


def test_seed_004_troublesome_side_effects_pause_one_hour() -> None:
    """ "The infusion is paused for one hour then recommenced"."""
    trouble = ev("observation", 3, pain=5, symptoms=["nausea"], troublesome=True)
    first = rec(_sc([INDUCTION, trouble]), 3)
    assert (first.action, first.rate_mg_per_h) == ("pause", 0.0)
    paused = [INDUCTION, trouble, ev("pause", 3, by="RN")]
    assert rec(_sc(paused), 3.5).action == "pause"
    restart = rec(_sc(paused), 4)
    assert (restart.action, restart.rate_mg_per_h) == ("resume", 4.0)


def test_seed_004_side_effects_again_call_the_physician() -> None:
    """ "If further side effects occur, the responsible physician is contacted for direction"."""
    events = [
        INDUCTION,
        ev("observation", 3, pain=5, symptoms=["nausea"], troublesome=True),
        ev("pause", 3, by="RN"),
        ev("resume", 4, by="RN"),
        ev("observation", 6, pain=5, symptoms=["vivid_dreams"], troublesome=True),
    ]
    assert rec(_sc(events), 6).action == "ask_physician"


@pytest.mark.parametrize("symptom", ["dissociation", "amnesia"])
def test_seed_004_dissociative_or_amnestic_effects_end_the_infusion(symptom: str) -> None:
    """ "Development of dissociative or amnestic effects results in termination of infusion"."""
    recommendation = rec(_sc([INDUCTION, ev("observation", 2, symptoms=[symptom])]), 2)
    assert (recommendation.action, recommendation.rate_mg_per_h) == ("stop", 0.0)


def test_seed_004_no_titration_step_means_ask_the_physician() -> None:
    """The source gives no titration step: pain above goal asks the physician, naming the rule."""
    recommendation = rec(_sc([INDUCTION, ev("observation", 4, pain=7)]), 4)
    assert recommendation.action == "ask_physician"
    assert "titration-unspecified" in rules(recommendation)


def test_seed_004_after_the_planned_days_the_optional_wean_is_offered() -> None:
    """2-5 days, then "a period of weaning (12-24 hours) can be considered"; steps not given."""
    recommendation = rec(_sc([INDUCTION, ev("observation", 48, pain=3)]), 48)
    assert recommendation.action == "taper"
    assert "physician_needed" in kinds(recommendation)


def test_seed_004_observe_4_h_after_stopping() -> None:
    """ "After cessation the patient should be observed in hospital for a period of 4 hours"."""
    stopped = [INDUCTION, ev("stop", 50, by="Dr P")]
    watching = rec(_sc(stopped), 51)
    assert watching.action == "discontinue"
    assert "observe_after_stop" in kinds(watching)
    assert watching.next_assessment_at == hours(54)
    assert "observe_after_stop" not in kinds(rec(_sc(stopped), 55))


SEED_002 = [
    ev("rate_change", 0, rate="55 µg/kg/h", by="APS"),
    ev("observation", 5, pain=2),
    ev("rate_change", 96, rate="27.5 µg/kg/h", by="attending"),
    ev("rate_change", 120, rate="13.8 µg/kg/h", by="attending"),
]


def test_seed_002_taper_that_brings_pain_back_returns_to_the_last_effective_rate() -> None:
    """Seed 002: the halving taper failed; resuming 55 µg/kg/h (5 mg/h at ~91 kg) rescued it."""
    episode = build(
        [*SEED_002, ev("observation", 143, pain=8)],
        protocol="ultra-low-memantine",
        weight="91 kg",
        goal=3,
        baseline={"pain": 9},
    )
    recommendation = rec(episode, 143)
    assert recommendation.action == "increase"
    assert recommendation.rate_mg_per_h == pytest.approx(5.005)
    assert "physician_needed" in kinds(recommendation)


def test_seed_002_a_pain_score_before_a_later_rate_change_does_not_call_for_the_rescue() -> None:
    """Seed 002: pain back on 27.5 µg/kg/h, then 36.8 µg/kg/h set (the successful taper's rate):
    the score taken before that change does not judge it; a score after it does, and the rescue
    returns to 55 µg/kg/h (5.005 mg/h at 91 kg)."""
    events = [*SEED_002[:3], ev("observation", 100, pain=8)]
    events.append(ev("rate_change", 101, rate="36.8 µg/kg/h", by="attending"))
    settings: dict[str, Any] = {"weight": "91 kg", "goal": 3, "baseline": {"pain": 9}}
    before = rec(build(events, protocol="ultra-low-memantine", **settings), 101)
    assert before.action == "continue"
    assert "assess-pain" in rules(before)
    events.append(ev("observation", 102, pain=8))
    after = rec(build(events, protocol="ultra-low-memantine", **settings), 102)
    assert after.action == "increase"
    assert after.rate_mg_per_h == pytest.approx(5.005)


TAPER_WITH_MORE_OPIOID = [
    ev("rate_change", 0, rate="55 µg/kg/h", by="APS"),
    ev("observation", 5, pain=2),
    ev("opioid_use", 90, breakthrough_doses_24h=2),
    ev("rate_change", 96, rate="27.5 µg/kg/h", by="attending"),
    ev("opioid_use", 118, breakthrough_doses_24h=9),
]


def test_seed_002_more_opioid_during_the_taper_counts_as_pain_back() -> None:
    """Seed 002: the failed taper showed as more hydromorphone use as well as more pain."""
    *before, after = TAPER_WITH_MORE_OPIOID
    events = [*before, ev("observation", 117, pain=3), after]
    episode = build(
        events, protocol="ultra-low-memantine", weight="91 kg", goal=3, baseline={"pain": 9}
    )
    assert rec(episode, 118).action == "increase"


def test_seed_002_more_opioid_with_no_recent_pain_score_asks_for_an_assessment_first() -> None:
    """Readings have an age: the last pain score (at 5 h) is days old: assess before a rescue."""
    episode = build(
        TAPER_WITH_MORE_OPIOID,
        protocol="ultra-low-memantine",
        weight="91 kg",
        goal=3,
        baseline={"pain": 9},
    )
    recommendation = rec(episode, 118)
    assert recommendation.action == "continue"
    assert "assessment_overdue" in kinds(recommendation)


def test_seed_002_a_halving_step_is_flagged_as_the_one_that_failed() -> None:
    """Seed 002: halving 55 to 27.5 µg/kg/h failed; a step cutting half or more is flagged."""
    events = [*SEED_002[:3], ev("observation", 97, pain=2)]
    episode = build(
        events, protocol="ultra-low-memantine", weight="91 kg", goal=3, baseline={"pain": 9}
    )
    recommendation = rec(episode, 97)
    assert "taper_step_failed_before" in kinds(recommendation)
    assert "taper-halving-failed" in {a.rule for a in recommendation.alerts}


JACKSON = [ev("rate_change", 0, rate="100 mg/24 h", by="team")]


def test_jackson_steps_100_300_500_mg_per_day_every_24_h() -> None:
    """Seed 000: "increased every 24 hours from 100 mg/day ... to 300 mg/day ... then 500"."""
    first = rec(build([*JACKSON, ev("observation", 24, pain=8)], protocol="jackson-burst"), 24)
    assert first.action == "increase"
    assert first.rate_mg_per_h == pytest.approx(12.5)
    events = [*JACKSON, ev("rate_change", 24, rate="300 mg/24 h", by="team")]
    early = rec(build([*events, ev("observation", 40, pain=8)], protocol="jackson-burst"), 40)
    assert early.action == "continue"
    second = rec(build([*events, ev("observation", 48, pain=8)], protocol="jackson-burst"), 48)
    assert second.rate_mg_per_h == pytest.approx(500 / 24, rel=1e-3)


def test_jackson_stops_after_5_days_without_effect() -> None:
    """Seed 000: "discontinued after 5 days, if no analgesic effect is reached"."""
    events = [*JACKSON, ev("observation", 120, pain=8)]
    recommendation = rec(build(events, protocol="jackson-burst"), 120)
    assert recommendation.action == "stop"
    assert "stop-no-effect-5-days" in {a.rule for a in recommendation.alerts}
    assert (
        rec(build([*JACKSON, ev("observation", 119, pain=8)], protocol="jackson-burst"), 119).action
        != "stop"
    )


def test_a_rate_the_source_leaves_to_the_clinician_is_asked_for() -> None:
    """Sigtermans: the starting rate is not given, so the engine asks, naming the rule."""
    recommendation = rec(build([], protocol="sigtermans-crps"), 0)
    assert recommendation.action == "ask_physician"
    assert recommendation.rate_mg_per_h is None
    assert "rate-unspecified" in rules(recommendation)
