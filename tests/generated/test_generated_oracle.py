"""The oracle itself: its limits are the sources' numbers and its readings find what they should.

These tests build episodes and answers by hand; none calls the engine.
"""

from __future__ import annotations

import math
from datetime import timedelta
from typing import Any

import pytest
from bedside_build import T0, build, ev, hours
from engine_check import shipped
from oracle import (
    BIOAVAILABILITY,
    DAILY_IV_EQUIVALENT_MG_PER_KG,
    HARD_RATE_MG_PER_KG_H,
    SINGLE_DOSE_MG_PER_KG,
    Finding,
    current_criteria,
    deterministic,
    dose_ceiling_mg,
    freshness,
    hard_limit_alerted,
    hard_limits_reached,
    iv_equivalent_24h,
    judge,
    no_dose_at_hard_limit,
    no_raise_on_stale_reading,
    no_raise_while_criterion_holds,
    no_rate_at_hard_limit,
    nothing_above_soft_ceiling_unflagged,
    rate_ceiling,
    replay_facts,
)

from ketamine_cds.domain.bedside import Alert, Recommendation
from ketamine_cds.domain.episode import Episode
from ketamine_cds.domain.vocabulary import Route


def answer(at_h: float, action: str, *, rate: float | None = None, **more: Any) -> Recommendation:
    """A recommendation as the engine would shape it, written by hand."""
    alerts = [Alert(kind=kind, text="x", source="y") for kind in more.pop("alerts", [])]
    return Recommendation(
        at=hours(at_h),
        protocol_id="any",
        protocol_version="1.0.0",
        phase=more.pop("phase", None),
        action=action,  # type: ignore[arg-type]
        rate_mg_per_h=rate,
        dose_mg=more.pop("dose", None),
        reasons=[],
        alerts=alerts,
        next_assessment_at=None,
        prn=[],
    )


def facts(episode: Episode, at_h: float) -> Any:
    """The oracle's reading of ``episode`` at ``at_h`` hours."""
    return replay_facts(episode, shipped(episode.protocol.id), hours(at_h))


def invariants(findings: list[Finding]) -> set[str]:
    """The invariants broken."""
    return {f.invariant for f in findings}


def test_the_hard_limits_are_the_products_numbers_from_the_sources() -> None:
    """1 mg/kg/h; 1 mg/kg IV, 6.5 mg/kg SC and IM; oral, sublingual and intranasal the IV limit
    over the bioavailability (23 %, 32 %, 50 %) rounded down; 24 mg/kg a day IV-equivalent."""
    assert HARD_RATE_MG_PER_KG_H == 1.0
    assert SINGLE_DOSE_MG_PER_KG[Route.IV] == 1.0
    assert SINGLE_DOSE_MG_PER_KG[Route.SC] == SINGLE_DOSE_MG_PER_KG[Route.IM] == 6.5
    for route in (Route.ORAL, Route.SUBLINGUAL, Route.INTRANASAL):
        expected = math.floor(SINGLE_DOSE_MG_PER_KG[Route.IV] / BIOAVAILABILITY[route])
        assert SINGLE_DOSE_MG_PER_KG[route] == expected
    assert (BIOAVAILABILITY[Route.ORAL], BIOAVAILABILITY[Route.SUBLINGUAL]) == (0.23, 0.32)
    assert BIOAVAILABILITY[Route.SC] == BIOAVAILABILITY[Route.IM] == 0.9
    assert BIOAVAILABILITY[Route.INTRANASAL] == 0.5
    assert DAILY_IV_EQUIVALENT_MG_PER_KG == 24 * HARD_RATE_MG_PER_KG_H
    assert set(SINGLE_DOSE_MG_PER_KG) == set(BIOAVAILABILITY) == set(Route)


def test_a_90_mg_iv_dose_at_70_kg_reaches_the_hard_limit_an_oral_one_does_not() -> None:
    """90 mg IV at 70 kg is above 1 mg/kg; 90 mg oral is below 4 mg/kg (280 mg)."""
    iv = build([ev("dose_given", 1, dose="90 mg", route="iv", by="RN")])
    oral = build([ev("dose_given", 1, dose="90 mg", route="oral", by="RN")])
    assert [kind for _, kind, _ in hard_limits_reached(facts(iv, 2))] == ["dose"]
    assert hard_limits_reached(facts(oral, 2)) == []
    assert hard_limits_reached(facts(iv, 25.5)) == []


