"""What every stage of the bedside pipeline shares: the inputs, the notes, the decision."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from ketamine_cds.domain.bedside.output import Action, Alert, AlertKind, Reason
from ketamine_cds.domain.bedside.state import EpisodeState
from ketamine_cds.domain.episode import Episode
from ketamine_cds.domain.protocols.limits import LimitTable
from ketamine_cds.domain.protocols.resolve import ResolvedPhase
from ketamine_cds.domain.protocols.schema import Phase, Protocol, Rule
from ketamine_cds.domain.units import Duration, Mass, Rate
from ketamine_cds.domain.vocabulary import Route

EPS = 1e-9
PRODUCT = "ketamine-cds reading"
RAISES: frozenset[Action] = frozenset({"start", "increase", "resume", "next_phase"})


def hours(value: Duration) -> timedelta:
    """A duration as a time span."""
    return timedelta(hours=value.hours)


def fmt(rate: Rate) -> str:
    """A rate in running text."""
    return f"{rate.mg_per_h:.4g} mg/h"


def when(moment: datetime) -> str:
    """A time in running text."""
    return moment.isoformat(timespec="minutes")


def off() -> Rate:
    """The pump off."""
    return Rate.of(0, "mg/hour")


@dataclass
class Decision:
    """What a stage proposes: an action and the figure that goes with it."""

    action: Action
    rate: Rate | None
    dose: Mass | None = None
    route: Route | None = None
    phase: Phase | None = None


@dataclass
class Notes:
    """Reasons, alerts and due times gathered along the pipeline, in order."""

    reasons: list[Reason] = field(default_factory=list)
    alerts: list[Alert] = field(default_factory=list)
    due: list[datetime] = field(default_factory=list)

    def reason(self, rule: Rule | str, text: str, source: str | None = None) -> None:
        """Record a reason, from a protocol rule or a named product reading."""
        if isinstance(rule, Rule):
            self.reasons.append(Reason(rule=rule.id, text=text, source=str(rule.source)))
        else:
            self.reasons.append(Reason(rule=rule, text=text, source=source or PRODUCT))

    def alert(
        self, kind: AlertKind, text: str, rule: Rule | None = None, source: str = ""
    ) -> None:
        """Record an alert, with the rule and source it rests on; the same alert once."""
        item = Alert(
            kind=kind,
            text=text,
            source=str(rule.source) if rule is not None else (source or PRODUCT),
            rule=rule.id if rule is not None else None,
        )
        if item not in self.alerts:
            self.alerts.append(item)

    def has(self, kind: AlertKind) -> bool:
        """Whether an alert of ``kind`` was raised."""
        return any(alert.kind == kind for alert in self.alerts)


@dataclass
class Context:
    """The inputs of one recommendation, made concrete for this patient and phase."""

    episode: Episode
    protocol: Protocol
    limits: LimitTable
    at: datetime
    state: EpisodeState
    phase: Phase
    resolved: ResolvedPhase
    notes: Notes = field(default_factory=Notes)
    no_escalation: list[str] = field(default_factory=list)
    no_titration: list[str] = field(default_factory=list)

    @property
    def weight_text(self) -> str:
        """The dosing weight as shown."""
        return str(self.state.weight)

    def hard_rate(self) -> Rate:
        """The hard rate limit for this patient and phase route."""
        return self.limits.hard_rate(self.phase.route)[1].for_weight(self.state.weight)

    def hold(self, why: str) -> None:
        """Forbid any raise in this recommendation (start, step up, restart), saying why."""
        if why not in self.no_escalation:
            self.no_escalation.append(why)

    def hold_titration(self, why: str) -> None:
        """Forbid a step up by titration in this recommendation, saying why."""
        if why not in self.no_titration:
            self.no_titration.append(why)

    def held(self) -> list[str]:
        """Every reason a step up is forbidden now."""
        return [*self.no_escalation, *self.no_titration]

    def latest_pain(self, since: datetime | None = None) -> tuple[datetime, int] | None:
        """The most recent pain score (since a time, if given)."""
        pains = self.state.pains(since)
        return pains[-1] if pains else None
