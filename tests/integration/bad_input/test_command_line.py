"""The command line's promise: one sentence on stderr, documented statuses, bugs named as bugs."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
import typer
from corpus import Case, ids, run_case, run_program
from typer.testing import CliRunner
from valid_documents import EPISODE

from ketamine_cds.entrypoints.cli import bedside
from ketamine_cds.entrypoints.cli.app import app
from ketamine_cds.entrypoints.cli.common import OneSentenceGroup

INTERNAL = (
    r"^internal error: (\w+) \(error id ([0-9a-f]{12}), details in (.+\.txt)\); "
    r"this is a bug in ketamine-cds; please report it$"
)

USAGE = [
    Case("unknown-command", ("plna",), 2,
         stderr=r"^error: no such command 'plna'; did you mean 'plan', 'replay'\?$"),
    Case("unknown-command-far", ("frobnicate",), 2,
         stderr=r"^error: no such command 'frobnicate' \(see 'ketamine-cds --help'\)\.$"),
    Case("unknown-option", ("plan", "--protocol", "cancer-continuous", "--weight", "70"), 2,
         stderr=r"^error: no such option: --weight .*\(see 'ketamine-cds plan --help'\)\.$"),
    Case("missing-option", ("check", "--weight-kg", "70"), 2,
         stderr=r"^error: missing option '--protocol' \(see 'ketamine-cds check --help'\)\.$"),
    Case("missing-argument", ("replay",), 2,
         stderr=r"^error: missing argument 'episode' \(see 'ketamine-cds replay --help'\)\.$"),
    Case("missing-patient-file-argument", ("assess",), 2, stderr=r"missing argument 'patient'"),
    Case("missing-subcommand", ("protocol",), 2,
         stderr=r"^error: missing command \(see 'ketamine-cds protocol --help'\)\.$"),
    Case("unknown-subcommand", ("protocol", "validat"), 2,
         stderr=r"^error: no such command 'validat'; did you mean 'validate'\?$"),
    Case("option-without-value", ("plan", "--protocol"), 2,
         stderr=r"^error: option '--protocol' requires an argument"),
    Case("extra-argument", ("replay", "{file}", "extra"), 2,
         stderr=r"got unexpected extra argument\(s\) \(extra\)", content=EPISODE),
    Case("json-flag-with-value", ("protocols", "--json=yes"), 2,
         stderr=r"^error: option .--json. does not take a value\.$"),
    Case("no-command", (), 2, stderr=r"^error: give a command; the commands are listed above\.$",
         stdout=r"Usage: ketamine-cds"),
    Case("no-pk-command", ("pk",), 2, stderr=r"^error: give a command", stdout=r"Usage:"),
    Case("help-stays-help", ("--help",), 0, stdout=r"Usage: ketamine-cds(.|\n)*Exit status: 0 "),
]

HELP = [
    Case(f"help-{'-'.join(command)}", (*command, "--help"), 0,
         stdout=r"Exit status: 0 within protocol; 2 input refused \(one sentence on stderr\); 3 a")
    for command in (
        ("plan",), ("check",), ("recommend",), ("replay",), ("assess",), ("protocols",),
        ("protocol", "validate"), ("protocol", "show"),
    )
]

CASES = USAGE + HELP


@pytest.mark.parametrize("case", CASES, ids=ids(CASES))
def test_command_line_case(case: Case, tmp_path: Path) -> None:
    """A usage error is one sentence with status 2; --help keeps its page and the statuses."""
    run_case(case, tmp_path)


PROGRAM = [
    Case("program-binary-file", ("replay", "{file}"), 2,
         stderr=r"^error: input\.yaml is not a UTF-8 text file", content=b"\x00\xff\x10"),
    Case("program-unknown-command", ("plna",), 2, stderr=r"^error: no such command 'plna'"),
    Case("program-year-9999", ("recommend", "{file}", "--at", "9999-12-31T23:00Z"), 2,
         stderr=r"outside the times the product reads", content=EPISODE),
    Case("program-bad-number", ("plan", "--protocol", "x", "--weight-kg", "7_0"), 2,
         stderr=r"--weight-kg: '7_0' is not a plain decimal number"),
    Case("program-hard-limit", ("replay", "{file}"), 4, stdout=r"! hard_limit:",
         content=EPISODE.replace(b"7 mg/h", b"80 mg/h")),
]


@pytest.mark.parametrize("case", PROGRAM, ids=ids(PROGRAM))
def test_the_installed_program_keeps_the_promise(case: Case, tmp_path: Path) -> None:
    """Run as a separate program, the command line behaves as it does in process."""
    run_program(case, tmp_path)


def _broken_app() -> typer.Typer:
    broken = typer.Typer(cls=OneSentenceGroup, add_completion=False)

    @broken.command()
    def explode() -> None:
        """A command with a bug."""
        typer.echo("half an answer")
        raise KeyError("a missing key")

    @broken.command()
    def fine() -> None:
        """A command without one."""

    return broken


def test_a_bug_is_one_line_with_an_error_id_and_status_70(tmp_path: Path) -> None:
    """Any exception that is not bad input is reported as a bug: one line, an id, status 70."""
    result = CliRunner().invoke(
        _broken_app(), ["explode"], env={"KETAMINE_CDS_DATA_DIR": str(tmp_path)}
    )
    assert result.exit_code == 70
    assert result.stderr.count("\n") == 1
    match = re.match(INTERNAL, result.stderr.rstrip("\n"))
    assert match is not None, result.stderr
    kind, error_id, report = match.groups()
    assert kind == "KeyError"
    assert Path(report) == tmp_path / "errors" / f"{error_id}.txt"
    assert "KeyError: 'a missing key'" in Path(report).read_text(encoding="utf-8")
    assert "Traceback" not in result.stderr


def test_a_bug_in_replay_shows_no_recommendation(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A bug while replaying exits 70 and writes nothing on stdout: never a recommendation."""

    def broken_replay(source: object, episode: object) -> list[object]:
        raise AssertionError("unreachable course state")

    monkeypatch.setattr(bedside, "replay_episode", broken_replay)
    episode = tmp_path / "episode.yaml"
    episode.write_bytes(EPISODE)
    result = CliRunner().invoke(
        app, ["replay", str(episode)], env={"KETAMINE_CDS_DATA_DIR": str(tmp_path)}
    )
    assert result.exit_code == 70
    assert result.stdout == ""
    assert re.match(INTERNAL, result.stderr.rstrip("\n"))


