"""``ketamine-cds user add|list``: the people who use the record, each with one role."""

from __future__ import annotations

from typing import Annotated

import typer

from ketamine_cds.entrypoints.cli.common import emit_json
from ketamine_cds.entrypoints.cli.record_common import AS_HELP, actor, container, record_errors
from ketamine_cds.service.users import add_user, list_users, parse_role

AsOption = Annotated[str | None, typer.Option("--as", help=AS_HELP)]
JsonOption = Annotated[bool, typer.Option("--json", help="Write JSON.")]


def register(app: typer.Typer) -> None:
    """Add the ``user`` commands to ``app``."""
    group = typer.Typer(help="Users of the record and their roles.", no_args_is_help=True)
    app.add_typer(group, name="user")

    @group.command("add")
    @record_errors
    def add_command(
        name: str = typer.Argument(..., help="The user's name."),
        role: str = typer.Option(..., "--role", help="nurse, pharmacist, physician or admin."),
        as_name: AsOption = None,
        as_json: JsonOption = False,
    ) -> None:
        """Add a user (an admin's task; the first user of a new record is an admin)."""
        built = container()
        user = add_user(built.deps, actor(built, as_name), name, parse_role(role))
        if as_json:
            emit_json(
                {"name": user.name, "role": user.role, "created_at": user.created_at.isoformat()}
            )
            return
        typer.echo(f"added {user.name} ({user.role})")

    @group.command("list")
    @record_errors
    def list_command(as_name: AsOption = None, as_json: JsonOption = False) -> None:
        """Every user and their role."""
        built = container()
        users = list_users(built.deps, actor(built, as_name))
        if as_json:
            emit_json(
                [
                    {"name": u.name, "role": u.role, "created_at": u.created_at.isoformat()}
                    for u in users
                ]
            )
            return
        for user in users:
            typer.echo(f"{user.name}\t{user.role}\t{user.created_at.isoformat(timespec='seconds')}")
