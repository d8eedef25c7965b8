"""Commands loaded when they are run, so that ``--help`` and a plan answer at once.

Each top-level command names the modules that register it (a command group may gather
subcommands from several). ``--help`` lists the commands from this table without importing any
of them; running one imports only its own modules.
"""

from __future__ import annotations

import gc
import importlib
from dataclasses import dataclass, field
from difflib import get_close_matches
from typing import Any

import typer
import typer.main
from typer._click import exceptions as cli_errors  # typer's own copy of click (pinned)
from typer.core import TyperGroup

from ketamine_cds.entrypoints.cli import pydantic_plugins
from ketamine_cds.entrypoints.cli.common import OneSentenceGroup


@dataclass(frozen=True)
class Entry:
    """Where a top-level command comes from, and its line in the command list."""

    modules: tuple[str, ...]
    summary: str
    # The command reads files and prints, holding nothing a finaliser must close or write: its
    # process leaves without the interpreter's last garbage collection (docs/adr/0122), and
    # pydantic looks for no plugins in it (docs/adr/0141).
    quick_exit: bool = False


PACKAGE = "ketamine_cds.entrypoints.cli"
COMMANDS: dict[str, Entry] = {
    "protocols": Entry(("dosing",), "List the protocols the product can use.", quick_exit=True),
    "protocol": Entry(
        ("dosing",), "Show, export the schema of, or validate protocol files.", quick_exit=True
    ),
    "plan": Entry(("dosing",), "The dose plan of a protocol for a patient.", quick_exit=True),
    "check": Entry(
        ("dosing",), "Check a rate or a dose against the soft and hard limits.", quick_exit=True
    ),
    "recommend": Entry(("bedside",), "What the protocol says to do at a moment of an episode."),
    "replay": Entry(("bedside",), "The recommendation after every event of an episode."),
    "med": Entry(("med",), "The 24-hour oral morphine equivalent (MED) of a regimen."),
    "opioid-plan": Entry(("med", "med_doses"), "Convert, reduce or track the opioid regimen."),
    "assess": Entry(("assess",), "Eligibility, contraindications, screening, evidence."),
    "pk": Entry(("pk",), "Pharmacokinetics: simulated plasma ketamine from cited models."),
    "db": Entry(("db",), "Create or migrate the clinical record's database."),
    "user": Entry(("users",), "The people who use the record, and their roles."),
    "episode": Entry(("record", "record_course"), "Episodes in the clinical record."),
    "audit": Entry(("audit",), "The audit trail: verify that nothing was rewritten."),
    "fhir": Entry(("fhir",), "FHIR R4 in and out."),
    "cohort": Entry(("cohort",), "The cohort audit across stored episodes."),
    "serve": Entry(("serve",), "Serve the ward application (the web pages and the JSON API)."),
    "demo": Entry(("serve",), "The demonstration ward."),
}


@dataclass
class _Process:
    """What the entry point and the group share about this process (docs/adr/0122)."""

    loaded: list[Entry] = field(default_factory=list)  # the commands loaded, in order
    collector_paused: bool = False  # by pause_collector, not by whoever embeds the app


_PROCESS = _Process()


def pause_collector() -> None:
    """Turn the cyclic collector off until a command not marked ``quick_exit`` is loaded.

    pydantic's plugins are left out until then too: typer builds validators for the top-level
    options before it knows the command.
    """
    if gc.isenabled():
        gc.disable()
        _PROCESS.collector_paused = True
    pydantic_plugins.leave_out()


def quick_exit() -> bool:
    """Whether this process loaded commands, and only commands that may leave at once."""
    return bool(_PROCESS.loaded) and all(entry.quick_exit for entry in _PROCESS.loaded)


def _registered(modules: tuple[str, ...]) -> TyperGroup:
    """The commands the modules register, as a click group of their own."""
    holder = typer.Typer(rich_markup_mode=None)  # plain help, as the top level
    holder.callback()(_group)  # a callback keeps even a single command in a group
    for name in modules:
        importlib.import_module(f"{PACKAGE}.{name}").register(holder)
    command = typer.main.get_command(holder)
    if not isinstance(command, TyperGroup):
        msg = f"the modules {', '.join(modules)} registered no command group"
        raise TypeError(msg)
    return command


def _group() -> None:
    """Commands of one module."""


class LazyGroup(OneSentenceGroup):
    """The application's group: commands imported when run, listed from the table."""

    def list_commands(self, ctx: typer.Context) -> list[str]:  # type: ignore[override]  # noqa: ARG002 - click's signature
        """Every top-level command, in the table's order."""
        return list(COMMANDS)

    def get_command(self, ctx: typer.Context, cmd_name: str) -> Any:  # type: ignore[override]  # noqa: ANN401 - typer's own click types
        """The command, imported now; None for a name the table does not hold."""
        entry = COMMANDS.get(cmd_name)
        if entry is None:
            return None
        _PROCESS.loaded.append(entry)
        if not entry.quick_exit:
            pydantic_plugins.put_back()
        if not entry.quick_exit and _PROCESS.collector_paused:
            gc.enable()  # a long or resource-holding command runs with the collector
            _PROCESS.collector_paused = False
        return _registered(entry.modules).get_command(ctx, cmd_name)

    def resolve_command(self, ctx: typer.Context, args: list[str]) -> Any:  # type: ignore[override]  # noqa: ANN401
        """The command named first; a near miss of a name in the table is suggested."""
        try:
            return super().resolve_command(ctx, args)
        except cli_errors.UsageError as error:
            near = get_close_matches(args[0], list(COMMANDS)) if args else []
            if near and "Did you mean" not in error.message:
                named = ", ".join(repr(name) for name in near)
                error.message = f"{error.message.rstrip('.')}. Did you mean {named}?"
            raise

    def format_commands(self, ctx: typer.Context, formatter: Any) -> None:  # type: ignore[override]  # noqa: ANN401, ARG002
        """The command list, from the table (nothing is imported to print it)."""
        rows = [(name, entry.summary) for name, entry in COMMANDS.items()]
        with formatter.section("Commands"):
            formatter.write_dl(rows)
