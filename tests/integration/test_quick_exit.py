"""A reading command runs and leaves without cyclic garbage collection, with the same answer.

Run through the console-script entry point (``main``) in a fresh interpreter, as a user runs
it; an exit handler installed first reports whether the collector was on and whether it was
frozen (docs/adr/0122).
"""

from __future__ import annotations

import subprocess

import pytest
from fresh_python import run_fresh

PATIENT = ("--protocol", "cancer-continuous", "--weight-kg", "70")
RUN = (
    "import atexit, gc, sys\n"
    "atexit.register(lambda: print('frozen', gc.get_freeze_count() > 0, 'collecting',"
    " gc.isenabled(), file=sys.stderr))\n"
    "from ketamine_cds.entrypoints.cli.app import main\n"
    "main()\n"
)


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return run_fresh(RUN, *args)


@pytest.mark.parametrize(
    ("args", "status", "answer"),
    [
        (("plan", *PATIENT), 0, "pump 7.0 mL/h"),
        (("check", *PATIENT, "--rate-mg-per-h", "7"), 0, "WITHIN PROTOCOL"),
        (("check", *PATIENT, "--rate-mg-per-h", "16"), 3, "SOFT LIMIT EXCEEDED"),
        (("check", *PATIENT, "--rate-mg-per-h", "80"), 4, "HARD LIMIT EXCEEDED"),
        (("plan", "--protocol", "nope", "--weight-kg", "70"), 2, ""),
    ],
    ids=["plan", "within", "soft", "hard", "refused"],
)
def test_a_dose_command_keeps_its_output_and_status_and_leaves_at_once(
    args: tuple[str, ...], status: int, answer: str
) -> None:
    """The whole answer is written and the documented status returned; the collector froze."""
    result = _run(*args)
    assert result.returncode == status
    assert answer in result.stdout
    if answer:
        assert result.stdout.rstrip().endswith(
            "every figure must be checked and ordered by a clinician."
        )
    else:
        assert result.stderr.startswith("error: there is no protocol 'nope'")
    assert result.stderr.strip().splitlines()[-1] == "frozen True collecting False"


def test_a_command_that_may_hold_a_resource_exits_as_python_does() -> None:
    """Commands not marked in the table run with the collector and the whole shutdown."""
    result = _run("med", "--help")
    assert result.returncode == 0
    assert result.stderr.strip().splitlines()[-1] == "frozen False collecting True"