def test_a_dose_without_a_route_takes_its_phases_route() -> None:
    """300 mg at 70 kg in the subcutaneous protocol is within 6.5 mg/kg; given IV it is not."""
    sc = build([ev("dose_given", 1, dose="300 mg", by="RN")], protocol="noncancer-subcutaneous")
    iv = build(
        [ev("dose_given", 1, dose="300 mg", route="iv", by="RN")],
        protocol="noncancer-subcutaneous",
    )
    assert hard_limits_reached(facts(sc, 2)) == []
    assert [kind for _, kind, _ in hard_limits_reached(facts(iv, 2))] == ["dose"]


def test_the_daily_total_counts_infusions_and_doses_by_their_routes_bioavailability() -> None:
    """0.5 mg/kg/h IV for a day at 70 kg (840 mg) plus 100 mg oral (23 mg) is 863 mg; an hour's
    pause takes off 35 mg; 200 mg IV on top of 0.9 mg/kg/h for a day passes 1,680 mg; a
    subcutaneous infusion counts at 90 % (ADR 0042): 0.5 mg/kg/h SC for a day is 756 mg."""
    steady = build(
        [
            ev("rate_change", 0, rate="0.5 mg/kg/h", by="RN"),
            ev("dose_given", 2, dose="100 mg", route="oral", by="RN"),
        ]
    )
    assert iv_equivalent_24h(facts(steady, 24)) == pytest.approx(863)
    paused = build(
        [
            ev("rate_change", 0, rate="35 mg/h", by="RN"),
            ev("pause", 5, by="RN"),
            ev("resume", 6, by="RN"),
        ]
    )
    assert iv_equivalent_24h(facts(paused, 24)) == pytest.approx(35 * 23)
    heavy = build(
        [
            ev("rate_change", 0, rate="0.9 mg/kg/h", by="RN"),
            ev("dose_given", 3, dose="200 mg", route="iv", by="RN"),
        ]
    )
    kinds = [kind for _, kind, _ in hard_limits_reached(facts(heavy, 24))]
    assert kinds == ["dose", "total"]
    sc = build(
        [ev("rate_change", 0, rate="0.5 mg/kg/h", by="RN")], protocol="noncancer-subcutaneous"
    )
    assert iv_equivalent_24h(facts(sc, 24)) == pytest.approx(756)


def test_the_freshness_window_is_the_protocols_longest_pain_or_vitals_interval() -> None:
    """Marshfield checks pain every 2-3 h (3 h); AMR daily; Kannan every 12 h; seed 001 and
    Jackson give no interval for pain or vitals (the product's 4 h)."""
    expected = {
        "marshfield-inpatient": 3,
        "amr-spinal-cord-injury": 24,
        "kannan-oral": 12,
        "cancer-continuous": 4,
        "jackson-burst": 4,
    }
    for protocol_id, window in expected.items():
        assert freshness(shipped(protocol_id)) == timedelta(hours=window)


def test_rate_ceilings_are_the_lower_of_the_phases_own_else_the_default() -> None:
    """Seed 001: 0.2 mg/kg/h or 20 mg/h, whichever is lower; Marshfield's test dose 0.5 mg/kg
    over its shortest 4 h; the default 0.5 mg/kg/h where unspecified or for a bolus phase."""
    cancer = shipped("cancer-continuous").phase("infusion")
    assert rate_ceiling(cancer, 70) == (pytest.approx(14), ())
    assert rate_ceiling(cancer, 250) == (pytest.approx(20), ())
    marshfield = shipped("marshfield-inpatient")
    assert rate_ceiling(marshfield.phase("test-infusion"), 60) == (
        pytest.approx(7.5),
        ("timed-total-as-rate",),
    )
    assert rate_ceiling(marshfield.phase("responder-infusion"), 60) == (pytest.approx(30), ())
    pca = shipped("pca-procedural").phase("pca")
    assert rate_ceiling(pca, 80) == (pytest.approx(40), ("dose-phase-rate-default",))


