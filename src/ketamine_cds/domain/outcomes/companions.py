"""Companion drugs over an episode: what was started, changed and stopped, and what runs now.

Memantine after a ketamine infusion (seed 002) and methadone for its NMDA share (seed 000,
seed 002) are recorded as ``companion_drug`` events. The course of each is replayed from the
events that count at a moment (corrections applied, entries in error left out), as the bedside
engine replays the infusion.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from ketamine_cds.domain.bedside.state import visible_events
from ketamine_cds.domain.episode import CompanionDrug, Episode
from ketamine_cds.domain.protocols.figures import num
from ketamine_cds.domain.units import Mass

TIMES_A_DAY = {1: "once daily", 2: "twice daily", 3: "three times daily", 4: "four times daily"}


def frequency(doses_per_day: int) -> str:
    """How often, in words: 'twice daily', '6 times a day'."""
    return TIMES_A_DAY.get(doses_per_day, f"{doses_per_day} times a day")


def regimen_text(dose: Mass, doses_per_day: int, route: str) -> str:
    """A dose as written on a chart: '10 mg twice daily, oral'."""
    return f"{num(dose.mg)} mg {frequency(doses_per_day)}, {route}"


@dataclass(frozen=True)
class CompanionCourse:
    """One companion drug's course in the episode, up to a moment."""

    drug: str
    nmda_antagonist: bool
    started_at: datetime
    changed_at: datetime | None
    stopped_at: datetime | None
    dose: Mass | None
    doses_per_day: int | None
    route: str | None
    steps: tuple[CompanionDrug, ...]

    @property
    def running(self) -> bool:
        """Whether the drug is being given at the moment asked about."""
        return self.stopped_at is None

    @property
    def regimen(self) -> str | None:
        """The regimen running (or the last one before it stopped), in words."""
        if self.dose is None or self.doses_per_day is None or self.route is None:
            return None
        return regimen_text(self.dose, self.doses_per_day, self.route)

    @property
    def latest_at(self) -> datetime:
        """When the drug was last started, changed or stopped."""
        return self.steps[-1].at

    @property
    def daily_mg(self) -> float | None:
        """Milligrams a day of the regimen running."""
        if self.dose is None or self.doses_per_day is None:
            return None
        return self.dose.mg * self.doses_per_day

    def history(self) -> str:
        """Every step in words: 'started 5 mg twice daily, oral on 2024-05-06 ...'."""
        parts = []
        for step in self.steps:
            when = step.at.date().isoformat()
            if step.action == "stopped" or not isinstance(step.dose, Mass):
                parts.append(f"{step.action} on {when}")
            else:
                assert step.doses_per_day is not None  # noqa: S101 - the event validates it
                assert step.route is not None  # noqa: S101
                text = regimen_text(step.dose, step.doses_per_day, step.route.value)
                parts.append(f"{step.action} {text} on {when}")
        return "; ".join(parts)


def companion_courses(
    episode: Episode, at: datetime, known_at: datetime | None = None
) -> dict[str, CompanionCourse]:
    """Each companion drug recorded by ``at``, by name, in the order first started."""
    events = visible_events(episode, at, known_at)
    return courses_from(event for _, event in events if isinstance(event, CompanionDrug))


def courses_from(events: Iterable[CompanionDrug]) -> dict[str, CompanionCourse]:
    """Each drug's course from its events (those that count, in time order), by name."""
    found: dict[str, list[CompanionDrug]] = {}
    for event in events:
        found.setdefault(event.drug, []).append(event)
    return {drug: _course(drug, steps) for drug, steps in found.items()}


def _course(drug: str, steps: list[CompanionDrug]) -> CompanionCourse:
    started = steps[0].at
    changed: datetime | None = None
    stopped: datetime | None = None
    dose: Mass | None = None
    per_day: int | None = None
    route: str | None = None
    for step in steps:
        if step.action == "stopped":
            stopped = step.at
            continue
        if stopped is not None or step.action == "changed":
            changed = step.at
        stopped = None
        dose = step.dose if isinstance(step.dose, Mass) else dose
        per_day = step.doses_per_day
        route = None if step.route is None else step.route.value
    return CompanionCourse(
        drug=drug,
        nmda_antagonist=steps[-1].nmda_antagonist,
        started_at=started,
        changed_at=changed,
        stopped_at=stopped,
        dose=dose,
        doses_per_day=per_day,
        route=route,
        steps=tuple(steps),
    )
