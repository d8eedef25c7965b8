"""Engine behaviours not tied to one source passage: hard limit, versions, inputs, overrides."""

from __future__ import annotations

from datetime import datetime

import pytest
from bedside_build import build, ev, kinds, rec
from library import SOURCE, shipped

from ketamine_cds.adapters.data_files import limit_table
from ketamine_cds.domain.bedside import recommend
from ketamine_cds.domain.errors import UserInputError
from ketamine_cds.service.episodes import replay_episode


def test_a_rate_at_the_hard_limit_is_stopped_and_never_recommended() -> None:
    """70 mg/h is 1 mg/kg/h at 70 kg, the hard limit: stop; nothing overrides it."""
    events = [
        ev("rate_change", 0, rate="70 mg/h", by="RN"),
        ev("physician_override", 0.1, physician="Dr A", reason="asked for it", up_to="80 mg/h"),
    ]
    recommendation = rec(build(events), 0.2)
    assert (recommendation.action, recommendation.rate_mg_per_h) == ("stop", 0.0)
    assert "hard_limit" in kinds(recommendation)


def test_a_different_protocol_version_is_shown() -> None:
    """An episode ordered under another version of the protocol gets an alert."""
    recommendation = rec(build([], version="0.9.0"), 0)
    assert "protocol_version" in kinds(recommendation)


def test_a_time_before_the_start_is_refused() -> None:
    """Asking about a moment before the episode began is a user error."""
    with pytest.raises(UserInputError, match="before the episode started"):
        rec(build([]), -1)


def test_a_naive_time_is_refused() -> None:
    """The engine never guesses a time zone."""
    episode = build([])
    with pytest.raises(UserInputError, match="no time zone"):
        recommend(
            episode,
            shipped("cancer-continuous"),
            limit_table(),
            datetime(2024, 5, 2, 9),  # noqa: DTZ001 - the naive time is the point
        )


def test_the_episode_protocol_must_match() -> None:
    """An episode under one protocol is not read against another."""
    with pytest.raises(UserInputError, match="follows protocol 'cancer-continuous'"):
        recommend(build([]), shipped("jackson-burst"), limit_table(), rec(build([]), 0).at)


def test_a_phase_the_protocol_lacks_is_refused() -> None:
    """A phase change to an unknown phase names the phases the protocol has."""
    episode = build([ev("phase_change", 1, to_phase="nowhere", by="Dr A")])
    with pytest.raises(UserInputError, match="does not have"):
        rec(episode, 2)


def test_a_step_larger_than_the_protocols_is_flagged() -> None:
    """Seed 001 steps are 2 mg/h; 7 → 12 mg/h in one step is flagged."""
    events = [
        ev("rate_change", 0, rate="7 mg/h", by="RN"),
        ev("rate_change", 2, rate="12 mg/h", by="RN"),
    ]
    assert "step_too_large" in kinds(rec(build(events), 2))


def test_an_override_up_to_a_rate_covers_rates_up_to_it() -> None:
    """An override with up_to 16 mg/h covers 16 mg/h above the 14 mg/h ceiling."""
    events = [
        ev("rate_change", 0, rate="16 mg/h", by="RN"),
        ev("physician_override", 0.5, physician="Dr A", reason="pain crisis", up_to="16 mg/h"),
    ]
    assert "soft_limit" not in kinds(rec(build(events), 1))
    assert "override_in_effect" in kinds(rec(build(events), 1))


def test_replay_recommends_at_the_start_and_after_each_event() -> None:
    """A replay answers at the start and after each event, one answer per distinct moment."""
    events = [ev("rate_change", 0, rate="7 mg/h", by="RN"), ev("observation", 2, pain=8)]
    items = replay_episode(SOURCE, build(events))
    assert [item.action for item in items] == ["continue", "increase"]
