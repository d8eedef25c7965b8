"""The ``ketamine-cds`` application: each command group lives in its own module."""

from __future__ import annotations

import typer

from ketamine_cds.bootstrap import bootstrap
from ketamine_cds.entrypoints.cli import (
    assess,
    audit,
    bedside,
    db,
    dosing,
    med,
    pk,
    record,
    serve,
    users,
)
from ketamine_cds.entrypoints.cli.common import EXIT_STATUS_HELP, OneSentenceGroup, user_errors

app = typer.Typer(
    name="ketamine-cds",
    cls=OneSentenceGroup,
    help=(
        "Clinical decision support for subanesthetic ketamine analgesia. "
        "Decision support, not a prescriber: a clinician checks and orders every dose."
    ),
    epilog=EXIT_STATUS_HELP,
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

for module in (dosing, bedside, med, assess, pk, db, users, record, audit, serve):
    module.register(app)


@app.callback()
@user_errors
def _start() -> None:
    """Read settings and wire the adapters before any command runs."""
    bootstrap()


def main() -> None:
    """Console-script entry point: exits with the documented status, never a traceback."""
    app()
