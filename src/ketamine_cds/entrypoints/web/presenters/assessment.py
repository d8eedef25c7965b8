"""The pre-infusion assessment as the new-episode path shows it, and the protocols to choose.

Per protocol: its verdict in words (eligible, not eligible, needs information), the reasons and
what is missing. Then what applies to the patient (contraindications first, each with its
source), what the record cannot yet decide, the screening and baseline scores (LANSS, BPI,
PSEQ) with what each is missing, and the evidence level beside the indication (seed 003).
A not-eligible protocol cannot be chosen; one that needs information can, and says so.
"""

from __future__ import annotations

from dataclasses import dataclass

from ketamine_cds.domain.assessment.contraindications import ContraindicationFinding
from ketamine_cds.domain.assessment.measures import MeasureScore
from ketamine_cds.domain.assessment.report import Assessment, ProtocolAssessment, Verdict
from ketamine_cds.domain.assessment.screening import LANSS_CUT_OFF, LANSS_MAXIMUM
from ketamine_cds.domain.protocols.figures import num

VERDICT_WORDS = {
    Verdict.ELIGIBLE: "Eligible",
    Verdict.NOT_ELIGIBLE: "Not eligible",
    Verdict.NEEDS_INFORMATION: "Needs information",
}
GRADE_WORDS = {"contraindicated": "Contraindicated", "caution": "Caution", "note": "Note"}


@dataclass(frozen=True)
class ProtocolChoice:
    """One protocol's verdict for the patient."""

    id: str
    version: str
    title: str
    population: str
    verdict: str
    verdict_words: str
    reasons: tuple[str, ...]
    missing: tuple[str, ...]

    @property
    def selectable(self) -> bool:
        """A not-eligible protocol is shown but cannot be chosen."""
        return self.verdict != Verdict.NOT_ELIGIBLE.value


@dataclass(frozen=True)
class Finding:
    """A contraindication, caution or note that applies, or one the record cannot decide."""

    id: str
    grade: str
    grade_words: str
    text: str
    detail: str
    sources: tuple[str, ...]
    missing: tuple[str, ...] = ()


@dataclass(frozen=True)
class ScoreCard:
    """A screening or baseline score: its value, what it means, and what is missing."""

    name: str
    value: str
    interpretation: str
    missing: tuple[str, ...]
    source: str


@dataclass(frozen=True)
class EvidenceCard:
    """The evidence level beside the indication (seed 003)."""

    indication: str | None
    level: str | None
    statements: tuple[tuple[str, str], ...]
    message: str
    source: str


@dataclass(frozen=True)
class AssessmentView:
    """Everything the assessment step prints."""

    patient: str
    weight: str | None
    protocols: tuple[ProtocolChoice, ...]
    present: tuple[Finding, ...]
    unknown: tuple[Finding, ...]
    screen: str
    scores: tuple[ScoreCard, ...]
    evidence: EvidenceCard
    record_json: str
    baseline_pain: int | None
    pain_goal: int | None

    @property
    def choosable(self) -> tuple[ProtocolChoice, ...]:
        """The protocols that may be chosen."""
        return tuple(p for p in self.protocols if p.selectable)


def _choice(p: ProtocolAssessment) -> ProtocolChoice:
    return ProtocolChoice(
        id=p.id,
        version=p.version,
        title=p.title,
        population=p.population.replace("_", "-"),
        verdict=p.verdict.value,
        verdict_words=VERDICT_WORDS[p.verdict],
        reasons=p.reasons,
        missing=p.missing,
    )


def _measure(score: MeasureScore | None, name: str) -> ScoreCard | None:
    if score is None:
        return None
    value = "not scored" if score.value is None else num(round(score.value, 1))
    return ScoreCard(
        name=name,
        value=value,
        interpretation=score.interpretation,
        missing=score.missing,
        source="; ".join(str(s) for s in score.sources),
    )


def _goal(target: str | None) -> int | None:
    """The pain goal the engine compares with: a single score, or the top of a range."""
    if target is None:
        return None
    return int(target.replace(" ", "").split("-")[-1])


def _finding(found: ContraindicationFinding, *, with_missing: bool = False) -> Finding:
    entry = found.entry
    return Finding(
        id=entry.id,
        grade=entry.grade.value,
        grade_words=GRADE_WORDS[entry.grade.value],
        text=entry.text,
        detail=found.detail,
        sources=tuple(str(s) for s in entry.sources),
        missing=found.missing if with_missing else (),
    )


def assessment_view(assessment: Assessment) -> AssessmentView:
    """The assessment step for one patient record."""
    record = assessment.record
    scores = assessment.scores
    lanss = scores.lanss
    cards: list[ScoreCard | None] = []
    if lanss is not None:
        value = (
            f"{lanss.score} of {LANSS_MAXIMUM}"
            if lanss.score is not None
            else f"at least {lanss.partial_score} of {LANSS_MAXIMUM} (items missing)"
        )
        cards.append(
            ScoreCard(
                name=f"LANSS (12 or more of {LANSS_MAXIMUM}: neuropathic likely; cut-off "
                f"{LANSS_CUT_OFF})",
                value=value,
                interpretation=lanss.interpretation,
                missing=lanss.missing,
                source=str(lanss.source),
            )
        )
    cards += [
        _measure(scores.bpi_severity, "BPI pain severity (0-10)"),
        _measure(scores.bpi_interference, "BPI pain interference (0-10)"),
        _measure(scores.pseq, "PSEQ total (0-60)"),
    ]
    evidence = assessment.evidence
    weight = record.body_weight
    return AssessmentView(
        patient=record.id or "unnamed patient",
        weight=None if weight is None else (weight.conversion or f"{num(weight.kg)} kg"),
        protocols=tuple(_choice(p) for p in assessment.protocols),
        present=tuple(_finding(f) for f in assessment.present),
        unknown=tuple(_finding(f, with_missing=True) for f in assessment.unknown),
        screen=scores.screen.summary,
        scores=tuple(c for c in cards if c is not None),
        evidence=EvidenceCard(
            indication=None if evidence.indication is None else evidence.indication.label,
            level=evidence.level,
            statements=tuple((s.level, s.statement) for s in evidence.statements),
            message=evidence.message,
            source=str(evidence.source),
        ),
        record_json=record.model_dump_json(exclude_none=True, exclude_defaults=True),
        baseline_pain=record.pain.baseline_score,
        pain_goal=_goal(record.goal.target_pain),
    )
