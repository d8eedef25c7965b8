"""Product-wide limits: hard limits, the default soft ceiling, plausibility and dose bands.

These apply to every protocol. A hard limit refuses (nothing overrides it); the default soft
ceiling stands in where a protocol's source gives no maximum; plausibility bounds catch entry
errors (µg typed where mg was meant) before any dose is checked; the dose bands of seed 004 are
shown beside every rate and dose.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from ketamine_cds.domain.errors import UserInputError
from ketamine_cds.domain.protocols.fields import AmountText, FixedDurationText, RateText, Span
from ketamine_cds.domain.protocols.schema import Model, Source
from ketamine_cds.domain.units import BodyWeight, Measure, PerKgMass, PerKgRate


class HardLimit(Model):
    """A limit nothing overrides: anaesthetic territory, never an analgesic order."""

    id: str
    applies_to: Literal["rate", "dose"]
    limit: RateText | AmountText
    text: str
    sources: list[Source] = Field(min_length=1)


class SoftCeiling(Model):
    """The ceiling used where a protocol's source states none."""

    id: str
    limit: RateText
    text: str
    sources: list[Source] = Field(min_length=1)


class SoftBolusCeiling(Model):
    """The single-dose ceiling used where a protocol's source states none."""

    id: str
    limit: AmountText
    text: str
    sources: list[Source] = Field(min_length=1)


class Plausibility(Model):
    """Bounds beyond which a number is an entry error rather than a dose."""

    max_rate: RateText
    max_dose: AmountText
    text: str


class WeightRange(Model):
    """The adult weights the product supports."""

    min: float = Field(gt=0)
    max: float = Field(gt=0)
    text: str


class Band(Model):
    """One row of seed 004's dose-dependent clinical outcomes table."""

    id: str
    label: str
    low: RateText | AmountText
    high: RateText | AmountText | None = None
    note: str | None = None

    def contains(self, value: PerKgRate | PerKgMass) -> bool:
        """Whether a per-kg rate (or dose) falls in this band; other kinds never do."""
        low = self.low
        if type(low) is not type(value):
            return False
        assert isinstance(low, Measure)  # noqa: S101 - narrowed by the kind check
        if value < low:
            return False
        return self.high is None or not (self.high < value)

    def describe(self) -> str:
        """``Psychotomimetic effects 0.2-0.6 mg/kg/h``."""
        if self.high is None:
            return f"{self.label} {self.low} and above"
        return f"{self.label} {Span(self.low, self.high)}"  # type: ignore[type-var]


class BandTable(Model):
    """The dose-band table with its source."""

    source: Source
    bands: list[Band] = Field(min_length=1)


class LimitTable(Model):
    """Everything in ``data/limits.yaml``."""

    version: str
    hard_limits: list[HardLimit] = Field(min_length=2)
    default_soft_ceiling: SoftCeiling
    default_soft_bolus: SoftBolusCeiling
    bolus_max_over: FixedDurationText
    plausibility: Plausibility
    weight_kg: WeightRange
    dose_bands: BandTable

    def hard_rate(self) -> tuple[HardLimit, PerKgRate]:
        """The hard limit on infusion rates, as a per-kg rate."""
        return self._hard("rate", PerKgRate)  # type: ignore[return-value]

    def hard_dose(self) -> tuple[HardLimit, PerKgMass]:
        """The hard limit on a single dose, as a per-kg dose."""
        return self._hard("dose", PerKgMass)  # type: ignore[return-value]

    def _hard(self, applies_to: str, kind: type[Measure]) -> tuple[HardLimit, Measure]:
        for limit in self.hard_limits:
            if limit.applies_to == applies_to and isinstance(limit.limit, kind):
                return limit, limit.limit
        raise UserInputError(f"the limit table has no per-kg hard limit on {applies_to}s")

    def check_weight(self, weight: BodyWeight) -> None:
        """Refuse a weight outside the supported adult range, saying which range."""
        if not (self.weight_kg.min <= weight.kg <= self.weight_kg.max):
            raise UserInputError(
                f"a weight of {weight} is outside the adult range this product supports "
                f"({self.weight_kg.min:g} to {self.weight_kg.max:g} kg)"
            )

    def bands_for(self, value: PerKgRate | PerKgMass) -> list[Band]:
        """The dose bands ``value`` falls in (bands overlap, so there may be several)."""
        return [band for band in self.dose_bands.bands if band.contains(value)]
