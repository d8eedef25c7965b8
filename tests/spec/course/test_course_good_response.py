"""Good et al.'s responder definition on worked episodes (seed 000).

Seed 000, "Outcomes Reported with Ketamine Use for Cancer Pain": "Responders were defined as: 1.
Achieve a verbal rating scale (VRS) score of 0 ...; or 2. Have a 50% or greater reduction in
mean VRS. In addition, one of the following 2 surrogate criteria had to be fulfilled: Fifty
percent or greater reduction in the 24 hour opioid dose or a 50% or greater reduction in the
number of opioid breakthrough doses, or Improvement in mobility or function."

Each worked episode starts a Good et al. infusion (100 mg/24 h) with pain 8/10 and a 24-hour
opioid figure, and is assessed a few days later.
"""

from __future__ import annotations

from typing import Any

import pytest
from bedside_build import build, ev
from course_build import protocol

from ketamine_cds.domain.outcomes.response import assess_response

START = [
    ev("opioid_use", 0, med_mg_per_24h=400, breakthrough_doses_24h=8),
    ev("rate_change", 0.5, rate="100 mg/24 h", by="RN"),
]


def _assess(events: list[dict[str, Any]]) -> Any:
    episode = build(
        [*START, *events], protocol="good-triple-agent", weight="70 kg", baseline={"pain": 8}
    )
    return assess_response(episode, protocol("good-triple-agent"))


def _met(result: Any) -> dict[str, bool | None]:
    return {c.id: c.met for c in result.criteria}


def test_pain_halved_and_opioid_halved_is_a_responder() -> None:
    """Mean VRS 8 → 3 (62 % less) and 400 → 180 mg MED (55 % less): a responder."""
    result = _assess(
        [
            ev("observation", 80, pain=3),
            ev("observation", 90, pain=3),
            ev("opioid_use", 92, med_mg_per_24h=180, breakthrough_doses_24h=6),
        ]
    )
    assert result.verdict == "responder"
    met = _met(result)
    assert met["vrs-mean-halved"] is True
    assert met["opioid-24h-halved"] is True
    assert met["breakthrough-halved"] is False
    assert result.baseline_mean == 8
    assert result.window_mean == 3


def test_pain_halved_without_a_surrogate_criterion_is_not_a_responder() -> None:
    """Pain 8 → 2 but opioid 400 → 300 mg, breakthrough 8 → 6, function unchanged: not one."""
    result = _assess(
        [
            ev("observation", 90, pain=2),
            ev("opioid_use", 91, med_mg_per_24h=300, breakthrough_doses_24h=6),
            ev("assessment", 92, by="Dr G", function="unchanged"),
        ]
    )
    assert result.verdict == "non_responder"
    assert result.pain_criterion is True
    assert result.surrogate_criterion is False


def test_better_function_alone_completes_the_definition() -> None:
    """Pain 8 → 4 (50 %), no opioid reduction, function better: a responder on function only."""
    result = _assess(
        [
            ev("observation", 90, pain=4),
            ev("opioid_use", 91, med_mg_per_24h=400, breakthrough_doses_24h=8),
            ev("assessment", 92, by="Dr G", function="better"),
        ]
    )
    assert result.verdict == "responder"
    met = _met(result)
    assert (met["opioid-24h-halved"], met["breakthrough-halved"]) == (False, False)
    assert met["function-better"] is True


def test_a_score_of_0_with_breakthrough_doses_halved_is_a_responder() -> None:
    """VRS 0 at the end (criterion 1, the mean 7, 7, 0 not halved) and breakthrough 8 → 4."""
    result = _assess(
        [
            ev("observation", 75, pain=7),
            ev("observation", 80, pain=7),
            ev("observation", 90, pain=0),
            ev("opioid_use", 91, med_mg_per_24h=380, breakthrough_doses_24h=4),
        ]
    )
    met = _met(result)
    assert met["vrs-zero"] is True
    assert met["vrs-mean-halved"] is False
    assert result.verdict == "responder"


def test_pain_not_halved_is_not_a_responder_whatever_the_opioid() -> None:
    """Pain 8 → 5 (37.5 % less) with the opioid halved: the pain criterion fails."""
    result = _assess(
        [
            ev("observation", 90, pain=5),
            ev("opioid_use", 91, med_mg_per_24h=100, breakthrough_doses_24h=1),
        ]
    )
    assert result.pain_criterion is False
    assert result.verdict == "non_responder"


def test_without_an_opioid_figure_or_function_the_verdict_is_undetermined() -> None:
    """Pain halved but nothing recorded for the surrogate criteria: undetermined, saying why."""
    result = _assess([ev("observation", 90, pain=2)])
    assert result.verdict == "undetermined"
    assert result.surrogate_criterion is None
    assert any("no 24-hour MED recorded" in m for m in result.missing)


@pytest.mark.parametrize(("after", "halved"), [(200, True), (201, False)])
def test_the_opioid_halving_is_at_or_below_half(after: float, halved: bool) -> None:
    """'50 % or greater reduction': 400 → 200 mg is halved; 400 → 201 is not."""
    result = _assess([ev("observation", 90, pain=2), ev("opioid_use", 91, med_mg_per_24h=after)])
    assert _met(result)["opioid-24h-halved"] is halved


def test_scores_older_than_24_hours_do_not_count_towards_the_mean() -> None:
    """The mean on ketamine is over the 24 hours assessed: a day-1 score of 8 is left out."""
    result = _assess(
        [
            ev("observation", 20, pain=8),
            ev("observation", 80, pain=2),
            ev("observation", 90, pain=2),
            ev("opioid_use", 91, med_mg_per_24h=100),
        ]
    )
    assert [s.score for s in result.window_scores] == [2, 2]
    assert result.verdict == "responder"
