"""``ketamine-cds audit verify``: exit 0 when the trail is intact, else name the first break."""

from __future__ import annotations

from typing import Annotated

import typer

from ketamine_cds.entrypoints.cli.common import emit_json
from ketamine_cds.entrypoints.cli.record_common import AS_HELP, actor, container, record_errors
from ketamine_cds.service.audit_trail import verify_audit

# A broken trail is neither bad input nor a bug: it is a finding, reported with its own status.
EXIT_AUDIT_BROKEN = 1


def register(app: typer.Typer) -> None:
    """Add the ``audit`` commands to ``app``."""
    group = typer.Typer(help="The tamper-evident audit trail.", no_args_is_help=True)
    app.add_typer(group, name="audit")

    @group.command("verify")
    @record_errors
    def verify_command(
        as_name: Annotated[str | None, typer.Option("--as", help=AS_HELP)] = None,
        as_json: Annotated[bool, typer.Option("--json", help="Write JSON.")] = False,
    ) -> None:
        """Check every link of the chain and every row an entry names."""
        built = container()
        report = verify_audit(built.deps, actor(built, as_name))
        if as_json:
            broken = report.broken
            emit_json(
                {
                    "intact": report.intact,
                    "entries": report.entries,
                    "first_broken": None if broken is None else broken.seq,
                    "reason": None if broken is None else broken.sentence(),
                }
            )
        elif report.broken is None:
            typer.echo(f"audit trail intact: {report.entries} entries")
        else:
            typer.echo(f"audit trail broken: {report.broken.sentence()}.", err=True)
        if report.broken is not None:
            raise typer.Exit(EXIT_AUDIT_BROKEN)
