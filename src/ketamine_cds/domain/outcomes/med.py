"""The opioid dose over an episode: its MED as a series the chart draws, with its summary.

Seed 000 ("Ketamine"): MED fell from about 700 mg/day at the peak to about 200 mg/day at the
last discharge; seed 001, case 2: 580, 855, 1,400 and 780 mg/day over days 2 to 6. The points
are the episode's ``opioid_use`` events that give a MED (corrections applied, entries in error
left out), each the oral morphine equivalent of the 24 hours before it. The summary (peak,
changes) is the opioid plan's own timeline summary, so the two never disagree.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from ketamine_cds.domain.bedside.state import visible_events
from ketamine_cds.domain.episode import AnyEvent, Episode, OpioidUse
from ketamine_cds.domain.opioids.plan import Timeline, TimelineEntry, timeline
from ketamine_cds.domain.outcomes.replayed import last_moment

DAY = timedelta(days=1)


@dataclass(frozen=True)
class MedReading:
    """The MED of the 24 hours before ``at``, as recorded in the episode."""

    at: datetime
    mg_per_day: float
    recorded_by: str | None
    event_id: str | None


@dataclass(frozen=True)
class MedSeries:
    """The MED points of an episode, oldest first, and their summary (None without points)."""

    points: tuple[MedReading, ...]
    summary: Timeline | None

    def chart_points(self) -> list[tuple[datetime, float]]:
        """(time, mg/day) pairs, oldest first: what the timeline chart draws."""
        return [(point.at, point.mg_per_day) for point in self.points]


def med_series(
    episode: Episode, at: datetime | None = None, *, events: Sequence[AnyEvent] | None = None
) -> MedSeries:
    """The episode's MED over time, up to ``at`` (by default, its last event).

    ``events``: the events that count, when the caller has replayed the episode already.
    """
    moment = last_moment(episode) if at is None else at
    counted = [e for _, e in visible_events(episode, moment)] if events is None else events
    points = tuple(
        MedReading(
            at=event.at,
            mg_per_day=event.med_mg_per_24h,
            recorded_by=event.recorded_by,
            event_id=event.id,
        )
        for event in counted
        if isinstance(event, OpioidUse) and event.med_mg_per_24h is not None
    )
    if not points:
        return MedSeries(points=(), summary=None)
    entries = [
        TimelineEntry(
            day=(point.at - episode.started_at) / DAY,
            label=point.at.isoformat(timespec="minutes"),
            med_mg=point.mg_per_day,
            computed=False,
            complete=True,
            source="recorded in the episode (opioid_use)",
            covered_med_mg=point.mg_per_day,
        )
        for point in points
    ]
    return MedSeries(points=points, summary=timeline(entries))


def med_points(episode: Episode, at: datetime | None = None) -> list[tuple[datetime, float]]:
    """(time, mg/day) pairs of the episode's MED, oldest first, for the chart."""
    return med_series(episode, at).chart_points()
