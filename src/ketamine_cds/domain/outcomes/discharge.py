"""The discharge summary and the letter to the general practitioner, as one typed model.

Seed 004 ("Proposal for best practice"): "Clear pathway for follow-up"; "Clear line(s) of
communication with patients' primary health practitioner(s)"; "Emergency after-discharge plan,
especially for recrudescence of 'pain'"; "Any change in opioid regimen occurring during the
admission should be clearly communicated with the patient's general practitioner at
discharge"; "Support to patient and general practitioner should be offered post discharge along
with a plan for management of 'relapse'"; BPI and PSEQ before and after the infusion. Seed 002:
the NMDA antagonist must be on the list, and its loss brought the pain back.

The model holds what the pages and the PDF print; nothing here is worded by the templates. A
line the team has not given (who to call, the follow-up appointment) is ``None`` and prints as a
line to fill in by hand. The summary is built only after the reconciliation passes (or a
physician has acknowledged each missing drug): :func:`build_summary` refuses otherwise.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from pydantic import BaseModel, ConfigDict, Field

from ketamine_cds import DECISION_SUPPORT_NOTICE
from ketamine_cds.domain.assessment.measures import (
    MeasureScore,
    bpi_interference,
    bpi_severity,
    pseq_total,
)
from ketamine_cds.domain.bedside.state import visible_events
from ketamine_cds.domain.episode import Episode, OutcomeAssessment
from ketamine_cds.domain.errors import UserInputError
from ketamine_cds.domain.outcomes.course import KetamineCourse, ketamine_course
from ketamine_cds.domain.outcomes.med import med_series
from ketamine_cds.domain.outcomes.medicines import DischargeMedicines, names_drug, opioid_text
from ketamine_cds.domain.outcomes.opioid_doses import RealDoses
from ketamine_cds.domain.outcomes.reconcile import HARM, HARM_SOURCE, Reconciliation
from ketamine_cds.domain.outcomes.response import ResponseAssessment, assess_response
from ketamine_cds.domain.protocols.schema import Protocol, Taper
from ketamine_cds.domain.references import cite

SEED_004 = "seed 004, Proposal for best practice"
SEED_004_OPIOIDS = (
    "seed 004, Proposal for best practice, 6. Concomitant management of existing opioids"
)


class _Out(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class CitedLine(_Out):
    """A line of the summary or the letter, and where it comes from."""

    text: str
    source: str


class DischargeDetails(_Out):
    """What the team writes in: who to call, the follow-up, the general practitioner."""

    patient_name: str | None = Field(default=None, max_length=200)
    team: str | None = Field(default=None, max_length=200, description="The pain team's name.")
    contact: str | None = Field(
        default=None, max_length=200, description="Who to call, and how (in hours)."
    )
    after_hours: str | None = Field(
        default=None, max_length=200, description="Who to call out of hours."
    )
    gp: str | None = Field(default=None, max_length=200, description="The general practitioner.")
    follow_up: str | None = Field(
        default=None, max_length=400, description="The follow-up review agreed (when, where)."
    )
    author: str | None = Field(default=None, max_length=200, description="Who signs the letter.")


class MeasurePair(_Out):
    """A questionnaire score before and after the infusion."""

    name: str
    before: float | None
    before_at: datetime | None
    after: float | None
    after_at: datetime | None
    before_text: str
    after_text: str
    source: str


class MedicineLine(_Out):
    """A medicine on the discharge list, marked if the episode relies on it as NMDA antagonist."""

    text: str
    nmda_antagonist: bool


class OpioidSummary(_Out):
    """The opioid over the episode and at discharge, with the plan in real doses if given."""

    first_med_mg: float | None
    peak_med_mg: float | None
    last_med_mg: float | None
    change_from_peak_percent: float | None
    points: list[tuple[datetime, float]]
    discharge_med_mg: float | None
    discharge_med_table: str | None
    discharge_regimen: list[str]
    plan: list[RealDoses]
    statements: list[CitedLine]


class ReconciledDrug(_Out):
    """An NMDA antagonist the episode relies on, and how the list has it."""

    drug: str
    why: str
    listed_as: str | None
    acknowledged_by: str | None
    acknowledged_reason: str | None


class DischargeSummary(_Out):
    """Everything the discharge summary and the letter to the GP print."""

    occasion: str
    issued_at: datetime
    patient_id: str | None
    weight: str
    details: DischargeDetails
    ketamine: KetamineCourse
    indications: list[str]
    response: ResponseAssessment
    medicines: list[MedicineLine]
    nmda_antagonists: list[ReconciledDrug]
    opioids: OpioidSummary
    measures: list[MeasurePair]
    follow_up: list[CitedLine]
    emergency_plan: list[CitedLine]
    warnings: list[str]
    notice: str = DECISION_SUPPORT_NOTICE


def _pair(
    name: str,
    score: Callable[[OutcomeAssessment], MeasureScore | None],
    first: OutcomeAssessment | None,
    last: OutcomeAssessment | None,
) -> MeasurePair:
    before = None if first is None else score(first)
    after = None if last is None else score(last)
    either = before or after
    return MeasurePair(
        name=name,
        before=None if before is None else before.value,
        before_at=None if first is None else first.at,
        after=None if after is None else after.value,
        after_at=None if last is None else last.at,
        before_text="not recorded" if before is None else before.interpretation,
        after_text="not recorded" if after is None else after.interpretation,
        source="" if either is None else "; ".join(str(s) for s in either.sources),
    )


def _severity(a: OutcomeAssessment) -> MeasureScore | None:
    return None if a.bpi is None else bpi_severity(a.bpi)


def _interference(a: OutcomeAssessment) -> MeasureScore | None:
    return None if a.bpi is None else bpi_interference(a.bpi)


def _pseq(a: OutcomeAssessment) -> MeasureScore | None:
    return None if a.pseq is None else pseq_total(a.pseq)


def measures(episode: Episode, at: datetime) -> list[MeasurePair]:
    """BPI severity and interference and the PSEQ, first and last recorded (seed 004)."""
    assessed = [
        event for _, event in visible_events(episode, at) if isinstance(event, OutcomeAssessment)
    ]
    with_bpi = [a for a in assessed if a.bpi is not None]
    with_pseq = [a for a in assessed if a.pseq is not None]

    def first_last(
        items: list[OutcomeAssessment],
    ) -> tuple[OutcomeAssessment | None, OutcomeAssessment | None]:
        if not items:
            return None, None
        return items[0], (items[-1] if len(items) > 1 else None)

    bpi_first, bpi_last = first_last(with_bpi)
    pseq_first, pseq_last = first_last(with_pseq)
    return [
        _pair("BPI pain severity", _severity, bpi_first, bpi_last),
        _pair("BPI pain interference", _interference, bpi_first, bpi_last),
        _pair("PSEQ", _pseq, pseq_first, pseq_last),
    ]


def follow_up_lines(details: DischargeDetails) -> list[CitedLine]:
    """The follow-up pathway: the team's appointment, and what seed 004 asks for."""
    return [
        CitedLine(
            text=details.follow_up or "Follow-up review: to be arranged by the pain team.",
            source="the pain team",
        ),
        CitedLine(
            text="Multidisciplinary review after the infusion, with the ePPOC dataset (or "
            "equivalent) to monitor progress.",
            source=cite(f"{SEED_004}, 4. Context"),
        ),
        CitedLine(
            text="Primary practitioner communication and follow-up: this letter; support is "
            "offered to the patient and the general practitioner after discharge.",
            source=cite(f"{SEED_004}, 4. Context; 6. Concomitant management of existing opioids"),
        ),
    ]


