"""The whole pre-infusion assessment of one patient, and its verdict per protocol.

The verdict of a protocol combines three things (docs/adr/0020, 0021):

* its eligibility criteria (met / not met / unknown; or none stated by the source),
* its population (cancer, non-cancer or any) against the record,
* the product-wide contraindications of grade ``contraindicated``.

``not_eligible`` if any of them fails; else ``needs_information`` if any is unknown (naming what is
missing); else ``eligible``. Nothing unknown is ever read as a pass.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from ketamine_cds.domain.assessment.citation import Citation
from ketamine_cds.domain.assessment.contraindications import (
    ContraindicationFinding,
    ContraindicationTable,
    Grade,
    Presence,
    check_contraindications,
)
from ketamine_cds.domain.assessment.eligibility import (
    CriterionResult,
    EligibilityResult,
    Status,
    evaluate_eligibility,
)
from ketamine_cds.domain.assessment.evidence import EvidenceTable, EvidenceView, evidence_for
from ketamine_cds.domain.assessment.measures import (
    MeasureScore,
    bpi_interference,
    bpi_severity,
    pseq_total,
)
from ketamine_cds.domain.assessment.patient import PatientRecord
from ketamine_cds.domain.assessment.screening import (
    LanssScore,
    NeuropathicScreen,
    screen_neuropathic,
)
from ketamine_cds.domain.protocols.schema import Protocol, Source


class Verdict(StrEnum):
    """The answer for one protocol."""

    ELIGIBLE = "eligible"
    NOT_ELIGIBLE = "not_eligible"
    NEEDS_INFORMATION = "needs_information"


@dataclass(frozen=True)
class ProtocolAssessment:
    """One protocol decided for one patient."""

    id: str
    version: str
    title: str
    population: str
    verdict: Verdict
    eligibility: EligibilityResult
    population_status: Status
    reasons: tuple[str, ...]
    missing: tuple[str, ...]
    contraindicated: tuple[str, ...] = ()
    contraindications_not_recorded: tuple[str, ...] = ()


@dataclass(frozen=True)
class Scores:
    """The screening and baseline scores that the record allows."""

    screen: NeuropathicScreen
    lanss: LanssScore | None
    bpi_severity: MeasureScore | None
    bpi_interference: MeasureScore | None
    pseq: MeasureScore | None


@dataclass(frozen=True)
class Assessment:
    """Everything the assessment found."""

    record: PatientRecord
    protocols: tuple[ProtocolAssessment, ...]
    contraindications: tuple[ContraindicationFinding, ...]
    scores: Scores
    evidence: EvidenceView
    notes: tuple[str, ...] = field(default=())

    @property
    def present(self) -> tuple[ContraindicationFinding, ...]:
        """Entries that apply to this patient, contraindications first."""
        order = {Grade.CONTRAINDICATED: 0, Grade.CAUTION: 1, Grade.NOTE: 2}
        found = [f for f in self.contraindications if f.presence is Presence.PRESENT]
        return tuple(sorted(found, key=lambda f: order[f.entry.grade]))

    @property
    def unknown(self) -> tuple[ContraindicationFinding, ...]:
        """Entries the record cannot decide."""
        return tuple(f for f in self.contraindications if f.presence is Presence.UNKNOWN)


def _population_status(protocol_population: str, record: PatientRecord) -> Status:
    if protocol_population == "any":
        return Status.MET
    if record.pain.population is None:
        return Status.UNKNOWN
    return Status.MET if record.pain.population == protocol_population else Status.NOT_MET


def assess_protocol(
    protocol: Protocol,
    record: PatientRecord,
    contraindications: Sequence[ContraindicationFinding],
) -> ProtocolAssessment:
    """Decide one protocol: criteria, population and the product-wide contraindications."""
    eligibility = evaluate_eligibility(protocol.eligibility, record)
    population = _population_status(protocol.population, record)
    blocking = [
        f
        for f in contraindications
        if f.entry.grade is Grade.CONTRAINDICATED and f.presence is Presence.PRESENT
    ]
    undecided = [
        f
        for f in contraindications
        if f.entry.grade is Grade.CONTRAINDICATED and f.presence is Presence.UNKNOWN
    ]
    reasons: list[str] = []
    missing: dict[str, None] = {}
    not_met = [c for c in eligibility.criteria if c.status is Status.NOT_MET]
    unknown = [c for c in eligibility.criteria if c.status is Status.UNKNOWN]
    if population is Status.NOT_MET:
        reasons.append(f"protocol is for {protocol.population.replace('_', '-')} pain")
    if population is Status.UNKNOWN:
        reasons.append("cancer / non-cancer not recorded")
        missing["pain.population"] = None
    if eligibility.status is Status.NOT_MET:
        reasons.extend(f"criterion not met: {c.id} ({c.reason})" for c in not_met)
    if eligibility.status is Status.UNKNOWN:
        for criterion in unknown:
            reasons.append(f"criterion unknown: {criterion.id} ({criterion.reason})")
            missing.update(dict.fromkeys(criterion.missing))
    reasons.extend(f"contraindicated: {f.entry.id} ({f.detail})" for f in blocking)
    for finding in undecided:
        reasons.append(f"contraindication not recorded: {finding.entry.id}")
        missing.update(dict.fromkeys(finding.missing))
    if eligibility.status is Status.NO_CRITERIA_STATED:
        reasons.append("the source states no eligibility criteria: verdict from contraindications")
    if population is Status.NOT_MET or eligibility.status is Status.NOT_MET or blocking:
        verdict = Verdict.NOT_ELIGIBLE
    elif population is Status.UNKNOWN or eligibility.status is Status.UNKNOWN or undecided:
        verdict = Verdict.NEEDS_INFORMATION
    else:
        verdict = Verdict.ELIGIBLE
    return ProtocolAssessment(
        id=protocol.id,
        version=protocol.version,
        title=protocol.title,
        population=protocol.population,
        verdict=verdict,
        eligibility=eligibility,
        population_status=population,
        reasons=tuple(reasons),
        missing=tuple(missing),
        contraindicated=tuple(f.entry.id for f in blocking),
        contraindications_not_recorded=tuple(f.entry.id for f in undecided),
    )


def score_record(record: PatientRecord) -> Scores:
    """Every screening and baseline score the record's answers allow."""
    questionnaires = record.questionnaires
    screen = screen_neuropathic(record)
    bpi = questionnaires.bpi
    return Scores(
        screen=screen,
        lanss=screen.lanss,
        bpi_severity=bpi_severity(bpi) if bpi else None,
        bpi_interference=bpi_interference(bpi) if bpi else None,
        pseq=pseq_total(questionnaires.pseq) if questionnaires.pseq else None,
    )


