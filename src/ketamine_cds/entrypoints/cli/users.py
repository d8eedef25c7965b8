"""``ketamine-cds user add|list|password|token|tokens|revoke-token``: the people who use the record.

Each user has one role. People log in to the ward application with a password (``password``
reads it from standard input, twice when typed at a terminal); programs send a bearer token
(``token`` prints one, once; only its hash is kept).
"""

from __future__ import annotations

import getpass
import sys
from typing import Annotated

import typer

from ketamine_cds.domain.errors import UserInputError
from ketamine_cds.entrypoints.cli.common import emit_json
from ketamine_cds.entrypoints.cli.record_common import AS_HELP, actor, container, record_errors
from ketamine_cds.service.access_ports import TokenRecord
from ketamine_cds.service.credentials import issue_token, list_tokens, revoke_token, set_password
from ketamine_cds.service.users import add_user, list_users, parse_role

AsOption = Annotated[str | None, typer.Option("--as", help=AS_HELP)]
JsonOption = Annotated[bool, typer.Option("--json", help="Write JSON.")]


def _token_json(token: TokenRecord) -> dict[str, object]:
    return {
        "id": token.id,
        "user": token.user_name,
        "label": token.label,
        "created_at": token.created_at.isoformat(),
        "created_by": token.created_by,
        "revoked_at": None if token.revoked_at is None else token.revoked_at.isoformat(),
        "revoked_by": token.revoked_by,
    }


def read_password(name: str) -> str:
    """The new password: typed twice at a terminal, else the first line of standard input."""
    if sys.stdin.isatty():
        first = getpass.getpass(f"New password for {name}: ")
        if getpass.getpass("Again: ") != first:
            raise UserInputError("the two passwords typed differ; nothing was changed")
        return first
    line = sys.stdin.readline()
    if not line:
        raise UserInputError("give the new password on standard input (one line)")
    return line.removesuffix("\n").removesuffix("\r")


def register(app: typer.Typer) -> None:  # noqa: C901 - one nested function per command
    """Add the ``user`` commands to ``app``."""
    group = typer.Typer(
        help="Users of the record, their roles and credentials.", no_args_is_help=True
    )
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

    @group.command("password")
    @record_errors
    def password_command(
        name: str = typer.Argument(..., help="The user whose password is set."),
        as_name: AsOption = None,
    ) -> None:
        """Set a user's password for the ward application (read from standard input).

        At least 15 characters; a passphrase of a few words is easiest. Your own, or anyone's
        for an admin.
        """
        built = container()
        set_password(built.access, actor(built, as_name), name, read_password(name))
        typer.echo(f"password set for {name}")

    @group.command("token")
    @record_errors
    def token_command(
        name: str = typer.Argument(..., help="The user the program acts as."),
        label: str = typer.Option("api", "--label", help="What uses the token."),
        as_name: AsOption = None,
        as_json: JsonOption = False,
    ) -> None:
        """Print a new bearer token for a program (shown only now; only its hash is kept)."""
        built = container()
        token, kept = issue_token(built.access, actor(built, as_name), name, label)
        if as_json:
            emit_json({**_token_json(kept), "token": token})
            return
        typer.echo(token)

    @group.command("tokens")
    @record_errors
    def tokens_command(
        name: str = typer.Argument(..., help="Whose tokens."),
        as_name: AsOption = None,
        as_json: JsonOption = False,
    ) -> None:
        """A user's tokens, revoked ones included (never the tokens themselves)."""
        built = container()
        found = list_tokens(built.access, actor(built, as_name), name)
        if as_json:
            emit_json([_token_json(t) for t in found])
            return
        for token in found:
            state = "active" if token.revoked_at is None else f"revoked {token.revoked_at:%Y-%m-%d}"
            typer.echo(f"{token.id}\t{token.label}\t{token.created_at:%Y-%m-%d %H:%M}\t{state}")

    @group.command("revoke-token")
    @record_errors
    def revoke_command(
        token_id: int = typer.Argument(
            ..., help="The token's id (see 'user tokens NAME').", min=1, max=2_147_483_647
        ),
        as_name: AsOption = None,
    ) -> None:
        """Revoke a token: a program using it is refused from its next request on."""
        built = container()
        revoked = revoke_token(built.access, actor(built, as_name), token_id)
        typer.echo(f"token {revoked.id} of {revoked.user_name} revoked")