def test_a_bug_without_a_writable_data_folder_still_says_so(tmp_path: Path) -> None:
    """When the report cannot be written the line still names the bug and its id."""
    blocked = tmp_path / "file-not-folder"
    blocked.write_text("", encoding="utf-8")
    result = CliRunner().invoke(
        _broken_app(), ["explode"], env={"KETAMINE_CDS_DATA_DIR": str(blocked)}
    )
    assert result.exit_code == 70
    assert re.fullmatch(
        r"internal error: KeyError \(error id [0-9a-f]{12}\); this is a bug in ketamine-cds; "
        r"please report it\n",
        result.stderr,
    )


def test_a_bug_in_a_separate_program_is_status_70(tmp_path: Path) -> None:
    """The real interpreter exit status is 70 and stderr one line, with no traceback."""
    script = (
        "import typer\n"
        "from ketamine_cds.entrypoints.cli.common import OneSentenceGroup\n"
        "app = typer.Typer(cls=OneSentenceGroup)\n"
        "@app.command()\n"
        "def explode() -> None:\n"
        "    raise ZeroDivisionError\n"
        "@app.command()\n"
        "def fine() -> None:\n"
        "    pass\n"
        "app()\n"
    )
    completed = subprocess.run(  # noqa: S603 - a fixed script
        [sys.executable, "-c", script, "explode"],
        capture_output=True,
        text=True,
        check=False,
        env={"KETAMINE_CDS_DATA_DIR": str(tmp_path), "PATH": ""},
        timeout=120,
    )
    assert completed.returncode == 70
    assert completed.stdout == ""
    assert re.match(INTERNAL, completed.stderr.rstrip("\n")), completed.stderr
    assert completed.stderr.count("\n") == 1
