"""The MED over an episode as the chart draws it: seed 001 case 2 and seed 000's case.

Seed 001, "CASE 2": "The oral morphine equivalent dose over the prior 24 hours was 580 mg" (day
2, before ketamine at 0.1 mg/kg/h, 7 mg/h); "the patient's total 24-hour oral morphine
equivalent dose totaled 855 mg" (day 3); "The oral morphine equivalent dose totaled 1,400 mg"
(day 4); "On day 6 ... the ketamine infusion was stopped. The oral morphine equivalent had
decreased to 780 mg." Seed 000, "Neuropathic Pain": "reduction of MED from about 700 mg/day at
the peak opioid consumption to about 200 mg/day at the time of last discharge".
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from bedside_build import T0, build, ev

from ketamine_cds.adapters.render.chart_text import table_rows
from ketamine_cds.adapters.render.charts import timeline_svg
from ketamine_cds.adapters.render.timeline import MedPoint, build_timeline
from ketamine_cds.domain.episode import Episode
from ketamine_cds.domain.outcomes.med import med_points, med_series

DAY = 24.0
CASE_2 = [
    ev("opioid_use", 1 * DAY, med_mg_per_24h=580),
    ev("rate_change", 1 * DAY + 2, rate="0.1 mg/kg/h", by="RN"),
    ev("opioid_use", 2 * DAY, med_mg_per_24h=855),
    ev("rate_change", 2 * DAY + 1, rate="15 mg/h", by="RN"),
    ev("opioid_use", 3 * DAY, med_mg_per_24h=1400),
    ev("rate_change", 4 * DAY, rate="13 mg/h", by="RN"),
    ev("stop", 5 * DAY, by="RN"),
    ev("opioid_use", 5 * DAY + 1, med_mg_per_24h=780),
]


def _case_2() -> Episode:
    return build(CASE_2, protocol="cancer-continuous", weight="70 kg", baseline={"pain": 10})


def test_seed_001_case_2_med_figures_are_the_series_in_order() -> None:
    """The chart's (time, mg/day) points are 580, 855, 1,400 and 780, at their days."""
    points = med_points(_case_2())
    assert [mg for _, mg in points] == [580, 855, 1400, 780]
    assert [(t - T0) / timedelta(days=1) for t, _ in points] == pytest.approx([1, 2, 3, 5 + 1 / 24])


def test_seed_001_case_2_med_figures_are_drawn_on_the_episode_chart() -> None:
    """The chart's MED panel, its description and its table hold 580, 855, 1,400 and 780."""
    episode = _case_2()
    med = [MedPoint(at, mg) for at, mg in med_series(episode).chart_points()]
    timeline = build_timeline(episode, med=med)
    svg = timeline_svg(timeline)
    assert "Opioid, oral morphine equivalent (mg/day)" in svg
    assert (
        "Opioid, oral morphine equivalent: 580 mg/day at 3 May 08:00; 855 mg/day at 4 May 08:00; "
        "1400 mg/day at 5 May 08:00; 780 mg/day at 7 May 09:00."
    ) in svg
    cells = {row.med_mg_per_day for row in table_rows(timeline)}
    assert {"580 mg/day", "855 mg/day", "1400 mg/day", "780 mg/day"} <= cells


def test_seed_001_case_2_peak_and_fall_from_the_peak() -> None:
    """Peak 1,400 mg/day; 780 is 44.3 % below it ((780 - 1400) / 1400)."""
    series = med_series(_case_2())
    assert series.summary is not None
    assert series.summary.peak is not None
    assert series.summary.peak.med_mg == 1400
    assert series.summary.change_from_peak_percent == pytest.approx(100 * (780 - 1400) / 1400)
    assert series.summary.change_from_first_percent == pytest.approx(100 * (780 - 580) / 580)


def test_seed_000_from_about_700_to_about_200_mg_per_day() -> None:
    """About 700 at the peak to about 200 at discharge: a fall of about 71 %."""
    events = [
        ev("opioid_use", 0, med_mg_per_24h=600),
        ev("rate_change", 1, rate="20 mg/h", by="RN"),
        ev("opioid_use", 24, med_mg_per_24h=700),
        ev("opioid_use", 96, med_mg_per_24h=450),
        ev("opioid_use", 200, med_mg_per_24h=200),
    ]
    series = med_series(build(events, protocol="marshfield-inpatient", weight="70 kg"))
    assert series.summary is not None
    assert series.summary.change_from_peak_percent == pytest.approx(100 * (200 - 700) / 700)


def test_a_corrected_med_figure_replaces_the_one_it_corrects() -> None:
    """The series is the record as corrected: a mistyped 14,000 corrected to 1,400 shows 1,400."""
    events = [
        ev("opioid_use", 24, med_mg_per_24h=580, id="m1"),
        ev("opioid_use", 72, med_mg_per_24h=14000, id="m2"),
        ev("opioid_use", 73, med_mg_per_24h=1400, corrects="m2"),
    ]
    points = med_points(build(events, protocol="cancer-continuous"))
    assert [mg for _, mg in points] == [580, 1400]
