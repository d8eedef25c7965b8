"""The generator makes valid episodes and covers what the suite promises to cover."""

from __future__ import annotations

from collections import Counter
from datetime import datetime, timedelta
from functools import cache
from itertools import pairwise

from engine_check import protocols
from episode_generator import EVENT_KINDS, Case, cases, seeded_case
from hypothesis import HealthCheck, given, settings
from oracle import HARD_RATE_MG_PER_KG_H, mg_of, mg_per_h

from ketamine_cds.domain.episode import (
    DoseGiven,
    Episode,
    Observation,
    Pause,
    PhaseChange,
    PhysicianOverride,
    RateChange,
    Resume,
)
from ketamine_cds.domain.units import Mass, PerKgRate, Rate
from ketamine_cds.domain.vocabulary import Route, Symptom

SAMPLE = 1000


@cache
def sample() -> tuple[tuple[Case, Episode], ...]:
    """The first cases of seed 0, with their episodes as the model reads them."""
    shipped = protocols()
    found = []
    for index in range(SAMPLE):
        case = seeded_case(0, index, shipped)
        found.append((case, Episode.model_validate(case.data)))
    return tuple(found)


def _phase_kinds(case: Case, episode: Episode) -> list[tuple[str, str, object]]:
    """(phase kind, phase id, event) for every event, following the phase changes."""
    protocol = {p.id: p for p in protocols()}[case.protocol_id]
    phase = protocol.phase(episode.phase or protocol.phases[0].id)
    found = []
    for event in episode.events:
        if isinstance(event, PhaseChange):
            phase = protocol.phase(event.to_phase)
        found.append((phase.kind, phase.id, event))
    return found


def test_every_seeded_episode_is_valid_and_reproducible() -> None:
    """Every seeded case validates, and the same seed and index give the same episode."""
    assert len(sample()) == SAMPLE
    again = seeded_case(0, 7, protocols())
    assert again.data == sample()[7][0].data


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(cases(protocols()))
def test_every_hypothesis_episode_is_valid(case: Case) -> None:
    """The hypothesis strategy makes episodes the episode model accepts, times in order."""
    episode = Episode.model_validate(case.data)
    times = [e.at for e in episode.events]
    assert times == sorted(times)
    assert all(moment.tzinfo is not None for moment in case.moments)


def test_every_protocol_and_weights_from_30_to_300_kg_some_in_pounds() -> None:
    """Cases cover every shipped protocol; weights lie in 30-300 kg, reach both ends, some in lb."""
    assert {case.protocol_id for case, _ in sample()} == {p.id for p in protocols()}
    weights = [episode.patient.body_weight.kg for _, episode in sample()]
    assert all(30 <= kg <= 300 for kg in weights)
    assert min(weights) < 35
    assert max(weights) > 295
    assert sum(e.patient.weight.endswith("lb") for _, e in sample()) > SAMPLE // 8


def test_times_strictly_increase_and_carry_their_zone() -> None:
    """No two events share a moment, every time is zone-aware, several zones appear."""
    zones = set()
    for _, episode in sample():
        times = [episode.started_at, *(e.at for e in episode.events)]
        assert all(t.tzinfo is not None for t in times)
        assert all(a < b for a, b in pairwise(times[1:]))
        zones |= {t.utcoffset() for t in times}
    assert len(zones) >= 5


def test_every_kind_of_event_in_every_kind_of_phase() -> None:
    """Each of the twelve event kinds occurs in continuous, timed, bolus and divided phases."""
    seen = {(kind, event.type) for case, e in sample() for kind, _, event in _phase_kinds(case, e)}
    kinds = {"continuous", "timed_infusion", "bolus", "divided_doses"}
    types = set(EVENT_KINDS)
    assert len(types) == 12
    missing = {(k, t) for k in kinds for t in types} - seen
    assert not missing


def test_phase_changes_reach_every_phase_of_every_protocol() -> None:
    """Over the sample, some phase change leads into each phase of each protocol."""
    reached = {
        (case.protocol_id, event.to_phase)
        for case, episode in sample()
        for event in episode.events
        if isinstance(event, PhaseChange)
    }
    assert {(p.id, phase.id) for p in protocols() for phase in p.phases} <= reached


def test_every_symptom_severe_and_troublesome() -> None:
    """Every symptom of the vocabulary is recorded, marked severe, and reported troublesome."""
    symptoms, severe, troublesome = Counter(), Counter(), Counter()
    for _, episode in sample():
        for event in episode.events:
            if isinstance(event, Observation):
                symptoms.update(event.symptoms)
                severe.update(event.severe)
                if event.troublesome:
                    troublesome.update(event.symptoms)
    assert set(symptoms) == set(severe) == set(troublesome) == set(Symptom)


