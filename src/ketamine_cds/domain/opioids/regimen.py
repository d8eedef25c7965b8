"""A patient's opioid regimen as the clinician writes it, and each item's daily amount.

One item is one opioid by one route, written in one of these ways:

* a dose and how often: ``dose: 10 mg`` (or ``tablets: 2`` of ``strength: 5 mg``) with
  ``doses_per_day``, ``every_hours`` (optionally ``every_hours_max`` for "every 6-8 h") or
  ``times_of_day``;
* as needed: ``prn: true`` with ``taken_in_24h`` (the doses actually taken); without it the
  most the order allows is used and flagged as an estimate;
* a patch: ``patch: 25 µg/h`` (``patches`` worn at once, ``change_every_days`` for the record;
  the factor applies to µg/h, never to the number of patch-days);
* an infusion: ``rate: 1 mg/h``; a PCA: ``pca_total_24h: 24 mg`` delivered in 24 h.

Every quantity carries its unit; a bare number is refused. Counts and intervals are numbers, never
booleans or text, and never NaN or infinity. How large a dose or count may be before it can only
be an entry error is data (``plausibility.yaml``, checked by :mod:`.plausibility`).
"""

from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass
from typing import Annotated

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StrictBool,
    ValidationInfo,
    WithJsonSchema,
    field_validator,
    model_validator,
)

from ketamine_cds.domain.errors import UserInputError
from ketamine_cds.domain.opioids.tables import ROUTE_ALIASES, Opioid, OpioidRoute
from ketamine_cds.domain.units import Mass, Rate, parse_amount, parse_rate

HOURS_PER_DAY = 24.0
# An episode timeline runs from a year before the infusion to ten years after it.
FIRST_DAY_BEFORE = 365
LAST_DAY = 3650


_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def _one_line(value: str) -> str:
    """Refuse a line break or control character, which would break a one-sentence message."""
    if _CONTROL.search(value):
        raise ValueError(f"{value[:40]!r} must be one line of plain text")
    return value


def _not_a_flag(value: object, info: ValidationInfo) -> object:
    """Refuse ``true``/``false``, or a line break, where an amount with its unit is expected."""
    if isinstance(value, str):
        return _one_line(value)
    if isinstance(value, bool):
        # pydantic words a ValueError, not a TypeError, as a validation error
        raise ValueError(f"{info.field_name} must be an amount with its unit, not {value}")  # noqa: TRY004
    return value


# The model reads a bare number so that it can refuse it with a sentence; the published schema
# asks for text with a unit from the start.
Quantity = Annotated[
    str | float | None,
    BeforeValidator(_not_a_flag),
    WithJsonSchema({"anyOf": [{"type": "string"}, {"type": "null"}]}),
]
RouteText = Annotated[
    OpioidRoute,
    WithJsonSchema(
        {"type": "string", "enum": [*(r.value for r in OpioidRoute), *sorted(ROUTE_ALIASES)]}
    ),
]
DrugText = Annotated[str, WithJsonSchema({"type": "string", "enum": [o.value for o in Opioid]})]
NAME_LENGTH = 200


def _a_number(value: object, info: ValidationInfo) -> object:
    """Refuse a boolean or text where a count or interval is expected (YAML reads both loosely)."""
    if isinstance(value, bool) or not isinstance(value, int | float | None):
        shown = f"'{value}'" if isinstance(value, str) else repr(value)
        # pydantic words a ValueError, not a TypeError, as a validation error
        raise ValueError(f"{info.field_name} must be a number, not {shown}")  # noqa: TRY004
    if isinstance(value, float) and not math.isfinite(value):
        raise ValueError(f"{info.field_name} must be a finite number, not {value}")
    return value


Number = Annotated[float, BeforeValidator(_a_number)]
OptionalNumber = Annotated[float | None, BeforeValidator(_a_number)]
Text = Annotated[str, Field(max_length=NAME_LENGTH), AfterValidator(_one_line)]
_TIME_OF_DAY = re.compile(r"^([01]?[0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9])?$")


