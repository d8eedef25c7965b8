"""The safety core at the bedside, each rule with the passage it comes from.

Seed 000 Table 1 and "Clinical Protocols for Ketamine Use" (Marshfield; lorazepam "every 3 hours
up to 3 doses/day"; haloperidol as the alternative, with the butyrophenone warning; Fine's SC
doses); seed 001 "Ketamine Protocol Details" (2 mg/h every 2 h, the lower of 0.2 mg/kg/h and
20 mg/h); seed 004 "5. Infusion protocol" (pause, termination); seed 004 Appendix 2 and seed 003
(the hard limits by route, data/limits.yaml).
"""

from __future__ import annotations

from typing import Any

import pytest
from bedside_build import build, ev, hours, kinds, rec, rules
from library import shipped

from ketamine_cds.adapters.data_files import limit_table
from ketamine_cds.domain.protocols.check import check_dose
from ketamine_cds.domain.units import BodyWeight, Mass
from ketamine_cds.domain.vocabulary import Route

MARSHFIELD = "marshfield-inpatient"
BASELINE = {"pain": 8, "heart_rate": 80, "systolic_bp": 120, "respiratory_rate": 14}


def _marshfield(events: list[dict[str, Any]], weight: str = "60 kg") -> Any:
    return build(events, protocol=MARSHFIELD, weight=weight, baseline=BASELINE)


# -- seed 004: the termination rule holds during the one-hour pause -----------------------------


def test_dissociation_recorded_during_the_pause_stops_the_infusion() -> None:
    """Seed 004: "dissociative or amnestic effects results in termination"; paused or not."""
    events = [
        ev("rate_change", 0, rate="0.05 mg/kg/h", by="Dr P"),
        ev("observation", 3, pain=5, symptoms=["nausea"], troublesome=True),
        ev("pause", 3, by="RN"),
        ev("observation", 3.5, symptoms=["dissociation"]),
    ]
    episode = build(events, protocol="noncancer-subcutaneous", weight="80 kg")
    for at in (3.5, 4.0, 5.0):
        recommendation = rec(episode, at)
        assert (recommendation.action, recommendation.rate_mg_per_h) == ("stop", 0.0)
        assert "stop_criterion" in kinds(recommendation)


def test_troublesome_dizziness_can_be_recorded_and_pauses_the_infusion() -> None:
    """Seed 001 case 1's dose-limiting "severe dizziness" is a symptom; troublesome → pause 1 h."""
    events = [
        ev("rate_change", 0, rate="0.05 mg/kg/h", by="Dr P"),
        ev("observation", 2, pain=5, symptoms=["dizziness"], troublesome=True),
    ]
    episode = build(events, protocol="noncancer-subcutaneous", weight="80 kg")
    assert rec(episode, 2).action == "pause"


def test_side_effects_still_present_after_the_pause_ask_the_physician() -> None:
    """Seed 004: the pause is for the effects to settle; still troublesome, call the physician."""
    events = [
        ev("rate_change", 0, rate="0.05 mg/kg/h", by="Dr P"),
        ev("observation", 3, pain=5, symptoms=["nausea"], troublesome=True),
        ev("pause", 3, by="RN"),
        ev("observation", 3.9, symptoms=["nausea"], troublesome=True),
    ]
    episode = build(events, protocol="noncancer-subcutaneous", weight="80 kg")
    assert rec(episode, 4).action == "ask_physician"


# -- seed 000: the subcutaneous conversion keeps the daily dose running ------------------------


def test_the_sc_conversion_of_a_titrated_infusion_keeps_the_daily_dose() -> None:
    """Seed 000 Table 1: "convert 1:1 to subcutaneous tid" from the dose running, not the nominal.

    60 kg: 3.75 mg/h (1.5 mg/kg/day) titrated up 50 % to 5.625 mg/h is 135 mg/day: 45 mg SC
    three times daily, not the untitrated 30 mg.
    """
    events = [
        ev("rate_change", 0, rate="5 mg/h", by="RN"),
        ev("observation", 6, pain=4),
        ev("phase_change", 6, to_phase="responder-infusion", by="Dr O"),
        ev("rate_change", 6, rate="3.75 mg/h", by="RN"),
        ev("observation", 8, pain=3),
        ev("observation", 30, pain=6),
        ev("rate_change", 30, rate="5.625 mg/h", by="RN"),
        *(ev("observation", h, pain=3) for h in range(32, 55, 3)),
    ]
    recommendation = rec(_marshfield(events), 54)
    assert recommendation.action == "next_phase"
    assert recommendation.dose_mg == pytest.approx(45.0)
    assert recommendation.route == "sc"
    assert "convert-sc-1-to-1" in rules(recommendation)


