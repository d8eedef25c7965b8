"""``ketamine-cds opioid-plan doses``: the opioid plan as tablets and patches of real products.

Joins the ``opioid-plan`` group of :mod:`ketamine_cds.entrypoints.cli.med`, which registers first.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from ketamine_cds.bootstrap import build
from ketamine_cds.domain.outcomes.opioid_doses import RealDoses
from ketamine_cds.entrypoints.cli.common import emit_json, existing_group, notice, user_errors
from ketamine_cds.service import course

JsonOption = Annotated[bool, typer.Option("--json", help="Write JSON.")]


def _doses_lines(doses: RealDoses) -> list[str]:
    lines = [
        (
            f"  {doses.drug} {doses.route}: {doses.target_daily:g} {doses.unit} as "
            f"{doses.form}s {doses.schedule} ({doses.per_administration_target:g} each)"
        )
    ]
    for label, choice in (("proposed", doses.proposed), ("above", doses.above)):
        if choice is not None:
            lines.append(
                f"    {label}: {choice.text} = {choice.daily:g} {doses.unit} "
                f"({choice.difference_percent:+g} %; MED {choice.med_mg})"
            )
    lines += [f"    note: {n}" for n in doses.notes]
    return lines


def register(app: typer.Typer) -> None:
    """Add ``doses`` to the ``opioid-plan`` group."""
    plan = existing_group(app, "opioid-plan")

    @plan.command("doses")
    @user_errors
    def doses_command(
        file: Path = typer.Argument(..., help="Regimen file (YAML/JSON) or FHIR R4 JSON."),
        to: str = typer.Option(..., "--to", help="Opioid to convert to, e.g. oxycodone."),
        route: str = typer.Option("oral", "--route", help="Its route: oral, transdermal …"),
        reduction: float | None = typer.Option(
            None, "--reduction", help="Cross-tolerance reduction in % (clinician's choice)."
        ),
        step_percent: float | None = typer.Option(
            None, "--step-percent", help="Then reduce by this % of the start each step."
        ),
        every_days: int = typer.Option(1, "--every-days", help="Days between steps."),
        first_day: int = typer.Option(1, "--first-day", help="Day of the first reduction."),
        table: str = typer.Option("cdc-2022", "--table", help="Equivalence table id."),
        as_json: JsonOption = False,
    ) -> None:
        """One species (seed 004) and its reduction (seed 000) as tablets and patches to give."""
        built = build()
        reading = built.files.regimen(file, built.reference.opioid_products())
        result = course.opioid_plan_in_doses(
            built.reference,
            reading,
            to_drug=to,
            to_route=route,
            reduction_percent=reduction,
            table_id=table,
            step_percent=step_percent,
            every_days=every_days,
            first_day=first_day,
        )
        if as_json:
            emit_json(
                {
                    "target": result.target.model_dump(mode="json"),
                    "steps": [
                        {"day": day, "doses": None if d is None else d.model_dump(mode="json")}
                        for day, d in result.steps
                    ],
                    "warnings": [] if result.schedule is None else list(result.schedule.warnings),
                }
            )
            return
        lines = [f"As {result.conversion.drug} {result.conversion.route}:"]
        lines += _doses_lines(result.target)
        for day, doses in result.steps:
            lines.append(f"day {day}:" + ("" if doses else " stop"))
            if doses is not None:
                lines += _doses_lines(doses)
        if result.schedule is not None:
            lines += [f"! {w}" for w in result.schedule.warnings]
        typer.echo("\n".join([*lines, notice()]))

    del doses_command
