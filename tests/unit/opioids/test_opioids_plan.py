"""The opioid plan: conversion to one species, reduction schedule, timeline."""

from __future__ import annotations

from typing import Any

import pytest
from library import REF

from ketamine_cds.domain.errors import UserInputError
from ketamine_cds.domain.opioids.plan import (
    DEFAULT_REDUCTION_PERCENT,
    USUAL_REDUCTION_PERCENT,
    TimelineEntry,
    convert,
    reduction_schedule,
    timeline,
)
from ketamine_cds.domain.opioids.regimen import Regimen
from ketamine_cds.domain.opioids.tables import OpioidRoute
from ketamine_cds.service import opioids


def med(*items: dict[str, Any], table: str = "cdc-2022") -> Any:
    return opioids.med_of(REF, Regimen.model_validate({"items": list(items)}), table)


MIXED = (
    {"drug": "fentanyl", "route": "transdermal", "patch": "50 µg/h"},
    {"drug": "oxycodone", "route": "oral", "dose": "10 mg", "prn": True, "taken_in_24h": 12},
)


def test_conversion_uses_the_default_reduction_and_says_who_chooses() -> None:
    """300 MED as oral morphine is 300 mg/day; the default 50 % reduction gives 150 mg/day."""
    result = med(*MIXED)
    conversion = convert(result, opioids.table(REF, "cdc-2022"), "morphine", OpioidRoute.ORAL, None)
    assert conversion.equianalgesic_daily == pytest.approx(300.0)
    assert conversion.reduction_percent == DEFAULT_REDUCTION_PERCENT
    assert conversion.reduction_is_default
    assert conversion.target_daily == pytest.approx(150.0)
    assert conversion.usual_reduction_percent == USUAL_REDUCTION_PERCENT
    assert "chosen by the clinician" in conversion.statements[0]
    assert "Fine" in conversion.reduction_source


def test_conversion_takes_the_clinicians_reduction() -> None:
    """A chosen 25 % reduction to oral hydromorphone: 300 / 5 x 0.75 = 45 mg/day."""
    conversion = convert(
        med(*MIXED), opioids.table(REF, "cdc-2022"), "hydromorphone", OpioidRoute.ORAL, 25
    )
    assert not conversion.reduction_is_default
    assert conversion.target_daily == pytest.approx(45.0)


def test_conversion_to_sc_morphine_uses_the_parenteral_table() -> None:
    """Under ANZCA, 330 MED is 110 mg/day SC morphine before the reduction."""
    result = med(*MIXED, table="anzca-fpm-2021")
    conversion = convert(
        result, opioids.table(REF, "anzca-fpm-2021"), "morphine", OpioidRoute.SUBCUTANEOUS, 30
    )
    assert conversion.equianalgesic_daily == pytest.approx(110.0)
    assert conversion.target_daily == pytest.approx(77.0)


def test_conversion_to_methadone_is_refused() -> None:
    """Methadone is not computed from an MME total (non-linear, disputed)."""
    with pytest.raises(UserInputError, match="methadone"):
        convert(med(*MIXED), opioids.table(REF, "cdc-2022"), "methadone", OpioidRoute.ORAL, 80)


def test_conversion_of_an_incomplete_total_is_refused() -> None:
    """A total that leaves out an uncovered item cannot be converted."""
    result = med({"drug": "morphine", "route": "iv", "dose": "2 mg", "every_hours": 4})
    with pytest.raises(UserInputError, match="leaves out"):
        convert(result, opioids.table(REF, "cdc-2022"), "morphine", OpioidRoute.ORAL, 30)


def test_conversion_to_a_patch_needs_the_clinicians_reduction() -> None:
    """For transdermal fentanyl Fine 2009 gives no window, so no default is applied."""
    with pytest.raises(UserInputError, match="package insert"):
        convert(
            med(*MIXED), opioids.table(REF, "cdc-2022"), "fentanyl", OpioidRoute.TRANSDERMAL, None
        )
    conversion = convert(
        med(*MIXED), opioids.table(REF, "cdc-2022"), "fentanyl", OpioidRoute.TRANSDERMAL, 25
    )
    assert conversion.unit == "µg/h"
    assert conversion.target_daily == pytest.approx(300 / 2.4 * 0.75)


def test_reduction_steps_are_percentages_of_the_start() -> None:
    """300 mg/day by 10 % every 2 days from day 3: 270 on day 3, 240 on day 5, 0 on day 21."""
    schedule = reduction_schedule(300.0, unit="mg/day", step_percent=10, every_days=2, first_day=3)
    days = [(s.day, s.daily) for s in schedule.steps]
    assert days[:3] == [(0, 300.0), (3, pytest.approx(270.0)), (5, pytest.approx(240.0))]
    assert days[-1] == (21, 0.0)
    assert len(schedule.steps) == 11
    assert "12 days" in schedule.source


