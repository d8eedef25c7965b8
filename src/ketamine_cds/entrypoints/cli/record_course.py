"""The course of care on the record's ``episode`` commands: response, MED, transitions, discharge.

``episode response ID``, ``episode med ID``, ``episode transitions ID`` and ``episode discharge
ID --medicines FILE [--pdf OUT]`` join the ``episode`` group of
:mod:`ketamine_cds.entrypoints.cli.record`, which registers first. A discharge whose medicines lack
an NMDA antagonist the episode relies on prints the critical alert and exits 3, naming the drug,
until a physician leaves it off with a reason (``--leave-off DRUG --reason TEXT``).
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, NoReturn

import typer
from pydantic import ValidationError

from ketamine_cds.adapters.documents import read_document
from ketamine_cds.adapters.opioid_files import describe
from ketamine_cds.bootstrap import build
from ketamine_cds.domain.errors import UserInputError
from ketamine_cds.domain.outcomes.discharge import DischargeDetails
from ketamine_cds.domain.outcomes.medicines import DischargeMedicines
from ketamine_cds.domain.outcomes.response import ResponseAssessment
from ketamine_cds.entrypoints.cli.common import (
    EXIT_SOFT_OR_INCOMPLETE,
    emit_json,
    existing_group,
    notice,
    refuse,
)
from ketamine_cds.entrypoints.cli.record_common import (
    AS_HELP,
    actor,
    container,
    record_errors,
    when,
)
from ketamine_cds.entrypoints.course_json import (
    blocked_sentence,
    med_json,
    reconciliation_json,
    response_json,
    transitions_json,
)
from ketamine_cds.service import course

AsOption = Annotated[str | None, typer.Option("--as", help=AS_HELP)]
JsonOption = Annotated[bool, typer.Option("--json", help="Write JSON.")]
AtOption = Annotated[
    str | None, typer.Option("--at", help="The moment assessed (default: the last event).")
]
WORDS = {"responder": "RESPONDER", "non_responder": "NOT A RESPONDER"}
MET = {True: "met", False: "not met", None: "unknown"}


def read_medicines(path: Path) -> DischargeMedicines:
    """A medicines file (YAML or JSON), read strictly, or one sentence naming the problem."""
    data = read_document(path, "medicines file")
    try:
        return DischargeMedicines.model_validate(data)
    except ValidationError as error:
        raise UserInputError(describe(path.name, data, error)) from None


def response_lines(assessment: ResponseAssessment) -> list[str]:
    """The verdict and every criterion with what it was computed from."""
    verdict = WORDS.get(assessment.verdict, "UNDETERMINED")
    lines = [
        f"{verdict} by Good et al.'s definition ({assessment.definition_source})",
        f"  assessed at {assessment.assessed_at.isoformat(timespec='minutes')}",
    ]
    lines += [f"  - {c.text} {MET[c.met]}: {c.computed_from} [{c.id}]" for c in assessment.criteria]
    lines += [f"  ! missing: {m}" for m in assessment.missing]
    lines += [f"  reading: {r}" for r in assessment.readings]
    return lines


def register(app: typer.Typer) -> None:  # noqa: C901, PLR0915 - one nested function per command
    """Add the course commands to the ``episode`` group."""
    episode = existing_group(app, "episode")

    @episode.command("response")
    @record_errors
    def response_command(
        episode_id: int = typer.Argument(..., help="Episode id."),
        at: AtOption = None,
        as_name: AsOption = None,
        as_json: JsonOption = False,
    ) -> None:
        """Whether the patient responded, by Good et al.'s definition (seed 000)."""
        built = container()
        result = course.episode_response(built.deps, actor(built, as_name), episode_id, when(at))
        if as_json:
            emit_json(response_json(episode_id, result.assessment))
            return
        typer.echo("\n".join([f"episode {episode_id}", *response_lines(result.assessment)]))
        typer.echo(notice())

    @episode.command("med")
    @record_errors
    def med_command(
        episode_id: int = typer.Argument(..., help="Episode id."),
        as_name: AsOption = None,
        as_json: JsonOption = False,
    ) -> None:
        """The episode's MED over time (mg/day oral morphine equivalent), as the chart draws it."""
        built = container()
        series = course.episode_med(built.deps, actor(built, as_name), episode_id)
        shown = med_json(episode_id, series)
        if as_json:
            emit_json(shown)
            return
        points = shown["points"]
        lines = [f"episode {episode_id}: MED (mg/day oral morphine equivalent)"]
        lines += [f"  {p['at']}: {p['mg_per_day']:g}" for p in points] or ["  none recorded"]
        typer.echo("\n".join([*lines, notice()]))

    @episode.command("transitions")
    @record_errors
    def transitions_command(
        episode_id: int = typer.Argument(..., help="Episode id."),
        at: AtOption = None,
        as_name: AsOption = None,
        as_json: JsonOption = False,
    ) -> None:
        """The planned steps out of the phase running: each reading, its checks and plasma level."""
        built = container()
        result = course.episode_transitions(built.deps, actor(built, as_name), episode_id, when(at))
        plan_out = result.plan
        if as_json:
            emit_json(transitions_json(result))
            return
        lines = [f"episode {episode_id}, phase {plan_out.phase}: running {plan_out.running}"]
        if result.current is not None:
            lines.append(
                f"  predicted now: {result.current.steady_state_ng_per_ml} ng/mL at steady state"
            )
        for option, predicted in zip(plan_out.options, result.predictions, strict=True):
            level = (
                ""
                if predicted is None
                else (f"; predicted {predicted.steady_state_ng_per_ml} ng/mL")
            )
            lines.append(f"  {option.regimen} [{option.verdict}{level}]")
            lines.append(f"    {option.reading} ({option.source})")
            lines += [f"    check {f.what}: {'; '.join(f.check.reasons)}" for f in option.figures]
        lines += [
            f"  then {d.drug} {d.dose} {d.doses_per_day} times a day ({d.route}) [{d.rule}]"
            for d in plan_out.drugs
        ]
        lines += [
            f"  bioavailability {b.route} {b.percent:g} %: {b.what} ({b.source})"
            for b in plan_out.bioavailability
        ]
        lines += [f"  note: {n}" for n in (*plan_out.notes, *result.notes)]
        typer.echo("\n".join([*lines, notice()]))

    @episode.command("discharge")
    @record_errors
    def discharge_command(
        episode_id: int = typer.Argument(..., help="Episode id."),
        medicines: Path = typer.Option(..., "--medicines", help="The discharge medicines file."),
        pdf: Path | None = typer.Option(None, "--pdf", help="Write the summary and letter here."),
        html: Path | None = typer.Option(None, "--html", help="Write them as a page here."),
        occasion: str = typer.Option("discharge", "--occasion", help="discharge or transfer."),
        leave_off: str | None = typer.Option(
            None, "--leave-off", help="A physician leaves this drug off (with --reason)."
        ),
        reason: str | None = typer.Option(None, "--reason", help="Why it is left off."),
        contact: str | None = typer.Option(None, "--contact", help="Who to call, and how."),
        after_hours: str | None = typer.Option(None, "--after-hours", help="Out of hours."),
        gp: str | None = typer.Option(None, "--gp", help="The general practitioner."),
        follow_up: str | None = typer.Option(None, "--follow-up", help="The review agreed."),
        team: str | None = typer.Option(None, "--team", help="The pain team."),
        author: str | None = typer.Option(None, "--author", help="Who signs the letter."),
        patient_name: str | None = typer.Option(None, "--patient-name", help="As printed."),
        as_name: AsOption = None,
        as_json: JsonOption = False,
    ) -> None:
        """Reconcile the discharge medicines and issue the summary and the GP letter (seed 004)."""
        if occasion not in {"discharge", "transfer"}:
            refuse(f"--occasion is discharge or transfer, not '{occasion[:40]}'")
        if (leave_off is None) != (reason is None):
            refuse("--leave-off and --reason go together: the drug and why it is left off")
        built = container()
        listed = read_medicines(medicines)
        details = DischargeDetails(
            patient_name=patient_name,
            team=team,
            contact=contact,
            after_hours=after_hours,
            gp=gp,
            follow_up=follow_up,
            author=author,
        )
        decisions = (
            () if leave_off is None or reason is None else (course.LeaveOff(leave_off, reason),)
        )
        result = course.discharge(
            built.deps,
            build().reference,
            actor(built, as_name),
            episode_id,
            listed,
            details=details,
            occasion=occasion,  # type: ignore[arg-type]  # checked above
            leave_off=decisions,
        )
        if result.summary is None:
            _blocked(episode_id, result, medicines.name, as_json=as_json)
        from ketamine_cds.entrypoints.web.letters import letter_pdf, render_letter  # noqa: PLC0415 - WeasyPrint loads only when a letter is printed

        summary = result.summary
        if pdf is not None:
            pdf.write_bytes(letter_pdf(summary))
        if html is not None:
            html.write_text(render_letter(summary), encoding="utf-8")
        if as_json:
            emit_json(
                {
                    **reconciliation_json(episode_id, result),
                    "summary": summary.model_dump(mode="json"),
                }
            )
            return
        typer.echo("\n".join([*_issued_lines(episode_id, result, pdf), notice()]))

    del response_command, med_command, transitions_command, discharge_command


