"""The command list ``--help`` prints, without importing a command, matches what is registered."""

from __future__ import annotations

import importlib

import typer
import typer.main
from fresh_python import run_fresh

from ketamine_cds.entrypoints.cli.lazy import COMMANDS, PACKAGE


def test_every_module_registers_exactly_the_commands_the_table_names() -> None:
    """No command is missing from the help list, and none is listed that does not exist."""
    modules = sorted({name for entry in COMMANDS.values() for name in entry.modules})
    holder = typer.Typer()
    holder.callback()(lambda: None)
    for name in modules:
        importlib.import_module(f"{PACKAGE}.{name}").register(holder)
    registered = set(typer.main.get_command(holder).commands)  # type: ignore[attr-defined]
    assert registered == set(COMMANDS)


def test_help_imports_no_command_module() -> None:
    """`ketamine-cds --help` lists the commands without loading units, pint or any command."""
    code = (
        "import sys\n"
        "from ketamine_cds.entrypoints.cli.app import app\n"
        "try:\n"
        "    app(['--help'])\n"
        "except SystemExit:\n"
        "    pass\n"
        "heavy = [m for m in ('pint', 'numpy', 'pydantic', 'ketamine_cds.domain.units',"
        " 'ketamine_cds.entrypoints.cli.dosing') if m in sys.modules]\n"
        "print(heavy, file=sys.stderr)\n"
    )
    result = run_fresh(code)
    assert "plan " in result.stdout
    assert result.stderr.strip().splitlines()[-1] == "[]"
