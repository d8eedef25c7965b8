"""The ``ketamine-cds`` application: each command group lives in its own module, loaded when run."""

from __future__ import annotations

import gc

import typer

from ketamine_cds.entrypoints.cli.common import EXIT_STATUS_HELP, user_errors
from ketamine_cds.entrypoints.cli.lazy import LazyGroup, pause_collector, quick_exit

app = typer.Typer(
    name="ketamine-cds",
    cls=LazyGroup,
    help=(
        "Clinical decision support for subanesthetic ketamine analgesia. "
        "Decision support, not a prescriber: a clinician checks and orders every dose."
    ),
    epilog=EXIT_STATUS_HELP,
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    # Plain help: the rich layout would import every command to list it.
    rich_markup_mode=None,
)


@app.callback()
@user_errors
def _start() -> None:
    """Read settings and wire the adapters before any command runs."""
    from ketamine_cds.bootstrap import bootstrap  # noqa: PLC0415 - the command's own imports first

    bootstrap()


def main() -> None:
    """Console-script entry point: exits with the documented status, never a traceback."""
    # No cyclic collection while the command is found and its models are built (about 100
    # passes over a plan's start); loading a command not marked quick_exit turns it back on.
    pause_collector()
    try:
        app()
    finally:
        if quick_exit():
            # The interpreter's last collection walks every object the schemas built, 50-100 ms
            # of a plan; frozen, they are left to the operating system (docs/adr/0122).
            gc.freeze()