def _blocked(
    episode_id: int, result: course.DischargeResult, listed: str, *, as_json: bool
) -> NoReturn:
    """The critical alerts on stderr, and exit 3 naming the missing drug."""
    reconciliation = result.reconciliation
    for alert in reconciliation.alerts:
        typer.echo(f"CRITICAL: {alert.text} ({alert.source})", err=True)
    typer.echo(f"error: {blocked_sentence(result, listed)}", err=True)
    if as_json:
        emit_json(reconciliation_json(episode_id, result))
    raise typer.Exit(EXIT_SOFT_OR_INCOMPLETE)


def _issued_lines(episode_id: int, result: course.DischargeResult, pdf: Path | None) -> list[str]:
    summary = result.summary
    assert summary is not None  # noqa: S101 - only an issued summary is printed
    lines = [f"episode {episode_id}: {summary.occasion} summary issued"]
    lines += [f"  ! {alert.text}" for alert in result.reconciliation.alerts]
    lines += [
        f"  NMDA antagonist {item.drug}: {item.listed_as or 'left off'}"
        for item in summary.nmda_antagonists
    ]
    lines += response_lines(summary.response)
    lines += [f"  emergency: {line.text}" for line in summary.emergency_plan]
    lines += [f"  ! {w}" for w in summary.warnings]
    if pdf is not None:
        lines.append(f"  PDF: {pdf}")
    return lines


__all__ = ["register"]
