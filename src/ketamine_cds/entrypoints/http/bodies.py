"""Request bodies and parameters, read as strictly as the command line reads its options.

A number is a JSON number (not a string, not a boolean), finite, and zero or of a size the product
reads (1e-6 to 1e6, as for a file's quantities); a name is short and on one line; a time carries
its zone and lies between 1990 and 2099. Clinical ranges (weight, rates, doses) are the domain's,
the same for a request, a command and a file. Unknown keys are refused.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Self

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator

from ketamine_cds.adapters.plausible_values import (
    is_plausible_size,
    is_plausible_time,
    size_outside_text,
    time_outside_text,
)
from ketamine_cds.domain.errors import UserInputError
from ketamine_cds.domain.vocabulary import Route
from ketamine_cds.service.episodes import parse_time

MIN_CONCENTRATION = 0.1
MAX_CONCENTRATION = 100.0
MAX_ID = 2_147_483_647  # the record's integer columns


def _plausible(value: float) -> float:
    if not is_plausible_size(value):
        raise ValueError(size_outside_text(f"{value:g}"))
    return value


Number = Annotated[float, Field(strict=True, allow_inf_nan=False), AfterValidator(_plausible)]
Name = Annotated[str, Field(min_length=1, max_length=100, pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]*$")]
RecordId = Annotated[int, Field(ge=1, le=MAX_ID)]
Concentration = Annotated[
    float,
    Field(strict=True, allow_inf_nan=False, ge=MIN_CONCENTRATION, le=MAX_CONCENTRATION),
]


class Body(BaseModel):
    """A closed request body."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class PlanRequest(Body):
    """A dose plan: the protocol, the patient's weight, and the bag."""

    protocol: Name = Field(description="Protocol id (see GET /api/v1/protocols).")
    weight_kg: Number = Field(description="The patient's dosing weight in kilograms.")
    concentration_mg_per_ml: Concentration | None = Field(
        default=None, description="Bag or syringe concentration, 0.1-100 mg/mL (default 1 mg/mL)."
    )


class CheckRequest(Body):
    """A dose check: a rate, or one dose (optionally given over some minutes)."""

    protocol: Name = Field(description="Protocol id.")
    weight_kg: Number = Field(description="The patient's dosing weight in kilograms.")
    rate_mg_per_h: Number | None = Field(default=None, description="Infusion rate in mg/h.")
    dose_mg: Number | None = Field(default=None, description="Single dose in mg.")
    over_min: Number | None = Field(
        default=None, description="Minutes the dose is given over (with dose_mg only)."
    )
    phase: Name | None = Field(default=None, description="Check against this phase only.")
    route: Route | None = Field(
        default=None,
        description="Route of the dose; the single-dose hard limit is by route. Omitted: the "
        "phase's route, else intravenous (the strictest).",
    )

    @model_validator(mode="after")
    def _one_thing(self) -> Self:
        if (self.rate_mg_per_h is None) == (self.dose_mg is None):
            raise ValueError("give either rate_mg_per_h or dose_mg, not both or neither")
        if self.over_min is not None and self.dose_mg is None:
            raise ValueError("over_min goes with dose_mg")
        return self


class VerificationRequest(Body):
    """A pharmacist's verification of the order."""

    note: str | None = Field(default=None, max_length=2000, description="What was checked.")


def moment(text: str | None) -> datetime | None:
    """A time from a query parameter (None: now), with its zone, between 1990 and 2099."""
    if text is None or text.strip().lower() == "now":
        return None
    if len(text) > 40:
        raise UserInputError(f"'{text[:40]}…' is not a time")
    value = parse_time(text)
    if not is_plausible_time(value):
        raise UserInputError(time_outside_text(value))
    return value