def test_reduction_stops_at_the_floor() -> None:
    """A floor of 100 mg/day ends the schedule there."""
    schedule = reduction_schedule(
        300.0, unit="mg/day", step_percent=25, every_days=1, first_day=1, floor_daily=100
    )
    assert [s.daily for s in schedule.steps] == [300.0, 225.0, 150.0, 100.0]


def test_a_first_reduction_after_day_12_is_flagged() -> None:
    """Seed 000 asks for a reduction within the first 12 days of infusion."""
    late = reduction_schedule(100.0, unit="mg/day", step_percent=50, every_days=1, first_day=13)
    early = reduction_schedule(100.0, unit="mg/day", step_percent=50, every_days=1, first_day=12)
    assert any("after day 12" in w for w in late.warnings)
    assert not any("after day 12" in w for w in early.warnings)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"step_percent": 0, "every_days": 1, "first_day": 1}, "step"),
        ({"step_percent": 10, "every_days": 0, "first_day": 1}, "one day apart"),
        ({"step_percent": 10, "every_days": 1, "first_day": 0}, "day 1 or later"),
    ],
)
def test_bad_schedule_choices_are_refused(kwargs: dict[str, Any], message: str) -> None:
    """A zero step, zero interval or a day-0 start is refused."""
    with pytest.raises(UserInputError, match=message):
        reduction_schedule(100.0, unit="mg/day", **kwargs)


def test_timeline_finds_the_peak_and_the_change() -> None:
    """700 then 450 then 200: peak 700, last 200, about -71 % from the peak."""
    entries = [
        TimelineEntry(day=d, label=None, med_mg=m, computed=False, complete=True, source="s")
        for d, m in [(3, 200.0), (1, 700.0), (2, 450.0)]
    ]
    line = timeline(entries)
    assert [e.day for e in line.entries] == [1, 2, 3]
    assert line.peak.med_mg == 700.0
    assert line.change_from_peak_percent == pytest.approx(-71.43, abs=0.01)


def _entry(day: float, med: float | None, *, covered: float | None = None) -> TimelineEntry:
    return TimelineEntry(
        day=day,
        label=None,
        med_mg=med,
        computed=med is None,
        complete=med is not None,
        source="s",
        covered_med_mg=covered if covered is not None else med,
    )


def test_the_peak_is_the_highest_complete_point() -> None:
    """An incomplete point, however large its covered part, is not the peak and is flagged."""
    line = timeline([_entry(1, 700.0), _entry(2, None, covered=900.0), _entry(3, 200.0)])
    assert line.peak is not None
    assert (line.peak.day, line.peak.med_mg) == (1, 700.0)
    assert not line.complete
    assert any("day 2 is incomplete" in w and "900" in w for w in line.warnings)


def test_no_change_is_given_from_or_to_an_incomplete_point() -> None:
    """An incomplete last point has no change from the peak; one with none complete no peak."""
    line = timeline([_entry(1, 700.0), _entry(2, None, covered=100.0)])
    assert line.change_from_peak_percent is None
    assert line.change_from_first_percent is None
    alone = timeline([_entry(1, None, covered=50.0)])
    assert alone.peak is None


def test_no_change_is_given_from_zero() -> None:
    """From 0 mg/day to 100 the change is not a percentage (it was reported as 0 %)."""
    line = timeline([_entry(1, 0.0), _entry(2, 100.0)])
    assert line.change_from_first_percent is None
    assert line.change_from_peak_percent == 0.0


def test_the_smallest_step_makes_at_most_one_hundred_steps() -> None:
    """A 1 % step from 300: 100 reductions after the start, the last at zero."""
    schedule = reduction_schedule(300.0, unit="mg/day", step_percent=1, every_days=1, first_day=1)
    assert len(schedule.steps) == 101
    assert schedule.steps[-1].daily == 0.0


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"step_percent": 1e-9, "every_days": 1, "first_day": 1}, "not between 1 and 100"),
        ({"step_percent": float("nan"), "every_days": 1, "first_day": 1}, "not between"),
        ({"step_percent": 10, "every_days": 91, "first_day": 1}, "at most 90 days"),
        ({"step_percent": 10, "every_days": 1, "first_day": 366}, "up to day 365"),
        (
            {"step_percent": 10, "every_days": 1, "first_day": 1, "floor_daily": float("inf")},
            "must be from zero up to below",
        ),
    ],
)
def test_schedule_choices_beyond_their_bounds_are_refused(
    kwargs: dict[str, Any], message: str
) -> None:
    """A vanishing step, a step a quarter apart or more, a first day past a year, a NaN floor."""
    with pytest.raises(UserInputError, match=message):
        reduction_schedule(100.0, unit="mg/day", **kwargs)
