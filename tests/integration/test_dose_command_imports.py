"""`plan` and `check` load no pint, nor the record's or simulator's libraries (docs/adr/0120, 0140).

Each command runs in a fresh interpreter, as a user runs it; what it imported is read from
``sys.modules`` after it answered.
"""

from __future__ import annotations

import json

import pytest
from fresh_python import run_fresh

# pint and its parsers, the database stack, the simulator's numerics and plotting, the server
# and the EHR client.
NOT_FOR_A_DOSE = (
    "pint",
    "flexparser",
    "flexcache",
    "numpy",
    "scipy",
    "numba",
    "matplotlib",
    "sqlalchemy",
    "alembic",
    "psycopg",
    "fastapi",
    "starlette",
    "httpx",
    "rich",
    "ketamine_cds.adapters.db",
    "ketamine_cds.adapters.reference_data",
    "ketamine_cds.service.record",
)

PATIENT = ("--protocol", "cancer-continuous", "--weight-kg", "70")
RUN = (
    "import json, sys\n"
    "from ketamine_cds.entrypoints.cli.app import app\n"
    "try:\n"
    "    app(sys.argv[1:])\n"
    "except SystemExit:\n"
    "    pass\n"
    "print(json.dumps(sorted(sys.modules)), file=sys.stderr)\n"
)


def _imported(*args: str) -> tuple[str, list[str]]:
    result = run_fresh(RUN, *args)
    return result.stdout, json.loads(result.stderr.strip().splitlines()[-1])


@pytest.mark.parametrize(
    ("args", "answer", "nor"),
    [
        (("plan", *PATIENT), "pump 7.0 mL/h", ()),
        # A check builds no plan, so it needs none of the plan's output models.
        (
            ("check", *PATIENT, "--rate-mg-per-h", "7"),
            "WITHIN PROTOCOL",
            ("ketamine_cds.domain.protocols.plan", "ketamine_cds.domain.protocols.plan_output"),
        ),
    ],
    ids=["plan", "check"],
)
def test_a_dose_command_answers_without_the_heavy_libraries(
    args: tuple[str, ...], answer: str, nor: tuple[str, ...]
) -> None:
    """The command answers, and none of those libraries (nor a module of theirs) was loaded."""
    out, modules = _imported(*args)
    assert answer in out
    unwanted = NOT_FOR_A_DOSE + nor
    loaded = [m for m in modules if any(m == p or m.startswith(f"{p}.") for p in unwanted)]
    assert loaded == []


def test_pint_leaves_array_support_out_even_after_numpy_was_loaded() -> None:
    """The simulator's pint registry is alike whatever was imported before it; numpy is put back."""
    code = (
        "import numpy\n"
        "import sys\n"
        "from ketamine_cds.domain.pk.pint_units import ureg\n"
        "import pint.compat\n"
        "rate = ureg.Quantity(0.1, 'mg/kg_bw/hour') * ureg.Quantity(70, 'kg_bw')\n"
        "print(pint.compat.HAS_NUMPY, sys.modules['numpy'] is numpy, round(rate.m_as('mg/h'), 9))\n"
    )
    result = run_fresh(code, check=True)
    assert result.stdout.split() == ["False", "True", "7.0"]
