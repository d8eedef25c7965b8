"""The discharge and transfer reconciliation: no NMDA antagonist the episode relies on is lost.

Seed 002 ("Case Description"): "On discharge, the memantine was inadvertently discontinued.
During the following 2 wk he complained of a return of his burning low back pain and lower
extremity pain, which proved refractory to IV morphine even when administered to the point of
over sedation." It resolved over 3-4 days once memantine 10 mg twice daily was restarted.

The episode relies on a drug when

* the protocol starts it at a transition and says it continues after discharge
  (``continue_after_discharge``) and the episode recorded it started, or
* a ``companion_drug`` event given for its NMDA antagonism is still running, or
* the episode ends in a phase of ketamine doses (subcutaneous or oral) that is still running.

Each such drug missing from the list is a critical alert, and the discharge summary is blocked
until it is added or a physician records leaving it off, with a reason
(``reconciliation_acknowledged``). A drug the protocol starts but the episode never recorded is a
warning, not a block: the record cannot say it was relied on.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from ketamine_cds.domain.bedside.state import replay, visible_events
from ketamine_cds.domain.episode import Episode, ReconciliationAcknowledged
from ketamine_cds.domain.outcomes.companions import CompanionCourse, companion_courses, frequency
from ketamine_cds.domain.outcomes.medicines import DischargeMedicines, names_drug
from ketamine_cds.domain.protocols.schema import Protocol, Rule, StartDrug
from ketamine_cds.domain.references import cite
from ketamine_cds.domain.vocabulary import Route

Occasion = Literal["discharge", "transfer"]
HARM = (
    "Seed 002: when memantine was inadvertently stopped at discharge to a nursing home, the "
    "burning back and leg pain returned within two weeks and did not respond to IV morphine, "
    "even to over-sedation; it resolved over 3-4 days once memantine was restarted."
)
HARM_SOURCE = cite("seed 002, Case Description")


@dataclass(frozen=True)
class Acknowledgement:
    """A physician's record that a drug is deliberately left off the list."""

    physician: str
    reason: str
    at: datetime
    occasion: Occasion


@dataclass(frozen=True)
class ReliedOn:
    """A drug the episode relies on, why, and what it was last given as."""

    drug: str
    why: str
    rule: str | None
    source: str
    regimen: str | None
    since: datetime


@dataclass(frozen=True)
class ReconciliationItem:
    """One drug relied on: on the list or not, and any acknowledgement of leaving it off."""

    relied_on: ReliedOn
    listed_as: str | None
    acknowledged: Acknowledgement | None

    @property
    def drug(self) -> str:
        """The drug's name."""
        return self.relied_on.drug

    @property
    def on_list(self) -> bool:
        """Whether the list names the drug."""
        return self.listed_as is not None

    @property
    def blocking(self) -> bool:
        """Missing, and no physician has acknowledged leaving it off."""
        return not self.on_list and self.acknowledged is None


@dataclass(frozen=True)
class CriticalAlert:
    """An alert that blocks the discharge summary until a physician acknowledges it."""

    kind: Literal["nmda_antagonist_missing"]
    drug: str
    text: str
    rule: str | None
    source: str
    acknowledged: Acknowledgement | None


@dataclass(frozen=True)
class Reconciliation:
    """The reconciliation of an episode against a medicines list, at a moment."""

    occasion: Occasion
    at: datetime
    items: tuple[ReconciliationItem, ...]
    alerts: tuple[CriticalAlert, ...]
    warnings: tuple[str, ...]

    @property
    def blocked(self) -> bool:
        """Whether a missing drug blocks the discharge summary."""
        return any(item.blocking for item in self.items)

    @property
    def missing(self) -> tuple[str, ...]:
        """The drugs relied on that are missing and not acknowledged."""
        return tuple(item.drug for item in self.items if item.blocking)


def _continued_drugs(protocol: Protocol) -> list[StartDrug]:
    return [
        drug
        for transition in protocol.transitions
        for drug in transition.start_drugs
        if drug.continue_after_discharge
    ]


def _discharge_rule(protocol: Protocol, drug: str) -> Rule | None:
    """The protocol's order that names the drug on the discharge list, if it has one."""
    return next(
        (
            order
            for order in protocol.orders
            if drug in order.text.lower() and "discharge" in order.text.lower()
        ),
        None,
    )