def test_a_single_low_respiratory_rate_under_a_sustained_rule_holds() -> None:
    """Marshfield's "sustained RR < 7": one value of 6 already forbids a raise; a later 12 clears
    it; a systolic rise is judged against the baseline (120: above 150)."""
    one = build([ev("observation", 1, respiratory_rate=6)], protocol="marshfield-inpatient")
    assert [r.rule for r in current_criteria(facts(one, 1))] == ["stop-respiratory-rate"]
    cleared = build(
        [ev("observation", 1, respiratory_rate=6), ev("observation", 2, respiratory_rate=12)],
        protocol="marshfield-inpatient",
    )
    assert current_criteria(facts(cleared, 2)) == []
    high = build([ev("observation", 1, systolic_bp=151)], protocol="marshfield-inpatient")
    edge = build([ev("observation", 1, systolic_bp=150)], protocol="marshfield-inpatient")
    assert [r.rule for r in current_criteria(facts(high, 1))] == ["stop-systolic-rise"]
    assert current_criteria(facts(edge, 1)) == []


def test_dissociation_recorded_during_a_pause_forbids_the_resume() -> None:
    """Seed 004: dissociation ends the infusion; seen during the pause, 'resume' is a raise."""
    episode = build(
        [
            ev("rate_change", 0, rate="0.1 mg/kg/h", by="RN"),
            ev("observation", 1, pain=5, symptoms=["nausea"], troublesome=True),
            ev("pause", 1.1, by="RN"),
            ev("observation", 1.5, symptoms=["dissociation"]),
        ],
        protocol="noncancer-subcutaneous",
    )
    findings = no_raise_while_criterion_holds(answer(2.2, "resume"), facts(episode, 2.2))
    rules = {f.text.split(" holds")[0].split()[-1] for f in findings}
    assert rules == {"stop-dissociative-amnestic", "side-effect-dissociative-amnestic-stop"}
    assert no_raise_while_criterion_holds(answer(2.2, "pause", rate=0), facts(episode, 2.2)) == []


def test_a_notification_answered_by_a_physician_no_longer_forbids_a_raise() -> None:
    """Seed 001: notify for a pulse above 110; a physician's decision after it answers it."""
    events = [ev("rate_change", 0, rate="7 mg/h", by="RN"), ev("observation", 2, heart_rate=120)]
    pending = build(events)
    answered = build([*events, ev("physician_decision", 2.5, physician="Dr", decision="go on")])
    raise_ = answer(3, "increase", rate=9)
    assert invariants(no_raise_while_criterion_holds(raise_, facts(pending, 3))) == {
        "raise_while_criterion_holds"
    }
    assert no_raise_while_criterion_holds(raise_, facts(answered, 3)) == []


def test_an_increase_needs_a_fresh_pain_score_above_goal_after_the_last_change() -> None:
    """Seed 001 every 4 h by default: pain 7/10 one hour ago allows an increase; five hours ago,
    before the rate change, at goal, or never recorded, it does not."""
    base = [ev("rate_change", 0, rate="7 mg/h", by="RN")]
    fresh = build([*base, ev("observation", 2, pain=7)])
    late = build(
        [*base, ev("observation", 2, pain=7), ev("rate_change", 2.5, rate="9 mg/h", by="RN")]
    )
    at_goal = build([*base, ev("observation", 2, pain=4)])
    never = build([*base, ev("observation", 2, heart_rate=80)])
    step = answer(3, "increase", rate=9)
    assert no_raise_on_stale_reading(step, facts(fresh, 3)) == []
    assert no_raise_on_stale_reading(answer(7, "increase", rate=9), facts(fresh, 7)) != []
    for episode in (late, at_goal, never):
        assert invariants(no_raise_on_stale_reading(step, facts(episode, 3))) == {
            "raise_on_stale_reading"
        }


