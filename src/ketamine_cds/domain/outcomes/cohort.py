"""The cohort audit: response, side effects, doses, durations and opioid change across episodes.

The measures are those the seed 000 audits report, computed the same way:

* Good et al.: "Of the total 18 patients who were studied, 12 were classified as responders"
  (response by :mod:`.response`), starting dose 100 mg/day, final dose median 200 mg/24 h (range
  100-700), days of ketamine median 5 (range 3-17);
* Jackson et al.: "Fifteen of 17 somatic and 14/23 neuropathic pains responded": responders per
  pain type, an episode counted under every type its assessment names.

A rate is responders over the episodes where the verdict could be made; the undetermined are
counted and shown, never folded into either side. Doses are the infusion's in mg/24 h (an
episode of doses alone has none); durations are from the first dose or rate to the stop (or the
last event of an episode still running).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from statistics import median
from typing import Literal

from pydantic import BaseModel, ConfigDict

from ketamine_cds.domain.episode import Episode, OutcomeAssessment
from ketamine_cds.domain.outcomes.course import KetamineCourse, ketamine_course
from ketamine_cds.domain.outcomes.med import med_series
from ketamine_cds.domain.outcomes.replayed import Replayed, replayed
from ketamine_cds.domain.outcomes.response import Verdict, assess_response
from ketamine_cds.domain.protocols.schema import Protocol
from ketamine_cds.domain.vocabulary import PSYCHOTOMIMETIC

Population = Literal["cancer", "non_cancer"]
PERCENT = 100.0


class _Out(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class CohortFilter(_Out):
    """Which stored episodes the audit covers."""

    protocol_ids: tuple[str, ...] = ()
    started_from: datetime | None = None
    started_before: datetime | None = None
    population: Population | None = None


class EpisodeOutcome(_Out):
    """One episode as the audit counts it."""

    key: str
    protocol_id: str
    population: Population | None
    pain_types: list[str]
    started_at: datetime
    verdict: Verdict
    course: KetamineCourse
    first_med_mg: float | None
    last_med_mg: float | None
    med_change_percent: float | None


class Proportion(_Out):
    """A count over a denominator, and its percentage (None over nothing)."""

    numerator: int
    denominator: int
    percent: float | None


class Spread(_Out):
    """Median and range of a figure over the episodes that have it."""

    n: int
    median: float | None
    minimum: float | None
    maximum: float | None


class ResponseCount(_Out):
    """Responders, non-responders and those the record cannot judge."""

    responders: int
    non_responders: int
    undetermined: int
    rate: Proportion


class CohortReport(_Out):
    """The audit of the episodes a filter selects."""

    filters: CohortFilter
    episodes: int
    response: ResponseCount
    by_pain_type: dict[str, ResponseCount]
    by_protocol: dict[str, ResponseCount]
    side_effects: dict[str, Proportion]
    any_side_effect: Proportion
    psychotomimetic: Proportion
    side_effect_pauses: Proportion
    start_mg_per_day: Spread
    final_mg_per_day: Spread
    max_mg_per_day: Spread
    duration_days: Spread
    med_change_percent: Spread
    opioid_halved: Proportion
    outcomes: list[EpisodeOutcome]


def proportion(numerator: int, denominator: int) -> Proportion:
    """``numerator`` of ``denominator``, with its percentage to one decimal."""
    percent = None if denominator == 0 else round(PERCENT * numerator / denominator, 1)
    return Proportion(numerator=numerator, denominator=denominator, percent=percent)


def spread(values: Iterable[float | None]) -> Spread:
    """Median, minimum and maximum of the values given (None values left out)."""
    known = [v for v in values if v is not None]
    if not known:
        return Spread(n=0, median=None, minimum=None, maximum=None)
    return Spread(
        n=len(known),
        median=round(median(known), 3),
        minimum=round(min(known), 3),
        maximum=round(max(known), 3),
    )


def classification(seen: Replayed) -> tuple[Population | None, list[str]]:
    """The episode's population and pain types: its latest assessment, else the protocol's."""
    population: Population | None = None
    types: list[str] = []
    protocol = seen.protocol
    for event in seen.events:
        if isinstance(event, OutcomeAssessment):
            population = event.population or population
            types = list(event.pain_types) if event.pain_types is not None else types
    if population is None and protocol.population != "any":
        population = protocol.population
    return population, types


def episode_outcome(key: str, episode: Episode, protocol: Protocol) -> EpisodeOutcome:
    """What the audit counts of one episode."""
    seen = replayed(episode, protocol)
    population, types = classification(seen)
    series = med_series(episode, seen.at, events=seen.events)
    first = series.points[0].mg_per_day if series.points else None
    last = series.points[-1].mg_per_day if len(series.points) > 1 else None
    change = None
    if first is not None and last is not None and first > 0:
        change = round(PERCENT * (last - first) / first, 1)
    return EpisodeOutcome(
        key=key,
        protocol_id=protocol.id,
        population=population,
        pain_types=types,
        started_at=episode.started_at,
        verdict=assess_response(episode, protocol, seen=seen).verdict,
        course=ketamine_course(episode, protocol, seen=seen),
        first_med_mg=first,
        last_med_mg=last,
        med_change_percent=change,
    )


def selected(outcome: EpisodeOutcome, filters: CohortFilter) -> bool:
    """Whether the filter keeps the episode."""
    if filters.protocol_ids and outcome.protocol_id not in filters.protocol_ids:
        return False
    if filters.started_from is not None and outcome.started_at < filters.started_from:
        return False
    if filters.started_before is not None and outcome.started_at >= filters.started_before:
        return False
    return filters.population is None or outcome.population == filters.population


def count_response(outcomes: Sequence[EpisodeOutcome]) -> ResponseCount:
    """Responders over the episodes judged, with the undetermined beside them."""
    yes = sum(1 for o in outcomes if o.verdict == "responder")
    no = sum(1 for o in outcomes if o.verdict == "non_responder")
    return ResponseCount(
        responders=yes,
        non_responders=no,
        undetermined=len(outcomes) - yes - no,
        rate=proportion(yes, yes + no),
    )


def cohort_report(
    outcomes: Sequence[EpisodeOutcome], filters: CohortFilter | None = None
) -> CohortReport:
    """The audit of the outcomes the filter keeps."""
    chosen = filters or CohortFilter()
    kept = [o for o in outcomes if selected(o, chosen)]
    given = [o for o in kept if o.course.started_at is not None]
    types = sorted({t for o in kept for t in o.pain_types})
    protocols = sorted({o.protocol_id for o in kept})
    symptoms = sorted({s for o in given for s in o.course.side_effects})
    psychotomimetic = {s.value for s in PSYCHOTOMIMETIC}
    halved = [o for o in given if o.med_change_percent is not None]
    return CohortReport(
        filters=chosen,
        episodes=len(kept),
        response=count_response(kept),
        by_pain_type={t: count_response([o for o in kept if t in o.pain_types]) for t in types},
        by_protocol={p: count_response([o for o in kept if o.protocol_id == p]) for p in protocols},
        side_effects={
            s: proportion(sum(1 for o in given if s in o.course.side_effects), len(given))
            for s in symptoms
        },
        any_side_effect=proportion(sum(1 for o in given if o.course.side_effects), len(given)),
        psychotomimetic=proportion(
            sum(1 for o in given if psychotomimetic & set(o.course.side_effects)), len(given)
        ),
        side_effect_pauses=proportion(
            sum(1 for o in given if o.course.side_effect_pauses), len(given)
        ),
        start_mg_per_day=spread(o.course.start_mg_per_day for o in given),
        final_mg_per_day=spread(o.course.final_mg_per_day for o in given),
        max_mg_per_day=spread(o.course.max_mg_per_day for o in given),
        duration_days=spread(o.course.duration_days for o in given),
        med_change_percent=spread(o.med_change_percent for o in halved),
        opioid_halved=proportion(
            sum(1 for o in halved if (o.med_change_percent or 0) <= -PERCENT / 2), len(halved)
        ),
        outcomes=kept,
    )


def summary_rows(report: CohortReport) -> list[dict[str, object]]:
    """The report as rows of one table (measure, group, counts or spread): the CSV's content."""
    rows: list[dict[str, object]] = [{"measure": "episodes", "group": "", "n": report.episodes}]

    def counted(measure: str, group: str, value: Proportion) -> None:
        rows.append(
            {
                "measure": measure,
                "group": group,
                "numerator": value.numerator,
                "denominator": value.denominator,
                "percent": value.percent,
            }
        )

    def responded(group: str, value: ResponseCount) -> None:
        counted("responders", group, value.rate)
        rows.append({"measure": "undetermined", "group": group, "numerator": value.undetermined})

    responded("all", report.response)
    for name, count in report.by_pain_type.items():
        responded(f"pain type: {name}", count)
    for name, count in report.by_protocol.items():
        responded(f"protocol: {name}", count)
    for name, share in report.side_effects.items():
        counted("side effect", name, share)
    counted("any side effect", "", report.any_side_effect)
    counted("psychotomimetic side effect", "", report.psychotomimetic)
    counted("paused for side effects", "", report.side_effect_pauses)
    counted("opioid MED halved or less", "", report.opioid_halved)
    for measure, figures in (
        ("starting ketamine, mg/24 h", report.start_mg_per_day),
        ("final ketamine, mg/24 h", report.final_mg_per_day),
        ("maximum ketamine, mg/24 h", report.max_mg_per_day),
        ("days of ketamine", report.duration_days),
        ("opioid MED change, %", report.med_change_percent),
    ):
        rows.append(
            {
                "measure": measure,
                "group": "",
                "n": figures.n,
                "median": figures.median,
                "minimum": figures.minimum,
                "maximum": figures.maximum,
            }
        )
    return rows


SUMMARY_COLUMNS = (
    "measure",
    "group",
    "numerator",
    "denominator",
    "percent",
    "n",
    "median",
    "minimum",
    "maximum",
)
