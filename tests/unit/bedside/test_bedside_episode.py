"""The episode file: closed, time-ordered, timezone-aware; a bad event is named by position."""

from __future__ import annotations

from typing import Any

import pytest
from bedside_build import T0, build, ev

from ketamine_cds.adapters.episode_files import parse_episode_data, parse_episode_text
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