# -- seed 001: the start and the last step respect the ceiling --------------------------------


@pytest.mark.parametrize("weight", ["210 kg", "250 kg"])
def test_seed_001_for_a_very_heavy_patient_never_starts_above_20_mg_per_h(weight: str) -> None:
    """Seed 001: 0.1 mg/kg/h would be 21-25 mg/h, above the protocol's own 20 mg/h maximum."""
    recommendation = rec(build([], weight=weight), 0)
    assert recommendation.rate_mg_per_h is None or recommendation.rate_mg_per_h <= 20.0
    assert recommendation.action == "ask_physician"
    assert "soft_limit" in kinds(recommendation)
    assert recommendation.check is not None
    assert recommendation.check.verdict == "soft_limit_exceeded"


def test_seed_001_the_last_step_to_a_20_mg_per_h_ceiling_is_offered() -> None:
    """Seed 001: at 19 mg/h under a 20 mg/h ceiling (120 kg) the last step goes to 20 mg/h."""
    events = [ev("rate_change", 0, rate="19 mg/h", by="RN"), ev("observation", 2, pain=8)]
    recommendation = rec(build(events, weight="120 kg"), 2)
    assert (recommendation.action, recommendation.rate_mg_per_h) == ("increase", 20.0)
    assert any("last permitted step" in r.text for r in recommendation.reasons)


# -- hard limits on doses, not only rates -------------------------------------------------------


def test_a_recorded_90_mg_iv_bolus_at_70_kg_is_a_hard_limit_not_the_next_dose() -> None:
    """Seed 004 Appendix 2: 1 mg/kg IV is anaesthesia; 90 mg at 70 kg is 1.29 mg/kg."""
    events = [ev("dose_given", 0, dose="90 mg", route="iv", by="Dr M")]
    recommendation = rec(build(events, protocol="mercadante-bolus", weight="70 kg"), 0.5)
    assert "hard_limit" in kinds(recommendation)
    assert recommendation.action == "ask_physician"
    assert recommendation.dose_mg is None


def test_a_500_mg_bolus_during_an_infusion_stops_it_and_is_never_answered_increase() -> None:
    """A 500 mg IV bolus at 70 kg (7 mg/kg) given on top of an infusion is anaesthetic territory."""
    events = [
        ev("rate_change", 0, rate="7 mg/h", by="RN"),
        ev("dose_given", 1, dose="500 mg", route="iv", by="RN"),
        ev("observation", 3, pain=8),
    ]
    recommendation = rec(build(events), 3)
    assert "hard_limit" in kinds(recommendation)
    assert recommendation.action == "stop"


def test_the_single_dose_hard_limit_follows_the_route() -> None:
    """Fine's SC doses double from 0.5 mg/kg: 1 mg/kg SC needs a physician, and is not refused.

    The same 70 mg at 70 kg given intravenously is an anaesthetic dose (seed 004 Appendix 2).
    """
    protocol, weight = shipped("fine-escalating-bolus"), BodyWeight.from_kg(70)
    sc = check_dose(protocol, weight, Mass.of(70, "mg"), limit_table(), route=Route.SC)
    iv = check_dose(protocol, weight, Mass.of(70, "mg"), limit_table(), route=Route.IV)
    assert (sc.verdict, iv.verdict) == ("soft_limit_exceeded", "hard_limit_exceeded")
    events = [
        ev("dose_given", 0, dose="35 mg", route="sc", by="Dr F"),
        ev("observation", 0.75, pain=8),
    ]
    held = rec(build(events, protocol="fine-escalating-bolus", phase="sc-dose-finding"), 0.75)
    assert (held.action, held.dose_mg) == ("continue", 35.0)
    assert "ceiling_reached" in kinds(held)
    assert "hard_limit" not in kinds(held)
    override = ev("physician_override", 0.75, physician="Dr F", reason="doubling", up_to="70 mg")
    episode = build([*events, override], protocol="fine-escalating-bolus", phase="sc-dose-finding")
    allowed = rec(episode, 0.75)
    assert (allowed.action, allowed.dose_mg, allowed.route) == ("increase", 70.0, "sc")
    assert "override_in_effect" in kinds(allowed)


def test_resuming_at_a_rate_above_the_hard_limit_is_refused_with_its_alert() -> None:
    """A pause at 80 mg/h (70 kg: above 1 mg/kg/h) never ends in "restart at the earlier rate"."""
    events = [
        ev("rate_change", 0, rate="0.05 mg/kg/h", by="Dr P"),
        ev("rate_change", 1, rate="80 mg/h", by="RN"),
        ev("pause", 1.5, by="RN"),
    ]
    recommendation = rec(build(events, protocol="noncancer-subcutaneous", weight="70 kg"), 3)
    assert recommendation.action != "resume"
    assert recommendation.rate_mg_per_h is None or recommendation.rate_mg_per_h < 70
    assert "hard_limit" in kinds(recommendation)


