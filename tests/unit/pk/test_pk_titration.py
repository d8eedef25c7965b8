"""A titration rule followed step by step to its ceiling, or held at a chosen step."""

from __future__ import annotations

import pytest

from ketamine_cds.domain.errors import UserInputError
from ketamine_cds.domain.pk.titration import (
    Titration,
    titrated_divided_doses,
    titrated_doses,
    titrated_infusion,
)


def test_a_step_in_mg_per_h_stops_at_the_ceiling():
    """7 mg/h + 2 mg/h steps to a 14 mg/h ceiling: 7, 9, 11, 13, then 14 (not 15)."""
    assert Titration(interval_h=2, ceiling=14, step=2).levels(7) == [7, 9, 11, 13, 14]


def test_percent_steps_and_a_schedule():
    """Doubling from 7 mg to a 24.5 mg ceiling; a schedule is followed as written."""
    assert Titration(interval_h=0.25, ceiling=24.5, step_percent=100).levels(7) == [7, 14, 24.5]
    schedule = Titration(interval_h=24, ceiling=30, schedule=(4, 12, 20))
    assert schedule.levels(4) == [4, 12, 20]


def test_hold_at_step():
    """Holding after k steps keeps k + 1 levels; 0 holds the start."""
    assert Titration(interval_h=2, ceiling=14, step=2, hold_at_step=2).levels(7) == [7, 9, 11]
    assert Titration(interval_h=2, ceiling=14, step=2, hold_at_step=0).levels(7) == [7]


def test_an_infusion_is_split_into_steps_that_fill_the_phase():
    """Each level runs for one interval, the last to the end of the phase."""
    rule = Titration(interval_h=2, ceiling=14, step=2)
    phases = titrated_infusion(
        "inf", "iv", start_h=1.0, duration_h=72.0, rate_mg_per_h=7.0, rule=rule
    )
    assert [(p.start_h, p.end_h, p.mean_rate_mg_per_h()) for p in phases] == [
        (1.0, 3.0, 7.0),
        (3.0, 5.0, 9.0),
        (5.0, 7.0, 11.0),
        (7.0, 9.0, 13.0),
        (9.0, 73.0, 14.0),
    ]


def test_a_short_phase_ends_before_the_ceiling():
    """A 3-hour phase reaches only the second step."""
    rule = Titration(interval_h=2, ceiling=14, step=2)
    phases = titrated_infusion(
        "inf", "iv", start_h=0.0, duration_h=3.0, rate_mg_per_h=7.0, rule=rule
    )
    assert [(p.start_h, p.end_h, p.mean_rate_mg_per_h()) for p in phases] == [
        (0.0, 2.0, 7.0),
        (2.0, 3.0, 9.0),
    ]


def test_without_a_rule_a_phase_is_one_level():
    """No titration: one phase of the whole duration, named as the protocol names it."""
    (phase,) = titrated_infusion(
        "inf", "iv", start_h=0.0, duration_h=48.0, rate_mg_per_h=3.5, rule=None
    )
    assert (phase.id, phase.start_h, phase.end_h, phase.mean_rate_mg_per_h()) == (
        "inf",
        0.0,
        48.0,
        3.5,
    )


def test_doses_and_divided_doses():
    """Escalating single doses every interval; divided doses growing by the step each day."""
    doubling = Titration(interval_h=0.25, ceiling=24.5, step_percent=100)
    doses = titrated_doses("b", "iv", start_h=0.0, dose_mg=7.0, rule=doubling)
    given = [(p.start_h, p.dose.mg) for p in doses]  # type: ignore[union-attr]
    assert given == [(0.0, 7.0), (0.25, 14.0), (0.5, 24.5)]
    daily = titrated_divided_doses(
        "tid",
        "sc",
        start_h=0.0,
        duration_h=72.0,
        dose_mg=35.0,
        doses_per_day=3.0,
        rule=Titration(interval_h=24, ceiling=70, step_percent=50),
    )
    assert [(p.start_h, p.end_h, p.dose.mg) for p in daily] == [  # type: ignore[union-attr]
        (0.0, 24.0, 35.0),
        (24.0, 48.0, 52.5),
        (48.0, 72.0, 70.0),
    ]


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"interval_h": 0, "ceiling": 14}, "interval"),
        ({"interval_h": 2, "ceiling": 0}, "ceiling"),
        ({"interval_h": 2, "ceiling": 14, "hold_at_step": -1}, "hold at"),
    ],
)
def test_impossible_rules_are_refused(kwargs: dict, message: str):
    """An interval or ceiling of 0, or a negative hold, is one sentence."""
    with pytest.raises(UserInputError, match=message):
        Titration(**kwargs)