def relied_on(
    episode: Episode, protocol: Protocol, at: datetime
) -> tuple[list[ReliedOn], list[str]]:
    """The NMDA antagonists the episode relies on at ``at``, and warnings about others."""
    courses = companion_courses(episode, at)
    found: dict[str, ReliedOn] = {}
    warnings: list[str] = []
    for drug in _continued_drugs(protocol):
        course = courses.get(drug.drug)
        if course is None:
            warnings.append(
                f"Protocol {protocol.id} starts {drug.drug} and continues it after discharge "
                f"({drug.id}); the record holds no {drug.drug}, so it is not reconciled."
            )
            continue
        order = _discharge_rule(protocol, drug.drug)
        stopped = (
            ""
            if course.running
            else f" It was recorded stopped on {course.stopped_at:%Y-%m-%d}; the protocol "
            "still continues it after discharge."
        )
        found[drug.drug] = ReliedOn(
            drug=drug.drug,
            why=(
                f"Protocol {protocol.id} continues {drug.drug} after discharge ({drug.id}); "
                f"recorded: {course.history()}.{stopped}"
            ),
            rule=(order or drug).id,
            source=str((order or drug).source),
            regimen=course.regimen,
            since=course.latest_at,
        )
    for name, course in courses.items():
        if name in found or not (course.running and course.nmda_antagonist):
            continue
        found[name] = _running_companion(course)
    ketamine = _ketamine_running(episode, protocol, at)
    if ketamine is not None:
        found.setdefault("ketamine", ketamine)
    return list(found.values()), warnings


def _running_companion(course: CompanionCourse) -> ReliedOn:
    return ReliedOn(
        drug=course.drug,
        why=(
            f"{course.drug.capitalize()} is recorded running for its NMDA-receptor antagonism "
            f"({course.history()})."
        ),
        rule=None,
        source=HARM_SOURCE,
        regimen=course.regimen,
        since=course.latest_at,
    )


def _ketamine_running(episode: Episode, protocol: Protocol, at: datetime) -> ReliedOn | None:
    """Ketamine itself, when the episode ends on a running phase of doses by mouth or injection."""
    routes = {phase.id: phase.route for phase in protocol.phases}
    state = replay(episode, routes, protocol.phases[0].id, at)
    phase = protocol.phase(state.phase_id)
    if state.status != "running" or phase.kind != "divided_doses":
        return None
    last = state.doses[-1] if state.doses else None
    regimen = None
    if last is not None and phase.doses_per_day:
        regimen = f"{last.dose.mg:g} mg {frequency(phase.doses_per_day)}, {last.route.value}"
    return ReliedOn(
        drug="ketamine",
        why=(
            f"The episode is in phase '{phase.id}' ({phase.title}), ketamine "
            f"{'by mouth' if phase.route == Route.ORAL else phase.route.value}, still running."
        ),
        rule=phase.id,
        source=str(phase.source),
        regimen=regimen,
        since=state.phase_since,
    )


def acknowledgements(
    episode: Episode, at: datetime, occasion: Occasion
) -> dict[str, Acknowledgement]:
    """The latest physician's acknowledgement for each drug on this occasion, by ``at``."""
    found: dict[str, Acknowledgement] = {}
    for _, event in visible_events(episode, at):
        if isinstance(event, ReconciliationAcknowledged) and event.occasion == occasion:
            found[event.drug] = Acknowledgement(
                physician=event.physician, reason=event.reason, at=event.at, occasion=event.occasion
            )
    return found


def reconcile(
    episode: Episode,
    protocol: Protocol,
    medicines: DischargeMedicines,
    at: datetime,
    occasion: Occasion = "discharge",
) -> Reconciliation:
    """Every NMDA antagonist the episode relies on, checked against the medicines list."""
    drugs, warnings = relied_on(episode, protocol, at)
    acknowledged = acknowledgements(episode, at, occasion)
    items: list[ReconciliationItem] = []
    alerts: list[CriticalAlert] = []
    for drug in drugs:
        listed = medicines.find(drug.drug)
        # An acknowledgement covers the drug as it was then: a restart or change needs a new one.
        ack = next(
            (
                a
                for name, a in acknowledged.items()
                if names_drug(name, drug.drug) and a.at >= drug.since
            ),
            None,
        )
        item = ReconciliationItem(drug, listed, ack if listed is None else None)
        items.append(item)
        if item.on_list:
            continue
        alerts.append(_alert(drug, occasion, item.acknowledged))
    return Reconciliation(
        occasion=occasion,
        at=at,
        items=tuple(items),
        alerts=tuple(alerts),
        warnings=tuple(warnings),
    )


def _alert(drug: ReliedOn, occasion: Occasion, ack: Acknowledgement | None) -> CriticalAlert:
    last = f" (last given as {drug.regimen})" if drug.regimen else ""
    if ack is None:
        tail = (
            f"Add it to the {occasion} medicines, or a physician records leaving it off with a "
            "reason; until then the discharge summary is not issued."
        )
    else:
        tail = f"Left off by {ack.physician} on {ack.at:%Y-%m-%d %H:%M %Z}: {ack.reason}"
    return CriticalAlert(
        kind="nmda_antagonist_missing",
        drug=drug.drug,
        text=(
            f"{drug.drug.capitalize()}{last} is missing from the {occasion} medicines. "
            f"{drug.why} {HARM} {tail}"
        ),
        rule=drug.rule,
        source=drug.source if drug.source == HARM_SOURCE else f"{drug.source}; {HARM_SOURCE}",
        acknowledged=ack,
    )