def test_readings_during_pauses_and_resumes_with_and_without_rates() -> None:
    """Symptoms are recorded during pauses; resumes come with and without a rate, some above
    the hard limit; overrides reach above the hard limit too."""
    during_pause = resumes_with = resumes_without = resume_above = override_above = 0
    for _, episode in sample():
        kg, paused = episode.patient.body_weight.kg, False
        hard = HARD_RATE_MG_PER_KG_H * kg
        for event in episode.events:
            if isinstance(event, Pause):
                paused = True
            elif isinstance(event, Resume | RateChange):
                paused = False
            if isinstance(event, Observation) and paused and event.symptoms:
                during_pause += 1
            if isinstance(event, Resume):
                resumes_with += event.rate is not None
                resumes_without += event.rate is None
                resume_above += event.rate is not None and mg_per_h(event.rate, kg) >= hard
            if isinstance(event, PhysicianOverride) and isinstance(event.up_to, Rate | PerKgRate):
                override_above += mg_per_h(event.up_to, kg) >= hard
    assert min(during_pause, resumes_with, resumes_without, resume_above, override_above) > 5


def test_rates_doses_units_and_routes_span_the_promised_ranges() -> None:
    """Rates lie in 0.005-3 mg/kg/h in four units; doses in 0.02-10 mg/kg by every route."""
    rates, doses, units, routes = [], [], set(), set()
    for _, episode in sample():
        kg = episode.patient.body_weight.kg
        for event in episode.events:
            if isinstance(event, RateChange):
                rates.append(mg_per_h(event.rate, kg) / kg)
                units.add(str(event.rate).split(" ", 1)[1])
            if isinstance(event, DoseGiven):
                doses.append(mg_of(event.dose, kg) / kg)
                routes.add(event.route)
    assert 0.0049 <= min(rates) < 0.01
    assert 2.5 < max(rates) <= 3.001
    assert 0.0199 <= min(doses) < 0.05
    assert 8 < max(doses) <= 10.01
    assert {"mg/h", "mg/kg/h", "µg/kg/h", "mg/day"} <= units
    assert routes == {None, *Route}


def test_stale_gaps_and_episodes_without_any_pain_score() -> None:
    """Gaps of more than a day with no observation occur, up to ten days, and some episodes
    record no pain score at all."""
    longest, painless = timedelta(0), 0
    for _, episode in sample():
        seen: list[datetime] = [episode.started_at]
        seen += [e.at for e in episode.events if isinstance(e, Observation)]
        gaps = [b - a for a, b in pairwise(seen)]
        longest = max([longest, *gaps])
        observations = [e for e in episode.events if isinstance(e, Observation)]
        painless += bool(observations) and all(o.pain is None for o in observations)
    assert longest > timedelta(days=7)
    assert painless > 10


def test_vital_signs_beyond_every_threshold_the_protocols_name() -> None:
    """For each vital-sign criterion of each protocol, some observation lies beyond it."""
    beyond: set[tuple[str, str]] = set()
    wanted: set[tuple[str, str]] = set()
    by_id = {p.id: p for p in protocols()}
    for case, episode in sample():
        protocol = by_id[case.protocol_id]
        for criteria in (protocol.stop_if, protocol.notify_if):
            for criterion in criteria if isinstance(criteria, list) else []:
                if criterion.vital is None or criterion.from_baseline_percent:
                    continue
                wanted.add((protocol.id, criterion.id))
                for event in episode.events:
                    value = getattr(event, criterion.vital.value, None)
                    if isinstance(event, Observation) and value is not None:
                        low = criterion.comparison in {"lt", "le"}
                        threshold = criterion.value or 0
                        if (value < threshold) if low else (value > threshold):
                            beyond.add((protocol.id, criterion.id))
    assert wanted
    assert wanted <= beyond


def test_corrections_entries_in_error_late_entries_and_dose_overrides() -> None:
    """Some events correct an earlier one of their kind or withdraw one in error, some are
    written down late; overrides name a rate or a single dose; 'other' symptoms are described."""
    corrections = withdrawn = late = dose_overrides = others = 0
    for _, episode in sample():
        kinds = {event.id: event.type for event in episode.events if event.id is not None}
        for event in episode.events:
            if event.corrects is not None and event.type != "entered_in_error":
                assert kinds[event.corrects] == event.type
                corrections += 1
            withdrawn += event.type == "entered_in_error"
            late += event.recorded_at is not None
            if isinstance(event, PhysicianOverride):
                dose_overrides += isinstance(event.up_to, Mass)
            if isinstance(event, Observation) and event.other_symptom is not None:
                others += 1
    assert min(corrections, withdrawn, late, dose_overrides, others) > 10
