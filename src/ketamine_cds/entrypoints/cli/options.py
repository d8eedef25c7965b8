"""Command-line values read strictly: plain decimal numbers, times with a zone, short names.

Python's ``float()`` reads ``7_0`` as 70, ``nan`` and ``inf`` as numbers and ``1e-308`` without
complaint; the command line reads none of them. Every number is written as plain decimal digits
(an optional sign, point and exponent), finite, and zero or of a size a file's quantities may have
(:mod:`ketamine_cds.adapters.plausible_values`), so no option overflows the arithmetic behind it.
Options with a physical range of their own (the bag concentration, a time) say so here; clinical
ranges (weight, rates, doses) are the domain's, the same for a command and a file
(docs/adr/0007-strict-options.md).
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Annotated, Any

import typer

from ketamine_cds.adapters.plausible_values import (
    is_plausible_size,
    is_plausible_time,
    size_outside_text,
    time_outside_text,
)
from ketamine_cds.domain.errors import UserInputError
from ketamine_cds.service.episodes import parse_time

MIN_CONCENTRATION_MG_PER_ML = 0.1
MAX_CONCENTRATION_MG_PER_ML = 100.0
MAX_NAME_CHARS = 100

_DECIMAL = re.compile(r"^[-+]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][-+]?[0-9]+)?$")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def strict_number(text: str) -> float:
    """A number written as plain decimal digits, finite, zero or of a size the product reads."""
    written = text.strip()
    if len(written) > 40 or not _DECIMAL.match(written):
        raise UserInputError(
            f"'{text[:40]}' is not a plain decimal number (digits, an optional point, "
            "e.g. 70 or 0.5; no underscores, no NaN or infinity)"
        )
    value = float(written)
    written_zero = not any(digit in "123456789" for digit in written.lower().split("e")[0])
    if not is_plausible_size(value) or (value == 0 and not written_zero):
        raise UserInputError(size_outside_text(written))
    return value


def concentration_number(text: str) -> float:
    """A bag or syringe concentration in mg/mL, within what ketamine is prepared at."""
    value = strict_number(text)
    if not MIN_CONCENTRATION_MG_PER_ML <= value <= MAX_CONCENTRATION_MG_PER_ML:
        raise UserInputError(
            f"a concentration of {text.strip()} mg/mL is outside "
            f"{MIN_CONCENTRATION_MG_PER_ML:g}-{MAX_CONCENTRATION_MG_PER_ML:g} mg/mL (ketamine is "
            "supplied at up to 100 mg/mL; a bag more dilute than 0.1 mg/mL is a typing error)"
        )
    return value


def name_text(text: str) -> str:
    """An identifier given on the command line: short, one line, no control characters."""
    if len(text) > MAX_NAME_CHARS or _CONTROL.search(text) or not text.strip():
        raise UserInputError(
            f"'{text[:40]}' is not a name the product knows (at most {MAX_NAME_CHARS} "
            "characters on one line)"
        )
    return text


def moment(text: str) -> datetime:
    """A time with its zone (ISO 8601), between 1990 and 2099."""
    if len(text) > 40:
        raise UserInputError(f"'{text[:40]}…' is not a time")
    value = parse_time(text)
    if not is_plausible_time(value):
        raise UserInputError(time_outside_text(value))
    return value


def _number_option(flag: str, help_text: str) -> Any:  # noqa: ANN401 - typer's option marker
    return typer.Option(flag, help=help_text, parser=strict_number, metavar="NUMBER")


JsonFlag = Annotated[bool, typer.Option("--json", help="Machine-readable JSON output.")]
ProtocolId = Annotated[
    str, typer.Option("--protocol", help="Protocol id (see 'protocols').", parser=name_text)
]
WeightKg = Annotated[
    float | None, _number_option("--weight-kg", "Patient weight in kilograms (adults).")
]
WeightLb = Annotated[
    float | None,
    _number_option("--weight-lb", "Patient weight in pounds (converted; the conversion is shown)."),
]
Phase = Annotated[
    str | None,
    typer.Option("--phase", help="Check against this phase only (default: any).", parser=name_text),
]
Concentration = Annotated[
    float | None,
    typer.Option(
        "--concentration-mg-per-ml",
        help="Bag or syringe concentration, 0.1-100 mg/mL (default 1 mg/mL).",
        parser=concentration_number,
        metavar="NUMBER",
    ),
]
RateMgPerH = Annotated[float | None, _number_option("--rate-mg-per-h", "Infusion rate in mg/h.")]
DoseMg = Annotated[float | None, _number_option("--dose-mg", "Single dose in mg.")]
OverMin = Annotated[float | None, _number_option("--over-min", "Minutes the dose is given over.")]
At = Annotated[
    datetime,
    typer.Option(
        "--at",
        help="Time with its zone, e.g. 2024-03-02T08:00Z (1990-2099).",
        parser=moment,
        metavar="TIME",
    ),
]
