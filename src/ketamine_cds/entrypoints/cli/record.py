"""``ketamine-cds episode ...``: episodes in the record, for people and for scripts.

``start`` (from a plan), ``import FILE`` and ``export ID`` (the episode file is the interchange
format), ``record ID -`` (one event in the file format on standard input), ``observe`` and
``rate`` (the same with flags), ``recommend ID [--at TIME|now]`` (stored), ``verify ID`` (the
pharmacist's check), ``show``, ``list`` and ``replay ID`` (every stored recommendation replayed).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from pydantic import ValidationError

from ketamine_cds.adapters.episode_files import (
    describe_episode_error,
    parse_episode_data,
    read_episode_file,
)
from ketamine_cds.adapters.structured_text import parse_structured
from ketamine_cds.domain.episode import AnyEvent
from ketamine_cds.domain.errors import UserInputError
from ketamine_cds.entrypoints.cli.common import (
    EXIT_SOFT_OR_INCOMPLETE,
    emit_json,
    notice,
)
from ketamine_cds.entrypoints.cli.record_common import (
    AS_HELP,
    actor,
    container,
    event_json,
    header_json,
    recommendation_json,
    recommendation_lines,
    record_errors,
    when,
)
from ketamine_cds.service.record import (
    MadeRecommendation,
    RecordedEvent,
    import_episode,
    recommend_now,
    record_event,
    start_episode,
    verify_order,
)
from ketamine_cds.service.record_queries import (
    export_episode,
    list_episodes,
    replay_stored,
    show_episode,
)
from ketamine_cds.service.record_support import EVENT_ADAPTER

AsOption = Annotated[str | None, typer.Option("--as", help=AS_HELP)]
JsonOption = Annotated[bool, typer.Option("--json", help="Write JSON.")]
AgainstOption = Annotated[
    int | None,
    typer.Option(
        "--against",
        help="The recommendation this change follows; refused if it is no longer the latest.",
    ),
]
VersionOption = Annotated[
    int | None,
    typer.Option("--expected-version", help="Refuse unless the episode is at this version."),
]
RecommendOption = Annotated[
    bool, typer.Option("--recommend", help="Store and show the recommendation after the event.")
]
AtOption = Annotated[str, typer.Option("--at", help="When it happened: a time with zone, or now.")]


def _made_json(made: MadeRecommendation) -> dict[str, Any]:
    return {
        **recommendation_json(made.stored),
        "order_verified": made.order_verified,
        "warnings": list(made.warnings),
    }


def _print_made(made: MadeRecommendation) -> None:
    typer.echo("\n".join(recommendation_lines(made.stored)))
    for warning in made.warnings:
        typer.echo(f"    ! {warning}")


def _event_from(data: object, name: str) -> AnyEvent:
    try:
        return EVENT_ADAPTER.validate_python(data)
    except ValidationError as error:
        raise UserInputError(describe_episode_error(name, error)) from None


def _recorded(result: RecordedEvent, as_json: bool) -> None:
    if as_json:
        emit_json(
            {
                "event": event_json(result.event),
                "version": result.version,
                "recommendation": None
                if result.recommendation is None
                else _made_json(result.recommendation),
            }
        )
        return
    event = result.event
    typer.echo(
        f"episode {event.episode_id}: recorded {event.type} {event.event_id} at "
        f"{event.at.isoformat()} (by {event.recorded_by}, {event.role}); version {result.version}"
    )
    if result.recommendation is not None:
        _print_made(result.recommendation)
        typer.echo(notice())


def register(app: typer.Typer) -> None:  # noqa: C901, PLR0915 - one nested function per command
    """Add the ``episode`` commands to ``app``."""
    group = typer.Typer(help="Episodes in the clinical record.", no_args_is_help=True)
    app.add_typer(group, name="episode")

    @group.command("start")
    @record_errors
    def start_command(
        patient: str = typer.Option(..., "--patient", help="Hospital or study identifier."),
        protocol: str = typer.Option(..., "--protocol", help="Protocol id."),
        weight: str = typer.Option(..., "--weight", help="Dosing weight: '70 kg' or '154 lb'."),
        baseline_pain: int = typer.Option(..., "--baseline-pain", help="Pain 0-10 before start."),
        pain_goal: int = typer.Option(..., "--pain-goal", help="The patient's own goal, 0-10."),
        concentration: float | None = typer.Option(
            None, "--concentration-mg-per-ml", help="Bag concentration, mg/mL."
        ),
        phase: str | None = typer.Option(None, "--phase", help="Phase to start in."),
        started_at: str = typer.Option("now", "--started-at", help="When the order starts."),
        as_name: AsOption = None,
        as_json: JsonOption = False,
    ) -> None:
        """Start an episode from its plan (a physician's order)."""
        built = container()
        start = when(started_at) or built.deps.clock.now()
        data: dict[str, Any] = {
            "patient": {"id": patient, "weight": weight},
            "protocol": {"id": protocol},
            "started_at": start.isoformat(),
            "baseline": {"pain": baseline_pain},
            "pain_goal": pain_goal,
        }
        if phase:
            data["phase"] = phase
        episode = parse_episode_data(data, "the new episode")
        result = start_episode(built.deps, actor(built, as_name), episode, concentration)
        if as_json:
            emit_json(header_json(result.header))
            return
        header = result.header
        typer.echo(
            f"episode {header.id} started: {header.patient}, {header.weight.text}, "
            f"{header.protocol_id} {header.protocol_version} (hash {header.protocol_hash[:12]}); "
            "a pharmacist verifies the order before the first dose"
        )

    @group.command("import")
    @record_errors
    def import_command(
        file: Path = typer.Argument(..., help="Episode file (YAML or JSON)."),
        concentration: float | None = typer.Option(
            None, "--concentration-mg-per-ml", help="Bag concentration, mg/mL."
        ),
        as_name: AsOption = None,
        as_json: JsonOption = False,
    ) -> None:
        """Import an episode file: its events, and the recommendation after every event."""
        built = container()
        result = import_episode(
            built.deps, actor(built, as_name), read_episode_file(file), concentration
        )
        if as_json:
            emit_json(
                {
                    **header_json(result.header),
                    "events": result.events,
                    "recommendations": [_made_json(m) for m in result.recommendations],
                }
            )
            return
        typer.echo(
            f"episode {result.header.id} imported from {file.name}: {result.events} events, "
            f"{len(result.recommendations)} recommendations stored"
        )

    @group.command("export")
    @record_errors
    def export_command(
        episode_id: int = typer.Argument(..., help="Episode id."),
        out: Path | None = typer.Option(None, "--out", help="Write the episode file here."),
        recommendations: Path | None = typer.Option(
            None, "--recommendations", help="Also write the stored recommendations (JSON) here."
        ),
        as_name: AsOption = None,
        as_json: JsonOption = False,
    ) -> None:
        """The episode in the episode file format (JSON), every event with its record identity."""
        built = container()
        exported = export_episode(built.deps, actor(built, as_name), episode_id)
        episode = exported.episode.model_dump(mode="json", exclude_none=True)
        stored = [recommendation_json(s) for s in exported.recommendations]
        if recommendations is not None:
            recommendations.write_text(json.dumps(stored, indent=2) + "\n", encoding="utf-8")
        document: Any = episode
        if as_json:
            document = {
                "episode": episode,
                "concentration_mg_per_ml": exported.concentration_mg_per_ml,
                "protocol_hash": exported.protocol_hash,
                "recommendations": stored,
            }
        text = json.dumps(document, indent=2, ensure_ascii=False) + "\n"
        if out is None:
            sys.stdout.write(text)
        else:
            out.write_text(text, encoding="utf-8")

    def _record(
        episode_id: int,
        event: AnyEvent,
        as_name: str | None,
        against: int | None,
        expected: int | None,
        recommend_after: bool,
        as_json: bool,
    ) -> None:
        built = container()
        result = record_event(
            built.deps,
            actor(built, as_name),
            episode_id,
            event,
            against=against,
            expected_version=expected,
            recommend_after=recommend_after,
        )
        _recorded(result, as_json)

    @group.command("record")
    @record_errors
    def record_command(
        episode_id: int = typer.Argument(..., help="Episode id."),
        source: str = typer.Argument(..., help="'-': one event (YAML or JSON) on standard input."),
        against: AgainstOption = None,
        expected: VersionOption = None,
        recommend_after: RecommendOption = False,
        as_name: AsOption = None,
        as_json: JsonOption = False,
    ) -> None:
        """Record one event in the episode file's format, read from standard input."""
        if source != "-":
            raise UserInputError("give '-' and the event on standard input")
        data = parse_structured(sys.stdin.read(), "standard input", as_json=False)
        event = _event_from(data, "standard input")
        _record(episode_id, event, as_name, against, expected, recommend_after, as_json)

    @group.command("observe")
    @record_errors
    def observe_command(
        episode_id: int = typer.Argument(..., help="Episode id."),
        at: AtOption = "now",
        pain: int | None = typer.Option(None, "--pain", help="Pain 0-10."),
        sedation: int | None = typer.Option(None, "--sedation", help="Sedation score."),
        heart_rate: float | None = typer.Option(None, "--heart-rate", help="Beats per minute."),
        systolic: float | None = typer.Option(None, "--systolic", help="mm Hg."),
        diastolic: float | None = typer.Option(None, "--diastolic", help="mm Hg."),
        respiratory_rate: float | None = typer.Option(None, "--respiratory-rate", help="/min."),
        spo2: float | None = typer.Option(None, "--spo2", help="Pulse oximetry, %."),
        symptom: list[str] | None = typer.Option(None, "--symptom", help="A side effect now."),
        note: str | None = typer.Option(None, "--note", help="Free text."),
        recommend_after: RecommendOption = False,
        as_name: AsOption = None,
        as_json: JsonOption = False,
    ) -> None:
        """Record an observation: pain, vital signs, sedation, side effects."""
        built = container()
        moment = when(at) or built.deps.clock.now()
        fields = {
            "pain": pain,
            "sedation": sedation,
            "heart_rate": heart_rate,
            "systolic_bp": systolic,
            "diastolic_bp": diastolic,
            "respiratory_rate": respiratory_rate,
            "spo2": spo2,
            "note": note,
        }
        data: dict[str, Any] = {"type": "observation", "at": moment.isoformat()}
        data |= {key: value for key, value in fields.items() if value is not None}
        if symptom:
            data["symptoms"] = symptom
        event = _event_from(data, "the observation")
        _record(episode_id, event, as_name, None, None, recommend_after, as_json)

    @group.command("rate")
    @record_errors
    def rate_command(
        episode_id: int = typer.Argument(..., help="Episode id."),
        rate: str = typer.Option(..., "--rate", help="The rate set: '12 mg/h', '0.1 mg/kg/h'."),
        at: AtOption = "now",
        by: str | None = typer.Option(None, "--by", help="Who set the pump (default: you)."),
        note: str | None = typer.Option(None, "--note", help="Free text."),
        against: AgainstOption = None,
        expected: VersionOption = None,
        recommend_after: RecommendOption = False,
        as_name: AsOption = None,
        as_json: JsonOption = False,
    ) -> None:
        """Record a rate change (the first one starts the infusion)."""
        built = container()
        moment = when(at) or built.deps.clock.now()
        who = by or actor(built, as_name) or "unknown"
        data: dict[str, Any] = {
            "type": "rate_change",
            "at": moment.isoformat(),
            "rate": rate,
            "by": who,
        }
        if note:
            data["note"] = note
        event = _event_from(data, "the rate change")
        _record(episode_id, event, as_name, against, expected, recommend_after, as_json)

    @group.command("recommend")
    @record_errors
    def recommend_command(
        episode_id: int = typer.Argument(..., help="Episode id."),
        at: AtOption = "now",
        as_name: AsOption = None,
        as_json: JsonOption = False,
    ) -> None:
        """What the protocol says to do now (or at --at), stored with what it rests on."""
        built = container()
        made = recommend_now(built.deps, actor(built, as_name), episode_id, when(at))
        if as_json:
            emit_json(_made_json(made))
        else:
            _print_made(made)
            typer.echo(notice())
        if not made.order_verified:
            raise typer.Exit(EXIT_SOFT_OR_INCOMPLETE)

    @group.command("verify")
    @record_errors
    def verify_command(
        episode_id: int = typer.Argument(..., help="Episode id."),
        note: str | None = typer.Option(None, "--note", help="What was checked."),
        as_name: AsOption = None,
        as_json: JsonOption = False,
    ) -> None:
        """A pharmacist verifies the episode's order (before the first dose or rate)."""
        built = container()
        done = verify_order(built.deps, actor(built, as_name), episode_id, note)
        if as_json:
            emit_json(
                {
                    "episode_id": done.episode_id,
                    "verified_by": done.verified_by,
                    "at": done.at.isoformat(),
                    "note": done.note,
                }
            )
            return
        typer.echo(f"episode {done.episode_id}: order verified by {done.verified_by}")

    @group.command("show")
    @record_errors
    def show_command(
        episode_id: int = typer.Argument(..., help="Episode id."),
        as_name: AsOption = None,
        as_json: JsonOption = False,
    ) -> None:
        """The episode: header, events as written, recommendations, verifications."""
        built = container()
        detail = show_episode(built.deps, actor(built, as_name), episode_id)
        header = detail.summary.header
        if as_json:
            emit_json(
                {
                    **header_json(header),
                    "order_verified": detail.summary.order_verified,
                    "weights": [
                        {"text": w.text, "kg": w.kg, "unit": w.unit, "at": w.at.isoformat()}
                        for w in detail.weights
                    ],
                    "verifications": [
                        {"verified_by": v.verified_by, "at": v.at.isoformat(), "note": v.note}
                        for v in detail.verifications
                    ],
                    "events": [event_json(e) for e in detail.events],
                    "recommendations": [recommendation_json(r) for r in detail.recommendations],
                }
            )
            return
        typer.echo(
            f"episode {header.id}  {header.patient}  {header.weight.text}  {header.protocol_id} "
            f"{header.protocol_version}  {header.status}  version {header.version}"
        )
        verified = ", ".join(
            f"{v.verified_by} {v.at.isoformat(timespec='minutes')}" for v in detail.verifications
        )
        typer.echo(f"  order verified: {verified or 'not yet'}")
        for event in detail.events:
            written = event.recorded_at.isoformat(timespec="minutes")
            typer.echo(
                f"  {event.event_id:>5} {event.at.isoformat(timespec='minutes')} {event.type:<18} "
                f"recorded {written} by {event.recorded_by} ({event.role})"
                + (f", corrects {event.corrects}" if event.corrects else "")
            )
        if detail.summary.latest is not None:
            typer.echo("\n".join(recommendation_lines(detail.summary.latest)))
        typer.echo(notice())

    @group.command("list")
    @record_errors
    def list_command(
        status: str | None = typer.Option(None, "--status", help="active or stopped."),
        as_name: AsOption = None,
        as_json: JsonOption = False,
    ) -> None:
        """Episodes in the record, newest first."""
        built = container()
        summaries = list_episodes(built.deps, actor(built, as_name), status)
        if as_json:
            emit_json(
                [
                    {
                        **header_json(s.header),
                        "events": s.events,
                        "order_verified": s.order_verified,
                        "latest_recommendation": None if s.latest is None else s.latest.id,
                    }
                    for s in summaries
                ]
            )
            return
        for s in summaries:
            h = s.header
            typer.echo(
                f"{h.id}\t{h.patient}\t{h.protocol_id}\t{h.status}\t{s.events} events\t"
                f"{'verified' if s.order_verified else 'not verified'}"
            )

    @group.command("replay")
    @record_errors
    def replay_command(
        episode_id: int = typer.Argument(..., help="Episode id."),
        as_name: AsOption = None,
        as_json: JsonOption = False,
    ) -> None:
        """Replay every stored recommendation from what it saw; exit 3 if any differs."""
        built = container()
        checks = replay_stored(built.deps, actor(built, as_name), episode_id)
        if as_json:
            emit_json(
                [
                    {"id": c.stored.id, "at": c.stored.at.isoformat(), "matches": c.matches}
                    for c in checks
                ]
            )
        else:
            for check in checks:
                state = "same" if check.matches else "DIFFERS"
                typer.echo(
                    f"recommendation {check.stored.id} at {check.stored.at.isoformat()}: {state}"
                )
        if not all(c.matches for c in checks):
            raise typer.Exit(EXIT_SOFT_OR_INCOMPLETE)
