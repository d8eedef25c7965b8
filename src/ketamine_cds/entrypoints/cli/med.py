"""``ketamine-cds med`` (oral morphine equivalent) and ``ketamine-cds opioid-plan``."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from ketamine_cds.bootstrap import Container, build
from ketamine_cds.domain.opioids.calculator import MedResult
from ketamine_cds.domain.opioids.output import med_out, timeline_out
from ketamine_cds.domain.opioids.plan import Conversion, ReductionSchedule, Timeline
from ketamine_cds.domain.opioids.regimen import RegimenReading
from ketamine_cds.entrypoints.cli.common import (
    EXIT_SOFT_OR_INCOMPLETE,
    emit_json,
    notice,
    user_errors,
)
from ketamine_cds.service import opioids

FileArg = Annotated[Path, typer.Argument(help="Regimen file: YAML/JSON, or FHIR R4 JSON.")]
TableOpt = Annotated[
    str, typer.Option("--table", help="Equivalence table id (cdc-2022, cdc-2016, anzca-fpm-2021).")
]
JsonOpt = Annotated[bool, typer.Option("--json", help="Write JSON instead of text.")]


def _num(value: float) -> str:
    """A figure as shown to a reader: at most one decimal, no trailing zero."""
    return f"{round(value, 1):g}"


def med_payload(result: MedResult) -> dict[str, Any]:
    """The JSON form of a MED result (``schemas/med.schema.json``)."""
    return med_out(result).model_dump(mode="json")


def med_text(result: MedResult) -> list[str]:
    """The human-readable form of a MED result."""
    lines = [
        f"Oral morphine equivalent (MED) with table {result.table_id} ({result.table_version})"
    ]
    for item in result.items:
        low, high = item.daily_dose_range
        dose = _num(high) if low == high else f"{_num(low)}-{_num(high)}"
        if item.med_mg is None:
            lines.append(
                f"  {item.label}: {dose} {item.daily_dose_unit}, left out: not covered by this "
                "table"
            )
        else:
            lines.append(
                f"  {item.label}: {dose} {item.daily_dose_unit} x {item.factor:g} = "
                f"{_num(item.med_mg)} mg/day  [{item.source}]"
            )
    if result.total_med_mg is None:
        lines.append(
            f"Total MED: not given, incomplete; the covered part is "
            f"{_num(result.covered_med_mg)} mg/day"
        )
    else:
        lines.append(f"Total MED: {_num(result.total_med_mg)} mg/day")
    if result.regimen_range_med_mg is not None:
        low, high = result.regimen_range_med_mg
        if low != high:
            lines.append(f"Within the orders as written: {_num(low)}-{_num(high)} mg/day")
    if result.range_med_mg is not None:
        shown = ", ".join(f"{t} {_num(v)}" for t, v in result.totals_by_table)
        lines.append(
            f"Across the shipped tables that cover every item: {_num(result.range_med_mg[0])}-"
            f"{_num(result.range_med_mg[1])} mg/day ({shown})"
        )
    lines.extend(f"! {warning}" for warning in result.warnings)
    return lines


def _exit_if_incomplete(complete: bool) -> None:
    """An incomplete total is shown, then the command exits 3."""
    if not complete:
        raise typer.Exit(EXIT_SOFT_OR_INCOMPLETE)


def conversion_payload(conversion: Conversion) -> dict[str, Any]:
    """The JSON form of a conversion."""
    return {
        "to": {"drug": conversion.drug, "route": conversion.route, "unit": conversion.unit},
        "from_med_mg": conversion.from_med_mg,
        "factor": conversion.factor,
        "factor_source": conversion.factor_source,
        "equianalgesic_daily": conversion.equianalgesic_daily,
        "reduction_percent": conversion.reduction_percent,
        "reduction_is_default": conversion.reduction_is_default,
        "usual_reduction_percent": list(conversion.usual_reduction_percent)
        if conversion.usual_reduction_percent
        else None,
        "default_reduction_percent": conversion.default_reduction_percent,
        "reduction_source": conversion.reduction_source,
        "target_daily": conversion.target_daily,
        "statements": list(conversion.statements),
    }


def schedule_payload(schedule: ReductionSchedule) -> dict[str, Any]:
    """The JSON form of a reduction schedule."""
    return {
        "unit": schedule.unit,
        "start_daily": schedule.start_daily,
        "step_percent": schedule.step_percent,
        "every_days": schedule.every_days,
        "first_day": schedule.first_day,
        "steps": [
            {"day": s.day, "daily": s.daily, "percent_of_start": s.percent_of_start}
            for s in schedule.steps
        ],
        "source": schedule.source,
        "warnings": list(schedule.warnings),
    }


def timeline_payload(line: Timeline) -> dict[str, Any]:
    """The JSON form of a MED timeline (``schemas/med.schema.json``, ``TimelineOut``)."""
    return timeline_out(line).model_dump(mode="json")


plan_app = typer.Typer(
    name="opioid-plan",
    help="The opioid plan: one species before an infusion, a reduction schedule, MED over time.",
    no_args_is_help=True,
)


@plan_app.command("convert")
@user_errors
def convert_command(
    file: FileArg,
    to: Annotated[str, typer.Option("--to", help="Opioid to convert to, e.g. morphine.")],
    route: Annotated[str, typer.Option("--route", help="Its route, e.g. oral, sc, iv.")] = "oral",
    reduction: Annotated[
        float | None,
        typer.Option("--reduction", help="Cross-tolerance reduction in % (clinician's choice)."),
    ] = None,
    table: TableOpt = opioids.DEFAULT_TABLE,
    as_json: JsonOpt = False,
) -> None:
    """Express a mixed regimen as one opioid by one route (seed 004), reduced as chosen."""
    container = build()
    result, conversion = opioids.convert_regimen(
        container.reference,
        _reading(container, file),
        to_drug=to,
        to_route=route,
        reduction_percent=reduction,
        table_id=table,
    )
    if as_json:
        emit_json({"med": med_payload(result), "conversion": conversion_payload(conversion)})
        return
    lines = med_text(result)
    chosen = "default" if conversion.reduction_is_default else "chosen"
    lines += [
        (
            f"As {conversion.drug} {conversion.route}: equianalgesic "
            f"{_num(conversion.equianalgesic_daily)} {conversion.unit} "
            f"(MED {_num(conversion.from_med_mg)} / {conversion.factor:g})"
        ),
        (
            f"After a {_num(conversion.reduction_percent)} % reduction ({chosen}): "
            f"{_num(conversion.target_daily)} {conversion.unit}, to divide into doses and titrate"
        ),
        *conversion.statements,
        notice(),
    ]
    typer.echo("\n".join(lines))


@plan_app.command("taper")
@user_errors
def taper_command(
    file: FileArg,
    step_percent: Annotated[
        float, typer.Option("--step-percent", help="Each step, as % of the starting MED.")
    ],
    every_days: Annotated[int, typer.Option("--every-days", help="Days between steps.")],
    first_day: Annotated[
        int, typer.Option("--first-day", help="Infusion day of the first reduction.")
    ] = 1,
    floor: Annotated[float, typer.Option("--floor", help="MED (mg/day) to stop at.")] = 0.0,
    table: TableOpt = opioids.DEFAULT_TABLE,
    as_json: JsonOpt = False,
) -> None:
    """A stepwise reduction of the regimen's MED once ketamine works (seed 000: by day 12)."""
    container = build()
    result, schedule = opioids.taper_regimen(
        container.reference,
        _reading(container, file),
        step_percent=step_percent,
        every_days=every_days,
        first_day=first_day,
        floor_mg=floor,
        table_id=table,
    )
    if as_json:
        emit_json({"med": med_payload(result), "schedule": schedule_payload(schedule)})
        return
    lines = [
        (
            f"Reduction of {_num(schedule.start_daily)} {schedule.unit} by {_num(step_percent)} "
            f"% of the start every {every_days} day(s) from day {first_day} "
            "(steps chosen by the clinician)"
        )
    ]
    lines += [
        f"  day {s.day}: {_num(s.daily)} ({_num(s.percent_of_start)} %)" for s in schedule.steps
    ]
    lines += [f"! {w}" for w in schedule.warnings]
    lines += [f"Source: {schedule.source}", notice()]
    typer.echo("\n".join(lines))