@dataclass(frozen=True)
class DailyAmount:
    """What an item delivers in 24 h: mg/day, or µg/h for a patch, with its range."""

    low: float
    high: float
    patch: bool
    estimate: str | None = None

    @property
    def point(self) -> float:
        """The figure used for the total: the most the order allows within its range."""
        return self.high


def _finite_positive(value: float, text: str, what: str) -> None:
    if not math.isfinite(value):
        raise UserInputError(f"{what} '{text}' is not a finite amount")
    if value <= 0:
        raise UserInputError(f"{what} '{text}' must be above zero")


def _mass(text: str | float | None, what: str) -> Mass:
    if text is None:
        raise UserInputError(f"{what} is missing")
    if isinstance(text, bool):
        raise UserInputError(f"{what} must be an amount with its unit, e.g. '10 mg', not {text}")
    if isinstance(text, int | float):
        raise UserInputError(f"{what} {text:g} has no unit (write e.g. '10 mg' or '200 µg')")
    amount = parse_amount(text)
    if not isinstance(amount, Mass):
        raise UserInputError(f"{what} '{text}' is a weight-based dose; give the amount per dose")
    _finite_positive(amount.mg, text, what)
    return amount


def _rate(text: str | float, what: str) -> Rate:
    if isinstance(text, bool):
        raise UserInputError(f"{what} must be a rate with its unit, e.g. '25 µg/h', not {text}")
    if isinstance(text, int | float):
        raise UserInputError(f"{what} {text:g} has no unit (write e.g. '25 µg/h' or '1 mg/h')")
    rate = parse_rate(text)
    if not isinstance(rate, Rate):
        raise UserInputError(f"{what} '{text}' is weight-based; give the absolute rate")
    _finite_positive(rate.mg_per_h, text, what)
    return rate