def test_above_a_ceiling_needs_an_override_or_a_soft_limit_alert() -> None:
    """Seed 001 at 250 kg: 25 mg/h passes 20 mg/h; an override up to 30 mg/h or a soft_limit
    alert covers it; stopping a running 25 mg/h brings it within."""
    start = build([], weight="250 kg")
    assert nothing_above_soft_ceiling_unflagged(answer(0, "start", rate=25), facts(start, 0))
    flagged = answer(0, "start", rate=25, alerts=["soft_limit"])
    assert nothing_above_soft_ceiling_unflagged(flagged, facts(start, 0)) == []
    overridden = build(
        [ev("physician_override", 0.5, physician="Dr", reason="reviewed", up_to="30 mg/h")],
        weight="250 kg",
    )
    assert (
        nothing_above_soft_ceiling_unflagged(answer(1, "start", rate=25), facts(overridden, 1))
        == []
    )
    running = build([ev("rate_change", 0, rate="25 mg/h", by="RN")], weight="250 kg")
    assert nothing_above_soft_ceiling_unflagged(answer(1, "stop", rate=0), facts(running, 1)) == []
    assert nothing_above_soft_ceiling_unflagged(answer(1, "continue", rate=25), facts(running, 1))


def test_a_hard_limit_needs_its_alert_and_no_carrying_on() -> None:
    """80 mg/h at 70 kg: 'stop' with a hard_limit alert passes; 'continue' without one breaks
    the rule twice; a recommended rate or dose at the limit breaks the first two invariants."""
    episode = build([ev("rate_change", 0, rate="80 mg/h", by="RN")])
    now = facts(episode, 1)
    assert hard_limit_alerted(answer(1, "stop", rate=0, alerts=["hard_limit"]), now) == []
    assert len(hard_limit_alerted(answer(1, "continue"), now)) == 2
    assert invariants(no_rate_at_hard_limit(answer(1, "continue", rate=70), now)) == {
        "rate_at_hard_limit"
    }
    assert no_rate_at_hard_limit(answer(1, "continue", rate=69.9), now) == []
    dose = answer(1, "continue", dose=70, phase="infusion")
    assert invariants(no_dose_at_hard_limit(dose, now)) == {"dose_at_hard_limit"}


def test_a_paused_pump_holding_a_hard_limit_rate_is_a_stricter_reading() -> None:
    """A rate above the hard limit held on a paused pump is flagged, tagged as the oracle's
    stricter reading (restarting would run it)."""
    episode = build([ev("rate_change", 0, rate="80 mg/h", by="RN"), ev("pause", 0.5, by="RN")])
    findings = hard_limit_alerted(answer(1, "pause", rate=0), facts(episode, 1))
    assert [f.readings for f in findings] == [("held-rate",)]


def test_a_restart_with_no_rate_after_a_stop_is_answered_by_the_record_inconsistent_alert() -> None:
    """A restart with no rate after a stop is shown as record_inconsistent (ADR 0044): that alert
    answers the rate it would run, but the answer may not carry on at it."""
    episode = build(
        [
            ev("rate_change", 0, rate="80 mg/h", by="RN"),
            ev("stop", 1, by="RN"),
            ev("resume", 5, by="Dr P"),
        ]
    )
    seen = facts(episode, 5)
    stopped = answer(5, "discontinue", rate=0, alerts=["record_inconsistent"])
    assert hard_limit_alerted(stopped, seen) == []
    assert hard_limit_alerted(answer(5, "discontinue", rate=0), seen) != []
    carrying_on = answer(5, "continue", rate=80, alerts=["record_inconsistent"])
    assert invariants(hard_limit_alerted(carrying_on, seen)) == {"hard_limit_without_alert"}
    day_later = facts(episode, 29)
    assert [r for _, kind, r in hard_limits_reached(day_later)] == [
        ("resume-without-pause",),
        ("resume-without-pause",),
    ]
    assert hard_limit_alerted(stopped, day_later) == []
    reset = build(
        [
            ev("rate_change", 0, rate="80 mg/h", by="RN"),
            ev("stop", 1, by="RN"),
            ev("resume", 5, by="Dr P"),
            ev("resume", 29, rate="10 mg/h", by="Dr P"),
        ]
    )
    shown = ["record_inconsistent"]
    assert hard_limit_alerted(answer(29, "continue", rate=10, alerts=shown), facts(reset, 29)) == []
    raised = hard_limit_alerted(answer(29, "increase", rate=12, alerts=shown), facts(reset, 29))
    assert invariants(raised) == {"hard_limit_without_alert"}