@plan_app.command("timeline")
@user_errors
def timeline_command(
    file: Annotated[
        Path, typer.Argument(help="Episode file with points (regimens or recorded MED).")
    ],
    table: TableOpt = opioids.DEFAULT_TABLE,
    as_json: JsonOpt = False,
) -> None:
    """MED across an episode, with the peak and the change since."""
    container = build()
    episode = container.files.opioid_episode(file)
    line = opioids.timeline_of(container.reference, episode, file.name, table)
    if as_json:
        emit_json(timeline_payload(line))
        _exit_if_incomplete(line.complete)
        return
    lines = ["MED over the episode (mg/day oral morphine equivalent)"]
    for e in line.entries:
        how = "computed" if e.computed else "recorded"
        figure = _num(e.med_mg) if e.med_mg is not None else "not given"
        partial = "" if e.complete else f", incomplete: covered part {_num(e.covered or 0.0)}"
        text = f"  day {e.day:g}: {figure} ({how}{partial}; {e.source}) {e.label or ''}"
        lines.append(text.rstrip())
    if line.peak is None:
        lines.append("No peak: no point is complete")
    else:
        change = line.change_from_peak_percent
        last = _num(line.last.med_mg) if line.last.med_mg is not None else "not given"
        since = f": {_num(change)} % from the peak" if change is not None else ""
        lines.append(
            f"Peak {_num(line.peak.med_mg or 0.0)} on day {line.peak.day:g}; last {last}{since}"
        )
    lines += [f"! {w}" for w in line.warnings]
    lines.append(notice())
    typer.echo("\n".join(lines))
    _exit_if_incomplete(line.complete)


def _reading(container: Container, path: Path) -> RegimenReading:
    """A regimen file (or FHIR R4 JSON) as read, with what the reader left out."""
    return container.files.regimen(path, container.reference.opioid_products())


def register(app: typer.Typer) -> None:
    """Add ``med`` and the ``opioid-plan`` group to the application."""

    @app.command("med")
    @user_errors
    def med_command(
        file: FileArg, table: TableOpt = opioids.DEFAULT_TABLE, as_json: JsonOpt = False
    ) -> None:
        """The 24-hour oral morphine equivalent (MED) of a regimen, with its sources."""
        container = build()
        result = opioids.med_of_reading(container.reference, _reading(container, file), table)
        if as_json:
            emit_json(med_payload(result))
        else:
            typer.echo("\n".join([*med_text(result), notice()]))
        _exit_if_incomplete(result.complete)

    del med_command
    app.add_typer(plan_app, name="opioid-plan")
