"""The timeline's series: the rate steps, pain scores, MED and markers an episode gives."""

from __future__ import annotations

from pathlib import Path

import pytest
from bedside_build import build, ev, hours
from library import SOURCE

from ketamine_cds.adapters.episode_files import read_episode_file
from ketamine_cds.adapters.render.chart_text import describe, table_rows
from ketamine_cds.adapters.render.timeline import MedPoint, PlasmaSeries, build_timeline
from ketamine_cds.domain.errors import UserInputError
from ketamine_cds.service.episodes import replay_episode

EXAMPLES = Path(__file__).parents[3] / "examples" / "episodes"
# Seed 002, "Case Description": 55, 27.5, 13.8, 55 and 36.8 µg/kg/h; the example file's 91 kg.
SEED_002_UG_PER_KG_H = [55, 27.5, 13.8, 55, 36.8]


def test_seed_002_rate_steps_are_the_cases_doses_for_91_kg():
    """Each rate of the case, µg/kg/h × 91 kg, in order, then 0 mg/h when it was stopped."""
    episode = read_episode_file(EXAMPLES / "seed-002.yaml")
    timeline = build_timeline(episode, replay_episode(SOURCE, episode))
    expected = [ug * 91 / 1000 for ug in SEED_002_UG_PER_KG_H] + [0.0]
    assert [s.mg_per_h for s in timeline.rate] == pytest.approx(expected, rel=1e-12)
    assert [s.at.isoformat() for s in timeline.rate] == [
        "2024-06-02T15:00:00+00:00",
        "2024-06-06T09:00:00+00:00",
        "2024-06-07T09:00:00+00:00",
        "2024-06-08T09:00:00+00:00",
        "2024-06-09T09:00:00+00:00",
        "2024-06-12T09:00:00+00:00",
    ]
    assert [p.score for p in timeline.pain] == [2, 2, 8, 3, 2]
    assert [m.kind for m in timeline.markers] == ["stop"]


def test_a_pause_and_restart_drop_the_rate_to_zero_and_back():
    """A pause draws 0 mg/h and a marker; a restart without a rate resumes the earlier one."""
    episode = build(
        [
            ev("rate_change", 0, rate="7 mg/h", by="nurse"),
            ev("pause", 3, by="nurse", reason="dizzy"),
            ev("resume", 4, by="nurse"),
        ]
    )
    timeline = build_timeline(episode)
    assert [(timeline.hours(s.at), s.mg_per_h) for s in timeline.rate] == [
        (0, 7),
        (3, 0),
        (4, 7),
    ]
    assert [(m.kind, m.text) for m in timeline.markers] == [
        ("pause", "paused by nurse: dizzy"),
        ("resume", "restarted by nurse"),
    ]


def test_an_event_entered_in_error_is_not_drawn():
    """A rate change withdrawn as entered in error leaves no step."""
    episode = build(
        [
            ev("rate_change", 0, rate="7 mg/h", by="nurse"),
            ev("rate_change", 2, rate="70 mg/h", by="nurse", id="typo"),
            ev("entered_in_error", 2.1, by="nurse", corrects="typo", reason="typed 70 for 7"),
        ]
    )
    assert [s.mg_per_h for s in build_timeline(episode).rate] == [7]


def test_a_soft_limit_alert_is_marked_where_it_first_appears_only():
    """Over the 14 mg/h ceiling for 70 kg, the soft-limit alert is one marker, not one per look."""
    episode = build(
        [
            ev("rate_change", 0, rate="7 mg/h", by="nurse"),
            ev("rate_change", 2, rate="16 mg/h", by="nurse"),
            ev("observation", 3, pain=5),
            ev("observation", 4, pain=5),
        ]
    )
    recommendations = replay_episode(SOURCE, episode)
    assert (
        sum(1 for r in recommendations for a in r.alerts if a.kind == "soft_limit") >= 2
    )  # the engine repeats it at every look
    markers = build_timeline(episode, recommendations).markers
    soft = [m for m in markers if m.kind == "soft_limit"]
    assert len(soft) == 1
    assert soft[0].at == hours(2)


def test_med_comes_from_the_episode_unless_given():
    """Opioid use events give the MED series; a list passed in replaces them."""
    episode = build(
        [
            ev("opioid_use", 0, med_mg_per_24h=580),
            ev("rate_change", 0, rate="7 mg/h", by="nurse"),
            ev("opioid_use", 24, med_mg_per_24h=420),
        ]
    )
    assert [m.mg_per_day for m in build_timeline(episode).med] == [580, 420]
    given = [MedPoint(hours(1), 300.0)]
    assert [m.mg_per_day for m in build_timeline(episode, med=given).med] == [300]


def test_a_plasma_series_must_pair_times_with_levels():
    """Two arrays of different lengths are refused with one sentence."""
    with pytest.raises(UserInputError, match="3 times and 2 levels"):
        PlasmaSeries([0, 1, 2], [0, 5], "model x")


def test_the_table_lists_every_moment_with_the_values_in_force():
    """A row per moment: the rate running then, the pain scored then, the predicted level."""
    episode = build(
        [
            ev("rate_change", 0, rate="7 mg/h", by="nurse"),
            ev("observation", 2, pain=6),
            ev("rate_change", 2, rate="9 mg/h", by="nurse"),
        ]
    )
    plasma = PlasmaSeries([0, 1, 2, 3], [0, 10, 20, 30], "model x")
    rows = table_rows(build_timeline(episode, plasma=plasma))
    assert [(r.rate_mg_per_h, r.pain, r.plasma_ng_per_ml) for r in rows] == [
        ("7 mg/h", "", "0 ng/mL"),
        ("9 mg/h", "6/10", "20 ng/mL"),
    ]


def test_the_description_names_each_rate_and_the_pain_range():
    """The words a screen reader reads give every rate step and the pain scores with the goal."""
    episode = read_episode_file(EXAMPLES / "seed-002.yaml")
    text = describe(build_timeline(episode))
    for rate in ("5.005 mg/h", "2.5025 mg/h", "1.2558 mg/h", "3.3488 mg/h", "0 mg/h"):
        assert rate in text
    assert "5 scores from 2 to 8 out of 10 (goal 3/10, baseline 9/10)" in text
