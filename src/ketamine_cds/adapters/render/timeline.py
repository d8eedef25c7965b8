"""An episode's timeline as plain series: what the chart draws and its data table lists.

The rate history is the bedside engine's own replay of the episode (corrections applied, events
entered in error left out), so the chart shows the rate the engine believes was running. Pain
scores, opioid MED, the predicted plasma level and the marked events (pauses, restarts, stops,
doses, as-needed adjuncts, overrides, and the soft- and hard-limit alerts of the
recommendations) are kept apart, each with its unit in its name.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

from ketamine_cds.domain.bedside.output import Recommendation
from ketamine_cds.domain.bedside.state import replay, visible_events
from ketamine_cds.domain.episode import (
    DoseGiven,
    Episode,
    Pause,
    PhysicianOverride,
    PrnGiven,
    Resume,
    Stop,
)
from ketamine_cds.domain.errors import UserInputError
from ketamine_cds.domain.protocols.figures import num
from ketamine_cds.domain.vocabulary import Route

MarkerKind = Literal[
    "pause", "resume", "stop", "dose", "prn", "override", "soft_limit", "hard_limit"
]
MARKER_WORDS: dict[MarkerKind, str] = {
    "pause": "paused",
    "resume": "restarted",
    "stop": "stopped",
    "dose": "dose given",
    "prn": "as-needed (PRN) dose",
    "override": "physician's override",
    "soft_limit": "soft-limit alert",
    "hard_limit": "hard-limit alert",
}
_ALERTS: tuple[MarkerKind, ...] = ("soft_limit", "hard_limit")


@dataclass(frozen=True)
class RateStep:
    """The pump rate from ``at`` until the next step (0 mg/h while paused or stopped)."""

    at: datetime
    mg_per_h: float


@dataclass(frozen=True)
class PainPoint:
    """A pain score, 0-10."""

    at: datetime
    score: int


@dataclass(frozen=True)
class MedPoint:
    """Oral morphine equivalent over the 24 h before ``at``, mg/day."""

    at: datetime
    mg_per_day: float


@dataclass(frozen=True)
class PlasmaSeries:
    """A predicted plasma ketamine level: hours from the episode start and ng/mL.

    ``label`` names the model and its source; the level is a prediction, never a measurement.
    """

    hours: Sequence[float]
    ng_per_ml: Sequence[float]
    label: str

    def __post_init__(self) -> None:
        """Refuse series whose two arrays do not pair up."""
        if len(self.hours) != len(self.ng_per_ml):
            raise UserInputError(
                f"the plasma series has {len(self.hours)} times and {len(self.ng_per_ml)} levels"
            )


@dataclass(frozen=True)
class Marker:
    """An event drawn on the chart: a kind, and its words for the table and tooltips."""

    at: datetime
    kind: MarkerKind
    text: str


@dataclass(frozen=True)
class Timeline:
    """Everything the chart draws, in time order, with the units in the field names."""

    started_at: datetime
    ends_at: datetime
    protocol: str
    weight: str
    pain_goal: int
    baseline_pain: int
    rate: tuple[RateStep, ...]
    recommended: tuple[RateStep, ...]
    pain: tuple[PainPoint, ...]
    med: tuple[MedPoint, ...]
    plasma: PlasmaSeries | None
    markers: tuple[Marker, ...]
    ceiling_mg_per_h: float | None

    def hours(self, moment: datetime) -> float:
        """Hours from the episode start to ``moment``."""
        return (moment - self.started_at) / timedelta(hours=1)


def build_timeline(  # noqa: PLR0913 - each series is a distinct input
    episode: Episode,
    recommendations: Sequence[Recommendation] = (),
    *,
    med: Sequence[MedPoint] | None = None,
    plasma: PlasmaSeries | None = None,
    ceiling_mg_per_h: float | None = None,
    until: datetime | None = None,
) -> Timeline:
    """The series of one episode.

    ``med`` replaces the episode's own opioid-use events when given; ``until`` extends the time
    axis (to now, on a running infusion).
    """
    last = [episode.started_at, *(e.at for e in episode.events)]
    last += [r.at for r in recommendations]
    if until is not None:
        last.append(until)
    if plasma is not None and len(plasma.hours):
        last.append(episode.started_at + timedelta(hours=float(max(plasma.hours))))
    ends_at = max(last)
    # The pump's route does not change what the chart draws; the engine's replay needs one.
    routes: defaultdict[str, Route] = defaultdict(lambda: Route.IV)
    state = replay(episode, routes, episode.phase or "first", ends_at)
    steps: list[RateStep] = []
    for at, rate, _route in state.pump:
        value = 0.0 if rate is None else rate.mg_per_h
        if steps and steps[-1].mg_per_h == value:
            continue
        if steps and steps[-1].at == at:
            steps.pop()
        steps.append(RateStep(at, value))
    if med is None:
        med = [
            MedPoint(use.at, use.med_mg_per_24h)
            for use in state.opioid_use
            if use.med_mg_per_24h is not None
        ]
    return Timeline(
        started_at=episode.started_at,
        ends_at=ends_at,
        protocol=episode.protocol.id
        + (f" v{episode.protocol.version}" if episode.protocol.version else ""),
        weight=str(episode.patient.body_weight),
        pain_goal=episode.pain_goal,
        baseline_pain=episode.baseline.pain,
        rate=tuple(steps),
        recommended=tuple(
            RateStep(r.at, r.rate_mg_per_h) for r in recommendations if r.rate_mg_per_h is not None
        ),
        pain=tuple(PainPoint(at, score) for at, score in state.pains()),
        med=tuple(sorted(med, key=lambda point: point.at)),
        plasma=plasma,
        markers=tuple(
            sorted(
                _event_markers(episode, ends_at) + _alert_markers(recommendations),
                key=lambda marker: marker.at,
            )
        ),
        ceiling_mg_per_h=ceiling_mg_per_h,
    )


def _event_markers(episode: Episode, ends_at: datetime) -> list[Marker]:
    found: list[Marker] = []
    for _, event in visible_events(episode, ends_at):
        if isinstance(event, Pause):
            found.append(Marker(event.at, "pause", _with("paused", event.reason, event.by)))
        elif isinstance(event, Resume):
            found.append(Marker(event.at, "resume", f"restarted by {event.by}"))
        elif isinstance(event, Stop):
            found.append(Marker(event.at, "stop", _with("stopped", event.reason, event.by)))
        elif isinstance(event, PrnGiven):
            found.append(Marker(event.at, "prn", f"PRN {event.drug} {event.dose} by {event.by}"))
        elif isinstance(event, DoseGiven):
            found.append(Marker(event.at, "dose", f"ketamine {event.dose} given by {event.by}"))
        elif isinstance(event, PhysicianOverride):
            up_to = "" if event.up_to is None else f" up to {event.up_to}"
            found.append(
                Marker(
                    event.at,
                    "override",
                    f"soft limit overridden{up_to} by {event.physician}: {event.reason}",
                )
            )
    return found


def _with(what: str, reason: str | None, by: str) -> str:
    return f"{what} by {by}" + (f": {reason}" if reason else "")


def _alert_markers(recommendations: Sequence[Recommendation]) -> list[Marker]:
    """Each soft- or hard-limit alert where it first appears, not again while it persists."""
    found: list[Marker] = []
    showing: set[tuple[MarkerKind, str]] = set()
    for recommendation in recommendations:
        now: set[tuple[MarkerKind, str]] = {
            ("hard_limit" if a.kind == "hard_limit" else "soft_limit", a.text)
            for a in recommendation.alerts
            if a.kind in _ALERTS
        }
        for kind, text in sorted(now - showing):
            rate = recommendation.rate_mg_per_h
            at_rate = "" if rate is None else f" (recommended {num(rate)} mg/h)"
            found.append(Marker(recommendation.at, kind, f"{text}{at_rate}"))
        showing = now
    return found
