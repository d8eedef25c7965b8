"""``ketamine-cds db upgrade``: create or migrate the record's database."""

from __future__ import annotations

from typing import Annotated

import typer

from ketamine_cds.entrypoints.cli.common import emit_json, user_errors
from ketamine_cds.entrypoints.cli.record_common import container


def register(app: typer.Typer) -> None:
    """Add the ``db`` commands to ``app``."""
    group = typer.Typer(help="The record's database.", no_args_is_help=True)
    app.add_typer(group, name="db")

    @group.command("upgrade")
    @user_errors
    def upgrade_command(
        as_json: Annotated[bool, typer.Option("--json", help="Write JSON.")] = False,
    ) -> None:
        """Create the database named by KETAMINE_CDS_DATABASE_URL, or migrate it to this version."""
        from ketamine_cds.adapters.db.migrate import upgrade  # noqa: PLC0415 - alembic, on use

        built = container(check_schema=False)
        before, after = upgrade(built.engine)
        if as_json:
            emit_json({"database": built.url_shown, "from": before, "to": after})
            return
        was = "new" if before is None else f"revision {before}"
        typer.echo(f"{built.url_shown}: {was} -> revision {after}")