def assess(
    record: PatientRecord,
    protocols: Sequence[Protocol],
    contraindications: ContraindicationTable,
    evidence: EvidenceTable,
) -> Assessment:
    """The whole assessment of one record against the given protocols."""
    findings = check_contraindications(contraindications, record)
    return Assessment(
        record=record,
        protocols=tuple(assess_protocol(p, record, findings) for p in protocols),
        contraindications=findings,
        scores=score_record(record),
        evidence=evidence_for(evidence, record.indication),
    )


def _source(source: Source | Citation | None) -> dict[str, str | None] | None:
    if source is None:
        return None
    return source.as_dict()


def _criterion(criterion: CriterionResult) -> dict[str, Any]:
    return {
        "id": criterion.id,
        "text": criterion.text,
        "finding": criterion.finding.value if criterion.finding else None,
        "status": criterion.status.value,
        "reason": criterion.reason,
        "missing": list(criterion.missing),
        "group_path": list(criterion.group_path),
        "source": _source(criterion.source),
    }


def _measure(score: MeasureScore | None) -> dict[str, Any] | None:
    if score is None:
        return None
    return {
        "value": score.value,
        "interpretation": score.interpretation,
        "missing": list(score.missing),
        "sources": [_source(s) for s in score.sources],
    }


def _lanss(score: LanssScore | None) -> dict[str, Any] | None:
    if score is None:
        return None
    return {
        "value": score.score,
        "partial_score": score.partial_score,
        "maximum": 24,
        "cut_off": 12,
        "positive": score.positive,
        "interpretation": score.interpretation,
        "missing": list(score.missing),
        "sources": [_source(score.source)],
    }


