"""Product-wide limits: hard limits, the default soft ceiling, plausibility and dose bands.

These apply to every protocol. A hard limit refuses (nothing overrides it); the default soft
ceiling stands in where a protocol's source gives no maximum; plausibility bounds catch entry
errors (µg typed where mg was meant) before any dose is checked; the dose bands of seed 004 are
shown beside every rate and dose.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator

from ketamine_cds.domain.errors import UserInputError
from ketamine_cds.domain.protocols.fields import AmountText, FixedDurationText, RateText, Span
from ketamine_cds.domain.protocols.schema import Model, Source
from ketamine_cds.domain.units import BodyWeight, Measure, PerKgMass, PerKgRate
from ketamine_cds.domain.vocabulary import Route

LimitKind = Literal["infusion_rate", "single_dose", "daily_total"]


class HardLimit(Model):
    """A limit nothing overrides: anaesthetic territory, never an analgesic order."""

    id: str
    kind: LimitKind = Field(
        description="What it bounds: an infusion rate, one dose given over an hour or less, or "
        "everything given in 24 hours as intravenous equivalent."
    )
    routes: list[Route] = Field(min_length=1, description="The routes it applies to.")
    limit: RateText | AmountText
    text: str
    sources: list[Source] = Field(min_length=1)

    @property
    def applies_to(self) -> str:
        """``rate``, ``dose`` or ``daily``: the short name the plan has always published."""
        return {"infusion_rate": "rate", "single_dose": "dose", "daily_total": "daily"}[self.kind]


class Bioavailability(Model):
    """The fraction of a dose reaching the circulation as ketamine, by route."""

    text: str
    routes: dict[Route, float]
    sources: list[Source] = Field(min_length=1)

    @model_validator(mode="after")
    def _every_route(self) -> Bioavailability:
        missing = [route.value for route in Route if route not in self.routes]
        if missing:
            raise ValueError(f"bioavailability has no figure for {', '.join(missing)}")
        if any(not (0 < f <= 1) for f in self.routes.values()):
            raise ValueError("a bioavailability is a fraction above 0 and at most 1")
        return self


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
    min_rate: RateText
    min_dose: AmountText
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
    hard_limits: list[HardLimit] = Field(min_length=3)
    bioavailability: Bioavailability
    default_soft_ceiling: SoftCeiling
    default_soft_bolus: SoftBolusCeiling
    bolus_max_over: FixedDurationText
    plausibility: Plausibility
    weight_kg: WeightRange
    dose_bands: BandTable

    @model_validator(mode="after")
    def _one_limit_per_kind_and_route(self) -> LimitTable:
        for kind, unit in (
            ("infusion_rate", PerKgRate),
            ("single_dose", PerKgMass),
            ("daily_total", PerKgRate),
        ):
            covered: list[Route] = []
            for limit in self.hard_limits:
                if limit.kind != kind:
                    continue
                if not isinstance(limit.limit, unit):
                    raise ValueError(f"hard limit '{limit.id}' must be given per kg")  # noqa: TRY004 - pydantic reports ValueError
                covered += limit.routes
            doubled = sorted({r.value for r in covered if covered.count(r) > 1})
            if doubled:
                raise ValueError(f"two {kind} hard limits cover {', '.join(doubled)}")
            missing = [r.value for r in Route if r not in covered]
            if missing and kind != "infusion_rate":
                raise ValueError(f"no {kind} hard limit covers {', '.join(missing)}")
        return self

    def hard(self, kind: LimitKind, route: Route = Route.IV) -> tuple[HardLimit, Measure]:
        """The hard limit of ``kind`` for ``route``, and its per-kg value."""
        for limit in self.hard_limits:
            if limit.kind == kind and route in limit.routes:
                return limit, limit.limit  # type: ignore[return-value]
        if kind == "infusion_rate":
            return self.hard(kind, Route.IV)
        raise UserInputError(f"the limit table has no {kind} hard limit for the {route} route")

    def hard_rate(self, route: Route = Route.IV) -> tuple[HardLimit, PerKgRate]:
        """The hard limit on infusion rates, as a per-kg rate."""
        return self.hard("infusion_rate", route)  # type: ignore[return-value]

    def hard_dose(self, route: Route = Route.IV) -> tuple[HardLimit, PerKgMass]:
        """The hard limit on one dose by ``route``, as a per-kg dose."""
        return self.hard("single_dose", route)  # type: ignore[return-value]

    def hard_daily(self) -> tuple[HardLimit, PerKgRate]:
        """The hard limit on the 24-hour intravenous-equivalent total, as a per-kg rate."""
        return self.hard("daily_total")  # type: ignore[return-value]

    def iv_equivalent(self, dose_mg: float, route: Route) -> float:
        """``dose_mg`` by ``route`` as the intravenous dose reaching the circulation."""
        return dose_mg * self.bioavailability.routes[route]

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