class RegimenItem(BaseModel):
    """One opioid by one route, with its dose and frequency (see the module for the forms)."""

    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)

    name: Text | None = Field(default=None, description="How the item is shown, e.g. 'OxyContin'.")
    drug: DrugText = Field(
        max_length=NAME_LENGTH,
        description="Ingredient, e.g. oxycodone, morphine, fentanyl, methadone.",
    )
    route: RouteText = Field(
        description="oral, rectal, transdermal, buccal, sublingual, nasal, intravenous, "
        "subcutaneous or intramuscular (iv, sc, im, po, td, sl accepted)."
    )
    form: Text | None = Field(
        default=None, description="Dose form where a table needs it (tablet, lozenge, film, spray)."
    )
    dose: Quantity = Field(default=None, description="Amount per dose, e.g. '10 mg'.")
    tablets: OptionalNumber = Field(default=None, gt=0, description="Tablets or capsules per dose.")
    strength: Quantity = Field(
        default=None, description="Amount in one tablet or capsule, e.g. '5 mg'."
    )
    doses_per_day: OptionalNumber = Field(default=None, description="Doses in 24 h.")
    every_hours: OptionalNumber = Field(default=None, description="Interval between doses (h).")
    every_hours_max: OptionalNumber = Field(
        default=None, description="Longest interval, for an order such as 'every 6-8 h'."
    )
    times_of_day: tuple[Text, ...] | None = Field(
        default=None, description="Clock times of the doses, e.g. ['08:00', '20:00']."
    )
    prn: StrictBool = Field(default=False, description="Given as needed.")
    taken_in_24h: OptionalNumber = Field(
        default=None, ge=0, description="As-needed doses actually taken in the last 24 h."
    )
    patch: Quantity = Field(default=None, description="Patch delivery rate, '25 µg/h'.")
    patches: Number = Field(default=1, gt=0, description="Patches of that rate worn at once.")
    change_every_days: OptionalNumber = Field(
        default=None, gt=0, description="Days between patch changes (recorded, not multiplied)."
    )
    rate: Quantity = Field(default=None, description="Continuous infusion, '1 mg/h'.")
    pca_total_24h: Quantity = Field(
        default=None, description="Total delivered by a PCA in 24 h, e.g. '24 mg'."
    )

    @field_validator("route", mode="before")
    @classmethod
    def _read_route(cls, value: object) -> object:
        return OpioidRoute.read(value)

    @property
    def label(self) -> str:
        """How messages and outputs name the item."""
        return self.name or f"{self.drug} {self.route.value}"

    @property
    def opioid(self) -> Opioid:
        """The ingredient as the closed vocabulary."""
        return Opioid(self.drug)

    @model_validator(mode="after")
    def _complete(self) -> RegimenItem:
        try:
            self._check()
            self.daily_amount()
        except UserInputError as error:
            raise ValueError(f"{self.label}: {error}") from None
        return self

    def _check(self) -> None:
        known = ", ".join(o.value for o in Opioid)
        if self.drug not in {o.value for o in Opioid}:
            raise UserInputError(f"unknown drug {self.drug[:40]!r} (the product knows {known})")
        self._check_frequency()
        self._check_one_way()

    def _check_frequency(self) -> None:
        for field in ("doses_per_day", "every_hours", "every_hours_max"):
            value = getattr(self, field)
            if value is not None and value <= 0:
                raise UserInputError(f"{field} must be above zero, not {value:g}")
        if self.times_of_day is not None:
            if not self.times_of_day:
                raise UserInputError("times_of_day is empty")
            for text in self.times_of_day:
                if not _TIME_OF_DAY.match(text):
                    raise UserInputError(f"'{text}' is not a time of day such as '08:00'")
            clock = Counter(text.rjust(5, "0")[:5] for text in self.times_of_day)
            twice = sorted(c for c, n in clock.items() if n > 1)
            if twice:
                raise UserInputError(f"times_of_day lists {twice[0]} twice")

    def _check_one_way(self) -> None:
        ways = [
            self.patch is not None,
            self.rate is not None,
            self.pca_total_24h is not None,
            self.dose is not None or self.tablets is not None,
        ]
        if sum(ways) == 0:
            if self.route is OpioidRoute.TRANSDERMAL:
                raise UserInputError("a patch needs its delivery rate, e.g. 'patch: 25 µg/h'")
            raise UserInputError(
                "give a dose (or tablets and strength), a patch, a rate or a PCA total"
            )
        if sum(ways) > 1:
            raise UserInputError("give only one of dose, patch, rate or pca_total_24h")
        if self.route is OpioidRoute.TRANSDERMAL and self.patch is None:
            raise UserInputError("a patch needs its delivery rate, e.g. 'patch: 25 µg/h'")
        if self.patch is not None and self.route is not OpioidRoute.TRANSDERMAL:
            raise UserInputError("a patch is given by the transdermal route")

    def per_dose_mg(self) -> float | None:
        """Milligrams per dose, or None for a patch, an infusion or a PCA total."""
        if self.dose is None and self.tablets is None:
            return None
        return self._dose_mg()

    def _dose_mg(self) -> float:
        if self.tablets is not None:
            if self.dose is not None:
                raise UserInputError("give either dose or tablets with strength, not both")
            if self.strength is None:
                raise UserInputError("tablets need their strength, e.g. 'strength: 5 mg'")
            return self.tablets * _mass(self.strength, "strength").mg
        if self.strength is not None:
            raise UserInputError("strength goes with tablets; give the number of tablets")
        return _mass(self.dose, "dose").mg

    def _doses_per_day(self) -> tuple[float, float] | None:
        given = [
            self.doses_per_day is not None,
            self.every_hours is not None,
            self.times_of_day is not None,
        ]
        if sum(given) > 1:
            raise UserInputError("give one of doses_per_day, every_hours or times_of_day")
        if self.every_hours_max is not None and self.every_hours is None:
            raise UserInputError("every_hours_max goes with every_hours")
        if self.doses_per_day is not None:
            return self.doses_per_day, self.doses_per_day
        if self.every_hours is not None:
            longest = self.every_hours_max or self.every_hours
            if longest < self.every_hours:
                raise UserInputError("every_hours_max must not be shorter than every_hours")
            return HOURS_PER_DAY / longest, HOURS_PER_DAY / self.every_hours
        if self.times_of_day is not None:
            count = float(len(self.times_of_day))
            return count, count
        return None

    def daily_amount(self) -> DailyAmount:
        """The item's 24-hour amount: mg/day, or µg/h (times patches worn) for a patch."""
        if self.patch is not None:
            ug_per_h = _rate(self.patch, "patch").magnitude("microgram/hour") * self.patches
            return DailyAmount(ug_per_h, ug_per_h, patch=True)
        if self.rate is not None:
            mg = _rate(self.rate, "rate").mg_per_day
            return DailyAmount(mg, mg, patch=False)
        if self.pca_total_24h is not None:
            mg = _mass(self.pca_total_24h, "pca_total_24h").mg
            return DailyAmount(mg, mg, patch=False)
        per_dose = self._dose_mg()
        frequency = self._doses_per_day()
        if self.taken_in_24h is not None:
            if not self.prn:
                raise UserInputError("taken_in_24h is for as-needed (prn) items")
            taken = per_dose * self.taken_in_24h
            return DailyAmount(taken, taken, patch=False)
        if frequency is None:
            if self.prn:
                raise UserInputError(
                    "an as-needed item needs the doses taken in 24 h (taken_in_24h) "
                    "or its frequency"
                )
            raise UserInputError("give how often: doses_per_day, every_hours or times_of_day")
        low, high = frequency
        estimate: str | None = None
        if self.prn:
            estimate = "as-needed doses taken were not given: the most the order allows is used"
        elif low != high:
            estimate = "the interval is a range: the shortest interval is used for the total"
        return DailyAmount(per_dose * low, per_dose * high, patch=False, estimate=estimate)


