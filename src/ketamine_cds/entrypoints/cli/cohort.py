"""``ketamine-cds cohort report``: the cohort audit across stored episodes, as text, JSON or CSV."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Annotated

import typer

from ketamine_cds.domain.outcomes.cohort import CohortFilter, CohortReport
from ketamine_cds.entrypoints.cli.common import emit_json, notice, refuse
from ketamine_cds.entrypoints.cli.record_common import AS_HELP, actor, container, record_errors
from ketamine_cds.service import cohort
from ketamine_cds.service.episodes import parse_time

AsOption = Annotated[str | None, typer.Option("--as", help=AS_HELP)]
JsonOption = Annotated[bool, typer.Option("--json", help="Write JSON.")]


def _report_lines(report: CohortReport) -> list[str]:
    r = report.response
    lines = [
        f"Cohort audit: {report.episodes} episodes",
        (
            f"  responders {r.responders} of {r.rate.denominator} judged ({r.rate.percent} %); "
            f"undetermined {r.undetermined}"
        ),
    ]
    for name, count in report.by_pain_type.items():
        lines.append(
            f"  {name}: {count.responders}/{count.rate.denominator} responded "
            f"({count.rate.percent} %)"
        )
    for label, spread in (
        ("starting mg/24 h", report.start_mg_per_day),
        ("final mg/24 h", report.final_mg_per_day),
        ("maximum mg/24 h", report.max_mg_per_day),
        ("days", report.duration_days),
        ("opioid MED change %", report.med_change_percent),
    ):
        lines.append(
            f"  {label}: median {spread.median} (range {spread.minimum}-{spread.maximum}, "
            f"n {spread.n})"
        )
    lines.append(
        f"  any side effect {report.any_side_effect.numerator}/"
        f"{report.any_side_effect.denominator} ({report.any_side_effect.percent} %)"
    )
    lines += [
        f"    {name}: {share.numerator}/{share.denominator} ({share.percent} %)"
        for name, share in report.side_effects.items()
    ]
    return lines


def _date(text: str | None) -> datetime | None:
    return None if text is None else parse_time(text)


def register(app: typer.Typer) -> None:
    """Add the ``cohort`` group and its ``report``."""
    cohort_app = typer.Typer(help="The cohort audit across stored episodes.", no_args_is_help=True)
    app.add_typer(cohort_app, name="cohort")

    @cohort_app.command("report")
    @record_errors
    def report_command(
        protocol: list[str] = typer.Option([], "--protocol", help="Only this protocol (repeat)."),
        started_from: str | None = typer.Option(None, "--from", help="Started at or after."),
        started_before: str | None = typer.Option(None, "--before", help="Started before."),
        population: str | None = typer.Option(None, "--population", help="cancer or non_cancer."),
        csv_out: Path | None = typer.Option(None, "--csv", help="Write the measures as CSV."),
        episodes_out: Path | None = typer.Option(
            None, "--episodes-csv", help="Write one row per episode as CSV."
        ),
        as_name: AsOption = None,
        as_json: JsonOption = False,
    ) -> None:
        """Response, side effects, doses, durations and opioid change across stored episodes."""
        if population not in {None, "cancer", "non_cancer"}:
            refuse(f"--population is cancer or non_cancer, not '{population[:40]}'")
        filters = CohortFilter(
            protocol_ids=tuple(protocol),
            started_from=_date(started_from),
            started_before=_date(started_before),
            population=population,
        )
        built = container()
        report = cohort.record_cohort(built.deps, actor(built, as_name), filters)
        if csv_out is not None:
            csv_out.write_text(cohort.summary_csv(report), encoding="utf-8")
        if episodes_out is not None:
            episodes_out.write_text(cohort.episodes_csv(report), encoding="utf-8")
        if as_json:
            emit_json(report.model_dump(mode="json", exclude={"outcomes"}))
            return
        typer.echo("\n".join([*_report_lines(report), notice()]))

    del report_command