def test_an_override_above_the_hard_limit_is_shown_and_covers_nothing_at_it() -> None:
    """Nothing overrides a hard limit: an override up to 90 mg/h at 70 kg is flagged."""
    events = [
        ev("rate_change", 0, rate="7 mg/h", by="RN"),
        ev("physician_override", 1, physician="Dr A", reason="refractory", up_to="90 mg/h"),
        ev("observation", 2, pain=8),
    ]
    recommendation = rec(build(events), 2)
    assert "hard_limit" in kinds(recommendation)
    assert recommendation.rate_mg_per_h is not None
    assert recommendation.rate_mg_per_h < 70


# -- readings have an age -----------------------------------------------------------------------


def test_ten_days_after_the_last_pain_score_there_is_no_increase() -> None:
    """A pain score ten days old does not drive a step up: the assessment is overdue."""
    events = [ev("rate_change", 0, rate="7 mg/h", by="RN"), ev("observation", 2, pain=8)]
    recommendation = rec(build(events), 2 + 240)
    assert recommendation.action != "increase"
    assert "assessment_overdue" in kinds(recommendation)
    assert recommendation.next_assessment_at == hours(242)


def test_twelve_hours_with_no_pain_score_is_an_overdue_assessment() -> None:
    """No pain score at all since the start: by 12 h the assessment is overdue."""
    recommendation = rec(build([ev("rate_change", 0, rate="7 mg/h", by="RN")]), 12)
    assert recommendation.action == "continue"
    assert "assessment_overdue" in kinds(recommendation)


def test_a_single_respiratory_rate_of_6_under_sustained_below_7_asks_for_a_recheck() -> None:
    """Seed 000 Table 1: "sustained RR <7": one reading of 6 prompts a recheck, and no raise."""
    events = [
        ev("rate_change", 0, rate="5 mg/h", by="RN"),
        ev("observation", 1, pain=5, respiratory_rate=6),
    ]
    recommendation = rec(_marshfield(events), 1)
    assert recommendation.action != "stop"
    assert "recheck" in kinds(recommendation)
    assert recommendation.next_assessment_at == hours(1.25)


# -- adjuncts (seed 000) ------------------------------------------------------------------------


def _lorazepam(at_h: float) -> dict[str, Any]:
    return ev("prn_given", at_h, drug="lorazepam", dose="1 mg", by="RN")


def _lorazepam_at(events: list[dict[str, Any]], at_h: float) -> Any:
    recommendation = rec(_marshfield(events), at_h)
    return next(p for p in recommendation.prn if p.drug == "lorazepam")


def test_lorazepam_up_to_three_doses_a_day() -> None:
    """Seed 000: lorazepam "every 3 hours up to 3 doses/day prn": a fourth waits a day."""
    test = ev("rate_change", 0, rate="5 mg/h", by="RN")
    three = [test, _lorazepam(0), _lorazepam(3), _lorazepam(6)]
    fourth = _lorazepam_at([*three, ev("observation", 10, symptoms=["dysphoria"])], 10)
    assert not fourth.available_now
    later = [*three, ev("observation", 24.5, symptoms=["dysphoria"])]
    assert _lorazepam_at(later, 24.5).available_now


def test_haloperidol_is_the_alternative_to_lorazepam_not_an_addition() -> None:
    """Seed 000: "Alternatively, haloperidol"; a benzodiazepine is preferred (cardiac effects)."""
    events = [
        ev("rate_change", 0, rate="5 mg/h", by="RN"),
        _lorazepam(0),
        ev("observation", 4, symptoms=["hallucinations"]),
    ]
    recommendation = rec(_marshfield(events), 4)
    haloperidol = next(p for p in recommendation.prn if p.drug == "haloperidol")
    assert not haloperidol.available_now
    assert "butyrophenone" in haloperidol.note


def test_haloperidol_given_is_not_offered_again_now_and_again() -> None:
    """The source gives haloperidol no interval or maximum: once a day, then the physician."""
    events = [
        ev("rate_change", 0, rate="5 mg/h", by="RN"),
        ev("prn_given", 1, drug="haloperidol", dose="2 mg", by="RN"),
        ev("observation", 5, symptoms=["hallucinations"]),
    ]
    recommendation = rec(_marshfield(events), 5)
    haloperidol = next(p for p in recommendation.prn if p.drug == "haloperidol")
    lorazepam = next(p for p in recommendation.prn if p.drug == "lorazepam")
    assert not haloperidol.available_now
    assert not lorazepam.available_now
