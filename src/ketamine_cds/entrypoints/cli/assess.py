"""``ketamine-cds assess``: the pre-infusion assessment of a patient file."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from ketamine_cds.bootstrap import build
from ketamine_cds.domain.assessment.contraindications import Grade
from ketamine_cds.domain.assessment.eligibility import CriterionResult, Status
from ketamine_cds.domain.assessment.measures import MeasureScore
from ketamine_cds.domain.assessment.report import Assessment, ProtocolAssessment, Verdict
from ketamine_cds.entrypoints.cli.common import (
    EXIT_STATUS_HELP,
    emit_json,
    notice,
    user_errors,
    with_references,
)
from ketamine_cds.entrypoints.cli.options import name_text
from ketamine_cds.service.assessment import assess_record, assessment_payload

_MARK = {
    Status.MET: "met",
    Status.NOT_MET: "NOT MET",
    Status.UNKNOWN: "unknown",
    Status.NO_CRITERIA_STATED: "none stated",
}


def _patient_lines(assessment: Assessment) -> list[str]:
    record = assessment.record
    weight = record.body_weight
    facts = [
        f"{record.age_years} y" if record.age_years is not None else "age not recorded",
        record.sex or "sex not recorded",
        str(weight) if weight is not None else "weight not recorded",
    ]
    pain = record.pain
    kind = (pain.population or "cancer/non-cancer not recorded").replace("_", "-")
    types = ", ".join(t.value for t in pain.types) if pain.types else "type not recorded"
    lines = [f"Patient {record.id or '(no label)'}: {', '.join(facts)}"]
    lines.append(f"  Pain: {kind} ({types}); baseline {_score(pain.baseline_score)}")
    goal = record.goal
    if goal.target_pain or goal.function:
        target = f"{goal.target_pain}/10" if goal.target_pain else "no target score"
        lines.append(
            f"  Patient's goal: {target}" + (f", {goal.function}" if goal.function else "")
        )
    else:
        lines.append("  Patient's goal: not recorded (seed 000: set by the function it allows)")
    med = record.opioids.med_mg_per_day
    lines.append(
        "  Opioids: "
        + (record.opioids.regimen or "regimen not recorded")
        + (f"; MED {med:g} mg/day" if med is not None else "")
    )
    return lines


def _score(value: int | None) -> str:
    return "not recorded" if value is None else f"{value}/10"


def _criterion_line(criterion: CriterionResult, depth: int) -> str:
    source = criterion.source
    cited = f" [{source}]" if source else ""
    pad = "  " * depth
    return f"    {_MARK[criterion.status]:>11}  {pad}{criterion.id}: {criterion.reason}{cited}"


def _tree_lines(protocol: ProtocolAssessment) -> list[str]:
    eligibility = protocol.eligibility
    criteria = {c.id: c for c in eligibility.criteria}
    groups = {g.id: g for g in eligibility.groups}
    if not groups:
        return [_criterion_line(c, 0) for c in eligibility.criteria]
    lines: list[str] = []

    def walk(node_id: str, depth: int) -> None:
        if node_id in groups:
            group = groups[node_id]
            words = "all of" if group.combinator == "all_of" else "any of"
            pad = "  " * depth
            lines.append(f"    {_MARK[group.status]:>11}  {pad}{group.id} ({words}):")
            for member in group.members:
                walk(member, depth + 1)
        elif node_id in criteria:
            lines.append(_criterion_line(criteria[node_id], depth))

    walk(eligibility.groups[-1].id, 0)
    return lines


def _protocol_lines(protocol: ProtocolAssessment) -> list[str]:
    verdict = protocol.verdict.value.replace("_", " ").upper()
    lines = [f"  {protocol.id} {protocol.version}: {verdict} - {protocol.title}"]
    lines.extend(_tree_lines(protocol))
    if protocol.population_status is not Status.MET:
        lines.append(
            f"      {_MARK[protocol.population_status]:>11}  population: protocol is for "
            f"{protocol.population.replace('_', '-')} pain"
        )
    if protocol.contraindicated:
        lines.append(f"      contraindicated (product-wide): {', '.join(protocol.contraindicated)}")
    if protocol.verdict is Verdict.NEEDS_INFORMATION:
        lines.append(f"      needs: {', '.join(protocol.missing)}")
    return lines


def _contraindication_lines(assessment: Assessment) -> list[str]:
    lines = ["Contraindications and cautions"]
    present = assessment.present
    if not present:
        lines.append("  none found in the record")
    for finding in present:
        entry = finding.entry
        lines.append(f"  {entry.grade.value.upper()}: {entry.id} - {finding.detail}")
        lines.append(f"      {entry.text}")
        if entry.sources_silent:
            lines.append("      sources: silent")
        lines.extend(
            f"      source: {source}" for source in entry.sources
        )
    unknown = assessment.unknown
    blocking = [f.entry.id for f in unknown if f.entry.grade is Grade.CONTRAINDICATED]
    other = [f.entry.id for f in unknown if f.entry.grade is not Grade.CONTRAINDICATED]
    if blocking:
        lines.append(
            f"  Not recorded (contraindications, needed for a verdict): {', '.join(blocking)}"
        )
    if other:
        lines.append(f"  Not recorded (cautions and notes): {', '.join(other)}")
    return lines


def _measure_line(label: str, score: MeasureScore | None) -> str:
    if score is None:
        return f"  {label}: not recorded"
    sources = "; ".join(s.document.split(".")[0] for s in score.sources)
    return f"  {label}: {score.interpretation} [{sources}]"


def _score_lines(assessment: Assessment) -> list[str]:
    scores = assessment.scores
    screen = scores.screen
    lines = [
        "Screening and baseline measures",
        f"  Neuropathic features (seed 000, Neuropathic Pain): {screen.status} - {screen.summary}",
    ]
    if scores.lanss is None:
        lines.append("  LANSS: not recorded")
    else:
        lines.append(f"  LANSS: {scores.lanss.interpretation} [Bennett, Pain 2001]")
    lines.append(_measure_line("BPI severity", scores.bpi_severity))
    lines.append(_measure_line("BPI interference", scores.bpi_interference))
    lines.append(_measure_line("PSEQ", scores.pseq))
    return lines


def _evidence_lines(assessment: Assessment) -> list[str]:
    evidence = assessment.evidence
    lines = [f"Evidence ({evidence.source})"]
    lines.append(f"  {evidence.message}")
    lines.extend(f"  Level {s.level}: {s.statement}" for s in evidence.statements)
    return lines


def render(assessment: Assessment) -> str:
    """The assessment as text for a clinician, ending with the decision-support notice."""
    lines = _patient_lines(assessment)
    lines.append("")
    lines.append("Protocols")
    if not assessment.protocols:
        lines.append("  no protocol is installed")
    for protocol in assessment.protocols:
        lines.extend(_protocol_lines(protocol))
    lines.append("")
    lines.extend(_contraindication_lines(assessment))
    lines.append("")
    lines.extend(_score_lines(assessment))
    lines.append("")
    lines.extend(_evidence_lines(assessment))
    lines.append("")
    lines.append(notice())
    return "\n".join(lines)


def register(app: typer.Typer) -> None:
    """Add the ``assess`` command to ``app``."""

    @app.command("assess", epilog=EXIT_STATUS_HELP)
    @user_errors
    def assess_command(
        patient: Annotated[Path, typer.Argument(help="Patient file (YAML or JSON).")],
        protocol: Annotated[
            str | None,
            typer.Option(
                "--protocol", help="Assess against this protocol only.", parser=name_text
            ),
        ] = None,
        as_json: Annotated[
            bool, typer.Option("--json", help="Write JSON instead of text.")
        ] = False,
    ) -> None:
        """Eligibility per protocol, contraindications and cautions, screening scores, evidence.

        The status is 0 whenever an assessment is made, whatever its verdicts: "not eligible"
        and "needs information" are answers, each naming its reasons.
        """
        container = build()
        record = container.files.patient(patient)
        assessment = assess_record(container.protocols, container.reference, record, protocol)
        if as_json:
            emit_json(assessment_payload(container.reference, assessment))
        else:
            typer.echo(with_references(render(assessment)))
