"""The episode file: closed, time-ordered, timezone-aware; a bad event is named by position."""

from __future__ import annotations

from typing import Any

import pytest
from bedside_build import T0, build, ev, hours, rec
from library import shipped

from ketamine_cds.adapters.data_files import limit_table
from ketamine_cds.adapters.episode_files import parse_episode_data, parse_episode_text
from ketamine_cds.domain.bedside import recommend
from ketamine_cds.domain.errors import UserInputError

BASE: dict[str, Any] = {
    "patient": {"weight": "70 kg"},
    "protocol": {"id": "cancer-continuous"},
    "started_at": T0.isoformat(),
    "baseline": {"pain": 8},
    "pain_goal": 4,
}


def _refused(events: list[dict[str, Any]]) -> str:
    with pytest.raises(UserInputError) as caught:
        parse_episode_data({**BASE, "events": events}, "case.yaml")
    return str(caught.value)


@pytest.mark.parametrize(
    ("events", "expected"),
    [
        (
            [ev("observation", 2, pain=5), ev("observation", 1, pain=5)],
            "event 2 (observation at 2024-05-02T09:00:00+00:00) is earlier than event 1",
        ),
        (
            [ev("observation", 1, pain=5), ev("observation", 2, symptoms=["headache"])],
            "event 2 (observation), symptoms.0: 'headache' is not a symptom",
        ),
        ([ev("observation", 1, pain=11)], "event 1 (observation), pain: 11 is out of range"),
        (
            [ev("rate_change", 0, rate="7 mg/h", by="RN"), ev("rate_change", 2, rate=9, by="RN")],
            "event 2 (rate_change), rate: the number 9 has no unit",
        ),
        (
            [ev("rate_change", 0, rate="7", by="RN")],
            "event 1 (rate_change), rate: a number was given without its unit",
        ),
        (
            [{"type": "observation", "at": "2024-05-02T09:00:00", "pain": 3}],
            "event 1 (observation), at: the time has no time zone",
        ),
        ([ev("observation", 1, pian=3)], "event 1 (observation): unknown key 'pian'"),
        ([ev("infusion", 1)], "event 1: the event type is not one the episode format knows"),
        ([ev("observation", 1)], "event 1 (observation): an observation records nothing"),
        (
            [ev("rate_change", 0, rate="5-7 mg/h", by="RN")],
            "give the one rate actually running, not the range",
        ),
    ],
)
def test_malformed_event_is_refused_with_its_position(
    events: list[dict[str, Any]], expected: str
) -> None:
    """Out of order, unknown symptom, pain 11, a rate without units: one sentence, event named."""
    message = _refused(events)
    assert message.startswith("case.yaml: ")
    assert expected in message


def test_event_before_the_start_is_refused() -> None:
    """An event earlier than the episode's start is out of order too."""
    assert "earlier than the episode start" in _refused([ev("observation", -1, pain=3)])


def test_naive_start_is_refused() -> None:
    """The start time must carry its zone."""
    with pytest.raises(UserInputError, match="time zone"):
        parse_episode_data({**BASE, "started_at": "2024-05-02T08:00:00"}, "case.yaml")


def test_weight_in_pounds_is_converted() -> None:
    """A weight in pounds becomes kilograms and remembers the conversion."""
    episode = build([], weight="154 lb")
    assert episode.patient.body_weight.kg == pytest.approx(69.85, abs=0.01)


def test_yaml_text_with_a_syntax_error_is_one_sentence() -> None:
    """Broken YAML is refused with the line."""
    with pytest.raises(UserInputError, match="not valid YAML at line"):
        parse_episode_text("patient: [\n", "case.yaml")


def test_severe_symptom_must_be_present() -> None:
    """A symptom marked severe must also be among the symptoms."""
    message = _refused([ev("observation", 1, symptoms=["nausea"], severe=["agitation"])])
    assert "severe lists agitation" in message


def test_two_observations_at_one_moment_that_disagree_are_refused() -> None:
    """Two pain scores at 08:00 are ambiguous: the engine never lets the last one win."""
    message = _refused([ev("observation", 1, pain=5), ev("observation", 1, pain=8)])
    assert "events 1 and 2 are observations at the same moment" in message
    assert "different pain" in message


def test_two_observations_at_one_moment_that_add_to_each_other_are_kept() -> None:
    """A blood pressure and a pain score written separately at one moment do not clash."""
    events = [ev("observation", 1, pain=5), ev("observation", 1, systolic_bp=130)]
    episode = parse_episode_data({**BASE, "events": events}, "case.yaml")
    assert len(episode.events) == 2


def test_a_correction_must_name_an_earlier_event() -> None:
    """A correction of an unknown id is refused by position."""
    message = _refused([ev("observation", 1, pain=5, corrects="obs-9")])
    assert "corrects 'obs-9', which is not an earlier event" in message


def test_a_correction_replaces_the_event_it_names() -> None:
    """A corrected pain score counts as corrected; the original stays in the record."""
    events = [
        ev("rate_change", 0, rate="7 mg/h", by="RN"),
        ev("observation", 2, pain=3, id="obs-1"),
        ev("observation", 2, pain=8, corrects="obs-1", recorded_at=hours(2.5).isoformat()),
    ]
    corrected = rec(build(events), 2.5)
    assert corrected.action == "increase"
    assert rec(build(events[:2]), 2.5).action == "continue"


def test_an_event_entered_in_error_no_longer_counts() -> None:
    """A rate change entered in error leaves the rate that was running before it."""
    events = [
        ev("rate_change", 0, rate="7 mg/h", by="RN"),
        ev("rate_change", 1, rate="11 mg/h", by="RN", id="rc-2"),
        ev("entered_in_error", 1.5, by="RN", corrects="rc-2", reason="wrong patient"),
    ]
    assert rec(build(events), 1.5).rate_mg_per_h == 7.0


def test_an_event_written_after_a_recommendation_was_made_never_changes_it() -> None:
    """With a cut-off of knowledge, a late entry is invisible to what was known earlier."""
    events = [
        ev("rate_change", 0, rate="7 mg/h", by="RN"),
        ev("observation", 2, pain=8, recorded_at=hours(5).isoformat()),
    ]
    episode = build(events)
    known = recommend(
        episode, shipped("cancer-continuous"), limit_table(), hours(2), known_at=hours(3)
    )
    assert known.action == "continue"
    assert rec(episode, 2).action == "increase"


@pytest.mark.parametrize(
    ("rate", "expected"),
    [
        ("7 µg/h", "if mg/h was meant it is 7 mg/h"),
        ("7000 mg/h", "if it was entered in µg/h it is 7 mg/h"),
    ],
)
def test_a_rate_no_ketamine_order_could_have_is_refused_by_event(rate: str, expected: str) -> None:
    """µg typed where mg was meant (or the reverse) is an entry error, never a rate to run."""
    episode = build([ev("rate_change", 0, rate=rate, by="RN")])
    with pytest.raises(UserInputError) as caught:
        rec(episode, 1)
    assert str(caught.value).startswith("event 1 (rate_change): ")
    assert expected in str(caught.value)


def test_other_symptoms_are_described() -> None:
    """A symptom the list lacks is recorded as 'other' with words; without them it is refused."""
    assert "other_symptom saying what it is" in _refused(
        [ev("observation", 1, symptoms=["other"])]
    )
    fine = [ev("observation", 1, symptoms=["other"], other_symptom="tinnitus")]
    assert parse_episode_data({**BASE, "events": fine}, "case.yaml").events
