"""Transitions as planned steps: IV to subcutaneous, both oral readings, memantine after.

Seed 000, Table 1: "If pain improved by 50% or more ... continue with intravenous infusion at a
total dose of 1.5 mg/kg/day for 48 (72) hours, than convert 1:1 to subcutaneous tid"; "Oral
conversion is a matter of dispute. I tend not to decrease the dose on the parenteral to enteral
conversion"; "Clinical Protocols": "Parenteral to enteral transition is anecdotally said to allow
for up to 50%-60% of dose reduction (27). This cannot be considered a standard of practice".
Bioavailability: oral 17 % (seed 004, Appendix 2), about 20 % (seed 000), 23 % oral and 32 %
sublingual with ketamine and norketamine about 55 % (seed 003). Seed 002: memantine 5 mg bid,
then 10 mg bid.
"""

from __future__ import annotations

import pytest
from bedside_build import build, ev
from course_build import SEED_002_BEFORE_TAPER, limits, protocol, seed_002

from ketamine_cds.domain.outcomes.transitions import TransitionPlan, plan_transitions
from ketamine_cds.service.course import PlasmaPrediction, predicted_transitions

MARSHFIELD = "marshfield-inpatient"


def _iv_plan() -> TransitionPlan:
    events = [ev("rate_change", 0, rate="1.5 mg/kg/day", by="RN"), ev("observation", 47, pain=3)]
    episode = build(events, protocol=MARSHFIELD, weight="70 kg", phase="responder-infusion")
    return plan_transitions(episode, protocol(MARSHFIELD), limits())


def _sc_plan() -> TransitionPlan:
    episode = build(
        [ev("dose_given", 0, dose="35 mg", route="sc", by="RN")],
        protocol=MARSHFIELD,
        weight="70 kg",
        phase="subcutaneous-tid",
    )
    return plan_transitions(episode, protocol(MARSHFIELD), limits())


def test_iv_to_subcutaneous_is_1_to_1_three_times_daily_from_the_dose_running() -> None:
    """1.5 mg/kg/day at 70 kg is 105 mg a day: 35 mg subcutaneously three times daily."""
    (option,) = _iv_plan().options
    assert (option.to_route, option.doses_per_day) == ("sc", 3)
    assert option.from_per_day_mg == pytest.approx(105)
    assert option.dose_mg == pytest.approx(35)
    assert option.verdict == "within_protocol"
    assert [f.check.verdict for f in option.figures] == ["within_protocol", "within_protocol"]


def test_parenteral_to_oral_shows_both_readings_with_their_sources() -> None:
    """From 35 mg SC tid: 35 mg oral tid (1:1, the author) and 14-17.5 mg tid (Fitzgibbon)."""
    plan = _sc_plan()
    by_reading = {(o.conversion_id, o.ratio): o for o in plan.options}
    author = by_reading[("convert-oral-author", 1.0)]
    assert author.dose_mg == pytest.approx(35)
    assert "seed 000" in author.source
    low, high = (
        by_reading[("convert-oral-fitzgibbon", 0.4)],
        by_reading[("convert-oral-fitzgibbon", 0.5)],
    )
    assert (low.dose_mg, high.dose_mg) == pytest.approx((14, 17.5))
    assert "Fitzgibbon" in low.source
    assert any("disagree" in note for note in plan.notes)


def test_every_oral_figure_carries_its_dose_check() -> None:
    """Marshfield has no oral phase: each oral dose is outside the protocol (a soft limit),
    and its 24-hour intravenous equivalent is checked against the daily hard limit."""
    for option in _sc_plan().options:
        dose, daily = option.figures
        assert dose.check.verdict == "soft_limit_exceeded"
        assert "no phase that gives a single dose by the oral route" in dose.check.reasons[0]
        assert daily.check.verdict == "within_protocol"
        assert daily.mg == pytest.approx(option.per_day_mg * 0.23)  # the highest oral figure


def test_the_bioavailability_figures_are_listed_with_their_sources() -> None:
    """17 % (seed 004), 20 % (seed 000), 23 % and sublingual 32 %, 55 % with norketamine (003)."""
    figures = {(b.route, b.percent): b.source for b in _sc_plan().bioavailability}
    assert "seed 004" in figures[("oral", 17)]
    assert "seed 000" in figures[("oral", 20)]
    assert "seed 003" in figures[("oral", 23)]
    assert "seed 003" in figures[("sublingual", 32)]
    assert "seed 003" in figures[("oral or sublingual", 55)]


def test_ketamine_to_memantine_5_then_10_mg_twice_daily() -> None:
    """Seed 002: the transition's drug, step by step, continued after discharge."""
    plan = plan_transitions(
        seed_002(SEED_002_BEFORE_TAPER), protocol("ultra-low-memantine"), limits()
    )
    assert [(d.drug, d.dose, d.doses_per_day) for d in plan.drugs] == [
        ("memantine", "5 mg", 2),
        ("memantine", "10 mg", 2),
    ]
    assert all(d.continue_after_discharge for d in plan.drugs)


def _level(prediction: PlasmaPrediction | None) -> float:
    assert prediction is not None
    assert prediction.steady_state_ng_per_ml is not None
    return prediction.steady_state_ng_per_ml


def test_the_predicted_plasma_levels_follow_each_routes_bioavailability() -> None:
    """Steady state scales with dose and route: SC 90 % of IV; oral 20 % (the simulator's
    default, seed 000) of IV; Fitzgibbon's 0.4 ratio is 0.4 of the author's 1:1."""
    oral = predicted_transitions(_sc_plan(), 70)
    levels = {
        (o.conversion_id, o.ratio): p
        for o, p in zip(oral.plan.options, oral.predictions, strict=True)
    }
    author = _level(levels[("convert-oral-author", 1.0)])
    assert _level(levels[("convert-oral-fitzgibbon", 0.4)]) == pytest.approx(0.4 * author, rel=0.02)
    iv = predicted_transitions(_iv_plan(), 70)
    now, sc = _level(iv.current), _level(iv.predictions[0])
    assert sc == pytest.approx(0.9 * now, rel=0.02)
    assert author == pytest.approx(0.2 / 0.9 * sc, rel=0.02)