class Regimen(BaseModel):
    """A patient's opioids over 24 hours: the input of the MED calculation."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    label: Text | None = Field(default=None, description="What this regimen is, e.g. 'day 2'.")
    items: tuple[RegimenItem, ...] = Field(min_length=1)


class TimelinePoint(BaseModel):
    """One moment of an episode: a regimen to compute, or a MED figure recorded elsewhere."""

    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)

    day: Number = Field(
        ge=-FIRST_DAY_BEFORE,
        le=LAST_DAY,
        description="Day of the episode (day 1 is the first day; 0 and below come before it).",
    )
    label: Text | None = None
    regimen: Regimen | None = None
    recorded_med_mg: OptionalNumber = Field(
        default=None, ge=0, description="MED recorded elsewhere (mg/day oral morphine equivalent)."
    )
    source: Text | None = Field(default=None, description="Where a recorded figure comes from.")

    @model_validator(mode="after")
    def _one_kind(self) -> TimelinePoint:
        if (self.regimen is None) == (self.recorded_med_mg is None):
            raise ValueError(f"day {self.day:g}: give either a regimen or recorded_med_mg")
        if self.recorded_med_mg is not None and not self.source:
            raise ValueError(f"day {self.day:g}: a recorded MED needs its source")
        return self


class Episode(BaseModel):
    """The opioid MED of one episode over time."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    label: Text | None = None
    points: tuple[TimelinePoint, ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _one_point_a_day(self) -> Episode:
        days = Counter(point.day for point in self.points)
        twice = sorted(day for day, n in days.items() if n > 1)
        if twice:
            raise ValueError(
                f"day {twice[0]:g} appears twice; give one point a day (or a fraction, e.g. 2.5)"
            )
        return self


@dataclass(frozen=True)
class NotCounted:
    """An order read from the input but not counted in the MED, and why.

    ``incomplete`` marks one whose status leaves open whether it is being given: the total is
    then not a total, and is not given as one.
    """

    what: str
    reason: str
    incomplete: bool = False


@dataclass(frozen=True)
class RegimenReading:
    """A regimen as read from a file, with the orders left out of it and what the reader noted."""

    regimen: Regimen
    not_counted: tuple[NotCounted, ...] = ()
    warnings: tuple[str, ...] = ()