def test_a_resume_of_a_running_pump_is_no_restart_for_the_pain_score() -> None:
    """A resume with no rate while the pump runs, or when no rate was ever set, restarts
    nothing: the pain score taken since the last rate or dose still judges an increase."""
    episode = build(
        [
            ev("rate_change", 0, rate="5 mg/h", by="RN"),
            ev("observation", 2, pain=8),
            ev("resume", 2.5, by="RN"),
        ]
    )
    assert no_raise_on_stale_reading(answer(2.5, "increase", rate=7), facts(episode, 2.5)) == []
    bolus = build(
        [
            ev("dose_given", 0, dose="10 mg", route="im", by="RN"),
            ev("observation", 1, pain=8),
            ev("resume", 1.5, by="RN"),
        ],
        protocol="fine-escalating-bolus",
    )
    double = answer(1.5, "increase", dose=20)
    assert no_raise_on_stale_reading(double, facts(bolus, 1.5)) == []


def test_replay_determinism_compares_whole_answers() -> None:
    """Equal answers pass; a different cut answer is a finding."""
    same = answer(1, "continue", rate=7)
    assert deterministic(same, same, same) == []
    assert invariants(deterministic(same, same, answer(1, "increase", rate=9))) == {
        "not_deterministic"
    }


def test_judge_runs_every_invariant_on_one_answer() -> None:
    """One answer can break several invariants at once; a sound one breaks none."""
    episode = build([ev("rate_change", 0, rate="7 mg/h", by="RN"), ev("observation", 1, pain=7)])
    protocol = shipped("cancer-continuous")
    assert judge(episode, protocol, hours(2), answer(2, "continue", rate=7)) == []
    bad = judge(episode, protocol, T0 + timedelta(hours=9), answer(9, "increase", rate=80))
    assert invariants(bad) == {
        "rate_at_hard_limit",
        "raise_on_stale_reading",
        "above_soft_ceiling_unflagged",
    }


def test_corrections_and_entries_in_error_are_read_as_the_record_says() -> None:
    """A dose withdrawn as entered in error no longer counts; a corrected rate is read as the
    correction from the correction's time; neither counts before it is made."""
    withdrawn = build(
        [
            ev("dose_given", 1, dose="90 mg", route="iv", by="RN", id="d1"),
            ev("entered_in_error", 2, by="RN", reason="wrong patient", corrects="d1"),
        ]
    )
    assert [kind for _, kind, _ in hard_limits_reached(facts(withdrawn, 1.5))] == ["dose"]
    assert hard_limits_reached(facts(withdrawn, 2.5)) == []
    corrected = build(
        [
            ev("rate_change", 0, rate="80 mg/h", by="RN", id="r1"),
            ev("rate_change", 1, rate="8 mg/h", by="RN", corrects="r1"),
        ]
    )
    assert facts(corrected, 0.5).running_rate == pytest.approx(80)
    assert facts(corrected, 2).running_rate == pytest.approx(8)


def test_an_override_up_to_a_dose_covers_doses_up_to_it() -> None:
    """Fine's SC dose-finding boluses (no stated ceiling; 0.5 mg/kg, 30 mg at 60 kg): 45 mg needs
    an override up to at least 45 mg or a soft-limit alert. Marshfield's SC doses, divided over
    the day, have the default rate ceiling spread over three doses (240 mg at 60 kg)."""
    base = [ev("phase_change", 0, to_phase="sc-dose-finding", by="Dr")]
    plain = build(base, protocol="fine-escalating-bolus", weight="60 kg")
    covered = build(
        [*base, ev("physician_override", 1, physician="Dr", reason="reviewed", up_to="50 mg")],
        protocol="fine-escalating-bolus",
        weight="60 kg",
    )
    step = answer(2, "increase", dose=45, phase="sc-dose-finding")
    assert invariants(nothing_above_soft_ceiling_unflagged(step, facts(plain, 2))) == {
        "above_soft_ceiling_unflagged"
    }
    assert nothing_above_soft_ceiling_unflagged(step, facts(covered, 2)) == []
    tid = shipped("marshfield-inpatient").phase("subcutaneous-tid")
    assert dose_ceiling_mg(tid, 60) == pytest.approx(240)
