"""The ``ketamine-cds`` application: each command group lives in its own module."""

from __future__ import annotations

import typer

from ketamine_cds.entrypoints.cli import assess, bedside, dosing, med, pk

app = typer.Typer(
    name="ketamine-cds",
    help=(
        "Clinical decision support for subanesthetic ketamine analgesia. "
        "Decision support, not a prescriber: a clinician checks and orders every dose."
    ),
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

for module in (dosing, bedside, med, assess, pk):
    module.register(app)


def main() -> None:
    """Console-script entry point."""
    app()
