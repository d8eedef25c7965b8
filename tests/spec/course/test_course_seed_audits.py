"""The seed 000 audits rebuilt: worked episodes made from the published counts, audited again.

Seed 000, "Outcomes Reported with Ketamine Use for Cancer Pain":

* Good et al.: "The starting dose of Ketamine was 100 mg/day and the final median dose of
  Ketamine was 200 mg/24 hours ... with a range of 100-700 mg/day. The median number of days of
  Ketamine use was 5 with a range of 3-17 days"; "Of the total 18 patients who were studied, 12
  were classified as responders for an excellent response rate of 66%."
* Jackson et al.: "Fifteen of 17 somatic and 14/23 neuropathic pains responded with definition of
  response very close to that utilized in the Good et al study."

Each worked episode is built from those counts (one per patient or pain cluster), with the
responders responding by Good et al.'s definition; the audit must give the published numbers back.
"""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest
from bedside_build import build, ev
from course_build import protocol

from ketamine_cds.domain.episode import Episode
from ketamine_cds.domain.outcomes.cohort import CohortFilter, cohort_report, episode_outcome
from ketamine_cds.service.cohort import cohort_of, summary_csv

# Good et al.: 18 final doses with median 200 (range 100-700) and 18 durations with median 5
# (range 3-17), the first 12 episodes responders.
GOOD_FINAL = [
    100,
    100,
    100,
    150,
    150,
    200,
    200,
    200,
    200,
    200,
    200,
    250,
    300,
    300,
    400,
    500,
    600,
    700,
]
GOOD_DAYS = [3, 3, 4, 4, 4, 5, 5, 5, 5, 5, 5, 6, 6, 7, 8, 10, 12, 17]
START_H = 0.5


def _worked(  # noqa: PLR0913 - one worked episode's figures
    protocol_id: str,
    *,
    final_mg_per_day: float,
    days: float,
    responder: bool,
    pain_type: str,
    key: int,
) -> Episode:
    end = START_H + 24 * days
    events: list[dict[str, Any]] = [
        ev("assessment", 0, by="audit", population="cancer", pain_types=[pain_type]),
        ev("opioid_use", 0, med_mg_per_24h=400, breakthrough_doses_24h=8),
        ev("rate_change", START_H, rate="100 mg/24 h", by="RN"),
    ]
    if final_mg_per_day != 100:
        events.append(ev("rate_change", 24, rate=f"{final_mg_per_day:g} mg/24 h", by="RN"))
    events += [
        ev("observation", end - 3, pain=2 if responder else 6),
        ev("opioid_use", end - 2, med_mg_per_24h=150 if responder else 400),
        ev("stop", end, by="RN"),
    ]
    episode = build(events, protocol=protocol_id, weight="70 kg", baseline={"pain": 8})
    return episode.model_copy(
        update={"patient": episode.patient.model_copy(update={"id": str(key)})}
    )


def _good() -> list[Episode]:
    return [
        _worked(
            "good-triple-agent",
            final_mg_per_day=final,
            days=days,
            responder=index < 12,
            pain_type="mixed",
            key=index,
        )
        for index, (final, days) in enumerate(zip(GOOD_FINAL, GOOD_DAYS, strict=True))
    ]


def _jackson() -> list[Episode]:
    clusters = [("somatic", 17, 15), ("neuropathic", 23, 14)]
    found: list[Episode] = []
    for pain_type, total, responders in clusters:
        found += [
            _worked(
                "jackson-burst",
                final_mg_per_day=300,
                days=4,
                responder=n < responders,
                pain_type=pain_type,
                key=len(found) + n,
            )
            for n in range(total)
        ]
    return found


def _report(episodes: list[Episode], filters: CohortFilter | None = None) -> Any:
    chosen = {e.protocol.id: protocol(e.protocol.id) for e in episodes}
    return cohort_of(((e.patient.id or "", e, chosen[e.protocol.id]) for e in episodes), filters)


def test_good_12_of_18_responders() -> None:
    """12 of 18 respond: 66.7 % (seed 000 writes 66 %, the figure cut, not rounded)."""
    report = _report(_good())
    assert report.episodes == 18
    assert (report.response.responders, report.response.non_responders) == (12, 6)
    assert report.response.rate.percent == pytest.approx(66.7)


def test_good_starting_final_doses_and_days() -> None:
    """Start 100 mg/day; final median 200 mg/24 h (100-700); days median 5 (3-17)."""
    report = _report(_good())
    assert (report.start_mg_per_day.median, report.start_mg_per_day.maximum) == (100, 100)
    final = report.final_mg_per_day
    assert (final.median, final.minimum, final.maximum) == (200, 100, 700)
    days = report.duration_days
    assert (days.median, days.minimum, days.maximum) == (5, 3, 17)


def test_jackson_responders_per_pain_type() -> None:
    """15 of 17 somatic and 14 of 23 neuropathic pains responded: 29 of 40 in all."""
    report = _report(_jackson())
    somatic, neuropathic = report.by_pain_type["somatic"], report.by_pain_type["neuropathic"]
    assert (somatic.responders, somatic.rate.denominator) == (15, 17)
    assert (neuropathic.responders, neuropathic.rate.denominator) == (14, 23)
    assert (report.response.responders, report.response.rate.denominator) == (29, 40)


def test_the_filter_by_protocol_separates_the_two_audits() -> None:
    """Both audits in one cohort: filtering by protocol gives each audit's own figures back."""
    both = [*_good(), *_jackson()]
    good = _report(both, CohortFilter(protocol_ids=("good-triple-agent",)))
    jackson = _report(both, CohortFilter(protocol_ids=("jackson-burst",)))
    assert (good.episodes, good.response.responders) == (18, 12)
    assert (jackson.episodes, jackson.response.responders) == (40, 29)
    assert _report(both, CohortFilter(population="non_cancer")).episodes == 0


def test_the_csv_holds_the_audit_measures() -> None:
    """The CSV's rows carry the counts: responders per pain type as in the source."""
    rows = list(csv.DictReader(io.StringIO(summary_csv(_report(_jackson())))))
    somatic = next(
        r for r in rows if r["measure"] == "responders" and r["group"] == "pain type: somatic"
    )
    assert (somatic["numerator"], somatic["denominator"], somatic["percent"]) == (
        "15",
        "17",
        "88.2",
    )


def test_an_episode_outcome_is_the_same_from_the_domain_and_the_service() -> None:
    """The service's audit counts an episode exactly as the domain's outcome does."""
    episode = _good()[0]
    outcome = episode_outcome("0", episode, protocol("good-triple-agent"))
    assert cohort_report([outcome]).outcomes == _report([episode]).outcomes
