"""Equivalence tables as data: each factor with its drug, routes, dose basis and source.

A table is read from a YAML file (see ``ketamine_cds/data/opioids``) into
:class:`EquivalenceTable`. The schema is closed: an unknown key is an error. A table may say that
it has *no* factor for a drug and route (``factor: null`` with ``no_factor`` giving the reason),
which is different from not mentioning it: both mean "not covered", but the first says why.

Methadone may be given in dose tiers; the tiers must start at zero and follow one another with no
gap, so that every daily dose above zero (20.5 mg/day included) belongs to exactly one tier.
"""

from __future__ import annotations

from enum import StrEnum
from itertools import pairwise

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

ROUTE_ALIASES: dict[str, str] = {
    "po": "oral",
    "by mouth": "oral",
    "pr": "rectal",
    "td": "transdermal",
    "patch": "transdermal",
    "sl": "sublingual",
    "intranasal": "nasal",
    "in": "nasal",
    "iv": "intravenous",
    "sc": "subcutaneous",
    "sq": "subcutaneous",
    "subcut": "subcutaneous",
    "im": "intramuscular",
}


class OpioidRoute(StrEnum):
    """Routes the equivalence tables distinguish."""

    ORAL = "oral"
    RECTAL = "rectal"
    TRANSDERMAL = "transdermal"
    BUCCAL = "buccal"
    SUBLINGUAL = "sublingual"
    NASAL = "nasal"
    INTRAVENOUS = "intravenous"
    SUBCUTANEOUS = "subcutaneous"
    INTRAMUSCULAR = "intramuscular"

    @classmethod
    def read(cls, text: object) -> object:
        """Map a clinician's abbreviation (``iv``, ``sc``, ``po``, ``td``) to the route name."""
        if isinstance(text, str):
            key = text.strip().lower()
            return ROUTE_ALIASES.get(key, key)
        return text


class Opioid(StrEnum):
    """The opioids the product knows, by ingredient (salt forms are dosed as the label states)."""

    BUPRENORPHINE = "buprenorphine"
    CODEINE = "codeine"
    FENTANYL = "fentanyl"
    HYDROCODONE = "hydrocodone"
    HYDROMORPHONE = "hydromorphone"
    METHADONE = "methadone"
    MORPHINE = "morphine"
    OXYCODONE = "oxycodone"
    OXYMORPHONE = "oxymorphone"
    TAPENTADOL = "tapentadol"
    TRAMADOL = "tramadol"


PARENTERAL = frozenset(
    {OpioidRoute.INTRAVENOUS, OpioidRoute.SUBCUTANEOUS, OpioidRoute.INTRAMUSCULAR}
)
TRANSMUCOSAL = frozenset({OpioidRoute.BUCCAL, OpioidRoute.SUBLINGUAL, OpioidRoute.NASAL})


class DoseBasis(StrEnum):
    """The daily amount a factor multiplies."""

    MG_PER_DAY = "mg_per_day"
    UG_PER_H = "ug_per_h"
    UG_PER_DAY = "ug_per_day"

    @property
    def unit(self) -> str:
        """The unit as a clinician writes it."""
        return {"mg_per_day": "mg/day", "ug_per_h": "µg/h", "ug_per_day": "µg/day"}[self.value]