def _finding(finding: ContraindicationFinding) -> dict[str, Any]:
    sources = [_source(s) for s in finding.entry.sources]
    return {
        "id": finding.entry.id,
        "grade": finding.entry.grade.value,
        "text": finding.entry.text,
        "detail": finding.detail,
        "source": sources[0] if sources else None,
        "sources": sources,
        "sources_silent": finding.entry.sources_silent,
    }


def assessment_to_dict(assessment: Assessment) -> dict[str, Any]:
    """The assessment as plain JSON values (the ``--json`` output)."""
    record = assessment.record
    weight = record.body_weight
    scores = assessment.scores
    screen = scores.screen
    score_map = {
        "lanss": _lanss(scores.lanss),
        "bpi_severity": _measure(scores.bpi_severity),
        "bpi_interference": _measure(scores.bpi_interference),
        "pseq": _measure(scores.pseq),
    }
    evidence = assessment.evidence
    top = evidence.statements[0] if evidence.statements else None
    return {
        "patient": {
            "id": record.id,
            "age_years": record.age_years,
            "sex": record.sex,
            "weight": None
            if weight is None
            else {
                "kg": round(weight.kg, 2),
                "entered": weight.entered,
                "conversion": weight.conversion,
            },
            "population": record.pain.population,
            "pain_types": [t.value for t in record.pain.types] if record.pain.types else None,
            "baseline_pain": record.pain.baseline_score,
            "goal": {"target_pain": record.goal.target_pain, "function": record.goal.function},
            "med_mg_per_day": record.opioids.med_mg_per_day,
        },
        "protocols": [
            {
                "id": p.id,
                "version": p.version,
                "title": p.title,
                "population": p.population,
                "population_status": p.population_status.value,
                "eligibility": p.verdict.value,
                "criteria_status": p.eligibility.status.value,
                "reasons": list(p.reasons),
                "missing": list(p.missing),
                "contraindicated": list(p.contraindicated),
                "contraindications_not_recorded": list(p.contraindications_not_recorded),
                "criteria": [_criterion(c) for c in p.eligibility.criteria],
                "groups": [
                    {
                        "id": g.id,
                        "combinator": g.combinator,
                        "status": g.status.value,
                        "members": list(g.members),
                    }
                    for g in p.eligibility.groups
                ],
            }
            for p in assessment.protocols
        ],
        "contraindications": [_finding(f) for f in assessment.present],
        "not_recorded": [
            {"id": f.entry.id, "grade": f.entry.grade.value, "missing": list(f.missing)}
            for f in assessment.unknown
        ],
        "screening": {
            "neuropathic": screen.status,
            "summary": screen.summary,
            "npq_descriptors": [d.value for d in screen.npq_descriptors],
            "npq_descriptors_of_three": len(screen.npq_descriptors),
            "other_descriptors": [d.value for d in screen.other_descriptors],
            "signs": [s.value for s in screen.signs],
            "source": _source(screen.source),
        },
        "scores": {k: v for k, v in score_map.items() if v is not None},
        "evidence": {
            "indication": evidence.indication.id if evidence.indication else None,
            "label": evidence.indication.label if evidence.indication else None,
            "level": evidence.level,
            "statement": top.statement if top else None,
            "message": evidence.message,
            "source": _source(evidence.source),
            "statements": [
                {"id": s.id, "level": s.level, "statement": s.statement}
                for s in evidence.statements
            ],
        },
    }
