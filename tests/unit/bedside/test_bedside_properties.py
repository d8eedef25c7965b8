"""Invariants over random episodes: hard limit, no increase while a threshold holds, timing,
determinism, and no influence of events later than the moment asked about."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from bedside_build import T0, build, hours
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from library import shipped

from ketamine_cds.adapters.data_files import limit_table
from ketamine_cds.domain.bedside import recommend
from ketamine_cds.domain.bedside.criteria import evaluate
from ketamine_cds.domain.bedside.state import replay
from ketamine_cds.domain.episode import Episode
from ketamine_cds.domain.protocols.schema import Protocol, Titration, Unspecified
from ketamine_cds.domain.vocabulary import Route, Symptom

PROTOCOLS = ["cancer-continuous", "marshfield-inpatient", "jackson-burst", "noncancer-subcutaneous"]
SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])

observation = st.fixed_dictionaries(
    {"type": st.just("observation"), "pain": st.integers(0, 10)},
    optional={
        "heart_rate": st.integers(50, 140),
        "systolic_bp": st.integers(90, 200),
        "diastolic_bp": st.integers(50, 120),
        "respiratory_rate": st.integers(4, 24),
        "symptoms": st.lists(
            st.sampled_from([s for s in Symptom if s is not Symptom.OTHER]), max_size=2, unique=True
        ).map(lambda items: [s.value for s in items]),
    },
)
rate_change = st.fixed_dictionaries(
    {
        "type": st.just("rate_change"),
        "rate": st.floats(1, 60).map(lambda v: f"{v:.2f} mg/h"),
        "by": st.just("RN"),
    }
)
others = st.sampled_from(
    [
        {"type": "physician_override", "physician": "Dr A", "reason": "reviewed at bedside"},
        {"type": "physician_decision", "physician": "Dr A", "decision": "continue as is"},
        {"type": "pause", "by": "RN"},
        {"type": "resume", "by": "RN"},
    ]
)
event = st.one_of(observation, observation, rate_change, rate_change, others)


@st.composite
def episodes(draw: st.DrawFn) -> tuple[Episode, float]:
    """A random episode and a moment (hours after the start) to ask about."""
    protocol = draw(st.sampled_from(PROTOCOLS))
    weight = draw(st.integers(45, 140))
    steps = draw(st.lists(st.floats(0.25, 8), min_size=1, max_size=12))
    events: list[dict[str, Any]] = [
        {"type": "rate_change", "at": T0.isoformat(), "rate": draw(rate_change)["rate"], "by": "RN"}
    ]
    moment = 0.0
    for step in steps:
        moment += step
        item = dict(draw(event))
        item["at"] = hours(moment).isoformat()
        events.append(item)
    episode = build(
        events,
        protocol=protocol,
        weight=f"{weight} kg",
        goal=draw(st.integers(2, 5)),
        baseline={"pain": 8, "heart_rate": 80, "systolic_bp": 120},
    )
    at = draw(st.floats(0, moment + 4))
    return episode, at


@st.composite
def titrating(draw: st.DrawFn) -> tuple[Episode, float]:
    """An episode in which pain stays above goal, so steps up are often due."""
    protocol = draw(st.sampled_from(["cancer-continuous", "jackson-burst"]))
    weight = draw(st.integers(45, 140))
    start = "0.1 mg/kg/h" if protocol == "cancer-continuous" else "100 mg/24 h"
    events: list[dict[str, Any]] = [
        {"type": "rate_change", "at": T0.isoformat(), "rate": start, "by": "RN"}
    ]
    moment, rate = 0.0, 0.1 * weight if protocol == "cancer-continuous" else 100 / 24
    for _ in range(draw(st.integers(1, 8))):
        moment += draw(st.floats(0.5, 30))
        seen: dict[str, Any] = {"type": "observation", "pain": draw(st.integers(5, 10))}
        if draw(st.booleans()):
            seen["heart_rate"] = draw(st.integers(60, 125))
        if draw(st.integers(0, 4)) == 0:
            seen["symptoms"] = [
                draw(st.sampled_from([s for s in Symptom if s is not Symptom.OTHER])).value
            ]
        events.append({**seen, "at": hours(moment).isoformat()})
        if draw(st.booleans()):
            moment += draw(st.floats(0, 1))
            rate += draw(st.sampled_from([2.0, 4.0, 8.0]))
            events.append(
                {
                    "type": "rate_change",
                    "at": hours(moment).isoformat(),
                    "rate": f"{rate:g} mg/h",
                    "by": "RN",
                }
            )
    episode = build(events, protocol=protocol, weight=f"{weight} kg", goal=4)
    return episode, moment + draw(st.floats(0, 3))


ANY_EPISODE = st.one_of(episodes(), titrating())


def _recommend(episode: Episode, at_h: float) -> Any:
    return recommend(episode, shipped(episode.protocol.id), limit_table(), hours(at_h))


def _routes(protocol: Protocol) -> dict[str, Route]:
    return {phase.id: phase.route for phase in protocol.phases}


@SETTINGS
@given(ANY_EPISODE)
def test_the_recommended_rate_is_always_below_the_hard_limit(case: tuple[Episode, float]) -> None:
    """Whatever the episode, the rate to run is never at or above the hard limit."""
    episode, at = case
    result = _recommend(episode, at)
    hard = limit_table().hard_rate()[1].for_weight(episode.patient.body_weight)
    assert result.rate_mg_per_h is None or result.rate_mg_per_h < hard.mg_per_h


@SETTINGS
@given(ANY_EPISODE)
def test_no_increase_while_a_stop_criterion_or_notification_threshold_holds(
    case: tuple[Episode, float],
) -> None:
    """An increase never comes while a stop criterion or a (non-pain) notification holds."""
    episode, at = case
    result = _recommend(episode, at)
    if result.action != "increase":
        return
    protocol = shipped(episode.protocol.id)
    state = replay(episode, _routes(protocol), protocol.phases[0].id, hours(at))
    for criteria in (protocol.stop_if, protocol.notify_if):
        if isinstance(criteria, Unspecified):
            continue
        for criterion in criteria:
            if criterion.pain_above_goal:
                continue
            hit = evaluate(criterion, state, episode.baseline, episode.pain_goal, hours(at))
            assert hit is None, criterion.id


@SETTINGS
@given(ANY_EPISODE)
def test_no_increase_sooner_than_the_protocols_interval(case: tuple[Episode, float]) -> None:
    """An increase comes at least one titration interval after the last step or the start."""
    episode, at = case
    result = _recommend(episode, at)
    if result.action != "increase":
        return
    protocol = shipped(episode.protocol.id)
    state = replay(episode, _routes(protocol), protocol.phases[0].id, hours(at))
    titration = protocol.phase(state.phase_id).titration
    assert isinstance(titration, Titration)
    last = state.last_increase()
    since = last.at if last is not None else state.started_at
    assert since is not None
    interval = titration.interval
    low = interval.low if hasattr(interval, "low") else interval
    assert hours(at) - since >= timedelta(hours=low.hours)


@SETTINGS
@given(ANY_EPISODE)
def test_the_same_episode_gives_the_same_recommendation(case: tuple[Episode, float]) -> None:
    """The engine is deterministic: asking twice gives identical answers."""
    episode, at = case
    assert _recommend(episode, at) == _recommend(episode, at)


@SETTINGS
@given(ANY_EPISODE, st.floats(0.01, 48), observation)
def test_an_event_after_the_moment_never_changes_the_answer(
    case: tuple[Episode, float], later: float, extra: dict[str, Any]
) -> None:
    """Adding an event later than ``at`` leaves the recommendation at ``at`` unchanged."""
    episode, at = case
    last = max([episode.started_at, *(e.at for e in episode.events)])
    when = max(last, hours(at)) + timedelta(hours=later)
    data = episode.model_dump(mode="json")
    data["events"].append({**extra, "at": when.isoformat()})
    longer = Episode.model_validate(data)
    assert _recommend(longer, at) == _recommend(episode, at)
