"""Rates in mg/h and pump mL/h for the bag, times and ages as the ward reads them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from ketamine_cds.entrypoints.web.presenters.formatting import NO_BAG, age, ago, clock, rate_figure


@pytest.mark.parametrize(
    ("mg_per_h", "mg_per_ml", "ml"),
    [
        (7, 1, "7.0 mL/h"),  # seed 001, 70 kg at 0.1 mg/kg/h from a 1 mg/mL bag
        (7, 2, "3.5 mL/h"),
        (10, 3, "3.3 mL/h"),  # 3.333… rounded to the pump's 0.1 mL/h
        (0.5, 1, "0.5 mL/h"),
    ],
)
def test_a_rate_is_shown_in_pump_ml_per_h_for_the_bag(mg_per_h, mg_per_ml, ml):
    """mL/h = mg/h ÷ mg/mL, to the nearest 0.1 mL/h as the plan rounds a pump rate."""
    figure = rate_figure(mg_per_h, mg_per_ml)
    assert figure.ml_text == ml
    assert figure.both == f"{mg_per_h:g} mg/h = {ml}"


def test_without_a_recorded_bag_no_ml_per_h_is_guessed():
    """An episode without its bag's concentration shows mg/h and says why there is no mL/h."""
    figure = rate_figure(12, None)
    assert figure.ml_text is None
    assert figure.mg_text == "12 mg/h"
    assert NO_BAG in figure.both


def test_unit_arithmetic_noise_is_not_shown():
    """0.1 mg/kg/h × 70 kg is 7.000000000000001 in floating point; the page shows 7 mg/h."""
    assert rate_figure(0.1 * 70, 1).mg_text == "7 mg/h"


def test_ages_read_at_a_glance():
    """Under a minute, minutes, hours with minutes, days with hours; past and future."""
    now = datetime(2024, 6, 2, 12, 0, tzinfo=UTC)
    assert age(timedelta(seconds=30)) == "under a minute"
    assert age(timedelta(minutes=7)) == "7 min"
    assert age(timedelta(hours=2, minutes=5)) == "2 h 05 min"
    assert age(timedelta(days=1, hours=3)) == "1 d 3 h"
    assert ago(now - timedelta(minutes=40), now) == "40 min ago"
    assert ago(now + timedelta(minutes=40), now) == "in 40 min"


def test_clock_times_are_in_the_wards_zone():
    """A time is written day, month, hour:minute in UTC whatever zone it was given in."""
    moment = datetime.fromisoformat("2024-06-02T10:30:00+02:00")
    assert clock(moment) == "2 Jun 08:30"
