"""The cohort audit across the episodes in the record, as a typed report and as CSV.

Every stored episode the filter selects is rebuilt from its events with the protocol text it
was written against (the archive, by content hash) and measured once (:mod:`.outcomes.cohort`).
The report is computed from the record as it is now; nothing is kept between requests.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable

from ketamine_cds.domain.episode import Episode
from ketamine_cds.domain.outcomes.cohort import (
    SUMMARY_COLUMNS,
    CohortFilter,
    CohortReport,
    EpisodeOutcome,
    cohort_report,
    episode_outcome,
    summary_rows,
)
from ketamine_cds.domain.protocols.schema import Protocol
from ketamine_cds.domain.record import EpisodeHeader
from ketamine_cds.service.record_support import (
    RecordDeps,
    authorised,
    episode_of,
    known_events,
    protocol_of,
    refusals_kept,
)

EPISODE_COLUMNS = (
    "episode",
    "protocol",
    "population",
    "pain_types",
    "started_at",
    "verdict",
    "start_mg_per_day",
    "final_mg_per_day",
    "max_mg_per_day",
    "duration_days",
    "side_effects",
    "side_effect_pauses",
    "first_med_mg",
    "last_med_mg",
    "med_change_percent",
)


def _wanted(header: EpisodeHeader, filters: CohortFilter) -> bool:
    """What the header alone can rule out, before the episode is read."""
    if filters.protocol_ids and header.protocol_id not in filters.protocol_ids:
        return False
    if filters.started_from is not None and header.started_at < filters.started_from:
        return False
    return filters.started_before is None or header.started_at < filters.started_before


def record_cohort(
    deps: RecordDeps, actor: str | None, filters: CohortFilter | None = None
) -> CohortReport:
    """The audit of the stored episodes the filter selects."""
    chosen = filters or CohortFilter()
    request = chosen.model_dump(mode="json")
    with (
        refusals_kept(deps, actor, "episode.read", "episode/*", request),
        deps.uow(writing=False) as uow,
    ):
        authorised(uow, actor, "episode.read")
        protocols: dict[str, Protocol] = {}
        outcomes: list[EpisodeOutcome] = []
        headers = [header for header in uow.episodes.find() if _wanted(header, chosen)]
        stored = uow.events.for_episodes([header.id for header in headers])
        for header in headers:
            if header.protocol_hash not in protocols:
                protocols[header.protocol_hash] = protocol_of(deps, uow, header)
            episode = episode_of(header, known_events(stored[header.id]))
            outcomes.append(
                episode_outcome(str(header.id), episode, protocols[header.protocol_hash])
            )
    return cohort_report(sorted(outcomes, key=lambda o: o.started_at), chosen)


def cohort_of(
    episodes: Iterable[tuple[str, Episode, Protocol]], filters: CohortFilter | None = None
) -> CohortReport:
    """The audit of episodes given directly (a file of them, or a generated cohort)."""
    outcomes = [episode_outcome(key, episode, protocol) for key, episode, protocol in episodes]
    return cohort_report(outcomes, filters)


def summary_csv(report: CohortReport) -> str:
    """The report's measures as CSV: one row per measure and group."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=SUMMARY_COLUMNS, lineterminator="\n")
    writer.writeheader()
    for row in summary_rows(report):
        writer.writerow(row)
    return out.getvalue()


def episodes_csv(report: CohortReport) -> str:
    """Each episode the report counts, one row each, as CSV."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=EPISODE_COLUMNS, lineterminator="\n")
    writer.writeheader()
    for outcome in report.outcomes:
        course = outcome.course
        writer.writerow(
            {
                "episode": outcome.key,
                "protocol": outcome.protocol_id,
                "population": outcome.population or "",
                "pain_types": " ".join(outcome.pain_types),
                "started_at": outcome.started_at.isoformat(),
                "verdict": outcome.verdict,
                "start_mg_per_day": course.start_mg_per_day,
                "final_mg_per_day": course.final_mg_per_day,
                "max_mg_per_day": course.max_mg_per_day,
                "duration_days": course.duration_days,
                "side_effects": " ".join(course.side_effects),
                "side_effect_pauses": course.side_effect_pauses,
                "first_med_mg": outcome.first_med_mg,
                "last_med_mg": outcome.last_med_mg,
                "med_change_percent": outcome.med_change_percent,
            }
        )
    return out.getvalue()