def emergency_lines(details: DischargeDetails, nmda: list[ReconciledDrug]) -> list[CitedLine]:
    """The emergency plan for recrudescent pain, and who to call."""
    who = details.contact or "the pain team (contact to be written in)"
    lines = [
        CitedLine(
            text=f"If the pain comes back ('recrudescence'), call {who}"
            + (f"; out of hours, {details.after_hours}" if details.after_hours else "")
            + ". The plan for relapse is the pain team's; do not wait for the review.",
            source=cite(f"{SEED_004}, 4. Context; 6. Concomitant management of existing opioids"),
        ),
    ]
    lines.extend(
        CitedLine(
            text=f"First check that {drug.drug} is still being taken ({drug.listed_as}): "
            f"do not stop it without the pain team. {HARM}",
            source=HARM_SOURCE,
        )
        for drug in nmda
        if drug.listed_as is not None
    )
    lines.append(
        CitedLine(
            text="Opioid escalation alone may not control the returning pain: in seed 002 it "
            "did not respond to IV morphine given to the point of over-sedation.",
            source=HARM_SOURCE,
        )
    )
    return lines


def _observe_warning(course: KetamineCourse, protocol: Protocol, at: datetime) -> list[str]:
    taper = protocol.taper
    if not isinstance(taper, Taper) or taper.observe_after_stop is None:
        return []
    if course.ended_at is None or not course.stopped:
        return []
    until = course.ended_at + timedelta(hours=taper.observe_after_stop.hours)
    if at >= until:
        return []
    return [
        (
            f"The protocol observes the patient {taper.observe_after_stop} after stopping, until "
            f"{until:%Y-%m-%d %H:%M %Z} ({taper.id}, {taper.source}); the discharge is earlier."
        )
    ]