class Tier(BaseModel):
    """A methadone dose band: daily doses above ``above`` and up to ``up_to`` (inclusive)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    above: float = Field(ge=0, description="Exclusive lower bound of the daily dose.")
    up_to: float | None = Field(
        description="Inclusive upper bound of the daily dose; null for no upper bound."
    )
    factor: float = Field(gt=0, description="Oral morphine equivalent per unit of daily dose.")

    def holds(self, daily: float) -> bool:
        """Whether a daily dose falls in this tier."""
        return daily > self.above and (self.up_to is None or daily <= self.up_to)


class FactorEntry(BaseModel):
    """One line of a table: a drug by one or more routes (and dose forms), and its factor."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    drug: Opioid = Field(description="Ingredient name, lower case (e.g. oxycodone).")
    routes: tuple[OpioidRoute, ...] = Field(min_length=1)
    forms: tuple[str, ...] | None = Field(
        default=None, description="Dose forms this line is limited to (e.g. film, lozenge)."
    )
    basis: DoseBasis
    factor: float | None = Field(
        default=None,
        gt=0,
        description="Multiplier of the daily dose; null when the table has none.",
    )
    tiers: tuple[Tier, ...] | None = None
    no_factor: str | None = Field(
        default=None, description="Why the table gives no factor for this drug and route."
    )
    source: str = Field(min_length=1)

    @field_validator("routes", mode="before")
    @classmethod
    def _read_routes(cls, value: object) -> object:
        if isinstance(value, list | tuple):
            return tuple(OpioidRoute.read(v) for v in value)
        return value

    @model_validator(mode="after")
    def _one_kind_of_factor(self) -> FactorEntry:
        given = [self.factor is not None, self.tiers is not None, self.no_factor is not None]
        if sum(given) != 1:
            raise ValueError(
                f"{self.drug}: give exactly one of 'factor', 'tiers' or 'no_factor' "
                "(with the reason)"
            )
        if self.tiers is not None:
            _check_tiers(self.drug, self.tiers)
        return self

    @property
    def covered(self) -> bool:
        """Whether the line gives a factor (single or tiered)."""
        return self.no_factor is None

    def factor_for(self, daily: float) -> float:
        """The factor for a total daily dose of this drug (tiers chosen by that total)."""
        if self.factor is not None:
            return self.factor
        if self.tiers is None:
            raise ValueError(f"the table has no factor for {self.drug}: {self.no_factor}")
        for tier in self.tiers:
            if tier.holds(daily):
                return tier.factor
        raise ValueError(f"{daily:g} {self.basis.unit} of {self.drug} is outside every tier")

    def matches(self, drug: Opioid, route: OpioidRoute, form: str | None) -> bool:
        """Whether this line is the one for ``drug`` by ``route`` in dose form ``form``."""
        if drug != self.drug or route not in self.routes:
            return False
        return self.forms is None or (form is not None and form in self.forms)


def _check_tiers(drug: Opioid, tiers: tuple[Tier, ...]) -> None:
    """Refuse tiers with a gap or an overlap: every daily dose must belong to exactly one."""
    if tiers[0].above != 0:
        raise ValueError(f"{drug}: the first tier must start above 0")
    for before, after in pairwise(tiers):
        if before.up_to is None or after.above != before.up_to:
            raise ValueError(
                f"{drug}: tiers must follow one another with no gap "
                f"(one ends at {before.up_to}, the next starts above {after.above})"
            )
    for tier in tiers:
        if tier.up_to is not None and tier.up_to <= tier.above:
            raise ValueError(f"{drug}: a tier must end above where it starts")


class EquivalenceTable(BaseModel):
    """A named, versioned, cited table of oral morphine equivalent factors."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9-]*$")
    version: str = Field(min_length=1)
    title: str = Field(min_length=1)
    source: str = Field(min_length=1)
    notes: tuple[str, ...] = ()
    factors: tuple[FactorEntry, ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _no_duplicate_lines(self) -> EquivalenceTable:
        seen: set[tuple[Opioid, OpioidRoute, str | None]] = set()
        for entry in self.factors:
            for route in entry.routes:
                for form in entry.forms or (None,):
                    key = (entry.drug, route, form)
                    if key in seen:
                        raise ValueError(f"{self.id}: {entry.drug} by {route.value} appears twice")
                    seen.add(key)
        return self

    def lookup(self, drug: Opioid, route: OpioidRoute, form: str | None) -> FactorEntry | None:
        """The line for a drug, route and form, or None when the table does not mention it."""
        for entry in self.factors:
            if entry.matches(drug, route, form):
                return entry
        return None

    def needs_form(self, drug: Opioid, route: OpioidRoute) -> tuple[str, ...]:
        """The dose forms the table distinguishes for a drug and route (empty when none)."""
        forms: list[str] = []
        for entry in self.factors:
            if entry.drug == drug and route in entry.routes and entry.forms:
                forms.extend(entry.forms)
        return tuple(forms)
