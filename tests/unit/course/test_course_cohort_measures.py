"""The cohort's arithmetic: proportions, spreads, the undetermined apart, filters, side effects."""

from __future__ import annotations

from datetime import timedelta

from bedside_build import T0, build, ev
from course_build import protocol

from ketamine_cds.domain.outcomes.cohort import (
    CohortFilter,
    EpisodeOutcome,
    cohort_report,
    episode_outcome,
    proportion,
    spread,
)


def test_a_proportion_over_nothing_has_no_percentage() -> None:
    """0 of 0 is not 0 %."""
    assert proportion(0, 0).percent is None
    assert proportion(2, 3).percent == 66.7


def test_a_spread_leaves_out_what_is_not_known() -> None:
    """Median and range over the known values only."""
    result = spread([None, 1.0, 3.0, None, 2.0])
    assert (result.n, result.median, result.minimum, result.maximum) == (3, 2.0, 1.0, 3.0)
    assert spread([None]).median is None


def _outcome(key: str, *, symptom: str | None = None, respond: bool = True) -> EpisodeOutcome:
    observation: dict[str, object] = {"pain": 2 if respond else 7}
    if symptom:
        observation["symptoms"] = [symptom]
    events = [
        ev("opioid_use", 0, med_mg_per_24h=300),
        ev("rate_change", 0.5, rate="7 mg/h", by="RN"),
        ev("observation", 20, **observation),
        ev("opioid_use", 21, med_mg_per_24h=100),
    ]
    episode = build(events, protocol="cancer-continuous", baseline={"pain": 8})
    return episode_outcome(key, episode, protocol("cancer-continuous"))


def test_undetermined_episodes_are_counted_apart_from_the_rate() -> None:
    """Two judged (one responder) and one never started: rate 1/2, undetermined 1."""
    never = episode_outcome("3", build([]), protocol("cancer-continuous"))
    report = cohort_report([_outcome("1"), _outcome("2", respond=False), never])
    assert (report.response.rate.numerator, report.response.rate.denominator) == (1, 2)
    assert report.response.undetermined == 1


def test_side_effect_rates_are_over_the_episodes_given_ketamine() -> None:
    """One of two given ketamine had nausea: 50 %; the one never started is not counted."""
    never = episode_outcome("3", build([]), protocol("cancer-continuous"))
    report = cohort_report([_outcome("1", symptom="nausea"), _outcome("2"), never])
    assert report.side_effects["nausea"].percent == 50.0
    assert report.any_side_effect.denominator == 2


def test_the_period_filter_keeps_episodes_started_within_it() -> None:
    """[from, before): the start at T0 is kept from T0, left out before T0."""
    outcomes = [_outcome("1")]
    assert cohort_report(outcomes, CohortFilter(started_from=T0)).episodes == 1
    assert cohort_report(outcomes, CohortFilter(started_before=T0)).episodes == 0
    later = CohortFilter(started_from=T0 + timedelta(seconds=1))
    assert cohort_report(outcomes, later).episodes == 0


def test_the_opioid_change_is_from_the_first_to_the_last_med() -> None:
    """300 → 100 mg/day is -66.7 %, and counts as halved."""
    report = cohort_report([_outcome("1")])
    assert report.med_change_percent.median == -66.7
    assert report.opioid_halved.numerator == 1