def build_summary(  # noqa: PLR0913 - each is one part of the summary
    *,
    episode: Episode,
    protocol: Protocol,
    medicines: DischargeMedicines,
    reconciliation: Reconciliation,
    details: DischargeDetails,
    at: datetime,
    discharge_med_mg: float | None = None,
    discharge_med_table: str | None = None,
    plan: tuple[RealDoses, ...] = (),
) -> DischargeSummary:
    """The summary and letter's content; refused while a missing drug is not acknowledged."""
    if reconciliation.blocked:
        names = ", ".join(reconciliation.missing)
        raise UserInputError(
            f"the {reconciliation.occasion} summary is not issued: {names} is missing from the "
            "medicines and no physician has acknowledged leaving it off"
        )
    course = ketamine_course(episode, protocol, at)
    series = med_series(episode, at)
    summary = series.summary
    relied = {item.drug for item in reconciliation.items}
    nmda = [
        ReconciledDrug(
            drug=item.drug,
            why=item.relied_on.why,
            listed_as=item.listed_as,
            acknowledged_by=None if item.acknowledged is None else item.acknowledged.physician,
            acknowledged_reason=None if item.acknowledged is None else item.acknowledged.reason,
        )
        for item in reconciliation.items
    ]
    statements = [
        CitedLine(
            text="Any change in the opioid regimen during the admission is set out here for "
            "the general practitioner.",
            source=cite(SEED_004_OPIOIDS),
        ),
        CitedLine(
            text="Reduction of the opioid dose within the first 12 days of ketamine must be "
            "attempted unless pain remains uncontrolled.",
            source=cite("seed 000, Clinical Protocols for Ketamine Use"),
        ),
    ]
    return DischargeSummary(
        occasion=reconciliation.occasion,
        issued_at=at,
        patient_id=episode.patient.id,
        weight=str(episode.patient.body_weight),
        details=details,
        ketamine=course,
        indications=list(protocol.indications),
        response=assess_response(episode, protocol),
        medicines=[
            MedicineLine(text=shown, nmda_antagonist=any(names_drug(name, d) for d in relied))
            for name, shown in medicines.names()
        ],
        nmda_antagonists=nmda,
        opioids=OpioidSummary(
            first_med_mg=series.points[0].mg_per_day if series.points else None,
            peak_med_mg=None if summary is None or summary.peak is None else summary.peak.med_mg,
            last_med_mg=series.points[-1].mg_per_day if series.points else None,
            change_from_peak_percent=None
            if summary is None or summary.change_from_peak_percent is None
            else round(summary.change_from_peak_percent, 1),
            points=series.chart_points(),
            discharge_med_mg=None if discharge_med_mg is None else round(discharge_med_mg, 1),
            discharge_med_table=discharge_med_table,
            discharge_regimen=[]
            if medicines.opioids is None
            else [opioid_text(item) for item in medicines.opioids.items],
            plan=list(plan),
            statements=statements,
        ),
        measures=measures(episode, at),
        follow_up=follow_up_lines(details),
        emergency_plan=emergency_lines(details, nmda),
        warnings=[*reconciliation.warnings, *_observe_warning(course, protocol, at)],
    )
